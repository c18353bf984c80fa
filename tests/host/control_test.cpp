// Cooperative cancellation and per-declaration budgets.
#include <thread>

#include "builder.hpp"

using namespace lbtest;

namespace {
// A declaration that takes long: unary recursion over a big literal with a Nat.add look-alike
// that is not named Nat.add (so no GMP shortcut).
std::shared_ptr<Environment> slow_env() {
  Builder b("tutorial/good/094_natLitEq.ndjson");
  Expr nat = b.c("Nat");
  Expr motive = b.lam("_", nat, nat);
  Expr step = b.lam("n", nat, b.lam("ih", nat, b.app(b.c("Nat.succ"), {b.bv(0)})));
  Expr add = b.lam("x", nat, b.lam("y", nat, b.app(b.c("Nat.rec", {b.lvl(1)}), {motive, b.bv(1), step, b.bv(0)})));
  b.def("myadd", b.arrow(nat, b.arrow(nat, nat)), add);
  b.thm("slow", b.eq(nat, b.app(b.c("myadd"), {b.nat(0), b.nat(50000000)}), b.nat(50000000)),
        b.refl(nat, b.nat(50000000)));
  b.thm("after", b.eq(nat, b.nat(1), b.nat(1)), b.refl(nat, b.nat(1)));
  return b.build();
}
}  // namespace

TEST_CASE("a per-declaration budget ends a long check with a timeout verdict") {
  auto env = slow_env();
  CheckOptions o;
  o.budget = std::chrono::milliseconds(200);
  auto t0 = std::chrono::steady_clock::now();
  auto vs = check_all(env, o);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(verdict_of(*env, vs, "slow").status == VerdictStatus::Timeout);
  CHECK(verdict_of(*env, vs, "slow").kind == "budget");
  CHECK(verdict_of(*env, vs, "after").status == VerdictStatus::Ok);
  CHECK(secs < 20);
}

TEST_CASE("a memory budget ends a declaration that builds too many terms") {
  auto env = slow_env();
  CheckOptions o;
  o.max_scratch_exprs = 200000;
  auto vs = check_all(env, o);
  CHECK(verdict_of(*env, vs, "slow").status == VerdictStatus::Timeout);
  CHECK(verdict_of(*env, vs, "after").status == VerdictStatus::Ok);
}

TEST_CASE("cancellation from another thread stops checking, every declaration still gets a verdict") {
  auto env = slow_env();
  CancelToken cancel;
  CheckOptions o;
  o.cancel = &cancel;
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel.request();
  });
  auto vs = check_all(env, o);
  t.join();
  CHECK(vs.size() == env->declarations().size());
  CHECK(verdict_of(*env, vs, "slow").status == VerdictStatus::Cancelled);
  CHECK(verdict_of(*env, vs, "after").status == VerdictStatus::Cancelled);
}

TEST_CASE("cancellation requested before the start cancels everything") {
  auto env = load("tutorial/good/062_eqRec.ndjson");
  CancelToken cancel;
  cancel.request();
  CheckOptions o;
  o.cancel = &cancel;
  for (const DeclVerdict& v : check_all(env, o)) CHECK(v.status == VerdictStatus::Cancelled);
}

TEST_CASE("checking only selected declarations checks their dependencies first") {
  auto env = load("lean4export/Nat.add_succ.ndjson");
  auto hits = env->find_printed("Nat.add_succ");
  REQUIRE(hits.size() == 1);
  std::vector<uint32_t> sel{env->constant(hits[0]).decl};
  Checker ck(env, CheckOptions{});
  std::vector<DeclVerdict> vs;
  auto sum = ck.check(sel, [&](const DeclVerdict& v) { vs.push_back(v); });
  REQUIRE(vs.size() == 1);
  CHECK(vs[0].status == VerdictStatus::Ok);
  CHECK(sum.checked > 1);
}
