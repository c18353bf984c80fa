// HardeningOptions::cpu: a child spawned with a CPU runs pinned to it from its first
// instruction after exec; without one it keeps the parent's affinity. (The tool's policy,
// --cpu-affinity, is tested end to end in tests/cli/placement_test.cpp.)
#include <catch2/catch.hpp>

#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "leanbatch/supervise/spawn.hpp"
#include "support.hpp"

namespace {

// The child's own view of where it may run (/proc/self/status), through its stdout.
std::string allowed_cpus_of_child(int cpu) {
  lbs::SpawnOptions o;
  o.executable = "/bin/sh";
  o.arguments = {"-c", "grep Cpus_allowed_list /proc/self/status | cut -f2"};
  o.hardening.cpu = cpu;
  auto child = lbs::spawn_child(o);
  REQUIRE(child);
  std::string out;
  for (;;) {
    pollfd p{child->stdout_pipe.get(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 5000) == 1);
    char buf[256];
    ssize_t n = ::read(child->stdout_pipe.get(), buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string own_allowed_cpus() {
  std::ifstream st("/proc/self/status");
  for (std::string l; std::getline(st, l);)
    if (l.rfind("Cpus_allowed_list:", 0) == 0) return l.substr(l.find('\t') + 1);
  return {};
}

}  // namespace

TEST_CASE("a child spawned with a CPU runs pinned to it; without one it keeps the parent's affinity") {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  REQUIRE(::sched_getaffinity(0, sizeof allowed, &allowed) == 0);
  int last = -1;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &allowed)) last = c;
  REQUIRE(last >= 0);
  CHECK(allowed_cpus_of_child(last) == std::to_string(last));
  CHECK(allowed_cpus_of_child(-1) == own_allowed_cpus());
  // A CPU that cannot be set (beyond any this machine has) is no error: the child runs, unpinned.
  CHECK(allowed_cpus_of_child(CPU_SETSIZE - 1) == own_allowed_cpus());
}
