#include "leanbatch/supervise/child_process.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <string_view>

#include <fmt/format.h>

namespace leanbatch::supervise {

ChildProcess::ChildProcess(pid_t pid) : pid_(pid) {
  assert(pid > 0);
#ifdef SYS_pidfd_open
  // Called directly: glibc only wraps pidfd_open from 2.36 on, and the fallback is cheap.
  long fd = ::syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0) pidfd_.reset(static_cast<int>(fd));
#endif
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
  }
  return *this;
}

void ChildProcess::signal_group(int sig) noexcept {
  if (pid_ <= 0) return;
  // The group exists as long as the (unreaped) leader does, so -pid_ cannot name a
  // stranger's group. ESRCH means setpgid never ran (exec setup failed early).
  if (::kill(-pid_, sig) != 0 && errno == ESRCH) ::kill(pid_, sig);
}

bool ChildProcess::has_exited() noexcept {
  if (pid_ <= 0) return true;
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    if (errno != EINTR) return true;  // ECHILD: not ours any more; treat as gone
  }
  return info.si_pid == pid_;
}

int ChildProcess::reap() noexcept {
  assert(pid_ > 0);
  signal_group(SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) {
      status = kStatusUnavailable;  // ECHILD: someone set SIGCHLD to SIG_IGN or reaped it
      break;
    }
  }
  pid_ = -1;
  pidfd_.reset();
  return status;
}

std::optional<int> ChildProcess::kill_and_reap() noexcept {
  if (pid_ <= 0) return std::nullopt;
  signal_group(SIGKILL);
  return reap();
}

std::optional<std::uint64_t> ChildProcess::resident_set_bytes() const {
  if (pid_ <= 0) return std::nullopt;
  auto path = fmt::format("/proc/{}/statm", pid_);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  char buf[128];
  ssize_t n = ::read(fd.get(), buf, sizeof buf);
  if (n <= 0) return std::nullopt;
  std::string_view text(buf, static_cast<std::size_t>(n));
  // statm: "size resident shared text lib data dt", all in pages; "shared" is the resident
  // file-backed (and shmem) pages. Those are left out: a mapped file (an export image many
  // workers map, the executable, libraries) is shared and reclaimable, and counting it
  // would restart or kill workers for memory they do not hold alone.
  std::uint64_t field[3] = {0, 0, 0};
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (auto& f : field) {
    while (p < end && *p == ' ') ++p;
    auto [next, ec] = std::from_chars(p, end, f);
    if (ec != std::errc{}) return std::nullopt;
    p = next;
  }
  static const auto page_size = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const std::uint64_t resident = field[1], shared = field[2];
  return (resident > shared ? resident - shared : 0) * page_size;
}

}  // namespace leanbatch::supervise
