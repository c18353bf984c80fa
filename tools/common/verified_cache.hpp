#pragma once
/// `--cache DIR`: the content keys of declarations a kernel accepted (checker.hpp ReuseSet),
/// kept between runs in DIR/verified.sqlite3 so that a re-run over an unchanged corpus checks
/// nothing again and a changed declaration re-checks exactly itself and its dependents
/// (docs/kernel.md, "The verification cache", says why a hit is as sound as a check).
///
/// SQLite (WAL) makes every write atomic and lets concurrent workers and runs share one
/// cache; a process killed mid-write leaves the last committed state. Each entry carries a
/// check value derived from its key, so a damaged entry is ignored, never trusted. A file
/// that is not such a cache, or one of another schema, is ignored with a warning and the run
/// checks everything.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>

#include "leanbatch/host/digest_set.hpp"
#include <vector>

struct sqlite3;

namespace leanbatch::tools {

class VerifiedCache {
 public:
  /// Opens (creating DIR and the database if needed). On failure returns null and sets
  /// `warning` (the run then goes on without the cache).
  static std::unique_ptr<VerifiedCache> open(const std::string& dir, std::string& warning);
  ~VerifiedCache();
  VerifiedCache(const VerifiedCache&) = delete;
  VerifiedCache& operator=(const VerifiedCache&) = delete;

  /// Adds every valid key to `into`; returns how many entries were ignored (bad check value).
  uint64_t load(host::DigestSet& into);
  /// Queues a newly verified key; written by flush() (also every few thousand keys).
  void add(const std::string& key);
  /// Writes the queued keys in one transaction. False (with a warning, once) on failure:
  /// later writes are then dropped; what is already committed stays valid.
  bool flush();
  /// flush() when keys have waited 2 s or more.
  bool flush_if_due();

  /// Whole exports: the key of an export file (SHA-256 over a tag, leanbatch's version, the
  /// verdict-affecting options and the SHA-256 of every byte of the file), or nullopt if it
  /// cannot be read. The file is read and hashed on every call.
  /// `content_hex`, if given, receives the file's own SHA-256 (hex): the rows stored under the
  /// key must come from bytes with that digest (FileCache::observed).
  static std::optional<std::string> file_key(const std::string& path, const std::string& options,
                                             std::string* content_hex = nullptr);
  const std::string& dir() const { return dir_; }
  /// The stored rows of a whole export with this key, if present and intact, as one blob, each ended by '\n' (a replay streams
  /// them); nullopt on a miss or a damaged entry.
  std::optional<std::string> find_file_blob(const std::string& key);
  /// Stores them (one transaction). False (with a warning, once) on failure.
  bool store_file(const std::string& key, const std::vector<std::string>& rows);

  struct Stats {
    uint64_t files = 0;          ///< whole exports with stored rows
    uint64_t entries = 0;
    uint64_t bytes = 0;          ///< database and WAL file sizes
    std::string schema, created_by, path;
  };
  Stats stats();
  /// Removes every entry. False (with `error`) on failure.
  bool clear(std::string& error);

  static std::string database_path(const std::string& dir);
  /// The check value stored with a key (first 8 bytes of SHA-256 over a tag and the key).
  static int64_t check_value(const std::string& key);

 private:
  VerifiedCache(sqlite3* db, std::string path, std::string dir)
      : db_(db), path_(std::move(path)), dir_(std::move(dir)) {}
  sqlite3* db_;
  std::string path_;
  std::string dir_;
  std::vector<std::string> pending_;
  bool write_failed_ = false;
  std::chrono::steady_clock::time_point last_flush_ = std::chrono::steady_clock::now();
};

}  // namespace leanbatch::tools
