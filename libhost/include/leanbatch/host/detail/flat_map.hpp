#pragma once
// Open-addressing hash map from 64-bit keys to 32-bit values, for caches keyed by node ids.
// Never shrinks except through clear() of a large map.
//
// A slot is occupied when its stamp equals the map's current generation, so clear() of a
// small map is O(1): it starts a new generation instead of refilling the table (speed only:
// the replace engine clears its cache on every call, and most calls use a few entries).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "leanbatch/host/ids.hpp"

namespace leanbatch::host::detail {

class FlatMap64 {
 public:
  /// Allocates nothing until the first put (speed only: a TypeChecker has nine of these, one
  /// is made per declaration and for each auxiliary check, and most stay empty; allocating
  /// them eagerly was 2% of checking Init.Prelude).
  explicit FlatMap64(size_t initial = 64) : initial_(initial) {}

  void reset(size_t capacity) {
    size_t cap = 16;
    while (cap < capacity) cap <<= 1;
    keys_.assign(cap, 0);
    vals_.assign(cap, 0);
    stamps_.assign(cap, 0);
    gen_ = 1;
    mask_ = cap - 1;
    count_ = 0;
  }
  void clear() {
    if (count_ == 0) return;
    if (keys_.size() > kKeepSlots) {
      reset(64);  // do not keep a large table for the small uses that usually follow
      return;
    }
    count_ = 0;
    if (++gen_ == 0) {  // stamps wrapped around: forget them all once
      std::fill(stamps_.begin(), stamps_.end(), 0u);
      gen_ = 1;
    }
  }
  size_t size() const { return count_; }

  /// Pointer to the value for `key`, or nullptr.
  const uint32_t* find(uint64_t key) const {
    if (count_ == 0) return nullptr;  // also: nothing allocated yet
    size_t i = mix64(key) & mask_;
    for (;;) {
      if (stamps_[i] != gen_) return nullptr;
      if (keys_[i] == key) return &vals_[i];
      i = (i + 1) & mask_;
    }
  }
  bool contains(uint64_t key) const { return find(key) != nullptr; }
  /// Calls f(key, value) for every entry, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < keys_.size(); ++i)
      if (stamps_[i] == gen_) f(keys_[i], vals_[i]);
  }

  /// Inserts or overwrites.
  [[gnu::always_inline]] void put(uint64_t key, uint32_t val) {
    if ((count_ + 1) * 4 > keys_.size() * 3) [[unlikely]]
      grow();
    size_t i = mix64(key) & mask_;
    for (;;) {
      if (stamps_[i] != gen_) {
        stamps_[i] = gen_;
        keys_[i] = key;
        vals_[i] = val;
        ++count_;
        return;
      }
      if (keys_[i] == key) {
        vals_[i] = val;
        return;
      }
      i = (i + 1) & mask_;
    }
  }

 private:
  static constexpr size_t kKeepSlots = 4096;

  // Out of line and cold, so that put() stays small enough to be inlined (speed only).
  [[gnu::noinline, gnu::cold]] void grow() {
    std::vector<uint64_t> ok;
    std::vector<uint32_t> ov, os;
    ok.swap(keys_);
    ov.swap(vals_);
    os.swap(stamps_);
    uint32_t old_gen = gen_;
    reset(ok.empty() ? initial_ : ok.size() * 2);
    for (size_t i = 0; i < ok.size(); ++i)
      if (os[i] == old_gen) put(ok[i], ov[i]);
  }
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> vals_;
  std::vector<uint32_t> stamps_;
  uint32_t gen_ = 1;
  size_t mask_ = 0;
  size_t count_ = 0;
  size_t initial_ = 64;  // capacity of the first allocation
};

inline uint64_t pair_key(uint32_t a, uint32_t b) { return (static_cast<uint64_t>(a) << 32) | b; }

}  // namespace leanbatch::host::detail
