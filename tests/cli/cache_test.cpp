// --cache DIR: verified declarations kept between runs (tools/common/verified_cache.hpp,
// docs/kernel.md "The verification cache"), in every mode.
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "builder.hpp"
#include "cli_support.hpp"

using namespace lbcli;

namespace {

// name -> "status reused" of every decl row
std::map<std::string, std::string> verdicts(const Proc& p) {
  std::map<std::string, std::string> m;
  for (const auto& row : p.rows_of("decl")) m[field(row, "name")] = field(row, "status") + " " + field(row, "reused");
  return m;
}

// a := true, b := a, t : b = true, c := false; `changed`: a := (fun x => x) true.
std::string module_file(const std::string& dir, bool changed) {
  lbtest::Builder b("tutorial/good/089_projRed.ndjson");
  using leanbatch::host::Expr;
  Expr B = b.c("Bool"), tt = b.c("Bool.true");
  b.def("a", B, changed ? b.app(b.lam("x", B, b.bv(0)), {tt}) : tt);
  b.def("b", B, b.c("a"));
  b.thm("t", b.eq(B, b.c("b"), tt), b.refl(B, tt));
  b.def("c", B, b.c("Bool.false"));
  std::filesystem::create_directories(dir);
  std::string path = dir + (changed ? "/changed.ndjson" : "/original.ndjson");
  b.write_to(path);
  return path;
}

}  // namespace

TEST_CASE("cache: a second run over an unchanged corpus reuses every declaration and exits 0, in every mode") {
  std::vector<std::string> files{corpus("converted/Nat.gcd.ndjson"), corpus("axeyum/classical-em.ndjson")};
  for (const auto& mode : kModes) {
    std::string dir = fresh_dir("cache", "again");
    Proc first = run(with(with({"check", "--cache", dir}, mode), files));
    INFO(mode[0] << "\n" << first.err);
    CHECK(first.exit == 0);
    for (const auto& [name, v] : verdicts(first)) CHECK(v.find("cache") == std::string::npos);
    Proc second = run(with(with({"check", "--cache", dir}, mode), files));
    INFO(second.err);
    CHECK(second.exit == 0);
    auto v = verdicts(second);
    CHECK(v.size() > 300);
    for (const auto& [name, s] : v) {
      INFO(name);
      CHECK(s == "ok cache");
    }
    std::filesystem::remove_all(dir);
  }
}

TEST_CASE("cache: a changed declaration re-checks exactly itself and its dependents") {
  std::string dir = fresh_dir("cache", "change");
  std::string a = module_file(dir + "/m", false), b = module_file(dir + "/m", true);
  for (const auto& mode : kModes) {
    std::filesystem::remove_all(dir + "/c");
    REQUIRE(run(with({"check", "--cache", dir + "/c", a}, mode)).exit == 0);
    Proc p = run(with({"check", "--cache", dir + "/c", b}, mode));
    INFO(mode[0] << "\n" << p.out << p.err);
    CHECK(p.exit == 0);
    auto v = verdicts(p);
    CHECK(v["a"] == "ok ");
    CHECK(v["b"] == "ok ");
    CHECK(v["t"] == "ok ");
    CHECK(v["c"] == "ok cache");
    CHECK(v["Bool"] == "ok cache");
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("cache: entries written under other options are not trusted") {
  std::string dir = fresh_dir("cache", "options");
  std::string f = corpus("converted/Nat.gcd.ndjson");
  REQUIRE(run({"check", "--cache", dir, f}).exit == 0);
  Proc p = run({"check", "--cache", dir, "--allow-unsafe", f});
  CHECK(p.exit == 0);
  for (const auto& [name, v] : verdicts(p)) CHECK(v == "ok ");
  // --no-reuse: checks everything and leaves the cache alone.
  Proc q = run({"check", "--cache", dir, "--no-reuse", f});
  for (const auto& [name, v] : verdicts(q)) CHECK(v == "ok ");
  std::filesystem::remove_all(dir);
}

TEST_CASE("cache: a file that is not a cache is ignored with a warning, everything is checked") {
  std::string dir = fresh_dir("cache", "garbage");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/verified.sqlite3") << std::string(5000, 'x');
  for (const auto& mode : kModes) {
    Proc p = run(with({"check", "--cache", dir, corpus("converted/Nat.gcd.ndjson")}, mode));
    INFO(mode[0] << "\n" << p.err);
    CHECK(p.exit == 0);
    CHECK(p.err.find("ignored") != std::string::npos);
    for (const auto& [name, v] : verdicts(p)) CHECK(v == "ok ");
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("cache: a damaged entry is ignored with a warning, never trusted") {
  std::string dir = fresh_dir("cache", "damaged");
  std::string f = corpus("converted/Nat.gcd.ndjson");
  REQUIRE(run({"check", "--in-process", "--cache", dir, f}).exit == 0);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir + "/verified.sqlite3").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "UPDATE verified SET check_value = check_value + 1 WHERE key = (SELECT min(key) FROM verified)",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  CHECK(sqlite3_changes(db) == 1);
  // The whole export's stored rows too (else they would answer before the declarations).
  REQUIRE(sqlite3_exec(db, "UPDATE files SET check_value = check_value + 1", nullptr, nullptr, nullptr) == SQLITE_OK);
  CHECK(sqlite3_changes(db) == 1);
  sqlite3_close(db);
  Proc p = run({"check", "--in-process", "--cache", dir, f});
  CHECK(p.exit == 0);
  CHECK(p.err.find("a damaged entry of a whole export ignored") != std::string::npos);
  CHECK(p.err.find("1 damaged entries ignored") != std::string::npos);
  size_t checked = 0;
  for (const auto& [name, v] : verdicts(p)) checked += v == "ok ";
  CHECK(checked >= 1);  // the damaged one (and what depends on it) was checked again
  std::filesystem::remove_all(dir);
}

TEST_CASE("cache: kill -9 in the middle of a run leaves a usable cache, concurrent runs share one") {
  std::string dir = fresh_dir("cache", "kill");
  std::string work = dir + "-work";
  std::filesystem::create_directories(work);
  // A sweep long enough to be killed in the middle of its writes.
  Proc made = run({"make-scale-corpus", corpus("converted/Init.Prelude.ndjson"), "--modules", "40", "--shared-fraction",
                   "0.5", "-o", work});
  REQUIRE(made.exit == 0);
  std::string manifest = work + "/manifest.ndjson";
  for (int round = 0; round < 3; ++round) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      dup2(null, 2);
      execl(LEANBATCH_BIN, LEANBATCH_BIN, "run", "--in-process", "--cache", dir.c_str(), manifest.c_str(), nullptr);
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + 250 * round));
    kill(pid, SIGKILL);
    int st = 0;
    waitpid(pid, &st, 0);
  }
  // Two runs at once on the killed cache: both finish, neither warns, the result is whole.
  Proc second;
  std::thread other([&] { second = run({"run", "-j1", "--cache", dir, manifest}); });
  Proc first = run({"run", "-j1", "--cache", dir, manifest});
  other.join();
  for (const Proc* p : {&first, &second}) {
    INFO(p->err);
    CHECK(p->exit == 0);
    CHECK(p->err.find("ignored") == std::string::npos);
    CHECK(p->err.find("cannot") == std::string::npos);
  }
  Proc third = run({"run", "--cache", dir, manifest});
  CHECK(third.exit == 0);
  for (const auto& row : third.rows_of("decl")) CHECK(field(row, "reused") == "cache");
  Proc stats = run({"cache", "stats", dir});
  CHECK(stats.exit == 0);
  REQUIRE(stats.rows().size() == 1);
  CHECK(std::stoull(field(stats.rows()[0], "entries")) > 1000);
  Proc cleared = run({"cache", "clear", dir});
  CHECK(cleared.exit == 0);
  CHECK(field(cleared.rows()[0], "entries") == "0");
  Proc after = run({"check", "--cache", dir, corpus("tutorial/good/001_basicDef.ndjson")});
  CHECK(verdicts(after)["basicDef"] == "ok ");
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(work);
}

TEST_CASE("cache: LEANBATCH_CACHE names the cache, cache stats without a cache is an error") {
  std::string dir = fresh_dir("cache", "env");
  std::string f = corpus("tutorial/good/001_basicDef.ndjson");
  REQUIRE(run({"check", f}, "", {"LEANBATCH_CACHE=" + dir}).exit == 0);
  CHECK(verdicts(run({"check", f}, "", {"LEANBATCH_CACHE=" + dir}))["basicDef"] == "ok cache");
  CHECK(run({"cache", "stats"}, "", {"LEANBATCH_CACHE=" + dir}).exit == 0);
  CHECK(run({"cache", "stats", dir + "-none"}).exit == 3);
  CHECK(run({"cache", "stats"}).exit == 64);
  std::filesystem::remove_all(dir);
}

TEST_CASE("cache: an unchanged export is not even read again, a touched one falls back to the declarations") {
  std::string dir = fresh_dir("cache", "files");
  std::string work = dir + "-work";
  std::filesystem::create_directories(work);
  std::string f = work + "/prelude.ndjson";
  std::filesystem::copy_file(corpus("converted/Init.Prelude.ndjson"), f);
  for (const auto& mode : kModes) {
    std::filesystem::remove_all(dir);
    REQUIRE(run(with({"check", "--cache", dir, f}, mode)).exit == 0);
    Proc again = run(with({"check", "--cache", dir, f}, mode));
    INFO(mode[0] << "\n" << again.err);
    CHECK(again.exit == 0);
    for (const auto& row : again.rows_of("decl")) {
      CHECK(field(row, "reused") == "cache");
      CHECK(field(row, "micros").empty());  // replayed: nothing was checked
    }
    // Options that change verdicts are part of the key: under --strict-axioms the rows stored
    // without it are not replayed (Init.Prelude has declarations that use sorryAx: rejected).
    Proc strict = run(with({"check", "--cache", dir, "--strict-axioms", f}, mode));
    CHECK(strict.exit == 1);
    // An export that differs in one byte (a trailing blank line) is read and checked again,
    // its unchanged declarations coming from the declaration cache.
    std::ofstream(f, std::ios::app) << "\n";
    Proc touched = run(with({"check", "--cache", dir, f}, mode));
    CHECK(touched.exit == 0);
    for (const auto& row : touched.rows_of("decl")) {
      CHECK(field(row, "reused") == "cache");
      CHECK_FALSE(field(row, "micros").empty());  // checked for a hit, row by row
    }
  }
  // A run with a rejected declaration is stored too (its verdicts are decided), and replayed.
  std::filesystem::remove_all(dir);
  std::string bad = corpus("kiota/002_badDef.reject.ndjson");
  CHECK(run({"check", "--cache", dir, bad}).exit == 1);
  Proc replayed = run({"check", "--cache", dir, bad});
  CHECK(replayed.exit == 1);
  auto rows = replayed.rows_of("decl");
  REQUIRE(rows.size() == 1);
  CHECK(field(rows[0], "status") == "rejected");
  CHECK(field(rows[0], "reused") == "cache");
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(work);
}

TEST_CASE("cache: a replayed export prints the rows of the run that stored it, field for field") {
  // Rows with errors (a rejected declaration) and a module name with characters JSON escapes.
  std::string dir = fresh_dir("cache", "replay");
  std::filesystem::create_directories(dir);
  std::string manifest = dir + "/m.ndjson";
  std::ofstream(manifest) << "{\"file\":\"" << corpus("converted/Nat.gcd.ndjson") << "\",\"module\":\"Nat.\\\"gcd\\\"\"}\n"
                          << "{\"file\":\"" << corpus("kiota/002_badDef.reject.ndjson") << "\",\"module\":\"Bad\"}\n";
  // Per-run fields aside (time, worker, attempt, where the row came from); sorted, since with
  // -j2 the two exports' rows interleave differently from run to run.
  auto verdict_rows = [](const Proc& p) {
    static const std::regex per_run(",\"(micros|worker|attempt)\":[0-9]+|,\"reused\":\"[a-z]+\"");
    std::vector<std::string> out;
    for (const auto& row : p.rows())
      if (field(row, "type") != "summary") out.push_back(std::regex_replace(row, per_run, ""));
    std::sort(out.begin(), out.end());
    return out;
  };
  for (const auto& mode : kModes) {
    std::string cache = dir + "/cache";
    std::filesystem::remove_all(cache);
    Proc first = run(with({"run", "--cache", cache, manifest}, mode));
    REQUIRE(first.exit == 1);
    Proc again = run(with({"run", "--cache", cache, manifest}, mode));
    INFO(mode[0] << "\n" << again.err);
    CHECK(again.exit == 1);
    for (const auto& row : again.rows_of("decl")) CHECK(field(row, "reused") == "cache");
    CHECK(verdict_rows(again) == verdict_rows(first));
    CHECK(verdict_rows(first).size() > 100);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("cache: rows of an export that changed after its key was taken are never stored") {
  // Review 4 (2026-12-08): the whole-export key was taken from the file when the run began,
  // the rows from a later read; a file swapped in between stored the rows of one version
  // under the key of the other, for every later run to replay. Here the worker's wrapper
  // writes another version over the file before the worker reads it.
  std::string dir = fresh_dir("cache", "swapped");
  std::string work = dir + "-work";
  std::filesystem::create_directories(work);
  std::string f = work + "/e.ndjson";
  std::filesystem::copy_file(corpus("converted/Nat.gcd.ndjson"), f, std::filesystem::copy_options::overwrite_existing);
  std::string other = work + "/other.ndjson";
  std::filesystem::copy_file(corpus("kiota/002_badDef.reject.ndjson"), other, std::filesystem::copy_options::overwrite_existing);
  std::string wrapper = work + "/worker.sh";
  worker_wrapper(wrapper, "cp '" + other + "' '" + f + "'");
  for (const char* j : {"-j1", "-j2"}) {
    INFO(j);
    std::filesystem::remove_all(dir);
    std::filesystem::copy_file(corpus("converted/Nat.gcd.ndjson"), f, std::filesystem::copy_options::overwrite_existing);
    Proc p = run({"check", j, "--cache", dir, f}, "", {"LEANBATCH_WORKER=" + wrapper});
    CHECK(p.exit != 0);
    Proc stats = run({"cache", "stats", dir});
    REQUIRE(stats.rows_of("cache").size() == 1);
    CHECK(field(stats.rows_of("cache")[0], "files") == "0");
  }
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(work);
}
