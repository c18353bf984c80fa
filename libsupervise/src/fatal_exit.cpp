#include "leanbatch/supervise/fatal_exit.hpp"

#include <sys/wait.h>

#include <csignal>
#include <cstring>

#include <fmt/format.h>

namespace leanbatch::supervise {

const char* to_string(ExitKind k) {
  switch (k) {
    case ExitKind::Clean: return "clean_exit";
    case ExitKind::ExitCode: return "exit_code";
    case ExitKind::Abort: return "abort";
    case ExitKind::Crash: return "crash";
    case ExitKind::Killed: return "killed";
    case ExitKind::KilledByLimit: return "killed_by_limit";
    case ExitKind::Signaled: return "signaled";
    case ExitKind::Timeout: return "timeout";
    case ExitKind::ProtocolViolation: return "protocol_violation";
    case ExitKind::StartupFailure: return "startup_failure";
    case ExitKind::Cancelled: return "cancelled";
  }
  return "unknown";
}

std::string signal_name(int sig) {
  // sigabbrev_np is glibc >= 2.32; it is async-signal-safe and returns "SEGV" for 11.
  if (const char* abbrev = ::sigabbrev_np(sig)) return fmt::format("SIG{}", abbrev);
  return fmt::format("signal {}", sig);
}

std::string FatalExit::describe() const {
  std::string out = fmt::format("worker {} gen {} pid {}: {}", worker_id, generation, pid, to_string(kind));
  if (!detail.empty()) out += fmt::format(" ({})", detail);
  if (request_id) out += fmt::format(" during request {}", *request_id);
  return out;
}

void classify_wait_status(FatalExit& out, int status, KillReason reason) {
  if (status == -1) {  // ChildProcess::kStatusUnavailable
    out.exit_code = -1;
    out.signal = 0;
  } else if (WIFEXITED(status)) {
    out.exit_code = WEXITSTATUS(status);
    out.signal = 0;
  } else if (WIFSIGNALED(status)) {
    out.exit_code = -1;
    out.signal = WTERMSIG(status);
  }
  auto set = [&](ExitKind kind, std::string detail) {
    out.kind = kind;
    if (out.detail.empty()) out.detail = std::move(detail);
  };
  switch (reason) {
    case KillReason::RequestTimeout: return set(ExitKind::Timeout, "request watchdog expired");
    case KillReason::ShutdownTimeout: return set(ExitKind::Timeout, "did not exit within the shutdown grace period");
    case KillReason::StartupTimeout: return set(ExitKind::StartupFailure, "no hello within the startup timeout");
    case KillReason::RssHardLimit: return set(ExitKind::KilledByLimit, "RSS above the hard ceiling");
    case KillReason::ProtocolViolation: return set(ExitKind::ProtocolViolation, "protocol violation");
    case KillReason::Cancelled: return set(ExitKind::Cancelled, "run interrupted");
    case KillReason::None: break;
  }
  if (status == -1) return set(ExitKind::Signaled, "exit status unavailable (child reaped elsewhere)");
  if (WIFEXITED(status)) {
    if (out.exit_code == 0) return set(ExitKind::Clean, "exit 0");
    return set(ExitKind::ExitCode, fmt::format("exit {}", out.exit_code));
  }
  switch (out.signal) {
    case SIGABRT: return set(ExitKind::Abort, signal_name(out.signal));
    case SIGSEGV:
    case SIGBUS:
    case SIGILL:
    case SIGFPE: return set(ExitKind::Crash, signal_name(out.signal));
    case SIGKILL: return set(ExitKind::Killed, "SIGKILL not sent by the supervisor (OOM killer?)");
    default: return set(ExitKind::Signaled, signal_name(out.signal));
  }
}

}  // namespace leanbatch::supervise
