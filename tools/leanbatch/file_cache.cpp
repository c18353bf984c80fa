#include "leanbatch/file_cache.hpp"

#include <simdjson.h>

#include "leanbatch/host/json.hpp"
#include "leanbatch/run_report.hpp"
#include "common/rows.hpp"

namespace leanbatch::tools {

namespace {

// The fields that belong to one run, not to the verdict: dropped when storing.
bool per_run(std::string_view key) {
  return key == "file" || key == "module" || key == "worker" || key == "attempt" || key == "micros" || key == "reused";
}

// Does this row's verdict depend only on the export and the options (not on time or faults)?
bool deterministic(simdjson::dom::element row) {
  std::string_view type, status, kind;
  if (row["type"].get(type) || row["status"].get(status)) return false;
  simdjson::dom::element err;
  if (row["error"].get(err) == simdjson::SUCCESS && err["kind"].get(kind) != simdjson::SUCCESS) return false;
  if (status == "ok" || status == "rejected" || status == "declined" || status == "malformed") return true;
  if (status == "skipped") return kind == "not_found";
  return false;  // timeout, crashed, cancelled, skipped after a timeout or crash
}

}  // namespace

bool FileCache::replay(size_t i, const WorkItem& item, RunReport& report, Outcomes& oc) {
  if (!item.decls.empty()) return false;  // only whole exports
  auto key = VerifiedCache::file_key(item.file, options_, cache_.dir());
  if (!key) return false;  // unreadable: the checker reports it
  auto blob = cache_.find_file_blob(*key);
  if (!blob) {
    pending_[i] = Pending{*key, {}, true};
    return false;
  }
  // Rows stream out as they are rebuilt (the first one after milliseconds, not after the
  // whole export's rows). The entry's check value covers every byte, so a stored row that
  // does not parse is a leanbatch bug, not damage: the replay then ends with a file row
  // saying so (exit 3) instead of checking the export again after rows went out.
  simdjson::dom::parser parser;
  report.started(i);
  size_t replayed = 0;
  auto broken = [&] {
    tally_file(oc, "crashed");
    report.row(i, file_row(RowSource{item.display, item.module}, "crashed", "internal",
                           "the cached rows of this export are unreadable after " + std::to_string(replayed) +
                               " rows (run `leanbatch cache clear`)"));
    report.done(i);
    return true;
  };
  for (size_t pos = 0; pos < blob->size();) {
    size_t nl = blob->find('\n', pos);
    if (nl == std::string::npos) break;
    std::string_view stored(blob->data() + pos, nl - pos);
    pos = nl + 1;
    simdjson::dom::element row;
    simdjson::dom::object obj;
    if (parser.parse(stored.data(), stored.size()).get(row) || row.get(obj)) return broken();
    host::JsonObject o;
    std::string_view type, status, kind;
    if (row["type"].get(type) || row["status"].get(status)) return broken();
    simdjson::dom::element err;
    if (row["error"].get(err) == simdjson::SUCCESS && err["kind"].get(kind) != simdjson::SUCCESS) return broken();
    o.field("schema", kRowSchema).field("type", type).field("file", item.display);
    if (!item.module.empty()) o.field("module", item.module);
    for (auto field : obj)
      if (field.key != "schema" && field.key != "type" && !per_run(field.key))
        o.raw(field.key, simdjson::to_string(field.value));
    if (type == "decl") o.field("reused", "cache");
    if (type == "file") {
      tally_file(oc, status);
    } else if (status == "ok") {
      ++oc.ok;
    } else if (status == "rejected") {
      ++oc.rejected;
    } else if (status == "declined") {
      ++oc.declined;
    } else {
      ++oc.skipped;  // not_found: the only other status ever stored
    }
    report.row(i, o.str());
    ++replayed;
  }
  ++hits_;
  report.done(i);
  return true;
}

void FileCache::collect(size_t i, const std::string& row) {
  auto it = pending_.find(i);
  if (it == pending_.end() || !it->second.storable) return;
  // Stored as printed (the per-run fields are dropped when replaying). Speed only: an
  // accepted row without an error needs no parse to be known deterministic.
  bool plain_ok = row.find("\"status\":\"ok\"") != std::string::npos && row.find("\"error\"") == std::string::npos;
  if (!plain_ok) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(row).get(doc) || !doc.is_object() || !deterministic(doc)) {
      it->second.storable = false;
      return;
    }
  }
  it->second.rows.push_back(row);
}

void FileCache::finish(size_t i) {
  auto it = pending_.find(i);
  if (it == pending_.end()) return;
  if (it->second.storable && !it->second.rows.empty()) cache_.store_file(it->second.key, it->second.rows);
  pending_.erase(it);
}

}  // namespace leanbatch::tools
