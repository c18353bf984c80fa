#pragma once
#include <functional>
/// stdout carries NDJSON rows and nothing else. One RowWriter per process writes them,
/// flushing after each row so that `| jq` pipelines see results as they are decided.
#include <cstdio>
#include <string>
#include <string_view>

namespace leanbatch::tools {

inline constexpr int kRowSchema = 1;

class RowWriter {
 public:
  explicit RowWriter(std::FILE* out = stdout) : out_(out) {}
  /// Writes one row (a JSON object without trailing newline). False once stdout failed
  /// (e.g. the reader of a pipe went away); later rows are dropped and the caller should stop.
  bool write(std::string_view row);
  bool failed() const { return failed_; }
  /// Called once, when a write first fails (the run should stop: nobody reads the rows).
  void on_failure(std::function<void()> f) { on_failure_ = std::move(f); }
  unsigned long long rows() const { return rows_; }

  /// Rows written while a Batch lives are flushed once, when the last Batch ends, instead of
  /// one write(2) each: for rows that arrive together (a worker's frame of rows, or a run of
  /// reused declarations), so `| jq` still sees them as soon as they are all known. A flush
  /// at every row was a write system call per row, 7 ms per 1,764-row module (speed only).
  class Batch {
   public:
    explicit Batch(RowWriter& w) : w_(w) { ++w_.held_; }
    ~Batch() {
      if (--w_.held_ == 0) w_.flush();
    }
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

   private:
    RowWriter& w_;
  };
  /// Flushes what was written (also called by the last Batch). False once stdout failed.
  bool flush();

 private:
  std::FILE* out_;
  bool failed_ = false;
  std::function<void()> on_failure_;
  unsigned long long rows_ = 0;
  int held_ = 0;  // live Batches
  bool fail(int err);
};

}  // namespace leanbatch::tools
