// lbs-bench: measures libsupervise end to end against lbs-fake-worker.
//   spawn+handshake  spawn (fork/exec via Boost.Process) to a validated Hello
//   round trip       Ping request written -> Response parsed, one worker, sequential
//   rows/s           one request streaming N rows; the parent decodes every frame and
//                    hands each row to a consumer callback (which touches its bytes)
// Usage: lbs-bench [--worker PATH] [--spawns N] [--pings N] [--rows N] [--row-bytes B]
// Prints one line per metric to stdout (this is a benchmark program, not the tool).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "leanbatch/supervise/pool.hpp"

namespace lbs = leanbatch::supervise;
using namespace std::chrono_literals;

namespace {

struct Config {
  std::string worker = LBS_FAKE_WORKER;
  int spawns = 100;
  int pings = 20000;
  long rows = 1'000'000;
  long row_bytes = 100;
};

struct Sink : lbs::JobSink {
  std::vector<double> handshake_ms;
  std::vector<double> outcome_us;
  std::uint64_t rows = 0;
  std::uint64_t checksum = 0;
  int failures = 0;
  void on_row(const lbs::JobFrame& row) override {
    ++rows;
    checksum += static_cast<unsigned char>(row.payload.back()) + row.payload.size();
  }
  void on_outcome(lbs::JobOutcome&& o) override {
    if (o.kind != lbs::OutcomeKind::Response) {
      ++failures;
      std::fprintf(stderr, "lbs-bench: job %llu failed: %s %s\n", static_cast<unsigned long long>(o.ref.job_id),
                   lbs::to_string(o.kind), o.failure ? o.failure->describe().c_str() : "");
    }
    outcome_us.push_back(std::chrono::duration<double, std::micro>(o.elapsed).count());
  }
  void on_worker_event(const lbs::WorkerEvent& e) override {
    if (e.kind == lbs::WorkerEventKind::Started)
      handshake_ms.push_back(std::chrono::duration<double, std::milli>(e.handshake_latency).count());
  }
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

lbs::PoolOptions options(const Config& c) {
  lbs::PoolOptions o;
  o.worker.command.executable = c.worker;
  o.retain_rows = false;
  return o;
}

lbs::Job ping(std::uint64_t id) {
  lbs::Job j;
  j.id = id;
  j.kind = lbs::RequestKind::Ping;
  return j;
}

int bench_spawn(const Config& c) {
  Sink sink;
  auto o = options(c);
  o.worker.restart.max_requests = 1;  // every job after the first needs a new incarnation
  lbs::Pool pool(o, sink);
  for (int i = 0; i < c.spawns; ++i) {
    pool.submit(ping(static_cast<std::uint64_t>(i + 1)));
    pool.run();
  }
  pool.shutdown();
  std::printf("spawn+handshake: median %.3f ms, p90 %.3f ms, min %.3f ms (n=%zu)\n", percentile(sink.handshake_ms, 0.5),
              percentile(sink.handshake_ms, 0.9), percentile(sink.handshake_ms, 0.0), sink.handshake_ms.size());
  return sink.failures;
}

int bench_round_trip(const Config& c) {
  Sink sink;
  lbs::Pool pool(options(c), sink);
  for (int i = 0; i < 1000; ++i) pool.submit(ping(static_cast<std::uint64_t>(i + 1)));  // warm up
  pool.run();
  sink.outcome_us.clear();
  for (int i = 0; i < c.pings; ++i) pool.submit(ping(static_cast<std::uint64_t>(10'000'000 + i)));
  auto begin = lbs::Clock::now();
  pool.run();
  double total_us = std::chrono::duration<double, std::micro>(lbs::Clock::now() - begin).count();
  pool.shutdown();
  std::printf("round trip (ping): median %.1f us, p90 %.1f us, p99 %.1f us; %.1f us per request incl. dispatch (n=%d)\n",
              percentile(sink.outcome_us, 0.5), percentile(sink.outcome_us, 0.9), percentile(sink.outcome_us, 0.99),
              total_us / c.pings, c.pings);
  return sink.failures;
}

int bench_rows(const Config& c) {
  Sink sink;
  lbs::Pool pool(options(c), sink);
  pool.submit(ping(1));
  pool.run();  // spawn outside the measurement
  sink.outcome_us.clear();
  lbs::Job j;
  j.id = 2;
  j.payload = "rows " + std::to_string(c.rows) + " " + std::to_string(c.row_bytes);
  pool.submit(j);
  pool.run();
  pool.shutdown();
  double seconds = sink.outcome_us.empty() ? 0 : sink.outcome_us.back() / 1e6;
  double rate = static_cast<double>(sink.rows) / seconds;
  std::printf("rows: %llu rows of %ld bytes in %.3f s = %.0f rows/s (%.1f MB/s payload; checksum %llu)\n",
              static_cast<unsigned long long>(sink.rows), c.row_bytes, seconds, rate,
              rate * static_cast<double>(c.row_bytes) / 1e6, static_cast<unsigned long long>(sink.checksum));
  return sink.failures + (sink.rows == static_cast<std::uint64_t>(c.rows) ? 0 : 1);
}

}  // namespace

int main(int argc, char** argv) {
  Config c;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--worker") c.worker = value;
    else if (flag == "--spawns") c.spawns = std::atoi(value);
    else if (flag == "--pings") c.pings = std::atoi(value);
    else if (flag == "--rows") c.rows = std::atol(value);
    else if (flag == "--row-bytes") c.row_bytes = std::atol(value);
    else {
      std::fprintf(stderr, "lbs-bench: unknown option %s\n", argv[i]);
      return 64;
    }
  }
  int failures = bench_spawn(c) + bench_round_trip(c) + bench_rows(c);
  return failures == 0 ? 0 : 1;
}
