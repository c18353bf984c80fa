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
///  6. every exported type info, constructor and recursor is compared field by field with the
///     derived one (recursor types and rule right-hand sides up to binder names). Extra,
///     missing, orphan or misnamed constructors/recursors reject the block.
#include <cstdint>

#include "leanbatch/host/kernel/type_checker.hpp"

namespace leanbatch::host {

/// Throws KernelError when the block is invalid.
void check_inductive_block(KernelEnv& kenv, const CheckControl& control, uint32_t decl_index);

}  // namespace leanbatch::host
