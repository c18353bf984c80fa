#pragma once
/// Session: a pool of loaded exports with their kernel state (an LRU of environments).
///
/// A worker keeps one Session for its lifetime. Importing an export loads it once; later
/// requests on the same file (same path, size and modification time) reuse the environment
/// and the verdicts already decided. The least recently used environments are dropped when
/// the pool is over its count or byte limit; `retained_bytes()` is what the supervisor's
/// retained-bytes restart policy looks at.
#include <cstdint>
#include <expected>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "leanbatch/host/checker.hpp"
#include "leanbatch/host/export_image.hpp"
#include "leanbatch/host/export_reader.hpp"

namespace leanbatch::host {

struct SessionOptions {
  size_t max_environments = 4;   ///< LRU capacity (at least 1)
  size_t max_retained_bytes = 0; ///< 0: no byte limit
  CheckOptions check;            ///< kernel options for every environment
  /// Export images (export_image.hpp): with a directory, an export is mapped from its image
  /// when one exists, and its image is written after reading it otherwise.
  ImageOptions images;
  /// Prefix reuse (speed only), with reuse on (check.reuse): a file that begins like the
  /// last export read here is read from where they differ, into that export's store
  /// (export_reader.hpp, ReadOptions). Off without reuse: a single export gains nothing,
  /// and the trail costs a SHA-256 pass and 4 bytes per expression.
  bool prefix_reuse = true;
};

/// A loaded export in the session.
struct LoadedExport {
  std::string path;
  std::shared_ptr<Environment> env;
  std::unique_ptr<Checker> checker;  ///< the serial checker, made on first use
  /// Part checkers (CheckOptions::assume_unselected), by part number (1, 2, …).
  std::map<uint32_t, std::unique_ptr<Checker>> parts;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  ImageReport image;  ///< how it was loaded: mapped from an image, read (and imaged), or read
  size_t bytes() const { return env ? env->store().bytes() : 0; }
};

class Session {
 public:
  explicit Session(SessionOptions opts);

  /// Loads `path`, or returns the already loaded export if the file did not change.
  std::expected<LoadedExport*, ReadError> import(const std::string& path, const ReadOptions& ro = {});

  /// Resolves declaration names (as printed) in `ex`. Names not found go to `missing`.
  std::vector<uint32_t> resolve(const LoadedExport& ex, const std::vector<std::string>& names,
                                std::vector<std::string>& missing) const;

  /// Checks the selection (empty: everything) of a loaded export. `part` 0 is the serial
  /// checker; part p > 0 has its own checker in part mode (CheckOptions::assume_unselected).
  CheckSummary check(LoadedExport& ex, const std::vector<uint32_t>& selection,
                     const std::function<void(const DeclVerdict&)>& on_verdict, uint32_t part = 0);

  /// Declaration `decl` timed out or killed a worker (the supervisor knows): the checker of
  /// `part` never checks it and skips its dependents.
  void poison(LoadedExport& ex, uint32_t decl, bool timeout, uint32_t part = 0);

  size_t retained_bytes() const;
  /// Distinct exports loaded since the session started (re-imports of a cached one excluded).
  uint64_t imports() const { return imports_; }
  size_t loaded() const { return lru_.size(); }
  void clear() { lru_.clear(); }
  const SessionOptions& options() const { return opts_; }

 private:
  void enforce_limits(const LoadedExport* keep);
  Checker& checker_for(LoadedExport& ex, uint32_t part);
  SessionOptions opts_;
  std::list<LoadedExport> lru_;  // most recently used first
  uint64_t imports_ = 0;
};

}  // namespace leanbatch::host
