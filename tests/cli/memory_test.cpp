// Running out of memory in-process (here under an address-space limit): a typed row for what
// could not be decided, a summary, exit 3 — never an abort. Worker mode: supervised_test.cpp.
#include "cli_support.hpp"
#include "slow_export.hpp"

#include <filesystem>

using namespace lbcli;

// Under a sanitizer these cannot run: ASan reserves terabytes of address space for its shadow
// memory, so no address-space limit lets the process start at all.
#ifndef LB_SANITIZE
namespace {
// leanbatch under `ulimit -v KB` (RLIMIT_AS), through the shell.
Proc limited(unsigned long kb, const std::vector<std::string>& args) {
  std::vector<std::string> sh{"-c", "ulimit -v " + std::to_string(kb) + " && exec \"$0\" \"$@\"", LEANBATCH_BIN};
  sh.insert(sh.end(), args.begin(), args.end());
  return run(sh, "", {}, "/bin/sh");
}
}  // namespace

TEST_CASE("in-process: out of memory while checking gives the declaration an out_of_memory row, its dependents skip") {
  std::string f = slow_file(2);
  Proc p = limited(400 * 1024, {"check", "--in-process", f});
  INFO(p.out << p.err);
  CHECK(p.exit == 3);
  std::map<std::string, std::string> by_name;
  for (const auto& row : p.rows_of("decl"))
    by_name[field(row, "name")] = field(row, "status") + " " + (field(row, "error").empty() ? "" : field(row, "error"));
  CHECK(by_name["before"].rfind("ok", 0) == 0);
  CHECK(by_name["after"].rfind("ok", 0) == 0);
  CHECK(by_name["slow"].rfind("crashed", 0) == 0);
  CHECK(by_name["slow"].find("out_of_memory") != std::string::npos);
  CHECK(by_name["dep0"].find("depends_on_crashed") != std::string::npos);
  CHECK(by_name["dep1"].find("depends_on_crashed") != std::string::npos);
  CHECK(by_name["depdep"].find("depends_on_crashed") != std::string::npos);  // transitively
  REQUIRE(p.rows_of("summary").size() == 1);
  CHECK(field(p.rows_of("summary")[0], "exit") == "3");
}

TEST_CASE("in-process: out of memory while reading an export gives it a file row, the next export is checked") {
  Proc p = limited(40 * 1024, {"check", "--in-process", corpus("converted/Init.Prelude.ndjson"),
                               corpus("tutorial/good/001_basicDef.ndjson")});
  INFO(p.out << p.err);
  CHECK(p.exit == 3);
  auto files = p.rows_of("file");
  REQUIRE(files.size() >= 1);
  CHECK(field(files[0], "error").find("out_of_memory") != std::string::npos);
  CHECK(p.rows_of("summary").size() == 1);
}

#endif  // LB_SANITIZE

// Not run by ctest (hidden tag): writes the slow export to $LB_SLOW_EXPORT_OUT with
// $LB_SLOW_EXPORT_DEPS dependents, for scripts/soak-faults.
TEST_CASE("write the slow export for scripts", "[.slow-export]") {
  const char* out = std::getenv("LB_SLOW_EXPORT_OUT");
  REQUIRE(out != nullptr);
  const char* deps = std::getenv("LB_SLOW_EXPORT_DEPS");
  std::string path = slow_file(deps ? std::atoi(deps) : 0);
  std::filesystem::rename(path, out);
}
