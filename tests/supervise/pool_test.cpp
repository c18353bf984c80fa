// Pool behaviour with several workers: parallel fan-out, affinity, retries, cancellation,
// graceful shutdown, backpressure.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <set>
#include <thread>

#include "leanbatch/supervise/interrupt_guard.hpp"
#include "support.hpp"

TEST_CASE("two workers run two jobs in parallel") {
  RecordingSink sink;
  lbs::Pool pool(fake_pool(2), sink);
  pool.submit(job(1, "sleep 800"));
  pool.submit(job(2, "sleep 800"));
  auto begin = lbs::Clock::now();
  CHECK(pool.run().status == lbs::RunStatus::Completed);
  CHECK(lbs::Clock::now() - begin < 1400ms);  // serial would take 1600 ms
  CHECK(sink.outcomes.at(1).ref.worker_id != sink.outcomes.at(2).ref.worker_id);
  pool.shutdown();
}

TEST_CASE("one job does not spawn idle workers") {
  RecordingSink sink;
  lbs::Pool pool(fake_pool(4), sink);
  pool.submit(job(1, "echo only"));
  pool.run();
  CHECK(sink.events_of(lbs::WorkerEventKind::Started).size() == 1);
  pool.shutdown();
}

TEST_CASE("a job goes to the worker that already imported its key") {
  RecordingSink sink;
  lbs::Pool pool(fake_pool(2), sink);
  std::uint64_t id = 0;
  for (int round = 0; round < 3; ++round) {
    pool.submit(job(++id, "sleep 100", "alpha"));
    pool.submit(job(++id, "sleep 100", "beta"));
  }
  CHECK(pool.run().status == lbs::RunStatus::Completed);
  std::set<std::uint32_t> alpha_workers, beta_workers;
  for (const auto& [job_id, o] : sink.outcomes) (job_id % 2 == 1 ? alpha_workers : beta_workers).insert(o.ref.worker_id);
  CHECK(alpha_workers.size() == 1);
  CHECK(beta_workers.size() == 1);
  CHECK(*alpha_workers.begin() != *beta_workers.begin());
  pool.shutdown();
}

TEST_CASE("a crashing job is retried once on a fresh worker, then fails with the classification") {
  RecordingSink sink;
  lbs::Pool pool(fake_pool(), sink);
  pool.submit(job(1, "rows-crash 3"));
  pool.submit(job(2, "echo after"));
  CHECK(pool.run().status == lbs::RunStatus::Completed);
  REQUIRE(sink.retries.size() == 1);
  CHECK(sink.retries[0].ref.attempt == 1);
  CHECK(sink.retries[0].rows_discarded == 3);
  CHECK(sink.retries[0].exit.kind == lbs::ExitKind::Crash);
  const auto& o = sink.outcomes.at(1);
  CHECK(o.kind == lbs::OutcomeKind::WorkerFailed);
  CHECK(o.ref.attempt == 2);
  CHECK(o.ref.generation == 2);
  CHECK(o.row_count == 3);  // the final attempt's tentative rows
  REQUIRE(o.failure);
  CHECK(o.failure->kind == lbs::ExitKind::Crash);
  CHECK(o.failure->stderr_tail.find("crashing after rows") != std::string::npos);
  CHECK(sink.rows_seen[1] == 6);  // both attempts streamed their rows
  CHECK(sink.outcomes.at(2).kind == lbs::OutcomeKind::Response);
  pool.shutdown();
  CHECK(census_children().live == 0);
}

TEST_CASE("a job that crashes only once succeeds on its retry") {
  auto marker = std::filesystem::temp_directory_path() / ("lbs-crash-once-" + std::to_string(::getpid()));
  std::filesystem::remove(marker);
  RecordingSink sink;
  lbs::Pool pool(fake_pool(), sink);
  pool.submit(job(1, "crash-once " + marker.string()));
  pool.run();
  std::filesystem::remove(marker);
  const auto& o = sink.outcomes.at(1);
  CHECK(o.kind == lbs::OutcomeKind::Response);
  CHECK(o.payload == "recovered");
  CHECK(o.ref.attempt == 2);
  REQUIRE(sink.retries.size() == 1);
  CHECK(sink.retries[0].exit.kind == lbs::ExitKind::Crash);
  pool.shutdown();
}

TEST_CASE("timeouts are not retried unless asked") {
  auto options = fake_pool();
  options.worker.request_timeout = 150ms;
  RecordingSink sink;
  lbs::Pool pool(options, sink);
  pool.submit(job(1, "loop"));
  pool.run();
  CHECK(sink.retries.empty());
  CHECK(sink.outcomes.at(1).ref.attempt == 1);
  CHECK(sink.outcomes.at(1).failure->kind == lbs::ExitKind::Timeout);
}

TEST_CASE("cancellation reports every unfinished job as cancelled") {
  int fds_before = lbs::count_open_fds();
  RecordingSink sink;
  {
    lbs::Pool pool(fake_pool(2), sink);
    pool.submit(job(1, "echo quick"));
    for (std::uint64_t id = 2; id <= 7; ++id) pool.submit(job(id, "sleep 5000"));
    int sleeping = 0;
    sink.progress_hook = [&](const lbs::JobFrame&) {
      if (++sleeping == 2) pool.request_cancel();
    };
    auto begin = lbs::Clock::now();
    auto result = pool.run();
    CHECK(lbs::Clock::now() - begin < 2s);
    CHECK(result.status == lbs::RunStatus::Interrupted);
    CHECK(result.signal == 0);
    CHECK(census_children().live == 0);
  }
  CHECK(lbs::count_open_fds() == fds_before);
  REQUIRE(sink.outcomes.size() == 7);
  CHECK(sink.outcomes.at(1).kind == lbs::OutcomeKind::Response);
  int in_flight = 0, queued = 0;
  for (std::uint64_t id = 2; id <= 7; ++id) {
    const auto& o = sink.outcomes.at(id);
    CHECK(o.kind == lbs::OutcomeKind::Cancelled);
    if (o.ref.attempt == 1) {
      ++in_flight;
      REQUIRE(o.failure);
      CHECK(o.failure->kind == lbs::ExitKind::Cancelled);
    } else {
      ++queued;
      CHECK(o.ref.attempt == 0);
    }
  }
  CHECK(in_flight == 2);
  CHECK(queued == 4);
}

TEST_CASE("SIGINT interrupts a run through the interrupt guard") {
  RecordingSink sink;
  lbs::InterruptGuard guard;
  lbs::Pool pool(fake_pool(), sink);
  pool.submit(job(1, "sleep 5000"));
  pool.submit(job(2, "echo queued"));
  sink.progress_hook = [](const lbs::JobFrame&) { ::raise(SIGINT); };  // blocked: stays pending
  auto result = pool.run(&guard);
  CHECK(result.status == lbs::RunStatus::Interrupted);
  CHECK(result.signal == SIGINT);
  CHECK(guard.interrupted() == SIGINT);
  CHECK(sink.outcomes.at(1).kind == lbs::OutcomeKind::Cancelled);
  CHECK(sink.outcomes.at(2).kind == lbs::OutcomeKind::Cancelled);
  CHECK(census_children().live == 0);
  guard.clear();
}

TEST_CASE("graceful shutdown kills a worker that ignores Shutdown after the grace period") {
  RecordingSink sink;
  auto options = fake_pool(1, {"--ignore-shutdown"});
  options.worker.shutdown_grace = 300ms;
  lbs::Pool pool(options, sink);
  pool.submit(job(1, "echo hi"));
  pool.run();
  auto begin = lbs::Clock::now();
  CHECK(pool.shutdown().status == lbs::RunStatus::Completed);
  auto took = lbs::Clock::now() - begin;
  CHECK(took >= 300ms);
  CHECK(took < 1s);
  auto exits = sink.events_of(lbs::WorkerEventKind::Exited);
  REQUIRE(exits.size() == 1);
  CHECK(exits[0].planned);
  CHECK(exits[0].exit->kind == lbs::ExitKind::Timeout);
  CHECK(exits[0].exit->detail == "still running 300 ms after shutdown");
  CHECK(exits[0].exit->stderr_tail.find("ignoring shutdown") != std::string::npos);
  CHECK(census_children().live == 0);
}

TEST_CASE("a slow row consumer applies backpressure without losing rows") {
  RecordingSink sink;
  auto options = fake_pool();
  options.retain_rows = false;
  lbs::Pool pool(options, sink);
  std::uint64_t seen = 0;
  sink.row_hook = [&](const lbs::JobFrame& row) {
    CHECK(row.payload.size() == 200);
    if (++seen % 5000 == 0) std::this_thread::sleep_for(20ms);  // the pipe fills meanwhile
  };
  pool.submit(job(1, "rows 50000 200"));  // 10 MB: far more than the pipe holds
  pool.run();
  const auto& o = sink.outcomes.at(1);
  CHECK(o.kind == lbs::OutcomeKind::Response);
  CHECK(o.payload == "done 50000");
  CHECK(o.row_count == 50000);
  CHECK(o.rows.empty());  // retain_rows = false
  CHECK(seen == 50000);
  pool.shutdown();
}

TEST_CASE("jobs submitted from a sink callback run in the same round") {
  struct FollowUp : lbs::JobSink {
    lbs::Pool* pool = nullptr;
    std::vector<std::uint64_t> done;
    void on_row(const lbs::JobFrame&) override {}
    void on_outcome(lbs::JobOutcome&& o) override {
      done.push_back(o.ref.job_id);
      if (o.ref.job_id == 1) pool->submit(job(2, "echo second"));
    }
  } sink;
  lbs::Pool pool(fake_pool(), sink);
  sink.pool = &pool;
  pool.submit(job(1, "echo first"));
  CHECK(pool.run().status == lbs::RunStatus::Completed);
  CHECK(sink.done == std::vector<std::uint64_t>{1, 2});
  pool.shutdown();
}

TEST_CASE("dispatch_now from a sink callback sends the next job before the callback returns") {
  struct Eager : lbs::JobSink {
    lbs::Pool* pool = nullptr;
    std::vector<std::size_t> in_flight_after_dispatch;
    std::vector<std::uint64_t> done;
    void on_row(const lbs::JobFrame&) override {}
    void on_outcome(lbs::JobOutcome&& o) override {
      done.push_back(o.ref.job_id);
      if (o.ref.job_id < 3) pool->submit(job(o.ref.job_id + 1, "echo next"));
      pool->dispatch_now();
      in_flight_after_dispatch.push_back(pool->in_flight());
    }
  } sink;
  lbs::Pool pool(fake_pool(), sink);
  sink.pool = &pool;
  pool.submit(job(1, "echo first"));
  CHECK(pool.run().status == lbs::RunStatus::Completed);
  CHECK(sink.done == std::vector<std::uint64_t>{1, 2, 3});
  // Jobs 2 and 3 were on the worker while the callbacks of 1 and 2 were still running.
  CHECK(sink.in_flight_after_dispatch == std::vector<std::size_t>{1, 1, 0});
  pool.shutdown();
}
