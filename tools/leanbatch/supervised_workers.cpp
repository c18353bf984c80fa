// Checking through supervised workers: what the workers are started with (their arguments,
// the default memory ceiling) and how a worker's fatal exit is described in rows. The rest of
// the engine: supervised_run.cpp, supervised_parts.cpp, supervised_copies.cpp, supervised_rows.cpp.
#include "leanbatch/supervised_engine.hpp"

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
