#pragma once
/// The whole-export layer of --cache: an export whose bytes, leanbatch version and
/// verdict-affecting options are those of an earlier run whose every row was decided gets
/// that run's rows again ("reused":"cache") without being read or checked. Why that is as
/// sound as checking it: the same bytes parse to the same declarations, and the checker is
/// deterministic for them under the same options; rows that depend on time or faults
/// (timeout, crashed, cancelled, and what was skipped because of them) are never stored.
/// A changed export misses here and falls back to the declaration-level cache.
#include <simdjson.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/rows.hpp"
#include "common/verified_cache.hpp"
#include "leanbatch/work_items.hpp"

namespace leanbatch::tools {

class RunReport;

class FileCache {
 public:
  /// `options`: the verdict-affecting options, as text (part of every key).
  FileCache(VerifiedCache& cache, std::string options) : cache_(cache), options_(std::move(options)) {}

  /// A whole-export item: on a hit, its rows go through `report` (tallied in `oc`), the item
  /// is done, and true is returned. On a miss its rows will be collected for storing.
  bool replay(size_t i, const WorkItem& item, RunReport& report, Outcomes& oc);
  /// Called by the report for every row of item i (kept in its stored form), and when item i
  /// is done.
  void collect(size_t i, const std::string& row);
  void finish(size_t i);
  /// Soundness: the rows of item i came from a copy of the export whose bytes have this
  /// SHA-256 (hex; empty: unknown). The key was made from the file as read when the item
  /// started; the rows from a later read, which may have seen other bytes (the file changed
  /// in between). Rows are stored only if every copy they came from had the key's bytes.
  void observed(size_t i, const std::string& content_hex);
  /// A declaration key that a part's checker found accepted and that is now known to hold
  /// unconditionally (supervised_rows.cpp, the frontier): recorded like a worker's.
  void verified(const std::string& key) { cache_.add(key); }

  uint64_t hits() const { return hits_; }

 private:
  /// The stored form of a printed row (file_cache.cpp), or nothing if the row may not be stored.
  std::optional<std::string> stored_form(const std::string& row);

  struct Pending {
    std::string key;
    std::vector<std::string> rows;
    bool storable = true;
    std::string content;   // SHA-256 (hex) of the bytes the key was made from
    bool observed = false; // rows were seen to come from bytes with exactly that digest
  };
  VerifiedCache& cache_;
  std::string options_;
  std::unordered_map<size_t, Pending> pending_;
  uint64_t hits_ = 0;
  simdjson::dom::parser parser_;
};

}  // namespace leanbatch::tools
