// RestartPolicy as a pure function: each trigger, the documented order, and the
// restart-intensity window.
#include <catch2/catch.hpp>

#include "leanbatch/supervise/restart_policy.hpp"

namespace lbs = leanbatch::supervise;
using namespace std::chrono_literals;

namespace {

const lbs::Clock::time_point t0 = lbs::Clock::time_point{} + 1h;

lbs::IncarnationUsage used(std::uint32_t requests, std::initializer_list<const char*> keys = {},
                           std::uint64_t retained = 0) {
  lbs::IncarnationUsage u;
  u.requests = requests;
  for (const char* k : keys) u.import_keys.emplace(k);
  u.retained_bytes = retained;
  u.last_activity = t0;
  return u;
}

}  // namespace

TEST_CASE("no limits means no restart") {
  CHECK_FALSE(lbs::restart_cause({}, used(1000, {"a", "b", "c"}, 1u << 30), {false, "d"}, 1u << 30, t0 + 1h));
}

TEST_CASE("each policy trigger fires on its own") {
  lbs::RestartLimits limits;
  SECTION("explicit cycle") { CHECK(lbs::restart_cause(limits, used(1), {true, ""}, {}, t0) == lbs::RestartCause::ExplicitCycle); }
  SECTION("max requests fires once the incarnation served that many") {
    limits.max_requests = 3;
    CHECK_FALSE(lbs::restart_cause(limits, used(2), {}, {}, t0));
    CHECK(lbs::restart_cause(limits, used(3), {}, {}, t0) == lbs::RestartCause::MaxRequests);
  }
  SECTION("max imports fires only for a new key") {
    limits.max_imports = 2;
    CHECK_FALSE(lbs::restart_cause(limits, used(2, {"a"}), {false, "b"}, {}, t0));
    CHECK_FALSE(lbs::restart_cause(limits, used(2, {"a", "b"}), {false, "a"}, {}, t0));
    CHECK_FALSE(lbs::restart_cause(limits, used(2, {"a", "b"}), {false, ""}, {}, t0));
    CHECK(lbs::restart_cause(limits, used(2, {"a", "b"}), {false, "c"}, {}, t0) == lbs::RestartCause::MaxImports);
  }
  SECTION("retained bytes") {
    limits.max_retained_bytes = 1000;
    CHECK_FALSE(lbs::restart_cause(limits, used(1, {}, 999), {}, {}, t0));
    CHECK(lbs::restart_cause(limits, used(1, {}, 1000), {}, {}, t0) == lbs::RestartCause::RetainedBytes);
  }
  SECTION("RSS soft ceiling") {
    limits.rss_soft_bytes = 64u << 20;
    CHECK_FALSE(lbs::restart_cause(limits, used(1), {}, std::nullopt, t0));
    CHECK_FALSE(lbs::restart_cause(limits, used(1), {}, 63u << 20, t0));
    CHECK(lbs::restart_cause(limits, used(1), {}, 64u << 20, t0) == lbs::RestartCause::RssSoft);
  }
  SECTION("idle restart, but never for an incarnation that did nothing yet") {
    limits.idle_restart = 100ms;
    CHECK_FALSE(lbs::restart_cause(limits, used(1), {}, {}, t0 + 99ms));
    CHECK(lbs::restart_cause(limits, used(1), {}, {}, t0 + 100ms) == lbs::RestartCause::Idle);
    CHECK_FALSE(lbs::restart_cause(limits, used(0), {}, {}, t0 + 1h));
  }
}

TEST_CASE("policy causes are checked in the documented order") {
  lbs::RestartLimits all;
  all.max_requests = 1;
  all.max_imports = 1;
  all.max_retained_bytes = 1;
  all.rss_soft_bytes = 1;
  all.idle_restart = 1ms;
  auto u = used(5, {"a"}, 5);
  CHECK(lbs::restart_cause(all, u, {true, "b"}, 5, t0 + 1s) == lbs::RestartCause::ExplicitCycle);
  CHECK(lbs::restart_cause(all, u, {false, "b"}, 5, t0 + 1s) == lbs::RestartCause::MaxRequests);
  all.max_requests = 0;
  CHECK(lbs::restart_cause(all, u, {false, "b"}, 5, t0 + 1s) == lbs::RestartCause::MaxImports);
  all.max_imports = 0;
  CHECK(lbs::restart_cause(all, u, {false, "b"}, 5, t0 + 1s) == lbs::RestartCause::RetainedBytes);
  all.max_retained_bytes = 0;
  CHECK(lbs::restart_cause(all, u, {false, "b"}, 5, t0 + 1s) == lbs::RestartCause::RssSoft);
  all.rss_soft_bytes = 0;
  CHECK(lbs::restart_cause(all, u, {false, "b"}, 5, t0 + 1s) == lbs::RestartCause::Idle);
}

TEST_CASE("restart intensity allows max restarts per window, then refuses") {
  lbs::RestartIntensity intensity(3, 1000ms);
  CHECK(intensity.record(t0));
  CHECK(intensity.record(t0 + 10ms));
  CHECK(intensity.record(t0 + 20ms));
  CHECK_FALSE(intensity.record(t0 + 30ms));
  lbs::RestartIntensity sliding(2, 100ms);
  CHECK(sliding.record(t0));
  CHECK(sliding.record(t0 + 50ms));
  CHECK(sliding.record(t0 + 120ms));  // the first one left the window
  CHECK_FALSE(sliding.record(t0 + 130ms));
}
