#pragma once
/// Lean's three standard axioms (`propext`, `Quot.sound`, `Classical.choice`), recognised by
/// name *and* statement.
///
/// Soundness of the axiom policy: the default allowlist trusts these three because Lean's
/// logic is consistent with them. An export may declare `axiom propext : False`; that axiom
/// carries the name but not the statement, and trusting it by name would let
/// `--strict-axioms` pass a proof of False. So a built-in name counts as the built-in axiom
/// only when its universe parameters and type are exactly Lean's (up to binder names and
/// binder info) and every constant its statement mentions (Eq, Iff, Quot, Quot.mk,
/// Nonempty) is itself exactly Lean's declaration; otherwise it is a *foreign* axiom.
#include "leanbatch/host/kernel/type_checker.hpp"

namespace leanbatch::host {

/// Is `n` one of the three built-in axiom names?
bool is_builtin_axiom_name(const KernelNames& names, Name n);

/// Is the accepted axiom `c` (with a built-in name) exactly Lean's? Must be called in the
/// store's scratch mode (it builds the expected statement).
bool builtin_axiom_is_canonical(KernelEnv& k, const CheckControl& control, uint32_t decl, const ConstantInfo& c);

}  // namespace leanbatch::host
