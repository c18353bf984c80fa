#pragma once
/// Lean's add_axiom / add_definition / add_theorem / add_opaque (and the quotient constants):
/// checks one non-inductive constant against the kernel environment; throws KernelError.
#include <cstdint>

#include "leanbatch/host/environment.hpp"
#include "leanbatch/host/kernel/kernel_env.hpp"
#include "leanbatch/host/kernel/type_checker.hpp"

namespace leanbatch::host {

void check_constant(KernelEnv& kenv, const CheckControl& control, uint32_t decl, const ConstantInfo& c);

}  // namespace leanbatch::host
