#pragma once
/// One supervised worker slot: successive incarnations of a child speaking the frame
/// protocol, driven by an external poll loop (Pool).
///
/// State machine of one incarnation:
///   Down --start()--> Starting --Hello--> Ready --send()--> Busy --Response/Error--> Ready
///   Ready --stop()--> Stopping --exit--> Down
///   any --fatal exit / violation / watchdog / kill()--> Down (reaped, classified)
/// Every transition to Down reaps the child (and SIGKILLs its process group) before the
/// listener hears about it, so a new incarnation never overlaps the old one.
///
/// Contract for listeners: callbacks run inside Worker methods; they may read the worker
/// but must not call start(), send(), stop() or kill() on it (the pool defers those to its
/// dispatch step). Frame payload views are valid only during the callback.
#include <poll.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/logger.h>

#include "leanbatch/supervise/child_process.hpp"
#include "leanbatch/supervise/fatal_exit.hpp"
#include "leanbatch/supervise/frame.hpp"
#include "leanbatch/supervise/frame_decoder.hpp"
#include "leanbatch/supervise/restart_policy.hpp"
#include "leanbatch/supervise/spawn.hpp"
#include "leanbatch/supervise/stderr_ring.hpp"
#include "leanbatch/supervise/unique_fd.hpp"

namespace leanbatch::supervise {

/// The logger libsupervise writes to: `preferred` if non-null, else a shared stderr logger
/// registered as "supervise" (so spdlog::set_level() in the tool governs it). Never stdout:
/// the parent's stdout carries NDJSON rows only.
std::shared_ptr<spdlog::logger> supervise_logger(std::shared_ptr<spdlog::logger> preferred = nullptr);

struct WorkerCommand {
  std::filesystem::path executable;  ///< run directly, no shell, no PATH search
  std::vector<std::string> arguments;
  /// Applied after the defaults LEAN_BACKTRACE=0 and LEAN_ABORT_ON_PANIC=1, so an entry
  /// here overrides them. LBS_GENERATION, LBS_MAX_PAYLOAD and LBS_WORKER_ID are always set
  /// last by the supervisor.
  EnvironmentVars environment;
};

struct WorkerOptions {
  WorkerCommand command;
  /// Spawn to valid Hello.
  std::chrono::milliseconds startup_timeout{10'000};
  /// Whole-request watchdog (send to terminal frame); 0 = none. Job::timeout overrides.
  std::chrono::milliseconds request_timeout{0};
  /// Shutdown/Cycle sent -> exit; then SIGKILL.
  std::chrono::milliseconds shutdown_grace{2'000};
  /// After the child closes stdout (or stdin) outside a shutdown, how long it may take to
  /// exit by itself (so a crash is classified as a crash) before it is killed as a
  /// protocol violation.
  std::chrono::milliseconds exit_linger{250};
  /// RSS sampling period during a request (only when restart.rss_hard_bytes is set).
  std::chrono::milliseconds rss_sample_interval{50};
  std::uint32_t max_payload = kDefaultMaxPayload;
  std::size_t stderr_ring_bytes = 64u << 10;
  /// RLIMIT_AS for the child in bytes; 0 = inherit.
  std::uint64_t address_space_limit = 0;
  RestartLimits restart;
  /// Null: supervise_logger() (stderr).
  std::shared_ptr<spdlog::logger> logger;
};

enum class WorkerState : std::uint8_t { Down, Starting, Ready, Busy, Stopping };
const char* to_string(WorkerState s);

class Worker;

class WorkerListener {
 public:
  virtual ~WorkerListener() = default;
  /// A valid Hello arrived: the incarnation is Ready.
  virtual void on_worker_ready(Worker& worker) = 0;
  /// A Row, Progress or Stats frame for the request in flight.
  virtual void on_request_frame(Worker& worker, const FrameView& frame) = 0;
  /// The Response or Error ending the request in flight; the worker is Ready again.
  virtual void on_request_done(Worker& worker, const FrameView& terminal) = 0;
  /// The incarnation ended and was reaped; the worker is Down. `planned` is true when it
  /// was stopping on our request (its FatalExit says whether it went quietly).
  virtual void on_worker_exit(Worker& worker, const FatalExit& exit, bool planned) = 0;
};

class Worker {
 public:
  /// `options` and `listener` must outlive the worker. `id` is reported in events (1-based).
  /// `cpu` >= 0: every incarnation runs pinned to that CPU (HardeningOptions::cpu).
  Worker(std::uint32_t id, const WorkerOptions& options, WorkerListener& listener, int cpu = -1);
  /// Kills and reaps a live child without calling the listener.
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// Down -> Starting with generation()+1. A spawn failure is reported synchronously
  /// through on_worker_exit (ExitKind::StartupFailure) and leaves the worker Down.
  void start(Clock::time_point now);
  /// Ready -> Busy. `timeout` 0 = options().request_timeout. Returns the request id.
  std::uint64_t send(RequestKind kind, std::string_view payload, std::string_view import_key,
                     std::chrono::milliseconds timeout, Clock::time_point now);
  /// Ready -> Stopping: sends Shutdown (or Cycle with `note` as payload), closes stdin, and
  /// kills the child if it has not exited after shutdown_grace.
  void stop(RequestKind kind, std::string_view note, Clock::time_point now);
  /// Any live state -> Down right now: SIGKILL the group, reap, report with `reason`.
  void kill(KillReason reason, std::string detail = {});

  /// Appends this worker's descriptors to `fds` (remembering where).
  void collect_pollfds(std::vector<pollfd>& fds);
  /// Handles readiness reported by ppoll for the descriptors collect_pollfds() added.
  void handle_poll(const std::vector<pollfd>& fds, Clock::time_point now);
  /// Fires expired watchdogs (startup, request, RSS sample, shutdown grace, exit linger).
  void handle_timers(Clock::time_point now);
  /// Earliest armed timer, if any.
  std::optional<Clock::time_point> next_deadline() const;

  std::uint32_t id() const { return id_; }
  WorkerState state() const { return state_; }
  /// Generation of the current (or last) incarnation; 0 before the first start().
  std::uint32_t generation() const { return generation_; }
  pid_t pid() const { return process_.pid(); }
  const IncarnationUsage& usage() const { return usage_; }
  /// Request in flight (Busy), else 0.
  std::uint64_t current_request() const { return state_ == WorkerState::Busy ? current_request_ : 0; }
  const HelloPayload& hello() const { return hello_; }
  /// Spawn to Hello of the current incarnation.
  std::chrono::nanoseconds handshake_latency() const { return handshake_latency_; }
  /// Current RSS of the child from /proc (nullopt when Down).
  std::optional<std::uint64_t> resident_set_bytes() const { return process_.resident_set_bytes(); }
  /// Largest RSS sampled during the current incarnation (0 if never sampled).
  std::uint64_t peak_rss() const { return peak_rss_; }
  std::string stderr_tail() const { return ring_.tail(); }
  const WorkerOptions& options() const { return options_; }

 private:
  void flush_output();
  void read_stdout(Clock::time_point now, bool drain);
  void read_stderr(bool drain);
  void on_stdout_eof(Clock::time_point now);
  void on_process_exit(Clock::time_point now);
  void process_frames(Clock::time_point now);
  void process_frame(const FrameView& frame, Clock::time_point now);
  void violation(Violation kind, std::string message);
  void end_incarnation(KillReason reason, std::string detail);
  void queue_request(RequestKind kind, std::uint64_t id, std::string_view payload);

  std::uint32_t id_;
  int cpu_ = -1;
  const WorkerOptions& options_;
  WorkerListener& listener_;
  std::shared_ptr<spdlog::logger> log_;

  WorkerState state_ = WorkerState::Down;
  std::uint32_t generation_ = 0;
  ChildProcess process_;
  UniqueFd stdin_;
  UniqueFd stdout_;
  UniqueFd stderr_;
  std::optional<FrameDecoder> decoder_;
  StderrRing ring_;
  std::string out_buf_;
  std::size_t out_off_ = 0;
  bool close_stdin_when_flushed_ = false;

  std::uint64_t next_request_id_ = 1;
  std::uint64_t current_request_ = 0;
  std::uint64_t last_terminal_ = 0;
  IncarnationUsage usage_;
  HelloPayload hello_;
  Clock::time_point spawned_at_{};
  std::chrono::nanoseconds handshake_latency_{};
  std::uint64_t peak_rss_ = 0;

  std::optional<Clock::time_point> deadline_;     ///< startup / request / shutdown grace
  std::optional<Clock::time_point> rss_next_;     ///< next RSS sample while Busy
  std::optional<Clock::time_point> linger_until_; ///< a pipe closed; waiting for the exit
  std::optional<Clock::time_point> exit_check_;   ///< no pidfd: next waitid() poll
  std::string lost_stream_;                       ///< why linger_until_ is armed
  std::chrono::milliseconds request_timeout_{0};

  // Positions in the pollfd vector from the last collect_pollfds(), -1 if not polled.
  int poll_in_ = -1, poll_out_ = -1, poll_err_ = -1, poll_pid_ = -1;
};

}  // namespace leanbatch::supervise
