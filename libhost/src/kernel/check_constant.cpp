#include "leanbatch/host/kernel/check_constant.hpp"

#include "leanbatch/host/kernel/kernel_env.hpp"
#include "leanbatch/host/kernel/quot.hpp"
#include "leanbatch/host/kernel/type_checker.hpp"

namespace leanbatch::host {

// Checks one non-inductive constant: name, universe parameters, type, value. This is Lean's
// add_axiom / add_definition / add_theorem / add_opaque.
void check_constant(KernelEnv& kenv, const CheckControl& control, uint32_t decl, const ConstantInfo& c) {
  TermStore& st = kenv.st();
  kenv.check_name_free(c.name, decl);
  for (size_t i = 0; i < c.lparams.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (c.lparams[i] == c.lparams[j])
        throw KernelError{KernelErrorKind::DuplicateLevelParam,
                          "duplicate universe parameter '" + st.name_to_string(c.lparams[i]) + "'", {}};
  Safety safety = c.safety;
  if (c.kind == ConstKind::Theorem) safety = Safety::Safe;
  TypeChecker tc(kenv, control, decl, c.lparams, safety);
  tc.ensure_type(c.type);
  if (c.kind == ConstKind::Theorem && !tc.is_prop(c.type))
    tc.fail(KernelErrorKind::TheoremNotProp, "the type of a theorem must be a proposition", {{"type", c.type}});
  if (c.kind == ConstKind::Quot) {
    check_quot_constant(tc, c);
    return;
  }
  if (!c.value.valid()) return;  // axiom
  // An unsafe definition may refer to itself: Lean adds it before checking the value.
  if (c.safety == Safety::Unsafe && c.kind == ConstKind::Definition) kenv.overlay_add(&c);
  struct Clear {
    KernelEnv& k;
    ~Clear() { k.overlay_clear(); }
  } clear{kenv};
  Expr vt = tc.check(c.value);
  if (!tc.is_def_eq(vt, c.type))
    tc.fail(KernelErrorKind::DefTypeMismatch, "the value does not have the declared type",
            {{"declared", c.type}, {"inferred", vt}});
}

}  // namespace leanbatch::host
