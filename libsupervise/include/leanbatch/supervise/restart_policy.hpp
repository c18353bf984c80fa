#pragma once
/// When to replace a healthy worker incarnation, and when to stop replacing failed ones.
///
/// restart_cause() is checked before every request, in this fixed order (the first match
/// is the cause reported):
///   1. explicit cycle   the job asked for a fresh worker (Job::cycle_before)
///   2. max requests     the incarnation already served max_requests requests
///   3. max imports      the request's import key is new and max_imports distinct keys
///                       were already sent to this incarnation
///   4. retained bytes   the child's last Stats reported >= max_retained_bytes
///   5. RSS soft ceiling the child's RSS (sampled from /proc now) is >= rss_soft_bytes
///   6. idle             no request for idle_restart
/// The RSS hard ceiling is different: it is sampled *during* a request and kills the child
/// (ExitKind::KilledByLimit). RestartIntensity bounds restarts after failures.
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace leanbatch::supervise {

using Clock = std::chrono::steady_clock;

/// Each limit is off when 0.
struct RestartLimits {
  std::uint32_t max_requests = 0;
  std::uint32_t max_imports = 0;
  std::uint64_t max_retained_bytes = 0;
  std::uint64_t rss_soft_bytes = 0;
  std::uint64_t rss_hard_bytes = 0;
  std::chrono::milliseconds idle_restart{0};
};

enum class RestartCause : std::uint8_t {
  ExplicitCycle,
  MaxRequests,
  MaxImports,
  RetainedBytes,
  RssSoft,
  Idle,
  Failure,  ///< the previous incarnation ended badly (see the Exited event's FatalExit)
};

/// Stable snake_case name for event rows ("max_requests", "rss_soft", ...).
const char* to_string(RestartCause c);

/// What one incarnation has done so far; maintained by Worker.
struct IncarnationUsage {
  std::uint32_t requests = 0;  ///< requests sent (including the one in flight)
  std::unordered_set<std::string> import_keys;
  std::uint64_t retained_bytes = 0;  ///< from the last Stats frame
  Clock::time_point last_activity{};  ///< handshake or end of the last request
};

struct NextRequest {
  bool explicit_cycle = false;
  std::string_view import_key;  ///< empty: the request imports nothing
};

/// The first matching cause in the documented order, or nullopt. `rss_bytes` is the
/// current sample (nullopt when unknown or not sampled because rss_soft_bytes is 0).
std::optional<RestartCause> restart_cause(const RestartLimits& limits, const IncarnationUsage& usage,
                                          const NextRequest& next, std::optional<std::uint64_t> rss_bytes,
                                          Clock::time_point now);

/// Sliding-window count of restarts after failures (planned restarts are not counted: a
/// max_requests of 1 is a legitimate configuration, not a crash loop).
class RestartIntensity {
 public:
  RestartIntensity(std::uint32_t max_restarts = 16, std::chrono::milliseconds window = std::chrono::seconds(60))
      : max_(max_restarts), window_(window) {}
  /// Records one restart at `now`; false when it exceeds the limit (give up).
  bool record(Clock::time_point now);
  std::uint32_t max_restarts() const { return max_; }
  std::chrono::milliseconds window() const { return window_; }

 private:
  std::uint32_t max_;
  std::chrono::milliseconds window_;
  std::deque<Clock::time_point> recent_;
};

}  // namespace leanbatch::supervise
