#include "leanbatch/file_cache.hpp"

#include <simdjson.h>

#include <spdlog/spdlog.h>

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

// Stored form of a row (file-cache v3; the version is part of every key, so entries of an
// older form are never read as this one): "TYPE\tSTATUS\t" and then the row's fields other
// than schema, type and the per-run ones, as `,"key":value` text in their printed order.
// Replaying is then text assembly: the earlier form kept rows as printed and parsed and
// re-serialised every one of them, 60 % of a warm run's time.
std::optional<std::string> FileCache::stored_form(const std::string& row) {
  simdjson::dom::element doc;
  simdjson::dom::object obj;
  if (parser_.parse(row).get(doc) || doc.get(obj) || !deterministic(doc)) return std::nullopt;
  std::string_view type, status;
  if (doc["type"].get(type) || doc["status"].get(status)) return std::nullopt;  // deterministic() needs both
  if (type.find_first_of("\t\n") != std::string_view::npos || status.find_first_of("\t\n") != std::string_view::npos)
    return std::nullopt;
  std::string out;
  out.reserve(row.size());
  out.append(type).append(1, '\t').append(status).append(1, '\t');
  for (auto field : obj) {
    if (field.key == "schema" || field.key == "type" || per_run(field.key)) continue;
    out += ',';
    host::json_append_string(out, field.key);
    out += ':';
    out += simdjson::to_string(field.value);
  }
  return out;
}

bool FileCache::replay(size_t i, const WorkItem& item, RunReport& report, Outcomes& oc) {
  if (!item.decls.empty()) return false;  // only whole exports
  std::string content;
  auto key = VerifiedCache::file_key(item.file, options_, &content);
  if (!key) return false;  // unreadable: the checker reports it
  auto blob = cache_.find_file_blob(*key);
  if (!blob) {
    pending_[i] = Pending{*key, {}, true, content, false};
    return false;
  }
  // Rows stream out as they are rebuilt (the first one after milliseconds, not after the
  // whole export's rows). The entry's check value covers every byte, so a stored row that
  // does not have the stored form is a leanbatch bug, not damage: the replay then ends with a
  // file row saying so (exit 3) instead of checking the export again after rows went out.
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
  // What every row of this item carries after its type: the file and module of this run.
  std::string where = ",\"file\":";
  host::json_append_string(where, item.display);
  if (!item.module.empty()) {
    where += ",\"module\":";
    host::json_append_string(where, item.module);
  }
  const std::string schema = "{\"schema\":" + std::to_string(kRowSchema) + ",\"type\":";
  std::string out;
  // Written through stdout's buffer and flushed when full or at the end, not one write(2)
  // per row (that was 80 % of a warm run's time); the first rows still leave within
  // milliseconds, once a buffer's worth is rebuilt.
  RowWriter::Batch batch(report.out());
  for (size_t pos = 0; pos < blob->size();) {
    size_t nl = blob->find('\n', pos);
    if (nl == std::string::npos) break;
    std::string_view stored(blob->data() + pos, nl - pos);
    pos = nl + 1;
    size_t t1 = stored.find('\t');
    size_t t2 = t1 == std::string_view::npos ? t1 : stored.find('\t', t1 + 1);
    if (t2 == std::string_view::npos) return broken();
    std::string_view type = stored.substr(0, t1), status = stored.substr(t1 + 1, t2 - t1 - 1);
    std::string_view fields = stored.substr(t2 + 1);
    out.assign(schema);
    host::json_append_string(out, type);
    out += where;
    out += fields;
    if (type == "decl") out += ",\"reused\":\"cache\"";
    out += '}';
    if (type == "file") {
      tally_file(oc, std::string(status));
    } else if (status == "ok") {
      ++oc.ok;
    } else if (status == "rejected") {
      ++oc.rejected;
    } else if (status == "declined") {
      ++oc.declined;
    } else {
      ++oc.skipped;  // not_found: the only other status ever stored
    }
    report.row(i, out);
    ++replayed;
  }
  ++hits_;
  report.done(i);
  return true;
}

void FileCache::collect(size_t i, const std::string& row) {
  auto it = pending_.find(i);
  if (it == pending_.end() || !it->second.storable) return;
  auto stored = stored_form(row);
  if (!stored) {
    it->second.storable = false;  // a row that depends on time or faults: nothing is stored
    return;
  }
  it->second.rows.push_back(std::move(*stored));
}

void FileCache::observed(size_t i, const std::string& content_hex) {
  auto it = pending_.find(i);
  if (it == pending_.end()) return;
  if (content_hex.empty() || content_hex != it->second.content) {
    if (it->second.storable)
      spdlog::warn("the export of item {} was checked from other bytes than it had when the run began; its rows "
                   "are not cached",
                   i + 1);
    it->second.storable = false;
  } else {
    it->second.observed = true;
  }
}

void FileCache::finish(size_t i) {
  auto it = pending_.find(i);
  if (it == pending_.end()) return;
  if (it->second.storable && it->second.observed && !it->second.rows.empty())
    cache_.store_file(it->second.key, it->second.rows);
  pending_.erase(it);
}

}  // namespace leanbatch::tools
