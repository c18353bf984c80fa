#include "leanbatch/file_cache.hpp"

#include <simdjson.h>

#include "leanbatch/host/json.hpp"
#include "leanbatch/run_report.hpp"

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
  auto rows = cache_.find_file(*key);
  if (!rows) {
    pending_[i] = Pending{*key, {}, true};
    return false;
  }
  simdjson::dom::parser parser;
  report.started(i);
  std::vector<std::string> out;
  for (const std::string& stored : *rows) {
    simdjson::dom::element row;
    simdjson::dom::object obj;
    if (parser.parse(stored).get(row) || row.get(obj)) return false;  // never: stored rows are ours
    host::JsonObject o;
    std::string_view type, status, kind;
    if (row["type"].get(type) || row["status"].get(status)) return false;
    simdjson::dom::element err;
    if (row["error"].get(err) == simdjson::SUCCESS && err["kind"].get(kind) != simdjson::SUCCESS) return false;
    o.field("schema", kRowSchema).field("type", type).field("file", item.display);
    if (!item.module.empty()) o.field("module", item.module);
    for (auto field : obj)
      if (field.key != "schema" && field.key != "type" && !per_run(field.key))
        o.raw(field.key, simdjson::to_string(field.value));
    if (type == "decl") o.field("reused", "cache");
    out.push_back(o.str());
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
  }
  ++hits_;
  for (std::string& r : out) report.row(i, std::move(r));
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
