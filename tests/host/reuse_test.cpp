// Reuse of verified declarations across exports (Checker::try_reuse): a hit only for the same
// content over the same dependencies, with free names and accepted dependencies.
#include "builder.hpp"

using namespace lbtest;

namespace {

const char* kBase = "tutorial/good/089_projRed.ndjson";  // Bool, Prod, Eq

struct Run {
  std::shared_ptr<Environment> env;
  std::vector<DeclVerdict> vs;
  const DeclVerdict& of(const std::string& name) {
    for (const DeclVerdict& v : vs)
      if (env->store().name_to_string(env->constant(env->declaration(v.decl).first_const).name) == name) return v;
    FAIL("no verdict for " << name);
    return vs.front();
  }
};

Run check_with(std::shared_ptr<Environment> env, std::shared_ptr<ReuseSet> reuse) {
  CheckOptions o;
  o.reuse = std::move(reuse);
  return Run{env, check_all(env, o)};
}

// `pick : Bool → Bool := fun x => <body>` and `t : pick true = true := rfl`.
std::shared_ptr<Environment> module(bool identity, const char* extra_first = nullptr, bool poly = false) {
  Builder b(kBase);
  Expr B = b.c("Bool");
  if (extra_first) b.def(extra_first, B, b.c("Bool.false"));
  b.def("pick", b.arrow(B, B), identity ? b.lam("x", B, b.bv(0)) : b.lam("x", B, b.c("Bool.false")), Safety::Safe,
        poly ? std::vector<std::string>{"u"} : std::vector<std::string>{});
  Expr pick = poly ? b.c("pick", {b.lvl(0)}) : b.c("pick");
  b.thm("t", b.eq(B, b.app(pick, {b.c("Bool.true")}), b.c("Bool.true")), b.refl(B, b.c("Bool.true")));
  return b.build();
}

}  // namespace

TEST_CASE("reuse: an identical export is reused entirely, verdicts are unchanged") {
  auto reuse = std::make_shared<ReuseSet>();
  Run a = check_with(module(true), reuse);
  CHECK(all_ok(a.vs));
  for (const DeclVerdict& v : a.vs) CHECK(v.reused.empty());
  Run b = check_with(module(true), reuse);
  CHECK(all_ok(b.vs));
  for (const DeclVerdict& v : b.vs) CHECK(v.reused == "worker");
}

TEST_CASE("reuse: never for other content or other dependencies") {
  auto reuse = std::make_shared<ReuseSet>();
  check_with(module(true), reuse);
  // Same name, another body: checked, and the theorem that relied on the old body fails.
  Run b = check_with(module(false), reuse);
  CHECK(b.of("pick").reused.empty());
  CHECK(b.of("t").reused.empty());
  CHECK(b.of("t").status == VerdictStatus::Rejected);
  // Same theorem, its dependency with other universe parameters: checked.
  Run c = check_with(module(true, nullptr, true), reuse);
  CHECK(c.of("pick").reused.empty());
  CHECK(c.of("t").reused.empty());
}

TEST_CASE("reuse: never when a name is taken earlier in this export or a dependency is not accepted") {
  auto reuse = std::make_shared<ReuseSet>();
  check_with(module(true), reuse);
  // `pick` declared first as something else: the identical `pick` later is already_declared.
  Run b = check_with(module(true, "pick"), reuse);
  const DeclVerdict* second = nullptr;
  for (const DeclVerdict& v : b.vs)
    if (b.env->store().name_to_string(b.env->constant(b.env->declaration(v.decl).first_const).name) == "pick" &&
        b.env->declaration(v.decl).kind == DeclKind::Definition && v.status != VerdictStatus::Ok)
      second = &v;
  REQUIRE(second != nullptr);
  CHECK(second->kind == "already_declared");
  CHECK(second->reused.empty());
}

TEST_CASE("reuse: never across a change of a theorem's proof, or of a lemma its proof uses") {
  // `t : true = true` with a good proof is verified; the same statement with a bogus proof (a
  // proof of another equation) must be checked, and rejected, not reused. So must a theorem
  // whose proof uses a lemma whose own proof changed.
  auto with_proof = [](bool good) {
    Builder b(kBase);
    Expr B = b.c("Bool");
    Expr tt = b.c("Bool.true"), ff = b.c("Bool.false");
    b.thm("lemma", b.eq(B, tt, tt), good ? b.refl(B, tt) : b.refl(B, ff));
    b.thm("user", b.eq(B, tt, tt), b.c("lemma"));
    return b.build();
  };
  auto reuse = std::make_shared<ReuseSet>();
  Run a = check_with(with_proof(true), reuse);
  CHECK(a.of("lemma").status == VerdictStatus::Ok);
  CHECK(a.of("user").status == VerdictStatus::Ok);
  Run b = check_with(with_proof(false), reuse);
  CHECK(b.of("lemma").reused.empty());
  CHECK(b.of("lemma").status == VerdictStatus::Rejected);
  CHECK(b.of("user").reused.empty());
  CHECK(b.of("user").status != VerdictStatus::Ok);
}

// Review 3 (2026-12-08): a part's checker assumes the declarations of other parts. A later
// duplicate `axiom x : F` (F is False), assumed, re-pointed `x` for the part, so `t : F := x`
// was accepted there, and its key went into the reuse set (and --cache) as if a serial kernel
// had accepted `t` with `x` the first, legitimate `def x : Prop`. A later plain check of an
// export without the duplicate then reused it: a proof of False accepted.
TEST_CASE("reuse: a part never records keys, and an assumed duplicate never takes over a name") {
  auto build = [](bool dup) {
    Builder b(kBase);
    Expr P = b.prop();
    b.def("F", P, b.pi("p", P, b.bv(0)));
    b.def("x", P, b.c("F"));
    if (dup) b.axiom("x", b.c("F"));
    b.thm("t", b.c("F"), b.c("x"));
    b.thm("id", b.arrow(b.c("F"), b.c("F")), b.lam("h", b.c("F"), b.bv(0)));
    return b.build();
  };
  auto reuse = std::make_shared<ReuseSet>();
  std::shared_ptr<Environment> env = build(true);
  // The part holds `t` and `id`; everything before them (the duplicate too) is assumed.
  std::vector<uint32_t> part;
  for (uint32_t d = 0; d < env->declarations().size(); ++d) {
    std::string name = env->store().name_to_string(env->constant(env->declaration(d).first_const).name);
    if (name == "t" || name == "id") part.push_back(d);
  }
  REQUIRE(part.size() == 2);
  CheckOptions o;
  o.reuse = reuse;
  o.assume_unselected = true;
  Checker part_checker(env, o);
  Run r{env, {}};
  part_checker.check(part, [&](const DeclVerdict& v) { r.vs.push_back(v); });
  CHECK(r.of("t").status == VerdictStatus::Rejected);  // `x` is the first `x`, a Prop
  CHECK(r.of("id").status == VerdictStatus::Ok);
  CHECK(reuse->keys.empty());  // conditional verdicts are never keys
  // The export without the duplicate: `t` is checked (and rejected), not reused.
  Run plain = check_with(build(false), reuse);
  CHECK(plain.of("t").reused.empty());
  CHECK(plain.of("t").status == VerdictStatus::Rejected);
  CHECK(plain.of("id").reused.empty());
}
