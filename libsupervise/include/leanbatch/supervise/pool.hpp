#pragma once
/// N supervised workers over one job queue, driven by a single-threaded ppoll loop.
///
/// Dispatch (each loop round, for every idle Ready worker): pick a job from the first
/// `affinity_window` queued jobs, preferring (1) a retry, if the worker is fresh, (2) a job
/// whose import key this incarnation already has, (3) a job whose key no other live
/// worker has, (4) the oldest job. Then restart_cause() decides whether the worker must be
/// replaced first (the job then waits in the queue). Down workers are (re)started only
/// while queued jobs outnumber the workers that could take them.
///
/// Failures: a job whose worker dies with the request in flight is retried once (up to
/// max_attempts in total) on a fresh incarnation, then ends WorkerFailed with the
/// FatalExit, stderr tail and tentative rows. Timeouts are not retried unless
/// retry_timeouts. Restarts after failures count against the restart intensity; past it
/// the pool gives up: in-flight requests finish, queued jobs end NotRun, run() returns
/// GaveUp.
///
/// Interruption (InterruptGuard signal or request_cancel()): no more dispatch, every child
/// is SIGKILLed and reaped, every unfinished job ends Cancelled, run() returns Interrupted.
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "leanbatch/supervise/interrupt_guard.hpp"
#include "leanbatch/supervise/job.hpp"
#include "leanbatch/supervise/restart_policy.hpp"
#include "leanbatch/supervise/worker.hpp"

namespace leanbatch::supervise {

struct PoolOptions {
  WorkerOptions worker;
  std::uint32_t workers = 1;
  /// Attempts per job when workers die under it (1 = no retry).
  std::uint32_t max_attempts = 2;
  bool retry_timeouts = false;
  /// Restart intensity: more than max_restarts failure restarts within restart_window
  /// and the pool gives up.
  std::uint32_t max_restarts = 16;
  std::chrono::milliseconds restart_window{60'000};
  /// Keep each attempt's rows for JobOutcome::rows (costs memory per in-flight job).
  bool retain_rows = true;
  std::size_t affinity_window = 64;
  /// While a request is in flight, poll this long without sleeping before blocking (speed
  /// only; 0 = never spin). Waking a sleeping process on another CPU can cost ~100 us on
  /// virtual machines, which dominates the round trip of short requests.
  std::chrono::microseconds spin{50};
  /// Worker i (0-based) runs pinned to CPU worker_cpus[i] when that entry exists (every
  /// incarnation of that worker: a restarted one keeps its CPU). Empty: no pinning.
  std::vector<int> worker_cpus;
};

enum class RunStatus : std::uint8_t { Completed, Interrupted, GaveUp };
const char* to_string(RunStatus s);

struct RunResult {
  RunStatus status = RunStatus::Completed;
  int signal = 0;                       ///< Interrupted by a signal (0: request_cancel())
  std::optional<FatalExit> last_failure;  ///< GaveUp: the exit that exceeded the intensity
};

class Pool final : private WorkerListener {
 public:
  /// Starts no process yet. `sink` must outlive the pool.
  Pool(PoolOptions options, JobSink& sink);
  /// SIGKILLs and reaps every child (no events). Call shutdown() first for a graceful end.
  ~Pool() override;
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// Queues a job (also allowed from sink callbacks). Job ids must be unique.
  void submit(Job job);
  /// Runs until every submitted job has its outcome, or the run is interrupted, or the pool
  /// gives up. Workers stay up afterwards for more submit()/run() rounds. With `interrupts`,
  /// SIGINT/SIGTERM/SIGHUP are delivered only inside the wait and cancel the run.
  RunResult run(const InterruptGuard* interrupts = nullptr);
  /// Graceful end: Shutdown to every idle worker, SIGKILL after shutdown_grace, reap all.
  /// Queued jobs end Cancelled. Returns Interrupted if a signal cut it short.
  RunResult shutdown(const InterruptGuard* interrupts = nullptr);
  /// Hands queued jobs to idle workers at once. Allowed from sink callbacks: a sink that
  /// submits a worker's next job and then has slow work to do on the outcome (printing its
  /// rows) calls this in between, so the worker runs while the sink works. run() dispatches
  /// after every callback anyway; this only makes it earlier. No-op once cancelled.
  void dispatch_now() {
    if (!cancel_requested_) dispatch(Clock::now());
  }
  /// Cancels the current run at the next loop round (same thread only, e.g. from a sink).
  void request_cancel() { cancel_requested_ = true; }

  std::size_t queued() const { return queue_.size(); }
  std::size_t in_flight() const;
  const Worker& worker(std::size_t index) const { return *workers_[index]; }
  std::size_t worker_count() const { return workers_.size(); }
  bool gave_up() const { return gave_up_; }

 private:
  struct PendingJob {
    Job job;
    unsigned attempts = 0;     ///< attempts already made
    bool needs_fresh = false;  ///< retry: must run on an incarnation that served nothing
  };
  struct ActiveJob {
    PendingJob pending;
    AttemptRef ref;
    Clock::time_point sent_at{};
    std::vector<std::string> rows;
    std::uint64_t row_count = 0;
  };

  void on_worker_ready(Worker& worker) override;
  void on_request_frame(Worker& worker, const FrameView& frame) override;
  void on_request_done(Worker& worker, const FrameView& terminal) override;
  void on_worker_exit(Worker& worker, const FatalExit& exit, bool planned) override;

  void dispatch(Clock::time_point now);
  void start_worker(std::size_t index, Clock::time_point now);
  std::optional<std::size_t> choose_job(const Worker& worker) const;
  bool key_held_elsewhere(const std::string& key, const Worker& except) const;
  /// One ppoll round over every worker; false if interrupted.
  bool wait_and_handle(const InterruptGuard* interrupts);
  int interruption(const InterruptGuard* interrupts) const;
  RunResult cancel_everything(int signal);
  void finish_queued(OutcomeKind kind, const std::optional<FatalExit>& why);
  void emit(WorkerEvent event);
  void deliver(JobOutcome&& outcome);

  PoolOptions options_;
  JobSink& sink_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::optional<ActiveJob>> active_;       ///< by worker index
  std::vector<std::optional<RestartCause>> pending_cause_;  ///< why the next start is a restart
  std::deque<PendingJob> queue_;
  RestartIntensity intensity_;
  std::vector<pollfd> pollfds_;
  bool spin_next_ = true;  // the last wait ended within options_.spin (see wait_and_handle)
  bool cancel_requested_ = false;
  bool cancelling_ = false;
  bool gave_up_ = false;
  std::optional<FatalExit> gave_up_exit_;
};

}  // namespace leanbatch::supervise
