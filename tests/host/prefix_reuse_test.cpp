// Prefix reuse (ReadOptions::prefix_from, reader/trail.hpp): a file that begins with the
// bytes of an export read before is read from where they differ, into that export's store.
// The result must be the environment a full read makes: the same declarations at the same
// lines with the same content (digests), the same verdicts, the same errors at the same lines.
#include <algorithm>

#include "leanbatch/host/decl_digest.hpp"
#include "leanbatch/host/export_writer.hpp"
#include "leanbatch/host/session.hpp"
#include "test_support.hpp"

using namespace lbtest;

namespace {

// Init.Prelude written back with dense ids: `all` declarations in file order, and a variant
// that keeps the first `shared` of them and then only every other one (so what follows the
// shared part differs, and some later declarations lose a dependency and are rejected).
struct Files {
  TempDir dir;
  std::string all, variant;
  size_t shared = 0;
  Files() {
    auto env = load("converted/Init.Prelude.ndjson");
    std::vector<uint32_t> every, some;
    const uint32_t n = static_cast<uint32_t>(env->declarations().size());
    shared = n * 7 / 10;
    for (uint32_t d = 0; d < n; ++d) {
      every.push_back(d);
      if (d < shared || d % 2 == 0) some.push_back(d);
    }
    all = dir.str("all.ndjson");
    variant = dir.str("variant.ndjson");
    REQUIRE(write_export_file(*env, every, all).has_value());
    REQUIRE(write_export_file(*env, some, variant).has_value());
  }
};

std::shared_ptr<Environment> read(const std::string& path, const ReadOptions& ro = {}) {
  auto r = read_export_file(path, std::make_shared<TermStore>(), ro);
  if (!r) FAIL(r.error().describe());
  return *r;
}

// Small files keep their bytes in the trail; with `sha` the SHA-256 states are used instead
// (as for files over ReadOptions::trail_bytes_max).
bool g_sha = false;
ReadOptions trail() {
  ReadOptions ro;
  ro.record_trail = true;
  if (g_sha) ro.trail_bytes_max = 0;
  return ro;
}

ReadOptions from(std::shared_ptr<const Environment> env) {
  ReadOptions ro = trail();
  ro.prefix_from = std::move(env);
  return ro;
}

// Same declarations, lines, names and content (identity and verification digests), and the
// same verdicts.
void require_same(std::shared_ptr<Environment> fresh, std::shared_ptr<Environment> seeded) {
  REQUIRE(seeded->declarations().size() == fresh->declarations().size());
  REQUIRE(seeded->constants().size() == fresh->constants().size());
  CHECK(seeded->stats.lines == fresh->stats.lines);
  CHECK(seeded->stats.bytes == fresh->stats.bytes);
  CHECK(seeded->stats.decl_lines == fresh->stats.decl_lines);
  DeclDigests fi(*fresh), si(*seeded);
  DeclDigests fv(*fresh, true, true), sv(*seeded, true, true);
  for (uint32_t d = 0; d < fresh->declarations().size(); ++d) {
    INFO("declaration " << d);
    CHECK(seeded->declaration(d).line == fresh->declaration(d).line);
    CHECK(seeded->declaration(d).offset == fresh->declaration(d).offset);
    CHECK(seeded->declaration(d).num_consts == fresh->declaration(d).num_consts);
    CHECK(to_hex(si.of_decl(d)) == to_hex(fi.of_decl(d)));
    CHECK(to_hex(sv.of_decl(d)) == to_hex(fv.of_decl(d)));
  }
  for (uint32_t c = 0; c < fresh->constants().size(); ++c)
    CHECK(seeded->store().name_to_string(seeded->constant(c).name) ==
          fresh->store().name_to_string(fresh->constant(c).name));
  auto a = check_all(fresh), b = check_all(seeded);
  REQUIRE(a.size() == b.size());
  size_t rejected = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].status == b[i].status);
    CHECK(a[i].kind == b[i].kind);
    rejected += a[i].status != VerdictStatus::Ok;
  }
  (void)rejected;
}

}  // namespace

TEST_CASE("prefix reuse: a file beginning like an earlier export reads the same environment, into its store") {
  g_sha = GENERATE(false, true);
  INFO("compared by " << (g_sha ? "SHA-256 states" : "bytes"));
  Files f;
  auto a = read(f.all, trail());
  REQUIRE(a->trail);
  auto b = read(f.variant, from(a));
  CHECK(&b->store() == &a->store());
  // All but the last checkpoint interval of the shared declarations came from the trail.
  CHECK(b->seeded_decls > f.shared * 9 / 10);
  CHECK(b->seeded_decls <= f.shared);
  auto fresh = read(f.variant);
  CHECK(fresh->seeded_decls == 0);
  require_same(fresh, b);
  // The variant really differs after the shared part: some declarations are rejected there.
  size_t rejected = 0;
  for (const DeclVerdict& v : check_all(fresh)) rejected += v.status != VerdictStatus::Ok;
  CHECK(rejected > 0);
  // And the other way round: the long file after the short one, and a chain of three.
  auto c = read(f.all, from(b));
  CHECK(c->seeded_decls == b->seeded_decls);
  require_same(read(f.all), c);
  g_sha = false;
}

TEST_CASE("prefix reuse: a file that differs from the start, or a short one, is read on its own") {
  Files f;
  auto a = read(f.all, trail());
  // One byte changed in the meta line: nothing is shared.
  std::string text = slurp(f.all);
  size_t at = text.find("3.1.0");
  REQUIRE(at != std::string::npos);
  text[at + 4] = '1';  // 3.1.1 is still format 3.1
  spit(f.dir.str("other.ndjson"), text);
  auto b = read(f.dir.str("other.ndjson"), from(a));
  CHECK(b->seeded_decls == 0);
  CHECK(&b->store() != &a->store());
  require_same(read(f.dir.str("other.ndjson")), b);
  // A file shorter than the first checkpoint interval after the meta line.
  spit(f.dir.str("meta-only.ndjson"), text.substr(0, text.find('\n') + 1));
  auto m = read(f.dir.str("meta-only.ndjson"), from(a));
  CHECK(m->declarations().empty());
  CHECK(m->seeded_decls == 0);
}

TEST_CASE("prefix reuse: an error after the shared part is reported at its own line, as in a full read") {
  Files f;
  auto a = read(f.all, trail());
  std::string text = slurp(f.all);
  // Cut at a line start two thirds in, then a line that is not JSON.
  size_t cut = text.find('\n', text.size() * 2 / 3) + 1;
  std::string bad = text.substr(0, cut) + "{\"ie\": oops}\n";
  spit(f.dir.str("bad.ndjson"), bad);
  auto fresh = read_export_file(f.dir.str("bad.ndjson"), std::make_shared<TermStore>());
  auto seeded = read_export_file(f.dir.str("bad.ndjson"), std::make_shared<TermStore>(), from(a));
  REQUIRE(!fresh);
  REQUIRE(!seeded);
  CHECK(seeded.error().line == fresh.error().line);
  CHECK(seeded.error().offset == fresh.error().offset);
  CHECK(seeded.error().describe() == fresh.error().describe());
}

TEST_CASE("prefix reuse in a session: the next file shares the store, digests carry over, verdicts are the same") {
  Files f;
  SessionOptions so;
  so.check.reuse = std::make_shared<ReuseSet>();
  so.check.collect_axioms = true;  // the axiom closures of the shared part carry over too
  Session s(so);
  auto a = s.import(f.all);
  REQUIRE(a);
  std::vector<DeclVerdict> va, vb;
  s.check(**a, {}, [&](const DeclVerdict& v) { va.push_back(v); });
  const auto ext = (*a)->checker->enabled_extensions();
  size_t one_store = s.retained_bytes();
  auto b = s.import(f.variant);
  REQUIRE(b);
  CHECK(&(*b)->env->store() == &(*a)->env->store());
  CHECK((*b)->env->seeded_decls > 0);
  // The export it continues is dropped (its store lives on in the new one).
  CHECK(s.loaded() == 1);
  CHECK(s.retained_bytes() == (*b)->bytes());
  CHECK(s.retained_bytes() >= one_store);
  s.check(**b, {}, [&](const DeclVerdict& v) { vb.push_back(v); });
  CheckOptions plain;
  plain.collect_axioms = true;
  auto fresh = check_all(read(f.variant), plain);
  REQUIRE(vb.size() == fresh.size());
  size_t reused = 0, with_axioms = 0;
  for (size_t i = 0; i < vb.size(); ++i) {
    CHECK(vb[i].status == fresh[i].status);
    CHECK(vb[i].kind == fresh[i].kind);
    CHECK(vb[i].axioms == fresh[i].axioms);
    CHECK(vb[i].uses_sorry == fresh[i].uses_sorry);
    with_axioms += !fresh[i].axioms.empty();
    reused += vb[i].reused == "worker";
  }
  // The shared declarations were accepted by reuse (their digests came from the first file).
  CHECK(reused >= (*b)->env->seeded_decls * 9 / 10);
  CHECK(with_axioms > 0);
  // The Nat extensions are verified again in the second file (Nat.div and Nat.mod through the
  // memoised digests and spot checks), and come out the same.
  CHECK(std::find(ext.begin(), ext.end(), "Nat.div") != ext.end());
  CHECK((*b)->checker->enabled_extensions() == ext);
  // Without prefix reuse: its own store, the same verdicts.
  SessionOptions off = so;
  off.prefix_reuse = false;
  Session s2(off);
  REQUIRE(s2.import(f.all));
  auto b2 = s2.import(f.variant);
  REQUIRE(b2);
  CHECK((*b2)->env->seeded_decls == 0);
}
