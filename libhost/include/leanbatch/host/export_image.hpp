#pragma once
/// Export images: what reading one export produced (its term store and environment) written
/// as a pointer-free binary file, so that a later load maps it instead of parsing.
///
/// The two big tables (expression nodes and their intern index) are mapped copy-on-write:
/// every process that maps the same image shares one copy in the page cache, a restarted
/// worker is back in milliseconds, and a later run over an unchanged export skips parsing.
/// The small tables and the environment are copied out of the image.
///
/// An image is found by a key derived from the export's content (SHA-256 of its bytes), the
/// image format version, leanbatch's version and a fingerprint of the reader and store
/// sources, so it can only stand for the bytes it was made from, read by the same reader.
/// Every section is checksummed (XXH3) and the header records the sizes: a torn, truncated,
/// foreign or damaged image is detected, reported in ImageReport::note and rebuilt, never
/// used. Images are written to a temporary file and renamed; builders of one image
/// serialise on a lock file, so concurrent processes build it once. The soundness argument
/// is in docs/kernel.md ("Export images").
#include <array>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "leanbatch/host/export_reader.hpp"

namespace leanbatch::host {

/// SHA-256 of an export's bytes.
using ContentKey = std::array<uint8_t, 32>;

struct ImageOptions {
  std::string dir;         ///< image directory; empty: images off (plain read_export_file)
  uint64_t min_bytes = 0;  ///< exports smaller than this are read, never imaged
  /// After building an image, map it and drop the heap copy, so that other processes
  /// mapping it share the memory (workers); false keeps what was read (one-shot runs).
  bool share = true;
  /// The directory is private to this run (made by it, removed after it): an export is
  /// keyed by its path and file state (device, inode, size, mtime, ctime) instead of a
  /// SHA-256 of its bytes, so no worker reads the whole export just to find its image
  /// (docs/kernel.md, "Export images", says why this is safe within one run).
  bool private_dir = false;
  /// Test seam (tests/host/image_test.cpp): called after keying the export, before its read
  /// (false) and after it (true), where another process may change what the path names.
  std::function<void(bool read_done)> around_read;
};

enum class ImageUse : uint8_t {
  Off,     ///< images off, or the export is below min_bytes
  Mapped,  ///< a valid image existed (or another process just built it) and was mapped
  Built,   ///< the export was read and its image written
  Failed,  ///< the export was read; no image could be written or used (see note)
};
const char* to_string(ImageUse u);

struct ImageReport {
  ImageUse use = ImageUse::Off;
  std::string image;  ///< image file path (empty when off)
  std::string note;   ///< what went wrong with an image (rebuilt or not written); empty otherwise
  double seconds = 0; ///< time to map, or to write the image
};

/// Loads an export: maps its image from io.dir when a valid one exists, otherwise reads it
/// (read_export_file) and writes the image for next time. Image trouble never fails a load:
/// the export is then read as without images and the report says why. Errors are those of
/// read_export_file.
ReadResult load_export(const std::string& path, const ReadOptions& ro, const ImageOptions& io,
                       ImageReport* report = nullptr);

// ---- lower level (used by load_export and the tests) ----

/// The content key of `path`: the SHA-256 of its bytes, read every time. (A memo by file
/// state was trusted before 2026-12-08; writes through a shared mapping can change a file
/// without changing its mtime or ctime, docs/kernel.md "Export images".)
std::expected<ContentKey, std::string> content_key(const std::string& path);
/// File name (in an image directory) of the image of content `key` for this build.
std::string image_file_name(const ContentKey& key);
/// Writes the image of a freshly read `env` (no checking done on its store yet) to `path`
/// (replaced atomically).
std::expected<void, std::string> write_image(const Environment& env, const ContentKey& key, const std::string& path);
/// Maps the image at `path`, which must be a complete, undamaged image of content `key`
/// made by this build; otherwise the error says what is wrong. `source` becomes the
/// environment's source path.
std::expected<std::shared_ptr<Environment>, std::string> map_image(const std::string& path, const ContentKey& key,
                                                                   const std::string& source);

}  // namespace leanbatch::host
