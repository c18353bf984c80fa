#include "leanbatch/supervise/worker.hpp"

#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <initializer_list>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>


namespace leanbatch::supervise {

namespace {

// Per poll round and worker, read at most this much stdout before giving the other
// workers a turn; a chatty child cannot starve the rest of the pool.
constexpr std::size_t kReadBudget = 1u << 20;
constexpr std::chrono::milliseconds kExitCheckPeriod{50};

std::uint64_t mib(std::uint64_t bytes) { return bytes >> 20; }

}  // namespace

std::shared_ptr<spdlog::logger> supervise_logger(std::shared_ptr<spdlog::logger> preferred) {
  if (preferred) return preferred;
  static const std::shared_ptr<spdlog::logger> fallback = [] {
    if (auto existing = spdlog::get("supervise")) return existing;
    auto logger = std::make_shared<spdlog::logger>("supervise", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    logger->set_level(spdlog::get_level());
    spdlog::register_logger(logger);
    return logger;
  }();
  return fallback;
}

const char* to_string(WorkerState s) {
  switch (s) {
    case WorkerState::Down: return "down";
    case WorkerState::Starting: return "starting";
    case WorkerState::Ready: return "ready";
    case WorkerState::Busy: return "busy";
    case WorkerState::Stopping: return "stopping";
  }
  return "unknown";
}

Worker::Worker(std::uint32_t id, const WorkerOptions& options, WorkerListener& listener, int cpu)
    : id_(id), cpu_(cpu), options_(options), listener_(listener), log_(supervise_logger(options.logger)),
      ring_(options.stderr_ring_bytes) {}

Worker::~Worker() = default;  // ChildProcess kills and reaps; UniqueFds close.

void Worker::start(Clock::time_point now) {
  assert(state_ == WorkerState::Down);
  ++generation_;
  SpawnOptions spawn;
  spawn.executable = options_.command.executable;
  spawn.arguments = options_.command.arguments;
  spawn.environment = {{"LEAN_BACKTRACE", "0"}, {"LEAN_ABORT_ON_PANIC", "1"}};
  spawn.environment.insert(spawn.environment.end(), options_.command.environment.begin(),
                           options_.command.environment.end());
  spawn.environment.emplace_back(kGenerationEnv, std::to_string(generation_));
  spawn.environment.emplace_back(kMaxPayloadEnv, std::to_string(options_.max_payload));
  spawn.environment.emplace_back(kWorkerIdEnv, std::to_string(id_));
  spawn.hardening.address_space_limit = options_.address_space_limit;
  spawn.hardening.cpu = cpu_;

  ring_.clear();
  usage_ = IncarnationUsage{};
  hello_ = HelloPayload{};
  peak_rss_ = 0;
  spawned_at_ = now;
  auto child = spawn_child(spawn);
  if (!child) {
    FatalExit exit;
    exit.kind = ExitKind::StartupFailure;
    exit.worker_id = id_;
    exit.generation = generation_;
    exit.detail = child.error().message;
    log_->warn("worker {} gen {}: spawn failed: {}", id_, generation_, exit.detail);
    listener_.on_worker_exit(*this, exit, false);
    return;
  }
  process_ = std::move(child->process);
  stdin_ = std::move(child->stdin_pipe);
  stdout_ = std::move(child->stdout_pipe);
  stderr_ = std::move(child->stderr_pipe);
  decoder_.emplace(DecoderOptions{options_.max_payload, generation_, true});
  out_buf_.clear();
  out_off_ = 0;
  close_stdin_when_flushed_ = false;
  current_request_ = 0;
  last_terminal_ = 0;
  lost_stream_.clear();
  linger_until_.reset();
  rss_next_.reset();
  deadline_ = now + options_.startup_timeout;
  exit_check_ = process_.pidfd() < 0 ? std::optional(now + kExitCheckPeriod) : std::nullopt;
  state_ = WorkerState::Starting;
  log_->debug("worker {} gen {}: spawned pid {}", id_, generation_, process_.pid());
}

void Worker::queue_request(RequestKind kind, std::uint64_t id, std::string_view payload) {
  FrameHeader header;
  header.type = FrameType::Request;
  header.kind = static_cast<std::uint8_t>(kind);
  header.generation = generation_;
  header.request_id = id;
  append_frame(out_buf_, header, payload);
}

std::uint64_t Worker::send(RequestKind kind, std::string_view payload, std::string_view import_key,
                           std::chrono::milliseconds timeout, Clock::time_point now) {
  assert(state_ == WorkerState::Ready);
  std::uint64_t id = next_request_id_++;
  queue_request(kind, id, payload);
  ++usage_.requests;
  if (!import_key.empty()) usage_.import_keys.emplace(import_key);
  current_request_ = id;
  state_ = WorkerState::Busy;
  request_timeout_ = timeout.count() > 0 ? timeout : options_.request_timeout;
  deadline_ = request_timeout_.count() > 0 ? std::optional(now + request_timeout_) : std::nullopt;
  if (options_.restart.rss_hard_bytes != 0) rss_next_ = now + options_.rss_sample_interval;
  flush_output();  // most requests fit the pipe: no need to wait for POLLOUT
  return id;
}

void Worker::stop(RequestKind kind, std::string_view note, Clock::time_point now) {
  assert(state_ == WorkerState::Ready);
  assert(kind == RequestKind::Shutdown || kind == RequestKind::Cycle);
  queue_request(kind, next_request_id_++, note);
  close_stdin_when_flushed_ = true;  // EOF also tells a child that ignores the frame
  state_ = WorkerState::Stopping;
  deadline_ = now + options_.shutdown_grace;
  rss_next_.reset();
  flush_output();
}

void Worker::kill(KillReason reason, std::string detail) {
  if (state_ == WorkerState::Down) return;
  end_incarnation(reason, std::move(detail));
}

void Worker::flush_output() {
  while (stdin_ && out_off_ < out_buf_.size()) {
    long n = write_no_sigpipe(stdin_.get(), out_buf_.data() + out_off_, out_buf_.size() - out_off_);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;  // pipe full: POLLOUT resumes
      // EPIPE: the child is dying or closed stdin. Normally its exit (pidfd) follows and
      // decides the classification; a child that lives on without reading requests would
      // hang its request, so it gets the same short linger as one that closed stdout.
      log_->debug("worker {} gen {}: write to child failed: {}", id_, generation_, std::strerror(errno));
      stdin_.reset();
      if (state_ != WorkerState::Stopping && !linger_until_) {
        lost_stream_ = "stdin closed (write failed) but the process did not exit";
        linger_until_ = Clock::now() + options_.exit_linger;
      }
      break;
    }
    out_off_ += static_cast<std::size_t>(n);
  }
  out_buf_.clear();
  out_off_ = 0;
  if (close_stdin_when_flushed_) stdin_.reset();
}

void Worker::collect_pollfds(std::vector<pollfd>& fds) {
  poll_in_ = poll_out_ = poll_err_ = poll_pid_ = -1;
  if (state_ == WorkerState::Down) return;
  auto add = [&](int fd, short events) {
    fds.push_back(pollfd{fd, events, 0});
    return static_cast<int>(fds.size() - 1);
  };
  if (stdin_ && out_off_ < out_buf_.size()) poll_in_ = add(stdin_.get(), POLLOUT);
  if (stdout_) poll_out_ = add(stdout_.get(), POLLIN);
  if (stderr_) poll_err_ = add(stderr_.get(), POLLIN);
  if (process_.pidfd() >= 0) poll_pid_ = add(process_.pidfd(), POLLIN);
}

void Worker::handle_poll(const std::vector<pollfd>& fds, Clock::time_point now) {
  auto ready = [&](int index) { return index >= 0 && fds[static_cast<std::size_t>(index)].revents != 0; };
  // Each step may end the incarnation; the ones after it then see state_ == Down.
  if (ready(poll_in_) && state_ != WorkerState::Down) flush_output();
  if (ready(poll_out_) && state_ != WorkerState::Down && stdout_) read_stdout(now, false);
  if (ready(poll_err_) && state_ != WorkerState::Down && stderr_) read_stderr(false);
  if (ready(poll_pid_) && state_ != WorkerState::Down) on_process_exit(now);
}

void Worker::read_stdout(Clock::time_point now, bool drain) {
  std::size_t budget = kReadBudget;
  while (stdout_ && state_ != WorkerState::Down) {
    std::span<char> space = decoder_->prepare();
    ssize_t n = ::read(stdout_.get(), space.data(), space.size());
    if (n > 0) {
      decoder_->commit(static_cast<std::size_t>(n));
      process_frames(now);
      if (!drain && static_cast<std::size_t>(n) >= budget) return;
      if (!drain) budget -= static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    on_stdout_eof(now);  // EOF, or a read error that means the same for us
    return;
  }
}

void Worker::read_stderr(bool drain) {
  char buf[16u << 10];
  // Without `drain`, one read per round is enough: stderr is for humans, not throughput.
  for (int rounds = 0; stderr_ && (drain || rounds < 4); ++rounds) {
    ssize_t n = ::read(stderr_.get(), buf, sizeof buf);
    if (n > 0) {
      ring_.append(std::string_view(buf, static_cast<std::size_t>(n)));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || errno != EAGAIN) stderr_.reset();
    return;
  }
}

void Worker::on_stdout_eof(Clock::time_point now) {
  stdout_.reset();
  if (state_ == WorkerState::Stopping) return;  // expected; the exit follows
  // Usually the child is exiting (crash or exit) and pidfd fires within microseconds;
  // only a child that closed stdout but lives on is a protocol violation.
  auto truncated = decoder_->finish();
  lost_stream_ = truncated ? fmt::format("stdout closed mid-frame ({})", truncated->describe())
                           : std::string("stdout closed but the process did not exit");
  linger_until_ = now + options_.exit_linger;
}

void Worker::on_process_exit(Clock::time_point now) {
  // Whatever the child wrote before dying is still in the pipes: rows before a crash are
  // delivered, and the stderr tail has its last words.
  if (stdout_) read_stdout(now, true);
  if (state_ == WorkerState::Down) return;
  if (stderr_) read_stderr(true);
  end_incarnation(KillReason::None, {});
}

void Worker::process_frames(Clock::time_point now) {
  while (state_ != WorkerState::Down) {
    auto next = decoder_->next();
    if (!next) return end_incarnation(KillReason::ProtocolViolation, next.error().describe());
    if (!*next) return;
    process_frame(**next, now);
  }
}

void Worker::violation(Violation kind, std::string message) {
  end_incarnation(KillReason::ProtocolViolation, fmt::format("{}: {}", to_string(kind), message));
}

void Worker::process_frame(const FrameView& frame, Clock::time_point now) {
  const FrameHeader& h = frame.header;
  switch (state_) {
    case WorkerState::Starting: {
      if (h.type != FrameType::Hello)
        return violation(Violation::OutputBeforeHello, fmt::format("{} frame before hello", to_string(h.type)));
      auto hello = decode_hello(frame.payload);
      if (!hello || h.request_id != 0) return violation(Violation::BadHello, "malformed hello");
      if (hello->protocol_version != kProtocolVersion) {
        return violation(Violation::BadHello,
                         fmt::format("protocol version {}, expected {}", hello->protocol_version, kProtocolVersion));
      }
      if (hello->pid != static_cast<std::uint32_t>(process_.pid())) {
        log_->warn("worker {} gen {}: hello from pid {} but spawned pid {} (wrapper?)", id_, generation_, hello->pid,
                   process_.pid());
      }
      hello_ = std::move(*hello);
      handshake_latency_ = now - spawned_at_;
      usage_.last_activity = now;
      deadline_.reset();
      state_ = WorkerState::Ready;
      listener_.on_worker_ready(*this);
      return;
    }
    case WorkerState::Ready:
      if (h.type == FrameType::Hello) return violation(Violation::BadHello, "second hello");
      if (is_terminal(h.type) && h.request_id == last_terminal_ && last_terminal_ != 0)
        return violation(Violation::SecondTerminal, fmt::format("request {}", h.request_id));
      return violation(Violation::OutputWhileIdle, fmt::format("{} frame for request {}", to_string(h.type), h.request_id));
    case WorkerState::Busy:
      if (h.type == FrameType::Hello) return violation(Violation::BadHello, "second hello");
      if (h.request_id != current_request_) {
        if (is_terminal(h.type) && h.request_id == last_terminal_ && last_terminal_ != 0)
          return violation(Violation::SecondTerminal, fmt::format("request {}", h.request_id));
        return violation(Violation::UnaskedRequestId,
                         fmt::format("{} frame for request {} while {} is in flight", to_string(h.type),
                                     h.request_id, current_request_));
      }
      if (h.type == FrameType::Stats) {
        auto stats = decode_stats(frame.payload);
        if (!stats) return violation(Violation::MalformedPayload, "stats payload shorter than 16 bytes");
        usage_.retained_bytes = stats->retained_bytes;
      }
      if (!is_terminal(h.type)) return listener_.on_request_frame(*this, frame);
      state_ = WorkerState::Ready;
      last_terminal_ = current_request_;
      current_request_ = 0;
      usage_.last_activity = now;
      deadline_.reset();
      rss_next_.reset();
      return listener_.on_request_done(*this, frame);
    case WorkerState::Stopping:
      return;  // the shutdown answer or late output: the child is on its way out anyway
    case WorkerState::Down:
      return;
  }
}

void Worker::end_incarnation(KillReason reason, std::string detail) {
  assert(state_ != WorkerState::Down);
  WorkerState before = state_;
  FatalExit exit;
  exit.worker_id = id_;
  exit.generation = generation_;
  exit.pid = process_.pid();
  exit.work_entered_child = before == WorkerState::Busy;
  if (before == WorkerState::Busy) exit.request_id = current_request_;
  exit.detail = std::move(detail);
  if (reason != KillReason::None) process_.signal_group(SIGKILL);
  int status = process_.reap();
  if (stderr_) read_stderr(true);  // the writers are dead now: this terminates
  classify_wait_status(exit, status, reason);
  if (before == WorkerState::Starting && exit.kind != ExitKind::Cancelled &&
      exit.kind != ExitKind::ProtocolViolation && exit.kind != ExitKind::StartupFailure) {
    exit.detail = fmt::format("exited before hello: {}", exit.detail);
    exit.kind = ExitKind::StartupFailure;
  }
  exit.stderr_tail = ring_.tail();

  stdin_.reset();
  stdout_.reset();
  stderr_.reset();
  decoder_.reset();
  out_buf_.clear();
  out_off_ = 0;
  deadline_.reset();
  rss_next_.reset();
  linger_until_.reset();
  exit_check_.reset();
  current_request_ = 0;
  state_ = WorkerState::Down;

  bool planned = before == WorkerState::Stopping;
  // A worker still starting, killed because the pool shuts down (its job went elsewhere),
  // is no failure worth a warning on a clean run.
  bool shutdown_kill = exit.kind == ExitKind::Cancelled && before == WorkerState::Starting;
  if (exit.is_failure() && !(planned && exit.kind == ExitKind::Clean) && !shutdown_kill)
    log_->warn("{}", exit.describe());
  else
    log_->debug("{}", exit.describe());
  listener_.on_worker_exit(*this, exit, planned);
}

void Worker::handle_timers(Clock::time_point now) {
  if (state_ == WorkerState::Down) return;
  if (exit_check_ && now >= *exit_check_) {
    if (process_.has_exited()) return on_process_exit(now);
    exit_check_ = now + kExitCheckPeriod;
  }
  if (linger_until_ && now >= *linger_until_) return end_incarnation(KillReason::ProtocolViolation, lost_stream_);
  if (deadline_ && now >= *deadline_) {
    switch (state_) {
      case WorkerState::Starting:
        return end_incarnation(KillReason::StartupTimeout,
                               fmt::format("no hello within {} ms", options_.startup_timeout.count()));
      case WorkerState::Busy:
        return end_incarnation(KillReason::RequestTimeout, fmt::format("request {} exceeded {} ms",
                                                                        current_request_, request_timeout_.count()));
      case WorkerState::Stopping:
        return end_incarnation(KillReason::ShutdownTimeout,
                               fmt::format("still running {} ms after shutdown", options_.shutdown_grace.count()));
      default: deadline_.reset(); break;
    }
  }
  if (rss_next_ && now >= *rss_next_ && state_ == WorkerState::Busy) {
    std::uint64_t rss = process_.resident_set_bytes().value_or(0);
    peak_rss_ = std::max(peak_rss_, rss);
    if (rss >= options_.restart.rss_hard_bytes) {
      return end_incarnation(KillReason::RssHardLimit, fmt::format("RSS {} MiB >= hard ceiling {} MiB", mib(rss),
                                                                   mib(options_.restart.rss_hard_bytes)));
    }
    rss_next_ = now + options_.rss_sample_interval;
  }
}

std::optional<Clock::time_point> Worker::next_deadline() const {
  std::optional<Clock::time_point> best;
  for (const auto& t : {deadline_, rss_next_, linger_until_, exit_check_}) {
    if (t && (!best || *t < *best)) best = t;
  }
  return best;
}

}  // namespace leanbatch::supervise
