// The shape of a run's report, the same in every mode: --rows item, --order input, --junit,
// --progress (tools/leanbatch/run_report.hpp).
#include <filesystem>
#include <map>

#include "cli_support.hpp"

using namespace lbcli;

namespace {

std::string tmp_path(const std::string& name) {
  return std::string(LB_BINARY_DIR) + "/report-" + std::to_string(getpid()) + "-" + name;
}

int sh(const std::string& cmd) {
  int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

}  // namespace

TEST_CASE("report: --rows item: one item row per export with its counts and first failure, in every mode") {
  for (const auto& mode : kModes) {
    Proc p = run(with({"check", "--rows", "item", corpus("converted/Nat.gcd.ndjson"),
                       corpus("kiota/002_badDef.reject.ndjson"), corpus("kiota/missing-decl-name.reject.ndjson")},
                      mode));
    INFO(mode[0] << "\n" << p.out << p.err);
    CHECK(p.exit == 1);
    CHECK(p.rows_of("decl").empty());
    CHECK(p.rows_of("file").empty());
    auto items = p.rows_of("item");
    REQUIRE(items.size() == 3);
    std::map<std::string, std::string> by_file;
    for (const auto& row : items) by_file[field(row, "file")] = row;
    const std::string& gcd = by_file[corpus("converted/Nat.gcd.ndjson")];
    CHECK(field(gcd, "status") == "ok");
    CHECK(field(gcd, "declarations") == "274");
    CHECK(field(gcd, "ok") == "274");
    CHECK(field(gcd, "first_failure").empty());
    const std::string& bad = by_file[corpus("kiota/002_badDef.reject.ndjson")];
    CHECK(field(bad, "status") == "rejected");
    CHECK(field(bad, "rejected") == "1");
    CHECK(field(bad, "first_failure").find("def_type_mismatch") != std::string::npos);
    const std::string& broken = by_file[corpus("kiota/missing-decl-name.reject.ndjson")];
    CHECK(field(broken, "status") == "malformed");
    CHECK(field(broken, "declarations") == "0");
    REQUIRE(p.rows_of("summary").size() == 1);
    CHECK(field(p.rows_of("summary")[0], "declarations") == "275");
  }
}

TEST_CASE("report: --order input: rows come in the order of the files, in every mode") {
  // The first export is the slowest: in completion order the small ones would come first.
  std::vector<std::string> files{corpus("converted/Init.Prelude.ndjson"), corpus("kiota/002_badDef.reject.ndjson"),
                                 corpus("tutorial/good/001_basicDef.ndjson"), corpus("converted/Nat.gcd.ndjson")};
  for (const auto& mode : kModes) {
    for (const char* backlog : {"", "LEANBATCH_MAX_BACKLOG_BYTES=1"}) {
      std::vector<std::string> args{"check", "--order", "input"};
      args.insert(args.end(), files.begin(), files.end());
      Proc p = run(with(args, mode), "", backlog[0] ? std::vector<std::string>{backlog} : std::vector<std::string>{});
      INFO(mode[0] << " " << backlog << "\n" << p.err);
      CHECK(p.exit == 1);
      size_t at = 0;
      size_t rows = 0;
      for (const auto& row : p.rows_of("decl")) {
        std::string f = field(row, "file");
        while (at < files.size() && files[at] != f) ++at;
        INFO(row);
        REQUIRE(at < files.size());  // never back to an earlier file
        ++rows;
      }
      CHECK(rows > 300);
      CHECK(p.rows().back().find("\"type\":\"summary\"") != std::string::npos);
    }
  }
}

TEST_CASE("report: --junit: JUnit XML that validates, with failures, errors and skips, in every mode") {
  for (const auto& mode : kModes) {
    std::string xml = tmp_path("junit.xml");
    Proc p = run(with({"check", "--junit", xml, corpus("converted/Nat.gcd.ndjson"),
                       corpus("kiota/002_badDef.reject.ndjson"), corpus("kiota/missing-decl-name.reject.ndjson"),
                       corpus("leanbatch/kiota-partial-def.reject.ndjson")},
                      mode));
    INFO(mode[0] << "\n" << p.err);
    CHECK(p.exit == 1);
    CHECK(sh("xmllint --noout --schema " + std::string(LB_SOURCE_DIR) + "/tests/cli/junit.xsd " + xml +
             " 2>/dev/null") == 0);
    std::string text = slurp(xml);
    CHECK(text.find("<testsuites name=\"leanbatch\"") != std::string::npos);
    CHECK(text.find("<testcase name=\"Nat.gcd\"") != std::string::npos);
    CHECK(text.find("<failure type=\"def_type_mismatch\"") != std::string::npos);  // a rejected declaration
    CHECK(text.find("<skipped message=\"declined: partial_declaration") != std::string::npos);
    CHECK(text.find("classname=\"" + corpus("kiota/missing-decl-name.reject.ndjson") + "\"") != std::string::npos);
    // The totals agree with the summary row.
    std::string summary = p.rows_of("summary").at(0);
    unsigned long long decls = std::stoull(field(summary, "declarations"));
    CHECK(text.find("tests=\"" + std::to_string(decls + 1) + "\"") != std::string::npos);  // + the malformed file
    CHECK_FALSE(std::filesystem::exists(xml + ".tmp"));
    CHECK_FALSE(std::filesystem::exists(xml + ".part"));
    std::remove(xml.c_str());
  }
}

TEST_CASE("report: --junit into a directory that does not exist is a usage error before anything is checked") {
  Proc p = run({"check", "--junit", "/nonexistent-dir/x.xml", corpus("converted/Nat.gcd.ndjson")});
  CHECK(p.exit == 64);
  CHECK(p.out.empty());
  CHECK(p.err.find("--junit") != std::string::npos);
}

TEST_CASE("report: --progress: always draws progress lines on stderr, auto and never draw none off a terminal") {
  std::vector<std::string> files{corpus("converted/Nat.gcd.ndjson"), corpus("kiota/002_badDef.reject.ndjson")};
  for (const auto& mode : kModes) {
    Proc always = run(with({"check", "--progress", "always", files[0], files[1]}, mode));
    INFO(mode[0] << "\n" << always.err);
    CHECK(always.exit == 1);
    CHECK(always.err.find("leanbatch: 2/2 files, 275/275 declarations") != std::string::npos);
    CHECK(always.err.find("1 failed") != std::string::npos);
    CHECK(always.err.find('\x1b') == std::string::npos);  // no terminal codes off a terminal
    for (const char* m : {"auto", "never"}) {
      Proc quiet = run(with({"check", "--progress", m, files[0], files[1]}, mode));
      CHECK(quiet.err.find("declarations, ") == std::string::npos);
      CHECK(quiet.rows_of("decl").size() == always.rows_of("decl").size());
    }
  }
}

TEST_CASE("report: --progress auto on a terminal: a line redrawn in place, erased at the end") {
  // script(1) (util-linux, essential in Debian) gives leanbatch a pseudo-terminal.
  std::string log = tmp_path("tty.txt");
  std::string cmd = "script -qec \"'" + std::string(LEANBATCH_BIN) + "' check --progress auto " +
                    corpus("converted/Nat.gcd.ndjson") + " >/dev/null\" /dev/null > " + log;
  REQUIRE(sh(cmd) == 0);
  std::string tty = slurp(log);
  INFO(tty);
  CHECK(tty.find("\rleanbatch: ") != std::string::npos);      // drawn at the start of the line
  CHECK(tty.find("\x1b[K") != std::string::npos);             // the rest of the line cleared
  CHECK(tty.size() >= 4);
  CHECK(tty.substr(tty.size() - 4) == "\r\x1b[K");            // erased at the end: nothing left behind
  std::remove(log.c_str());
}
