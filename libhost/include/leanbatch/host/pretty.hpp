#pragma once
/// Lean-like rendering of terms for messages and `info` rows.
///
/// `fun (x : A) => b`, `{x : A}` / `[inst : C]` / `⦃x : A⦄` binders, `A → B` for
/// non-dependent arrows, `(x : A) → B` otherwise, `Prop` / `Type u` / `Sort u`, numerals
/// (`OfNat.ofNat` applications print as the literal), string literals, `let`, projections
/// as `e.1`. Output is bounded (a DAG printed as a tree can be exponential): past the length
/// or depth budget the rest prints as `…`.
#include <cstdint>
#include <functional>
#include <string>

#include "leanbatch/host/term_store.hpp"

namespace leanbatch::host {

struct PrettyOptions {
  size_t max_chars = 2000;
  unsigned max_depth = 64;
  bool show_universes = true;
  /// Name of a free variable (from the kernel's local context); default `_fvar.N`.
  std::function<std::string(uint32_t)> fvar_name;
};

std::string pretty(const TermStore& st, Expr e, const PrettyOptions& opts = {});
/// A name as Lean prints it, with hygienic suffixes shortened (`x._@.M._hyg.3` → `x✝`).
std::string pretty_name(const TermStore& st, Name n);

}  // namespace leanbatch::host
