#pragma once
/// Between the checkers (in-process or supervised) and stdout: every row of a run passes
/// through here, tagged with its work item, so that the options that shape the report
/// behave the same in every mode:
///   --rows decl|item       decl: the rows as made; item: one "item" row per work item
///                          (counts, time, the first failure) instead of its decl/file rows
///   --order completion|input  input: rows (or item rows) in the order of the items, held
///                          in a bounded buffer (the driver stops admitting new exports while
///                          it is full: see backlog_full)
///   --junit FILE           JUnit XML (junit_writer.hpp)
///   --progress …           a live line on stderr (progress.hpp)
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/row_writer.hpp"
#include "common/rows.hpp"
#include "leanbatch/junit_writer.hpp"
#include "leanbatch/progress.hpp"
#include "leanbatch/row_facts.hpp"
#include "leanbatch/work_items.hpp"

namespace leanbatch::tools {

class FileCache;

struct ReportOptions {
  bool item_rows = false;     ///< --rows item
  bool input_order = false;   ///< --order input
  std::string junit;          ///< --junit FILE ("" none)
  ProgressMode progress = ProgressMode::Auto;
  /// --order input: bytes of held rows above which no new export is admitted.
  size_t max_backlog_bytes = size_t{64} << 20;
};

class RunReport {
 public:
  static constexpr size_t kNoItem = ~size_t{0};

  RunReport(const std::vector<WorkItem>& items, ReportOptions opts, RowWriter& out);
  /// Set when the JUnit file cannot be written (checked before the run starts).
  const std::string& setup_error() const { return setup_error_; }

  /// Item i begins (its export is being loaded); starts its clock.
  void started(size_t i);
  /// Item i will have `n` declaration rows.
  void planned(size_t i, uint64_t n);
  /// A terminal row (decl, file or skipped) of item i, or of no item (kNoItem: a requested
  /// name no export has).
  void row(size_t i, std::string row);
  /// A row that is not about a declaration (worker events): printed at once.
  void event(const std::string& row) { out_.write(row); }
  /// Item i has all its rows.
  void done(size_t i);
  /// --order input: too many rows held; the driver should not start more exports.
  bool backlog_full() const { return backlog_bytes_ > opts_.max_backlog_bytes; }
  /// --order input: the first item whose rows are not all out (items.size() when none).
  size_t next_in_order() const { return next_in_order_; }
  /// Ends the run before its summary row: flushes what is held, erases the progress line,
  /// writes the JUnit file. False if the JUnit file could not be written (said on stderr;
  /// the run is then undecided).
  bool finish(double seconds);

  RowWriter& out() { return out_; }
  /// --cache: whole exports whose rows are replayed or stored (file_cache.hpp), or null.
  void set_file_cache(FileCache* fc) { file_cache_ = fc; }
  FileCache* file_cache() const { return file_cache_; }

 private:
  struct ItemReport {
    bool started = false, finished = false;
    std::chrono::steady_clock::time_point t0;
    double seconds = 0;
    std::vector<std::string> held;     // rows waiting for their turn (--order input)
    std::vector<JUnitWriter::Case> cases;
    uint64_t counts[9] = {};           // by status_rank
    uint64_t decls = 0;
    std::string status = "ok";
    std::optional<RowFacts> first_failure;
    std::string file_error_json;       // the error object of its file row, if any
  };
  void emit(size_t i, std::string row);
  void flush_ready();
  std::string item_row(size_t i) const;

  const std::vector<WorkItem>& items_;
  ReportOptions opts_;
  RowWriter& out_;
  std::vector<ItemReport> reports_;
  std::unique_ptr<JUnitWriter> junit_;
  Progress progress_;
  RowReader reader_;
  size_t next_in_order_ = 0;   // --order input: the first item whose rows are not all out
  size_t backlog_bytes_ = 0;
  std::vector<JUnitWriter::Case> global_cases_;  // rows of no item (missing names)
  std::string setup_error_;
  FileCache* file_cache_ = nullptr;
  bool need_facts_ = false;
};

}  // namespace leanbatch::tools
