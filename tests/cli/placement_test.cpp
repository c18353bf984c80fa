// Where workers run: with a CPU to spare (--cpu-affinity auto, the default), each worker is
// pinned to a CPU of its own, every incarnation to the same one, and the driver keeps the
// rest; with as many workers as CPUs, or --cpu-affinity off, placement is left to the
// scheduler. Pinning is speed only: the rows are those of an unpinned run.
#include "builder.hpp"
#include "cli_support.hpp"

#include <sched.h>

#include <filesystem>
#include <fstream>

using namespace lbcli;

namespace {
std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}
}  // namespace

TEST_CASE("with a spare CPU each worker is pinned to one CPU; --cpu-affinity off and -j equal to the CPUs pin nothing") {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  REQUIRE(sched_getaffinity(0, sizeof allowed, &allowed) == 0);
  int n = CPU_COUNT(&allowed);
  if (n < 2) {
    WARN("one CPU: nothing to pin; the case needs two");
    return;
  }
  int first = 0;
  while (!CPU_ISSET(first, &allowed)) ++first;
  std::string dir = fresh_dir("placement", "pin");
  std::filesystem::create_directories(dir);
  std::string seen = dir + "/cpus", wrapper = dir + "/worker.sh";
  // Each incarnation writes the CPUs it may run on (the affinity is set before the exec of
  // the worker command, so the wrapper already has it).
  worker_wrapper(wrapper, "grep Cpus_allowed_list /proc/self/status | cut -f2 >> '" + seen + "'");
  std::string f = lbtest::corpus_path("converted/Nat.gcd.ndjson");
  std::string unpinned;
  {
    std::ifstream st("/proc/self/status");
    for (std::string l; std::getline(st, l);)
      if (l.rfind("Cpus_allowed_list:", 0) == 0) unpinned = l.substr(l.find('\t') + 1);
  }
  auto run_with = [&](std::vector<std::string> args) {
    std::filesystem::remove(seen);
    args.insert(args.begin(), "check");
    args.push_back(f);
    Proc p = run(args, "", {"LEANBATCH_WORKER=" + wrapper}, LEANBATCH_BIN);
    INFO(p.err);
    CHECK(p.exit == 0);
    CHECK(p.rows_of("decl").size() == 274);
    return lines_of(seen);
  };
  // -j1 with restarts: every incarnation on the first allowed CPU.
  auto pinned = run_with({"-j1", "--max-requests", "1"});
  REQUIRE(pinned.size() >= 2);
  for (const std::string& l : pinned) CHECK(l == std::to_string(first));
  // Off: the driver's own set.
  auto off = run_with({"-j1", "--cpu-affinity", "off"});
  REQUIRE(off.size() == 1);
  CHECK(off[0] == unpinned);
  // As many workers as CPUs: no spare CPU, so nothing is pinned.
  auto full = run_with({"-j" + std::to_string(n)});
  REQUIRE(!full.empty());
  for (const std::string& l : full) CHECK(l == unpinned);
  std::filesystem::remove_all(dir);
}
