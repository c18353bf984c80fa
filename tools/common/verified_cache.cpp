#include "common/verified_cache.hpp"

#include "leanbatch/host/decl_digest.hpp"
#include "leanbatch/host/export_image.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <filesystem>

namespace leanbatch::tools {

namespace {

constexpr const char* kSchema = "1";

bool exec(sqlite3* db, const char* sql, std::string* err = nullptr) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &msg);
  if (rc != SQLITE_OK && err) *err = msg ? msg : sqlite3_errstr(rc);
  sqlite3_free(msg);
  return rc == SQLITE_OK;
}

std::string meta(sqlite3* db, const char* key) {
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, "SELECT v FROM meta WHERE k = ?", -1, &st, nullptr) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  return out;
}

}  // namespace

std::string VerifiedCache::database_path(const std::string& dir) { return dir + "/verified.sqlite3"; }

int64_t VerifiedCache::check_value(const std::string& key) {
  static const char kTag[] = "leanbatch verified-cache entry v1";
  std::string buf = std::string(kTag, sizeof kTag - 1) + key;
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(buf.data()), buf.size(), md);
  int64_t v = 0;
  std::memcpy(&v, md, sizeof v);
  return v;
}

std::unique_ptr<VerifiedCache> VerifiedCache::open(const std::string& dir, std::string& warning) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    warning = "cannot create the cache directory '" + dir + "': " + ec.message();
    return nullptr;
  }
  std::string path = database_path(dir);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  auto fail = [&](const std::string& why) -> std::unique_ptr<VerifiedCache> {
    warning = "cache '" + path + "' ignored (" + why + "); everything is checked";
    if (db) sqlite3_close(db);
    return nullptr;
  };
  if (rc != SQLITE_OK) return fail(sqlite3_errstr(rc));
  sqlite3_busy_timeout(db, 30000);  // concurrent runs and workers wait for each other's writes
  std::string err;
  // WAL: readers never block the writer, a crash leaves the last commit; NORMAL is durable
  // enough for a cache (a lost tail costs a re-check, never a false hit).
  if (!exec(db, "PRAGMA journal_mode=WAL", &err) || !exec(db, "PRAGMA synchronous=NORMAL", &err)) return fail(err);
  if (!exec(db,
            "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);"
            "CREATE TABLE IF NOT EXISTS verified(key BLOB PRIMARY KEY, check_value INTEGER NOT NULL) WITHOUT ROWID;"
            "CREATE TABLE IF NOT EXISTS files(key BLOB PRIMARY KEY, check_value INTEGER NOT NULL, rows BLOB NOT NULL);",
            &err))
    return fail(err);
  std::string schema = meta(db, "schema");
  if (schema.empty()) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO meta(k, v) VALUES ('schema', ?), ('created_by', ?)", -1, &st, nullptr);
    std::string by = std::string("leanbatch ") + LEANBATCH_VERSION;
    sqlite3_bind_text(st, 1, kSchema, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, by.c_str(), -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return fail(sqlite3_errmsg(db));
    schema = meta(db, "schema");
  }
  if (schema != kSchema) return fail("schema " + schema + ", this leanbatch reads schema " + kSchema);
  return std::unique_ptr<VerifiedCache>(new VerifiedCache(db, path, dir));
}

VerifiedCache::~VerifiedCache() {
  flush();
  sqlite3_close(db_);
}

uint64_t VerifiedCache::load(host::DigestSet& into) {
  sqlite3_stmt* st = nullptr;
  uint64_t bad = 0;
  if (sqlite3_prepare_v2(db_, "SELECT key, check_value FROM verified", -1, &st, nullptr) != SQLITE_OK) {
    spdlog::warn("cache '{}': cannot read it ({}); everything is checked", path_, sqlite3_errmsg(db_));
    return 0;
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const void* blob = sqlite3_column_blob(st, 0);
    int n = sqlite3_column_bytes(st, 0);
    std::string key(static_cast<const char*>(blob), static_cast<size_t>(n));
    // Only a key whose check value matches is trusted (a damaged entry is a miss).
    if (n != 32 || sqlite3_column_int64(st, 1) != check_value(key)) {
      ++bad;
      continue;
    }
    into.insert(key);
  }
  if (rc != SQLITE_DONE) {
    // A damaged database: what was read before the damage passed its check values.
    spdlog::warn("cache '{}': reading stopped early ({})", path_, sqlite3_errmsg(db_));
  }
  sqlite3_finalize(st);
  if (bad) spdlog::warn("cache '{}': {} damaged entries ignored", path_, bad);
  return bad;
}

void VerifiedCache::add(const std::string& key) {
  if (write_failed_) return;
  pending_.push_back(key);
  if (pending_.size() >= 4096) flush();
}

bool VerifiedCache::flush_if_due() {
  if (std::chrono::steady_clock::now() - last_flush_ < std::chrono::seconds(2)) return !write_failed_;
  return flush();
}

bool VerifiedCache::flush() {
  last_flush_ = std::chrono::steady_clock::now();
  if (pending_.empty() || write_failed_) return !write_failed_;
  std::string err;
  sqlite3_stmt* st = nullptr;
  bool ok = exec(db_, "BEGIN IMMEDIATE", &err) &&
            sqlite3_prepare_v2(db_, "INSERT OR IGNORE INTO verified(key, check_value) VALUES (?, ?)", -1, &st, nullptr) ==
                SQLITE_OK;
  for (size_t i = 0; ok && i < pending_.size(); ++i) {
    sqlite3_bind_blob(st, 1, pending_[i].data(), static_cast<int>(pending_[i].size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, check_value(pending_[i]));
    ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
  }
  if (!ok && err.empty()) err = sqlite3_errmsg(db_);
  sqlite3_finalize(st);
  ok = ok && exec(db_, "COMMIT", &err);
  if (!ok) {
    exec(db_, "ROLLBACK");
    write_failed_ = true;
    spdlog::warn("cache '{}': cannot write ({}); later results are not cached", path_, err);
  }
  pending_.clear();
  return ok;
}

std::optional<std::string> VerifiedCache::file_key(const std::string& path, const std::string& options,
                                                   std::string* content_hex) {
  // The content digest comes from libhost (export_image.hpp): the SHA-256 of every byte,
  // read on every run (no memo by file state: docs/kernel.md, "Export images").
  auto content = host::content_key(path);
  if (!content) return std::nullopt;
  if (content_hex) *content_hex = host::to_hex(*content);
  std::string buf = std::string("leanbatch file-cache v3\n") + LEANBATCH_VERSION + "\n" + options + "\n";
  buf.append(reinterpret_cast<const char*>(content->data()), content->size());
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(buf.data()), buf.size(), md);
  return std::string(reinterpret_cast<const char*>(md), sizeof md);
}

namespace {
// Rows are stored one per line (a row never contains a raw newline: JSON escapes it).
std::string join_rows(const std::vector<std::string>& rows) {
  std::string out;
  for (const std::string& r : rows) out += r + "\n";
  return out;
}
}  // namespace

std::optional<std::string> VerifiedCache::find_file_blob(const std::string& key) {
  sqlite3_stmt* st = nullptr;
  std::optional<std::string> out;
  if (sqlite3_prepare_v2(db_, "SELECT check_value, rows FROM files WHERE key = ?", -1, &st, nullptr) != SQLITE_OK)
    return out;
  sqlite3_bind_blob(st, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW) {
    std::string blob(static_cast<const char*>(sqlite3_column_blob(st, 1)), static_cast<size_t>(sqlite3_column_bytes(st, 1)));
    // The check value covers the key and the rows: a damaged entry is a miss.
    if (sqlite3_column_int64(st, 0) == check_value(key + blob))
      out = std::move(blob);
    else
      spdlog::warn("cache '{}': a damaged entry of a whole export ignored", path_);
  }
  sqlite3_finalize(st);
  return out;
}

bool VerifiedCache::store_file(const std::string& key, const std::vector<std::string>& rows) {
  if (write_failed_) return false;
  std::string blob = join_rows(rows);
  sqlite3_stmt* st = nullptr;
  bool ok = sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO files(key, check_value, rows) VALUES (?, ?, ?)", -1, &st,
                               nullptr) == SQLITE_OK;
  if (ok) {
    sqlite3_bind_blob(st, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, check_value(key + blob));
    sqlite3_bind_blob(st, 3, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
    ok = sqlite3_step(st) == SQLITE_DONE;  // one statement: its own transaction
  }
  std::string err = ok ? "" : sqlite3_errmsg(db_);
  sqlite3_finalize(st);
  if (!ok) {
    write_failed_ = true;
    spdlog::warn("cache '{}': cannot write ({}); later results are not cached", path_, err);
  }
  return ok;
}

VerifiedCache::Stats VerifiedCache::stats() {
  flush();
  Stats s;
  s.path = path_;
  s.schema = meta(db_, "schema");
  s.created_by = meta(db_, "created_by");
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT count(*) FROM verified", -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    s.entries = static_cast<uint64_t>(sqlite3_column_int64(st, 0));
  sqlite3_finalize(st);
  st = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT count(*) FROM files", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    s.files = static_cast<uint64_t>(sqlite3_column_int64(st, 0));
  sqlite3_finalize(st);
  std::error_code ec;
  for (const char* suffix : {"", "-wal"}) {
    auto n = std::filesystem::file_size(path_ + suffix, ec);
    if (!ec) s.bytes += n;
  }
  return s;
}

bool VerifiedCache::clear(std::string& error) {
  pending_.clear();
  return exec(db_, "DELETE FROM verified", &error) && exec(db_, "DELETE FROM files", &error) && exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)", &error) &&
         exec(db_, "VACUUM", &error);
}

}  // namespace leanbatch::tools
