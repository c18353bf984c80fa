// leanbatch in shell pipelines: exports and manifests from standard input, pipes and
// process substitution, in every mode.
#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>

#include "cli_support.hpp"

using namespace lbcli;

TEST_CASE("check -: an export on standard input is checked in every mode, rows name it '-'") {
  std::string data = slurp(corpus("converted/Nat.gcd.ndjson"));
  for (std::vector<std::string> mode : {std::vector<std::string>{"--in-process"}, {"-j1"}, {"-j2"}}) {
    std::vector<std::string> args{"check", "-"};
    args.insert(args.end(), mode.begin(), mode.end());
    Proc p = run(args, data);
    INFO(mode[0] << "\n" << p.err);
    CHECK(p.exit == 0);
    auto decls = p.rows_of("decl");
    CHECK(decls.size() == 274);
    for (const auto& row : decls) CHECK(field(row, "file") == "-");
    auto summary = p.rows_of("summary");
    REQUIRE(summary.size() == 1);
    CHECK(field(summary[0], "ok") == "274");
  }
}

TEST_CASE("check: a rejected export through a pipe still exits 1, nothing is left in TMPDIR") {
  std::string tmp = std::string(LB_BINARY_DIR) + "/spool-test-" + std::to_string(getpid());
  std::filesystem::create_directories(tmp);
  std::string bad = slurp(corpus("kiota/002_badDef.reject.ndjson"));
  Proc p = run({"check", "-", corpus("converted/Nat.gcd.ndjson")}, bad, {"TMPDIR=" + tmp});
  CHECK(p.exit == 1);
  CHECK(p.rows_of("summary").size() == 1);
  CHECK(field(p.rows_of("summary")[0], "rejected") != "0");
  CHECK(std::filesystem::is_empty(tmp));
  std::filesystem::remove_all(tmp);
}

TEST_CASE("check: a FIFO (as from <(...)) is read in worker mode") {
  std::string fifo = std::string(LB_BINARY_DIR) + "/fifo-" + std::to_string(getpid());
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  std::thread feeder([&] {
    int fd = open(fifo.c_str(), O_WRONLY);
    std::string data = slurp(corpus("converted/Nat.gcd.ndjson"));
    for (size_t done = 0; done < data.size();) {
      ssize_t n = write(fd, data.data() + done, data.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    close(fd);
  });
  Proc p = run({"check", "-j2", fifo});
  feeder.join();
  std::remove(fifo.c_str());
  INFO(p.err);
  CHECK(p.exit == 0);
  CHECK(p.rows_of("decl").size() == 274);
  CHECK(field(p.rows_of("decl")[0], "file") == fifo);
}

TEST_CASE("run -: a manifest on standard input, relative paths resolve against the working directory") {
  std::string manifest = corpus("converted/Nat.gcd.ndjson") + "\n" + corpus("kiota/002_badDef.reject.ndjson") + "\n";
  Proc p = run({"run", "-", "-j2"}, manifest);
  INFO(p.err);
  CHECK(p.exit == 1);
  REQUIRE(p.rows_of("summary").size() == 1);
  CHECK(field(p.rows_of("summary")[0], "files") == "2");
}

TEST_CASE("a missing leanbatch-worker: one clear error with the hint, a row per export, exit 3") {
  std::string dir = std::string(LB_BINARY_DIR) + "/lonely-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::string lone = dir + "/leanbatch";
  std::filesystem::copy_file(LEANBATCH_BIN, lone, std::filesystem::copy_options::overwrite_existing);
  std::vector<std::string> files{corpus("tutorial/good/001_basicDef.ndjson"), corpus("kiota/002_badDef.reject.ndjson")};
  Proc p = run({"check", files[0], files[1]}, "", {}, lone.c_str());
  CHECK(p.exit == 3);
  size_t lines = 0;
  for (size_t pos = 0; (pos = p.err.find('\n', pos)) != std::string::npos; ++pos) ++lines;
  INFO(p.err);
  CHECK(lines == 1);
  CHECK(p.err.find("LEANBATCH_WORKER") != std::string::npos);
  CHECK(p.err.find("--in-process") != std::string::npos);
  auto rows = p.rows_of("file");
  REQUIRE(rows.size() == 2);
  for (const auto& r : rows) CHECK(field(r, "error").find("worker_missing") != std::string::npos);
  // LEANBATCH_WORKER names it.
  std::string worker = std::filesystem::path(LEANBATCH_BIN).parent_path() / "leanbatch-worker";
  Proc q = run({"check", files[0]}, "", {"LEANBATCH_WORKER=" + worker}, lone.c_str());
  CHECK(q.exit == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("leanbatch-worker --help and --version, every subcommand's --help has examples and defaults") {
  std::string worker = std::filesystem::path(LEANBATCH_BIN).parent_path() / "leanbatch-worker";
  Proc v = run({"--version"}, "", {}, worker.c_str());
  CHECK(v.exit == 0);
  CHECK(v.out.find("leanbatch-worker ") == 0);
  CHECK(v.out.find("protocol ") != std::string::npos);
  Proc h = run({"--help"}, "", {}, worker.c_str());
  CHECK(h.exit == 0);
  CHECK(h.out.find("--max-environments UINT=4") != std::string::npos);
  for (const char* sub : {"check", "run", "info", "plan", "make-scale-corpus"}) {
    Proc p = run({sub, "--help"});
    INFO(sub << "\n" << p.out);
    CHECK(p.exit == 0);
    CHECK(p.out.find("Example") != std::string::npos);
  }
  Proc c = run({"check", "--help"});
  CHECK(c.out.find("--max-restarts UINT=16") != std::string::npos);
  CHECK(c.out.find("--rss-hard-mb UINT=auto") != std::string::npos);
  CHECK(c.out.find("LEANBATCH_") != std::string::npos);
}
