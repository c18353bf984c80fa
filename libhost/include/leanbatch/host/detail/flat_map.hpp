#pragma once
// Open-addressing hash map from 64-bit keys to 32-bit values, for caches keyed by node ids.
// Key ~0 is reserved. Never shrinks except through clear().
#include <cstdint>
#include <vector>

#include "leanbatch/host/ids.hpp"

namespace leanbatch::host::detail {

class FlatMap64 {
 public:
  static constexpr uint64_t kEmptyKey = ~0ull;
  explicit FlatMap64(size_t initial = 64) { reset(initial); }

  void reset(size_t capacity) {
    size_t cap = 16;
    while (cap < capacity) cap <<= 1;
    keys_.assign(cap, kEmptyKey);
    vals_.assign(cap, 0);
    mask_ = cap - 1;
    count_ = 0;
  }
  void clear() {
    if (count_ == 0) return;
    if (keys_.size() > 4096)
      reset(64);
    else {
      std::fill(keys_.begin(), keys_.end(), kEmptyKey);
      count_ = 0;
    }
  }
  size_t size() const { return count_; }

  /// Pointer to the value for `key`, or nullptr.
  const uint32_t* find(uint64_t key) const {
    size_t i = mix64(key) & mask_;
    for (;;) {
      uint64_t k = keys_[i];
      if (k == key) return &vals_[i];
      if (k == kEmptyKey) return nullptr;
      i = (i + 1) & mask_;
    }
  }
  bool contains(uint64_t key) const { return find(key) != nullptr; }

  /// Inserts or overwrites.
  void put(uint64_t key, uint32_t val) {
    if ((count_ + 1) * 4 > keys_.size() * 3) grow();
    size_t i = mix64(key) & mask_;
    for (;;) {
      uint64_t k = keys_[i];
      if (k == key) {
        vals_[i] = val;
        return;
      }
      if (k == kEmptyKey) {
        keys_[i] = key;
        vals_[i] = val;
        ++count_;
        return;
      }
      i = (i + 1) & mask_;
    }
  }

 private:
  void grow() {
    std::vector<uint64_t> ok;
    std::vector<uint32_t> ov;
    ok.swap(keys_);
    ov.swap(vals_);
    keys_.assign(ok.size() * 2, kEmptyKey);
    vals_.assign(ok.size() * 2, 0);
    mask_ = keys_.size() - 1;
    count_ = 0;
    for (size_t i = 0; i < ok.size(); ++i)
      if (ok[i] != kEmptyKey) put(ok[i], ov[i]);
  }
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> vals_;
  size_t mask_ = 0;
  size_t count_ = 0;
};

inline uint64_t pair_key(uint32_t a, uint32_t b) { return (static_cast<uint64_t>(a) << 32) | b; }

}  // namespace leanbatch::host::detail
