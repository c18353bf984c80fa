#pragma once
/// Sole owner of one file descriptor, and the pipe/nonblocking helpers built on it.
///
/// Every fd libsupervise opens lives in exactly one UniqueFd from the moment the syscall
/// returns, so an early return or an exception in the caller cannot leak it. Every fd is
/// created close-on-exec: a child only ever receives the descriptors a spawn explicitly
/// dup2()s onto 0, 1 and 2.
#include <expected>
#include <system_error>
#include <utility>

namespace leanbatch::supervise {

class UniqueFd {
 public:
  UniqueFd() = default;
  /// Takes ownership of `fd` (-1 means "none").
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  /// Gives up ownership without closing.
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
  /// Closes the owned fd (if any) and takes `fd`. close() errors are ignored on purpose:
  /// on Linux the descriptor is gone whatever close() reports, and retrying would be wrong.
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

/// Both ends of one pipe, close-on-exec, and never numbered 0, 1 or 2 (so a spawn that
/// dup2()s them onto the standard descriptors cannot clobber one with another even when
/// the parent runs with a closed stdin).
struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

std::expected<Pipe, std::error_code> make_pipe();

/// Sets O_NONBLOCK on `fd`.
std::error_code set_nonblocking(int fd);

/// Writes all of `size` bytes to a blocking `fd`, retrying on EINTR and short writes;
/// uses write_no_sigpipe, so a closed reader is EPIPE, never a signal.
std::error_code write_all(int fd, const char* data, std::size_t size);

/// One write() that cannot raise SIGPIPE: the signal is blocked in this thread for the
/// call and a SIGPIPE the write itself generated is consumed, so a dead reader yields
/// EPIPE without touching the process-wide disposition. Returns bytes written or -1/errno.
long write_no_sigpipe(int fd, const char* data, std::size_t size);

/// Number of open descriptors of this process (entries of /proc/self/fd, excluding the
/// directory handle used to count them); -1 if /proc is unavailable. For leak checks.
int count_open_fds();

}  // namespace leanbatch::supervise
