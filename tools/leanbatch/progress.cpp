#include "leanbatch/progress.hpp"

#include <unistd.h>

#include <cmath>

namespace leanbatch::tools {

namespace {
std::string clock_text(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  auto t = static_cast<unsigned long long>(s + 0.5);
  char buf[32];
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%lluh%02llum", t / 3600, t / 60 % 60);
  else std::snprintf(buf, sizeof buf, "%llum%02llus", t / 60, t % 60);
  return buf;
}
}  // namespace

Progress::Progress(ProgressMode mode, size_t files_total, std::FILE* err)
    : mode_(mode), err_(err), files_total_(files_total), t0_(std::chrono::steady_clock::now()), last_(t0_) {
  tty_ = ::isatty(::fileno(err_)) == 1;
  enabled_ = mode_ == ProgressMode::Always || (mode_ == ProgressMode::Auto && tty_);
}

Progress::~Progress() { finish(); }

std::string Progress::line() const {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  double rate = secs > 0 ? static_cast<double>(done_) / secs : 0;
  std::string eta = "?";
  if (files_done_ == files_total_) {
    eta = "0m00s";
  } else if (items_planned_ >= files_total_ && planned_ > done_ && rate > 0) {
    // Every export is known: remaining declarations at the current rate.
    eta = clock_text(static_cast<double>(planned_ - done_) / rate);
  } else if (files_done_ > 0) {
    eta = clock_text(secs / static_cast<double>(files_done_) * static_cast<double>(files_total_ - files_done_));
  }
  char buf[256];
  std::snprintf(buf, sizeof buf, "leanbatch: %zu/%zu files, %llu/%llu declarations, %.0f/s, ETA %s, %llu failed",
                files_done_, files_total_, static_cast<unsigned long long>(done_),
                static_cast<unsigned long long>(planned_ < done_ ? done_ : planned_), rate, eta.c_str(),
                static_cast<unsigned long long>(failed_));
  return buf;
}

void Progress::maybe_draw() {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  auto gap = tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(1000);
  if (drawn_ && now - last_ < gap) return;
  last_ = now;
  drawn_ = true;
  std::string l = line();
  if (tty_) std::fprintf(err_, "\r%s\x1b[K", l.c_str());
  else std::fprintf(err_, "%s\n", l.c_str());
  std::fflush(err_);
}

void Progress::finish() {
  if (!enabled_) return;
  enabled_ = false;
  if (tty_) {
    if (drawn_) std::fprintf(err_, "\r\x1b[K");
  } else {
    std::fprintf(err_, "%s\n", line().c_str());
  }
  std::fflush(err_);
}

}  // namespace leanbatch::tools
