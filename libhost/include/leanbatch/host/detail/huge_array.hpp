#pragma once
// Large flat arrays backed by anonymous mmap: zero-filled, committed page by page on first
// touch (so a generous reservation costs address space only), growable in place with
// mremap (no copy, no double peak). Transparent huge pages can be requested for arrays that
// are accessed at random (speed only: fewer TLB misses).
#include <sys/mman.h>

#include <cstddef>
#include <cstring>
#include <new>
#include <utility>

namespace leanbatch::host::detail {

template <class T>
class HugeArray {
 public:
  static constexpr size_t kHuge = size_t{2} << 20;

  HugeArray() = default;
  explicit HugeArray(size_t n, bool huge = true) { allocate(n, huge); }
  ~HugeArray() { release(); }
  HugeArray(const HugeArray&) = delete;
  HugeArray& operator=(const HugeArray&) = delete;
  HugeArray(HugeArray&& o) noexcept { swap(o); }
  HugeArray& operator=(HugeArray&& o) noexcept {
    HugeArray tmp(std::move(o));
    swap(tmp);
    return *this;
  }
  void swap(HugeArray& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(bytes_, o.bytes_);
    std::swap(huge_, o.huge_);
  }

  /// Zero-initialised storage for n elements (T must be trivially constructible). Huge
  /// pages are requested only when asked for: a small table should not commit 2 MiB.
  void allocate(size_t n, bool huge = true) {
    release();
    size_ = n;
    huge_ = huge;
    bytes_ = round(n * sizeof(T), huge);
    if (bytes_ == 0) return;
    void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    advise(p, bytes_);
    data_ = static_cast<T*>(p);
  }
  /// Grows to n elements keeping the contents; the new tail is zero. May move the array.
  void grow(size_t n) {
    if (n <= size_) return;
    if (!data_) return allocate(n, huge_);
    size_t nb = round(n * sizeof(T), huge_);
    if (nb > bytes_) {
      void* p = ::mremap(data_, bytes_, nb, MREMAP_MAYMOVE);
      if (p == MAP_FAILED) throw std::bad_alloc();
      advise(p, nb);
      data_ = static_cast<T*>(p);
      bytes_ = nb;
    }
    size_ = n;
  }
  /// Maps `bytes` of file `fd` from `offset` (both page multiples) copy-on-write, as n
  /// elements: the pages stay shared with every other mapping of the file (the page cache
  /// holds one copy) until this process writes one. The file must extend over all `bytes`
  /// (sparse is fine): touching a page past its end would be SIGBUS. Never grown.
  bool map_file(int fd, uint64_t offset, size_t n, size_t bytes) {
    release();
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, static_cast<off_t>(offset));
    if (p == MAP_FAILED) return false;
    data_ = static_cast<T*>(p);
    size_ = n;
    bytes_ = bytes;
    huge_ = false;
    return true;
  }
  void release() {
    if (data_) ::munmap(data_, bytes_);
    data_ = nullptr;
    size_ = 0;
    bytes_ = 0;
  }
  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return size_; }
  size_t bytes() const { return bytes_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }

 private:
  static size_t round(size_t b, bool huge) {
    size_t unit = huge ? kHuge : 4096;
    return (b + unit - 1) / unit * unit;
  }
  void advise(void* p, size_t b) const {
    if (huge_) ::madvise(p, b, MADV_HUGEPAGE);
  }

  T* data_ = nullptr;
  size_t size_ = 0;
  size_t bytes_ = 0;
  bool huge_ = true;
};

}  // namespace leanbatch::host::detail
