// Soundness of what leanbatch decides without re-checking, and of its axiom policy, found by
// the 2026-12-07 review (corpora/leanbatch/, written by scripts/lib/make_policy_corpora.py):
// - a reuse key (worker reuse, --cache) must cover a declaration's body even when a string
//   literal names a declaration that comes later;
// - the allowlist must compare names, not their printed form;
// - the whole-export cache key must tell allowlists apart;
// - (2026-12-08 review) the checkers of a split export's parts, whose verdicts hold only under
//   their assumptions, must not record reuse keys, nor let an assumed duplicate take a name.
#include <filesystem>
#include <map>

#include "cli_support.hpp"

using namespace lbcli;

namespace {

std::map<std::string, std::string> statuses(const Proc& p, const std::string& file_suffix) {
  std::map<std::string, std::string> m;
  for (const auto& row : p.rows_of("decl")) {
    std::string f = field(row, "file");
    if (f.size() >= file_suffix.size() && f.compare(f.size() - file_suffix.size(), file_suffix.size(), file_suffix) == 0)
      m[field(row, "name")] = field(row, "status");
  }
  return m;
}

const std::string kA = corpus("leanbatch/digest-forward-name-a.accept.ndjson");
const std::string kB = corpus("leanbatch/digest-forward-name-b.reject.ndjson");

}  // namespace

TEST_CASE("a declaration named by a string literal and declared later does not hide the literal's body from reuse") {
  // `foo` holds a string literal, which names List.utf8Encode; List.utf8Encode comes after
  // foo and has type foo. In a foo is True, in b False. Reusing a's List.utf8Encode in b would
  // accept `bad : False`.
  for (const auto& mode : kModes) {
    INFO(mode[0]);
    Proc both = run(with({"check", "--reuse"}, with(mode, {kA, kB})));
    CHECK(both.exit == 1);
    auto b = statuses(both, "digest-forward-name-b.reject.ndjson");
    CHECK(b["List.utf8Encode"] == "rejected");
    CHECK(b["bad"] != "ok");
    CHECK(statuses(both, "digest-forward-name-a.accept.ndjson")["List.utf8Encode"] == "ok");

    std::string dir = fresh_dir("policy", "forward");
    REQUIRE(run(with({"check", "--cache", dir}, with(mode, {kA}))).exit == 0);
    Proc second = run(with({"check", "--cache", dir}, with(mode, {kB})));
    CHECK(second.exit == 1);
    auto s = statuses(second, "digest-forward-name-b.reject.ndjson");
    CHECK(s["List.utf8Encode"] == "rejected");
    CHECK(s["bad"] != "ok");
    std::filesystem::remove_all(dir);
  }
}

TEST_CASE("an axiom whose one-component name prints like Lean's axiom is not on the allowlist") {
  const std::string f = corpus("leanbatch/axiom-one-component-dotted.reject.ndjson");
  for (const auto& mode : kModes) {
    INFO(mode[0]);
    Proc p = run(with({"check", "--strict-axioms", "--axioms"}, with(mode, {f})));
    CHECK(p.exit == 1);
    bool saw = false;
    for (const auto& row : p.rows_of("decl"))
      if (field(row, "name") == "bad") {
        saw = true;
        CHECK(field(row, "status") == "rejected");
        CHECK(field(row, "error").find("axiom_not_allowed") != std::string::npos);
        // Reported in Lean's syntax, so that it does not read as Lean's Classical.choice.
        CHECK(field(row, "axioms") == "[\"\u00abClassical.choice\u00bb\"]");
      }
    CHECK(saw);
  }
  // Allowed by its own name, in Lean's syntax, it is allowed.
  CHECK(run({"check", "--in-process", "--strict-axioms", "--allow-axiom", "\u00abClassical.choice\u00bb", f}).exit == 0);
  // A malformed name is a usage error, not an allowlist entry that silently allows nothing.
  Proc bad = run({"check", "--in-process", "--allow-axiom", "a..b", f});
  CHECK(bad.exit != 0);
  CHECK(bad.exit != 1);
  CHECK(bad.err.find("not a Lean name") != std::string::npos);
}

TEST_CASE("the whole-export cache tells one allowlisted name holding a comma from two names") {
  const std::string f = corpus("leanbatch/axiom-allowlist-comma.reject.ndjson");
  for (const auto& mode : kModes) {
    INFO(mode[0]);
    std::string dir = fresh_dir("policy", "comma");
    // `a : False` allowed: bad is accepted, and the export's rows are stored.
    REQUIRE(run(with({"check", "--cache", dir, "--strict-axioms", "--allow-axiom", "a", "--allow-axiom", "b"},
                     with(mode, {f})))
                .exit == 0);
    // The one name `a,b` does not allow `a`: no replay of the run above.
    Proc p = run(with({"check", "--cache", dir, "--strict-axioms", "--allow-axiom", "a,b"}, with(mode, {f})));
    CHECK(p.exit == 1);
    std::filesystem::remove_all(dir);
  }
}

TEST_CASE("a worker's forged rows never make a declaration ok") {
  // Hardening of the driver (2026-12-07 review): it counts a row by its status byte, and keeps
  // one row per declaration. A worker whose status byte says ok while its row says rejected,
  // or that sends a second, accepted row for a declaration, is broken: those declarations get
  // a crashed row (exit 3, or 1 when the export also has a rejection), never ok.
  for (const char* j : {"-j1", "-j2"}) {
    INFO(j);
    Proc lie = run({"check", j, kB}, {}, {"LEANBATCH_WORKER_TEST_FORGE=lie"});
    CHECK(lie.exit == 3);  // every row crashed: none is counted by a byte its row denies
    auto s = statuses(lie, "digest-forward-name-b.reject.ndjson");
    CHECK(s["List.utf8Encode"] == "crashed");
    CHECK(s["bad"] != "ok");
    Proc dup = run({"check", j, kB}, {}, {"LEANBATCH_WORKER_TEST_FORGE=dup"});
    CHECK(dup.exit == 1);  // List.utf8Encode is rejected; declaration 0 crashed
    std::map<std::string, int> rows_per_name;
    int crashed = 0;
    for (const auto& row : dup.rows_of("decl")) {
      ++rows_per_name[field(row, "name")];
      if (field(row, "status") == "crashed") ++crashed;
    }
    for (const auto& [name, n] : rows_per_name) CHECK(n == 1);
    CHECK(rows_per_name.count("forged") == 0);
    CHECK(crashed >= 1);
  }
}

TEST_CASE("a split export's parts record no reuse keys: an assumed duplicate cannot vouch for a proof of False") {
  // Review 3 (2026-12-08): with a split into tiny parts, a part assumed the later duplicate
  // `axiom x : F` (F is False), accepted `t_i : F := x` and recorded their keys; the next run
  // over b, where `x` is only `def x : Prop`, replayed t5 from the cache as ok (exit 0).
  const std::string a = corpus("leanbatch/part-duplicate-name-a.reject.ndjson");
  const std::string b = corpus("leanbatch/part-duplicate-name-b.reject.ndjson");
  const std::vector<std::string> tiny{"LEANBATCH_PART_BLOCK=1"};
  for (const char* j : {"-j2", "-j4"}) {
    INFO(j);
    std::string dir = fresh_dir("policy", "parts");
    Proc first = run({"check", j, "--strict-axioms", "--cache", dir, a}, {}, tiny);
    CHECK(first.exit == 1);
    size_t ok_rows = 0;
    for (const auto& row : first.rows_of("decl")) {
      ok_rows += field(row, "status") == "ok";
      if (field(row, "name").rfind("t", 0) == 0) CHECK(field(row, "status") == "rejected");
    }
    // The cache holds a key for each ok row (F and the first x) and for nothing else.
    Proc stats = run({"cache", "stats", dir});
    REQUIRE(stats.rows_of("cache").size() == 1);
    CHECK(field(stats.rows_of("cache")[0], "entries") == std::to_string(ok_rows));
    CHECK(ok_rows == 2);
    for (const auto& mode : kModes) {
      INFO(mode[0]);
      Proc second = run(with({"check", "--strict-axioms", "--cache", dir}, with(mode, {b})));
      CHECK(second.exit == 1);
      CHECK(statuses(second, "part-duplicate-name-b.reject.ndjson")["t5"] == "rejected");
    }
    std::filesystem::remove_all(dir);
    // One run over both, no cache: the worker's reuse set is not fed by the parts either.
    Proc both = run({"check", j, "--reuse", a, b}, {}, tiny);
    CHECK(both.exit == 1);
    CHECK(statuses(both, "part-duplicate-name-b.reject.ndjson")["t5"] == "rejected");
  }
}
