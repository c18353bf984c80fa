// Every fault the fake worker can commit, run through a one-worker pool: the exact
// classification, the stderr tail, detection within 2 s, a respawn with generation + 1,
// and no zombies or leaked descriptors afterwards.
#include <catch2/catch.hpp>

#include <csignal>

#include "support.hpp"

namespace {

struct FaultRun {
  RecordingSink sink;
  lbs::JobOutcome outcome;   ///< of the faulty job (id 1)
  lbs::JobOutcome followup;  ///< of "echo alive" sent afterwards (id 2)
};

// Runs `payload` as job 1 (no retry), then an echo as job 2, shuts down, and checks the
// process hygiene every fault test must keep.
std::unique_ptr<FaultRun> run_fault(const std::string& payload, lbs::PoolOptions options = fake_pool()) {
  int fds_before = lbs::count_open_fds();
  auto run = std::make_unique<FaultRun>();
  {
    options.max_attempts = 1;
    lbs::Pool pool(options, run->sink);
    pool.submit(job(1, payload));
    CHECK(pool.run().status == lbs::RunStatus::Completed);
    pool.submit(job(2, "echo alive"));
    CHECK(pool.run().status == lbs::RunStatus::Completed);
    CHECK(pool.shutdown().status == lbs::RunStatus::Completed);
    auto census = census_children();
    CHECK(census.zombies == 0);
    CHECK(census.live == 0);
  }
  CHECK(lbs::count_open_fds() == fds_before);
  REQUIRE(run->sink.outcomes.count(1) == 1);
  REQUIRE(run->sink.outcomes.count(2) == 1);
  run->outcome = run->sink.outcomes.at(1);
  run->followup = run->sink.outcomes.at(2);
  return run;
}

// The checks shared by every fault that kills the worker under a request.
const lbs::FatalExit& expect_worker_failure(const FaultRun& run, lbs::ExitKind kind, std::string_view stderr_text) {
  const lbs::JobOutcome& o = run.outcome;
  REQUIRE(o.kind == lbs::OutcomeKind::WorkerFailed);
  REQUIRE(o.failure);
  const lbs::FatalExit& f = *o.failure;
  INFO(f.describe());
  CHECK(f.kind == kind);
  CHECK(f.work_entered_child);
  CHECK(f.request_id == o.ref.request_id);
  CHECK(f.generation == 1);
  CHECK(f.worker_id == 1);
  CHECK(o.ref.attempt == 1);
  CHECK(f.stderr_tail.find(stderr_text) != std::string::npos);
  CHECK(o.elapsed < 2s);  // detected within 2 s of sending the request
  // The pool respawned the slot: generation + 1 answers the next job.
  CHECK(run.followup.kind == lbs::OutcomeKind::Response);
  CHECK(run.followup.payload == "alive");
  CHECK(run.followup.ref.generation == 2);
  auto restarts = run.sink.events_of(lbs::WorkerEventKind::Restarting);
  REQUIRE(restarts.size() == 1);
  CHECK(restarts[0].cause == lbs::RestartCause::Failure);
  CHECK(restarts[0].generation == 1);
  return f;
}

}  // namespace

TEST_CASE("a healthy worker answers and shuts down cleanly") {
  auto run = run_fault("echo hello");
  CHECK(run->outcome.kind == lbs::OutcomeKind::Response);
  CHECK(run->outcome.payload == "hello");
  CHECK(run->followup.ref.generation == 1);  // no restart needed
  auto started = run->sink.events_of(lbs::WorkerEventKind::Started);
  REQUIRE(started.size() == 1);
  CHECK(started[0].worker_version == "fake-worker 1");
  CHECK(started[0].pid > 0);
  auto exited = run->sink.events_of(lbs::WorkerEventKind::Exited);
  REQUIRE(exited.size() == 1);
  CHECK(exited[0].planned);
  CHECK(exited[0].exit->kind == lbs::ExitKind::Clean);
  CHECK_FALSE(exited[0].exit->is_failure());
}

TEST_CASE("abort is classified as abort with the panic message in the stderr tail") {
  auto run = run_fault("abort");
  const auto& f = expect_worker_failure(*run, lbs::ExitKind::Abort, "fake: panic! aborting");
  CHECK(f.signal == SIGABRT);
}

TEST_CASE("a segmentation fault is classified as crash") {
  auto run = run_fault("segv");
  const auto& f = expect_worker_failure(*run, lbs::ExitKind::Crash, "about to segfault");
  CHECK(f.signal == SIGSEGV);
  CHECK(f.detail == "SIGSEGV");
}

TEST_CASE("a stack overflow is classified as crash") {
  auto run = run_fault("stack");
  const auto& f = expect_worker_failure(*run, lbs::ExitKind::Crash, "recursing forever");
  CHECK(f.signal == SIGSEGV);
}

TEST_CASE("an infinite loop is killed by the request watchdog") {
  auto options = fake_pool();
  options.worker.request_timeout = 300ms;
  auto run = run_fault("loop", options);
  const auto& f = expect_worker_failure(*run, lbs::ExitKind::Timeout, "spinning");
  CHECK(f.signal == SIGKILL);
  CHECK(f.detail.find("exceeded 300 ms") != std::string::npos);
  CHECK(run->outcome.elapsed >= 300ms);
}

TEST_CASE("a per-job timeout overrides the default watchdog") {
  auto options = fake_pool();
  options.max_attempts = 1;
  RecordingSink sink;
  lbs::Pool pool(options, sink);
  auto j = job(1, "loop");
  j.timeout = 200ms;
  pool.submit(j);
  pool.run();
  REQUIRE(sink.outcomes.at(1).failure);
  CHECK(sink.outcomes.at(1).failure->kind == lbs::ExitKind::Timeout);
  CHECK(sink.outcomes.at(1).elapsed < 1s);
}

TEST_CASE("a memory balloon past the RSS hard ceiling is killed by the limit") {
  auto options = fake_pool();
  options.worker.restart.rss_hard_bytes = 64u << 20;
#ifndef LB_SANITIZE  // ASan reserves terabytes of address space for its shadow
  options.worker.address_space_limit = 4ull << 30;  // safety net if sampling ever lagged
#endif
  auto run = run_fault("balloon 1024", options);
  const auto& f = expect_worker_failure(*run, lbs::ExitKind::KilledByLimit, "ballooning");
  CHECK(f.signal == SIGKILL);
  CHECK(f.detail.find("hard ceiling 64 MiB") != std::string::npos);
}

TEST_CASE("an exit status mid-request is classified as exit code") {
  auto run = run_fault("exit 7");
  const auto& f = expect_worker_failure(*run, lbs::ExitKind::ExitCode, "exiting mid-request");
  CHECK(f.exit_code == 7);
}

TEST_CASE("a clean exit mid-request is still a failure of that request") {
  auto run = run_fault("exit 0");
  const auto& f = expect_worker_failure(*run, lbs::ExitKind::Clean, "exiting mid-request");
  CHECK(f.is_failure());
}

TEST_CASE("rows sent before a crash are delivered as tentative rows of the failed job") {
  auto run = run_fault("rows-crash 5");
  expect_worker_failure(*run, lbs::ExitKind::Crash, "crashing after rows");
  CHECK(run->outcome.row_count == 5);
  CHECK(run->outcome.rows.size() == 5);
  CHECK(run->sink.rows_seen[1] == 5);
}

TEST_CASE("a garbage frame is a protocol violation") {
  auto run = run_fault("garbage");
  const auto& f = expect_worker_failure(*run, lbs::ExitKind::ProtocolViolation, "fake: writing garbage");
  CHECK(f.detail.find("bad magic") != std::string::npos);
}

TEST_CASE("an oversized frame is a protocol violation") {
  auto run = run_fault("oversize");
  const auto& f = expect_worker_failure(*run, lbs::ExitKind::ProtocolViolation, "fake: writing an oversized frame");
  CHECK(f.detail.find("oversized frame") != std::string::npos);
}

TEST_CASE("a frame with the wrong generation is a protocol violation") {
  auto run = run_fault("wrong-gen");
  const auto& f = expect_worker_failure(*run, lbs::ExitKind::ProtocolViolation, "bad frame: wrong-gen");
  CHECK(f.detail.find("wrong generation") != std::string::npos);
}

TEST_CASE("a response to a request that was not asked is a protocol violation") {
  auto run = run_fault("unasked");
  const auto& f = expect_worker_failure(*run, lbs::ExitKind::ProtocolViolation, "bad frame: unasked");
  CHECK(f.detail.find("not in flight") != std::string::npos);
}

TEST_CASE("a second terminal response is a protocol violation") {
  auto run = run_fault("double");
  // The first response completed the job; the second one kills the (now idle) worker.
  CHECK(run->outcome.kind == lbs::OutcomeKind::Response);
  CHECK(run->outcome.payload == "one");
  auto exits = run->sink.events_of(lbs::WorkerEventKind::Exited);
  REQUIRE(exits.size() >= 1);
  CHECK(exits[0].exit->kind == lbs::ExitKind::ProtocolViolation);
  CHECK(exits[0].exit->detail.find("second terminal response") != std::string::npos);
  CHECK(exits[0].exit->stderr_tail.find("fake: answering twice") != std::string::npos);
  CHECK_FALSE(exits[0].exit->work_entered_child);
  CHECK(run->followup.ref.generation == 2);
}

TEST_CASE("an unknown frame type is a protocol violation") {
  auto run = run_fault("unknown-type");
  const auto& f = expect_worker_failure(*run, lbs::ExitKind::ProtocolViolation, "bad frame: unknown-type");
  CHECK(f.detail.find("unknown frame type") != std::string::npos);
}

TEST_CASE("a child that closes stdout but lives on is killed as a protocol violation") {
  auto run = run_fault("close-stdout");
  const auto& f = expect_worker_failure(*run, lbs::ExitKind::ProtocolViolation, "closing stdout");
  CHECK(f.detail.find("stdout closed") != std::string::npos);
}

TEST_CASE("error responses, exceptions and missing answers become error outcomes, not crashes") {
  for (auto [payload, expected] : {std::pair{"error bad input", "bad input"},
                                   std::pair{"throw boom", "uncaught exception: boom"},
                                   std::pair{"noanswer", "handler returned without a terminal response"}}) {
    auto run = run_fault(payload);
    CHECK(run->outcome.kind == lbs::OutcomeKind::ErrorResponse);
    CHECK(run->outcome.payload == expected);
    CHECK(run->followup.ref.generation == 1);
  }
}

TEST_CASE("a worker that dies before the handshake is a startup failure, and the pool gives up") {
  int fds_before = lbs::count_open_fds();
  RecordingSink sink;
  {
    auto options = fake_pool(1, {"--die-before-hello"});
    options.max_restarts = 2;
    lbs::Pool pool(options, sink);
    pool.submit(job(1, "echo never"));
    auto result = pool.run();
    CHECK(result.status == lbs::RunStatus::GaveUp);
    REQUIRE(result.last_failure);
    CHECK(result.last_failure->kind == lbs::ExitKind::StartupFailure);
    CHECK(census_children().live == 0);
  }
  CHECK(lbs::count_open_fds() == fds_before);
  const auto& o = sink.outcomes.at(1);
  CHECK(o.kind == lbs::OutcomeKind::NotRun);
  CHECK(o.ref.attempt == 0);
  REQUIRE(o.failure);
  CHECK(o.failure->detail == "exited before hello: exit 3");
  CHECK(o.failure->stderr_tail.find("dying before hello") != std::string::npos);
  CHECK_FALSE(o.failure->work_entered_child);
  auto exits = sink.events_of(lbs::WorkerEventKind::Exited);
  REQUIRE(exits.size() == 3);  // two restarts allowed, the third failure gives up
  CHECK(exits[2].generation == 3);
  CHECK(sink.events_of(lbs::WorkerEventKind::GaveUp).size() == 1);
}

TEST_CASE("a worker that sleeps past the startup timeout is a startup failure") {
  int fds_before = lbs::count_open_fds();
  RecordingSink sink;
  auto options = fake_pool(1, {"--sleep-before-hello=5000"});
  options.worker.startup_timeout = 200ms;
  options.max_restarts = 0;
  lbs::Pool pool(options, sink);
  pool.submit(job(1, "echo never"));
  auto begin = lbs::Clock::now();
  CHECK(pool.run().status == lbs::RunStatus::GaveUp);
  CHECK(lbs::Clock::now() - begin < 1s);
  REQUIRE(sink.outcomes.at(1).failure);
  CHECK(sink.outcomes.at(1).failure->kind == lbs::ExitKind::StartupFailure);
  CHECK(sink.outcomes.at(1).failure->detail == "no hello within 200 ms");
  CHECK(census_children().zombies == 0);
  CHECK(lbs::count_open_fds() == fds_before);
}

TEST_CASE("output before the hello is a protocol violation") {
  RecordingSink sink;
  auto options = fake_pool(1, {"--garbage-before-hello"});
  options.max_restarts = 0;
  lbs::Pool pool(options, sink);
  pool.submit(job(1, "echo never"));
  CHECK(pool.run().status == lbs::RunStatus::GaveUp);
  REQUIRE(sink.outcomes.at(1).failure);
  CHECK(sink.outcomes.at(1).failure->kind == lbs::ExitKind::ProtocolViolation);
  CHECK(sink.outcomes.at(1).failure->detail.find("output before hello") != std::string::npos);
}

TEST_CASE("a missing executable is a startup failure without zombies") {
  int fds_before = lbs::count_open_fds();
  RecordingSink sink;
  {
    auto options = fake_pool();
    options.worker.command.executable = "/nonexistent/lbs-worker";
    options.max_restarts = 1;
    lbs::Pool pool(options, sink);
    pool.submit(job(1, "echo never"));
    CHECK(pool.run().status == lbs::RunStatus::GaveUp);
    CHECK(census_children().live == 0);
  }
  CHECK(lbs::count_open_fds() == fds_before);
  REQUIRE(sink.outcomes.at(1).failure);
  CHECK(sink.outcomes.at(1).failure->kind == lbs::ExitKind::StartupFailure);
  CHECK(sink.outcomes.at(1).failure->detail.find("No such file") != std::string::npos);
}

TEST_CASE("the child gets the hardening environment and limits") {
  RecordingSink sink;
  auto options = fake_pool();
  options.worker.command.environment = {{"LEAN_BACKTRACE", "1"}};  // the caller overrides one default
#ifndef LB_SANITIZE
  options.worker.address_space_limit = 8ull << 30;
#endif
  lbs::Pool pool(options, sink);
  pool.submit(job(1, "echo x"));
  pool.run();
  pid_t pid = pool.worker(0).pid();
  REQUIRE(pid > 0);
  std::ifstream environ("/proc/" + std::to_string(pid) + "/environ");
  std::string env((std::istreambuf_iterator<char>(environ)), {});
  CHECK(env.find(std::string("LEAN_BACKTRACE=1") + '\0') != std::string::npos);
  CHECK(env.find(std::string("LEAN_ABORT_ON_PANIC=1") + '\0') != std::string::npos);
  CHECK(env.find(std::string("LBS_GENERATION=1") + '\0') != std::string::npos);
  std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
  std::string text((std::istreambuf_iterator<char>(limits)), {});
  CHECK(text.find("Max core file size        0                    0") != std::string::npos);
#ifndef LB_SANITIZE
  CHECK(text.find("Max address space         8589934592           8589934592") != std::string::npos);
#endif
  CHECK(::getpgid(pid) == pid);  // own process group
  // Only stdin, stdout, stderr (and the channel's private copies of 0 and 1) are open.
  int fds = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    (void)entry;
    ++fds;
  }
  CHECK(fds == 5);
  pool.shutdown();
}
