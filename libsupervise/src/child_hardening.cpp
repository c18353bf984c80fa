#include "leanbatch/supervise/child_hardening.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <initializer_list>

namespace leanbatch::supervise {

namespace {

int fail(const char** failed_step, const char* step) {
  int err = errno;
  if (failed_step != nullptr) *failed_step = step;
  return err != 0 ? err : EINVAL;
}

// Fallback when close_range(2) is unavailable (kernel < 5.11 for the CLOEXEC flag).
void cloexec_by_loop() {
  rlimit lim{};
  rlim_t max_fd = (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) ? lim.rlim_cur : 4096;
  for (rlim_t fd = 3; fd < max_fd; ++fd) {
    int flags = ::fcntl(static_cast<int>(fd), F_GETFD);
    if (flags >= 0 && (flags & FD_CLOEXEC) == 0) ::fcntl(static_cast<int>(fd), F_SETFD, flags | FD_CLOEXEC);
  }
}

}  // namespace

int harden_current_process(const HardeningOptions& o, const char** failed_step) noexcept {
  if (o.own_process_group && ::setpgid(0, 0) != 0) return fail(failed_step, "setpgid");
  if (o.die_with_parent) {
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return fail(failed_step, "prctl(PR_SET_PDEATHSIG)");
    // The parent may have died between fork and prctl; then nobody would ever kill us.
    if (o.parent_pid != 0 && ::getppid() != o.parent_pid) {
      errno = ESRCH;
      return fail(failed_step, "parent exited before the child was armed");
    }
  }
  if (o.disable_core_dumps) {
    rlimit none{0, 0};
    if (::setrlimit(RLIMIT_CORE, &none) != 0) return fail(failed_step, "setrlimit(RLIMIT_CORE)");
  }
  if (o.address_space_limit != 0) {
    rlimit as{static_cast<rlim_t>(o.address_space_limit), static_cast<rlim_t>(o.address_space_limit)};
    if (::setrlimit(RLIMIT_AS, &as) != 0) return fail(failed_step, "setrlimit(RLIMIT_AS)");
  }
  if (o.reset_signals) {
    sigset_t none;
    sigemptyset(&none);
    if (::sigprocmask(SIG_SETMASK, &none, nullptr) != 0) return fail(failed_step, "sigprocmask");
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
      if (::sigaction(sig, &dfl, nullptr) != 0) return fail(failed_step, "sigaction");
    }
  }
  if (o.cloexec_extra_fds && ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) cloexec_by_loop();
  if (o.cpu >= 0 && o.cpu < CPU_SETSIZE) {
    // Speed only, so a failure (CPU offline, outside the cgroup's cpuset) is not an error:
    // the child then runs wherever the scheduler puts it.
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(o.cpu, &one);
    (void)::sched_setaffinity(0, sizeof one, &one);
  }
  return 0;
}

}  // namespace leanbatch::supervise
