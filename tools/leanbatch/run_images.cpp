#include "leanbatch/run_images.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "leanbatch/spool.hpp"

namespace leanbatch::tools {

namespace fs = std::filesystem;

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
  if (!supervised) return;
  bool large = false;
  for (const std::string& f : files) {
    struct stat sb {};
    if (::stat(f.c_str(), &sb) == 0 && S_ISREG(sb.st_mode) && static_cast<uint64_t>(sb.st_size) >= min_bytes_)
      large = true;
  }
  if (!large) return;
  std::string tmpl = temp_root() + "/leanbatch-images-XXXXXX";
  if (!::mkdtemp(tmpl.data())) {
    spdlog::warn("no export images: cannot create a temporary directory in {}: {}", temp_root(), std::strerror(errno));
    return;
  }
  dir_ = fs::absolute(tmpl).lexically_normal().string();
  temporary_ = true;
}

RunImages::~RunImages() {
  if (!temporary_) return;
  std::error_code ec;
  fs::remove_all(dir_, ec);
  if (ec) spdlog::warn("cannot remove the temporary image directory '{}': {}", dir_, ec.message());
}

}  // namespace leanbatch::tools
