#pragma once
/// A set of 32-byte keys (SHA-256 digests: the reuse keys of checker.hpp's ReuseSet).
///
/// Speed only: an open-addressing table of the raw bytes replaces an
/// unordered_set<std::string> (a heap node and a string per key, and a byte-wise hash of a
/// key that is already uniformly distributed), which was 4-8 % of a sweep's worker time.
/// Membership is exact: a probe compares all 32 bytes. The slot comes from the key's first
/// 8 bytes times an odd multiplier drawn per set, so an export crafted to collide in the
/// slot bits cannot target the table (at worst that would slow it down, never change an
/// answer).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace leanbatch::host {

class DigestSet {
 public:
  static constexpr size_t kKeyBytes = 32;
  DigestSet();

  /// Keys of any other length are never members (and are not inserted).
  bool contains(std::string_view key) const;
  /// True if the key was not yet a member.
  bool insert(std::string_view key);
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  using Key = std::array<uint8_t, kKeyBytes>;
  size_t slot_of(std::string_view key) const;
  void grow();

  std::vector<Key> keys_;
  std::vector<uint8_t> used_;
  size_t size_ = 0;
  unsigned shift_ = 64;  // slot = (first 8 bytes * multiplier_) >> shift_
  uint64_t multiplier_;
};

}  // namespace leanbatch::host
