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

 private:
  std::FILE* out_;
  bool failed_ = false;
  std::function<void()> on_failure_;
  unsigned long long rows_ = 0;
};

}  // namespace leanbatch::tools
