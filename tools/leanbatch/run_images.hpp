#pragma once
/// Where a run keeps export images (libhost export_image.hpp; docs/kernel.md "Export images").
///
/// An image pays when one export is loaded more than once: by several workers (a split
/// export: one worker reads and writes the image, the others map it, and the page cache
/// holds one copy for all of them), by a restarted worker (memory cycling maps it in
/// milliseconds instead of parsing again), or by a later run (kept images). So:
///   * `--image-dir DIR`: images are kept in DIR, in every mode;
///   * else `--cache DIR` (and reuse on): kept in DIR/images, in every mode;
///   * else, supervised with several workers or a restart policy (--max-requests, …): a
///     temporary directory of this run, removed when it ends, created only when some export
///     is at least `--image-min-mb` large;
///   * else (in-process, nothing kept), and with `--no-images`: none.
/// Exports smaller than `--image-min-mb` are always just read (parsing them is cheap).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "leanbatch/commands.hpp"

namespace leanbatch::tools {

class RunImages {
 public:
  /// `files`: the export files of the run (as opened). Never fails: a directory that cannot
  /// be made only means no images (said on stderr).
  RunImages(const CheckCliOptions& o, bool supervised, const std::vector<std::string>& files);
  RunImages(const RunImages&) = delete;
  RunImages& operator=(const RunImages&) = delete;
  ~RunImages();  ///< removes a temporary image directory

  const std::string& dir() const { return dir_; }  ///< absolute; empty: no images
  uint64_t min_bytes() const { return min_bytes_; }
  bool temporary() const { return temporary_; }

 private:
  std::string dir_;
  uint64_t min_bytes_ = 0;
  bool temporary_ = false;
};

/// Says on stderr what happened to an export's image: `use` as in ImageReport ("mapped",
/// "built", …), `by` who did it (e.g. "by worker 2"; may be empty). Nothing for "off".
void log_image(const std::string& file, std::string_view use, double seconds, const std::string& note,
               const std::string& by = {});

/// Images kept in a directory (`leanbatch cache stats|clear`).
struct ImageDirStats {
  uint64_t images = 0;
  uint64_t bytes = 0;  ///< allocated on disk (images are sparse files)
};
ImageDirStats image_dir_stats(const std::string& dir);
/// Removes the images of `dir` (a process mapping one keeps its mapping) and their memo;
/// returns how many images went.
uint64_t clear_image_dir(const std::string& dir);

}  // namespace leanbatch::tools
