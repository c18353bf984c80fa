// Read → write → read yields the same environment, for every corpus file.
#include <numeric>

#include "leanbatch/host/export_writer.hpp"
#include "test_support.hpp"

using namespace lbtest;

namespace {
bool same_constant(const ConstantInfo& a, const ConstantInfo& b) {
  if (a.rules.size() != b.rules.size()) return false;
  for (size_t i = 0; i < a.rules.size(); ++i)
    if (!(a.rules[i].ctor == b.rules[i].ctor && a.rules[i].nfields == b.rules[i].nfields && a.rules[i].rhs == b.rules[i].rhs))
      return false;
  return a.name == b.name && a.kind == b.kind && a.lparams == b.lparams && a.type == b.type && a.value == b.value &&
         a.hints.kind == b.hints.kind && a.hints.height == b.hints.height && a.safety == b.safety && a.all == b.all &&
         a.num_params == b.num_params && a.num_indices == b.num_indices && a.num_nested == b.num_nested &&
         a.ctors == b.ctors && a.is_rec == b.is_rec && a.is_reflexive == b.is_reflexive && a.induct == b.induct &&
         a.cidx == b.cidx && a.num_fields == b.num_fields && a.num_motives == b.num_motives &&
         a.num_minors == b.num_minors && a.k == b.k && a.quot_kind == b.quot_kind;
}
}  // namespace

TEST_CASE("round trip: read, write with dense ids, read again gives the same environment") {
  std::string tmp = std::string(LB_BINARY_DIR) + "/roundtrip.ndjson";
  int files = 0;
  for (const std::string& f : expected_files("")) {
    auto st = std::make_shared<TermStore>();
    auto r = read_export_file(corpus_path(f), st);
    if (!r) continue;  // malformed inputs are covered elsewhere
    INFO(f);
    const Environment& env = **r;
    std::vector<uint32_t> all(env.declarations().size());
    std::iota(all.begin(), all.end(), 0);
    auto w = write_export_file(env, all, tmp);
    REQUIRE(w.has_value());
    // Reading into the same store makes identical terms identical ids.
    auto r2 = read_export_file(tmp, st);
    REQUIRE(r2.has_value());
    const Environment& env2 = **r2;
    REQUIRE(env2.declarations().size() == env.declarations().size());
    REQUIRE(env2.constants().size() == env.constants().size());
    for (size_t i = 0; i < env.constants().size(); ++i) CHECK(same_constant(env.constant(i), env2.constant(i)));
    // A fresh store gives the same structure too: the text written twice is identical.
    auto r3 = read_export_file(tmp, std::make_shared<TermStore>());
    REQUIRE(r3.has_value());
    std::string tmp2 = tmp + ".2";
    REQUIRE(write_export_file(**r3, all, tmp2).has_value());
    std::ifstream a(tmp), b(tmp2);
    std::stringstream sa, sb;
    sa << a.rdbuf();
    sb << b.rdbuf();
    CHECK(sa.str() == sb.str());
    ++files;
  }
  CHECK(files > 140);
}

TEST_CASE("the dependency closure of one declaration is a checkable export") {
  auto env = load("lean4export/Nat.add_succ.ndjson");
  auto target = env->find_printed("Nat.add_succ");
  REQUIRE(target.size() == 1);
  uint32_t d = env->constant(target[0]).decl;
  std::vector<uint32_t> roots{d};
  auto closure = dependency_closure(*env, roots);
  CHECK(closure.back() == d);
  CHECK(closure.size() < env->declarations().size() + 1);
  std::string tmp = std::string(LB_BINARY_DIR) + "/closure.ndjson";
  REQUIRE(write_export_file(*env, closure, tmp).has_value());
  auto r = read_export_file(tmp, std::make_shared<TermStore>());
  REQUIRE(r.has_value());
  CHECK(all_ok(check_all(*r)));
}
