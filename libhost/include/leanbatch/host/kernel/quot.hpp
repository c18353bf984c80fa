#pragma once
/// The quotient constants (`Quot`, `Quot.mk`, `Quot.lift`, `Quot.ind`): each must have
/// exactly the type Lean's kernel gives it (up to binder names and binder info, with its own
/// universe parameter names), and `Eq` must already exist with its expected shape. Quotient
/// reduction is enabled only once all four are accepted.
#include "leanbatch/host/kernel/type_checker.hpp"

namespace leanbatch::host {

/// Throws KernelError (InvalidQuot) when `c` is not the expected quotient constant.
void check_quot_constant(TypeChecker& tc, const ConstantInfo& c);

/// Throws KernelError (InvalidQuot) unless `Eq` is declared with exactly Lean's shape.
void check_eq(TypeChecker& tc);

}  // namespace leanbatch::host
