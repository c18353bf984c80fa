#pragma once
// Shared helpers for the libsupervise tests: a recording JobSink, the fake worker's
// path, and the leak checks (zombies, fds) every process test ends with.
#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "leanbatch/supervise/pool.hpp"
#include "leanbatch/supervise/unique_fd.hpp"

namespace lbs = leanbatch::supervise;
using namespace std::chrono_literals;

inline std::string fake_worker_path() { return LBS_FAKE_WORKER; }

/// Options for a pool of fake workers with test-friendly (short) timeouts.
inline lbs::PoolOptions fake_pool(std::uint32_t workers = 1, std::vector<std::string> args = {}) {
  lbs::PoolOptions o;
  o.workers = workers;
  o.worker.command.executable = fake_worker_path();
  o.worker.command.arguments = std::move(args);
  o.worker.startup_timeout = 2000ms;
  o.worker.request_timeout = 5000ms;
  o.worker.shutdown_grace = 300ms;
  o.worker.exit_linger = 150ms;
  o.worker.rss_sample_interval = 10ms;
#ifdef LB_SANITIZE
  // Let crashes be crashes: ASan would turn SIGSEGV into a report and exit status 1.
  o.worker.command.environment.emplace_back("ASAN_OPTIONS", "handle_segv=0:handle_sigbus=0:detect_leaks=0");
#endif
  return o;
}

inline lbs::Job job(std::uint64_t id, std::string payload, std::string import_key = {}) {
  lbs::Job j;
  j.id = id;
  j.kind = lbs::RequestKind::Check;
  j.payload = std::move(payload);
  j.import_key = std::move(import_key);
  return j;
}

/// Records everything the pool reports.
struct RecordingSink : lbs::JobSink {
  std::map<std::uint64_t, lbs::JobOutcome> outcomes;
  std::vector<std::uint64_t> outcome_order;
  std::map<std::uint64_t, std::uint64_t> rows_seen;  // job id -> rows streamed (all attempts)
  std::vector<lbs::AttemptFailure> retries;
  std::vector<lbs::WorkerEvent> events;
  std::vector<std::string> progress;
  std::function<void(const lbs::JobFrame&)> row_hook;
  std::function<void(const lbs::JobFrame&)> progress_hook;

  void on_row(const lbs::JobFrame& row) override {
    ++rows_seen[row.ref.job_id];
    if (row_hook) row_hook(row);
  }
  void on_progress(const lbs::JobFrame& p) override {
    progress.emplace_back(p.payload);
    if (progress_hook) progress_hook(p);
  }
  void on_retry(const lbs::AttemptFailure& f) override { retries.push_back(f); }
  void on_outcome(lbs::JobOutcome&& o) override {
    outcome_order.push_back(o.ref.job_id);
    outcomes[o.ref.job_id] = std::move(o);
  }
  void on_worker_event(const lbs::WorkerEvent& e) override { events.push_back(e); }

  std::vector<lbs::WorkerEvent> events_of(lbs::WorkerEventKind kind) const {
    std::vector<lbs::WorkerEvent> out;
    for (const auto& e : events)
      if (e.kind == kind) out.push_back(e);
    return out;
  }
};

struct ChildCensus {
  int live = 0;     ///< children of this process in any state
  int zombies = 0;  ///< of which exited but unreaped (state Z)
};

/// Scans /proc for children of this process.
inline ChildCensus census_children() {
  ChildCensus census;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return {-1, -1};
  std::string self = std::to_string(::getpid());
  while (const dirent* e = ::readdir(proc)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream stat(std::string("/proc/") + e->d_name + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // "pid (comm) state ppid ...": comm may contain spaces, so parse after the last ')'.
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string state, ppid;
    rest >> state >> ppid;
    if (ppid != self) continue;
    ++census.live;
    if (state == "Z") ++census.zombies;
  }
  ::closedir(proc);
  return census;
}
