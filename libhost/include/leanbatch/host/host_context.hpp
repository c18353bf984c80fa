#pragma once
/// What a caller hands to long-running libhost operations: a cancellation token and a
/// progress sink. libhost never prints; callers decide what to do with progress.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>

namespace leanbatch::host {

/// Cooperative cancellation: set from any thread (or a signal handler's flag poller), polled
/// by the reader and the kernel's loops.
class CancelToken {
 public:
  void request() { flag_.store(true, std::memory_order_relaxed); }
  void reset() { flag_.store(false, std::memory_order_relaxed); }
  bool requested() const { return flag_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> flag_{false};
};

struct Progress {
  std::string_view phase;  ///< "read", "check"
  uint64_t done = 0;
  uint64_t total = 0;      ///< 0 when unknown
};

using ProgressSink = std::function<void(const Progress&)>;

}  // namespace leanbatch::host
