#pragma once
// Helpers shared by the libhost tests.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "leanbatch/host/checker.hpp"
#include "leanbatch/host/export_reader.hpp"

namespace lbtest {

using namespace leanbatch::host;

inline std::string corpus_path(const std::string& rel) { return std::string(LB_SOURCE_DIR) + "/corpora/" + rel; }

inline const char* kMeta =
    R"({"meta":{"exporter":{"name":"lean4export","version":"3.1.0"},"format":{"version":"3.1.0"},"lean":{"githash":"","version":"4.30.0"}}})";

/// Reads a corpus file; the test fails if it cannot be read.
inline std::shared_ptr<Environment> load(const std::string& rel, std::shared_ptr<TermStore> st = nullptr) {
  if (!st) st = std::make_shared<TermStore>();
  auto r = read_export_file(corpus_path(rel), st);
  if (!r) FAIL(r.error().describe());
  return *r;
}

/// Reads export text (the meta line is prepended unless `with_meta` is false).
inline ReadResult read_text(const std::string& body, bool with_meta = true) {
  std::string text = with_meta ? std::string(kMeta) + "\n" + body : body;
  return read_export_buffer(text, "test.ndjson", std::make_shared<TermStore>());
}

/// Verdicts of every declaration, in file order.
inline std::vector<DeclVerdict> check_all(std::shared_ptr<const Environment> env, CheckOptions opts = {}) {
  std::vector<DeclVerdict> out;
  Checker ck(env, std::move(opts));
  ck.check({}, [&](const DeclVerdict& v) { out.push_back(v); });
  return out;
}

/// The verdict of the declaration introducing `name`.
inline DeclVerdict verdict_of(const Environment& env, const std::vector<DeclVerdict>& vs, const std::string& name) {
  for (const DeclVerdict& v : vs)
    for (uint32_t i = env.declaration(v.decl).first_const;
         i < env.declaration(v.decl).first_const + env.declaration(v.decl).num_consts; ++i)
      if (env.store().name_to_string(env.constant(i).name) == name) return v;
  FAIL("no verdict for " << name);
  return {};
}

inline std::string kind_of(const Environment& env, const std::vector<DeclVerdict>& vs, const std::string& name) {
  return verdict_of(env, vs, name).kind;
}
inline VerdictStatus status_for(const Environment& env, const std::vector<DeclVerdict>& vs, const std::string& name) {
  return verdict_of(env, vs, name).status;
}
inline std::string message_of(const Environment& env, const std::vector<DeclVerdict>& vs, const std::string& name) {
  return verdict_of(env, vs, name).message;
}
/// Kind of the first declaration that is not accepted ("" when all are).
inline std::string first_failure_kind(const std::vector<DeclVerdict>& vs) {
  for (const DeclVerdict& v : vs)
    if (v.status != VerdictStatus::Ok) return v.kind;
  return "";
}
inline std::string first_failure_message(const std::vector<DeclVerdict>& vs) {
  for (const DeclVerdict& v : vs)
    if (v.status != VerdictStatus::Ok) return v.message;
  return "";
}

/// Every declaration accepted?
inline bool all_ok(const std::vector<DeclVerdict>& vs) {
  for (const DeclVerdict& v : vs)
    if (v.status != VerdictStatus::Ok) return false;
  return true;
}

inline std::vector<std::string> expected_files(const std::string& verdict) {
  std::ifstream in(corpus_path("EXPECTED.tsv"));
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string path, v;
    std::getline(ls, path, '\t');
    std::getline(ls, v, '\t');
    if (verdict.empty() || v == verdict) out.push_back(path);
  }
  return out;
}

/// A temporary directory, removed with everything in it.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/lb-host-test-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string str(const std::string& rel = "") const { return rel.empty() ? path.string() : (path / rel).string(); }
};

inline std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
inline std::string slurp_corpus(const std::string& rel) { return slurp(corpus_path(rel)); }
inline void spit(const std::string& p, const std::string& data) { std::ofstream(p, std::ios::binary) << data; }

}  // namespace lbtest
