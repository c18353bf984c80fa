// Focused tests of kernel rules, good and bad: each case names the rule it exercises.
#include "builder.hpp"

using namespace lbtest;

namespace {

// The real structural addition `fun x y => Nat.rec x (fun _ ih => Nat.succ ih) y`.
Expr real_add(Builder& b) {
  Expr nat = b.c("Nat");
  Expr motive = b.lam("_", nat, nat);
  Expr step = b.lam("n", nat, b.lam("ih", nat, b.app(b.c("Nat.succ"), {b.bv(0)})));
  Expr rec = b.app(b.c("Nat.rec", {b.lvl(1)}), {motive, b.bv(1), step, b.bv(0)});
  return b.lam("x", nat, b.lam("y", nat, rec));
}

VerdictStatus status(const Environment& env, const std::vector<DeclVerdict>& vs, const std::string& name) {
  return verdict_of(env, vs, name).status;
}
std::string kind(const Environment& env, const std::vector<DeclVerdict>& vs, const std::string& name) {
  return verdict_of(env, vs, name).kind;
}

}  // namespace

TEST_CASE("literal extension: GMP addition only for a verified Nat.add") {
  Builder b("tutorial/good/094_natLitEq.ndjson");
  Expr nat = b.c("Nat");
  b.def("Nat.add", b.arrow(nat, b.arrow(nat, nat)), real_add(b));
  // 10^12 + 10^12 by unary recursion would never finish: this needs the extension.
  b.thm("big", b.eq(nat, b.app(b.c("Nat.add"), {b.nat(1000000000000), b.nat(1000000000000)}), b.nat(2000000000000)),
        b.refl(nat, b.nat(2000000000000)));
  b.thm("bad", b.eq(nat, b.app(b.c("Nat.add"), {b.nat(2), b.nat(2)}), b.nat(5)), b.refl(nat, b.nat(5)));
  auto env = b.build();
  CheckOptions o;
  o.budget = std::chrono::milliseconds(20000);
  auto vs = check_all(env, o);
  CHECK(status(*env, vs, "Nat.add") == VerdictStatus::Ok);
  CHECK(status(*env, vs, "big") == VerdictStatus::Ok);
  CHECK(status(*env, vs, "bad") == VerdictStatus::Rejected);
  Checker ck(env, CheckOptions{});
  ck.check({}, [](const DeclVerdict&) {});
  auto ext = ck.enabled_extensions();
  CHECK(std::find(ext.begin(), ext.end(), "Nat.add") != ext.end());
}

TEST_CASE("literal extension: an export's own wrong Nat.add gains no false equations") {
  Builder b("tutorial/good/094_natLitEq.ndjson");
  Expr nat = b.c("Nat");
  b.def("Nat.add", b.arrow(nat, b.arrow(nat, nat)), b.lam("x", nat, b.lam("y", nat, b.bv(1))));  // x + y := x
  b.thm("false_sum", b.eq(nat, b.app(b.c("Nat.add"), {b.nat(2), b.nat(2)}), b.nat(4)), b.refl(nat, b.nat(4)));
  b.thm("its_own_sum", b.eq(nat, b.app(b.c("Nat.add"), {b.nat(2), b.nat(2)}), b.nat(2)), b.refl(nat, b.nat(2)));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status(*env, vs, "Nat.add") == VerdictStatus::Ok);  // a fine definition, just not addition
  CHECK(status(*env, vs, "false_sum") == VerdictStatus::Rejected);
  CHECK(status(*env, vs, "its_own_sum") == VerdictStatus::Ok);
}

TEST_CASE("Nat literals and Nat.succ/Nat.zero are interchangeable") {
  Builder b("tutorial/good/094_natLitEq.ndjson");
  Expr nat = b.c("Nat");
  Expr succ = b.c("Nat.succ");
  b.thm("lit_succ", b.eq(nat, b.nat(2), b.app(succ, {b.app(succ, {b.c("Nat.zero")})})), b.refl(nat, b.nat(2)));
  b.thm("lit_zero", b.eq(nat, b.nat(0), b.c("Nat.zero")), b.refl(nat, b.nat(0)));
  b.thm("lit_wrong", b.eq(nat, b.nat(3), b.app(succ, {b.c("Nat.zero")})), b.refl(nat, b.nat(3)));
  // iota on a literal major premise: Nat.rec on 3 computes
  Expr motive = b.lam("_", nat, nat);
  Expr step = b.lam("n", nat, b.lam("ih", nat, b.app(succ, {b.app(succ, {b.bv(0)})})));
  b.thm("iota_lit", b.eq(nat, b.app(b.c("Nat.rec", {b.lvl(1)}), {motive, b.nat(0), step, b.nat(3)}), b.nat(6)),
        b.refl(nat, b.nat(6)));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status(*env, vs, "lit_succ") == VerdictStatus::Ok);
  CHECK(status(*env, vs, "lit_zero") == VerdictStatus::Ok);
  CHECK(status(*env, vs, "lit_wrong") == VerdictStatus::Rejected);
  CHECK(status(*env, vs, "iota_lit") == VerdictStatus::Ok);
}

TEST_CASE("Lean.reduceBool and Lean.reduceNat are declined, never trusted") {
  Builder b("tutorial/good/094_natLitEq.ndjson");
  Expr nat = b.c("Nat");
  b.axiom("Lean.reduceNat", b.arrow(nat, nat));
  b.def("five", nat, b.nat(5));
  b.thm("native", b.eq(nat, b.app(b.c("Lean.reduceNat"), {b.c("five")}), b.nat(5)), b.refl(nat, b.nat(5)));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status(*env, vs, "native") == VerdictStatus::Declined);
  CHECK(kind(*env, vs, "native") == "native_reduction");
}

TEST_CASE("declarations: duplicates, theorems must be propositions, values must match types") {
  Builder b("tutorial/good/094_natLitEq.ndjson");
  Expr nat = b.c("Nat");
  b.def("one", nat, b.nat(1));
  b.def("one", nat, b.nat(1));
  b.thm("not_prop", nat, b.nat(1));
  b.def("mismatch", nat, b.prop());
  b.def("let_ok", nat, b.st().mk_let(b.n("x"), nat, b.nat(1), b.bv(0), false));
  b.def("let_bad", nat, b.st().mk_let(b.n("x"), nat, b.prop(), b.bv(0), false));
  b.def("loose", nat, b.bv(0));
  b.def("undeclared_universe", b.sort(b.param("u")), b.prop());
  b.def("universe_ok", b.sort(b.st().level_succ(b.param("u"))), b.sort(b.param("u")), Safety::Safe, {"u"});
  b.def("dup_universe", b.prop(), b.prop(), Safety::Safe, {"u", "u"});
  b.def("wrong_level_count", b.prop(), b.c("Eq.refl"));
  b.opaque("o", nat, b.nat(5));
  b.thm("opaque_does_not_unfold", b.eq(nat, b.c("o"), b.nat(5)), b.refl(nat, b.nat(5)));
  b.def("d", nat, b.nat(5));
  b.thm("definitions_unfold", b.eq(nat, b.c("d"), b.nat(5)), b.refl(nat, b.nat(5)));
  b.thm("t5", b.eq(nat, b.nat(5), b.nat(5)), b.refl(nat, b.nat(5)));
  b.def("uses_later", nat, b.c("later"));
  b.def("later", nat, b.nat(1));
  b.def("self_ref", nat, b.c("self_ref"));
  auto env = b.build();
  auto vs = check_all(env);
  // the first `one` is accepted, the second rejected
  int ones = 0, dups = 0;
  for (const DeclVerdict& v : vs)
    if (env->store().name_to_string(env->constant(env->declaration(v.decl).first_const).name) == "one") {
      ++ones;
      if (v.kind == "already_declared") ++dups;
    }
  CHECK(ones == 2);
  CHECK(dups == 1);
  CHECK(kind(*env, vs, "not_prop") == "theorem_not_prop");
  CHECK(kind(*env, vs, "mismatch") == "def_type_mismatch");
  CHECK(status(*env, vs, "let_ok") == VerdictStatus::Ok);
  CHECK(kind(*env, vs, "let_bad") == "let_type_mismatch");
  CHECK(kind(*env, vs, "loose") == "loose_bvar");
  CHECK(kind(*env, vs, "undeclared_universe") == "undefined_level_param");
  CHECK(status(*env, vs, "universe_ok") == VerdictStatus::Ok);
  CHECK(kind(*env, vs, "dup_universe") == "duplicate_level_param");
  CHECK(kind(*env, vs, "wrong_level_count") == "level_count_mismatch");
  CHECK(status(*env, vs, "o") == VerdictStatus::Ok);
  CHECK(status(*env, vs, "opaque_does_not_unfold") == VerdictStatus::Rejected);
  CHECK(status(*env, vs, "definitions_unfold") == VerdictStatus::Ok);
  CHECK(kind(*env, vs, "uses_later") == "declared_later");
  CHECK(kind(*env, vs, "self_ref") == "declared_later");
}

TEST_CASE("axioms: accepted, reported, allowlisted, sorryAx always flagged") {
  Builder b("tutorial/good/094_natLitEq.ndjson");
  Expr nat = b.c("Nat");
  b.axiom("myAx", b.eq(nat, b.nat(1), b.nat(2)));
  b.thm("uses_ax", b.eq(nat, b.nat(1), b.nat(2)), b.c("myAx"));
  b.axiom("sorryAx", b.pi("α", b.prop(), b.bv(0)));
  b.thm("uses_sorry", b.eq(nat, b.nat(1), b.nat(3)), b.app(b.c("sorryAx"), {b.eq(nat, b.nat(1), b.nat(3))}));
  b.thm("clean", b.eq(nat, b.nat(1), b.nat(1)), b.refl(nat, b.nat(1)));
  auto env = b.build();
  CheckOptions o;
  o.collect_axioms = true;
  auto vs = check_all(env, o);
  CHECK(status(*env, vs, "myAx") == VerdictStatus::Ok);
  CHECK(status(*env, vs, "uses_ax") == VerdictStatus::Ok);
  CHECK(verdict_of(*env, vs, "uses_ax").axioms == std::vector<std::string>{"myAx"});
  CHECK(verdict_of(*env, vs, "uses_sorry").uses_sorry);
  CHECK_FALSE(verdict_of(*env, vs, "clean").uses_sorry);
  CHECK(verdict_of(*env, vs, "clean").axioms.empty());

  CheckOptions strict;
  strict.strict_axioms = true;
  auto vs2 = check_all(env, strict);
  CHECK(kind(*env, vs2, "uses_ax") == "axiom_not_allowed");
  CHECK(status(*env, vs2, "clean") == VerdictStatus::Ok);
  strict.allowed_axioms.push_back("myAx");
  auto vs3 = check_all(env, strict);
  CHECK(status(*env, vs3, "uses_ax") == VerdictStatus::Ok);
  CHECK(kind(*env, vs3, "uses_sorry") == "axiom_not_allowed");
}

TEST_CASE("unsafe declarations are declined, and a safe use of one is rejected") {
  Builder b("tutorial/good/094_natLitEq.ndjson");
  Expr nat = b.c("Nat");
  b.def("u1", nat, b.nat(1), Safety::Unsafe);
  b.def("s1", nat, b.c("u1"));
  b.def("p1", nat, b.nat(1), Safety::Partial);
  b.def("s2", nat, b.c("p1"));
  b.axiom("ua", nat, {}, true);
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(kind(*env, vs, "u1") == "unsafe_declaration");
  CHECK(kind(*env, vs, "s1") == "unsafe_use");
  CHECK(kind(*env, vs, "p1") == "partial_declaration");
  CHECK(kind(*env, vs, "s2") == "unsafe_use");
  CHECK(kind(*env, vs, "ua") == "unsafe_declaration");
  CheckOptions allow;
  allow.allow_unsafe = true;
  auto vs2 = check_all(env, allow);
  CHECK(status(*env, vs2, "u1") == VerdictStatus::Ok);
  CHECK(kind(*env, vs2, "s1") == "unsafe_use");
  CHECK(status(*env, vs2, "p1") == VerdictStatus::Ok);
  CHECK(kind(*env, vs2, "s2") == "unsafe_use");
}

TEST_CASE("Arena tutorial traps are rejected for the right reason") {
  struct Case {
    const char* file;
    const char* kind;
  };
  for (Case c : {Case{"tutorial/bad/002_badDef.ndjson", "def_type_mismatch"},
                 Case{"tutorial/bad/010_nonTypeType.ndjson", "type_expected"},
                 Case{"tutorial/bad/011_nonPropThm.ndjson", "theorem_not_prop"},
                 Case{"tutorial/bad/016_tut06_bad01.ndjson", "duplicate_level_param"},
                 Case{"tutorial/bad/040_inductBadNonSort2.ndjson", "type_expected"},
                 Case{"tutorial/bad/043_inductWrongCtorParams.ndjson", "invalid_inductive"},
                 Case{"tutorial/bad/044_inductWrongCtorResParams.ndjson", "invalid_inductive"},
                 Case{"tutorial/bad/046_inductInIndex.ndjson", "invalid_inductive"},
                 Case{"tutorial/bad/047_indNeg.ndjson", "invalid_inductive"},
                 Case{"tutorial/bad/049_reduceCtorType.mk.ndjson", "invalid_inductive"},
                 Case{"tutorial/bad/050_indNegReducible.ndjson", "invalid_inductive"},
                 Case{"tutorial/bad/079_projNotStruct.ndjson", "invalid_proj"},
                 Case{"tutorial/bad/083_projProp4.ndjson", "invalid_proj"},
                 Case{"tutorial/bad/085_projProp6.ndjson", "invalid_proj"},
                 Case{"tutorial/bad/088_projIndexData2.ndjson", "invalid_proj"},
                 Case{"tutorial/bad/091_ruleKbad.ndjson", "def_type_mismatch"},
                 Case{"tutorial/bad/092_ruleKAcc.ndjson", "def_type_mismatch"},
                 Case{"tutorial/bad/103_etaRuleK.ndjson", "def_type_mismatch"},
                 Case{"tutorial/bad/104_etaCtor.ndjson", "def_type_mismatch"},
                 Case{"tutorial/bad/113_accRecNoEta.ndjson", "def_type_mismatch"},
                 Case{"tutorial/bad/121_dup_ind_def.ndjson", "already_declared"},
                 Case{"tutorial/bad/122_dup_ctor_def.ndjson", "already_declared"},
                 Case{"tutorial/bad/124_dup_rec_def2.ndjson", "invalid_recursor"},
                 Case{"tutorial/bad/125_dup_ctor_rec.ndjson", "already_declared"},
                 Case{"converted/nanoda-Nonpositive1.ndjson", "invalid_inductive"},
                 Case{"converted/nanoda-Cycle1.ndjson", "declared_later"},
                 Case{"kiota/ctor-field-univ-open.reject.ndjson", "invalid_inductive"},
                 Case{"kiota/inflated-numNested.reject.ndjson", "invalid_recursor"},
                 Case{"kiota/extra-rec.reject.ndjson", "invalid_recursor"}}) {
    INFO(c.file);
    auto env = load(c.file);
    auto vs = check_all(env);
    std::string first_kind;
    for (const DeclVerdict& v : vs)
      if (v.status != VerdictStatus::Ok) {
        first_kind = v.kind;
        break;
      }
    CHECK(first_kind == c.kind);
  }
}

TEST_CASE("kernel features accepted on the Arena tutorial files") {
  // One good file per rule: beta, let/zeta, proof irrelevance, unit-like eta, function eta,
  // projections, iota, K, quotient reduction, nested/reflexive inductives, universe levels.
  for (const char* f : {"tutorial/good/007_betaReduction2.ndjson", "tutorial/good/028_letRed.ndjson",
                        "tutorial/good/095_proofIrrelevance.ndjson", "tutorial/good/097_unitEta2.ndjson",
                        "tutorial/good/098_unitEta3.ndjson", "tutorial/good/100_funEta.ndjson",
                        "tutorial/good/101_funEtaDep.ndjson", "tutorial/good/089_projRed.ndjson",
                        "tutorial/good/071_nRecReduction.ndjson", "tutorial/good/062_eqRec.ndjson",
                        "tutorial/good/118_quotLiftReduction.ndjson", "tutorial/good/119_quotIndReduction.ndjson",
                        "tutorial/good/110_rtreeRecReduction.ndjson", "tutorial/good/112_accRecReduction.ndjson",
                        "tutorial/good/020_imax2.ndjson", "tutorial/good/017_levelComp4.ndjson",
                        "axeyum/fixtures/lean4export-v4.30-construct-matrix-nested.ndjson",
                        "axeyum/fixtures/lean4export-v4.30-construct-matrix-mutual.ndjson",
                        "axeyum/fixtures/lean4export-v4.30-construct-matrix-recursive-indexed.ndjson",
                        "axeyum/fixtures/lean4export-v4.30-construct-matrix-reflexive-higher-order.ndjson"}) {
    INFO(f);
    CHECK(all_ok(check_all(load(f))));
  }
}
