// Restart policies end to end: each trigger restarts the worker before the right request
// with the right cause, the old child is reaped before the new one starts, and the
// restart-intensity limit ends in a typed terminal failure.
#include <catch2/catch.hpp>

#include <thread>

#include "support.hpp"

namespace {

// Runs the jobs in order on one worker (each run() drains the queue) and returns the sink.
std::unique_ptr<RecordingSink> run_sequence(lbs::PoolOptions options, const std::vector<lbs::Job>& jobs) {
  auto sink = std::make_unique<RecordingSink>();
  {
    lbs::Pool pool(options, *sink);
    for (const auto& j : jobs) {
      pool.submit(j);
      REQUIRE(pool.run().status == lbs::RunStatus::Completed);
    }
    pool.shutdown();
  }
  CHECK(census_children().live == 0);
  return sink;
}

std::uint32_t generation_of(const RecordingSink& sink, std::uint64_t job_id) {
  const auto& o = sink.outcomes.at(job_id);
  CHECK(o.kind == lbs::OutcomeKind::Response);
  return o.ref.generation;
}

void expect_single_restart(const RecordingSink& sink, lbs::RestartCause cause) {
  auto restarts = sink.events_of(lbs::WorkerEventKind::Restarting);
  REQUIRE(restarts.size() == 1);
  CHECK(restarts[0].cause == cause);
  // The planned stop came first and was clean: Exited(gen 1, planned) before Started(gen 2).
  std::optional<std::size_t> exited, started;
  for (std::size_t i = 0; i < sink.events.size(); ++i) {
    const auto& e = sink.events[i];
    if (e.kind == lbs::WorkerEventKind::Exited && e.generation == 1) exited = i;
    if (e.kind == lbs::WorkerEventKind::Started && e.generation == 2) started = i;
  }
  REQUIRE(exited);
  REQUIRE(started);
  CHECK(*exited < *started);
  CHECK(sink.events[*exited].planned);
  CHECK(sink.events[*exited].exit->kind == lbs::ExitKind::Clean);
}

}  // namespace

TEST_CASE("max requests restarts the worker before the request past the limit") {
  auto options = fake_pool();
  options.worker.restart.max_requests = 2;
  auto sink = run_sequence(options, {job(1, "echo a"), job(2, "echo b"), job(3, "echo c")});
  CHECK(generation_of(*sink, 1) == 1);
  CHECK(generation_of(*sink, 2) == 1);
  CHECK(generation_of(*sink, 3) == 2);
  expect_single_restart(*sink, lbs::RestartCause::MaxRequests);
}

TEST_CASE("max imports restarts the worker when a new import key would exceed it") {
  auto options = fake_pool();
  options.worker.restart.max_imports = 2;
  auto sink = run_sequence(options, {job(1, "echo 1", "a"), job(2, "echo 2", "b"), job(3, "echo 3", "a"),
                                     job(4, "echo 4"), job(5, "echo 5", "c")});
  CHECK(generation_of(*sink, 3) == 1);  // a known key does not count again
  CHECK(generation_of(*sink, 4) == 1);  // nor does a request without a key
  CHECK(generation_of(*sink, 5) == 2);
  expect_single_restart(*sink, lbs::RestartCause::MaxImports);
}

TEST_CASE("retained bytes reported in stats restart the worker") {
  auto options = fake_pool();
  options.worker.restart.max_retained_bytes = 1000;
  auto sink = run_sequence(options, {job(1, "stats 999"), job(2, "stats 5000"), job(3, "echo x")});
  CHECK(generation_of(*sink, 2) == 1);
  CHECK(generation_of(*sink, 3) == 2);
  expect_single_restart(*sink, lbs::RestartCause::RetainedBytes);
}

TEST_CASE("RSS above the soft ceiling restarts the worker between requests") {
  auto options = fake_pool();
  options.worker.restart.rss_soft_bytes = 48u << 20;
  auto sink = run_sequence(options, {job(1, "echo small"), job(2, "balloon-keep 64"), job(3, "echo x")});
  CHECK(generation_of(*sink, 2) == 1);
  CHECK(generation_of(*sink, 3) == 2);
  expect_single_restart(*sink, lbs::RestartCause::RssSoft);
}

TEST_CASE("RSS ceilings count private memory, not file-backed mapped pages (an export image)") {
  auto options = fake_pool();
  options.worker.restart.rss_soft_bytes = 48u << 20;
  // 96 MiB of a mapped file, all resident: shared and reclaimable, so no restart...
  auto sink = run_sequence(options, {job(1, "map-keep 96"), job(2, "echo x"), job(3, "balloon-keep 64"), job(4, "echo y")});
  CHECK(generation_of(*sink, 2) == 1);
  // ...while 64 MiB of heap is over the ceiling.
  CHECK(generation_of(*sink, 4) == 2);
  expect_single_restart(*sink, lbs::RestartCause::RssSoft);
}

TEST_CASE("an idle worker is restarted before its next request") {
  auto options = fake_pool();
  options.worker.restart.idle_restart = 300ms;
  auto sink = std::make_unique<RecordingSink>();
  {
    lbs::Pool pool(options, *sink);
    pool.submit(job(1, "echo a"));
    pool.run();
    pool.submit(job(2, "echo b"));
    pool.run();  // right away: not idle
    std::this_thread::sleep_for(400ms);
    pool.submit(job(3, "echo c"));
    pool.run();
    pool.shutdown();
  }
  CHECK(generation_of(*sink, 2) == 1);
  CHECK(generation_of(*sink, 3) == 2);
  expect_single_restart(*sink, lbs::RestartCause::Idle);
}

TEST_CASE("a job can ask for a fresh worker explicitly") {
  auto first = job(1, "echo a");
  first.cycle_before = true;  // already fresh: no restart
  auto third = job(3, "echo c");
  third.cycle_before = true;
  auto sink = run_sequence(fake_pool(), {first, job(2, "echo b"), third});
  CHECK(generation_of(*sink, 1) == 1);
  CHECK(generation_of(*sink, 2) == 1);
  CHECK(generation_of(*sink, 3) == 2);
  expect_single_restart(*sink, lbs::RestartCause::ExplicitCycle);
}

TEST_CASE("the restart intensity limit ends the run with a typed terminal failure") {
  auto options = fake_pool();
  options.max_restarts = 3;
  options.max_attempts = 1;
  RecordingSink sink;
  {
    lbs::Pool pool(options, sink);
    for (std::uint64_t id = 1; id <= 10; ++id) pool.submit(job(id, "segv"));
    auto result = pool.run();
    CHECK(result.status == lbs::RunStatus::GaveUp);
    REQUIRE(result.last_failure);
    CHECK(result.last_failure->kind == lbs::ExitKind::Crash);
    CHECK(pool.gave_up());
    // A pool that gave up refuses later work with the same typed failure.
    pool.submit(job(11, "echo late"));
    CHECK(pool.run().status == lbs::RunStatus::GaveUp);
  }
  CHECK(census_children().live == 0);
  int failed = 0, not_run = 0;
  for (const auto& [id, o] : sink.outcomes) {
    if (o.kind == lbs::OutcomeKind::WorkerFailed) ++failed;
    if (o.kind == lbs::OutcomeKind::NotRun) {
      ++not_run;
      REQUIRE(o.failure);
      CHECK(o.failure->kind == lbs::ExitKind::Crash);
    }
  }
  CHECK(failed == 4);  // three restarts were allowed; the fourth failure gave up
  CHECK(not_run == 7);
  CHECK(sink.outcomes.size() == 11);
  CHECK(sink.events_of(lbs::WorkerEventKind::GaveUp).size() == 1);
}
