// Export images through the command line (tools/leanbatch/run_images.hpp; libhost
// export_image.hpp; docs/kernel.md "Export images"): the same rows with and without them in
// every mode, a second load maps the image, a damaged image is rebuilt and never used,
// temporary image directories go away, `cache stats|clear` see kept images.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "cli_support.hpp"

using namespace lbcli;
namespace fs = std::filesystem;

namespace {

// Every decl row without the fields that differ between runs (time, worker, attempt).
std::map<std::string, std::string> decl_rows(const Proc& p) {
  std::map<std::string, std::string> m;
  for (const auto& row : p.rows_of("decl"))
    m[field(row, "name") + "@" + field(row, "line")] =
        field(row, "status") + " " + field(row, "kind") + " " + field(row, "error") + " " + field(row, "reused");
  return m;
}

std::vector<fs::path> images_in(const std::string& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".lbimage") out.push_back(e.path());
  return out;
}

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

}  // namespace

TEST_CASE("images: the same rows with and without images in every mode, and the second load maps the image") {
  const std::string file = corpus("converted/Init.Prelude.ndjson");
  Proc plain = run({"check", "--in-process", "--no-images", file});
  REQUIRE(plain.exit == 0);
  const auto expected = decl_rows(plain);
  REQUIRE(expected.size() > 1000);
  for (const auto& mode : kModes) {
    INFO("mode " << mode[0]);
    const std::string dir = fresh_dir("images", "same-rows");
    auto cmd = with(with({"check", "-v", "--image-dir", dir, "--image-min-mb", "0"}, mode), {file});
    Proc first = run(cmd);
    INFO(first.err);
    CHECK(first.exit == 0);
    CHECK(decl_rows(first) == expected);
    CHECK(contains(first.err, "image written"));
    REQUIRE(images_in(dir).size() == 1);
    Proc second = run(cmd);
    INFO(second.err);
    CHECK(second.exit == 0);
    CHECK(decl_rows(second) == expected);
    CHECK(contains(second.err, "image mapped"));
    CHECK_FALSE(contains(second.err, "image written"));
    fs::remove_all(dir);
  }
}

TEST_CASE("images: exports below --image-min-mb and --no-images are only read") {
  const std::string file = corpus("converted/Nat.gcd.ndjson");
  const std::string dir = fresh_dir("images", "small");
  Proc small = run({"check", "-j1", "-v", "--image-dir", dir, file});  // default threshold: 64 MiB
  CHECK(small.exit == 0);
  CHECK(images_in(dir).empty());
  Proc off = run({"check", "-j1", "-v", "--no-images", "--image-dir", dir, "--image-min-mb", "0", file});
  CHECK(off.exit == 0);
  CHECK(images_in(dir).empty());
  fs::remove_all(dir);
}

TEST_CASE("images: a truncated, damaged or foreign image is reported and rebuilt, never used") {
  const std::string file = corpus("converted/Init.Prelude.ndjson");
  Proc plain = run({"check", "--in-process", "--no-images", file});
  const auto expected = decl_rows(plain);
  for (const auto& mode : kModes) {
    INFO("mode " << mode[0]);
    const std::string dir = fresh_dir("images", "damaged");
    auto cmd = with(with({"check", "-v", "--image-dir", dir, "--image-min-mb", "0"}, mode), {file});
    REQUIRE(run(cmd).exit == 0);
    auto imgs = images_in(dir);
    REQUIRE(imgs.size() == 1);
    const fs::path img = imgs[0];
    const auto full = fs::file_size(img);
    // Each damage in turn: the run must say the image was not used, rebuild it, and give
    // the rows of a plain read.
    for (int damage = 0; damage < 3; ++damage) {
      INFO("damage " << damage);
      if (damage == 0) {
        fs::resize_file(img, full / 2);  // truncated (a torn write)
      } else if (damage == 1) {
        // A flipped byte in the data near the start (after the header): a checksum catches it.
        std::fstream f(img, std::ios::in | std::ios::out | std::ios::binary);
        char c = 0;
        f.seekg(4096 + 17);
        f.get(c);
        f.seekp(4096 + 17);
        f.put(static_cast<char>(c ^ 0x5a));
      } else {
        std::ofstream f(img, std::ios::binary | std::ios::trunc);  // foreign: not an image at all
        f << "{\"not\":\"an image\"}\n";
      }
      Proc r = run(cmd);
      INFO(r.err);
      CHECK(r.exit == 0);
      CHECK(decl_rows(r) == expected);
      CHECK(contains(r.err, "not used"));
      CHECK(contains(r.err, "rebuilt"));
      Proc again = run(cmd);  // the rebuilt image is whole again
      CHECK(contains(again.err, "image mapped"));
      CHECK(decl_rows(again) == expected);
    }
    fs::remove_all(dir);
  }
}

TEST_CASE("images: a supervised run keeps its images in a temporary directory that goes when it ends") {
  const std::string tmp = fresh_dir("images", "tmpdir");
  fs::create_directories(tmp);
  const std::string file = corpus("converted/Init.Prelude.ndjson");
  for (std::vector<std::string> opts : {std::vector<std::string>{"-j2"}, {"-j1", "--max-requests", "3"}}) {
    Proc r = run(with(with({"check", "-v", "--image-min-mb", "0"}, opts), {file}), {}, {"TMPDIR=" + tmp});
    INFO(r.err);
    CHECK(r.exit == 0);
    CHECK((contains(r.err, "image written") || contains(r.err, "image mapped")));
    CHECK(fs::is_empty(tmp));
  }
  // One worker that is never cycled: nothing to share, no image.
  Proc lone = run({"check", "-j1", "-v", "--image-min-mb", "0", file}, {}, {"TMPDIR=" + tmp});
  CHECK(lone.exit == 0);
  CHECK_FALSE(contains(lone.err, "image"));
  // In-process, nothing kept and nothing temporary.
  Proc inp = run({"check", "--in-process", "-v", "--image-min-mb", "0", file}, {}, {"TMPDIR=" + tmp});
  CHECK(inp.exit == 0);
  CHECK_FALSE(contains(inp.err, "image"));
  CHECK(fs::is_empty(tmp));
  fs::remove_all(tmp);
}

TEST_CASE("images: with TMPDIR unset a run's temporary images go to /dev/shm and leave nothing there") {
  if (::access("/dev/shm", W_OK | X_OK) != 0) return;  // no tmpfs here: temp_root() is used
  const std::string file = corpus("converted/Init.Prelude.ndjson");
  Proc r = run({"check", "-j2", "-v", "--image-min-mb", "0", file}, {}, {"TMPDIR="});
  INFO(r.err);
  CHECK(r.exit == 0);
  CHECK((contains(r.err, "image written") || contains(r.err, "image mapped")));
  const std::string marker = "temporary export images in ";
  auto at = r.err.find(marker);
  REQUIRE(at != std::string::npos);
  std::string dir = r.err.substr(at + marker.size(), r.err.find('\n', at) - at - marker.size());
  CHECK(dir.rfind("/dev/shm/leanbatch-images-", 0) == 0);
  CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("images: --cache DIR keeps them in DIR/images, cache stats counts them, cache clear removes them") {
  const std::string dir = fresh_dir("images", "cache");
  const std::string file = corpus("converted/Init.Prelude.ndjson");
  Proc r = run({"check", "--in-process", "--cache", dir, "--image-min-mb", "0", file});
  REQUIRE(r.exit == 0);
  CHECK(images_in(dir + "/images").size() == 1);
  Proc stats = run({"cache", "stats", dir});
  REQUIRE(stats.exit == 0);
  CHECK(field(stats.rows().at(0), "images") == "1");
  CHECK(std::stoull(field(stats.rows().at(0), "image_bytes")) > 0);
  Proc clear = run({"cache", "clear", dir});
  REQUIRE(clear.exit == 0);
  CHECK(field(clear.rows().at(0), "images_cleared") == "1");
  CHECK(images_in(dir + "/images").empty());
  fs::remove_all(dir);
}
