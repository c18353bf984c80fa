// Declaration digests (decl_digest.hpp): content, not ids or positions; Merkle over
// dependencies; binder names and theorem proofs left out.
#include "builder.hpp"
#include "leanbatch/host/decl_digest.hpp"
#include "leanbatch/host/digest_set.hpp"

#include <cstring>
#include <random>
#include <set>

using namespace lbtest;

namespace {
std::string digest_of(const std::shared_ptr<Environment>& env, const std::string& name) {
  DeclDigests d(*env);
  auto r = d.of_name(env->store().name_from_dotted(name));
  REQUIRE(r.has_value());
  return to_hex(*r);
}
}  // namespace

TEST_CASE("a declaration digest depends on content and dependencies, not on ids or names of binders") {
  const char* base = "tutorial/good/089_projRed.ndjson";  // Bool, Prod
  Builder a(base);
  Expr B = a.c("Bool");
  a.def("pick", a.arrow(B, B), a.lam("x", B, a.bv(0)));
  a.def("use", B, a.app(a.c("pick"), {a.c("Bool.true")}));
  a.thm("t", a.eq(B, a.c("Bool.true"), a.c("Bool.true")), a.refl(B, a.c("Bool.true")));
  auto ea = a.build();

  // Same content, other binder name, other ids (an extra declaration first).
  Builder b(base);
  Expr B2 = b.c("Bool");
  b.def("unrelated", B2, b.c("Bool.false"));
  b.def("pick", b.arrow(B2, B2), b.lam("y", B2, b.bv(0)));
  b.def("use", B2, b.app(b.c("pick"), {b.c("Bool.true")}));
  // Another proof of the same statement.
  b.thm("t", b.eq(B2, b.c("Bool.true"), b.c("Bool.true")),
        b.app(b.lam("z", B2, b.refl(B2, b.c("Bool.true"))), {b.c("Bool.false")}));
  auto eb = b.build();
  CHECK(digest_of(ea, "use") == digest_of(eb, "use"));
  CHECK(digest_of(ea, "t") == digest_of(eb, "t"));
  CHECK(digest_of(ea, "Prod") == digest_of(eb, "Prod"));

  // A dependency with another body changes the dependent's digest (Merkle).
  Builder c(base);
  Expr B3 = c.c("Bool");
  c.def("pick", c.arrow(B3, B3), c.lam("x", B3, c.c("Bool.false")));
  c.def("use", B3, c.app(c.c("pick"), {c.c("Bool.true")}));
  auto ec = c.build();
  CHECK(digest_of(ea, "use") != digest_of(ec, "use"));
  CHECK(digest_of(ea, "pick") != digest_of(ec, "pick"));
  // Other universe parameter names, other hints: the statement differs or not as Lean sees it.
  CHECK(digest_of(ea, "Bool") == digest_of(ec, "Bool"));
}

TEST_CASE("a digest covers the body of a declaration whose literal names a later declaration") {
  // foo : Prop := (fun _ : String => True / False) "x", then List.utf8Encode : foo (named by
  // the literal, declared after foo). The digests once stood foo in by its name alone.
  auto a = load("leanbatch/digest-forward-name-a.accept.ndjson");
  auto b = load("leanbatch/digest-forward-name-b.reject.ndjson");
  CHECK(digest_of(a, "foo") != digest_of(b, "foo"));
  CHECK(digest_of(a, "List.utf8Encode") != digest_of(b, "List.utf8Encode"));
  // Only earlier declarations count as references: foo's are String's block alone.
  DeclDigests d(*a, false, true);
  auto foo = a->find(a->store().name_from_dotted("foo"));
  REQUIRE(foo.has_value());
  uint32_t decl = a->constant(*foo).decl;
  for (uint32_t r : d.references(decl)) CHECK(r < decl);
}

TEST_CASE("the reuse key set holds exactly the keys inserted, through growth, and nothing of another length") {
  DigestSet set;
  std::set<std::string> ref;
  std::mt19937_64 rng(7);
  auto key = [&] {
    std::string k(32, '\0');
    for (char& c : k) c = static_cast<char>(rng());
    return k;
  };
  std::vector<std::string> inserted;
  for (int i = 0; i < 20000; ++i) {
    std::string k = key();
    // Keys that share their first 8 bytes (the slot's source) must stay apart.
    if (i % 5 == 0 && !inserted.empty()) std::memcpy(k.data(), inserted.back().data(), 8);
    CHECK(set.insert(k) == ref.insert(k).second);
    inserted.push_back(k);
    if (i % 7 == 0) CHECK_FALSE(set.insert(inserted[static_cast<size_t>(i) / 2]));
  }
  CHECK(set.size() == ref.size());
  for (const std::string& k : inserted) CHECK(set.contains(k));
  for (int i = 0; i < 20000; ++i) {
    std::string k = key();
    CHECK(set.contains(k) == (ref.count(k) == 1));
    k[31] = static_cast<char>(k[31] ^ 1);  // one bit off a member: not a member
    if (i < 100) {
      std::string m = inserted[static_cast<size_t>(i)];
      m[31] = static_cast<char>(m[31] ^ 1);
      CHECK(set.contains(m) == (ref.count(m) == 1));
    }
  }
  CHECK_FALSE(set.insert(std::string(31, 'a')));
  CHECK_FALSE(set.contains(std::string(31, 'a')));
  CHECK_FALSE(set.contains(inserted[0] + "x"));
}
