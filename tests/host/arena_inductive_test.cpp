// The Lean Kernel Arena's tests on inductive declarations' parameters and positivity, rebuilt
// term by term with builder.hpp (helpers in arena_support.hpp): each case states the Arena
// test it mirrors (leanprover/lean-kernel-arena, tests/), the expected outcome, and why a
// checker could get it wrong.
//
// Corner cases (outcome `either`, arena_support.hpp) where a constructor's type is well
// formed only up to reduction or proof irrelevance: a nested occurrence with a non-uniform
// parameter, a recursive occurrence hidden in an unused argument of a reducible definition,
// proof parameters swapped in a constructor's result.
#include "arena_support.hpp"

using namespace lbtest;

// =======================================================================================
// corner-cases/nested-nonuniform-param (tutorial/CornerCases/NestedNonuniformParam.lean):
//   inductive W : Type | mk (p : Bool)        inductive L (α : Type) : Type | mk
//   inductive E : W → Type | mk : (w : W) → L (E ⟨false⟩) → E w     (w a parameter)
// The nested occurrence passes ⟨false⟩ where E's parameter w belongs. The Arena's export
// is Lean 4.29.1's output for the well-formed `L (E w)` with `E w` replaced by
// `E ⟨false⟩` under L and L.mk, recursors included; so is this one.
namespace {

void declare_w_and_l(Builder& b) {
  Level u = b.param("u");
  Expr B = b.c("Bool"), Ty = b.type();
  {
    Expr W = b.c("W");
    ConstantInfo t = mk_ind(b, "W", Ty, 0, {"W.mk"});
    ConstantInfo mk = mk_ctor(b, "W.mk", "W", b.pi("p", B, W), 0, 0, 1);
    auto tele = [&](bool lambda, const std::function<Expr(Expr, Expr)>& body) {
      return b.bnd(lambda, "motive", b.arrow(W, b.sort(u)), [&](Expr m) {
        Expr minor = b.Pi("p", B, [&](Expr p) { return b.app(m, {b.app(b.c("W.mk"), {p})}); });
        return b.bnd(lambda, "mk", minor, [&](Expr mn) { return body(m, mn); });
      });
    };
    Expr rec_type = tele(false, [&](Expr m, Expr) { return b.Pi("t", W, [&](Expr x) { return b.app(m, {x}); }); });
    Expr rhs = tele(true, [&](Expr, Expr mn) { return b.Lam("p", B, [&](Expr p) { return b.app(mn, {p}); }); });
    b.raw(DeclKind::Inductive, {t, mk, mk_rec(b, "W.rec", "W", rec_type, 0, 1, 1, {RecursorRule{b.n("W.mk"), 1, rhs}})});
  }
  {
    Expr L = b.c("L");
    ConstantInfo t = mk_ind(b, "L", b.pi("α", Ty, Ty), 1, {"L.mk"});
    ConstantInfo mk = mk_ctor(b, "L.mk", "L", b.Pi("α", Ty, [&](Expr a) { return b.app(L, {a}); }, kImp), 0, 1, 0);
    auto tele = [&](bool lambda, const std::function<Expr(Expr, Expr, Expr)>& body) {
      return b.bnd(lambda, "α", Ty, [&](Expr a) {
        return b.bnd(lambda, "motive", b.arrow(b.app(L, {a}), b.sort(u)), [&](Expr m) {
          return b.bnd(lambda, "mk", b.app(m, {b.app(b.c("L.mk"), {a})}), [&](Expr mn) { return body(a, m, mn); });
        });
      });
    };
    Expr rec_type =
        tele(false, [&](Expr a, Expr m, Expr) { return b.Pi("t", b.app(L, {a}), [&](Expr x) { return b.app(m, {x}); }); });
    Expr rhs = tele(true, [&](Expr, Expr, Expr mn) { return mn; });
    b.raw(DeclKind::Inductive, {t, mk, mk_rec(b, "L.rec", "L", rec_type, 1, 1, 1, {RecursorRule{b.n("L.mk"), 0, rhs}})});
  }
}

/// The block of E whose nested occurrence is `L (E (arg w))`: `arg = id` is the well-formed
/// variant, `arg = const ⟨false⟩` the Arena's.
void declare_e(Builder& b, const std::function<Expr(Expr)>& arg) {
  Level u = b.param("u");
  Expr W = b.c("W"), E = b.c("E"), L = b.c("L");
  auto inner = [&](Expr w) { return b.app(L, {b.app(E, {arg(w)})}); };
  auto inner_mk = [&](Expr w) { return b.app(b.c("L.mk"), {b.app(E, {arg(w)})}); };
  ConstantInfo t = mk_ind(b, "E", b.pi("w", W, b.type()), 1, {"E.mk"}, /*nnested=*/1, /*is_rec=*/true);
  ConstantInfo mk = mk_ctor(b, "E.mk", "E", b.Pi("w", W, [&](Expr w) { return b.pi("l", inner(w), b.app(E, {w})); }), 0,
                            1, 1);
  // {w} {motive_1 : E w → Sort u} {motive_2 : L (E ·) → Sort u}
  // (mk : ∀ a, motive_2 a → motive_1 (E.mk w a)) (mk_1 : motive_2 L.mk)
  auto tele = [&](bool lambda, const std::function<Expr(Expr, Expr, Expr, Expr, Expr)>& body) {
    return b.bnd(lambda, "w", W, [&](Expr w) {
      return b.bnd(lambda, "motive_1", b.arrow(b.app(E, {w}), b.sort(u)), [&](Expr m1) {
        return b.bnd(lambda, "motive_2", b.arrow(inner(w), b.sort(u)), [&](Expr m2) {
          Expr minor1 = b.Pi("a", inner(w), [&](Expr a) {
            return b.arrow(b.app(m2, {a}), b.app(m1, {b.app(b.c("E.mk"), {w, a})}));
          });
          return b.bnd(lambda, "mk", minor1, [&](Expr mn1) {
            return b.bnd(lambda, "mk_1", b.app(m2, {inner_mk(w)}), [&](Expr mn2) { return body(w, m1, m2, mn1, mn2); });
          });
        });
      });
    });
  };
  Expr rec_type = tele(false, [&](Expr w, Expr m1, Expr, Expr, Expr) {
    return b.Pi("t", b.app(E, {w}), [&](Expr x) { return b.app(m1, {x}); });
  });
  Expr rec1_type = tele(false, [&](Expr w, Expr, Expr m2, Expr, Expr) {
    return b.Pi("t", inner(w), [&](Expr x) { return b.app(m2, {x}); });
  });
  Expr rhs_mk = tele(true, [&](Expr w, Expr m1, Expr m2, Expr mn1, Expr mn2) {
    return b.Lam("a", inner(w), [&](Expr a) {
      return b.app(mn1, {a, b.app(b.c("E.rec_1", {u}), {w, m1, m2, mn1, mn2, a})});
    });
  });
  Expr rhs_l = tele(true, [&](Expr, Expr, Expr, Expr, Expr mn2) { return mn2; });
  b.raw(DeclKind::Inductive, {t, mk, mk_rec(b, "E.rec", "E", rec_type, 1, 2, 2, {RecursorRule{b.n("E.mk"), 1, rhs_mk}}),
                              mk_rec(b, "E.rec_1", "E", rec1_type, 1, 2, 2, {RecursorRule{b.n("L.mk"), 0, rhs_l}})});
}

}  // namespace

TEST_CASE("Arena nested-nonuniform-param: a nested occurrence L (E ⟨false⟩) in place of L (E w) (either)",
          "[kernel][arena]") {
  // Outcome either (the occurrence is phantom: no proof of False is known). Lean 4.29.1
  // accepted it; since lean4 #14577's follow-ups Lean rejects it.
  {
    // Control: the well-formed block, with the same recursors before the patch.
    Builder b("tutorial/good/089_projRed.ndjson");  // Bool
    declare_w_and_l(b);
    declare_e(b, [](Expr w) { return w; });
    Verdicts r = check_decls(b, {"W", "L", "E"}, kCornerBudget);
    for (const char* ok : {"W", "L", "E"}) EXPECT_OK(r, ok);
  }
  Builder b("tutorial/good/089_projRed.ndjson");
  declare_w_and_l(b);
  declare_e(b, [&](Expr) { return b.app(b.c("W.mk"), {b.c("Bool.false")}); });
  Verdicts r = check_decls(b, {"W", "L", "E"}, kCornerBudget);
  EXPECT_OK(r, "W");
  EXPECT_OK(r, "L");
  expect_either(r, "E", {"invalid_inductive"}, Lean::Rejects);
}

// =======================================================================================
// corner-cases/positivity-whnf: `def Ignore (A B : Type) : Type := A` (reducible) and
//   inductive T : Type | mk (f : Ignore Unit T → T) : T
// The syntactic occurrence of T left of the arrow disappears when `Ignore Unit T` is
// unfolded (to Unit). Lean's kernel whnfs the field type but not the domains inside it, so
// it rejects ("non positive occurrence"); a checker that reduces further may accept.
TEST_CASE("Arena positivity-whnf: a recursive occurrence in an unused argument of a reducible definition (either)",
          "[kernel][arena]") {
  Builder b(kPrelude);  // Unit
  Level u = b.param("u");
  Expr Ty = b.type();
  b.def("Ignore", b.arrow(Ty, b.arrow(Ty, Ty)), b.lam("A", Ty, b.lam("B", Ty, b.bv(1))), Safety::Safe, {},
        {HintKind::Abbrev, 0});
  Expr T = b.c("T");
  Expr dom = b.app(b.c("Ignore"), {b.c("Unit"), T});
  Expr field = b.arrow(dom, T);
  ConstantInfo t = mk_ind(b, "T", Ty, 0, {"T.mk"}, 0, /*is_rec=*/true);
  ConstantInfo mk = mk_ctor(b, "T.mk", "T", b.pi("f", field, T), 0, 0, 1);
  // The recursor of a checker that accepts: f is a reflexive recursive field.
  auto tele = [&](bool lambda, const std::function<Expr(Expr, Expr)>& body) {
    return b.bnd(lambda, "motive", b.arrow(T, b.sort(u)), [&](Expr m) {
      Expr minor = b.Pi("f", field, [&](Expr f) {
        return b.arrow(b.Pi("a", dom, [&](Expr a) { return b.app(m, {b.app(f, {a})}); }),
                       b.app(m, {b.app(b.c("T.mk"), {f})}));
      });
      return b.bnd(lambda, "mk", minor, [&](Expr mn) { return body(m, mn); });
    });
  };
  Expr rec_type = tele(false, [&](Expr m, Expr) { return b.Pi("t", T, [&](Expr x) { return b.app(m, {x}); }); });
  Expr rhs = tele(true, [&](Expr m, Expr mn) {
    return b.Lam("f", field, [&](Expr f) {
      return b.app(mn, {f, b.Lam("a", dom, [&](Expr a) { return b.app(b.c("T.rec", {u}), {m, mn, b.app(f, {a})}); })});
    });
  });
  b.raw(DeclKind::Inductive, {t, mk, mk_rec(b, "T.rec", "T", rec_type, 0, 1, 1, {RecursorRule{b.n("T.mk"), 1, rhs}})});
  Verdicts r = check_decls(b, {"Ignore", "T"}, kCornerBudget);
  EXPECT_OK(r, "Ignore");
  expect_either(r, "T", {"invalid_inductive"}, Lean::Rejects);
  if (r.status("T") == VerdictStatus::Rejected) CHECK(r.msg("T").find("positiv") != std::string::npos);
}

// =======================================================================================
// corner-cases/proof-param-ok and proof-param-swap: an inductive with parameters
// (P : Prop) (p q : P), whose constructor ends in `T P p q` (ok) or `T P q p` (swap). The
// swapped result is convertible to the right one only by proof irrelevance; Lean's kernel
// wants the parameters themselves and rejects it. (The Arena's exports are .ndjson files we
// cannot read; this is the shape their description gives, with T : Type.)
namespace {

void declare_proof_param(Builder& b, bool swap) {
  Level u = b.param("u");
  Expr T = b.c("T");
  auto params = [&](bool lambda, const std::function<Expr(Expr, Expr, Expr)>& body) {
    auto bind = [&](const char* x, Expr dom, const std::function<Expr(Expr)>& k) {
      return lambda ? b.Lam(x, dom, k, kImp) : b.Pi(x, dom, k, kImp);
    };
    return bind("P", b.prop(), [&](Expr P) {
      return bind("p", P, [&](Expr p) { return bind("q", P, [&](Expr q) { return body(P, p, q); }); });
    });
  };
  Expr type = b.Pi("P", b.prop(), [&](Expr P) { return b.arrow(P, b.arrow(P, b.type())); });
  ConstantInfo t = mk_ind(b, "T", type, 3, {"T.mk"});
  ConstantInfo mk = mk_ctor(b, "T.mk", "T", params(false, [&](Expr P, Expr p, Expr q) {
                              return swap ? b.app(T, {P, q, p}) : b.app(T, {P, p, q});
                            }),
                            0, 3, 0);
  auto tele = [&](bool lambda, const std::function<Expr(Expr, Expr, Expr, Expr, Expr)>& body) {
    return params(lambda, [&](Expr P, Expr p, Expr q) {
      Expr Tpq = b.app(T, {P, p, q});
      return b.bnd(lambda, "motive", b.arrow(Tpq, b.sort(u)), [&](Expr m) {
        return b.bnd(lambda, "mk", b.app(m, {b.app(b.c("T.mk"), {P, p, q})}), [&](Expr mn) { return body(P, p, q, m, mn); });
      });
    });
  };
  Expr rec_type = tele(false, [&](Expr P, Expr p, Expr q, Expr m, Expr) {
    return b.Pi("t", b.app(T, {P, p, q}), [&](Expr x) { return b.app(m, {x}); });
  });
  Expr rhs = tele(true, [&](Expr, Expr, Expr, Expr, Expr mn) { return mn; });
  b.raw(DeclKind::Inductive, {t, mk, mk_rec(b, "T.rec", "T", rec_type, 3, 1, 1, {RecursorRule{b.n("T.mk"), 0, rhs}})});
}

}  // namespace

TEST_CASE("Arena proof-param-ok: proof parameters in their declared order (accept)", "[kernel][arena]") {
  Builder b(kEmpty);
  declare_proof_param(b, false);
  Verdicts r = check_decls(b, {"T"}, kCornerBudget);
  EXPECT_OK(r, "T");
}

TEST_CASE("Arena proof-param-swap: proof parameters swapped in the constructor's result (either)", "[kernel][arena]") {
  Builder b(kEmpty);
  declare_proof_param(b, true);
  Verdicts r = check_decls(b, {"T"}, kCornerBudget);
  expect_either(r, "T", {"invalid_inductive"}, Lean::Rejects);
}
