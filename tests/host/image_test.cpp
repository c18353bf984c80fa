// Export images: a mapped image is the store and environment that reading made, node for
// node; a damaged, truncated, foreign or stale image is never used; builders of one image
// serialise.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "leanbatch/host/export_image.hpp"
#include "test_support.hpp"

using namespace lbtest;
namespace fs = std::filesystem;

namespace {



// Writes `data` (the same size as before) to `p` and puts the old access and modification
// times back: only the status-change time (ctime) shows the change.
void rewrite_keeping_times(const std::string& p, const std::string& data) {
  struct stat before {};
  REQUIRE(::stat(p.c_str(), &before) == 0);
  spit(p, data);
  struct timespec times[2] = {before.st_atim, before.st_mtim};
  REQUIRE(::utimensat(AT_FDCWD, p.c_str(), times, 0) == 0);
}

// Nat.gcd's export with `gcd` renamed `Gcd` (same size).
std::string renamed_gcd(std::string text) {
  size_t at = text.find("\"str\":\"gcd\"");
  REQUIRE(at != std::string::npos);
  text[at + 7] = 'G';
  return text;
}

// Every node and declaration of two environments read from the same bytes is the same.
void require_same(const Environment& a, const Environment& b) {
  const TermStore& x = a.store();
  const TermStore& y = b.store();
  REQUIRE(x.expr_count() == y.expr_count());
  REQUIRE(x.name_count() == y.name_count());
  REQUIRE(x.level_count() == y.level_count());
  for (uint32_t i = 0; i < x.name_count(); ++i) REQUIRE(x.name_to_string(Name{i}) == y.name_to_string(Name{i}));
  for (uint32_t i = 0; i < x.expr_count(); ++i) {
    Expr e{i};
    REQUIRE(x.kind(e) == y.kind(e));
    REQUIRE(x.hash(e) == y.hash(e));
    REQUIRE(x.loose_bvar_range(e) == y.loose_bvar_range(e));
    switch (x.kind(e)) {
      case ExprKind::App: REQUIRE((x.app_fn(e) == y.app_fn(e) && x.app_arg(e) == y.app_arg(e))); break;
      case ExprKind::Const:
        REQUIRE(x.const_name(e) == y.const_name(e));
        REQUIRE(x.levels(x.const_levels(e)).size() == y.levels(y.const_levels(e)).size());
        break;
      case ExprKind::StrLit: REQUIRE(x.str_value(e) == y.str_value(e)); break;
      case ExprKind::NatLit: REQUIRE(x.nat_value(e) == y.nat_value(e)); break;
      case ExprKind::Let: REQUIRE((x.let_value(e) == y.let_value(e) && x.let_body(e) == y.let_body(e))); break;
      default: break;
    }
  }
  REQUIRE(a.declarations().size() == b.declarations().size());
  REQUIRE(a.constants().size() == b.constants().size());
  for (size_t i = 0; i < a.constants().size(); ++i) {
    const ConstantInfo& c = a.constant(i);
    const ConstantInfo& d = b.constant(i);
    REQUIRE(c.name == d.name);
    REQUIRE(c.kind == d.kind);
    REQUIRE(c.type == d.type);
    REQUIRE(c.value == d.value);
    REQUIRE(c.lparams == d.lparams);
    REQUIRE(c.all == d.all);
    REQUIRE(c.ctors == d.ctors);
    REQUIRE(c.rules.size() == d.rules.size());
    REQUIRE((c.num_params == d.num_params && c.num_indices == d.num_indices && c.num_motives == d.num_motives &&
             c.num_minors == d.num_minors && c.k == d.k && c.is_rec == d.is_rec && c.safety == d.safety));
  }
  for (size_t i = 0; i < a.declarations().size(); ++i) REQUIRE(a.declaration(i).line == b.declaration(i).line);
  REQUIRE(a.meta.format_version == b.meta.format_version);
}

std::vector<std::pair<VerdictStatus, std::string>> verdicts(std::shared_ptr<Environment> env) {
  std::vector<std::pair<VerdictStatus, std::string>> out;
  for (const DeclVerdict& v : check_all(env)) out.emplace_back(v.status, v.kind);
  return out;
}

}  // namespace

TEST_CASE("an export image maps to the store and environment that reading made, and checks alike", "[image]") {
  for (const char* rel : {"converted/Init.Prelude.ndjson", "converted/Nat.gcd.ndjson", "leanbatch/nat-div-not-leans.reject.ndjson"}) {
    INFO(rel);
    TempDir dir;
    auto read = load(rel);
    auto key = content_key(corpus_path(rel));
    REQUIRE(key);
    std::string img = dir.str("x.lbimage");
    auto w = write_image(*read, *key, img);
    REQUIRE(w);
    auto mapped = map_image(img, *key, corpus_path(rel));
    if (!mapped) FAIL(mapped.error());
    require_same(*read, **mapped);
    REQUIRE((*mapped)->source == corpus_path(rel));
    REQUIRE(verdicts(*mapped) == verdicts(load(rel)));
  }
}

TEST_CASE("a mapped store still interns: existing nodes are found, new ones are added", "[image]") {
  TempDir dir;
  auto read = load("converted/Nat.gcd.ndjson");
  auto key = content_key(corpus_path("converted/Nat.gcd.ndjson"));
  REQUIRE(write_image(*read, *key, dir.str("g.lbimage")));
  auto mapped = map_image(dir.str("g.lbimage"), *key, "g");
  REQUIRE(mapped);
  TermStore& s = (*mapped)->store();
  const uint32_t n = s.expr_count();
  // Re-making every application node of the export finds it (the mapped index works).
  for (uint32_t i = 0; i < n; ++i) {
    Expr e{i};
    if (s.kind(e) == ExprKind::App) REQUIRE(s.mk_app(s.app_fn(e), s.app_arg(e)) == e);
    if (s.kind(e) == ExprKind::Const) REQUIRE(s.mk_const(s.const_name(e), s.const_levels(e)) == e);
  }
  REQUIRE(s.expr_count() == n);
  REQUIRE(s.name_from_dotted("Nat.gcd") == read->store().name_from_dotted("Nat.gcd"));
  Expr fresh = s.mk_app(s.mk_sort(s.level_zero()), s.mk_nat(uint64_t{123456789}));
  REQUIRE(fresh.id >= n);
  REQUIRE(s.mk_app(s.mk_sort(s.level_zero()), s.mk_nat(uint64_t{123456789})) == fresh);
  REQUIRE(s.intern_string("a string no export has") == s.intern_string("a string no export has"));
}

TEST_CASE("a damaged, truncated, foreign or other-content image is refused with the reason", "[image]") {
  TempDir dir;
  const std::string rel = "converted/Nat.gcd.ndjson";
  auto read = load(rel);
  auto key = content_key(corpus_path(rel));
  std::string img = dir.str("g.lbimage");
  REQUIRE(write_image(*read, *key, img));
  const std::string good = slurp(img);

  SECTION("a flipped byte in a section") {
    std::string bad = good;
    bad[good.size() / 2] ^= 0x40;  // somewhere in a section's payload or reserved room
    bad[4096 + 17] ^= 0x01;        // the first section's payload for sure
    spit(img, bad);
    auto m = map_image(img, *key, rel);
    REQUIRE(!m);
    REQUIRE_THAT(m.error(), Catch::Contains("checksum"));
  }
  SECTION("truncated") {
    spit(img, good.substr(0, good.size() - 4096));
    auto m = map_image(img, *key, rel);
    REQUIRE(!m);
    REQUIRE_THAT(m.error(), Catch::Contains("truncated"));
    spit(img, good.substr(0, 100));
    REQUIRE(!map_image(img, *key, rel));
  }
  SECTION("a damaged header") {
    std::string bad = good;
    bad[8] ^= 0x01;  // the format version
    spit(img, bad);
    auto m = map_image(img, *key, rel);
    REQUIRE(!m);
    REQUIRE_THAT(m.error(), Catch::Contains("header"));
  }
  SECTION("not an image") {
    spit(img, std::string(8192, 'x'));
    auto m = map_image(img, *key, rel);
    REQUIRE(!m);
    REQUIRE_THAT(m.error(), Catch::Contains("not an export image"));
  }
  SECTION("the image of other content") {
    ContentKey other = *key;
    other[0] ^= 1;
    auto m = map_image(img, other, rel);
    REQUIRE(!m);
    REQUIRE_THAT(m.error(), Catch::Contains("other content"));
  }
}

TEST_CASE("load_export builds an image once, maps it next time, and rebuilds a damaged one", "[image]") {
  TempDir dir;
  std::string exp = dir.str("e.ndjson");
  fs::copy_file(corpus_path("converted/Nat.gcd.ndjson"), exp);
  ImageOptions io;
  io.dir = dir.str("images");
  ImageReport r1, r2, r3;
  auto a = load_export(exp, {}, io, &r1);
  REQUIRE(a);
  REQUIRE(r1.use == ImageUse::Built);
  REQUIRE(r1.note.empty());
  auto b = load_export(exp, {}, io, &r2);
  REQUIRE(b);
  REQUIRE(r2.use == ImageUse::Mapped);
  REQUIRE(r2.image == r1.image);
  require_same(**a, **b);

  // Damage it: the next load says why, reads the export and writes a good image again.
  std::string bytes = slurp(r1.image);
  bytes[bytes.size() - 5000] ^= 0x10;
  bytes[4096 + 3] ^= 0x10;
  spit(r1.image, bytes);
  auto c = load_export(exp, {}, io, &r3);
  REQUIRE(c);
  REQUIRE(r3.use == ImageUse::Built);
  REQUIRE_THAT(r3.note, Catch::Contains("checksum") && Catch::Contains("rebuilt"));
  require_same(**a, **c);
  ImageReport r4;
  REQUIRE(load_export(exp, {}, io, &r4));
  REQUIRE(r4.use == ImageUse::Mapped);

  // A builder killed mid-write leaves its temporary file: the next builder removes it.
  const std::string leftover = r1.image + ".tmp.99999.0";
  spit(leftover, "half an image");
  ::unlink(r1.image.c_str());
  ImageReport r6;
  REQUIRE(load_export(exp, {}, io, &r6));
  REQUIRE(r6.use == ImageUse::Built);
  REQUIRE_FALSE(fs::exists(leftover));

  // Below the size threshold: no image at all.
  ImageOptions big = io;
  big.min_bytes = uint64_t{1} << 40;
  ImageReport r5;
  REQUIRE(load_export(exp, {}, big, &r5));
  REQUIRE(r5.use == ImageUse::Off);
}

TEST_CASE("a changed export never maps the image of its old content", "[image]") {
  TempDir dir;
  std::string exp = dir.str("e.ndjson");
  std::string text = slurp(corpus_path("converted/Nat.gcd.ndjson"));
  spit(exp, text);
  ImageOptions io;
  io.dir = dir.str("images");
  ImageReport r1, r2;
  REQUIRE(load_export(exp, {}, io, &r1));
  // Same size, one byte of a name changed, and the old modification time put back.
  rewrite_keeping_times(exp, renamed_gcd(text));
  auto env = load_export(exp, {}, io, &r2);
  REQUIRE(env);
  REQUIRE(r2.use == ImageUse::Built);
  REQUIRE(r2.image != r1.image);
  REQUIRE(!(*env)->find_printed("Nat.Gcd").empty());
}

// Review 3 (2026-12-08): the content key of a file was memoised by its state (device, inode,
// size, mtime, ctime), trusted once 2 s old. A store through a shared writable mapping into a
// page that is already dirty changes neither time, so a kept image (or a whole export's stored
// rows, --cache) stood for bytes the file no longer held.
TEST_CASE("the content key follows the bytes, also when they change through a shared mapping", "[image]") {
  TempDir dir;
  std::string exp = dir.str("e.ndjson");
  // Its last byte flips between a newline and a space: both files read (and check) alike.
  spit(exp, slurp(corpus_path("converted/Nat.gcd.ndjson")) + "\n");
  int fd = ::open(exp.c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(fd >= 0);
  struct stat sb {};
  REQUIRE(::fstat(fd, &sb) == 0);
  auto* map = static_cast<char*>(::mmap(nullptr, sb.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  REQUIRE(map != MAP_FAILED);
  const size_t at = sb.st_size - 1;
  auto flip = [&] { map[at] = map[at] == '\n' ? ' ' : '\n'; };
  map[at] = map[at];  // the page is dirty (this write fault may set the times)
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // older than any margin
  auto k1 = content_key(exp);
  REQUIRE(k1);
  struct stat before {};
  REQUIRE(::fstat(fd, &before) == 0);
  flip();  // an already dirty page: no fault, no new times
  struct stat after {};
  REQUIRE(::fstat(fd, &after) == 0);
  INFO("times unchanged by the store: " << (before.st_ctim.tv_nsec == after.st_ctim.tv_nsec &&
                                            before.st_ctim.tv_sec == after.st_ctim.tv_sec));
  auto k2 = content_key(exp);
  REQUIRE(k2);
  CHECK(*k2 != *k1);
  // And an image kept from the first content is not used for the second.
  ImageOptions io;
  io.dir = dir.str("images");
  flip();  // back to the first content
  ImageReport r1, r2;
  REQUIRE(load_export(exp, {}, io, &r1));
  flip();
  REQUIRE(load_export(exp, {}, io, &r2));
  CHECK(r2.image != r1.image);
  ::munmap(map, sb.st_size);
  ::close(fd);
}

TEST_CASE("a private image directory keys an old enough export by its file state, and a change rebuilds", "[image]") {
  TempDir dir;
  std::string exp = dir.str("e.ndjson");
  std::string text = slurp(corpus_path("converted/Nat.gcd.ndjson"));
  spit(exp, text);
  ImageOptions io;
  io.dir = dir.str("images");
  io.private_dir = true;
  // A fresh file (state under 2 s old) is hashed: a memo of its state is not written either
  // (too young), and the image is built.
  ImageReport r0;
  REQUIRE(load_export(exp, {}, io, &r0));
  REQUIRE(r0.use == ImageUse::Built);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // older than the margin
  // Old enough: keyed by state, so no digest of the bytes and no memo of one.
  ImageReport r1, r2;
  auto a = load_export(exp, {}, io, &r1);
  REQUIRE(a);
  REQUIRE(r1.use == ImageUse::Built);
  REQUIRE(r1.image != r0.image);  // another kind of key, another image
  REQUIRE_FALSE(fs::exists(dir.str("images/stamps")));
  auto b = load_export(exp, {}, io, &r2);
  REQUIRE(b);
  REQUIRE(r2.use == ImageUse::Mapped);
  REQUIRE(r2.image == r1.image);
  require_same(**a, **b);
  // Other contents with the old size and mtime: a new ctime, so another key. Young again,
  // it is hashed; old again, it is keyed by its new state. Never the old image.
  rewrite_keeping_times(exp, renamed_gcd(text));
  ImageReport r3, r4;
  auto c = load_export(exp, {}, io, &r3);
  REQUIRE(c);
  REQUIRE(r3.use == ImageUse::Built);
  REQUIRE(r3.image != r1.image);
  REQUIRE(!(*c)->find_printed("Nat.Gcd").empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto d = load_export(exp, {}, io, &r4);
  REQUIRE(d);
  REQUIRE(r4.use == ImageUse::Built);
  REQUIRE(r4.image != r1.image);
  REQUIRE(!(*d)->find_printed("Nat.Gcd").empty());
  REQUIRE((*d)->find_printed("Nat.gcd").empty());
}

TEST_CASE("concurrent loads of one export build its image once", "[image]") {
  TempDir dir;
  std::string exp = dir.str("e.ndjson");
  fs::copy_file(corpus_path("converted/Init.Prelude.ndjson"), exp);
  ImageOptions io;
  io.dir = dir.str("images");
  ImageReport r[3];
  bool ok[3] = {false, false, false};  // Catch2 assertions are not thread-safe
  std::vector<std::thread> ts;
  for (int i = 0; i < 3; ++i) ts.emplace_back([&, i] { ok[i] = load_export(exp, {}, io, &r[i]).has_value(); });
  for (auto& t : ts) t.join();
  REQUIRE((ok[0] && ok[1] && ok[2]));
  int built = 0, mapped = 0;
  for (auto& x : r) {
    built += x.use == ImageUse::Built;
    mapped += x.use == ImageUse::Mapped;
  }
  REQUIRE(built == 1);
  REQUIRE(mapped == 2);
  // Only the image, its lock and no temporary file are left.
  for (auto& e : fs::directory_iterator(io.dir)) REQUIRE(e.path().string().find(".tmp.") == std::string::npos);
}

TEST_CASE("a load that finds a build under way waits for it and maps its image, or builds if none came", "[image]") {
  TempDir dir;
  std::string exp = dir.str("e.ndjson");
  fs::copy_file(corpus_path("converted/Init.Prelude.ndjson"), exp);
  ImageOptions io;
  io.dir = dir.str("images");
  fs::create_directories(io.dir);
  auto key = content_key(exp);
  REQUIRE(key);
  const std::string img = io.dir + "/" + image_file_name(*key);
  auto reference = load("converted/Init.Prelude.ndjson");
  for (bool builder_writes : {true, false}) {
    INFO("the builder writes the image: " << builder_writes);
    fs::remove(img);
    // This test is the builder: it holds the image's lock.
    int fd = ::open((img + ".lock").c_str(), O_RDWR | O_CREAT, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX) == 0);
    ImageReport r;
    ReadResult got;
    std::thread loader([&] { got = load_export(exp, {}, io, &r); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the loader waits meanwhile
    if (builder_writes) REQUIRE(write_image(*reference, *key, img));
    ::close(fd);  // the build is over
    loader.join();
    REQUIRE(got);
    require_same(*reference, **got);
    if (builder_writes) {
      REQUIRE(r.use == ImageUse::Mapped);
      REQUIRE(r.note.empty());
    } else {
      REQUIRE(r.use == ImageUse::Built);  // the other builder gave up: this one builds
      REQUIRE(r.note.empty());
    }
  }
}

// Review 3 (2026-12-08): the parts of a split export are joined only if every worker read the
// same bytes, so each load can name them: the reader hashes what it reads when asked, an image
// records the digest of the bytes its builder parsed, and a mapped image reports it.
TEST_CASE("a load names the bytes it was read from: parsed, built into an image, mapped", "[image]") {
  TempDir dir;
  std::string exp = dir.str("e.ndjson");
  const std::string text = slurp(corpus_path("converted/Nat.gcd.ndjson"));
  spit(exp, text);
  auto key = content_key(exp);  // the SHA-256 of the file's bytes
  REQUIRE(key);
  const ContentKey want = *key;
  ReadOptions ro;
  ro.hash_bytes = true;
  auto parsed = read_export_file(exp, std::make_shared<TermStore>(), ro);
  REQUIRE(parsed);
  REQUIRE((*parsed)->bytes_sha256);
  CHECK(*(*parsed)->bytes_sha256 == want);
  // Hashed on a second thread while parsing (big files), through many small chunks: the
  // same digest.
  ReadOptions threaded = ro;
  threaded.hash_thread_min_bytes = 0;
  threaded.buffer_bytes = 4096;
  auto parsed_threaded = read_export_file(exp, std::make_shared<TermStore>(), threaded);
  REQUIRE(parsed_threaded);
  REQUIRE((*parsed_threaded)->bytes_sha256);
  CHECK(*(*parsed_threaded)->bytes_sha256 == want);
  // Read from a buffer: the same digest.
  auto from_buffer = read_export_buffer(text, "e.ndjson", std::make_shared<TermStore>(), ro);
  REQUIRE(from_buffer);
  REQUIRE((*from_buffer)->bytes_sha256);
  CHECK(*(*from_buffer)->bytes_sha256 == want);
  auto plain = read_export_file(exp, std::make_shared<TermStore>());
  REQUIRE(plain);
  CHECK_FALSE((*plain)->bytes_sha256);
  // Asked for the digest, a file is read whole, never seeded from an earlier one's prefix.
  ReadOptions trail;
  trail.record_trail = true;
  auto first = read_export_file(exp, std::make_shared<TermStore>(), trail);
  REQUIRE(first);
  ReadOptions both = ro;
  both.prefix_from = *first;
  auto again = read_export_file(exp, std::make_shared<TermStore>(), both);
  REQUIRE(again);
  CHECK((*again)->seeded_decls == 0);
  CHECK(*(*again)->bytes_sha256 == want);
  for (bool private_dir : {false, true}) {
    ImageOptions io;
    io.dir = dir.str(private_dir ? "private" : "kept");
    io.private_dir = private_dir;
    ImageReport r1, r2;
    auto built = load_export(exp, {}, io, &r1);
    REQUIRE(built);
    REQUIRE(r1.use == ImageUse::Built);
    REQUIRE((*built)->bytes_sha256);
    CHECK(*(*built)->bytes_sha256 == want);
    auto mapped = load_export(exp, {}, io, &r2);
    REQUIRE(mapped);
    REQUIRE(r2.use == ImageUse::Mapped);
    REQUIRE((*mapped)->bytes_sha256);
    CHECK(*(*mapped)->bytes_sha256 == want);
  }
}

// Review 6 (2026-12-08): the builder keyed the export through one open of its path and read
// it through another; a symlink on the path re-pointed between the two filed one file's bytes
// under the other's key and identity, and a worker that mapped the image checked the wrong
// declarations under the right name.
TEST_CASE("an image is built only from a read of the very file it is keyed by", "[image]") {
  TempDir dir;
  fs::create_directories(dir.str("a"));
  fs::create_directories(dir.str("b"));
  spit(dir.str("a/e.ndjson"), slurp(corpus_path("converted/Nat.gcd.ndjson")));
  spit(dir.str("b/e.ndjson"), slurp(corpus_path("tutorial/good/089_projRed.ndjson")));
  auto point = [&](const char* to) {
    fs::remove(dir.str("cur"));
    fs::create_directory_symlink(dir.str(to), dir.str("cur"));
  };
  const size_t a_decls = (*read_export_file(dir.str("a/e.ndjson"), std::make_shared<TermStore>()))->declarations().size();
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // old enough to be keyed by state
  for (bool private_dir : {true, false}) {
    INFO(private_dir);
    ImageOptions io;
    io.dir = dir.str(private_dir ? "private" : "kept");
    io.private_dir = private_dir;
    point("a");
    io.around_read = [&](bool done) { point(done ? "a" : "b"); };  // keyed as a, read as b, a again
    ImageReport r1;
    auto first = load_export(dir.str("cur/e.ndjson"), {}, io, &r1);
    REQUIRE(first);
    CHECK(r1.use == ImageUse::Failed);  // no image of b's bytes under a's key
    io.around_read = nullptr;
    point("a");
    ImageReport r2;
    auto second = load_export(dir.str("cur/e.ndjson"), {}, io, &r2);
    REQUIRE(second);
    CHECK((*second)->declarations().size() == a_decls);  // a's declarations, not b's
  }
}
