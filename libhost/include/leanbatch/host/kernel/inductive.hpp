#pragma once
/// Inductive blocks.
///
/// Soundness-critical. The export states a whole mutual block with its constructors and
/// recursors; the kernel rebuilds everything it would derive itself and compares:
///  1. nested occurrences (`List Tree` inside `Tree`) are translated to auxiliary types of
///     one mutual block;
///  2. types: Π over the shared parameters ending in the same sort;
///  3. constructors: parameters first, positivity (after whnf), universe of every field,
///     result `I params indices` with indices free of the block's types;
///  4. elimination universe (large only when allowed), motives, minor premises, recursor
///     types, one rule per constructor, the K flag;
///  5. auxiliary recursors are renamed `Main.rec_i` and nested occurrences restored;
///  5b. the derived recursors are type-checked (defence in depth, lean4 #14808:
///     check_derived_recursors below);
///  6. every exported type info, constructor and recursor is compared field by field with the
///     derived one (recursor types and rule right-hand sides up to binder names). Extra,
///     missing, orphan or misnamed constructors/recursors reject the block.
#include <cstdint>

#include "leanbatch/host/kernel/type_checker.hpp"

namespace leanbatch::host {

/// Throws KernelError when the block is invalid.
void check_inductive_block(KernelEnv& kenv, const CheckControl& control, uint32_t decl_index);

}  // namespace leanbatch::host

namespace leanbatch::host {

/// Lean 4.33.1 (lean4 #14582): every occurrence of a type of the block in `e` (a type
/// former's type or a constructor's type, as exported) is applied to exactly the block's
/// parameters — the outermost `nparams` binders of `e`, as bound variables — and to exactly
/// the block's universe parameters, in order. Checked syntactically before any reduction,
/// which could erase a non-uniform occurrence (`(fun _ => Nat) (T Bool)`) or hide it in a
/// nested container's dropped argument. Throws KernelError (invalid_inductive).
void check_uniform_occurrences(const TermStore& st, std::span<const Name> block_types, uint32_t nparams,
                               std::span<const Name> lparams, Name owner, Expr e);

/// Lean 4.33/4.34 (lean4 #14808, defence in depth): type-checks the recursors the kernel
/// derived for a block, after nested restoration. `block` holds the block's types and
/// constructors as they will be stored, `recursors` the derived recursors as complete
/// constants (universe parameters with the elimination universe first, counts, rules); both
/// are made visible to the type checker for the duration (the overlay is replaced, then
/// cleared). Each recursor's type must be a type, and each rule must be type-preserving: its
/// right-hand side applied to the parameters, motives, minor premises and the constructor's
/// fields has the recursor's result type at that constructor. Throws KernelError
/// (invalid_recursor, naming the recursor and the rule). See inductive_recheck.cpp.
void check_derived_recursors(KernelEnv& kenv, const CheckControl& control, uint32_t decl_index,
                             std::span<const ConstantInfo> block, std::span<const ConstantInfo> recursors);

}  // namespace leanbatch::host
