#pragma once
/// Sole owner of one spawned child's pid (and its pidfd).
///
/// The child leads its own process group (see HardeningOptions), so signals go to the
/// whole group: a worker that forked helpers cannot leave them behind. Destroying an
/// unreaped ChildProcess SIGKILLs the group and reaps the leader, so no code path leaves
/// a zombie or an orphan.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <utility>

#include "leanbatch/supervise/unique_fd.hpp"

namespace leanbatch::supervise {

class ChildProcess {
 public:
  /// reap() result when the status was lost (the child was reaped behind our back, e.g.
  /// because the process set SIGCHLD to SIG_IGN). Not a valid wait status.
  static constexpr int kStatusUnavailable = -1;

  ChildProcess() = default;
  /// Takes ownership of `pid` (which must be our unreaped child) and opens its pidfd.
  explicit ChildProcess(pid_t pid);
  ChildProcess(ChildProcess&& other) noexcept
      : pid_(std::exchange(other.pid_, -1)), pidfd_(std::move(other.pidfd_)) {}
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { kill_and_reap(); }

  /// -1 once reaped (or when empty).
  pid_t pid() const noexcept { return pid_; }
  /// Readable (POLLIN) once the child has exited; -1 if the kernel has no pidfd_open, in
  /// which case callers poll has_exited() on a timer.
  int pidfd() const noexcept { return pidfd_.get(); }
  bool owns_child() const noexcept { return pid_ > 0; }

  /// Sends `sig` to the child's process group (to the child alone if the group is gone).
  void signal_group(int sig) noexcept;
  /// Whether the child has terminated, without reaping it (waitid WNOWAIT), so the pid
  /// and the process group id stay reserved until reap().
  bool has_exited() noexcept;
  /// SIGKILLs whatever is left in the group (helpers the child forked), then waits for the
  /// child. Blocks until the child is gone. Returns the raw wait status
  /// or kStatusUnavailable.
  int reap() noexcept;
  /// SIGKILL the group and reap; no-op when empty. Returns the raw status or nullopt.
  std::optional<int> kill_and_reap() noexcept;

  /// Private resident memory in bytes: the resident set minus its file-backed (and shmem)
  /// pages (/proc/<pid>/statm: resident − shared, times the page size), which is what the RSS
  /// policies limit; nullopt when reaped or /proc is unreadable. Counts the child only, not helpers it
  /// forked. One open/read/close: cheap enough to sample during every request.
  std::optional<std::uint64_t> resident_set_bytes() const;

 private:
  pid_t pid_ = -1;
  UniqueFd pidfd_;
};

}  // namespace leanbatch::supervise
