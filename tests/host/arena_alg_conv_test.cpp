// The Lean Kernel Arena's tests on the transitivity of definitional equality (alg-conv*),
// rebuilt term by term with builder.hpp (helpers in arena_support.hpp): each case states the
// Arena test it mirrors (leanprover/lean-kernel-arena, tests/), the expected outcome, and why
// a checker could get it wrong.
//
// Conversions that hold in the declarative theory only through a middle term that no
// algorithm invents: Acc.rec on Nat's `<` (alg-conv-trans-acc*, subject-reduction-*) and
// Quot.lift on a quotient of a proposition (alg-conv-trans-quot*). All are corner cases with
// the outcome `either` (arena_support.hpp); each also pins the verdict Lean's kernel gives.
#include "arena_support.hpp"

using namespace lbtest;

// =======================================================================================
// corner-cases/alg-conv.lean: `Acc.rec` on Nat's `<`, where algorithmic conversion is not
// transitive.
//
//   step x ih := match x with | 0 => true | k+1 => ih k (Nat.lt_succ_self k)
//   f n a     := Acc.rec (fun x _ ih => step x ih) a          (a : Acc (· < ·) n)
//
// For a variable a : Acc (· < ·) 1, `f 1 a` is stuck. Proof irrelevance relates it to
// `f 1 (Acc.intro 1 fun y => Acc.inv a)` (left), whose major premise is a constructor,
// so iota and `step` take it to `f 0 (Acc.inv a (Nat.lt_succ_self 0))` (right). The
// endpoints (trans) are related only through the middle term, which no algorithm invents.
// Our prelude has no Acc: it comes from the Arena tutorial file, and Acc.inv (Lean's
// Init/WF theorem) is declared here by Acc.rec.
namespace {

struct AlgConv {
  Builder b{kPrelude};
  Level l0, l1;
  Expr N, B;

  AlgConv() {
    b.also("tutorial/good/112_accRecReduction.ndjson");  // Acc, Acc.intro, Acc.rec
    l0 = b.lvl(0);
    l1 = b.lvl(1);
    N = b.c("Nat");
    B = b.c("Bool");
    declare_inv();
    declare_step_and_f();
    declare_file();
  }

  /// A numeral as Lean elaborates it: `@OfNat.ofNat Nat k (instOfNatNat k)`.
  Expr num(uint64_t k) { return b.app(b.c("OfNat.ofNat", {l0}), {N, b.nat(k), b.app(b.c("instOfNatNat"), {b.nat(k)})}); }
  Expr lt(Expr x, Expr y) { return b.app(b.c("LT.lt", {l0}), {N, b.c("instLTNat"), x, y}); }
  /// `(· < ·)`, a λ as the elaborator writes it.
  Expr rel() {
    return b.Lam("x1", N, [&](Expr x) { return b.Lam("x2", N, [&](Expr y) { return lt(x, y); }); });
  }
  Expr acc(Expr x) { return b.app(b.c("Acc", {l1}), {N, rel(), x}); }
  Expr f(Expr n, Expr a) { return b.app(b.c("f"), {n, a}); }
  Expr inv(Expr x, Expr y, Expr h) { return b.app(b.c("Acc.inv", {l1}), {N, rel(), x, y, h}); }
  /// The middle term `Acc.intro 1 fun y => Acc.inv a` (a proof of `Acc (· < ·) 1`).
  Expr middle(Expr a) {
    return b.app(b.c("Acc.intro", {l1}), {N, rel(), num(1), b.Lam("y", N, [&](Expr y) { return inv(num(1), y, a); })});
  }
  /// `Acc.inv a (Nat.lt_succ_self 0) : Acc (· < ·) 0`.
  Expr pred(Expr a) { return b.app(inv(num(1), num(0), a), {b.app(b.c("Nat.lt_succ_self"), {num(0)})}); }

  // Acc.inv.{u} {α : Sort u} {r} {x y : α} (h₁ : Acc r x) (h₂ : r y x) : Acc r y, by
  // Acc.rec into Prop with motive `fun x _ => ∀ y, r y x → Acc r y`.
  void declare_inv() {
    Level u = b.param("u");
    auto accG = [&](const std::vector<Expr>& v, Expr x) { return b.app(b.c("Acc", {u}), {v[0], v[1], x}); };
    auto smaller = [&](const std::vector<Expr>& v, Expr x) {
      return b.Pi("y", v[0], [&](Expr y) { return b.arrow(b.app(v[1], {y, x}), accG(v, y)); });
    };
    std::vector<Binder> bs{
        {"α", [&](const std::vector<Expr>&) { return b.sort(u); }, kImp},
        {"r", [&](const std::vector<Expr>& v) { return b.arrow(v[0], b.arrow(v[0], b.prop())); }, kImp},
        {"x", [&](const std::vector<Expr>& v) { return v[0]; }, kImp},
        {"y", [&](const std::vector<Expr>& v) { return v[0]; }, kImp},
        {"h₁", [&](const std::vector<Expr>& v) { return accG(v, v[2]); }},
        {"h₂", [&](const std::vector<Expr>& v) { return b.app(v[1], {v[3], v[2]}); }},
    };
    Expr type = telescope(b, false, bs, [&](const std::vector<Expr>& v) { return accG(v, v[3]); });
    Expr value = telescope(b, true, bs, [&](const std::vector<Expr>& v) {
      Expr motive = b.Lam("x", v[0], [&](Expr x) { return b.lam("t", accG(v, x), smaller(v, x)); });
      Expr minor = b.Lam("x", v[0], [&](Expr x) {
        return b.Lam("h", smaller(v, x), [&](Expr h) {
          Expr ih = b.Pi("y", v[0], [&](Expr y) {
            return b.Pi("a", b.app(v[1], {y, x}), [&](Expr a) { return b.app(motive, {y, b.app(h, {y, a})}); });
          });
          return b.lam("ih", ih, h);
        });
      });
      return b.app(b.c("Acc.rec", {b.lvl(0), u}), {v[0], v[1], motive, minor, v[2], v[4], v[3], v[5]});
    });
    b.thm("Acc.inv", type, value, {"u"});
  }

  void declare_step_and_f() {
    // below x := Π y : Nat, y < x → Bool (the type of step's recursive-call argument)
    auto below = [&](Expr x) { return b.Pi("y", N, [&](Expr y) { return b.arrow(lt(y, x), B); }); };
    Expr motive = b.Lam("x", N, [&](Expr x) { return b.arrow(below(x), B); });
    Expr on_zero = b.lam("ih", below(b.c("Nat.zero")), b.c("Bool.true"));
    Expr on_succ = b.Lam("k", N, [&](Expr k) {
      return b.lam("_", b.app(motive, {k}),
                   b.Lam("ih", below(b.app(b.c("Nat.succ"), {k})), [&](Expr ih) {
                     return b.app(ih, {k, b.app(b.c("Nat.lt_succ_self"), {k})});
                   }));
    });
    b.def("step", b.Pi("x", N, [&](Expr x) { return b.arrow(below(x), B); }),
          b.Lam("x", N, [&](Expr x) {
            return b.Lam("ih", below(x), [&](Expr ih) {
              return b.app(b.c("Nat.rec", {l1}), {motive, on_zero, on_succ, x, ih});
            });
          }),
          Safety::Safe, {}, {HintKind::Regular, 2});
    // f n a := @Acc.rec Nat (· < ·) (fun _ _ => Bool) (fun x _ ih => step x ih) n a
    Expr fmotive = b.Lam("x", N, [&](Expr x) { return b.lam("t", acc(x), B); });
    Expr fminor = b.Lam("x", N, [&](Expr x) {
      Expr smaller = b.Pi("y", N, [&](Expr y) { return b.arrow(b.app(rel(), {y, x}), acc(y)); });
      return b.lam("h", smaller, b.Lam("ih", b.Pi("y", N, [&](Expr y) { return b.arrow(b.app(rel(), {y, x}), B); }),
                                        [&](Expr ih) { return b.app(b.c("step"), {x, ih}); }));
    });
    b.def("f", b.Pi("n", N, [&](Expr n) { return b.arrow(acc(n), B); }),
          b.Lam("n", N, [&](Expr n) {
            return b.Lam("a", acc(n), [&](Expr a) {
              return b.app(b.c("Acc.rec", {l1, l1}), {N, rel(), fmotive, fminor, n, a});
            });
          }),
          Safety::Safe, {}, {HintKind::Regular, 3});
  }

  /// `∀ a : Acc (· < ·) 1, lhs a = rhs a`, proved by `rfl` at the left-hand side.
  void rfl_thm(const std::string& name, const std::function<Expr(Expr)>& lhs, const std::function<Expr(Expr)>& rhs) {
    b.thm(name, b.Pi("a", acc(num(1)), [&](Expr a) { return b.eq(B, lhs(a), rhs(a)); }),
          b.Lam("a", acc(num(1)), [&](Expr a) { return b.refl(B, lhs(a)); }));
  }

  void declare_file() {
    rfl_thm("left", [&](Expr a) { return f(num(1), a); }, [&](Expr a) { return f(num(1), middle(a)); });
    rfl_thm("right", [&](Expr a) { return f(num(1), middle(a)); }, [&](Expr a) { return f(num(0), pred(a)); });
    rfl_thm("trans", [&](Expr a) { return f(num(1), a); }, [&](Expr a) { return f(num(0), pred(a)); });
    // redex a D k x0 := (fun y : D (f 1 (middle a)) => k y) x0, and its β-reduct `k x0`.
    auto sr = [&](const std::string& name, bool annotated) {
      std::vector<Binder> bs{
          {"a", [&](const std::vector<Expr>&) { return acc(num(1)); }},
          {"D", [&](const std::vector<Expr>&) { return b.arrow(B, b.type()); }},
          {"k", [&](const std::vector<Expr>& v) { return b.arrow(b.app(v[1], {f(num(0), pred(v[0]))}), b.c("Unit")); }},
          {"x0", [&](const std::vector<Expr>& v) { return b.app(v[1], {f(num(1), v[0])}); }},
      };
      Expr type = telescope(b, false, bs, [&](const std::vector<Expr>&) { return b.c("Unit"); });
      Expr value = telescope(b, true, bs, [&](const std::vector<Expr>& v) {
        if (!annotated) return b.app(v[2], {v[3]});
        Expr g = b.Lam("y", b.app(v[1], {f(num(1), middle(v[0]))}), [&](Expr y) { return b.app(v[2], {y}); });
        return b.app(g, {v[3]});
      });
      b.def(name, type, value);
    };
    sr("redex", true);
    sr("reduct", false);
  }
};

/// The controls of alg-conv.lean: the declarations its theorems are about.
void expect_alg_conv_controls(const Verdicts& r) {
  for (const char* ok : {"Acc.inv", "step", "f"}) EXPECT_OK(r, ok);
}

}  // namespace

TEST_CASE("Arena alg-conv-trans-acc: f 1 a ≡ f 0 (Acc.inv a _) only through an invented middle term (either)",
          "[kernel][arena]") {
  // Outcome either. Lean's kernel rejects `trans` (it was added with skipKernelTC); a
  // checker may accept it (declaratively true). What it must not do is unfold forever.
  AlgConv k;
  Verdicts r = check_decls(k.b, {"Acc.inv", "step", "f", "trans"}, kCornerBudget);
  expect_alg_conv_controls(r);
  expect_either(r, "trans", {"def_type_mismatch"}, Lean::Rejects);
}

TEST_CASE("Arena alg-conv-trans-acc-left: a stuck Acc.rec against its proof-irrelevant twin (either)", "[kernel][arena]") {
  // Outcome either; Lean's kernel accepts `left` (same head f, arguments equal by proof
  // irrelevance).
  AlgConv k;
  Verdicts r = check_decls(k.b, {"Acc.inv", "step", "f", "left"}, kCornerBudget);
  expect_alg_conv_controls(r);
  expect_either(r, "left", {"def_type_mismatch"}, Lean::Accepts);
}

TEST_CASE("Arena alg-conv-trans-acc-right: Acc.rec on Acc.intro reduces through step (either)", "[kernel][arena]") {
  // Outcome either; Lean's kernel accepts `right` (iota on Acc.intro, then Nat.rec on 1).
  AlgConv k;
  Verdicts r = check_decls(k.b, {"Acc.inv", "step", "f", "right"}, kCornerBudget);
  expect_alg_conv_controls(r);
  expect_either(r, "right", {"def_type_mismatch"}, Lean::Accepts);
}

TEST_CASE("Arena subject-reduction-redex: an annotated β-redex states the middle term (either)", "[kernel][arena]") {
  // Outcome either; Lean's kernel accepts `redex`: the argument checks against `left`, the
  // body against `right`, and the endpoints are never compared.
  AlgConv k;
  Verdicts r = check_decls(k.b, {"Acc.inv", "step", "f", "redex"}, kCornerBudget);
  expect_alg_conv_controls(r);
  expect_either(r, "redex", {"app_type_mismatch", "def_type_mismatch"}, Lean::Accepts);
}

TEST_CASE("Arena subject-reduction-reduct: the β-reduct of redex compares the endpoints (either)", "[kernel][arena]") {
  // Outcome either; Lean's kernel rejects `reduct` (the conversion of alg-conv-trans-acc),
  // so its typing is not closed under β.
  AlgConv k;
  Verdicts r = check_decls(k.b, {"Acc.inv", "step", "f", "redex", "reduct"}, kCornerBudget);
  expect_alg_conv_controls(r);
  expect_either(r, "reduct", {"app_type_mismatch", "def_type_mismatch"}, Lean::Rejects);
  // Not required by the Arena, but worth knowing: a checker that accepts the reduct also
  // accepts the redex (the reduct's conversion is the harder one).
  if (r.status("reduct") == VerdictStatus::Ok) CHECK(r.status("redex") == VerdictStatus::Ok);
}

// =======================================================================================
// corner-cases/alg-conv-trans-quot.lean: a quotient of a proposition. With
//   {P : Prop} {r : P → P → Prop} {α : Sort 1} (f : P → α) (h : ∀ x y, r x y → f x = f y)
//   (q : Quot r) (z : P),
// `Quot r` is a Prop, so q and `Quot.mk r z` are the same proof; yet Quot.lift f h q is
// stuck while Quot.lift f h (Quot.mk r z) reduces to f z.
namespace {

struct QuotConv {
  Builder b{kPrelude};
  Level l0, l1;

  // The section variables (q only when `with_q`), then body(P, r, α, f, h, q, z).
  using Body = std::function<Expr(Expr, Expr, Expr, Expr, Expr, Expr, Expr)>;
  Expr vars(bool lambda, bool with_q, const Body& body) {
    std::vector<Binder> bs{
        {"P", [&](const std::vector<Expr>&) { return b.prop(); }, kImp},
        {"r", [&](const std::vector<Expr>& v) { return b.arrow(v[0], b.arrow(v[0], b.prop())); }, kImp},
        {"α", [&](const std::vector<Expr>&) { return b.type(); }, kImp},
        {"f", [&](const std::vector<Expr>& v) { return b.arrow(v[0], v[2]); }},
        {"h",
         [&](const std::vector<Expr>& v) {
           return b.Pi("x", v[0], [&](Expr x) {
             return b.Pi("y", v[0], [&](Expr y) {
               return b.arrow(b.app(v[1], {x, y}), b.eq(v[2], b.app(v[3], {x}), b.app(v[3], {y})));
             });
           });
         }},
    };
    if (with_q) bs.push_back({"q", [&](const std::vector<Expr>& v) { return b.app(b.c("Quot", {l0}), {v[0], v[1]}); }});
    bs.push_back({"z", [&](const std::vector<Expr>& v) { return v[0]; }});
    return telescope(b, lambda, bs, [&](const std::vector<Expr>& v) {
      return with_q ? body(v[0], v[1], v[2], v[3], v[4], v[5], v[6]) : body(v[0], v[1], v[2], v[3], v[4], Expr{}, v[5]);
    });
  }
  Expr lift(const char* head, Expr P, Expr r, Expr A, Expr f, Expr h, Expr q) {
    return b.app(b.c(head, {l0, l1}), {P, r, A, f, h, q});
  }
  Expr mk(Expr P, Expr r, Expr z) { return b.app(b.c("Quot.mk", {l0}), {P, r, z}); }
  /// A theorem `lhs = rhs` over the variables, proved by `rfl` at lhs.
  void rfl_thm(const std::string& name, bool with_q, const Body& lhs, const Body& rhs) {
    auto stmt = [&](Expr P, Expr r, Expr A, Expr f, Expr h, Expr q, Expr z) {
      return b.eq(A, lhs(P, r, A, f, h, q, z), rhs(P, r, A, f, h, q, z));
    };
    auto proof = [&](Expr P, Expr r, Expr A, Expr f, Expr h, Expr q, Expr z) {
      return b.refl(A, lhs(P, r, A, f, h, q, z));
    };
    b.thm(name, vars(false, with_q, stmt), vars(true, with_q, proof));
  }

  QuotConv() {
    l0 = b.lvl(0);
    l1 = b.lvl(1);
    // lift := @Quot.lift, a definition that whnf does not see through before comparing.
    b.def("lift", b.get("Quot.lift").type, b.c("Quot.lift", {b.param("u"), b.param("v")}), Safety::Safe, {"u", "v"});
    auto lift_q = [&](const char* head) {
      return [this, head](Expr P, Expr r, Expr A, Expr f, Expr h, Expr q, Expr) { return lift(head, P, r, A, f, h, q); };
    };
    auto lift_mk = [&](const char* head) {
      return [this, head](Expr P, Expr r, Expr A, Expr f, Expr h, Expr, Expr z) {
        return lift(head, P, r, A, f, h, mk(P, r, z));
      };
    };
    Body f_z = [&](Expr, Expr, Expr, Expr f, Expr, Expr, Expr z) { return b.app(f, {z}); };
    rfl_thm("left", true, lift_q("Quot.lift"), lift_mk("Quot.lift"));
    rfl_thm("left'", true, lift_q("lift"), lift_mk("lift"));
    rfl_thm("right", false, lift_mk("Quot.lift"), f_z);
    rfl_thm("trans", true, lift_q("Quot.lift"), f_z);
  }
};

}  // namespace

TEST_CASE("Arena alg-conv-trans-quot: Quot.lift f h q ≡ f z for a quotient of a Prop (either)", "[kernel][arena]") {
  // Outcome either; Lean's kernel rejects `trans` (skipKernelTC): it would have to pick
  // `Quot.mk r z` as the representative of q.
  QuotConv k;
  Verdicts r = check_decls(k.b, {"right", "trans"}, kCornerBudget);
  EXPECT_OK(r, "right");  // control: the computation rule alone
  expect_either(r, "trans", {"def_type_mismatch"}, Lean::Rejects);
}

TEST_CASE("Arena alg-conv-trans-quot-left: proof irrelevance under Quot.lift, after whnf (either)", "[kernel][arena]") {
  // Outcome either; Lean's kernel rejects `left` (skipKernelTC): whnf first reduces the
  // right side to f z, so the proof-irrelevant arguments are never compared.
  QuotConv k;
  Verdicts r = check_decls(k.b, {"left", "right"}, kCornerBudget);
  EXPECT_OK(r, "right");
  expect_either(r, "left", {"def_type_mismatch"}, Lean::Rejects);
}

TEST_CASE("Arena alg-conv-trans-quot-left-def: proof irrelevance under a definition of Quot.lift (either)",
          "[kernel][arena]") {
  // Outcome either; Lean's kernel accepts `left'`: lazy delta compares the arguments of the
  // two `lift` applications before unfolding, and q ≡ Quot.mk r z as proofs.
  QuotConv k;
  Verdicts r = check_decls(k.b, {"lift", "left'"}, kCornerBudget);
  EXPECT_OK(r, "lift");
  expect_either(r, "left'", {"def_type_mismatch"}, Lean::Accepts);
}

TEST_CASE("Arena alg-conv-trans-quot-right: the quotient computation rule (either)", "[kernel][arena]") {
  // Outcome either (it is the computation rule itself; Lean's kernel accepts it).
  QuotConv k;
  Verdicts r = check_decls(k.b, {"right"}, kCornerBudget);
  expect_either(r, "right", {"def_type_mismatch"}, Lean::Accepts);
}
