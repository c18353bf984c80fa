#include "leanbatch/supervise/pool.hpp"

#include <poll.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "spin_wait.hpp"

namespace leanbatch::supervise {

const char* to_string(OutcomeKind k) {
  switch (k) {
    case OutcomeKind::Response: return "response";
    case OutcomeKind::ErrorResponse: return "error_response";
    case OutcomeKind::WorkerFailed: return "worker_failed";
    case OutcomeKind::NotRun: return "not_run";
    case OutcomeKind::Cancelled: return "cancelled";
  }
  return "unknown";
}

const char* to_string(WorkerEventKind k) {
  switch (k) {
    case WorkerEventKind::Started: return "started";
    case WorkerEventKind::Restarting: return "restarting";
    case WorkerEventKind::Exited: return "exited";
    case WorkerEventKind::GaveUp: return "gave_up";
  }
  return "unknown";
}

const char* to_string(RunStatus s) {
  switch (s) {
    case RunStatus::Completed: return "completed";
    case RunStatus::Interrupted: return "interrupted";
    case RunStatus::GaveUp: return "gave_up";
  }
  return "unknown";
}

namespace {

// A death under a request is worth one more try on a fresh process when the cause may be
// the process rather than the job (accumulated memory, a flaky environment). A timeout
// would most likely just time out again, so it is retried only on request.
bool retryable(ExitKind kind, bool retry_timeouts) {
  switch (kind) {
    case ExitKind::Clean:
    case ExitKind::ExitCode:
    case ExitKind::Abort:
    case ExitKind::Crash:
    case ExitKind::Killed:
    case ExitKind::KilledByLimit:
    case ExitKind::Signaled:
    case ExitKind::ProtocolViolation: return true;
    case ExitKind::Timeout: return retry_timeouts;
    case ExitKind::StartupFailure:
    case ExitKind::Cancelled: return false;
  }
  return false;
}

}  // namespace

Pool::Pool(PoolOptions options, JobSink& sink)
    : options_(std::move(options)), sink_(sink), intensity_(options_.max_restarts, options_.restart_window) {
  assert(options_.workers >= 1);
  WorkerListener& listener = *this;  // the private base is reachable here, not in make_unique
  for (std::uint32_t i = 0; i < options_.workers; ++i)
    workers_.push_back(std::make_unique<Worker>(i + 1, options_.worker, listener,
                                                i < options_.worker_cpus.size() ? options_.worker_cpus[i] : -1));
  active_.resize(workers_.size());
  pending_cause_.resize(workers_.size());
}

Pool::~Pool() = default;  // each Worker kills and reaps its child

void Pool::submit(Job job) { queue_.push_back(PendingJob{std::move(job)}); }

std::size_t Pool::in_flight() const {
  return static_cast<std::size_t>(std::count_if(active_.begin(), active_.end(), [](const auto& a) { return a.has_value(); }));
}

int Pool::interruption(const InterruptGuard* interrupts) const {
  if (interrupts != nullptr) {
    if (int sig = interrupts->interrupted(); sig != 0) return sig;
  }
  return cancel_requested_ ? 0 : -1;
}

RunResult Pool::run(const InterruptGuard* interrupts) {
  for (;;) {
    if (int sig = interruption(interrupts); sig >= 0) return cancel_everything(sig);
    if (gave_up_) finish_queued(OutcomeKind::NotRun, gave_up_exit_);
    dispatch(Clock::now());
    if (queue_.empty() && in_flight() == 0) {
      if (gave_up_) return RunResult{RunStatus::GaveUp, 0, gave_up_exit_};
      return RunResult{};
    }
    wait_and_handle(interrupts);
  }
}

RunResult Pool::shutdown(const InterruptGuard* interrupts) {
  finish_queued(OutcomeKind::Cancelled, std::nullopt);
  Clock::time_point now = Clock::now();
  cancelling_ = true;  // a job still running now is cancelled, and nothing restarts
  for (auto& w : workers_) {
    if (w->state() == WorkerState::Ready)
      w->stop(RequestKind::Shutdown, {}, now);
    else if (w->state() == WorkerState::Starting || w->state() == WorkerState::Busy)
      w->kill(KillReason::Cancelled, "pool shutting down");
  }
  while (std::any_of(workers_.begin(), workers_.end(), [](const auto& w) { return w->state() != WorkerState::Down; })) {
    if (int sig = interruption(interrupts); sig >= 0) return cancel_everything(sig);
    wait_and_handle(interrupts);
  }
  cancelling_ = false;
  return RunResult{};
}

bool Pool::wait_and_handle(const InterruptGuard* interrupts) {
  pollfds_.clear();
  std::optional<Clock::time_point> deadline;
  for (auto& w : workers_) {
    w->collect_pollfds(pollfds_);
    if (auto d = w->next_deadline(); d && (!deadline || *d < *deadline)) deadline = d;
  }
  // Nothing to wait for happens only when a worker failed to spawn just now and is Down:
  // return so the caller's next dispatch round retries it (bounded by the intensity limit).
  if (pollfds_.empty() && !deadline) return true;
  timespec timeout{};
  timespec* timeout_ptr = nullptr;
  if (deadline) {
    auto left = std::max(Clock::duration::zero(), *deadline - Clock::now());
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    timeout.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    timeout.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    timeout_ptr = &timeout;
  }
  // Speed only: with a request in flight, look for readiness without sleeping for a moment
  // first (a quick answer then costs no wake-up). Signals stay blocked here; one that
  // arrives is delivered by the ppoll below, which returns at once if anything is ready.
  // Adaptive: only when the previous wait ended within the window, so that a stream of
  // long requests (rows every few milliseconds) never burns CPU the workers need.
  const Clock::time_point wait_start = Clock::now();
  if (spin_next_ && options_.spin.count() > 0 &&
      std::any_of(workers_.begin(), workers_.end(), [](const auto& w) { return w->state() == WorkerState::Busy; })) {
    detail::spin_until_ready(pollfds_.data(), pollfds_.size(), wait_start, options_.spin);
  }
  // The only place signals are unblocked (ninja style): atomically, for the wait.
  int rc = ::ppoll(pollfds_.data(), pollfds_.size(), timeout_ptr, interrupts ? interrupts->wait_mask() : nullptr);
  if (rc < 0) {
    if (errno != EINTR) supervise_logger(options_.worker.logger)->error("ppoll: {}", std::strerror(errno));
    return false;
  }
  Clock::time_point now = Clock::now();
  spin_next_ = now - wait_start <= options_.spin;
  for (auto& w : workers_) w->handle_poll(pollfds_, now);
  for (auto& w : workers_) w->handle_timers(now);
  return true;
}

bool Pool::key_held_elsewhere(const std::string& key, const Worker& except) const {
  return std::any_of(workers_.begin(), workers_.end(), [&](const auto& w) {
    return w.get() != &except && w->state() != WorkerState::Down && w->usage().import_keys.contains(key);
  });
}

std::optional<std::size_t> Pool::choose_job(const Worker& worker) const {
  std::size_t n = std::min(queue_.size(), options_.affinity_window);
  bool fresh = worker.usage().requests == 0;
  std::optional<std::size_t> unclaimed, oldest, retry;
  for (std::size_t i = 0; i < n; ++i) {
    const PendingJob& p = queue_[i];
    if (p.needs_fresh) {
      if (fresh) return i;
      if (!retry) retry = i;
      continue;
    }
    const std::string& key = p.job.import_key;
    if (!key.empty() && worker.usage().import_keys.contains(key)) return i;
    if (!unclaimed && (key.empty() || !key_held_elsewhere(key, worker))) unclaimed = i;
    if (!oldest) oldest = i;
  }
  if (unclaimed) return unclaimed;
  if (oldest) return oldest;
  return retry;  // only retries left: this worker gets cycled for it
}

void Pool::dispatch(Clock::time_point now) {
  if (cancelling_ || gave_up_) return;
  const RestartLimits& limits = options_.worker.restart;
  for (std::size_t i = 0; i < workers_.size() && !queue_.empty(); ++i) {
    Worker& w = *workers_[i];
    if (w.state() != WorkerState::Ready || active_[i]) continue;
    auto pick = choose_job(w);
    if (!pick) continue;
    const PendingJob& candidate = queue_[*pick];
    bool fresh = w.usage().requests == 0;
    NextRequest next{(candidate.job.cycle_before || candidate.needs_fresh) && !fresh, candidate.job.import_key};
    std::optional<std::uint64_t> rss;
    if (limits.rss_soft_bytes != 0) rss = w.resident_set_bytes();
    if (auto cause = restart_cause(limits, w.usage(), next, rss, now)) {
      pending_cause_[i] = cause;
      w.stop(RequestKind::Cycle, to_string(*cause), now);
      continue;  // the job stays queued for whoever is ready first
    }
    PendingJob job = std::move(queue_[*pick]);
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(*pick));
    ++job.attempts;
    ActiveJob active;
    active.ref = AttemptRef{job.job.id, job.attempts, w.id(), w.generation(), 0};
    active.sent_at = now;
    active.ref.request_id =
        w.send(job.job.kind, job.job.payload, job.job.import_key, job.job.timeout.value_or(std::chrono::milliseconds(0)), now);
    active.pending = std::move(job);
    active_[i] = std::move(active);
  }

  // Start (or restart) workers only while queued jobs outnumber the workers that could
  // take them: one job never spawns N processes.
  std::size_t supply = 0;
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    WorkerState s = workers_[i]->state();
    if (s == WorkerState::Starting || s == WorkerState::Stopping || (s == WorkerState::Ready && !active_[i])) ++supply;
  }
  for (std::size_t i = 0; i < workers_.size() && queue_.size() > supply && !gave_up_; ++i) {
    if (workers_[i]->state() != WorkerState::Down) continue;
    start_worker(i, now);
    ++supply;
  }
}

void Pool::start_worker(std::size_t index, Clock::time_point now) {
  Worker& w = *workers_[index];
  if (w.generation() > 0) {
    WorkerEvent event;
    event.kind = WorkerEventKind::Restarting;
    event.worker_id = w.id();
    event.generation = w.generation();
    event.cause = pending_cause_[index].value_or(RestartCause::Failure);
    emit(std::move(event));
  }
  pending_cause_[index].reset();
  w.start(now);  // a spawn failure comes back through on_worker_exit
}

void Pool::on_worker_ready(Worker& w) {
  WorkerEvent event;
  event.kind = WorkerEventKind::Started;
  event.worker_id = w.id();
  event.generation = w.generation();
  event.pid = w.pid();
  event.handshake_latency = w.handshake_latency();
  event.worker_version = w.hello().worker_version;
  emit(std::move(event));
}

void Pool::on_request_frame(Worker& w, const FrameView& frame) {
  auto& active = active_[w.id() - 1];
  assert(active);
  JobFrame jf{active->ref, frame.header.type, frame.payload};
  switch (frame.header.type) {
    case FrameType::Row:
      ++active->row_count;
      if (options_.retain_rows) active->rows.emplace_back(frame.payload);
      sink_.on_row(jf);
      break;
    case FrameType::Progress: sink_.on_progress(jf); break;
    case FrameType::Stats: sink_.on_stats(jf); break;
    default: assert(false && "worker forwards only row, progress and stats frames");
  }
}

void Pool::on_request_done(Worker& w, const FrameView& terminal) {
  auto& slot = active_[w.id() - 1];
  assert(slot);
  ActiveJob active = std::move(*slot);
  slot.reset();
  JobOutcome outcome;
  outcome.ref = active.ref;
  outcome.kind = terminal.header.type == FrameType::Response ? OutcomeKind::Response : OutcomeKind::ErrorResponse;
  outcome.payload.assign(terminal.payload);
  outcome.rows = std::move(active.rows);
  outcome.row_count = active.row_count;
  outcome.elapsed = Clock::now() - active.sent_at;
  deliver(std::move(outcome));
}

void Pool::on_worker_exit(Worker& w, const FatalExit& exit, bool planned) {
  std::size_t index = w.id() - 1;
  WorkerEvent event;
  event.kind = WorkerEventKind::Exited;
  event.worker_id = w.id();
  event.generation = exit.generation;
  event.pid = exit.pid;
  event.exit = exit;
  event.planned = planned;
  emit(std::move(event));

  if (!planned && !cancelling_) {
    pending_cause_[index] = RestartCause::Failure;
    if (!gave_up_ && !intensity_.record(Clock::now())) {
      gave_up_ = true;
      gave_up_exit_ = exit;
      supervise_logger(options_.worker.logger)
          ->error("giving up: more than {} worker restarts within {} ms; last: {}", intensity_.max_restarts(),
                  intensity_.window().count(), exit.describe());
      WorkerEvent give_up;
      give_up.kind = WorkerEventKind::GaveUp;
      give_up.worker_id = w.id();
      give_up.generation = exit.generation;
      give_up.pid = exit.pid;
      give_up.exit = exit;
      emit(std::move(give_up));
    }
  }

  if (!active_[index]) return;
  ActiveJob active = std::move(*active_[index]);
  active_[index].reset();
  if (!cancelling_ && !gave_up_ && active.pending.attempts < options_.max_attempts &&
      retryable(exit.kind, options_.retry_timeouts)) {
    sink_.on_retry(AttemptFailure{active.ref, exit, active.row_count});
    active.pending.needs_fresh = true;
    queue_.push_front(std::move(active.pending));
    return;
  }
  JobOutcome outcome;
  outcome.ref = active.ref;
  outcome.kind = cancelling_ ? OutcomeKind::Cancelled : OutcomeKind::WorkerFailed;
  outcome.rows = std::move(active.rows);
  outcome.row_count = active.row_count;
  outcome.failure = exit;
  outcome.elapsed = Clock::now() - active.sent_at;
  deliver(std::move(outcome));
}

RunResult Pool::cancel_everything(int signal) {
  cancelling_ = true;
  for (auto& w : workers_) w->kill(KillReason::Cancelled, signal > 0 ? "interrupted by " + signal_name(signal) : "run cancelled");
  finish_queued(OutcomeKind::Cancelled, std::nullopt);
  cancelling_ = false;
  cancel_requested_ = false;
  return RunResult{RunStatus::Interrupted, signal, std::nullopt};
}

void Pool::finish_queued(OutcomeKind kind, const std::optional<FatalExit>& why) {
  while (!queue_.empty()) {
    PendingJob job = std::move(queue_.front());
    queue_.pop_front();
    JobOutcome outcome;
    outcome.ref.job_id = job.job.id;
    outcome.ref.attempt = job.attempts;
    outcome.kind = kind;
    outcome.failure = why;
    deliver(std::move(outcome));
  }
}

void Pool::emit(WorkerEvent event) { sink_.on_worker_event(event); }

void Pool::deliver(JobOutcome&& outcome) { sink_.on_outcome(std::move(outcome)); }

}  // namespace leanbatch::supervise
