#pragma once
/// `--progress auto|always|never`: one live line on stderr while a run goes: files and
/// declarations done (of the total known so far), rate, ETA, failures. `auto` draws it only
/// when stderr is a terminal (redrawn in place, at most 10 times a second, erased at the
/// end); `always` on another stderr prints a plain line at most once a second.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace leanbatch::tools {

enum class ProgressMode { Auto, Always, Never };

class Progress {
 public:
  /// `files_total`: work items (an export, or a manifest item).
  Progress(ProgressMode mode, size_t files_total, std::FILE* err = stderr);
  ~Progress();
  bool enabled() const { return enabled_; }

  /// An item's declaration count is known (once per item).
  void add_planned(uint64_t declarations) {
    planned_ += declarations;
    ++items_planned_;
  }
  void row(bool failed) {
    ++done_;
    if (failed) ++failed_;
    maybe_draw();
  }
  void file_done() {
    ++files_done_;
    maybe_draw();
  }
  /// The run is over: erases the live line (terminal) or prints a last one.
  void finish();

  /// The line as it would be drawn now (tests).
  std::string line() const;

 private:
  void maybe_draw();
  ProgressMode mode_;
  bool enabled_ = false;
  bool tty_ = false;
  std::FILE* err_;
  size_t files_total_, files_done_ = 0, items_planned_ = 0;
  uint64_t planned_ = 0, done_ = 0, failed_ = 0;
  std::chrono::steady_clock::time_point t0_, last_;
  bool drawn_ = false;
};

}  // namespace leanbatch::tools
