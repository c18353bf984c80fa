// Checking through supervised workers: what the workers are started with (their arguments,
// the default memory ceiling) and how a worker's fatal exit is described in rows. The rest of
// the engine: supervised_run.cpp, supervised_parts.cpp, supervised_copies.cpp, supervised_rows.cpp.
#include "leanbatch/supervised_engine.hpp"

#include <sched.h>
#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <fstream>

namespace leanbatch::tools {
namespace supervised {

std::string exit_json(const sv::FatalExit& e) {
  JsonObject o;
  o.field("kind", sv::to_string(e.kind)).field("detail", e.detail);
  if (e.signal) o.field("signal", sv::signal_name(e.signal));
  if (e.exit_code >= 0) o.field("exit_code", e.exit_code);
  o.field("work_entered_child", e.work_entered_child);
  if (!e.stderr_tail.empty()) o.field("stderr_tail", e.stderr_tail);
  return o.str();
}

std::vector<int> pin_workers(size_t workers) {
  // Why (measured, docs/benchmarks.md): with one worker and a driver that wakes for every
  // batch of rows, the scheduler kept swapping the two between CPUs, and the worker lost its
  // warm caches each time: supervised -j1 ran 10-20 % slower than in-process, pinned within
  // a few percent. Pinning only when there is a spare CPU keeps the driver from competing with
  // a worker for one; with as many workers as CPUs the scheduler is left alone.
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (::sched_getaffinity(0, sizeof allowed, &allowed) != 0) return {};
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &allowed)) cpus.push_back(c);
  if (cpus.size() <= workers) return {};
  std::vector<int> pinned(cpus.begin(), cpus.begin() + static_cast<std::ptrdiff_t>(workers));
  cpu_set_t rest;
  CPU_ZERO(&rest);
  for (size_t i = workers; i < cpus.size(); ++i) CPU_SET(cpus[i], &rest);
  if (::sched_setaffinity(0, sizeof rest, &rest) != 0) return {};
  spdlog::debug("cpu affinity: {} worker(s) pinned to CPUs {}; the driver runs on the other {}", workers,
                fmt::join(pinned, ","), cpus.size() - workers);
  return pinned;
}

std::vector<std::string> worker_arguments(const CheckCliOptions& o, bool reuse) {
  std::vector<std::string> a;
  if (reuse) a.push_back("--reuse");
  if (reuse && !o.cache.empty()) {
    a.push_back("--cache");
    a.push_back(o.cache);
  }
  if (o.allow_unsafe) a.push_back("--allow-unsafe");
  if (o.axioms) a.push_back("--axioms");
  if (o.strict_axioms) a.push_back("--strict-axioms");
  for (const auto& x : o.allow_axioms) {
    a.push_back("--allow-axiom");
    a.push_back(x);
  }
  if (!o.run_image_dir.empty()) {
    a.push_back("--image-dir");
    a.push_back(o.run_image_dir);
    a.push_back("--image-min-bytes");
    a.push_back(std::to_string(o.image_min_mb << 20));
    if (o.run_image_private) a.push_back("--image-dir-private");
  }
  a.push_back("--max-environments");
  a.push_back(std::to_string(o.max_environments));
  if (o.budget_ms) {
    a.push_back("--budget-ms");
    a.push_back(std::to_string(o.budget_ms));
  }
  return a;
}

// The default hard RSS ceiling of a worker: 80% of MemAvailable shared by the workers, so
// that one memory-hungry declaration costs a worker (a `crashed` row), never the machine's
// OOM killer picking a process at random. --rss-hard-mb N overrides it (0: none).
uint64_t hard_rss_bytes(const CheckCliOptions& o, size_t workers) {
  if (o.rss_hard_mb != CheckCliOptions::kAutoRss) return o.rss_hard_mb << 20;
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") {
      uint64_t bytes = kb * 1024 / 10 * 8 / std::max<size_t>(1, workers);
      return std::max<uint64_t>(bytes, uint64_t{256} << 20);
    }
  return 0;  // unknown: no ceiling
}

}  // namespace supervised
}  // namespace leanbatch::tools
