// `leanbatch cache stats|clear [DIR]`: what the verification cache of --cache holds, or
// emptying it. A row on stdout, as every command.
#include <filesystem>

#include "common/exit_codes.hpp"
#include "common/logging.hpp"
#include "common/verified_cache.hpp"
#include "leanbatch/commands.hpp"
#include "leanbatch/host/json.hpp"
#include "leanbatch/run_images.hpp"

namespace leanbatch::tools {

int run_cache(const CacheOptions& opts, RowWriter& out) {
  if (opts.dir.empty()) {
    report_error("cache: name the cache directory (or set LEANBATCH_CACHE)");
    return kExitUsage;
  }
  if (!std::filesystem::exists(VerifiedCache::database_path(opts.dir))) {
    report_error("cache: no cache in '" + opts.dir + "'");
    return kExitUndecided;
  }
  std::string warning;
  auto cache = VerifiedCache::open(opts.dir, warning);
  if (!cache) {
    report_error(warning);
    return kExitUndecided;
  }
  host::JsonObject o;
  o.field("schema", kRowSchema).field("type", "cache");
  auto before = cache->stats();
  // Export images kept beside the keys (run_images.hpp).
  const std::string images = (std::filesystem::path(opts.dir) / "images").string();
  const ImageDirStats img = image_dir_stats(images);
  if (opts.clear) {
    std::string err;
    if (!cache->clear(err)) {
      report_error("cache clear: " + err);
      return kExitUndecided;
    }
    auto after = cache->stats();
    o.field("path", after.path).field("cleared", before.entries).field("entries", after.entries).field("bytes", after.bytes);
    o.field("images_cleared", clear_image_dir(images));
  } else {
    o.field("path", before.path)
        .field("entries", before.entries)
        .field("files", before.files)
        .field("bytes", before.bytes)
        .field("images", img.images)
        .field("image_bytes", img.bytes)
        .field("cache_schema", before.schema)
        .field("created_by", before.created_by);
  }
  out.write(o.str());
  return kExitAccepted;
}

}  // namespace leanbatch::tools
