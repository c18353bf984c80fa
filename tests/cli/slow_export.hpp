#pragma once
// An export with a declaration (`slow`) that runs for minutes and whose memory grows all the
// while (for timeouts and memory ceilings), between two quick ones, optionally with
// theorems that depend on it. Written once per process (ctest runs test cases in parallel).
#include <numeric>
#include <string>

#include "builder.hpp"

inline std::string slow_file(int dependents = 0) {
  // Per process: ctest runs the test cases that use it in parallel.
  std::string path = std::string(LB_BINARY_DIR) + "/slow-" + std::to_string(getpid()) + "-" + std::to_string(dependents) +
                     ".ndjson";
  lbtest::Builder b("tutorial/good/094_natLitEq.ndjson");
  using leanbatch::host::Expr;
  Expr nat = b.c("Nat");
  Expr motive = b.lam("_", nat, nat);
  Expr step = b.lam("n", nat, b.lam("ih", nat, b.app(b.c("Nat.succ"), {b.bv(0)})));
  Expr add = b.lam("x", nat, b.lam("y", nat, b.app(b.c("Nat.rec", {b.lvl(1)}), {motive, b.bv(1), step, b.bv(0)})));
  b.def("myadd", b.arrow(nat, b.arrow(nat, nat)), add);
  b.thm("before", b.eq(nat, b.nat(2), b.nat(2)), b.refl(nat, b.nat(2)));
  // `slow` runs for minutes with a bounded kernel stack (so that sanitizer builds, whose
  // kernel stack is smaller, see the same behaviour): a chain of lets whose every value needs
  // a unary recursion of depth kDepth to check, each on a different term (no cache hits).
  constexpr uint64_t kDepth = 20000, kLets = 20000;
  Expr proof = b.refl(nat, b.nat(1));
  for (uint64_t k = kLets; k >= 1; --k) {
    Expr type = b.eq(nat, b.app(b.c("myadd"), {b.nat(k), b.nat(kDepth)}), b.nat(k + kDepth));
    proof = b.let("h", type, b.refl(nat, b.nat(k + kDepth)), [proof](Expr) { return proof; });
  }
  b.thm("slow", b.eq(nat, b.nat(1), b.nat(1)), proof);
  b.thm("after", b.eq(nat, b.nat(3), b.nat(3)), b.refl(nat, b.nat(3)));
  for (int k = 0; k < dependents; ++k)  // theorems whose proof is `slow`
    b.thm("dep" + std::to_string(k), b.eq(nat, b.nat(1), b.nat(1)), b.c("slow"));
  if (dependents > 0)  // and one that depends on `slow` only through `dep0`
    b.thm("depdep", b.eq(nat, b.nat(1), b.nat(1)), b.c("dep0"));
  auto env = b.build();
  std::vector<uint32_t> all(env->declarations().size());
  std::iota(all.begin(), all.end(), 0);
  REQUIRE(leanbatch::host::write_export_file(*env, all, path).has_value());
  return path;
}
