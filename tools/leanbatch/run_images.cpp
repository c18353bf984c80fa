#include "leanbatch/run_images.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <thread>
#include <algorithm>

#include "leanbatch/spool.hpp"

namespace leanbatch::tools {

namespace fs = std::filesystem;

// Where this run's temporary images go. Speed only: in memory (/dev/shm, a tmpfs) when
// $TMPDIR is not set and it has room for twice the large exports' size (an image is smaller
// than its export), else in temp_root(). The image is the critical path of a split export:
// every waiting worker waits for it, and writing it on this VM's ext4 /tmp took 1.3-1.5 s
// for Init.Prelude x100 against 0.25 s on /dev/shm. Its pages would be resident anyway while
// the workers map it, and the directory goes when the run ends.
namespace {
std::string image_temp_root(uint64_t large_bytes) {
  const char* t = std::getenv("TMPDIR");
  if (t && *t) return t;
  struct statvfs vs {};
  if (::statvfs("/dev/shm", &vs) == 0 && ::access("/dev/shm", W_OK | X_OK) == 0 &&
      static_cast<uint64_t>(vs.f_bavail) * vs.f_frsize >= 2 * large_bytes)
    return "/dev/shm";
  return temp_root();
}
}  // namespace

RunImages::RunImages(const CheckCliOptions& o, bool supervised, const std::vector<std::string>& files) {
  min_bytes_ = o.image_min_mb << 20;
  if (o.no_images) return;
  std::string kept;
  if (!o.image_dir.empty()) {
    kept = o.image_dir;
  } else if (!o.cache.empty() && !o.no_reuse) {
    kept = (fs::path(o.cache) / "images").string();
  }
  if (!kept.empty()) {
    std::error_code ec;
    fs::create_directories(kept, ec);
    if (ec) {
      spdlog::warn("no export images: cannot create '{}': {}", kept, ec.message());
      return;
    }
    dir_ = fs::absolute(kept).lexically_normal().string();
    return;
  }
  // A temporary image pays only when an export is loaded more than once in this run: by
  // several workers, or again after a planned restart (memory cycling). A lone worker would
  // only pay for writing it.
  const unsigned workers = o.jobs ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  const bool cycling = o.max_requests || o.max_imports || o.max_retained_mb || o.rss_soft_mb || o.idle_restart_s;
  if (!supervised || (workers < 2 && !cycling)) return;
  uint64_t large_bytes = 0;
  for (const std::string& f : files) {
    struct stat sb {};
    if (::stat(f.c_str(), &sb) == 0 && S_ISREG(sb.st_mode) && static_cast<uint64_t>(sb.st_size) >= min_bytes_)
      large_bytes += static_cast<uint64_t>(sb.st_size);
  }
  if (large_bytes == 0) return;
  const std::string root = image_temp_root(large_bytes);
  std::string tmpl = root + "/leanbatch-images-XXXXXX";
  if (!::mkdtemp(tmpl.data())) {
    spdlog::warn("no export images: cannot create a temporary directory in {}: {}", root, std::strerror(errno));
    return;
  }
  dir_ = fs::absolute(tmpl).lexically_normal().string();
  temporary_ = true;
  spdlog::info("temporary export images in {}", dir_);
}

RunImages::~RunImages() {
  if (!temporary_) return;
  std::error_code ec;
  fs::remove_all(dir_, ec);
  if (ec) spdlog::warn("cannot remove the temporary image directory '{}': {}", dir_, ec.message());
}

void log_image(const std::string& file, std::string_view use, double seconds, const std::string& note,
               const std::string& by) {
  const std::string who = by.empty() ? "" : " " + by;
  if (use == "mapped") spdlog::info("'{}': image mapped in {:.3f}s{}", file, seconds, who);
  if (use == "built") spdlog::info("'{}': image written in {:.3f}s{}", file, seconds, who);
  if (!note.empty()) spdlog::warn("'{}': {}", file, note);
}

ImageDirStats image_dir_stats(const std::string& dir) {
  ImageDirStats st;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".lbimage") continue;
    struct stat sb {};
    if (::stat(e.path().c_str(), &sb) != 0) continue;
    ++st.images;
    st.bytes += static_cast<uint64_t>(sb.st_blocks) * 512;
  }
  return st;
}

uint64_t clear_image_dir(const std::string& dir) {
  uint64_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string ext = e.path().extension().string();
    if (ext == ".lbimage" && fs::remove(e.path(), ec)) ++n;
    // Temporary files of an interrupted build; a build in progress holds its lock and
    // rewrites its own temporary file.
    if (e.path().filename().string().find(".lbimage.tmp") != std::string::npos) fs::remove(e.path(), ec);
  }
  fs::remove_all(fs::path(dir) / "stamps", ec);  // file-state memos of versions before 2026-12-08
  return n;
}

}  // namespace leanbatch::tools
