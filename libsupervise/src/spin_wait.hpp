#pragma once
// Spinning before a blocking wait (speed only). On virtual machines, waking a process that
// sleeps on another CPU can cost ~100 us; a peer that answers within microseconds is
// cheaper to wait for awake. Callers spin only when their previous wait was that short.
#include <poll.h>

#include <chrono>

namespace leanbatch::supervise::detail {

/// Polls `fds` without sleeping until one is ready or `window` has passed since `start`.
inline void spin_until_ready(pollfd* fds, nfds_t n, std::chrono::steady_clock::time_point start,
                             std::chrono::microseconds window) {
  const auto until = start + window;
  while (::poll(fds, n, 0) == 0 && std::chrono::steady_clock::now() < until) {
  }
}

}  // namespace leanbatch::supervise::detail
