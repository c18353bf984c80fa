// Focused tests of the reduction rules (whnf.cpp): each rule with a case it must accept and
// a case it must reject, named by behaviour. A rejected case asserts the error kind, so a
// kernel that rejected it for another reason (or accepted it) fails the test.
#include "builder.hpp"

using namespace lbtest;

TEST_CASE("beta reduction: an applied lambda reduces to its body") {
  Builder b("tutorial/good/089_projRed.ndjson");
  BoolEnv e{b};
  Expr idb = b.Lam("x", e.B(), [](Expr x) { return x; });
  b.thm("beta_ok", e.eqB(b.app(idb, {e.tt()}), e.tt()), e.reflB(e.tt()));
  b.thm("beta_wrong_value", e.eqB(b.app(idb, {e.tt()}), e.ff()), e.reflB(e.tt()));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "beta_ok") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "beta_wrong_value") == "def_type_mismatch");
}

TEST_CASE("zeta reduction: a let-bound variable stands for its value") {
  Builder b("tutorial/good/089_projRed.ndjson");
  BoolEnv e{b};
  Expr l = b.let("x", e.B(), e.tt(), [](Expr x) { return x; });
  b.thm("zeta_ok", e.eqB(l, e.tt()), e.reflB(e.tt()));
  b.thm("zeta_wrong_value", e.eqB(l, e.ff()), e.reflB(e.tt()));
  // A let in a type position is unfolded too (the Arena's letRed).
  b.def("let_in_type", b.let("T", b.type(), e.B(), [](Expr t) { return t; }), e.tt());
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "zeta_ok") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "zeta_wrong_value") == "def_type_mismatch");
  CHECK(status_for(*env, vs, "let_in_type") == VerdictStatus::Ok);
}

TEST_CASE("delta reduction: definitions unfold, opaque constants never do") {
  Builder b("tutorial/good/089_projRed.ndjson");
  BoolEnv e{b};
  b.def("d", e.B(), e.tt());
  b.thm("definition_unfolds", e.eqB(b.c("d"), e.tt()), e.reflB(e.tt()));
  b.opaque("o", e.B(), e.tt());
  b.thm("opaque_does_not_unfold", e.eqB(b.c("o"), e.tt()), e.reflB(e.tt()));
  // A definition's value matters: `d` is not `false`.
  b.thm("definition_has_its_value", e.eqB(b.c("d"), e.ff()), e.reflB(e.ff()));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "definition_unfolds") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "o") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "opaque_does_not_unfold") == "def_type_mismatch");
  CHECK(kind_of(*env, vs, "definition_has_its_value") == "def_type_mismatch");
}

TEST_CASE("iota reduction: a recursor reduces on a constructor, not on a variable") {
  Builder b("tutorial/good/089_projRed.ndjson");
  BoolEnv e{b};
  Expr motive = b.Lam("_", e.B(), [&](Expr) { return e.B(); });
  auto rec = [&](Expr f, Expr t, Expr major) { return b.app(b.c("Bool.rec", {b.lvl(1)}), {motive, f, t, major}); };
  b.thm("iota_on_ctor", e.eqB(rec(e.ff(), e.tt(), e.tt()), e.tt()), e.reflB(e.tt()));
  b.thm("iota_picks_the_rule", e.eqB(rec(e.ff(), e.tt(), e.ff()), e.tt()), e.reflB(e.tt()));
  // Bool has two constructors: no eta, so the recursor is stuck on a variable.
  b.thm("iota_stuck_on_variable", b.Pi("x", e.B(), [&](Expr x) { return e.eqB(rec(e.tt(), e.tt(), x), e.tt()); }),
        b.Lam("x", e.B(), [&](Expr) { return e.reflB(e.tt()); }));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "iota_on_ctor") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "iota_picks_the_rule") == "def_type_mismatch");
  CHECK(kind_of(*env, vs, "iota_stuck_on_variable") == "def_type_mismatch");
}

TEST_CASE("K-like reduction fires for Eq when the major premise's indices match") {
  Builder b("tutorial/good/112_accRecReduction.ndjson");
  BoolEnv e{b};
  // ∀ (h : true = rhs) (a : Bool), @Eq.rec Bool true (fun _ _ => Bool) a rhs h = a
  auto stmt = [&](Expr rhs) {
    return b.Pi("h", e.eqB(e.tt(), rhs), [&](Expr h) {
      return b.Pi("a", e.B(), [&](Expr a) {
        Expr motive = b.Lam("x", e.B(), [&](Expr x) { return b.Lam("_", e.eqB(e.tt(), x), [&](Expr) { return e.B(); }); });
        Expr r = b.app(b.c("Eq.rec", {b.lvl(1), b.lvl(1)}), {e.B(), e.tt(), motive, a, rhs, h});
        return e.eqB(r, a);
      });
    });
  };
  auto proof = [&](Expr rhs) {
    return b.Lam("h", e.eqB(e.tt(), rhs), [&](Expr) { return b.Lam("a", e.B(), [&](Expr a) { return e.reflB(a); }); });
  };
  b.thm("ruleK", stmt(e.tt()), proof(e.tt()));
  // h : true = false is no `Eq.refl`: the constructor's type differs, K must not fire.
  b.thm("ruleK_indices_differ", stmt(e.ff()), proof(e.ff()));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "ruleK") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "ruleK_indices_differ") == "def_type_mismatch");
  // The Arena's version of the bad case.
  CHECK(first_failure_kind(check_all(load("tutorial/bad/091_ruleKbad.ndjson"))) == "def_type_mismatch");
}

TEST_CASE("K-like reduction does not fire for Acc") {
  Builder b("tutorial/good/112_accRecReduction.ndjson");
  BoolEnv e{b};
  Expr T = b.type();
  // ∀ (α : Type) (r : α → α → Prop) (x : α) (h : Acc r x) (a : Bool),
  //   Acc.rec (motive := fun _ _ => Bool) (fun _ _ _ => a) h = a
  auto body = [&](bool proof) {
    return b.bnd(proof, "α", T, [&](Expr al) {
      Expr rel = b.arrow(al, b.arrow(al, b.prop()));
      return b.bnd(proof, "r", rel, [&](Expr r) {
        return b.bnd(proof, "x", al, [&](Expr x) {
          Expr acc = b.app(b.c("Acc", {b.lvl(1)}), {al, r, x});
          return b.bnd(proof, "h", acc, [&](Expr h) {
            return b.bnd(proof, "a", e.B(), [&](Expr a) {
              if (proof) return e.reflB(a);
              Expr motive = b.Lam("y", al, [&](Expr y) {
                return b.Lam("_", b.app(b.c("Acc", {b.lvl(1)}), {al, r, y}), [&](Expr) { return e.B(); });
              });
              Expr minor = b.Lam("y", al, [&](Expr y) {
                Expr hy = b.Pi("z", al, [&](Expr z) {
                  return b.arrow(b.app(r, {z, y}), b.app(b.c("Acc", {b.lvl(1)}), {al, r, z}));
                });
                return b.Lam("hy", hy, [&](Expr) {
                  Expr ih = b.Pi("z", al, [&](Expr z) { return b.arrow(b.app(r, {z, y}), e.B()); });
                  return b.Lam("ih", ih, [&](Expr) { return a; });
                });
              });
              Expr rec = b.app(b.c("Acc.rec", {b.lvl(1), b.lvl(1)}), {al, r, motive, minor, x, h});
              return e.eqB(rec, a);
            });
          });
        });
      });
    });
  };
  b.thm("ruleK_acc", body(false), body(true));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "Acc") == VerdictStatus::Ok);
  auto acc_rec = env->find(env->store().name_from_dotted("Acc.rec"));  // the file's own store
  REQUIRE(acc_rec);
  CHECK_FALSE(env->constant(*acc_rec).k);  // Acc.intro has fields: no K
  CHECK(kind_of(*env, vs, "ruleK_acc") == "def_type_mismatch");
  // ... while Acc.rec does reduce on Acc.intro (the Arena's accRecReduction).
  CHECK(status_for(*env, vs, "accRecReduction") == VerdictStatus::Ok);
  CHECK(first_failure_kind(check_all(load("tutorial/bad/092_ruleKAcc.ndjson"))) == "def_type_mismatch");
}

TEST_CASE("structure eta expands a major premise of a structure, but not of a Prop structure") {
  Builder b("tutorial/good/089_projRed.ndjson");
  b.also("tutorial/good/058_andRec.ndjson");
  BoolEnv e{b};
  Expr PBB = b.app(b.c("Prod", {b.lvl(0), b.lvl(0)}), {e.B(), e.B()});
  // ∀ x : Bool × Bool, Prod.rec (fun a _ => a) x = x.1   (x ↦ ⟨x.1, x.2⟩)
  Expr motive = b.Lam("_", PBB, [&](Expr) { return e.B(); });
  Expr fst = b.Lam("a", e.B(), [&](Expr a) { return b.Lam("c", e.B(), [&](Expr) { return a; }); });
  auto prod_rec = [&](Expr x) {
    return b.app(b.c("Prod.rec", {b.lvl(1), b.lvl(0), b.lvl(0)}), {e.B(), e.B(), motive, fst, x});
  };
  b.thm("struct_eta_major", b.Pi("x", PBB, [&](Expr x) { return e.eqB(prod_rec(x), b.proj("Prod", 0, x)); }),
        b.Lam("x", PBB, [&](Expr x) { return e.reflB(b.proj("Prod", 0, x)); }));
  b.thm("struct_eta_major_right_field", b.Pi("x", PBB, [&](Expr x) { return e.eqB(prod_rec(x), b.proj("Prod", 1, x)); }),
        b.Lam("x", PBB, [&](Expr x) { return e.reflB(b.proj("Prod", 1, x)); }));
  // ∀ (p q : Prop) (h : p ∧ q) (x : Bool), And.rec (fun _ _ => x) h = x: And is a Prop, so the
  // major premise h is not expanded and the recursor is stuck.
  auto and_stmt = [&](bool ctor_major, bool proof) {
    return b.bnd(proof, "p", b.prop(), [&](Expr p) {
      return b.bnd(proof, "q", b.prop(), [&](Expr q) {
        Expr pq = b.app(b.c("And"), {p, q});
        return b.bnd(proof, "hp", p, [&](Expr hp) {
          return b.bnd(proof, "hq", q, [&](Expr hq) {
            return b.bnd(proof, "h", pq, [&](Expr h) {
              return b.bnd(proof, "x", e.B(), [&](Expr x) {
                if (proof) return e.reflB(x);
                Expr m = b.Lam("_", pq, [&](Expr) { return e.B(); });
                Expr minor = b.Lam("l", p, [&](Expr) { return b.Lam("r", q, [&](Expr) { return x; }); });
                Expr major = ctor_major ? b.app(b.c("And.intro"), {p, q, hp, hq}) : h;
                return e.eqB(b.app(b.c("And.rec", {b.lvl(1)}), {p, q, m, minor, major}), x);
              });
            });
          });
        });
      });
    });
  };
  b.thm("and_rec_on_ctor", and_stmt(true, false), and_stmt(true, true));
  b.thm("no_struct_eta_for_prop_major", and_stmt(false, false), and_stmt(false, true));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "struct_eta_major") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "struct_eta_major_right_field") == "def_type_mismatch");
  CHECK(status_for(*env, vs, "and_rec_on_ctor") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "no_struct_eta_for_prop_major") == "def_type_mismatch");
}

TEST_CASE("projection reduction: a projection of a constructor is its field") {
  Builder b("tutorial/good/089_projRed.ndjson");
  BoolEnv e{b};
  Expr PBB = b.app(b.c("Prod", {b.lvl(0), b.lvl(0)}), {e.B(), e.B()});
  Expr pair = b.app(b.c("Prod.mk", {b.lvl(0), b.lvl(0)}), {e.B(), e.B(), e.tt(), e.ff()});
  b.thm("proj_snd", e.eqB(b.proj("Prod", 1, pair), e.ff()), e.reflB(e.ff()));
  b.thm("proj_wrong_field", e.eqB(b.proj("Prod", 1, pair), e.tt()), e.reflB(e.tt()));
  b.thm("proj_of_variable_is_stuck", b.Pi("x", PBB, [&](Expr x) { return e.eqB(b.proj("Prod", 0, x), e.tt()); }),
        b.Lam("x", PBB, [&](Expr) { return e.reflB(e.tt()); }));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "proj_snd") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "proj_wrong_field") == "def_type_mismatch");
  CHECK(kind_of(*env, vs, "proj_of_variable_is_stuck") == "def_type_mismatch");
}

TEST_CASE("quotient reduction: Quot.lift reduces on Quot.mk only") {
  Builder b("tutorial/good/118_quotLiftReduction.ndjson");
  Expr T = b.type();
  // ∀ (α : Type) (r) (β : Type) (f : α → β) (h) (q : Quot r) (a : α), Quot.lift f h q = f a
  auto stmt = [&](bool proof) {
    return b.bnd(proof, "α", T, [&](Expr al) {
      return b.bnd(proof, "r", b.arrow(al, b.arrow(al, b.prop())), [&](Expr r) {
        return b.bnd(proof, "β", T, [&](Expr be) {
          return b.bnd(proof, "f", b.arrow(al, be), [&](Expr f) {
            Expr h_type = b.Pi("x", al, [&](Expr x) {
              return b.Pi("y", al, [&](Expr y) { return b.arrow(b.app(r, {x, y}), b.eq(be, b.app(f, {x}), b.app(f, {y}))); });
            });
            return b.bnd(proof, "h", h_type, [&](Expr h) {
              return b.bnd(proof, "q", b.app(b.c("Quot", {b.lvl(1)}), {al, r}), [&](Expr q) {
                return b.bnd(proof, "a", al, [&](Expr a) {
                  if (proof) return b.refl(be, b.app(f, {a}));
                  return b.eq(be, b.app(b.c("Quot.lift", {b.lvl(1), b.lvl(1)}), {al, r, be, f, h, q}), b.app(f, {a}));
                });
              });
            });
          });
        });
      });
    });
  };
  b.thm("quot_lift_stuck_on_variable", stmt(false), stmt(true));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "quotLiftReduction") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "quot_lift_stuck_on_variable") == "def_type_mismatch");
  CHECK(all_ok(check_all(load("tutorial/good/119_quotIndReduction.ndjson"))));
}

TEST_CASE("quotient reduction is enabled only once all four quotient constants are verified") {
  Builder b("tutorial/good/118_quotLiftReduction.ndjson");
  b.drop("Quot.ind");
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "Quot.lift") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "quotLiftReduction") == "def_type_mismatch");
}

TEST_CASE("whnf exposes a sort in a binder domain, but a proof is not a type") {
  Builder b("tutorial/good/008_forallSortWhnf.ndjson");
  Expr idProp = b.app(b.c("id", {b.lvl(2)}), {b.type(), b.prop()});  // @id Type Prop, reduces to Prop
  // Π (x : id Type Prop) (y : x), x : Prop — fine; Π (x : id Type Prop) (y : x) (z : y), x — z's
  // domain y is a proof, not a type (the Arena's forallSortBad).
  b.def("forall_sort_whnf",
        b.prop(), b.Pi("x", idProp, [&](Expr x) { return b.Pi("y", x, [&](Expr) { return x; }); }));
  b.def("forall_sort_bad", b.prop(), b.Pi("x", idProp, [&](Expr x) {
          return b.Pi("y", x, [&](Expr y) { return b.Pi("z", y, [&](Expr) { return x; }); });
        }));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "forall_sort_whnf") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "forall_sort_bad") == "type_expected");
}
