#pragma once
// Private building blocks of the TermStore: a chunked arena (stable addresses, no copy on
// growth, cheap truncation) and an open-addressing index of ids keyed by a 32-bit hash.
//
// An InternTable has two regions. The persistent region holds what the export reader
// interned. While a declaration is checked, the table is in "scratch" mode: new nodes are
// appended after a watermark and indexed separately, and drop_scratch() forgets all of them
// at once. That keeps memory bounded by the work of one declaration without reference
// counting (Lean's kernel likewise starts a fresh type checker per declaration).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "leanbatch/host/detail/huge_array.hpp"
#include "leanbatch/host/ids.hpp"

namespace leanbatch::host::detail {

/// Chunk size (log2 of elements) for a ChunkedVector of T: at least 2^16 elements, and a
/// whole number of 2 MiB (so that chunks could be backed by huge pages without waste).
template <size_t Size>
constexpr unsigned chunk_bits_for() {
  unsigned b = 16;
  while (b < 21 && ((size_t{1} << b) * Size) % (size_t{2} << 20) != 0) ++b;
  return b;
}

template <class T, unsigned ChunkBits = chunk_bits_for<sizeof(T)>()>
class ChunkedVector {
 public:
  static constexpr uint32_t kChunk = 1u << ChunkBits;
  static constexpr uint32_t kMask = kChunk - 1;

  uint32_t size() const { return size_; }
  const T& operator[](uint32_t i) const { return chunks_[i >> ChunkBits][i & kMask]; }
  T& operator[](uint32_t i) { return chunks_[i >> ChunkBits][i & kMask]; }

  uint32_t push_back(const T& v) {
    // Ordinary pages, committed only when first written (a fresh chunk costs address space
    // only). Not huge pages: nodes are written in order and read mostly near the newest, so
    // they gain little from fewer TLB misses, while a fresh huge page costs several times
    // more to fault in than 512 small ones on virtual machines (measured: 0.4-0.7 GB/s
    // against 2-2.7 GB/s), which dominated reading big exports (speed only).
    // Soundness: ids are 32-bit and "same id" means "same node"; a wrapped id would alias
    // node 0 (the counterpart of Lean's reference-count overflow fixes, #14838/#15289). A
    // full table is a resource limit, reported like running out of memory.
    if (size_ >= limit_) throw std::bad_alloc();
    if ((size_ >> ChunkBits) >= chunks_.size()) chunks_.emplace_back(kChunk, false);
    (*this)[size_] = v;
    return size_++;
  }
  /// Test-only: a smaller ceiling than the id space, to exercise the full-table path.
  void set_limit_for_test(uint32_t n) { limit_ = n; }
  /// Drops elements [n, size); frees whole chunks that are no longer used.
  void truncate(uint32_t n) {
    if (n >= size_) return;
    size_ = n;
    size_t keep = (static_cast<size_t>(n) + kMask) >> ChunkBits;
    // Keep one spare chunk to avoid thrashing when scratch work is small and repeated.
    if (chunks_.size() > keep + 1) chunks_.resize(keep + 1);
  }
  /// Bytes of one whole chunk (a multiple of 2 MiB).
  static constexpr size_t kChunkBytes = size_t{kChunk} * sizeof(T);
  /// Elements [i * kChunk, …) of chunk i (for writing an image).
  const T* chunk(uint32_t i) const { return chunks_[i].data(); }
  uint32_t chunks() const { return static_cast<uint32_t>(chunks_.size()); }
  /// Replaces the contents by `n` elements stored in file `fd` from `offset`, chunk after
  /// chunk, each chunk a whole kChunkBytes of the file (mapped copy-on-write, see
  /// HugeArray::map_file). False when a mapping fails (the vector is then empty).
  bool adopt_file(int fd, uint64_t offset, uint32_t n) {
    chunks_.clear();
    size_ = 0;
    uint32_t count = (n + kMask) >> ChunkBits;
    for (uint32_t i = 0; i < count; ++i) {
      HugeArray<T> a;
      if (!a.map_file(fd, offset + uint64_t{i} * kChunkBytes, kChunk, kChunkBytes)) {
        chunks_.clear();
        return false;
      }
      chunks_.push_back(std::move(a));
    }
    size_ = n;
    return true;
  }
  /// Bytes of the chunks in use, rounded to whole pages (untouched tails are not counted).
  size_t bytes() const {
    size_t used = static_cast<size_t>(size_) * sizeof(T);
    return (used + 4095) / 4096 * 4096;
  }

 private:
  std::vector<HugeArray<T>> chunks_;
  uint32_t size_ = 0;
  uint32_t limit_ = kNoId - 1;  // ids stay below kNoId (the "no node" marker)
};

/// Open-addressing hash index from 32-bit hashes to ids. Each slot packs (hash << 32 | id+1)
/// so that probing compares hashes without touching the nodes; 0 is the empty slot, so a
/// fresh table is just zero pages (no initialisation pass). The capacity is any number of
/// 8-slot buckets (one cache line each); a hash's home is the start of bucket
/// hash * buckets >> 32, and probing is linear from there (wrapping). Starting at a line
/// boundary keeps most probes inside the one line that prefetch() brought in.
class IdIndex {
 public:
  static constexpr size_t kBucket = 8;

  /// A `logged` index remembers which slots it wrote, so that clear() costs the number of
  /// entries rather than the capacity (the scratch index is cleared after every declaration).
  explicit IdIndex(size_t initial = 1024, bool logged = false) : logged_(logged) { reset(initial); }

  void reset(size_t capacity) {
    alloc(buckets_for(capacity));
    count_ = 0;
    log_.clear();
  }
  /// Forgets every entry, keeping the capacity.
  void clear() {
    uint64_t* slots = data();
    if (logged_ && log_.size() * 8 < cap_) {
      for (uint32_t i : log_) slots[i] = 0;
    } else {
      std::fill(slots, slots + cap_, uint64_t{0});
    }
    count_ = 0;
    log_.clear();
  }
  /// Makes room for `n` entries without rehashing (speed only). When the table has to grow
  /// for that, it is sized for a load of 2/3 at `n` entries.
  void reserve(size_t n) {
    if (n * 4 <= cap_ * 3) return;
    rehash(buckets_for(n + n / 2));
  }
  size_t count() const { return count_; }
  size_t bytes() const { return cap_ * sizeof(uint64_t); }

  // ---- images (export_image; the slots are position independent: hash and id) ----
  const uint64_t* slot_data() const { return data(); }
  size_t capacity() const { return cap_; }
  size_t buckets() const { return nbuckets_; }
  /// A copy with room for `n` entries at a load of at most 2/3 (or this one's capacity,
  /// whichever is larger).
  IdIndex with_room(size_t n) const {
    IdIndex out(kBucket, logged_);
    size_t buckets = std::max(nbuckets_, buckets_for(n + n / 2));
    out.alloc(buckets);
    const uint64_t* old = data();
    for (size_t i = 0; i < cap_; ++i)
      if (old[i] != 0) out.place(old[i]);
    out.log_.clear();
    out.count_ = count_;
    return out;
  }
  /// Replaces the contents by a copy of `slots` (nbuckets * kBucket of them, `count` used).
  void load_copy(const uint64_t* slots, size_t nbuckets, size_t count) {
    alloc(nbuckets);
    std::memcpy(data(), slots, cap_ * sizeof(uint64_t));
    count_ = count;
    log_.clear();
  }
  /// Replaces the contents by the slots stored in file `fd` at `offset` (page aligned,
  /// `bytes` a page multiple covering nbuckets * kBucket slots), mapped copy-on-write.
  bool adopt_file(int fd, uint64_t offset, size_t nbuckets, size_t count, size_t bytes) {
    if (!slots_.map_file(fd, offset, nbuckets * kBucket, bytes)) return false;
    std::vector<uint64_t>().swap(small_);
    nbuckets_ = nbuckets;
    cap_ = nbuckets * kBucket;
    count_ = count;
    log_.clear();
    return true;
  }

  /// Brings the home line of `hash` into the cache ahead of a find_or_insert (speed only).
  void prefetch(uint32_t hash) const { __builtin_prefetch(data() + home(hash), 1, 3); }

  /// Returns the id whose slot hash equals `hash` and for which eq(id) holds, or kNoId.
  template <class Eq>
  uint32_t find(uint32_t hash, Eq&& eq) const {
    const uint64_t* slots = data();
    size_t i = home(hash);
    for (;;) {
      uint64_t s = slots[i];
      if (s == 0) return kNoId;
      if (static_cast<uint32_t>(s >> 32) == hash) {
        uint32_t id = static_cast<uint32_t>(s) - 1;
        if (eq(id)) return id;
      }
      if (++i == cap_) i = 0;
    }
  }

  /// find(); when absent, inserts the id returned by make() where the probe stopped.
  template <class Eq, class Make>
  uint32_t find_or_insert(uint32_t hash, Eq&& eq, Make&& make) {
    if ((count_ + 1) * 4 > cap_ * 3) rehash(nbuckets_ * 2);
    uint64_t* slots = data();
    size_t i = home(hash);
    for (;;) {
      uint64_t s = slots[i];
      if (s == 0) {
        uint32_t id = make();
        slots[i] = key(hash, id);
        if (logged_) log_.push_back(static_cast<uint32_t>(i));
        ++count_;
        return id;
      }
      if (static_cast<uint32_t>(s >> 32) == hash) {
        uint32_t id = static_cast<uint32_t>(s) - 1;
        if (eq(id)) return id;
      }
      if (++i == cap_) i = 0;
    }
  }

 private:
  static uint64_t key(uint32_t hash, uint32_t id) { return (static_cast<uint64_t>(hash) << 32) | (id + 1ull); }
  static size_t buckets_for(size_t slots) { return std::max<size_t>(2, (slots + kBucket - 1) / kBucket); }
  size_t home(uint32_t hash) const { return ((static_cast<uint64_t>(hash) * nbuckets_) >> 32) * kBucket; }
  void place(uint64_t k) {
    uint64_t* slots = data();
    size_t i = home(static_cast<uint32_t>(k >> 32));
    while (slots[i] != 0)
      if (++i == cap_) i = 0;
    slots[i] = k;
    if (logged_) log_.push_back(static_cast<uint32_t>(i));
  }
  void alloc(size_t nbuckets) {
    size_t cap = nbuckets * kBucket;
    if (cap * sizeof(uint64_t) >= HugeArray<uint64_t>::kHuge) {
      slots_.allocate(cap);  // zero pages
      std::vector<uint64_t>().swap(small_);
    } else {
      small_.assign(cap, 0);
      slots_.release();
    }
    nbuckets_ = nbuckets;
    cap_ = cap;
  }
  uint64_t* data() { return slots_.data() ? slots_.data() : small_.data(); }
  const uint64_t* data() const { return slots_.data() ? slots_.data() : small_.data(); }
  void rehash(size_t nbuckets) {
    HugeArray<uint64_t> old_big;
    std::vector<uint64_t> old_small;
    old_big.swap(slots_);
    old_small.swap(small_);
    size_t old_cap = cap_;
    const uint64_t* old = old_big.data() ? old_big.data() : old_small.data();
    alloc(nbuckets);
    log_.clear();
    for (size_t i = 0; i < old_cap; ++i)
      if (old[i] != 0) place(old[i]);
  }

  // Large tables live in huge-page backed memory, small ones in a vector.
  HugeArray<uint64_t> slots_;
  std::vector<uint64_t> small_;
  size_t nbuckets_ = 0;
  size_t cap_ = 0;
  size_t count_ = 0;
  bool logged_ = false;
  std::vector<uint32_t> log_;  // slots written since the last clear (logged indexes only)
};

/// Hash-consing table with a persistent and a scratch region (see file comment).
/// Node must have a `uint32_t hash` member.
template <class Node>
class InternTable {
 public:
  explicit InternTable(size_t initial = 1024) : persistent_(initial), scratch_(kScratchSlots, true) {}

  uint32_t size() const { return nodes_.size(); }
  const Node& operator[](uint32_t id) const { return nodes_[id]; }
  /// Mutable access, only for filling in payload pointers of a node just interned.
  Node& at(uint32_t id) { return nodes_[id]; }

  /// Interns `n` (whose hash is already set); `same(existing)` decides structural equality.
  /// `maybe_persistent = false` promises that `n` refers to a scratch node, so no persistent
  /// node can equal it (persistent nodes are made outside scratch mode and never refer to
  /// scratch ones, which drop_scratch() forgets): the persistent probe, a likely cache miss
  /// on a big table, is skipped. Speed only: a wrong `false` would only duplicate a node.
  template <class Same>
  uint32_t intern(const Node& n, Same&& same, bool maybe_persistent = true) {
    auto eq = [&](uint32_t id) { return same(nodes_[id]); };
    auto push = [&] { return nodes_.push_back(n); };
    if (!scratch_active_) return persistent_.find_or_insert(n.hash, eq, push);
    if (maybe_persistent) {
      uint32_t id = persistent_.find(n.hash, eq);
      if (id != kNoId) return id;
    }
    return scratch_.find_or_insert(n.hash, eq, push);
  }
  /// Brings the index line for `hash` into the cache ahead of intern() (speed only).
  void prefetch(uint32_t hash) const { persistent_.prefetch(hash); }

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
    // Keep the scratch index's capacity for the next declaration unless one big declaration
    // grew it past 1 MiB (speed only: no regrowth from a tiny table every time).
    if (scratch_.bytes() > (1u << 20)) scratch_.reset(kScratchSlots);
    else if (scratch_.count() > 0) scratch_.clear();
    scratch_active_ = false;
  }
  bool scratch_active() const { return scratch_active_; }

  // ---- images (export_image; only outside scratch mode) ----
  const ChunkedVector<Node>& nodes() const { return nodes_; }
  const IdIndex& index() const { return persistent_; }
  /// Replaces the persistent region by copies of `nodes` and of an index's slots.
  void load_copy(const Node* nodes, uint32_t n, const uint64_t* slots, size_t nbuckets, size_t count) {
    nodes_ = ChunkedVector<Node>();
    for (uint32_t i = 0; i < n; ++i) nodes_.push_back(nodes[i]);
    persistent_.load_copy(slots, nbuckets, count);
  }
  /// Replaces the persistent region by nodes and index slots mapped from file `fd`.
  bool adopt_file(int fd, uint64_t nodes_offset, uint32_t n, uint64_t slots_offset, size_t nbuckets, size_t count,
                  size_t slots_bytes) {
    return nodes_.adopt_file(fd, nodes_offset, n) &&
           persistent_.adopt_file(fd, slots_offset, nbuckets, count, slots_bytes);
  }
  /// Room for `n` more persistent nodes without rehashing (speed only).
  void reserve(size_t n) { persistent_.reserve(persistent_.count() + n); }
  uint32_t watermark() const { return scratch_active_ ? watermark_ : nodes_.size(); }
  size_t bytes() const { return nodes_.bytes() + persistent_.bytes() + scratch_.bytes(); }

 private:
  static constexpr size_t kScratchSlots = 4096;
  ChunkedVector<Node> nodes_;
  IdIndex persistent_;
  IdIndex scratch_;
  bool scratch_active_ = false;
  uint32_t watermark_ = 0;
};

}  // namespace leanbatch::host::detail
