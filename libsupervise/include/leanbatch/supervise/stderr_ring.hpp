#pragma once
/// Bounded ring buffer for a child's stderr.
///
/// The parent drains every child's stderr continuously (a child blocked on a full stderr
/// pipe would look hung), but keeps only the last `capacity` bytes: enough for the panic
/// message or backtrace that explains a failure, bounded whatever the child prints.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace leanbatch::supervise {

class StderrRing {
 public:
  explicit StderrRing(std::size_t capacity = 64u << 10);

  void append(std::string_view bytes);
  /// The retained bytes, oldest first (at most capacity()).
  std::string tail() const;
  /// The last `max_bytes` retained bytes, cut at a line start when one is near.
  std::string tail(std::size_t max_bytes) const;
  void clear();

  std::size_t capacity() const { return buf_.size(); }
  std::size_t size() const { return size_; }
  /// Every byte ever appended, including those overwritten.
  std::uint64_t total_bytes() const { return total_; }

 private:
  std::vector<char> buf_;
  std::size_t head_ = 0;  ///< next write position
  std::size_t size_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace leanbatch::supervise
