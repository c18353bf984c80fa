#pragma once
/// Exit codes of `leanbatch check` / `run` (Lean Kernel Arena convention first).
namespace leanbatch::tools {

inline constexpr int kExitAccepted = 0;   ///< every item accepted
inline constexpr int kExitRejected = 1;   ///< some declaration rejected, or malformed input
inline constexpr int kExitDeclined = 2;   ///< declined (unsupported feature), nothing rejected
inline constexpr int kExitUndecided = 3;  ///< could not decide: crash, timeout, I/O failure
inline constexpr int kExitUsage = 64;     ///< command-line usage error
inline constexpr int kExitInterrupted = 130;

/// Tallies outcomes and derives the exit code: rejected/malformed beats undecided beats
/// declined beats accepted.
/// Declaration rows count in ok … skipped; file rows (a file that could not be read) in
/// malformed and the file_* counters, so that "declarations" counts declaration rows only.
struct Outcomes {
  unsigned long long ok = 0, rejected = 0, declined = 0, timeout = 0, crashed = 0, cancelled = 0, skipped = 0;
  /// Skipped because a dependency timed out or crashed: undecided (exit 3), unlike a missing
  /// requested name (`skipped`, exit 1). The summary's "skipped" counts both.
  unsigned long long skipped_dependents = 0;
  unsigned long long malformed = 0, file_declined = 0, file_crashed = 0, file_cancelled = 0, file_timeout = 0;
  bool interrupted = false;
  bool io_error = false;

  unsigned long long declarations() const {
    return ok + rejected + declined + timeout + crashed + cancelled + skipped + skipped_dependents;
  }
  unsigned long long file_errors() const {
    return malformed + file_declined + file_crashed + file_cancelled + file_timeout;
  }

  int exit_code() const {
    // Rows that could not be written leave the run undecided, whatever stopped it then.
    if (io_error) return kExitUndecided;
    if (interrupted) return kExitInterrupted;
    if (rejected > 0 || malformed > 0 || skipped > 0) return kExitRejected;  // skipped: a requested name is missing
    if (timeout > 0 || crashed > 0 || cancelled > 0 || skipped_dependents > 0 || file_crashed > 0 || file_cancelled > 0 ||
        file_timeout > 0 || io_error)
      return kExitUndecided;
    if (declined > 0 || file_declined > 0) return kExitDeclined;
    return kExitAccepted;
  }
};

}  // namespace leanbatch::tools
