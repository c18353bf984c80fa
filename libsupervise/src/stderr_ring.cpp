#include "leanbatch/supervise/stderr_ring.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace leanbatch::supervise {

StderrRing::StderrRing(std::size_t capacity) : buf_(capacity) { assert(capacity > 0); }

void StderrRing::append(std::string_view bytes) {
  total_ += bytes.size();
  std::size_t cap = buf_.size();
  if (bytes.size() >= cap) {  // only the last `cap` bytes can survive
    bytes = bytes.substr(bytes.size() - cap);
    std::memcpy(buf_.data(), bytes.data(), cap);
    head_ = 0;
    size_ = cap;
    return;
  }
  std::size_t first = std::min(bytes.size(), cap - head_);
  std::memcpy(buf_.data() + head_, bytes.data(), first);
  std::memcpy(buf_.data(), bytes.data() + first, bytes.size() - first);
  head_ = (head_ + bytes.size()) % cap;
  size_ = std::min(cap, size_ + bytes.size());
}

std::string StderrRing::tail() const {
  std::string out;
  out.reserve(size_);
  std::size_t start = (head_ + buf_.size() - size_) % buf_.size();
  std::size_t first = std::min(size_, buf_.size() - start);
  out.append(buf_.data() + start, first);
  out.append(buf_.data(), size_ - first);
  return out;
}

std::string StderrRing::tail(std::size_t max_bytes) const {
  std::string all = tail();
  if (all.size() <= max_bytes) return all;
  std::size_t cut = all.size() - max_bytes;
  // Prefer starting at a line boundary if one is within the first quarter of the window,
  // so a report does not open with half a line.
  std::size_t nl = all.find('\n', cut);
  if (nl != std::string::npos && nl + 1 - cut <= max_bytes / 4) cut = nl + 1;
  return all.substr(cut);
}

void StderrRing::clear() {
  head_ = 0;
  size_ = 0;
}

}  // namespace leanbatch::supervise
