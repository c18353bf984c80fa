// The Lean Kernel Arena's tests on typing definitions and theorems, rebuilt term by term with
// builder.hpp (helpers in arena_support.hpp): each case states the Arena test it mirrors
// (leanprover/lean-kernel-arena, tests/), the expected outcome, and why a checker could get it
// wrong.
//
// Declarations over existing types (no inductive type declared): proof irrelevance under a
// binder, a thousand nested lets, a theorem whose type is not a Prop, a definition whose
// value is itself.
#include "arena_support.hpp"

using namespace lbtest;

// =======================================================================================
// tests/proof-irrel (accept)

namespace {
// axioms A : Type, a b : A, P : Sort p, Q : P → Prop, foo : ∀ h : A → P, Q (h b);
// theorem bar : ∀ h : A → P, Q (h a) := foo.
Verdicts proof_irrel(unsigned p_sort) {
  Builder b(kEmpty);
  Expr A = b.c("A"), P = b.c("P"), Q = b.c("Q");
  b.axiom("A", b.type());
  b.axiom("a", A);
  b.axiom("b", A);
  b.axiom("P", b.sort(b.lvl(p_sort)));
  b.axiom("Q", b.arrow(P, b.prop()));
  auto stmt = [&](Expr x) { return b.Pi("h", b.arrow(A, P), [&](Expr h) { return b.app(Q, {b.app(h, {x})}); }); };
  b.axiom("foo", stmt(b.c("b")));
  b.thm("bar", stmt(b.c("a")), b.c("foo"));
  return check_decls(b, {"foo", "bar"});
}
}  // namespace

TEST_CASE("Arena proof-irrel: proof irrelevance under a binder", "[kernel][arena]") {
  Verdicts r = proof_irrel(0);
  EXPECT_OK(r, "foo");
  EXPECT_OK(r, "bar");
  // Control: with P a Type, `h a` and `h b` are data and differ.
  Verdicts data = proof_irrel(1);
  EXPECT_OK(data, "foo");
  EXPECT_REJECTED(data, "bar");
}

// =======================================================================================
// tests/shift-cascade (accept)

// fun (a : Nat → Nat) => let f1 := fun x => a x; let f2 := fun x => a (f1 x); …; f1000 0,
// written with raw de Bruijn indices as the Arena builds it: each value mentions `a` from
// under all the lets before it.
TEST_CASE("Arena shift-cascade: a thousand nested lets over a lambda", "[kernel][arena]") {
  Builder b("tutorial/good/094_natLitEq.ndjson");  // Nat
  TermStore& st = b.st();
  Expr N = b.c("Nat"), NN = b.arrow(N, N);
  const uint32_t n = 1000;
  Expr body = b.app(b.bv(0), {b.nat(0)});
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t k = n - i;  // this let binds f_k; a is bvar (k - 1) in its value's scope
    Expr val = i == n - 1 ? b.lam("x", N, b.app(b.bv(1), {b.bv(0)}))
                          : b.lam("x", N, b.app(b.bv(k), {b.app(b.bv(1), {b.bv(0)})}));
    body = st.mk_let(b.n("f" + std::to_string(k)), NN, val, body, false);
  }
  b.def("shift_cascade", b.arrow(NN, N), b.lam("a", NN, body), Safety::Safe, {}, {HintKind::Regular, 0});
  Verdicts r = check_decls(b, {"shift_cascade"});
  EXPECT_OK(r, "shift_cascade");
}

// =======================================================================================
// tests/nonPropThm (reject)

// A theorem's type must be a proposition: `PUnit.{u} : Sort u` is one only for u = 0. The
// same statement as an (opaque-hinted) definition is fine.
TEST_CASE("Arena nonPropThm: a theorem whose type is not a Prop", "[kernel][arena]") {
  Builder b("tutorial/good/035_pUnitType.ndjson");  // PUnit
  Level u = b.param("u");
  b.def("def", b.c("PUnit", {u}), b.c("PUnit.unit", {u}), Safety::Safe, {"u"}, {HintKind::Opaque, 0});
  b.thm("thm", b.c("PUnit", {u}), b.c("PUnit.unit", {u}), {"u"});
  Verdicts r = check_decls(b, {"def", "thm"});
  EXPECT_OK(r, "def");
  EXPECT_REJECTED(r, "thm");
}

// =======================================================================================
// definition-self-reference (the Arena's export is equivalent to
// `def cutoffSelf : Sort 1 := cutoffSelf`): a definition is not in scope while its own value
// is checked, or its claimed type would vouch for its circular value. Outcome reject.
TEST_CASE("Arena definition-self-reference: a definition whose value is itself (reject)", "[kernel][arena]") {
  Builder b(kEmpty);
  b.def("cutoffSelf", b.type(), b.c("cutoffSelf"));
  // Controls: the same type with an honest value, and one that refers to an earlier
  // definition (a reference to a constant is fine when that constant is already in scope).
  b.def("notSelf", b.type(), b.arrow(b.prop(), b.prop()));
  b.def("refersBack", b.type(), b.c("notSelf"));
  Verdicts r = check_decls(b, {"cutoffSelf", "notSelf", "refersBack"}, kCornerBudget);
  EXPECT_OK(r, "notSelf");
  EXPECT_OK(r, "refersBack");
  EXPECT_REJECTED(r, "cutoffSelf");
}
