// The leanbatch command line: rows on stdout (and nothing else), exit codes, errors.
#include <catch2/catch.hpp>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

struct Run {
  int exit = -1;
  std::string out, err;
  std::vector<std::string> rows() const {
    std::vector<std::string> r;
    size_t pos = 0;
    while (pos < out.size()) {
      size_t nl = out.find('\n', pos);
      if (nl == std::string::npos) nl = out.size();
      if (nl > pos) r.push_back(out.substr(pos, nl - pos));
      pos = nl + 1;
    }
    return r;
  }
};

std::string corpus(const std::string& rel) { return std::string(LB_SOURCE_DIR) + "/corpora/" + rel; }

Run run(const std::string& args) {
  // One stderr file per call: ctest runs test cases of this binary in parallel processes.
  static int calls = 0;
  std::string errfile = std::string(LB_BINARY_DIR) + "/cli-stderr-" + std::to_string(getpid()) + "-" +
                        std::to_string(calls++) + ".txt";
  std::string cmd = std::string(LEANBATCH_BIN) + " " + args + " 2>" + errfile;
  Run r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 65536> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int st = pclose(p);
  r.exit = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  {
    std::ifstream e(errfile);
    r.err.assign(std::istreambuf_iterator<char>(e), {});
  }
  std::remove(errfile.c_str());
  return r;
}

// Every stdout line is a JSON object with schema 1; returns the parsed rows' "type" fields.
std::vector<std::string> row_types(const Run& r) {
  simdjson::dom::parser parser;
  std::vector<std::string> types;
  for (const std::string& line : r.rows()) {
    simdjson::dom::element doc;
    INFO(line);
    REQUIRE(parser.parse(line).get(doc) == simdjson::SUCCESS);
    REQUIRE(doc.type() == simdjson::dom::element_type::OBJECT);
    int64_t schema = 0;
    REQUIRE(doc["schema"].get(schema) == simdjson::SUCCESS);
    CHECK(schema == 1);
    std::string_view t;
    REQUIRE(doc["type"].get(t) == simdjson::SUCCESS);
    types.emplace_back(t);
  }
  return types;
}

std::string field(const std::string& row, const char* key) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(row);
  simdjson::dom::element v;
  if (doc[key].get(v) != simdjson::SUCCESS) return "";
  if (v.type() == simdjson::dom::element_type::STRING) return std::string(std::string_view(v));
  return simdjson::to_string(v);
}

}  // namespace

TEST_CASE("check: an accepted file exits 0 with one row per declaration and a summary") {
  Run r = run("check --in-process " + corpus("lean4export/Nat.add_succ.ndjson"));
  CHECK(r.exit == 0);
  auto types = row_types(r);
  REQUIRE(types.size() == 20);
  CHECK(types.back() == "summary");
  CHECK(field(r.rows().back(), "ok") == "19");
  CHECK(field(r.rows().back(), "exit") == "0");
  CHECK(field(r.rows()[0], "status") == "ok");
  CHECK(r.err.empty());
}

TEST_CASE("check: a rejected declaration exits 1 and explains why with the terms involved") {
  Run r = run("check --in-process " + corpus("tutorial/bad/002_badDef.ndjson"));
  CHECK(r.exit == 1);
  auto rows = r.rows();
  REQUIRE(rows.size() == 2);
  CHECK(field(rows[0], "status") == "rejected");
  CHECK(rows[0].find(R"("kind":"def_type_mismatch")") != std::string::npos);
  CHECK(rows[0].find(R"("declared":"Prop")") != std::string::npos);
}

TEST_CASE("check: declined declarations exit 2 when nothing is rejected") {
  std::string f = std::string(LB_BINARY_DIR) + "/declined.ndjson";
  {
    std::ofstream o(f);
    o << R"({"meta":{"exporter":{"name":"x","version":"1"},"format":{"version":"3.1.0"},"lean":{"githash":"","version":""}}})" "\n"
      << R"({"in":1,"str":{"pre":0,"str":"u"}})" "\n" << R"({"ie":0,"sort":0})" "\n"
      << R"({"axiom":{"isUnsafe":true,"levelParams":[],"name":1,"type":0}})" "\n";
  }
  Run r = run("check --in-process " + f);
  CHECK(r.exit == 2);
  CHECK(field(r.rows()[0], "status") == "declined");
  Run r2 = run("check --in-process --allow-unsafe " + f);
  CHECK(r2.exit == 0);
}

TEST_CASE("check: malformed input exits 1 with a file row and a clear error") {
  Run r = run("check --in-process " + corpus("kiota/missing-isRec.reject.ndjson"));
  CHECK(r.exit == 1);
  auto types = row_types(r);
  REQUIRE(types.size() == 2);
  CHECK(types[0] == "file");
  CHECK(field(r.rows()[0], "status") == "malformed");
  CHECK(r.rows()[0].find(R"("line":17)") != std::string::npos);
  CHECK(r.err.find("missing field 'isRec'") != std::string::npos);
}

TEST_CASE("check: --decl checks one declaration, unknown names are skipped and fail the run") {
  Run r = run("check --in-process --decl Nat.add_succ " + corpus("lean4export/Nat.add_succ.ndjson"));
  CHECK(r.exit == 0);
  REQUIRE(r.rows().size() == 2);
  CHECK(field(r.rows()[0], "name") == "Nat.add_succ");
  Run r2 = run("check --in-process --decl No.such " + corpus("lean4export/Nat.add_succ.ndjson"));
  CHECK(r2.exit == 1);
  CHECK(field(r2.rows()[0], "status") == "skipped");
}

TEST_CASE("check: --axioms lists axioms, --strict-axioms rejects unlisted ones") {
  Run r = run("check --in-process --axioms --decl Classical.em " + corpus("axeyum/classical-em.ndjson"));
  CHECK(r.exit == 0);
  std::string row = r.rows()[0];
  CHECK(row.find(R"("axioms":["Classical.choice","Quot.sound","propext"])") != std::string::npos);
  Run r2 = run("check --in-process --strict-axioms --decl Classical.em " + corpus("axeyum/classical-em.ndjson"));
  CHECK(r2.exit == 0);  // all three are allowlisted by default
}

TEST_CASE("check: usage errors exit 64") {
  CHECK(run("check").exit == 64);
  CHECK(run("frobnicate").exit == 64);
  CHECK(run("check /nonexistent.ndjson").exit == 3);  // a file row (I/O), not a usage error
  CHECK(run("--version").exit == 0);
}

TEST_CASE("info: a summary row, declaration rows and an extract row") {
  Run r = run("info " + corpus("lean4export/Nat.add_succ.ndjson") + " --decl Nat.add --decl Nat.add_succ");
  CHECK(r.exit == 0);
  auto types = row_types(r);
  REQUIRE(types.size() == 3);
  CHECK(types[0] == "info");
  std::string s = r.rows()[0];
  CHECK(s.find(R"("declarations":{"total":19,"axiom":0,"def":12,"thm":1,"opaque":0,"quot":0,"inductive":6})") !=
        std::string::npos);
  CHECK(field(s, "format") == "3.1.0");
  CHECK(field(r.rows()[1], "kind") == "def");
  CHECK(field(r.rows()[1], "type_pretty") == "Nat → Nat → Nat");
  CHECK(r.rows()[2].find(R"("dependencies":["Eq","HAdd.hAdd","Nat","Nat.succ","instAddNat","instHAdd","rfl"])") !=
        std::string::npos);
  std::string out = std::string(LB_BINARY_DIR) + "/extract.ndjson";
  Run e = run("info " + corpus("converted/Init.Prelude.ndjson") + " --extract Nat.add -o " + out);
  CHECK(e.exit == 0);
  CHECK(field(e.rows()[1], "type") == "extract");
  Run c = run("check --in-process " + out);
  CHECK(c.exit == 0);
}

TEST_CASE("info: errors name the file and line, and unknown declarations fail") {
  Run r = run("info " + corpus("kiota/unknown-expr-kind.reject.ndjson"));
  CHECK(r.exit == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("leanbatch: error: '") != std::string::npos);
  CHECK(r.err.find("line 3") != std::string::npos);
  Run r2 = run("info " + corpus("lean4export/Nat.add_succ.ndjson") + " --decl Nope");
  CHECK(r2.exit == 1);
  CHECK(r2.err.find("no declaration named 'Nope'") != std::string::npos);
}

TEST_CASE("a closed stdout stops the run without a crash") {
  Run r = run("check --in-process " + corpus("converted/Init.Prelude.ndjson") + " | head -c 10");
  CHECK(r.exit == 0);  // the exit status of the pipeline is head's
}

TEST_CASE("stdout that cannot be written stops the run at once: exit 3 and a reason on stderr") {
  std::string f = corpus("converted/Init.Prelude.ndjson");
  for (const char* mode : {"--in-process", "-j1", "-j2"}) {
    INFO(mode);
    // Before: exit 3 with nothing on stderr, after checking everything.
    Run r = run(std::string("check ") + mode + " " + f + " " + f + " > /dev/full");
    CHECK(r.exit == 3);
    CHECK(r.err.find("cannot write rows to stdout") != std::string::npos);
  }
}

TEST_CASE("check: a repeatable option takes one value, the files after it are all checked") {
  std::string bad = corpus("leanbatch/proj-of-stuck-sort.reject.ndjson");
  std::string good = corpus("axeyum/classical-em.ndjson");
  for (const char* mode : {"--in-process", "-j1"}) {
    INFO(mode);
    // Before: `--allow-axiom MyAx` took both files as axiom names' company and checked only
    // the last one (exit 0 for a rejected export).
    Run a = run(std::string("check ") + mode + " --allow-axiom MyAx " + bad + " " + good);
    CHECK(a.exit == 1);
    CHECK(a.out.find("\"files\":2") != std::string::npos);
    Run d = run(std::string("check ") + mode + " --decl boom --decl observe " + bad + " " + good);
    CHECK(d.exit == 1);
    CHECK(d.out.find("\"files\":2") != std::string::npos);
    CHECK(d.out.find("\"name\":\"boom\"") != std::string::npos);
  }
  Run i = run("info " + good + " --decl Classical.em --decl propext");
  CHECK(i.exit == 0);
  CHECK(i.out.find("\"name\":\"propext\"") != std::string::npos);
}

TEST_CASE("check: a missing file or a directory is one file row, the files beside it are checked, exit 3") {
  std::string good = corpus("axeyum/classical-em.ndjson");
  for (const char* mode : {"--in-process", "-j1"}) {
    INFO(mode);
    // Before: exit 64 with no rows at all.
    Run r = run(std::string("check ") + mode + " /nonexistent-leanbatch.ndjson " + good + " " + LB_BINARY_DIR);
    CHECK(r.exit == 3);
    CHECK(r.out.find("\"file\":\"/nonexistent-leanbatch.ndjson\",\"status\":\"crashed\"") != std::string::npos);
    CHECK(r.out.find(std::string("\"file\":\"") + LB_BINARY_DIR + "\",\"status\":\"crashed\"") != std::string::npos);
    CHECK(r.out.find("\"ok\":84") != std::string::npos);
  }
}

TEST_CASE("command line: -v/-q after the subcommand, --extract needs -o first, run rejects --decl, -j is bounded") {
  std::string good = corpus("axeyum/classical-em.ndjson");
  Run q = run("check --in-process " + good + " -q");
  CHECK(q.exit == 0);
  Run x = run("info " + good + " --extract Classical.em");
  CHECK(x.exit == 64);
  CHECK(x.out.empty());  // before: a summary row, then exit 64
  Run d = run("run --decl X " + good);
  CHECK(d.exit == 64);
  Run j = run("check -j 100000 " + good);
  CHECK(j.exit == 64);
}

TEST_CASE("run: manifests with a byte order mark, comments anywhere, and `path # note`") {
  std::string good = corpus("axeyum/classical-em.ndjson");
  std::string m1 = std::string(LB_BINARY_DIR) + "/bom-" + std::to_string(getpid()) + ".ndjson";
  {
    std::ofstream o(m1);
    o << "\xEF\xBB\xBF{\"file\":\"" << good << "\",\"decls\":[\"Classical.em\"]}\n";
    o << "# a comment after the first item\n";
    o << "{\"file\":\"" << good << "\",\"decls\":[\"propext\"]}\n";
  }
  Run a = run("run --in-process " + m1);
  CHECK(a.exit == 0);
  CHECK(a.out.find("\"name\":\"Classical.em\"") != std::string::npos);
  CHECK(a.out.find("\"name\":\"propext\"") != std::string::npos);
  std::string m2 = std::string(LB_BINARY_DIR) + "/note-" + std::to_string(getpid()) + ".txt";
  {
    std::ofstream o(m2);
    o << good << "   # the whole file\n";
    o << good << "#Classical.em\n";
  }
  Run b = run("run --in-process " + m2);
  CHECK(b.exit == 0);  // before: a declaration named "the whole file" was missing (exit 1)
  CHECK(b.out.find("\"skipped\":0") != std::string::npos);
  std::remove(m1.c_str());
  std::remove(m2.c_str());
}

TEST_CASE("a worker out of memory is a structured row, not 'bad error payload'") {
  // 25 MiB of address space: the worker starts, then cannot load Init.Prelude.
  Run r = run("check -j1 --address-space-mb 25 " + corpus("converted/Init.Prelude.ndjson"));
  CHECK(r.exit == 3);
#ifndef LB_SANITIZE
  // (Under AddressSanitizer, whose shadow memory needs terabytes of address space, the worker
  // cannot even start under such a limit: a startup_failure row instead.)
  CHECK(r.out.find("\"kind\":\"out_of_memory\"") != std::string::npos);
#endif
  CHECK(r.out.find("bad error payload") == std::string::npos);
  CHECK(r.err.find("bad error payload") == std::string::npos);
}

TEST_CASE("install: both binaries and the man pages land under the prefix, and the installed leanbatch works") {
  std::string prefix = std::string(LB_BINARY_DIR) + "/install-test-" + std::to_string(getpid());
  std::string cmd = "cmake --install " + std::string(LB_BINARY_DIR) + " --prefix " + prefix + " > /dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  for (const char* f : {"/bin/leanbatch", "/bin/leanbatch-worker", "/share/man/man1/leanbatch.1",
                        "/share/man/man1/leanbatch-worker.1"}) {
    INFO(f);
    CHECK(access((prefix + f).c_str(), F_OK) == 0);
  }
  // The installed driver finds its installed worker (the default, supervised mode).
  std::string check = prefix + "/bin/leanbatch check " + corpus("axeyum/classical-em.ndjson") + " > /dev/null 2>&1";
  CHECK(std::system(check.c_str()) == 0);
  std::system(("rm -rf " + prefix).c_str());
}

TEST_CASE("package: cpack builds a .deb with both binaries and the man pages") {
  std::string dir = std::string(LB_BINARY_DIR) + "/cpack-test-" + std::to_string(getpid());
  std::string cmd = "cpack -G DEB -B " + dir + " --config " + std::string(LB_BINARY_DIR) + "/CPackConfig.cmake > /dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::string list = dir + "/contents.txt";
  REQUIRE(std::system(("dpkg-deb -c " + dir + "/leanbatch_*.deb > " + list).c_str()) == 0);
  std::ifstream in(list);
  std::string all((std::istreambuf_iterator<char>(in)), {});
  CHECK(all.find("./usr/bin/leanbatch\n") != std::string::npos);
  CHECK(all.find("./usr/bin/leanbatch-worker") != std::string::npos);
  CHECK(all.find("./usr/share/man/man1/leanbatch.1") != std::string::npos);
  std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("summary: files counts distinct export files, not manifest items") {
  std::string good = corpus("axeyum/classical-em.ndjson");
  std::string m = std::string(LB_BINARY_DIR) + "/distinct-" + std::to_string(getpid()) + ".ndjson";
  {
    std::ofstream o(m);
    o << "{\"file\":\"" << good << "\",\"decls\":[\"Classical.em\"]}\n";
    o << "{\"file\":\"" << good << "\",\"decls\":[\"propext\"]}\n";
  }
  for (const char* mode : {"--in-process", "-j1"}) {
    INFO(mode);
    Run r = run(std::string("run ") + mode + " " + m);
    CHECK(r.exit == 0);
    CHECK(r.out.find("\"files\":1,") != std::string::npos);  // before: 2
  }
  std::remove(m.c_str());
}

TEST_CASE("a path that is not UTF-8 is checked in every mode, rows stay valid UTF-8 JSON") {
  std::string dir = std::string(LB_BINARY_DIR) + "/latin\xe9-" + std::to_string(getpid());
  std::system(("mkdir -p '" + dir + "' && cp " + corpus("axeyum/classical-em.ndjson") + " '" + dir + "/m.ndjson'").c_str());
  for (const char* mode : {"-j1", "--in-process"}) {
    INFO(mode);
    // Before: "invalid payload" in the default mode, and raw bytes in the rows' "file".
    Run r = run(std::string("check ") + mode + " '" + dir + "/m.ndjson'");
    CHECK(r.exit == 0);
    simdjson::dom::parser p;
    for (const std::string& line : r.rows()) {
      simdjson::dom::element e;
      CHECK(p.parse(line).get(e) == simdjson::SUCCESS);  // simdjson validates UTF-8
    }
    // U+FFFD, escaped or as its UTF-8 bytes.
    CHECK((r.out.find("latin\\ufffd") != std::string::npos || r.out.find("latin\xEF\xBF\xBD") != std::string::npos));
  }
  std::system(("rm -rf '" + dir + "'").c_str());
}
