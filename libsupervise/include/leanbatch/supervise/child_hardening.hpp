#pragma once
/// Process hardening applied in a freshly forked child before exec.
///
/// Runs between fork and exec, so everything here is async-signal-safe: plain syscalls,
/// no allocation, no locks, no logging. A worker may also call it on itself when it was
/// started by something other than the supervisor.
#include <sys/types.h>

#include <cstdint>

namespace leanbatch::supervise {

struct HardeningOptions {
  /// The supervisor's pid for the die-with-parent race check; 0 skips the check.
  pid_t parent_pid = 0;
  /// PR_SET_PDEATHSIG(SIGKILL): the kernel kills the child when the spawning *thread*
  /// exits, so a supervisor crash cannot leave orphaned workers behind.
  bool die_with_parent = true;
  /// setpgid(0, 0): the child leads its own process group, so the supervisor can kill it
  /// and anything it forked with one kill(-pgid), and a terminal's Ctrl-C does not reach it.
  bool own_process_group = true;
  /// RLIMIT_CORE = 0: a crashing worker must not spend seconds writing a core file.
  bool disable_core_dumps = true;
  /// RLIMIT_AS in bytes, 0 = leave unchanged. Allocation failure then surfaces inside the
  /// child (bad_alloc -> abort) instead of the OOM killer picking a victim.
  std::uint64_t address_space_limit = 0;
  /// Empty signal mask and default SIGPIPE/SIGINT/SIGTERM/SIGHUP/SIGQUIT dispositions: the
  /// supervisor blocks and ignores some of these, and masks and ignored dispositions
  /// survive exec.
  bool reset_signals = true;
  /// Marks every descriptor >= 3 close-on-exec (close_range), so fds some other library in
  /// the supervisor opened without O_CLOEXEC do not leak into workers.
  bool cloexec_extra_fds = true;
  /// Pin the child to this CPU (sched_setaffinity) before exec; -1 = keep the inherited
  /// affinity. Best effort (speed only): a CPU that cannot be set leaves the affinity as is.
  int cpu = -1;
};

/// Applies `options` to the calling process. Returns 0, or an errno value with
/// `*failed_step` set to a static string naming the step that failed.
int harden_current_process(const HardeningOptions& options, const char** failed_step) noexcept;

}  // namespace leanbatch::supervise
