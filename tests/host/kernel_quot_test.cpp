// Focused tests of the quotient constants (quot.cpp): each must carry its kind's name, its
// universe parameter count and exactly the type Lean's kernel gives it, with `Eq` declared
// first in its expected shape. (Reduction of Quot.lift / Quot.ind: kernel_whnf_test.cpp.)
#include "builder.hpp"

using namespace lbtest;

namespace {

const char* kQuot = "tutorial/good/118_quotLiftReduction.ndjson";  // Eq, Quot, Quot.mk, Quot.lift, Quot.ind

// Replaces the quotient constant `name` by a copy changed by `edit`; returns the verdicts.
template <class F>
std::pair<std::shared_ptr<Environment>, std::vector<DeclVerdict>> with_quot(const std::string& name, F&& edit) {
  Builder b(kQuot);
  std::vector<ConstantInfo> cs = b.decl_of(name);
  REQUIRE(cs.size() == 1);
  edit(b, cs[0]);
  b.replace(name, cs);
  auto env = b.build();
  auto vs = check_all(env);
  return {env, vs};
}

}  // namespace

TEST_CASE("the quotient constants are accepted with exactly their Lean types") {
  for (const char* f : {"tutorial/good/115_quotIndType.ndjson", "tutorial/good/116_quotLiftType.ndjson",
                        "tutorial/good/118_quotLiftReduction.ndjson", "tutorial/good/119_quotIndReduction.ndjson",
                        "axeyum/fixtures/lean4export-v4.30-quotient.ndjson"}) {
    INFO(f);
    CHECK(all_ok(check_all(load(f))));
  }
}

TEST_CASE("a quotient constant with a different type is rejected") {
  // Quot : {α : Sort u} → (α → α → Prop) → Sort (u+1)   (instead of Sort u)
  auto [env, vs] = with_quot("Quot", [](Builder& b, ConstantInfo& c) {
    Level u = b.param("u");
    c.type = b.Pi("α", b.sort(u), [&](Expr a) { return b.arrow(b.arrow(a, b.arrow(a, b.prop())), b.sort(b.lsucc(u))); },
                  BinderInfo::Implicit);
  });
  CHECK(kind_of(*env, vs, "Quot") == "invalid_quot");
  CHECK(message_of(*env, vs, "Quot").find("does not have the type") != std::string::npos);
  // Quot.lift whose β lives in Sort u instead of Sort v.
  auto [env2, vs2] = with_quot("Quot.lift", [](Builder& b, ConstantInfo& c) {
    std::vector<Name> v{b.n("v")};
    std::vector<Level> u{b.param("u")};
    c.type = instantiate_lparams(b.st(), c.type, v, u);
  });
  CHECK(status_for(*env2, vs2, "Quot") == VerdictStatus::Ok);
  CHECK(kind_of(*env2, vs2, "Quot.lift") == "invalid_quot");
  CHECK(kind_of(*env2, vs2, "quotLiftReduction") == "depends_on_rejected");
  // Quot.ind for a motive into Type instead of Prop is not Lean's Quot.ind.
  auto [env3, vs3] = with_quot("Quot.ind", [](Builder& b, ConstantInfo& c) {
    Level u = b.param("u");
    auto Q = [&](Expr a, Expr r) { return b.app(b.c("Quot", {u}), {a, r}); };
    auto imp = BinderInfo::Implicit;
    c.type = b.Pi("α", b.sort(u), [&](Expr a) {
      return b.Pi("r", b.arrow(a, b.arrow(a, b.prop())), [&](Expr r) {
        return b.Pi("β", b.arrow(Q(a, r), b.type()), [&](Expr be) {
          Expr mk = b.Pi("a", a, [&](Expr x) { return b.app(be, {b.app(b.c("Quot.mk", {u}), {a, r, x})}); });
          return b.arrow(mk, b.Pi("q", Q(a, r), [&](Expr q) { return b.app(be, {q}); }));
        }, imp);
      }, imp);
    }, imp);
  });
  CHECK(kind_of(*env3, vs3, "Quot.ind") == "invalid_quot");
}

TEST_CASE("a quotient constant must carry its kind's name and universe parameter count") {
  auto [env, vs] = with_quot("Quot.mk", [](Builder&, ConstantInfo& c) { c.quot_kind = QuotKind::Lift; });
  CHECK(kind_of(*env, vs, "Quot.mk") == "invalid_quot");
  CHECK(message_of(*env, vs, "Quot.mk").find("must be named 'Quot.lift'") != std::string::npos);
  auto [env2, vs2] = with_quot("Quot", [](Builder& b, ConstantInfo& c) { c.lparams.push_back(b.n("w")); });
  CHECK(kind_of(*env2, vs2, "Quot") == "invalid_quot");
  CHECK(message_of(*env2, vs2, "Quot").find("universe parameter") != std::string::npos);
  // The kiota quotient cases with their False block made valid reach the quotient check.
  for (const char* f : {"leanbatch/kiota-quot-false.reject.ndjson", "leanbatch/kiota-quot-wrong-pi.reject.ndjson",
                        "leanbatch/kiota-quot-bare-sort.reject.ndjson", "leanbatch/kiota-quot-2pi-false-dom.reject.ndjson"}) {
    INFO(f);
    auto env3 = load(f);
    auto vs3 = check_all(env3);
    CHECK(status_for(*env3, vs3, "False") == VerdictStatus::Ok);
    CHECK(kind_of(*env3, vs3, "Quot") == "invalid_quot");
  }
}

TEST_CASE("the quotient constants need Eq first, with its expected shape") {
  Builder b(kQuot);
  b.drop("Eq");
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(kind_of(*env, vs, "Quot") == "invalid_quot");
  CHECK(message_of(*env, vs, "Quot").find("'Eq'") != std::string::npos);
  // An `Eq` that is really PUnit (one universe parameter, one constructor, wrong type).
  Builder b2(kQuot);
  b2.replace("Eq", b2.renamed(b2.decl_from("tutorial/good/097_unitEta2.ndjson", "PUnit"), "PUnit", "Eq"));
  auto env2 = b2.build();
  auto vs2 = check_all(env2);
  CHECK(status_for(*env2, vs2, "Eq") == VerdictStatus::Ok);
  CHECK(kind_of(*env2, vs2, "Quot") == "invalid_quot");
  CHECK(message_of(*env2, vs2, "Quot").find("'Eq' does not have the expected type") != std::string::npos);
}
