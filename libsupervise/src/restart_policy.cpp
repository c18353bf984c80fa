#include "leanbatch/supervise/restart_policy.hpp"

namespace leanbatch::supervise {

const char* to_string(RestartCause c) {
  switch (c) {
    case RestartCause::ExplicitCycle: return "explicit_cycle";
    case RestartCause::MaxRequests: return "max_requests";
    case RestartCause::MaxImports: return "max_imports";
    case RestartCause::RetainedBytes: return "retained_bytes";
    case RestartCause::RssSoft: return "rss_soft";
    case RestartCause::Idle: return "idle";
    case RestartCause::Failure: return "failure";
  }
  return "unknown";
}

std::optional<RestartCause> restart_cause(const RestartLimits& limits, const IncarnationUsage& usage,
                                          const NextRequest& next, std::optional<std::uint64_t> rss_bytes,
                                          Clock::time_point now) {
  if (next.explicit_cycle) return RestartCause::ExplicitCycle;
  if (limits.max_requests != 0 && usage.requests >= limits.max_requests) return RestartCause::MaxRequests;
  if (limits.max_imports != 0 && !next.import_key.empty() && usage.import_keys.size() >= limits.max_imports &&
      !usage.import_keys.contains(std::string(next.import_key))) {
    return RestartCause::MaxImports;
  }
  if (limits.max_retained_bytes != 0 && usage.retained_bytes >= limits.max_retained_bytes)
    return RestartCause::RetainedBytes;
  if (limits.rss_soft_bytes != 0 && rss_bytes && *rss_bytes >= limits.rss_soft_bytes) return RestartCause::RssSoft;
  if (limits.idle_restart.count() > 0 && usage.requests > 0 && now - usage.last_activity >= limits.idle_restart)
    return RestartCause::Idle;
  return std::nullopt;
}

bool RestartIntensity::record(Clock::time_point now) {
  while (!recent_.empty() && now - recent_.front() >= window_) recent_.pop_front();
  recent_.push_back(now);
  return recent_.size() <= max_;
}

}  // namespace leanbatch::supervise
