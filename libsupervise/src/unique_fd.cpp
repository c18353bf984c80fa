#include "leanbatch/supervise/unique_fd.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <ctime>

namespace leanbatch::supervise {

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

namespace {

std::error_code last_error() { return {errno, std::system_category()}; }

// Moves `fd` to a number >= 3 if it landed on a standard descriptor (possible when the
// parent was started with fd 0, 1 or 2 closed).
std::error_code lift_above_stdio(UniqueFd& fd) {
  if (fd.get() > 2) return {};
  int lifted = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (lifted < 0) return last_error();
  fd.reset(lifted);
  return {};
}

}  // namespace

std::expected<Pipe, std::error_code> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::unexpected(last_error());
  Pipe p{UniqueFd(fds[0]), UniqueFd(fds[1])};
  if (auto ec = lift_above_stdio(p.read)) return std::unexpected(ec);
  if (auto ec = lift_above_stdio(p.write)) return std::unexpected(ec);
  return p;
}

std::error_code set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return last_error();
  if ((flags & O_NONBLOCK) == 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return last_error();
  return {};
}

long write_no_sigpipe(int fd, const char* data, std::size_t size) {
  sigset_t pipe_only, old_mask, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask);
  // A SIGPIPE already pending belongs to someone else; only consume the one we cause.
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  ssize_t n = ::write(fd, data, size);
  int saved = errno;
  if (n < 0 && saved == EPIPE && !was_pending) {
    timespec zero{0, 0};
    while (::sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  errno = saved;
  return n;
}

std::error_code write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    long n = write_no_sigpipe(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return {};
}

int count_open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count - 1;  // the DIR's own descriptor
}

}  // namespace leanbatch::supervise
