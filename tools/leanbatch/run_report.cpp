#include "leanbatch/run_report.hpp"

#include "common/logging.hpp"
#include "leanbatch/file_cache.hpp"
#include "leanbatch/host/json.hpp"

namespace leanbatch::tools {

namespace {
// status_rank → status name (index 0 unused).
constexpr const char* kStatusByRank[] = {"", "ok", "declined", "cancelled", "timeout", "crashed", "skipped",
                                         "rejected", "malformed"};
bool is_failure(const std::string& status) { return status != "ok" && status != "declined"; }
}  // namespace

RunReport::RunReport(const std::vector<WorkItem>& items, ReportOptions opts, RowWriter& out)
    : items_(items), opts_(std::move(opts)), out_(out), reports_(items.size()), progress_(opts_.progress, items.size()) {
  if (!opts_.junit.empty()) {
    junit_ = std::make_unique<JUnitWriter>(opts_.junit);
    if (!junit_->error().empty()) setup_error_ = "--junit: " + junit_->error();
  }
  need_facts_ = opts_.item_rows || junit_ || progress_.enabled();
}

void RunReport::started(size_t i) {
  ItemReport& r = reports_.at(i);
  if (r.started) return;
  r.started = true;
  r.t0 = std::chrono::steady_clock::now();
}

void RunReport::planned(size_t i, uint64_t n) {
  started(i);
  progress_.add_planned(n);
}

void RunReport::row(size_t i, std::string row) {
  RowFacts facts;
  bool have = need_facts_ && reader_.read(row, facts);
  if (i == kNoItem) {
    if (have) {
      progress_.row(is_failure(facts.status));
      if (junit_) global_cases_.push_back(JUnitWriter::Case{facts});
    }
    out_.write(row);
    return;
  }
  ItemReport& r = reports_.at(i);
  started(i);
  if (file_cache_) file_cache_->collect(i, row);
  if (have) {
    int rank = status_rank(facts.status);
    ++r.counts[rank];
    if (facts.type == "decl") ++r.decls;
    if (rank > status_rank(r.status)) r.status = facts.status;
    if (!r.first_failure && facts.status != "ok") r.first_failure = facts;
    progress_.row(is_failure(facts.status));
    if (junit_) r.cases.push_back(JUnitWriter::Case{std::move(facts)});
  }
  if (!opts_.item_rows) emit(i, std::move(row));
}

void RunReport::done(size_t i) {
  ItemReport& r = reports_.at(i);
  if (r.finished) return;
  started(i);
  r.finished = true;
  if (file_cache_) file_cache_->finish(i);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - r.t0).count();
  const WorkItem& w = items_[i];
  if (junit_) {
    junit_->suite(w.module.empty() ? w.display : w.module, w.display, r.cases, r.seconds);
    r.cases.clear();
    r.cases.shrink_to_fit();
  }
  progress_.file_done();
  if (opts_.item_rows) emit(i, item_row(i));
  flush_ready();
}

std::string RunReport::item_row(size_t i) const {
  const ItemReport& r = reports_[i];
  const WorkItem& w = items_[i];
  host::JsonObject o;
  o.field("schema", kRowSchema).field("type", "item").field("file", w.display);
  if (!w.module.empty()) o.field("module", w.module);
  if (w.manifest_line) o.field("manifest_line", w.manifest_line);
  o.field("status", r.status).field("declarations", r.decls);
  for (int rank = 1; rank <= 8; ++rank)
    if (std::string(kStatusByRank[rank]) != "malformed") o.field(kStatusByRank[rank], r.counts[rank]);
  o.field("seconds", r.seconds);
  if (r.first_failure) {
    const RowFacts& f = *r.first_failure;
    host::JsonObject e;
    if (f.type == "decl" && !f.name.empty()) e.field("name", f.name);
    if (f.line) e.field("line", f.line);
    e.field("status", f.status).field("kind", f.kind).field("message", f.message);
    o.raw("first_failure", e.str());
  }
  return o.str();
}

void RunReport::emit(size_t i, std::string row) {
  if (!opts_.input_order || i == next_in_order_) {
    out_.write(row);
    return;
  }
  backlog_bytes_ += row.size();
  reports_[i].held.push_back(std::move(row));
}

void RunReport::flush_ready() {
  if (!opts_.input_order) return;
  while (next_in_order_ < reports_.size()) {
    ItemReport& r = reports_[next_in_order_];
    for (std::string& row : r.held) {
      backlog_bytes_ -= row.size();
      out_.write(row);
    }
    r.held.clear();
    r.held.shrink_to_fit();
    if (!r.finished) return;
    ++next_in_order_;
  }
}

bool RunReport::finish(double seconds) {
  // Every item should be done by now; whatever is still held goes out in item order.
  for (size_t i = 0; i < reports_.size(); ++i)
    if (!reports_[i].finished) done(i);
  opts_.input_order = false;
  for (ItemReport& r : reports_) {
    for (std::string& row : r.held) out_.write(row);
    r.held.clear();
  }
  progress_.finish();
  if (!junit_) return true;
  if (!global_cases_.empty()) junit_->suite("leanbatch", "", global_cases_, 0);
  bool ok = junit_->finish(seconds);
  if (!ok) report_error("--junit: " + junit_->error());
  return ok;
}

}  // namespace leanbatch::tools
