// The kernel soundness fixes of 2026 (Lean 4.33.1 and the Lean Kernel Arena's bug tests).
// Each case is an exploit leanbatch accepted before its fix, with controls that must still be
// accepted, so a failure shows exactly one thing going wrong. With LB_WRITE_CORPUS=1 the
// exports are also written to corpora/leanbatch/ (their verdicts are rows of EXPECTED.tsv).
#include "builder.hpp"
#include "leanbatch/host/kernel/nat_crosscheck.hpp"
#include "leanbatch/host/kernel/kernel_env.hpp"
#include "leanbatch/host/kernel/type_checker.hpp"

using namespace lbtest;

namespace {

constexpr BinderInfo kImp = BinderInfo::Implicit;

// Three Bools built from Acc.rec on which definitional equality is not transitive:
//   A := f tt seed            (seed an opaque proof: Acc.rec is stuck)
//   B := f tt (Acc.intro ...) (reduces to false)
//   C := false
// A ≡ B (same head, arguments equal by proof irrelevance), B ≡ C (iota), A ≢ C.
struct AccKit {
  Builder& b;
  Level l0, l1, l2;
  Expr B, ff, tt;
  explicit AccKit(Builder& bb) : b(bb) {
    l0 = b.lvl(0);
    l1 = b.lvl(1);
    l2 = b.lvl(2);
    B = b.c("Bool");
    ff = b.c("Bool.false");
    tt = b.c("Bool.true");
  }
  Expr eqB(Expr x, Expr y) { return b.eq(B, x, y); }
  Expr rel() { return b.c("rel"); }
  Expr acc(Expr x) { return b.app(b.c("Acc", {l1}), {B, rel(), x}); }
  // Π (y : Bool), rel y x → Acc rel y
  Expr smaller(Expr x) {
    return b.Pi("y", B, [&](Expr y) { return b.arrow(b.app(rel(), {y, x}), acc(y)); });
  }
  Expr intro0() { return b.app(b.c("Acc.intro", {l1}), {B, rel(), tt, b.c("g0")}); }
  Expr f(Expr x, Expr t) { return b.app(b.c("f"), {x, t}); }

  void declare() {
    // rel y x := x = false: nothing is below true, so `Acc rel true` has a closed proof.
    b.def("rel", b.arrow(B, b.arrow(B, b.prop())),
          b.Lam("y", B, [&](Expr) { return b.Lam("x", B, [&](Expr x) { return eqB(x, ff); }); }));
    // g0 : ∀ y, rel y true → Acc rel y, by Eq.rec on `true = false` into Bool.rec.
    Expr g0 = b.Lam("y", B, [&](Expr y) {
      return b.Lam("h", b.app(rel(), {y, tt}), [&](Expr h) {
        Expr motive = b.Lam("x", B, [&](Expr x) {
          return b.Lam("e", eqB(tt, x), [&](Expr) {
            return b.app(b.c("Bool.rec", {l1}), {b.lam("_", B, b.prop()), acc(y), eqB(tt, tt), x});
          });
        });
        return b.app(b.c("Eq.rec", {l0, l1}), {B, tt, motive, b.refl(B, tt), ff, h});
      });
    });
    b.def("g0", smaller(tt), g0);
    b.opaque("seed", acc(tt), intro0());
    // f x t := Acc.rec (fun _ _ _ => false) t
    Expr F = b.Lam("x", B, [&](Expr x) {
      return b.Lam("h", smaller(x), [&](Expr) {
        return b.Lam("ih", b.Pi("y", B, [&](Expr y) { return b.arrow(b.app(rel(), {y, x}), B); }),
                     [&](Expr) { return ff; });
      });
    });
    Expr motive = b.Lam("x", B, [&](Expr x) { return b.lam("t", acc(x), B); });
    b.def("f", b.Pi("x", B, [&](Expr x) { return b.arrow(acc(x), B); }),
          b.Lam("x", B, [&](Expr x) {
            return b.Lam("t", acc(x), [&](Expr t) {
              return b.app(b.c("Acc.rec", {l1, l1}), {B, rel(), motive, F, x, t});
            });
          }));
  }
  Expr A() { return f(tt, b.c("seed")); }
  Expr Bt() { return f(tt, intro0()); }
};

// Owner : ∀ (h : P), gate h — a family of propositions (gate h K-reduces to Prop for a
// variable h : P) whose constructor carries a Bool, used at `witness : Q` where P ≡ Q but
// `gate witness` is stuck (K needs C ≡ A).
void declare_owner(Builder& b, AccKit& k) {
  b.def("P", b.prop(), k.eqB(k.A(), k.Bt()));
  b.def("Q", b.prop(), k.eqB(k.A(), k.ff));
  Expr P = b.c("P"), Q = b.c("Q");
  // witness : f tt seed = false, by Acc.rec into Prop.
  Expr wmotive = b.Lam("x", k.B, [&](Expr x) { return b.Lam("t", k.acc(x), [&](Expr t) { return k.eqB(k.f(x, t), k.ff); }); });
  Expr wminor = b.Lam("x", k.B, [&](Expr x) {
    return b.Lam("h", k.smaller(x), [&](Expr h) {
      return b.lam("ih",
                   b.Pi("y", k.B, [&](Expr y) {
                     return b.Pi("a", b.app(k.rel(), {y, x}), [&](Expr a) { return k.eqB(k.f(y, b.app(h, {y, a})), k.ff); });
                   }),
                   b.refl(k.B, k.ff));
    });
  });
  b.opaque("witness", Q, b.app(b.c("Acc.rec", {k.l0, k.l1}), {k.B, k.rel(), wmotive, wminor, k.tt, b.c("seed")}));
  // gate h := @Eq.rec Bool A (fun _ _ => Type) Prop B h
  b.def("gate", b.arrow(P, b.type()), b.Lam("h", P, [&](Expr h) {
          Expr m = b.Lam("x", k.B, [&](Expr x) { return b.lam("e", k.eqB(k.A(), x), b.type()); });
          return b.app(b.c("Eq.rec", {k.l2, k.l1}), {k.B, k.A(), m, b.prop(), k.Bt(), h});
        }));
  Expr Owner = b.c("Owner");
  Expr gate = b.c("gate");
  ConstantInfo t = mk_ind(b, "Owner", b.Pi("h", P, [&](Expr h) { return b.app(gate, {h}); }), 1, {"Owner.mk"});
  ConstantInfo mk = mk_ctor(b, "Owner.mk", "Owner",
                            b.Pi("h", P, [&](Expr h) { return b.pi("bit", k.B, b.app(Owner, {h})); }, kImp), 0, 1, 1);
  auto tele = [&](bool lambda, const std::function<Expr(Expr, Expr, Expr)>& body) {
    return b.bnd(lambda, "h", P, [&](Expr h) {
      return b.bnd(lambda, "motive", b.arrow(b.app(Owner, {h}), b.prop()), [&](Expr m) {
        Expr minor = b.Pi("bit", k.B, [&](Expr x) { return b.app(m, {b.app(b.c("Owner.mk"), {h, x})}); });
        return b.bnd(lambda, "mk", minor, [&](Expr mn) { return body(h, m, mn); });
      });
    });
  };
  Expr rec_type = tele(false, [&](Expr h, Expr m, Expr) {
    return b.Pi("t", b.app(Owner, {h}), [&](Expr x) { return b.app(m, {x}); });
  });
  Expr rhs = tele(true, [&](Expr, Expr, Expr mn) { return b.Lam("bit", k.B, [&](Expr x) { return b.app(mn, {x}); }); });
  ConstantInfo rec = mk_rec(b, "Owner.rec", "Owner", rec_type, 1, 1, 1, {RecursorRule{b.n("Owner.mk"), 1, rhs}}, {});
  b.raw(DeclKind::Inductive, {t, mk, rec});
  b.def("asProp", b.arrow(P, b.prop()), b.Lam("h", P, [&](Expr h) { return b.app(Owner, {h}); }), Safety::Safe, {},
        {HintKind::Abbrev, 0});
  b.def("proposition", b.prop(), b.app(b.c("asProp"), {b.c("witness")}), Safety::Safe, {}, {HintKind::Abbrev, 0});
  b.def("falseProof", b.c("proposition"), b.app(b.c("Owner.mk"), {b.c("witness"), k.ff}));
}

// The Owner family over the Acc kit, on the Arena base with Acc, Bool and Eq.
struct OwnerEnv {
  Builder b{"tutorial/good/112_accRecReduction.ndjson"};
  AccKit k{b};
  Expr prop;
  OwnerEnv() {
    k.declare();
    declare_owner(b, k);
    prop = b.c("proposition");
  }
};

}  // namespace

TEST_CASE("2026: no data out of a proposition whose sort is stuck (lean4 #14807, Arena proj-of-subst-prop)",
          "[kernel][soundness]") {
  OwnerEnv o;
  Builder& b = o.b;
  AccKit& k = o.k;
  Expr prop = o.prop;
  b.def("observe", b.arrow(prop, k.B), b.lam("p", prop, b.proj("Owner", 0, b.bv(0))));
  b.def("trueProof", prop, b.app(b.c("Owner.mk"), {b.c("witness"), k.tt}));
  Expr obs_f = b.app(b.c("observe"), {b.c("falseProof")});
  Expr obs_t = b.app(b.c("observe"), {b.c("trueProof")});
  // Proof irrelevance identifies the two proofs, so observe gives one Bool for both.
  b.thm("same", k.eqB(obs_f, obs_t), b.refl(k.B, obs_f));
  b.thm("boom", k.eqB(k.ff, k.tt), b.c("same"));
  b.save_corpus("proj-of-stuck-sort.reject.ndjson");
  auto env = b.build();
  auto vs = check_all(env);
  // Controls: everything up to the family of propositions is fine.
  for (const char* ok : {"g0", "seed", "f", "witness", "gate", "Owner", "proposition", "falseProof"}) {
    INFO(ok << ": " << message_of(*env, vs, ok));
    CHECK(status_for(*env, vs, ok) == VerdictStatus::Ok);
  }
  INFO(message_of(*env, vs, "observe"));
  CHECK(status_for(*env, vs, "observe") == VerdictStatus::Rejected);
  CHECK(kind_of(*env, vs, "observe") == "type_expected");
  CHECK(status_for(*env, vs, "boom") != VerdictStatus::Ok);
}

TEST_CASE("2026: structure eta never expands a proof whose sort is stuck (lean4 #14843, Arena rec-of-subst-prop)",
          "[kernel][soundness]") {
  OwnerEnv o;
  Builder& b = o.b;
  AccKit& k = o.k;
  Expr prop = o.prop;
  // (The motive's domain is `proposition`: `Owner witness` itself is not a type.)
  Expr M = b.lam("t", prop, k.eqB(k.tt, k.tt));
  Expr mn = b.lam("bit", k.B, b.refl(k.B, k.tt));
  Expr TT = k.eqB(k.tt, k.tt);
  // Owner.rec M mn x ≡ mn false needs `x` expanded to `Owner.mk witness x.0` (a Bool out of
  // a proof): Lean 4.33.1 answers "type expected", as for the projection.
  b.thm("viaRec",
        b.Pi("x", prop, [&](Expr x) {
          return b.app(b.c("Eq", {k.l0}), {TT, b.app(b.c("Owner.rec"), {b.c("witness"), M, mn, x}), b.app(mn, {k.ff})});
        }),
        b.Lam("x", prop, [&](Expr) { return b.app(b.c("Eq.refl", {k.l0}), {TT, b.app(mn, {k.ff})}); }));
  // Control: the same recursor on a constructor reduces as usual.
  b.thm("viaRecCtor", b.app(b.c("Eq", {k.l0}), {TT, b.app(b.c("Owner.rec"), {b.c("witness"), M, mn, b.c("falseProof")}), b.app(mn, {k.ff})}),
        b.app(b.c("Eq.refl", {k.l0}), {TT, b.app(mn, {k.ff})}));
  auto env = b.build();
  auto vs = check_all(env);
  INFO(message_of(*env, vs, "viaRec"));
  CHECK(status_for(*env, vs, "viaRecCtor") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "viaRec") == VerdictStatus::Rejected);
  CHECK(kind_of(*env, vs, "viaRec") == "type_expected");
}

TEST_CASE("2026: definitional equality is not made transitive by a cache (lean4 #14806)", "[kernel][soundness]") {
  Builder b("tutorial/good/112_accRecReduction.ndjson");
  AccKit k(b);
  k.declare();
  b.def("g2", b.arrow(k.acc(k.tt), k.B), b.Lam("t", k.acc(k.tt), [&](Expr t) { return k.f(k.tt, t); }), Safety::Safe, {},
        {HintKind::Regular, 2});
  Expr h_type = k.acc(k.tt);
  auto goal = [&](Expr h) { return k.eqB(b.app(b.c("g2"), {h}), k.ff); };
  // `g2 h = false` for a variable h: true (by induction), but not definitionally: Lean rejects.
  auto last = [&](Expr h) { return b.let("p3", goal(h), b.refl(k.B, b.app(b.c("g2"), {h})), [&](Expr p3) { return p3; }); };
  b.thm("alone", b.Pi("h", h_type, goal), b.Lam("h", h_type, last));
  // The same, after proving f tt h ≡ f tt (Acc.intro …) and f tt (Acc.intro …) ≡ false first.
  b.thm("primed", b.Pi("h", h_type, goal), b.Lam("h", h_type, [&](Expr h) {
          return b.let("p1", k.eqB(k.f(k.tt, h), k.Bt()), b.refl(k.B, k.f(k.tt, h)), [&](Expr) {
            return b.let("p2", k.eqB(k.Bt(), k.ff), b.refl(k.B, k.ff), [&](Expr) { return last(h); });
          });
        }));
  // Controls: each step alone is accepted.
  b.thm("step1", b.Pi("h", h_type, [&](Expr h) { return k.eqB(k.f(k.tt, h), k.Bt()); }),
        b.Lam("h", h_type, [&](Expr h) { return b.refl(k.B, k.f(k.tt, h)); }));
  b.thm("step2", k.eqB(k.Bt(), k.ff), b.refl(k.B, k.ff));
  b.save_corpus("defeq-cache-transitivity.reject.ndjson");
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "step1") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "step2") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "alone") == VerdictStatus::Rejected);
  INFO("a verdict must not depend on what was compared before");
  CHECK(status_for(*env, vs, "primed") == VerdictStatus::Rejected);
}

TEST_CASE("2026: occurrences of the types being declared are uniform (lean4 #14582)", "[kernel][soundness]") {
  Builder b("tutorial/good/089_projRed.ndjson");  // Bool
  Expr B = b.c("Bool");
  Expr Ty = b.type();
  Level u = b.param("u");
  // inductive T (α : Type) : Type | mk : (fun _ => Bool) (T Bool) → T α
  {
    Expr T = b.c("T");
    Expr field = b.app(b.lam("_", Ty, B), {b.app(T, {B})});
    ConstantInfo t = mk_ind(b, "T", b.pi("α", Ty, Ty), 1, {"T.mk"}, 0, /*is_rec=*/true);
    ConstantInfo mk = mk_ctor(b, "T.mk", "T", b.Pi("α", Ty, [&](Expr a) { return b.pi("a", field, b.app(T, {a})); }, kImp), 0,
                              1, 1);
    auto tele = [&](bool lambda, const std::function<Expr(Expr, Expr, Expr)>& body) {
      return b.bnd(lambda, "α", Ty, [&](Expr a) {
        return b.bnd(lambda, "motive", b.arrow(b.app(T, {a}), b.sort(u)), [&](Expr m) {
          Expr minor = b.Pi("a", field, [&](Expr x) { return b.app(m, {b.app(b.c("T.mk"), {a, x})}); });
          return b.bnd(lambda, "mk", minor, [&](Expr mn) { return body(a, m, mn); });
        });
      });
    };
    Expr rec_type = tele(false, [&](Expr a, Expr m, Expr) { return b.Pi("t", b.app(T, {a}), [&](Expr x) { return b.app(m, {x}); }); });
    Expr rhs = tele(true, [&](Expr, Expr, Expr mn) { return b.Lam("a", field, [&](Expr x) { return b.app(mn, {x}); }); });
    b.raw(DeclKind::Inductive, {t, mk, mk_rec(b, "T.rec", "T", rec_type, 1, 1, 1, {RecursorRule{b.n("T.mk"), 1, rhs}})});
  }
  // inductive U.{u} : Sort (u+1) | mk : (fun _ => Bool) U.{u+1} → U.{u}
  {
    Level su = b.lsucc(u);
    Expr Uu = b.c("U", {u});
    Expr field = b.app(b.lam("_", b.sort(b.lsucc(su)), B), {b.c("U", {su})});
    ConstantInfo t = mk_ind(b, "U", b.sort(su), 0, {"U.mk"}, 0, /*is_rec=*/true, {"u"});
    ConstantInfo mk = mk_ctor(b, "U.mk", "U", b.pi("a", field, Uu), 0, 0, 1, {"u"});
    Level v = b.param("v");
    auto tele = [&](bool lambda, const std::function<Expr(Expr, Expr)>& body) {
      return b.bnd(lambda, "motive", b.arrow(Uu, b.sort(v)), [&](Expr m) {
        Expr minor = b.Pi("a", field, [&](Expr x) { return b.app(m, {b.app(b.c("U.mk", {u}), {x})}); });
        return b.bnd(lambda, "mk", minor, [&](Expr mn) { return body(m, mn); });
      });
    };
    Expr rec_type = tele(false, [&](Expr m, Expr) { return b.Pi("t", Uu, [&](Expr x) { return b.app(m, {x}); }); });
    Expr rhs = tele(true, [&](Expr, Expr mn) { return b.Lam("a", field, [&](Expr x) { return b.app(mn, {x}); }); });
    b.raw(DeclKind::Inductive,
          {t, mk, mk_rec(b, "U.rec", "U", rec_type, 0, 1, 1, {RecursorRule{b.n("U.mk"), 1, rhs}}, {"v", "u"})});
  }
  b.save_corpus("nonuniform-occurrence.reject.ndjson");
  auto env = b.build();
  auto vs = check_all(env);
  for (const char* name : {"T", "U"}) {
    INFO(name << ": " << message_of(*env, vs, name));
    CHECK(status_for(*env, vs, name) == VerdictStatus::Rejected);
    CHECK(message_of(*env, vs, name).find("parameters and universe levels") != std::string::npos);
  }
}

TEST_CASE("2026: a uniform occurrence under binders and in indices is accepted", "[kernel]") {
  // Real exports with parameters, indices, nesting and reflexive fields stay accepted.
  for (const char* f : {"axeyum/fixtures/lean4export-v4.30-construct-matrix-nested.ndjson",
                        "axeyum/fixtures/lean4export-v4.30-construct-matrix-recursive-indexed.ndjson",
                        "axeyum/fixtures/lean4export-v4.30-construct-matrix-reflexive-higher-order.ndjson",
                        "axeyum/fixtures/lean4export-v4.30-construct-matrix-mutual.ndjson"}) {
    INFO(f);
    CHECK(all_ok(check_all(load(f))));
  }
}

TEST_CASE("2026: a built-in axiom counts only with Lean's statement", "[kernel][soundness]") {
  CheckOptions strict;
  strict.strict_axioms = true;
  strict.collect_axioms = true;
  // Impostors: the names of Lean's three axioms, with the statement ∀ p : Prop, p.
  for (const char* ax : {"propext", "Quot.sound", "Classical.choice"}) {
    Builder b("tutorial/good/001_basicDef.ndjson");
    Expr all = b.Pi("p", b.prop(), [&](Expr p) { return p; });
    b.axiom(ax, all);
    b.thm("bad", all, b.c(ax));
    if (std::string(ax) == "propext") b.save_corpus("axiom-impostor-propext.reject.ndjson");
    auto env = b.build();
    auto vs = check_all(env, strict);
    DeclVerdict v = verdict_of(*env, vs, "bad");
    INFO(ax << ": " << v.message);
    CHECK(v.status == VerdictStatus::Rejected);
    CHECK(v.kind == "axiom_not_allowed");
    REQUIRE(v.axioms.size() == 1);
    CHECK(v.axioms[0] == std::string(ax) + " (foreign)");
    // Even allowed by name, an impostor is not Lean's axiom.
    CheckOptions named = strict;
    named.allowed_axioms.push_back(ax);
    CHECK(verdict_of(*env, check_all(env, named), "bad").status == VerdictStatus::Rejected);
  }
  // Lean's own axioms, with Eq, Iff, Quot and Nonempty as Lean declares them, are allowed.
  auto env = load("axeyum/classical-em.ndjson");
  auto vs = check_all(env, strict);
  CHECK(all_ok(vs));
  bool saw_choice = false;
  for (const DeclVerdict& v : vs)
    for (const std::string& a : v.axioms) {
      CHECK(a.find("foreign") == std::string::npos);
      saw_choice = saw_choice || a == "Classical.choice";
    }
  CHECK(saw_choice);
}

TEST_CASE("2026: axioms behind a literal count for the declarations that use it", "[kernel][soundness]") {
  Builder b("converted/Init.Prelude.ndjson");
  // This prelude's String is a UTF-8 ByteArray and has no String.ofList: a literal is typed
  // through the checked inhabitant `String.ofByteArray (List.utf8Encode []) …`, so it depends
  // on what that witness depends on. List.utf8Encode made an axiom:
  std::vector<ConstantInfo> cs = b.decl_of("List.utf8Encode");
  REQUIRE(cs.size() == 1);
  cs[0].kind = ConstKind::Axiom;
  cs[0].value = Expr{};
  b.replace("List.utf8Encode", {cs[0]}, DeclKind::Axiom);
  Expr str = b.st().mk_str("a");
  b.def("lit", b.c("String"), str);
  b.save_corpus("string-literal-axiom.reject.ndjson");
  CheckOptions strict;
  strict.strict_axioms = true;
  strict.collect_axioms = true;
  auto env = b.build();
  auto vs = check_all(env, strict);
  DeclVerdict v = verdict_of(*env, vs, "lit");
  INFO(v.message);
  CHECK(v.status == VerdictStatus::Rejected);
  CHECK(v.kind == "axiom_not_allowed");
  CHECK(v.message.find("List.utf8Encode") != std::string::npos);
  // Control: a declaration without literals does not depend on it.
  CHECK(verdict_of(*env, vs, "Nat.add").status == VerdictStatus::Ok);
}

TEST_CASE("2026: a non-uniform occurrence inside a nested container is rejected first (Arena nested-nonuniform-param)",
          "[kernel][soundness]") {
  // inductive E (b : Bool) : Type | mk : Prod (E false) Bool → E b — the nested translation
  // would give `Prod (E false) Bool` an auxiliary type with no trace of `false`.
  Builder b("tutorial/good/089_projRed.ndjson");  // Bool, Prod
  Expr B = b.c("Bool"), E = b.c("E");
  Level z = b.lvl(0);
  ConstantInfo t = mk_ind(b, "E", b.pi("b", B, b.type()), 1, {"E.mk"}, 1, true);
  ConstantInfo mk = mk_ctor(b, "E.mk", "E", b.Pi("b", B, [&](Expr x) {
    return b.pi("a", b.app(b.c("Prod", {z, z}), {b.app(E, {b.c("Bool.false")}), B}), b.app(E, {x}));
  }, kImp), 0, 1, 1);
  b.raw(DeclKind::Inductive, {t, mk});
  auto env = b.build();
  auto vs = check_all(env);
  INFO(message_of(*env, vs, "E"));
  CHECK(kind_of(*env, vs, "E") == "invalid_inductive");
  CHECK(message_of(*env, vs, "E").find("parameters and universe levels") != std::string::npos);
}

namespace {
// `@Eq Nat (f a b) r` and its proof by reflexivity.
void nat_rfl(Builder& b, const std::string& name, const char* f, const mpz_class& a, const mpz_class& x,
             const mpz_class& r) {
  Expr N = b.c("Nat");
  Expr lhs = b.app(b.c(f), {b.st().mk_nat(a), b.st().mk_nat(x)});
  b.thm(name, b.eq(N, lhs, b.st().mk_nat(r)), b.refl(N, b.st().mk_nat(r)));
}
}  // namespace

TEST_CASE("2026: Nat.div, Nat.mod and Nat.gcd of Lean's own definitions evaluate natively", "[kernel]") {
  CheckOptions budget;
  budget.budget = std::chrono::milliseconds(20000);  // unfolding `10^30 / 7` would never end
  mpz_class big;
  mpz_ui_pow_ui(big.get_mpz_t(), 10, 30);
  {
    Builder b("converted/Init.Prelude.ndjson");
    nat_rfl(b, "div_big", "Nat.div", big, 7, big / 7);
    nat_rfl(b, "mod_big", "Nat.mod", big, 7, big % 7);
    nat_rfl(b, "div_zero", "Nat.div", big, 0, 0);
    nat_rfl(b, "mod_zero", "Nat.mod", big, 0, big);
    nat_rfl(b, "div_wrong", "Nat.div", big, 7, big / 7 + 1);
    auto env = b.build();
    auto vs = check_all(env, budget);
    for (const char* ok : {"div_big", "mod_big", "div_zero", "mod_zero"}) {
      INFO(ok << ": " << message_of(*env, vs, ok));
      CHECK(status_for(*env, vs, ok) == VerdictStatus::Ok);
    }
    CHECK(status_for(*env, vs, "div_wrong") == VerdictStatus::Rejected);
  }
  {
    Builder b("converted/Nat.gcd.ndjson");
    mpz_class g = big * 6, h = big * 15, r;
    mpz_gcd(r.get_mpz_t(), g.get_mpz_t(), h.get_mpz_t());
    nat_rfl(b, "gcd_big", "Nat.gcd", g, h, r);
    auto env = b.build();
    auto vs = check_all(env, budget);
    INFO(message_of(*env, vs, "gcd_big"));
    CHECK(status_for(*env, vs, "gcd_big") == VerdictStatus::Ok);
  }
}

TEST_CASE("2026: a Nat.div that is not Lean's is never evaluated natively", "[kernel][soundness]") {
  // Lean's Nat.div, but its helper Nat.div.go answers 0: the Merkle digest of Nat.div changes
  // with it, so `10 / 3` is computed by unfolding (0), never by GMP (3).
  Builder b("converted/Init.Prelude.ndjson");
  std::vector<ConstantInfo> go = b.decl_of("Nat.div.go");
  REQUIRE(go.size() == 1);
  TermStore& st = b.st();
  std::vector<Expr> doms;
  std::vector<Name> names;
  Expr v = go[0].value;
  while (st.is_lambda(v)) {
    doms.push_back(st.binding_domain(v));
    names.push_back(st.binding_name(v));
    v = st.binding_body(v);
  }
  Expr zero_body = st.mk_nat(0);
  for (size_t i = doms.size(); i-- > 0;) zero_body = st.mk_lambda(names[i], BinderInfo::Default, doms[i], zero_body);
  go[0].value = zero_body;
  b.replace("Nat.div.go", go);
  nat_rfl(b, "native", "Nat.div", 10, 3, 3);
  nat_rfl(b, "unfolded", "Nat.div", 10, 3, 0);
  b.save_corpus("nat-div-not-leans.reject.ndjson");
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "Nat.div") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "unfolded") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "native") == VerdictStatus::Rejected);
}

// lean4 #14631 / #14632 (hardening): reduction and projection comparison look at the
// structure a projection names, not only at its index. infer_proj rejects a mismatch, so
// these terms can only come from a check that was skipped; the reduction must then not pick a
// field of another structure by index.
TEST_CASE("a projection reduces only on a constructor of the structure it names") {
  auto r = read_export_file(corpus_path("converted/Init.Prelude.ndjson"), std::make_shared<TermStore>());  // Prod, PProd
  REQUIRE(r.has_value());
  const Environment& env = **r;
  TermStore& st = env.store();
  KernelEnv kenv(env);
  for (uint32_t d = 0; d < env.declarations().size(); ++d) kenv.set_decl_status(d, KernelEnv::Status::Accepted);
  CheckControl control;
  TypeChecker tc(kenv, control, static_cast<uint32_t>(env.declarations().size()), {}, Safety::Safe);
  auto c = [&](const char* n, std::vector<Level> ls = {}) { return st.mk_const(st.name_from_dotted(n), st.level_list(ls)); };
  auto proj = [&](const char* s, uint32_t i, Expr e) { return st.mk_proj(st.name_from_dotted(s), i, e); };
  Level l0 = st.level_zero();
  Expr tt = c("Bool.true"), ff = c("Bool.false");
  std::vector<Expr> args{c("Bool"), c("Bool"), tt, ff};
  Expr pair = st.mk_app(c("Prod.mk", {l0, l0}), args);
  // Control: the structure's own projection reduces.
  CHECK(tc.whnf(proj("Prod", 0, pair)) == tt);
  CHECK(tc.whnf(proj("Prod", 1, pair)) == ff);
  // Another structure's projection of the same constructor stays stuck.
  Expr foreign = proj("PProd", 0, pair);
  CHECK(tc.whnf(foreign) == foreign);
  // ... and two projections naming different structures are never equal.
  bool equal = false;
  try {
    equal = tc.is_def_eq(proj("Prod", 0, c("x")), proj("PProd", 0, c("x")));
  } catch (const KernelError&) {
  }
  CHECK_FALSE(equal);
}

namespace {
// `@Eq Nat lhs r` and its proof by reflexivity, for any left-hand side.
void nat_rfl_term(Builder& b, const std::string& name, Expr lhs, const mpz_class& r) {
  Expr N = b.c("Nat");
  b.thm(name, b.eq(N, lhs, b.st().mk_nat(r)), b.refl(N, b.st().mk_nat(r)));
}
// Init.Prelude has no Nat.shiftLeft: Lean's equations (n <<< 0 = n, n <<< m+1 = (2*n) <<< m)
// by Nat.rec, which the kernel verifies before it evaluates shifts natively.
void define_shift_left(Builder& b) {
  Expr N = b.c("Nat");
  Expr NN = b.arrow(N, N);
  Expr motive = b.lam("_", N, NN);
  Expr zero_case = b.Lam("k", N, [&](Expr k) { return k; });
  Expr succ_case = b.Lam("m", N, [&](Expr) {
    return b.Lam("ih", NN, [&](Expr ih) {
      return b.Lam("k", N, [&](Expr k) { return b.app(ih, {b.app(b.c("Nat.mul"), {b.nat(2), k})}); });
    });
  });
  Expr value = b.Lam("n", N, [&](Expr n) {
    return b.Lam("m", N, [&](Expr m) { return b.app(b.c("Nat.rec", {b.lvl(1)}), {motive, zero_case, succ_case, m, n}); });
  });
  b.def("Nat.shiftLeft", b.arrow(N, NN), value);
}
mpz_class pow2(unsigned long e) {
  mpz_class r;
  mpz_ui_pow_ui(r.get_mpz_t(), 2, e);
  return r;
}
}  // namespace

TEST_CASE("2026: Nat numerals are bounded in size, pow exponents and shifts of non-zero numbers fit in 32 bits (lean4 #14849)",
          "[kernel][soundness]") {
  // Lean's own test sets LEAN_NAT_MAX_SIZE=16: two limbs pass, three do not.
  CheckOptions small;
  small.nat_max_bytes = 16;
  small.budget = std::chrono::milliseconds(20000);
  Builder b("converted/Init.Prelude.ndjson");
  define_shift_left(b);
  TermStore& st = b.st();
  auto lit = [&](const mpz_class& v) { return st.mk_nat(v); };
  nat_rfl(b, "mulOk", "Nat.mul", pow2(32), pow2(32), pow2(64));
  nat_rfl(b, "mulBig", "Nat.mul", pow2(64), pow2(64), pow2(128));
  nat_rfl(b, "powBig", "Nat.pow", 2, 100, pow2(100));
  nat_rfl(b, "powHugeExp", "Nat.pow", 2, pow2(32), 0);
  nat_rfl(b, "shiftBig", "Nat.shiftLeft", 1, 200, pow2(200));
  nat_rfl(b, "shiftZeroHuge", "Nat.shiftLeft", 0, pow2(64), 0);  // Arena bugs/nat-shift-huge
  nat_rfl(b, "shiftHuge", "Nat.shiftLeft", 1, pow2(32), 0);
  nat_rfl(b, "addBig", "Nat.add", pow2(128) - 1, 1, pow2(128));
  // A literal entering the kernel is bounded too.
  Expr N = b.c("Nat");
  b.def("bigLit", N, lit(pow2(128)));
  auto env = b.build();
  auto vs = check_all(env, small);
  auto declined_by_limit = [&](const char* n) {
    INFO(n << ": " << message_of(*env, vs, n));
    CHECK(status_for(*env, vs, n) == VerdictStatus::Declined);
    CHECK(kind_of(*env, vs, n) == "kernel_limit");
  };
  for (const char* ok : {"mulOk", "shiftZeroHuge"}) {
    INFO(ok << ": " << message_of(*env, vs, ok));
    CHECK(status_for(*env, vs, ok) == VerdictStatus::Ok);
  }
  for (const char* n : {"mulBig", "powBig", "powHugeExp", "shiftBig", "shiftHuge", "addBig", "bigLit"}) declined_by_limit(n);
  CHECK_THAT(message_of(*env, vs, "powHugeExp"), Catch::Contains("32 bits"));

  // At the default limit (128 MiB) the same big numerals are fine, and exponents between
  // 2^24 and 2^32 are evaluated when the result fits (they used to be left to unfolding,
  // which never ends): 2^(2^24 + 1) mod 2 = 0.
  Builder d("converted/Init.Prelude.ndjson");
  define_shift_left(d);
  nat_rfl(d, "mulBig", "Nat.mul", pow2(64), pow2(64), pow2(128));
  nat_rfl(d, "shiftZeroHuge", "Nat.shiftLeft", 0, pow2(64), 0);
  nat_rfl(d, "powHugeExp", "Nat.pow", 2, pow2(32), 0);
  TermStore& ds = d.st();
  Expr big_pow = d.app(d.c("Nat.pow"), {ds.mk_nat(2), ds.mk_nat(uint64_t{(1u << 24) + 1})});
  nat_rfl_term(d, "powMid", d.app(d.c("Nat.mod"), {big_pow, ds.mk_nat(2)}), 0);
  Expr N2 = d.c("Nat");
  d.def("bigLit", N2, ds.mk_nat(pow2(128)));
  d.save_corpus("nat-pow-huge-exponent.decline.ndjson");
  auto env2 = d.build();
  CheckOptions dflt;
  dflt.budget = std::chrono::milliseconds(20000);
  auto vs2 = check_all(env2, dflt);
  for (const char* ok : {"mulBig", "shiftZeroHuge", "powMid", "bigLit"}) {
    INFO(ok << ": " << message_of(*env2, vs2, ok));
    CHECK(status_for(*env2, vs2, ok) == VerdictStatus::Ok);
  }
  CHECK(status_for(*env2, vs2, "powHugeExp") == VerdictStatus::Declined);
  CHECK(kind_of(*env2, vs2, "powHugeExp") == "kernel_limit");
}

TEST_CASE("2026: every GMP result of the Nat extension is checked independently, and a wrong one is caught (lean4 #14833)",
          "[kernel][soundness]") {
  gmp_randclass rng(gmp_randinit_default);
  rng.seed(20261207);
  auto big = [&](unsigned bits) -> mpz_class { return mpz_class(rng.get_z_bits(bits)) + 1; };
  for (int round = 0; round < 40; ++round) {
    const mpz_class x = big(64 + 37 * round), y = big(64 + 53 * (round % 7)), s = 5 + round;
    mpz_class g, q = x / y, m = x % y, prod = x * y, sum = x + y;
    mpz_gcd(g.get_mpz_t(), x.get_mpz_t(), y.get_mpz_t());
    mpz_class land, lor, lxor, shl, shr, pw;
    mpz_and(land.get_mpz_t(), x.get_mpz_t(), y.get_mpz_t());
    mpz_ior(lor.get_mpz_t(), x.get_mpz_t(), y.get_mpz_t());
    mpz_xor(lxor.get_mpz_t(), x.get_mpz_t(), y.get_mpz_t());
    mpz_mul_2exp(shl.get_mpz_t(), x.get_mpz_t(), s.get_ui());
    mpz_fdiv_q_2exp(shr.get_mpz_t(), x.get_mpz_t(), s.get_ui());
    mpz_pow_ui(pw.get_mpz_t(), x.get_mpz_t(), s.get_ui());
    const mpz_class xg = x * 6, yg = y * 10;
    mpz_class gg;
    mpz_gcd(gg.get_mpz_t(), xg.get_mpz_t(), yg.get_mpz_t());
    struct Case {
      NatOp op;
      mpz_class a, b, r;
    };
    const Case cases[] = {{NatOp::Add, x, y, sum},   {NatOp::Mul, x, y, prod},         {NatOp::Div, x, y, q},
                          {NatOp::Mod, x, y, m},     {NatOp::Gcd, x, y, g},            {NatOp::Gcd, xg, yg, gg},
                          {NatOp::Land, x, y, land}, {NatOp::Lor, x, y, lor},          {NatOp::Xor, x, y, lxor},
                          {NatOp::ShiftLeft, x, s, shl}, {NatOp::ShiftRight, x, s, shr}, {NatOp::Pow, x, s, pw},
                          {NatOp::Sub, x, y, x > y ? mpz_class(x - y) : mpz_class(0)}, {NatOp::Beq, x, x, 1},
                          {NatOp::Ble, y, x, y <= x ? 1 : 0}};
    for (const Case& c : cases) {
      INFO(to_string(c.op) << " round " << round);
      CHECK(natcheck::verify(c.op, c.a, c.b, c.r));
      // Off by one, by a multiple of 2^64 (a wrong limb), or with a flipped bit: caught.
      CHECK_FALSE(natcheck::verify(c.op, c.a, c.b, c.r + 1));
      mpz_class limb_off = c.r + (mpz_class(1) << 64) * 3;
      CHECK_FALSE(natcheck::verify(c.op, c.a, c.b, limb_off));
      if (c.r > 2) {
        mpz_class flipped = c.r;
        mpz_combit(flipped.get_mpz_t(), 1);
        CHECK_FALSE(natcheck::verify(c.op, c.a, c.b, flipped));
      }
    }
  }
  // Lean's conventions at zero.
  CHECK(natcheck::verify(NatOp::Div, 7, 0, 0));
  CHECK(natcheck::verify(NatOp::Mod, 7, 0, 7));
  CHECK(natcheck::verify(NatOp::Gcd, 0, 0, 0));
  CHECK_FALSE(natcheck::verify(NatOp::Gcd, 0, 0, 1));
  // Small operands are computed without GMP.
  CHECK(*natcheck::small(NatOp::Mul, UINT64_MAX, UINT64_MAX) ==
        static_cast<unsigned __int128>(UINT64_MAX) * UINT64_MAX);
  CHECK(*natcheck::small(NatOp::ShiftLeft, 0, UINT64_MAX) == 0);
  CHECK(!natcheck::small(NatOp::Pow, 2, 128));
  CHECK(*natcheck::small(NatOp::Pow, 2, 127) == (static_cast<unsigned __int128>(1) << 127));
}

// lean4 #14808 (with #14620/#14621): the recursors the kernel derives are type-checked before
// they are compared with the export (inductive_recheck.cpp). It is defence in depth: a
// correct derivation always passes, so the check is proved able to fail by corrupting a
// derived recursor through the test-only hook CheckOptions::test_corrupt_derived_recursor,
// the way a buggy derivation would: a rule that drops an induction hypothesis (the Arena's
// `rec-missing-ih` shape; its right-hand side is still a well-typed, under-applied function),
// and a recursor type that is not a type.
namespace {

// Drops the last argument of the body under `n` λ-binders: for a rule's right-hand side
// (n = parameters + motives + minors + fields), its last induction hypothesis.
Expr drop_last_arg(TermStore& st, Expr e, uint32_t n) {
  if (n == 0) {
    REQUIRE(st.is_app(e));
    return st.app_fn(e);
  }
  REQUIRE(st.is_lambda(e));
  return st.mk_lambda(st.binding_name(e), st.binding_info(e), st.binding_domain(e), drop_last_arg(st, st.binding_body(e), n - 1));
}

// A hook dropping the last induction hypothesis of the rule with the most fields of `rec`.
CheckOptions drop_ih_of(const std::string& rec, bool* seen) {
  CheckOptions o;
  o.test_corrupt_derived_recursor = [rec, seen](TermStore& st, ConstantInfo& r) {
    if (st.name_to_string(r.name) != rec) return;
    *seen = true;
    REQUIRE(!r.rules.empty());
    RecursorRule* rule = &r.rules[0];
    for (RecursorRule& x : r.rules)
      if (x.nfields > rule->nfields) rule = &x;
    rule->rhs = drop_last_arg(st, rule->rhs, r.num_params + r.num_motives + r.num_minors + rule->nfields);
  };
  return o;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("2026: the derived recursors are type-checked (lean4 #14808 and Arena rec-missing-ih)", "[kernel][soundness]") {
  const char* rtree = "tutorial/good/110_rtreeRecReduction.ndjson";  // Bool, RTree (reflexive), Eq (K-like)
  const char* nested = "axeyum/fixtures/lean4export-v4.30-construct-matrix-nested.ndjson";  // Rose over NestList
  SECTION("controls: every derived recursor passes, the auxiliary ones of a nested block included") {
    for (const char* f : {rtree, nested}) {
      std::vector<std::string> names;
      CheckOptions o;
      o.test_corrupt_derived_recursor = [&](TermStore& st, ConstantInfo& r) {
        names.push_back(st.name_to_string(r.name));
        CHECK(r.kind == ConstKind::Recursor);
      };
      auto env = load(f);
      CHECK(all_ok(check_all(env, o)));
      CHECK(all_ok(check_all(env)));
      INFO(f);
      if (f == rtree) {
        CHECK(std::count(names.begin(), names.end(), "RTree.rec") == 1);
        CHECK(std::count(names.begin(), names.end(), "Eq.rec") == 1);
      } else {
        CHECK(std::count(names.begin(), names.end(), "AxeyumConstructMatrix.Rose.rec") == 1);
        CHECK(std::count(names.begin(), names.end(), "AxeyumConstructMatrix.Rose.rec_1") == 1);
      }
    }
  }
  SECTION("a rule that drops an induction hypothesis is rejected") {
    bool seen = false;
    auto env = load(rtree);
    auto vs = check_all(env, drop_ih_of("RTree.rec", &seen));
    CHECK(seen);
    CHECK(kind_of(*env, vs, "RTree") == "invalid_recursor");
    std::string msg = verdict_of(*env, vs, "RTree").message;
    INFO(msg);
    CHECK(has(msg, "recursor 'RTree.rec', rule for 'RTree.node': type check of the derived recursor failed"));
    CHECK(has(msg, "does not have the recursor's result type"));
    CHECK(status_for(*env, vs, "Bool") == VerdictStatus::Ok);  // other blocks are untouched
  }
  SECTION("an auxiliary recursor of a nested block, restored, is checked too") {
    bool seen = false;
    auto env = load(nested);
    auto vs = check_all(env, drop_ih_of("AxeyumConstructMatrix.Rose.rec_1", &seen));
    CHECK(seen);
    CHECK(kind_of(*env, vs, "AxeyumConstructMatrix.Rose") == "invalid_recursor");
    std::string msg = verdict_of(*env, vs, "AxeyumConstructMatrix.Rose").message;
    INFO(msg);
    CHECK(has(msg, "recursor 'AxeyumConstructMatrix.Rose.rec_1', rule for 'AxeyumConstructMatrix.NestList.cons'"));
    CHECK(has(msg, "does not have the recursor's result type"));
  }
  SECTION("a recursor type that is not a type is rejected") {
    CheckOptions o;
    o.test_corrupt_derived_recursor = [](TermStore& st, ConstantInfo& r) {
      if (st.name_to_string(r.name) == "RTree.rec") r.type = st.mk_app(r.type, r.type);
    };
    auto env = load(rtree);
    auto vs = check_all(env, o);
    CHECK(kind_of(*env, vs, "RTree") == "invalid_recursor");
    std::string msg = verdict_of(*env, vs, "RTree").message;
    INFO(msg);
    CHECK(has(msg, "recursor 'RTree.rec', its type: type check of the derived recursor failed"));
  }
}
