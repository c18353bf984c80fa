// Focused tests of definitional equality (defeq.cpp): each rule with a case it must accept
// and a case it must reject (with the expected error kind), named by behaviour.
#include "builder.hpp"

using namespace lbtest;

TEST_CASE("proof irrelevance: two proofs of a proposition are equal, two terms of a type are not") {
  Builder b("tutorial/good/089_projRed.ndjson");
  b.also("tutorial/good/008_forallSortWhnf.ndjson");  // id
  // ∀ (p : S) (h1 h2 : p), h1 = h2 := fun p h1 h2 => Eq.refl h1, for S = Prop, id Prop, Type
  auto irrel = [&](bool proof, Expr S, unsigned u) {
    return b.bnd(proof, "p", S, [&](Expr p) {
      return b.bnd(proof, "h1", p, [&](Expr h1) {
        return b.bnd(proof, "h2", p, [&](Expr h2) { return proof ? b.refl(p, h1, u) : b.eq(p, h1, h2, u); });
      });
    });
  };
  Expr idProp = b.app(b.c("id", {b.lvl(2)}), {b.type(), b.prop()});
  b.thm("proof_irrelevance", irrel(false, b.prop(), 0), irrel(true, b.prop(), 0));
  b.thm("proof_irrelevance_after_whnf", irrel(false, idProp, 0), irrel(true, idProp, 0));
  b.def("no_proof_irrelevance_in_type", irrel(false, b.type(), 1), irrel(true, b.type(), 1));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "proof_irrelevance") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "proof_irrelevance_after_whnf") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "no_proof_irrelevance_in_type") == "def_type_mismatch");
}

TEST_CASE("unit-like types: two terms of a one-constructor type without fields are equal") {
  Builder b("tutorial/good/089_projRed.ndjson");
  b.also("tutorial/good/097_unitEta2.ndjson");  // PUnit
  BoolEnv e{b};
  auto all_equal = [&](bool proof, Expr T) {
    return b.bnd(proof, "x", T, [&](Expr x) {
      return b.bnd(proof, "y", T, [&](Expr y) { return proof ? b.refl(T, x) : b.eq(T, x, y); });
    });
  };
  Expr punit1 = b.c("PUnit", {b.lvl(1)});
  b.def("unit_eta", all_equal(false, punit1), all_equal(true, punit1));
  b.def("no_unit_eta_with_two_ctors", all_equal(false, e.B()), all_equal(true, e.B()));
  b.def("no_unit_eta_with_fields", all_equal(false, e.PBB()), all_equal(true, e.PBB()));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "unit_eta") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "no_unit_eta_with_two_ctors") == "def_type_mismatch");
  CHECK(kind_of(*env, vs, "no_unit_eta_with_fields") == "def_type_mismatch");
  // PUnit.{0} is a Prop-valued unit (the Arena's unitEta3).
  CHECK(all_ok(check_all(load("tutorial/good/098_unitEta3.ndjson"))));
}

TEST_CASE("function eta: fun x => f x equals f, but not a different body") {
  Builder b("tutorial/good/089_projRed.ndjson");
  BoolEnv e{b};
  // ∀ f : Bool → Bool, (fun x => f x) = f
  b.thm("fun_eta", b.Pi("f", e.BB(), [&](Expr f) {
          return b.eq(e.BB(), b.Lam("x", e.B(), [&](Expr x) { return b.app(f, {x}); }), f);
        }),
        b.Lam("f", e.BB(), [&](Expr f) { return b.refl(e.BB(), f); }));
  // ∀ (g f : Bool → Bool), (fun x => f (g x)) = f   (the Arena's funEtaBad)
  b.thm("fun_eta_bad", b.Pi("g", e.BB(), [&](Expr g) {
          return b.Pi("f", e.BB(), [&](Expr f) {
            return b.eq(e.BB(), b.Lam("x", e.B(), [&](Expr x) { return b.app(f, {b.app(g, {x})}); }), f);
          });
        }),
        b.Lam("g", e.BB(), [&](Expr) { return b.Lam("f", e.BB(), [&](Expr f) { return b.refl(e.BB(), f); }); }));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "fun_eta") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "fun_eta_bad") == "def_type_mismatch");
  CHECK(all_ok(check_all(load("tutorial/good/101_funEtaDep.ndjson"))));
}

TEST_CASE("function eta does not fire for a partially applied K recursor or constructor") {
  // Lean's kernel is the specification here (lean4#12520): neither the partially applied
  // `Eq.rec` (etaRuleK) nor `T.mk (x True.intro).val` (etaCtor) is eta-expanded.
  CHECK(first_failure_kind(check_all(load("tutorial/bad/103_etaRuleK.ndjson"))) == "def_type_mismatch");
  CHECK(first_failure_kind(check_all(load("tutorial/bad/104_etaCtor.ndjson"))) == "def_type_mismatch");
}

TEST_CASE("structure eta: x equals the constructor applied to its projections") {
  Builder b("tutorial/good/089_projRed.ndjson");
  BoolEnv e{b};
  auto eta = [&](bool proof, bool swapped, bool ctor_left) {
    return b.bnd(proof, "x", e.PBB(), [&](Expr x) {
      if (proof) return b.refl(e.PBB(), x);
      Expr p0 = b.proj("Prod", 0, x), p1 = b.proj("Prod", 1, x);
      Expr mk = swapped ? e.pair(p1, p0) : e.pair(p0, p1);
      return ctor_left ? b.eq(e.PBB(), mk, x) : b.eq(e.PBB(), x, mk);
    });
  };
  b.thm("struct_eta", eta(false, false, false), eta(true, false, false));
  b.thm("struct_eta_ctor_left", eta(false, false, true), eta(true, false, true));
  b.thm("struct_eta_wrong_fields", eta(false, true, false), eta(true, true, false));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "struct_eta") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "struct_eta_ctor_left") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "struct_eta_wrong_fields") == "def_type_mismatch");
  // Acc has an index: no structure eta for it (the Arena's accRecNoEta).
  CHECK(first_failure_kind(check_all(load("tutorial/bad/113_accRecNoEta.ndjson"))) == "def_type_mismatch");
}

TEST_CASE("sorts are equal up to universe level equivalence, and only then") {
  Builder b("tutorial/good/001_basicDef.ndjson");
  Level u = b.param("u"), v = b.param("v");
  auto sort_def = [&](const char* name, Level type_level, Level value_level) {
    b.def(name, b.sort(type_level), b.sort(value_level), Safety::Safe, {"u", "v"});
  };
  sort_def("max_comm", b.lsucc(b.lmax(v, u)), b.lmax(u, v));
  sort_def("max_idem", b.lsucc(u), b.lmax(u, u));
  sort_def("max_absorb", b.lsucc(b.lmax(u, v)), b.lmax(u, b.lmax(u, v)));
  sort_def("imax_self", b.lsucc(u), b.limax(u, u));
  sort_def("imax_zero", b.lsucc(b.lvl(0)), b.limax(u, b.lvl(0)));
  sort_def("imax_is_not_max", b.lsucc(b.lmax(u, v)), b.limax(u, v));  // differ for v = 0
  sort_def("succ_is_not_same", b.lsucc(u), b.lsucc(u));              // Sort (u+1) : Sort (u+2)
  sort_def("max_is_not_left", b.lsucc(u), b.lmax(u, v));
  auto env = b.build();
  auto vs = check_all(env);
  for (const char* ok : {"max_comm", "max_idem", "max_absorb", "imax_self", "imax_zero"}) {
    INFO(ok);
    CHECK(status_for(*env, vs, ok) == VerdictStatus::Ok);
  }
  for (const char* bad : {"imax_is_not_max", "succ_is_not_same", "max_is_not_left"}) {
    INFO(bad);
    CHECK(kind_of(*env, vs, bad) == "def_type_mismatch");
  }
}

TEST_CASE("lazy delta: equal arguments prove equality, different arguments fall back to unfolding") {
  Builder b("tutorial/good/089_projRed.ndjson");
  BoolEnv e{b};
  b.def("k", e.BB(), b.Lam("x", e.B(), [&](Expr) { return e.tt(); }));
  b.def("idb", e.BB(), b.Lam("x", e.B(), [&](Expr x) { return x; }));
  auto app = [&](const char* f, Expr x) { return b.app(b.c(f), {x}); };
  // k false = k true: the arguments differ, but unfolding k shows both are `true`.
  b.thm("unfold_after_args_differ", e.eqB(app("k", e.ff()), app("k", e.tt())), e.reflB(app("k", e.ff())));
  b.thm("same_args_same_value", e.eqB(app("idb", e.tt()), app("idb", e.tt())), e.reflB(app("idb", e.tt())));
  b.thm("different_values", e.eqB(app("idb", e.ff()), app("idb", e.tt())), e.reflB(app("idb", e.ff())));
  // Definitions of different heights: the higher one unfolds first and meets the lower one.
  b.def("idb2", e.BB(), b.Lam("x", e.B(), [&](Expr x) { return app("idb", x); }), Safety::Safe, {},
        {HintKind::Regular, 2});
  b.thm("different_heights", e.eqB(app("idb2", e.tt()), app("idb", e.tt())), e.reflB(e.tt()));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "unfold_after_args_differ") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "same_args_same_value") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "different_values") == "def_type_mismatch");
  CHECK(status_for(*env, vs, "different_heights") == VerdictStatus::Ok);
}

TEST_CASE("binder comparison ignores binder names and binder info, not domains") {
  Builder b("tutorial/good/089_projRed.ndjson");
  BoolEnv e{b};
  Expr PB = b.arrow(e.PBB(), e.B());
  // (fun (x : Bool) => x) = (fun {y : Bool} => y)
  Expr l1 = b.Lam("x", e.B(), [](Expr x) { return x; });
  Expr l2 = b.Lam("y", e.B(), [](Expr y) { return y; }, BinderInfo::Implicit);
  b.thm("binder_names_ignored", b.eq(e.BB(), l1, l2), b.refl(e.BB(), l1));
  // (fun x => x.1) at type Bool × Bool → Bool vs (fun x => true): bodies differ
  Expr f1 = b.Lam("x", e.PBB(), [&](Expr x) { return b.proj("Prod", 0, x); });
  Expr f2 = b.Lam("x", e.PBB(), [&](Expr) { return e.tt(); });
  b.thm("lambda_bodies_differ", b.eq(PB, f1, f2), b.refl(PB, f1));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "binder_names_ignored") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "lambda_bodies_differ") == "def_type_mismatch");
}

TEST_CASE("the defeq caches do not make conversion transitive where Lean's is not") {
  // The kiota cases chain conversions through Acc (proof irrelevance + iota); Lean accepts
  // them, and so must leanbatch (a checker with a transitive shortcut goes astray elsewhere).
  CHECK(all_ok(check_all(load("kiota/alg-conv-trans-acc-left.accept.ndjson"))));
  CHECK(all_ok(check_all(load("kiota/alg-conv-trans-acc-right.accept.ndjson"))));
}
