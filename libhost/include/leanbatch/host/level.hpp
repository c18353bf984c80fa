#pragma once
/// Universe level algorithms.
///
/// Soundness-critical. Definitional equality of sorts and the universe checks of inductive
/// types rest on is_equivalent and is_geq. Both follow Lean's kernel: levels are compared
/// through a normal form (flattened max, sorted, offsets merged), and `≥` is a sound but
/// incomplete syntactic test on normal forms. Deliberately no extra completeness: a checker
/// that proves more `≥` facts than Lean would accept declarations Lean rejects.
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "leanbatch/host/term_store.hpp"

namespace leanbatch::host {

/// `succ^k(zero)`?
bool level_is_explicit(const TermStore& st, Level l);
/// Strips successors: l = succ^k(base).
std::pair<Level, unsigned> level_to_offset(const TermStore& st, Level l);
/// True when l is positive under every assignment of its parameters.
bool level_is_not_zero(const TermStore& st, Level l);
Level level_succ_n(TermStore& st, Level l, unsigned k);

/// Simplifying constructors (identities only: explicit levels, zero, duplicates, imax with
/// a never-zero or zero right side).
Level level_mk_max(TermStore& st, Level a, Level b);
Level level_mk_imax(TermStore& st, Level a, Level b);

Level level_normalize(TermStore& st, Level l);
bool level_is_equivalent(TermStore& st, Level a, Level b);
/// l = 0 up to normalisation (`imax 1 0` is zero). Lean 4.33.1 (lean4 #14613) decides
/// "is this sort Prop?" this way; a syntactic test would call `Sort (imax 1 0)` data.
bool level_is_zero(TermStore& st, Level l);
/// a ≥ b for every assignment (sound, incomplete; Lean's test).
bool level_is_geq(TermStore& st, Level a, Level b);

/// Substitutes parameters (simplifying as it rebuilds).
Level level_instantiate(TermStore& st, Level l, std::span<const Name> params, std::span<const Level> values);
/// A parameter of `l` not among `params`, if any.
std::optional<Name> level_undefined_param(const TermStore& st, Level l, std::span<const Name> params);

std::string level_to_string(const TermStore& st, Level l);

}  // namespace leanbatch::host
