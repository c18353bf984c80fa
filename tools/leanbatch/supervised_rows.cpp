// The rows of a supervised run: printed from the workers' answers, held while one export is
// split into parts (until they are final), or synthesized by the driver for a declaration
// the workers could not decide (crashed, timeout, cancelled), so that every declaration
// ends with exactly one terminal row.
#include <algorithm>
#include <cstring>

#include "common/rows.hpp"
#include "leanbatch/file_cache.hpp"
#include "leanbatch/supervised_engine.hpp"

namespace leanbatch::tools::supervised {

void Engine::on_worker_event(const sv::WorkerEvent& e) {
  if (!opts_.events) return;
  JsonObject o;
  o.field("schema", kRowSchema).field("type", "event").field("event", sv::to_string(e.kind));
  o.field("worker", static_cast<uint64_t>(e.worker_id)).field("generation", static_cast<uint64_t>(e.generation));
  if (e.pid > 0) o.field("pid", static_cast<int64_t>(e.pid));
  if (e.cause) o.field("cause", sv::to_string(*e.cause));
  if (e.kind == sv::WorkerEventKind::Started) {
    o.field("handshake_micros", static_cast<uint64_t>(e.handshake_latency.count() / 1000));
    o.field("worker_version", e.worker_version);
  }
  if (e.kind == sv::WorkerEventKind::Exited) o.field("planned", e.planned);
  if (e.exit) o.raw("exit", exit_json(*e.exit));
  report_.event(o.str());
}

// stdout failed (EPIPE, ENOSPC): nothing more can be reported, so the workers are stopped
// now instead of checking everything for nobody (exit 3, said once on stderr).
void Engine::stop_if_output_failed() {
  if (!out_.failed() || output_stop_ || !pool_) return;
  output_stop_ = true;
  stopping_ = true;
  pool_->request_cancel();
}

void Engine::file_row(size_t i) {
  ItemState& s = states_[i];
  if (s.file_row) return;
  s.file_row = true;
  const FileState& f = files_[s.file];
  const proto::ErrorPayload& e = *f.error;
  tally_file(oc_, e.status);
  JsonObject err;
  err.field("kind", e.kind).field("message", e.message);
  if (e.line) err.field("line", e.line).field("offset", e.offset);
  if (f.failure && !f.failure->stderr_tail.empty()) err.field("stderr_tail", f.failure->stderr_tail);
  JsonObject row;
  row.field("schema", kRowSchema).field("type", "file").field("file", items_[i].display);
  if (!items_[i].module.empty()) row.field("module", items_[i].module);
  row.field("status", e.status);
  row.raw("error", err.str());
  if (e.status == "malformed" || e.status == "declined")
    if (warned_files_.insert(s.file).second)  // once per export, however many items name it
      spdlog::warn("'{}': line {}: {}", items_[i].display, e.line, e.message);
  report_.row(i, row.str());
  item_finished(i);
}

namespace {

// The row's own "status" field says what its status byte says (the byte is what the summary
// counts, the field what a reader of the row sees). The first `"status":"` of a row is its
// status field: the fields before it are numbers and escaped strings, in which an unescaped
// quote cannot occur.
bool status_agrees(const proto::RowView& row) {
  constexpr std::string_view kKey = "\"status\":\"";
  // memmem, not string_view::find: find steps through every '"' of the row with memchr
  // (speed only: this was 15 % of the driver's time in a sweep).
  const void* hit = ::memmem(row.open_json.data(), row.open_json.size(), kKey.data(), kKey.size());
  if (!hit) return false;
  size_t at = static_cast<size_t>(static_cast<const char*>(hit) - row.open_json.data());
  std::string_view rest = row.open_json.substr(at + kKey.size());
  return rest.substr(0, rest.find('"')) == row_status(row.status);
}

}  // namespace

void Engine::print_rows(size_t i, const sv::JobOutcome& o, const std::vector<uint64_t>& requested) {
  ItemState& s = states_[i];
  std::vector<uint64_t> asked(requested);
  std::sort(asked.begin(), asked.end());
  // Hardening against a broken worker (a real one sends one row per declaration): a
  // declaration with two rows in one answer keeps neither (it gets a synthesized crashed
  // row below, so the run cannot end 0 on them), whichever came first.
  std::vector<uint64_t> seen, twice;
  std::vector<std::expected<proto::RowView, std::string>> rows;  // views into o.rows
  rows.reserve(o.rows.size());
  seen.reserve(o.rows.size());
  for (const std::string& payload : o.rows) {
    rows.push_back(proto::decode_row(payload));
    if (rows.back()) seen.push_back(rows.back()->decl);
  }
  std::sort(seen.begin(), seen.end());
  for (size_t k = 1; k < seen.size(); ++k)
    if (seen[k] == seen[k - 1] && (twice.empty() || twice.back() != seen[k])) {
      twice.push_back(seen[k]);
      spdlog::error("worker {}: two rows for declaration {} in one answer (both dropped)", o.ref.worker_id, seen[k]);
    }
  RowWriter::Batch batch(out_);  // the frame's rows go out together
  for (const auto& row : rows) {
    if (!row) {
      // The declaration keeps no row from this frame; it gets a synthesized one below.
      spdlog::warn("worker {}: {}", o.ref.worker_id, row.error());
      continue;
    }
    if (row->decl == proto::kIdentityDecl) continue;  // which copy the rows come from (on_check)
    if (std::binary_search(twice.begin(), twice.end(), row->decl)) continue;
    if (!status_agrees(*row)) {
      spdlog::error("worker {}: the row for declaration {} has a status field other than its status byte ({}) (dropped)",
                    o.ref.worker_id, row->decl, row_status(row->status));
      continue;
    }
    // Only rows for what this job asked: any other would print a row for a declaration
    // another job owns, or one outside the export.
    if (!std::binary_search(asked.begin(), asked.end(), row->decl)) {
      spdlog::warn("worker {}: a row for declaration {}, which this check did not ask for (dropped)",
                   o.ref.worker_id, row->decl);
      continue;
    }
    if (!s.printed.insert(row->decl)) continue;
    std::string_view j = row->open_json;
    emit(i, row->status,
         proto::finish_row(j, static_cast<int>(o.ref.worker_id), static_cast<int>(o.ref.attempt + prior_attempts(i, row->decl))),
         nullptr, row->decl, row->conditional_key);
  }
}

// A row the driver writes itself for a declaration the workers could not decide.
void Engine::synthesized_row(size_t i, uint64_t d, const char* status, const std::string& kind, const std::string& message, const sv::FatalExit* failure, const sv::AttemptRef* ref) {
  ItemState& s = states_[i];
  if (!s.printed.insert(d)) return;
  const FileState& f = files_[s.file];
  JsonObject err;
  err.field("kind", kind).field("message", message);
  if (failure && !failure->stderr_tail.empty()) err.field("stderr_tail", failure->stderr_tail);
  JsonObject row;
  const WorkItem& wi = items_[s.origin];
  row.field("schema", kRowSchema).field("type", "decl").field("file", wi.display);
  if (!wi.module.empty()) row.field("module", wi.module);
  if (d < f.info.names.size()) {
    row.field("name", f.info.names[d]).field("kind", f.info.kinds[d]).field("line", f.info.lines[d]);
  }
  row.field("status", status).raw("error", err.str());
  if (ref && ref->attempt > 0)
    row.field("worker", static_cast<uint64_t>(ref->worker_id)).field("attempt", ref->attempt + prior_attempts(i, d));
  host::VerdictStatus vs = std::string(status) == "cancelled" ? host::VerdictStatus::Cancelled
                         : std::string(status) == "timeout"   ? host::VerdictStatus::Timeout
                                                              : host::VerdictStatus::Error;
  emit(i, vs, row.str(), status, d);
}

// A final row of state i: printed, or held when i is a part (until it is final).
void Engine::emit(size_t i, host::VerdictStatus status, std::string row, const char* driver_status, uint64_t decl,
                  std::string_view conditional_key) {
  ItemState& s = states_[i];
  if (s.part != 0) {
    ItemState& o = states_[s.origin];
    o.held.emplace(decl, ItemState::Held{status, std::move(row), std::string(conditional_key)});
    advance_frontier(s.origin);
    return;
  }
  count(status, driver_status);
  report_.row(i, std::move(row));
}

void Engine::advance_frontier(size_t i) {
  ItemState& o = states_[i];
  while (o.all_ok && o.frontier < o.planned.size()) {
    auto it = o.held.find(o.planned[o.frontier]);
    if (it == o.held.end()) return;
    if (it->second.status != host::VerdictStatus::Ok) {
      // Not accepted: the rows after it rest on a false assumption (serial check below).
      o.all_ok = false;
      return;
    }
    // Soundness: every declaration before this one is accepted (the frontier passed them),
    // so everything the part assumed holds and its verdict is the serial one: only now may
    // its key be recorded as verified (DeclVerdict::conditional_key).
    if (!it->second.conditional_key.empty())
      if (FileCache* fc = report_.file_cache()) fc->verified(it->second.conditional_key);
    count(it->second.status, nullptr);
    report_.row(i, std::move(it->second.row));
    o.printed.insert(it->first);
    o.held.erase(it);
    ++o.frontier;
  }
}

void Engine::count(host::VerdictStatus status, const char* driver_status) {
  if (!driver_status) return tally(oc_, status);
  if (std::string(driver_status) == "cancelled") ++oc_.cancelled;
  else if (std::string(driver_status) == "timeout") ++oc_.timeout;
  else ++oc_.crashed;
}

// After the run: every item and declaration still without a terminal row gets one.
void Engine::sweep() {
  const char* status = oc_.interrupted ? "cancelled" : "crashed";
  std::string kind = oc_.interrupted ? "cancelled" : "gave_up";
  std::string msg = oc_.interrupted ? "interrupted before this declaration was decided"
                                    : (gave_up_ ? "the worker pool gave up: " + gave_up_->describe()
                                                : "not decided");
  for (size_t i = 0; i < items_.size(); ++i) {
    ItemState& s = states_[i];
    FileState& f = files_[s.file];
    if (s.file_row) continue;
    if (!s.started) {
      // Never started (interrupted, or the pool gave up): cancelled, with the reason, not
      // the blame of the last worker that died.
      if (!f.error) f.error = proto::ErrorPayload{"cancelled", kind, msg, 0, 0};
      file_row(i);
      continue;
    }
    for (uint64_t d : s.requeue) synthesized_row(i, d, status, kind, msg, gave_up_ ? &*gave_up_ : nullptr, nullptr);
    for (size_t k = s.cursor; k < s.planned.size(); ++k)
      synthesized_row(i, s.planned[k], status, kind, msg, gave_up_ ? &*gave_up_ : nullptr, nullptr);
  }
}

}  // namespace leanbatch::tools::supervised
