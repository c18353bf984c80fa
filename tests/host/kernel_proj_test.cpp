// Focused tests of projections (infer_proj in type_checker.cpp): only on structure-like
// types, with the right structure name, an index in range, and out of a Prop structure only
// proofs that precede every dependent data field (Lean's exact rule).
#include "builder.hpp"

using namespace lbtest;

TEST_CASE("a projection needs a one-constructor type of the named structure and an index in range") {
  Builder b("tutorial/good/089_projRed.ndjson");
  b.also("tutorial/good/058_andRec.ndjson");  // And
  Expr B = b.c("Bool");
  Expr PBB = b.app(b.c("Prod", {b.lvl(0), b.lvl(0)}), {B, B});
  auto proj_def = [&](const char* name, Expr dom, Expr res, const char* s, uint32_t i) {
    b.def(name, b.arrow(dom, res), b.Lam("x", dom, [&](Expr x) { return b.proj(s, i, x); }));
  };
  proj_def("proj_fst", PBB, B, "Prod", 0);
  proj_def("proj_snd", PBB, B, "Prod", 1);
  proj_def("proj_out_of_range", PBB, B, "Prod", 2);       // the Arena's projOutOfRange
  proj_def("proj_wrong_structure", PBB, B, "And", 0);     // the term is a Prod, not an And
  proj_def("proj_not_a_structure", B, B, "Bool", 0);      // two constructors
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "proj_fst") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "proj_snd") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "proj_out_of_range") == "invalid_proj");
  CHECK(message_of(*env, vs, "proj_out_of_range").find("out of range") != std::string::npos);
  CHECK(kind_of(*env, vs, "proj_wrong_structure") == "invalid_proj");
  CHECK(kind_of(*env, vs, "proj_not_a_structure") == "invalid_proj");
  CHECK(first_failure_kind(check_all(load("tutorial/bad/079_projNotStruct.ndjson"))) == "invalid_proj");
}

TEST_CASE("out of a Prop structure only proofs before every dependent data field can be projected") {
  // PropStructure.mk (aProof : PUnit.{u}) (someData : PUnit.{v}) (aSecondProof : PUnit.{u})
  //   (someMoreData : PUnit.{v}) (aProofAboutData : someMoreData = someMoreData) (aFinalProof : PUnit.{u})
  // at u = 0 (proofs), v = 1 (data). The Arena's projProp1 … projProp6.
  Builder b("tutorial/good/080_projProp1.ndjson");
  Expr S = b.c("PropStructure", {b.lvl(0), b.lvl(1)});
  Expr proof_t = b.c("PUnit", {b.lvl(0)}), data_t = b.c("PUnit", {b.lvl(1)});
  auto proj_def = [&](const char* name, uint32_t i, Expr res) {
    b.def(name, b.arrow(S, res), b.Lam("x", S, [&](Expr x) { return b.proj("PropStructure", i, x); }));
  };
  proj_def("p0_proof", 0, proof_t);
  proj_def("p1_data", 1, data_t);
  proj_def("p2_proof_after_nondependent_data", 2, proof_t);
  proj_def("p3_dependent_data", 3, data_t);
  b.def("p4_proof_about_data",
        b.Pi("x", S, [&](Expr x) {
          Expr d = b.proj("PropStructure", 3, x);
          return b.eq(data_t, d, d);
        }),
        b.Lam("x", S, [&](Expr x) { return b.proj("PropStructure", 4, x); }));
  proj_def("p5_proof_after_dependent_data", 5, proof_t);
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "p0_proof") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "p2_proof_after_nondependent_data") == VerdictStatus::Ok);
  for (const char* bad : {"p1_data", "p3_dependent_data", "p4_proof_about_data", "p5_proof_after_dependent_data"}) {
    INFO(bad);
    CHECK(kind_of(*env, vs, bad) == "invalid_proj");
  }
  CHECK(message_of(*env, vs, "p1_data").find("data out of a proof") != std::string::npos);
  CHECK(message_of(*env, vs, "p5_proof_after_dependent_data").find("depends on a data field") != std::string::npos);
}

TEST_CASE("a projection out of an indexed Prop family is typed at the family's parameters") {
  // ProjDataIndex (n : N) : Prop with mk (p : True): n is a parameter, the only field a proof.
  // Projecting it is fine; index 1 is out of range; naming another structure is rejected
  // (the Arena's projIndexData* use `PropStructure` on a ProjDataIndex).
  Builder b("tutorial/good/086_projDataIndexRec.ndjson");
  Expr N = b.c("N");
  auto proj_def = [&](const char* name, const char* s, uint32_t i, Expr res) {
    b.def(name, b.Pi("n", N, [&](Expr n) { return b.arrow(b.app(b.c("ProjDataIndex"), {n}), res); }),
          b.Lam("n", N, [&](Expr n) {
            return b.Lam("h", b.app(b.c("ProjDataIndex"), {n}), [&](Expr h) { return b.proj(s, i, h); });
          }));
  };
  proj_def("proof_field", "ProjDataIndex", 0, b.c("True"));
  proj_def("out_of_range", "ProjDataIndex", 1, b.c("True"));
  proj_def("other_structure", "True", 0, b.c("True"));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "projDataIndexRec") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "proof_field") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "out_of_range") == "invalid_proj");
  CHECK(kind_of(*env, vs, "other_structure") == "invalid_proj");
  CHECK(first_failure_kind(check_all(load("tutorial/bad/088_projIndexData2.ndjson"))) == "invalid_proj");
}
