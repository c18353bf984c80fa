#pragma once
/// What the tool hands the pool (Job) and everything the pool hands back (JobSink).
///
/// Per job the sink sees, in order: zero or more on_row/on_progress/on_stats for attempt 1;
/// if attempt 1 died and the job is retried, on_retry (drop attempt 1's tentative rows),
/// then frames of attempt 2; finally exactly one on_outcome. Rows are tentative until the
/// outcome: only Response/ErrorResponse make them final. Worker lifecycle events
/// (--events rows) arrive through on_worker_event, interleaved.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leanbatch/supervise/fatal_exit.hpp"
#include "leanbatch/supervise/frame.hpp"
#include "leanbatch/supervise/restart_policy.hpp"

namespace leanbatch::supervise {

struct Job {
  std::uint64_t id = 0;  ///< caller-chosen, unique per pool
  RequestKind kind = RequestKind::Check;
  std::string payload;   ///< opaque request bytes
  /// Affinity and max-imports key (e.g. the export file's path + hash); empty = none.
  std::string import_key;
  /// Run on a fresh incarnation (RestartCause::ExplicitCycle if the chosen one is not).
  bool cycle_before = false;
  /// Request watchdog for this job; nullopt = WorkerOptions::request_timeout.
  std::optional<std::chrono::milliseconds> timeout;
};

enum class OutcomeKind : std::uint8_t {
  Response,       ///< terminal Response frame: rows are final, payload is the response
  ErrorResponse,  ///< terminal Error frame (the child's typed failure): rows are final
  WorkerFailed,   ///< the worker died on the last allowed attempt; see `failure`
  NotRun,         ///< never completed because the pool gave up (restart intensity)
  Cancelled,      ///< run interrupted or pool shut down before the job finished
};
const char* to_string(OutcomeKind k);

/// Identifies one attempt of one job on one incarnation; carried by every callback.
struct AttemptRef {
  std::uint64_t job_id = 0;
  unsigned attempt = 0;  ///< 1-based; 0 if never sent to a worker
  std::uint32_t worker_id = 0;
  std::uint32_t generation = 0;
  std::uint64_t request_id = 0;
};

/// A Row, Progress or Stats frame of a running attempt. `payload` is valid only during the
/// callback (it points into the pipe buffer: copy what you keep).
struct JobFrame {
  AttemptRef ref;
  FrameType type = FrameType::Row;
  std::string_view payload;
};

/// Attempt `ref.attempt` died and the job will run again on a fresh incarnation.
struct AttemptFailure {
  AttemptRef ref;
  FatalExit exit;
  std::uint64_t rows_discarded = 0;  ///< tentative rows of this attempt, now void
};

struct JobOutcome {
  AttemptRef ref;  ///< the final attempt
  OutcomeKind kind = OutcomeKind::Response;
  std::string payload;                  ///< Response/Error payload
  std::vector<std::string> rows;        ///< rows of the final attempt (if PoolOptions::retain_rows)
  std::uint64_t row_count = 0;          ///< rows of the final attempt, retained or not
  std::optional<FatalExit> failure;     ///< WorkerFailed, NotRun, Cancelled-in-flight: why
  std::chrono::nanoseconds elapsed{};   ///< final attempt: sent to outcome (0 if never sent)
};

enum class WorkerEventKind : std::uint8_t {
  Started,     ///< Hello received (generation, pid, handshake latency, worker version)
  Restarting,  ///< a new incarnation is about to be spawned; `cause` says why
  Exited,      ///< an incarnation ended and was reaped; `exit` classifies it
  GaveUp,      ///< restart intensity exceeded: the pool stops replacing workers
};
const char* to_string(WorkerEventKind k);

struct WorkerEvent {
  WorkerEventKind kind = WorkerEventKind::Started;
  std::uint32_t worker_id = 0;
  std::uint32_t generation = 0;  ///< the incarnation the event is about (Restarting: the old one)
  pid_t pid = -1;
  std::optional<RestartCause> cause;          ///< Restarting
  std::optional<FatalExit> exit;              ///< Exited, GaveUp
  bool planned = false;                       ///< Exited: we asked it to stop
  std::chrono::nanoseconds handshake_latency{};  ///< Started
  std::string worker_version;                 ///< Started
};

/// Implemented by the tool. All callbacks run synchronously on the thread inside
/// Pool::run()/shutdown(). A slow callback is backpressure: the pool stops reading pipes
/// while it runs, the pipes fill, and the children block writing; nothing is dropped.
/// (Watchdogs keep counting meanwhile, so callbacks must not block indefinitely.)
/// Callbacks may call Pool::submit() and Pool::request_cancel(), nothing else.
class JobSink {
 public:
  virtual ~JobSink() = default;
  virtual void on_row(const JobFrame& row) = 0;
  virtual void on_progress(const JobFrame& /*progress*/) {}
  virtual void on_stats(const JobFrame& /*stats*/) {}
  virtual void on_retry(const AttemptFailure& /*failure*/) {}
  /// Exactly once per submitted job.
  virtual void on_outcome(JobOutcome&& outcome) = 0;
  virtual void on_worker_event(const WorkerEvent& /*event*/) {}
};

}  // namespace leanbatch::supervise
