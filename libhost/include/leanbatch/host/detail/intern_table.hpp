#pragma once
// Private building blocks of the TermStore: a chunked arena (stable addresses, no copy on
// growth, cheap truncation) and an open-addressing index of ids keyed by a 32-bit hash.
//
// An InternTable has two regions. The persistent region holds what the export reader
// interned. While a declaration is checked, the table is in "scratch" mode: new nodes are
// appended after a watermark and indexed separately, and drop_scratch() forgets all of them
// at once. That keeps memory bounded by the work of one declaration without reference
// counting (Lean's kernel likewise starts a fresh type checker per declaration).
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "leanbatch/host/detail/huge_array.hpp"
#include "leanbatch/host/ids.hpp"

namespace leanbatch::host::detail {

template <class T, unsigned ChunkBits = 16>
class ChunkedVector {
 public:
  static constexpr uint32_t kChunk = 1u << ChunkBits;
  static constexpr uint32_t kMask = kChunk - 1;

  uint32_t size() const { return size_; }
  const T& operator[](uint32_t i) const { return chunks_[i >> ChunkBits][i & kMask]; }
  T& operator[](uint32_t i) { return chunks_[i >> ChunkBits][i & kMask]; }

  uint32_t push_back(const T& v) {
    // The first chunk uses ordinary pages; later ones (a big table) huge pages.
    if ((size_ >> ChunkBits) >= chunks_.size()) chunks_.emplace_back(kChunk, !chunks_.empty());
    (*this)[size_] = v;
    return size_++;
  }
  /// Drops elements [n, size); frees whole chunks that are no longer used.
  void truncate(uint32_t n) {
    if (n >= size_) return;
    size_ = n;
    size_t keep = (static_cast<size_t>(n) + kMask) >> ChunkBits;
    // Keep one spare chunk to avoid thrashing when scratch work is small and repeated.
    if (chunks_.size() > keep + 1) chunks_.resize(keep + 1);
  }
  size_t bytes() const { return chunks_.size() * sizeof(T) * kChunk; }

 private:
  std::vector<HugeArray<T>> chunks_;
  uint32_t size_ = 0;
};

/// Open-addressing hash index from 32-bit hashes to ids. Each slot packs (hash << 32 | id)
/// so that probing compares hashes without touching the nodes.
class IdIndex {
 public:
  static constexpr uint64_t kEmpty = ~0ull;

  explicit IdIndex(size_t initial = 1024) { reset(initial); }

  void reset(size_t capacity) {
    size_t cap = 16;
    while (cap < capacity) cap <<= 1;
    alloc(cap);
    count_ = 0;
  }
  /// Makes room for `n` entries without rehashing (speed only).
  void reserve(size_t n) {
    size_t need = n * 10 / 7 + 16;
    if (need <= cap_) return;
    size_t cap = cap_;
    while (cap < need) cap <<= 1;
    rehash(cap);
  }
  size_t count() const { return count_; }
  size_t bytes() const { return cap_ * sizeof(uint64_t); }

  /// Returns the id whose slot hash equals `hash` and for which eq(id) holds, or kNoId.
  template <class Eq>
  uint32_t find(uint32_t hash, Eq&& eq) const {
    size_t i = spread(hash) & mask_;
    const uint64_t* slots = data();
    for (;;) {
      uint64_t s = slots[i];
      if (s == kEmpty) return kNoId;
      if (static_cast<uint32_t>(s >> 32) == hash && eq(static_cast<uint32_t>(s))) return static_cast<uint32_t>(s);
      i = (i + 1) & mask_;
    }
  }

  void insert(uint32_t hash, uint32_t id) {
    if ((count_ + 1) * 10 > cap_ * 7) rehash(cap_ * 2);
    place(hash, id);
    ++count_;
  }

 private:
  static size_t spread(uint32_t h) { return h; }  // hashes are already mixed
  void place(uint32_t hash, uint32_t id) {
    uint64_t* slots = data();
    size_t i = spread(hash) & mask_;
    while (slots[i] != kEmpty) i = (i + 1) & mask_;
    slots[i] = (static_cast<uint64_t>(hash) << 32) | id;
  }
  void alloc(size_t cap) {
    if (cap * sizeof(uint64_t) >= HugeArray<uint64_t>::kHuge) {
      slots_.allocate(cap);
      std::vector<uint64_t>().swap(small_);
    } else {
      small_.assign(cap, 0);
      slots_.release();
    }
    uint64_t* d = data();
    std::memset(static_cast<void*>(d), 0xFF, cap * sizeof(uint64_t));
    cap_ = cap;
    mask_ = cap - 1;
  }
  uint64_t* data() { return slots_.data() ? slots_.data() : small_.data(); }
  const uint64_t* data() const { return slots_.data() ? slots_.data() : small_.data(); }
  void rehash(size_t cap) {
    HugeArray<uint64_t> old_big;
    std::vector<uint64_t> old_small;
    old_big.swap(slots_);
    old_small.swap(small_);
    size_t old_cap = cap_;
    const uint64_t* old = old_big.data() ? old_big.data() : old_small.data();
    alloc(cap);
    for (size_t i = 0; i < old_cap; ++i)
      if (old[i] != kEmpty) place(static_cast<uint32_t>(old[i] >> 32), static_cast<uint32_t>(old[i]));
  }

  // Large tables live in huge-page backed memory, small ones in a vector.
  HugeArray<uint64_t> slots_;
  std::vector<uint64_t> small_;
  size_t cap_ = 0;
  size_t mask_ = 0;
  size_t count_ = 0;
};

/// Hash-consing table with a persistent and a scratch region (see file comment).
/// Node must have a `uint32_t hash` member.
template <class Node>
class InternTable {
 public:
  explicit InternTable(size_t initial = 1024) : persistent_(initial), scratch_(64) {}

  uint32_t size() const { return nodes_.size(); }
  const Node& operator[](uint32_t id) const { return nodes_[id]; }
  /// Mutable access, only for filling in payload pointers of a node just interned.
  Node& at(uint32_t id) { return nodes_[id]; }

  /// Interns `n` (whose hash is already set); `same(existing)` decides structural equality.
  template <class Same>
  uint32_t intern(const Node& n, Same&& same) {
    auto eq = [&](uint32_t id) { return same(nodes_[id]); };
    uint32_t id = persistent_.find(n.hash, eq);
    if (id != kNoId) return id;
    if (scratch_active_) {
      id = scratch_.find(n.hash, eq);
      if (id != kNoId) return id;
      id = nodes_.push_back(n);
      scratch_.insert(n.hash, id);
      return id;
    }
    id = nodes_.push_back(n);
    persistent_.insert(n.hash, id);
    return id;
  }

  /// Appends without interning (used for nodes that must be distinct, e.g. nothing today,
  /// kept for tables whose payload lives elsewhere).
  uint32_t append(const Node& n) { return nodes_.push_back(n); }

  void begin_scratch() {
    if (scratch_active_) return;
    scratch_active_ = true;
    watermark_ = nodes_.size();
  }
  void drop_scratch() {
    if (!scratch_active_) return;
    nodes_.truncate(watermark_);
    if (scratch_.count() > 0 || scratch_.bytes() > (1u << 20)) scratch_.reset(64);
    scratch_active_ = false;
  }
  bool scratch_active() const { return scratch_active_; }
  /// Room for `n` more persistent nodes without rehashing (speed only).
  void reserve(size_t n) { persistent_.reserve(persistent_.count() + n); }
  uint32_t watermark() const { return scratch_active_ ? watermark_ : nodes_.size(); }
  size_t bytes() const { return nodes_.bytes() + persistent_.bytes() + scratch_.bytes(); }

 private:
  ChunkedVector<Node> nodes_;
  IdIndex persistent_;
  IdIndex scratch_;
  bool scratch_active_ = false;
  uint32_t watermark_ = 0;
};

}  // namespace leanbatch::host::detail
