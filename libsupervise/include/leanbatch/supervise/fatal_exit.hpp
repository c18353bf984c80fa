#pragma once
/// How a worker incarnation ended, as a typed value.
///
/// The classification is what the tool maps to row statuses and exit codes, so it must not
/// depend on guesswork: when the supervisor itself killed the child (watchdog, memory
/// limit, protocol violation, cancellation) that reason wins over the raw wait status
/// (which is always SIGKILL then); otherwise the wait status decides.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace leanbatch::supervise {

enum class ExitKind : std::uint8_t {
  Clean,              ///< exit status 0
  ExitCode,           ///< exit status != 0
  Abort,              ///< SIGABRT: abort(), failed assert, Lean panic with LEAN_ABORT_ON_PANIC=1
  Crash,              ///< SIGSEGV, SIGBUS, SIGILL, SIGFPE (includes stack overflow)
  Killed,             ///< SIGKILL we did not send: the kernel OOM killer or someone else
  KilledByLimit,      ///< we sent SIGKILL because RSS passed the hard ceiling
  Signaled,           ///< any other terminating signal (SIGTERM, SIGPIPE, ...)
  Timeout,            ///< we sent SIGKILL: request watchdog or shutdown grace expired
  ProtocolViolation,  ///< we sent SIGKILL: bad frame, unasked response, closed stdout, ...
  StartupFailure,     ///< spawn failed, or no valid Hello within the startup timeout
  Cancelled,          ///< we sent SIGKILL because the run was interrupted
};

/// Stable snake_case name for rows and events ("crash", "killed_by_limit", ...).
const char* to_string(ExitKind k);

/// Why the supervisor killed a child, if it did; decides the classification.
enum class KillReason : std::uint8_t {
  None,
  RequestTimeout,
  StartupTimeout,
  ShutdownTimeout,
  RssHardLimit,
  ProtocolViolation,
  Cancelled,
};

struct FatalExit {
  ExitKind kind = ExitKind::Clean;
  int exit_code = -1;               ///< when the child exited normally
  int signal = 0;                   ///< terminating signal, 0 if it exited normally or was never reaped
  bool work_entered_child = false;  ///< a request was in flight (its effects are unknown)
  std::uint32_t worker_id = 0;
  std::uint32_t generation = 0;
  pid_t pid = -1;
  std::optional<std::uint64_t> request_id;  ///< the in-flight request, if any
  std::string detail;                       ///< human explanation: "SIGSEGV", "no hello within 200 ms", ...
  std::string stderr_tail;                  ///< last bytes the child wrote to stderr

  /// Only a clean exit of an idle or stopping child is not a failure.
  bool is_failure() const { return kind != ExitKind::Clean || work_entered_child; }
  /// One line for logs: "worker 2 gen 5 pid 1234: crash (SIGSEGV) during request 17".
  std::string describe() const;
};

/// Fills kind, exit_code, signal and a default detail from a raw waitpid() status and the
/// supervisor's own kill reason (which takes precedence, see the file comment).
void classify_wait_status(FatalExit& out, int wait_status, KillReason reason);

/// "SIGSEGV" etc. (falls back to "signal N").
std::string signal_name(int sig);

}  // namespace leanbatch::supervise
