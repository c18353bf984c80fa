#pragma once
// IdMap: the map from one family's file ids (names, levels or expressions) to store ids.
// Exporters number each family densely from 0, so ids live in a dense array; an id far past
// those defined so far (beyond twice their count plus 2^20) goes to a hash map instead, so
// that a few huge ids do not commit memory for every id below them. Internal to the export
// reader.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "leanbatch/host/detail/huge_array.hpp"
#include "leanbatch/host/ids.hpp"

namespace leanbatch::host::reader_detail {

// File ids → store ids. Dense array for compact id ranges, hash map for far-out ids. The
// dense array is zero pages grown in place (mremap): entries hold value + 1, 0 = undefined.
class IdMap {
 public:
  [[gnu::always_inline]] uint32_t get(uint32_t fid) const {
    if (fid < dense_.size()) return dense_[fid] - 1;  // 0 - 1 == kNoId
    return get_sparse(fid);
  }
  bool defined(uint32_t fid) const { return get(fid) != kNoId; }
  /// Ids defined so far, and whether they are exactly 0..count()-1 (prefix reuse).
  size_t count() const { return count_; }
  bool dense_from_zero() const { return count_ == 0 || static_cast<size_t>(max_) + 1 == count_; }
  /// Defines `fid` (v != kNoId).
  [[gnu::always_inline]] void set(uint32_t fid, uint32_t v) {
    ++count_;
    max_ = std::max(max_, fid);
    if (fid < dense_.size())
      dense_[fid] = v + 1;
    else
      set_far(fid, v);
  }
  /// Changes the value of a defined `fid`.
  [[gnu::always_inline]] void put(uint32_t fid, uint32_t v) {
    if (fid < dense_.size())
      dense_[fid] = v + 1;
    else
      sparse_[fid] = v;
  }

 private:
  [[gnu::noinline]] uint32_t get_sparse(uint32_t fid) const {
    if (sparse_.empty()) return kNoId;
    auto it = sparse_.find(fid);
    return it == sparse_.end() ? kNoId : it->second;
  }
  [[gnu::noinline]] void set_far(uint32_t fid, uint32_t v) {
    if (fid <= 2 * (count_ - 1) + (1u << 20)) {  // (count_ already counts this one)
      size_t n = std::max<size_t>({static_cast<size_t>(fid) + 1, dense_.size() * 2, size_t{1} << 16});
      dense_.grow(std::min<size_t>(n, static_cast<size_t>(kNoId)));
    }
    put(fid, v);
  }

  detail::HugeArray<uint32_t> dense_{0, false};
  std::unordered_map<uint32_t, uint32_t> sparse_;
  size_t count_ = 0;
  uint32_t max_ = 0;  // largest id defined
};

}  // namespace leanbatch::host::reader_detail
