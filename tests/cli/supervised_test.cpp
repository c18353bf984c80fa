// leanbatch through supervised workers: same verdicts as in-process, one row per item
// whatever happens to workers, interruption.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "builder.hpp"
#include "cli_support.hpp"
#include "slow_export.hpp"

namespace {

struct Result {
  int exit = -1;
  std::vector<std::string> rows;
  std::string err;
};

// Runs leanbatch with argv; optionally sends `sig` (SIGINT) after `interrupt_after`.
Result run_lb(const std::vector<std::string>& args, std::chrono::milliseconds interrupt_after = {}, int sig = SIGINT) {
  lbcli::Proc p = lbcli::run(args, "", {}, LEANBATCH_BIN, interrupt_after, sig);
  return Result{p.exit, p.rows(), p.err};
}

std::string str_field(simdjson::dom::element row, const char* key) {
  std::string_view s;
  return row[key].get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

// (file, line) -> status of every decl/file row ("status kind" with `detailed`, plus the
// summary's counts under ("summary", 0)); checks there is one terminal row per declaration.
std::map<std::pair<std::string, uint64_t>, std::string> row_map(const Result& r, bool detailed) {
  simdjson::dom::parser p;
  std::map<std::pair<std::string, uint64_t>, std::string> out;
  for (const std::string& line : r.rows) {
    simdjson::dom::element row = p.parse(line);
    std::string type = str_field(row, "type");
    std::string what = str_field(row, "status");
    simdjson::dom::element err;
    if (detailed) what += " " + (row["error"].get(err) == simdjson::SUCCESS ? str_field(err, "kind") : std::string());
    if (type == "decl") {
      uint64_t l = 0;
      if (row["line"].get(l) != simdjson::SUCCESS) l = 0;
      auto key = std::make_pair(str_field(row, "file"), l);
      INFO(line);
      CHECK(out.count(key) == 0);  // exactly one row per declaration
      out[key] = what;
    } else if (type == "file") {
      out[{str_field(row, "file"), 0}] = what;
    } else if (type == "summary" && detailed) {
      std::string counts;
      for (const char* k : {"files", "declarations", "ok", "rejected", "declined", "malformed", "timeout", "crashed",
                            "cancelled", "skipped", "file_errors", "exit"}) {
        uint64_t v = 0;
        if (row[k].get(v) == simdjson::SUCCESS) counts += std::string(k) + "=" + std::to_string(v) + " ";
      }
      out[{"summary", 0}] = counts;
    }
  }
  return out;
}
std::map<std::pair<std::string, uint64_t>, std::string> statuses(const Result& r) { return row_map(r, false); }
std::map<std::pair<std::string, uint64_t>, std::string> verdicts(const Result& r) { return row_map(r, true); }

// An export whose theorem `slow` needs minutes of unary arithmetic (no GMP shortcut),
// between ordinary declarations.
}  // namespace

TEST_CASE("workers give the same verdicts as in-process checking on the whole corpus") {
  std::vector<std::string> files = lbtest::expected_files("");
  std::vector<std::string> args{"check", "-j", "2"};
  for (const auto& f : files) args.push_back(lbtest::corpus_path(f));
  Result sup = run_lb(args);
  args.push_back("--in-process");
  Result inp = run_lb(args);
  CHECK(sup.exit == inp.exit);
  auto a = statuses(sup);
  auto b = statuses(inp);
  CHECK(a.size() > 3000);
  CHECK(a == b);
}


TEST_CASE("one export over several workers gives exactly the serial rows, on every corpus file") {
  // Each file alone (so it is split): -j2 with the default blocks, -j4 with blocks of one
  // declaration (every part assumes most of the file), against --in-process.
  for (const std::string& rel : lbtest::expected_files("")) {
    std::string f = lbtest::corpus_path(rel);
    INFO(rel);
    Result inp = run_lb({"check", "--in-process", f});
    auto want = verdicts(inp);
    Result j2 = run_lb({"check", "-j", "2", f});
    CHECK(j2.exit == inp.exit);
    CHECK(verdicts(j2) == want);
    setenv("LEANBATCH_PART_BLOCK", "1", 1);
    Result j4 = run_lb({"check", "-j", "4", f});
    unsetenv("LEANBATCH_PART_BLOCK");
    CHECK(j4.exit == inp.exit);
    CHECK(verdicts(j4) == want);
  }
}

TEST_CASE("parts read from other bytes are not joined: never an ok row the serial run lacks") {
  // Review 3 (2026-12-08): each worker reads the export itself (or maps an image), so a file
  // changed during the run could give parts of two versions, each assuming what the other
  // checked. A test hook makes worker 2's parts name other bytes. Whichever bytes the first
  // answer named are the export's: if they are worker 1's, worker 2's parts are not joined and
  // the rest is checked serially (the serial rows); if worker 2's, the serial rest names other
  // bytes too and its declarations are `crashed` (exit 3). Never an ok that the serial run lacks.
  for (const char* rel : {"converted/Nat.gcd.ndjson", "leanbatch/part-duplicate-name-a.reject.ndjson",
                          "tutorial/good/089_projRed.ndjson"}) {
    std::string f = lbtest::corpus_path(rel);
    INFO(rel);
    Result inp = run_lb({"check", "--in-process", f});
    setenv("LEANBATCH_PART_BLOCK", "1", 1);
    setenv("LEANBATCH_WORKER_TEST_FORGE", "other-bytes:2", 1);
    Result j2 = run_lb({"check", "-j", "2", f});
    unsetenv("LEANBATCH_WORKER_TEST_FORGE");
    unsetenv("LEANBATCH_PART_BLOCK");
    // (On a tiny export both parts may land on worker 1; Nat.gcd's always reach worker 2.)
    if (std::string(rel) == "converted/Nat.gcd.ndjson") CHECK(j2.err.find("different copies") != std::string::npos);
    auto got = statuses(j2), want = statuses(inp);
    for (const auto& [k, st] : got)
      if (k.first != "summary" && st == "ok") CHECK(want[k] == "ok");
    if (j2.exit == 3) {
      bool changed = false;
      for (const auto& [k, st] : verdicts(j2)) changed |= st == "crashed export_changed";
      CHECK(changed);
    } else {
      CHECK(j2.exit == inp.exit);
      CHECK(verdicts(j2) == verdicts(inp));
    }
  }
}

TEST_CASE("an export that changes between two workers' reads gets crashed rows, never a verdict") {
  // Reviews 4 and 5 (2026-12-08): rows of one export read twice (parts, a restarted worker,
  // the serial rest of a split export) came from two versions when the file changed in
  // between: exit 0 for a file none of whose versions passes. Every answer now names the copy
  // its rows come from (file identity, count, and for split exports the bytes' digest), which
  // must be the first import answer's. Here every request gets a fresh worker
  // (--max-requests 1), and each worker after the first touches the file before it starts.
  std::string dir = lbcli::fresh_dir("supervised", "changed");
  std::filesystem::create_directories(dir);
  std::string f = dir + "/gcd.ndjson";
  std::filesystem::copy_file(lbtest::corpus_path("converted/Nat.gcd.ndjson"), f);
  std::string wrapper = dir + "/worker.sh";
  // Each later worker gives the file its own modification time (a plain touch within one tick
  // of the file system's clock could leave the times as they were).
  lbcli::worker_wrapper(wrapper, "n=$(cat '" + f + ".seen' 2>/dev/null || echo 0)\necho $((n + 1)) > '" + f +
                                     ".seen'\nif [ \"$n\" -gt 0 ]; then touch -d @$((1000000000 + n)) '" + f + "'; fi");
  for (const char* j : {"-j1", "-j2"}) {
    INFO(j);
    std::filesystem::remove(f + ".seen");
    lbcli::Proc p = lbcli::run({"check", j, "--max-requests", "1", f}, "",
                               {"LEANBATCH_WORKER=" + wrapper, "LEANBATCH_PART_BLOCK=1"}, LEANBATCH_BIN);
    CHECK(p.exit == 3);
    size_t rows = 0, changed = 0;
    // (Rows a worker sent from the first copy may be ok: the bytes never changed here, only
    // the file's times; what matters is that no verdict is given for the file.)
    for (const auto& row : p.rows_of("decl")) {
      ++rows;
      changed += lbcli::field(row, "error").find("export_changed") != std::string::npos;
    }
    if (rows == 0) {
      // A worker's touch landed while another was reading: that read failed (the file changed
      // while it was read), a file row.
      REQUIRE(p.rows_of("file").size() == 1);
      CHECK(lbcli::field(p.rows_of("file")[0], "error").find("changed") != std::string::npos);
    } else {
      CHECK(rows == 274);
      CHECK(changed > 0);
    }
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a row for a declaration the check did not ask for is dropped: every declaration keeps its own row") {
  // The worker hook also answers every chunk with a rejected row for the export's last
  // declaration. Printed, it would fail the run and stand in for that declaration's own row.
  std::string f = lbtest::corpus_path("converted/Nat.gcd.ndjson");
  Result inp = run_lb({"check", "--in-process", f});
  setenv("LEANBATCH_WORKER_TEST_FORGE", "stray", 1);
  Result sup = run_lb({"check", "-j", "1", f});
  unsetenv("LEANBATCH_WORKER_TEST_FORGE");
  INFO(sup.err);
  CHECK(inp.exit == 0);
  CHECK(sup.exit == inp.exit);
  CHECK(statuses(sup) == statuses(inp));
  CHECK(sup.err.find("did not ask for") != std::string::npos);
}

TEST_CASE("nothing that grows with the export travels in one frame: a tiny frame cap gives the in-process rows") {
  // Init.Prelude's declaration table alone is ~100 KB; with a 16 KB cap it must stream.
  std::string f = lbtest::corpus_path("converted/Init.Prelude.ndjson");
  setenv("LEANBATCH_MAX_FRAME_BYTES", "16384", 1);
  Result sup = run_lb({"check", "-j", "1", f});
  unsetenv("LEANBATCH_MAX_FRAME_BYTES");
  Result inp = run_lb({"check", "--in-process", f});
  INFO(sup.err);
  CHECK(sup.exit == 0);
  CHECK(sup.exit == inp.exit);
  auto a = statuses(sup);
  CHECK(a.size() > 1700);
  CHECK(a == statuses(inp));
}

TEST_CASE("a hanging declaration costs one timeout row, the rest is still checked") {
  std::string f = slow_file();
  Result r = run_lb({"check", "--request-timeout-s", "2", "--events", f});
  CHECK(r.exit == 3);
  auto st = statuses(r);
  std::map<std::string, std::string> by_name;
  simdjson::dom::parser p;
  bool restarted = false;
  for (const auto& line : r.rows) {
    simdjson::dom::element row = p.parse(line);
    if (str_field(row, "type") == "decl") by_name[str_field(row, "name")] = str_field(row, "status");
    if (str_field(row, "type") == "event" && str_field(row, "event") == "exited" && line.find("\"timeout\"") != std::string::npos)
      restarted = true;
  }
  CHECK(by_name["slow"] == "timeout");
  CHECK(by_name["before"] == "ok");
  CHECK(by_name["after"] == "ok");
  CHECK(by_name["Nat"] == "ok");
  CHECK(restarted);
}

TEST_CASE("a declaration that blows the memory ceiling costs one crashed row") {
  std::string f = slow_file();
  Result r = run_lb({"check", "--rss-hard-mb", "300", "--request-timeout-s", "120", f});
  CHECK(r.exit == 3);
  std::map<std::string, std::string> by_name;
  std::string slow_row;
  simdjson::dom::parser p;
  for (const auto& line : r.rows) {
    simdjson::dom::element row = p.parse(line);
    if (str_field(row, "type") == "decl") by_name[str_field(row, "name")] = str_field(row, "status");
    if (line.find("\"name\":\"slow\"") != std::string::npos) slow_row = line;
  }
  CHECK(by_name["slow"] == "crashed");
  CHECK(slow_row.find("killed_by_limit") != std::string::npos);
  CHECK(by_name["after"] == "ok");
  // `attempt` counts the worker generations that tried a declaration: `after` was in the
  // chunk whose workers `slow` killed (twice: the pool retries once), then checked alone.
  uint64_t after_attempt = 0, slow_attempt = 0;
  for (const auto& line : r.rows) {
    simdjson::dom::element row = p.parse(line);
    uint64_t a = 0;
    if (row["attempt"].get(a) != simdjson::SUCCESS) continue;
    if (str_field(row, "name") == "after") after_attempt = a;
    if (str_field(row, "name") == "slow") slow_attempt = a;
  }
  CHECK(after_attempt == 3);
  CHECK(slow_attempt == 4);
}

TEST_CASE("the dependents of a declaration that timed out are skipped, never re-run, in both modes") {
  std::string f = slow_file(6);
  auto rows_of = [](const Result& r) {
    std::map<std::string, std::string> by_name;
    simdjson::dom::parser p;
    for (const auto& line : r.rows) {
      simdjson::dom::element row = p.parse(line);
      if (str_field(row, "type") != "decl") continue;
      std::string kind;
      simdjson::dom::element err;
      if (row["error"].get(err) == simdjson::SUCCESS) kind = str_field(err, "kind");
      by_name[str_field(row, "name")] = str_field(row, "status") + " " + kind;
    }
    return by_name;
  };
  // Supervised: before, each dependent re-ran `slow` into the watchdog (7 kills) and was
  // blamed for it.
  Result sup = run_lb({"check", "-j1", "--events", "--request-timeout-s", "2", f});
  CHECK(sup.exit == 3);
  auto a = rows_of(sup);
  CHECK(a["slow"].rfind("timeout", 0) == 0);
  for (int k = 0; k < 6; ++k) CHECK(a["dep" + std::to_string(k)] == "skipped depends_on_timeout");
  // Transitively too (it used to be declined, depends_on_declined: exit 2 material).
  CHECK(a["depdep"] == "skipped depends_on_timeout");
  CHECK(a["after"] == "ok ");
  int kills = 0;
  for (const auto& line : sup.rows)
    if (line.find("\"event\":\"exited\"") != std::string::npos && line.find("\"timeout\"") != std::string::npos) ++kills;
  CHECK(kills == 2);  // the chunk that met it, then `slow` alone (its declarations retried one by one)
  // In-process with a budget: before, the dependents said depends_on_declined.
  Result inp = run_lb({"check", "--in-process", "--budget-ms", "1000", f});
  CHECK(inp.exit == 3);
  auto b = rows_of(inp);
  CHECK(b["slow"].rfind("timeout", 0) == 0);
  for (int k = 0; k < 6; ++k) CHECK(b["dep" + std::to_string(k)] == "skipped depends_on_timeout");
  CHECK(b["depdep"] == "skipped depends_on_timeout");
}

TEST_CASE("SIGINT: every unfinished declaration gets a cancelled row, exit 130") {
  std::string f = slow_file();
  Result r = run_lb({"check", f}, std::chrono::milliseconds(1500));
  CHECK(r.exit == 130);
  std::map<std::string, std::string> by_name;
  simdjson::dom::parser p;
  for (const auto& line : r.rows) {
    simdjson::dom::element row = p.parse(line);
    if (str_field(row, "type") == "decl") by_name[str_field(row, "name")] = str_field(row, "status");
  }
  CHECK(by_name["slow"] == "cancelled");
  CHECK(by_name["after"] == "cancelled");
  CHECK(by_name.size() >= 4);
  CHECK(r.rows.back().find("\"type\":\"summary\"") != std::string::npos);
  CHECK(r.rows.back().find("\"exit\":130") != std::string::npos);
}

TEST_CASE("SIGINT in-process: cancelled rows and exit 130 too") {
  std::string f = slow_file();
  Result r = run_lb({"check", "--in-process", f}, std::chrono::milliseconds(1500));
  CHECK(r.exit == 130);
  bool cancelled = false;
  for (const auto& line : r.rows)
    if (line.find("\"name\":\"slow\"") != std::string::npos && line.find("\"cancelled\"") != std::string::npos)
      cancelled = true;
  CHECK(cancelled);
}

TEST_CASE("SIGINT or SIGHUP in-process: the files after the interrupted one get cancelled rows") {
  std::string f = slow_file();
  std::string p1 = lbtest::corpus_path("axeyum/classical-em.ndjson");
  std::string p2 = lbtest::corpus_path("tutorial/good/001_basicDef.ndjson");
  for (int sig : {SIGINT, SIGHUP}) {
    INFO("signal " << sig);
    Result r = run_lb({"check", "--in-process", f, p1, p2}, std::chrono::milliseconds(1500), sig);
    CHECK(r.exit == 130);
    auto st = statuses(r);
    // Before: p1 and p2 had no row at all (and SIGHUP killed the process: exit 129).
    CHECK(st[{p1, 0}] == "cancelled");
    CHECK(st[{p2, 0}] == "cancelled");
    REQUIRE(!r.rows.empty());
    CHECK(r.rows.back().find("\"type\":\"summary\"") != std::string::npos);
  }
}

TEST_CASE("run: a manifest of items, relative paths, bad lines reported with their number") {
  std::string dir = std::string(LB_SOURCE_DIR) + "/corpora";
  std::string m = std::string(LB_BINARY_DIR) + "/manifest.ndjson";
  {
    std::ofstream o(m);
    o << "{\"file\":\"" << dir << "/lean4export/Nat.add_succ.ndjson\",\"decls\":[\"Nat.add_succ\",\"Nope\"]}\n";
    o << "{\"file\":\"" << dir << "/tutorial/good/001_basicDef.ndjson\"}\n";
  }
  Result r = run_lb({"run", m});
  CHECK(r.exit == 1);  // Nope is skipped
  auto st = statuses(r);
  CHECK(st.size() == 3);  // two checked declarations and one skipped name
  CHECK(st[{dir + "/tutorial/good/001_basicDef.ndjson", 6}] == "ok");
  CHECK(st[{dir + "/lean4export/Nat.add_succ.ndjson", 0}] == "skipped");
  // The plain-text form, with a path relative to the manifest's folder and a #Decl suffix.
  std::string txt = std::string(LB_BINARY_DIR) + "/manifest.txt";
  {
    std::ofstream o(txt);
    o << "# comment\n" << std::filesystem::relative(dir, LB_BINARY_DIR).string()
      << "/lean4export/Nat.add_succ.ndjson#Nat.add_succ\n";
  }
  Result t = run_lb({"run", txt});
  CHECK(t.exit == 0);
  auto tst = statuses(t);
  REQUIRE(tst.size() == 1);
  CHECK(tst.begin()->second == "ok");
  std::string bad = std::string(LB_BINARY_DIR) + "/bad-manifest.ndjson";
  {
    std::ofstream o(bad);
    o << "{\"file\":\"a.ndjson\"}\n{\"fiel\":\"b\"}\n";
  }
  Result e = run_lb({"run", bad});
  CHECK(e.exit == 1);
  CHECK(e.err.find("line 2") != std::string::npos);
  CHECK(e.err.find("unknown key 'fiel'") != std::string::npos);
}

namespace {

// A plain-text manifest in the build folder naming `lines` (paths and path#Decl).
std::string write_manifest(const std::string& name, const std::vector<std::string>& lines) {
  std::string m = std::string(LB_BINARY_DIR) + "/" + name;
  std::ofstream o(m);
  for (const auto& l : lines) o << l << "\n";
  return m;
}

// Row files ("file" field) of the decl and file rows; the summary's fields.
struct RowSummary {
  std::multiset<std::string> files;
  std::map<std::string, std::string> summary;
};
RowSummary summarize(const Result& r) {
  simdjson::dom::parser p;
  RowSummary s;
  for (const std::string& line : r.rows) {
    simdjson::dom::element row = p.parse(line);
    std::string type = str_field(row, "type");
    if (type == "decl" || type == "file") s.files.insert(str_field(row, "file"));
    if (type == "summary")
      for (auto [k, v] : simdjson::dom::object(row)) s.summary[std::string(k)] = simdjson::minify(v);
  }
  return s;
}

}  // namespace

TEST_CASE("run --shard I/N splits the items by export file, and the shards together are the whole run") {
  std::string dir = std::string(LB_SOURCE_DIR) + "/corpora/";
  std::vector<std::string> files = {dir + "tutorial/good/001_basicDef.ndjson", dir + "axeyum/nat-le-succ.ndjson",
                                    dir + "axeyum/nat-le-refl.ndjson", dir + "tutorial/good/004_dependentType.ndjson"};
  std::string m = write_manifest("shard-manifest.txt", files);
  Result whole = run_lb({"run", m});
  REQUIRE(whole.exit == 0);
  RowSummary all = summarize(whole);
  std::multiset<std::string> seen;
  for (const char* sh : {"1/3", "2/3", "3/3"}) {
    Result part = run_lb({"run", "--shard", sh, m});
    CHECK(part.exit == 0);
    RowSummary s = summarize(part);
    for (const auto& f : s.files) seen.insert(f);
    // A file is never split across shards.
    for (const auto& f : s.files) CHECK(s.files.count(f) == all.files.count(f));
  }
  CHECK(seen == all.files);
  CHECK(run_lb({"run", "--shard", "4/3", m}).exit == 64);
  CHECK(run_lb({"run", "--shard", "x", m}).exit == 64);
  CHECK(run_lb({"check", "--shard", "1/2", "--decl", "basicDef", files[0]}).exit == 64);
}

TEST_CASE("a bad manifest still ends with a malformed file row and a summary") {
  std::string bad = std::string(LB_BINARY_DIR) + "/bad-manifest-rows.ndjson";
  std::ofstream(bad) << "{\"file\":\"a.ndjson\"}\n{\"file\":3}\n";
  Result r = run_lb({"run", bad});
  CHECK(r.exit == 1);
  REQUIRE(r.rows.size() == 2);
  CHECK(r.rows[0].find("\"type\":\"file\"") != std::string::npos);
  CHECK(r.rows[0].find("\"status\":\"malformed\"") != std::string::npos);
  CHECK(r.rows[0].find("\"line\":2") != std::string::npos);
  CHECK(r.rows[1].find("\"type\":\"summary\"") != std::string::npos);
  CHECK(r.err.find("line 2: 'file' must be a string") != std::string::npos);
}

TEST_CASE("an unreadable export is one crashed file row and exit 3, in both modes") {
  std::string dir = std::string(LB_SOURCE_DIR) + "/corpora/";
  std::string m = write_manifest("io-manifest.txt", {dir + "tutorial/good/001_basicDef.ndjson", "/nonexistent/x.ndjson"});
  for (bool in_process : {false, true}) {
    std::vector<std::string> args = {"run", m};
    if (in_process) args.insert(args.begin() + 1, "--in-process");
    Result r = run_lb(args);
    INFO((in_process ? "in-process" : "workers"));
    CHECK(r.exit == 3);
    RowSummary s = summarize(r);
    CHECK(s.summary["declarations"] == "1");  // the file row is not a declaration
    CHECK(s.summary["file_errors"] == "1");
    CHECK(s.summary["ok"] == "1");
    bool io_row = false;
    for (const auto& line : r.rows)
      if (line.find("\"type\":\"file\"") != std::string::npos && line.find("\"status\":\"crashed\"") != std::string::npos &&
          line.find("\"kind\":\"io\"") != std::string::npos)
        io_row = true;
    CHECK(io_row);
  }
}

TEST_CASE("rows carry the manifest's file as written and its module, in both modes") {
  std::string m = std::string(LB_BINARY_DIR) + "/module-manifest.ndjson";
  std::string rel = std::filesystem::relative(std::string(LB_SOURCE_DIR) + "/corpora/tutorial/good/001_basicDef.ndjson",
                                              LB_BINARY_DIR)
                        .string();
  std::ofstream(m) << "{\"file\":\"" << rel << "\",\"module\":\"Tutorial.Basic\"}\n";
  for (bool in_process : {false, true}) {
    std::vector<std::string> args = {"run", m};
    if (in_process) args.insert(args.begin() + 1, "--in-process");
    Result r = run_lb(args);
    INFO((in_process ? "in-process" : "workers"));
    CHECK(r.exit == 0);
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0].find("\"file\":\"" + rel + "\"") != std::string::npos);
    CHECK(r.rows[0].find("\"module\":\"Tutorial.Basic\"") != std::string::npos);
  }
}

TEST_CASE("plan: the items of a split export give exactly the serial rows when run") {
  for (const char* rel : {"converted/Init.Prelude.ndjson", "leanbatch/proj-of-stuck-sort.reject.ndjson",
                          "kiota/extra-rec.reject.ndjson"}) {
    INFO(rel);
    std::string f = lbtest::corpus_path(rel);
    Result plan = run_lb({"plan", f, "--parts", "3"});
    REQUIRE(plan.exit == 0);
    REQUIRE(!plan.rows.empty());
    REQUIRE(plan.rows.size() <= 3);  // fewer when the file has fewer declarations
    std::string manifest = std::string(LB_BINARY_DIR) + "/plan-" + std::to_string(getpid()) + ".ndjson";
    {
      std::ofstream m(manifest);
      for (const auto& row : plan.rows) m << row << "\n";
    }
    Result parts = run_lb({"run", "-j", "2", manifest});
    Result serial = run_lb({"check", "--in-process", f});
    std::remove(manifest.c_str());
    CHECK(parts.exit == serial.exit);
    auto a = verdicts(parts), b = verdicts(serial);
    a.erase({"summary", 0});
    b.erase({"summary", 0});
    CHECK(a == b);
  }
}

TEST_CASE("sweeps: a declaration verified once is reused in the next module, in both modes") {
  std::string src = lbtest::corpus_path("axeyum/classical-em.ndjson");
  std::string dir = std::string(LB_BINARY_DIR) + "/sweep-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::string m = dir + "/manifest.txt";
  {
    std::ofstream o(m);
    for (int i = 0; i < 3; ++i) {
      std::filesystem::copy_file(src, dir + "/m" + std::to_string(i) + ".ndjson",
                                 std::filesystem::copy_options::overwrite_existing);
      o << dir << "/m" << i << ".ndjson\n";
    }
  }
  for (const char* mode : {"-j1", "--in-process"}) {
    INFO(mode);
    Result r = run_lb({"run", mode, m});
    CHECK(r.exit == 0);
    size_t reused = 0, decls = 0;
    for (const auto& line : r.rows)
      if (line.find("\"type\":\"decl\"") != std::string::npos) {
        ++decls;
        if (line.find("\"reused\"") != std::string::npos) ++reused;
      }
    CHECK(decls == 3 * 84);
    CHECK(reused == 2 * 84);  // the first module is checked, the other two reused
    Result n = run_lb({"run", mode, "--no-reuse", m});
    for (const auto& line : n.rows) CHECK(line.find("\"reused\"") == std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a --decl may name any constant (a constructor, a recursor), with the same rows in every mode") {
  using namespace lbcli;
  const std::string file = corpus("converted/Nat.gcd.ndjson");
  std::vector<std::string> expected;
  for (const char* mode : {"--in-process", "-j1", "-j2"}) {
    INFO(mode);
    Proc r = run({"check", mode, "--decl", "Nat.succ", "--decl", "Nat.rec", "--decl", "Nat.gcd", file});
    CHECK(r.exit == 0);
    std::vector<std::string> got;
    for (const auto& row : r.rows_of("decl")) got.push_back(field(row, "name") + " " + field(row, "status"));
    std::sort(got.begin(), got.end());
    CHECK(std::find(got.begin(), got.end(), "Nat ok") != got.end());  // the block of Nat.succ and Nat.rec
    if (expected.empty()) expected = got;
    CHECK(got == expected);
  }
}

// Rows are written in batches (RowWriter::Batch), but never held back while a declaration
// is being checked: the row of `before` must reach a pipe while `slow` (minutes) is still
// being checked. In-process; supervised mode prints a check job's rows when the job ends
// (docs/protocol.md).
TEST_CASE("rows decided before a long check reach the pipe while it runs") {
  std::string f = slow_file();
  for (const char* mode : {"--in-process"}) {
    INFO(mode);
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::dup2(fds[1], 1);
      ::close(fds[0]);
      ::close(fds[1]);
      int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 2);
      ::execl(LEANBATCH_BIN, LEANBATCH_BIN, "check", mode, f.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[1]);
    std::string got;
    bool seen = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!seen && std::chrono::steady_clock::now() < deadline) {
      pollfd pfd{fds[0], POLLIN, 0};
      if (::poll(&pfd, 1, 200) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
      seen = got.find("\"name\":\"before\"") != std::string::npos;
    }
    // `slow` is still running: the process has not ended, and its row is not out.
    int st = 0;
    CHECK(::waitpid(pid, &st, WNOHANG) == 0);
    CHECK(seen);
    CHECK(got.find("\"name\":\"slow\"") == std::string::npos);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &st, 0);
    ::close(fds[0]);
  }
  std::remove(f.c_str());
}
