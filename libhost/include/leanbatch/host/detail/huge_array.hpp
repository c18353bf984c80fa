#pragma once
// Large flat arrays backed by anonymous mmap with transparent huge pages requested: the
// hash-consing index and the node arena are accessed at random, and 2 MiB pages cut the
// TLB misses that dominate inserting millions of nodes (speed only).
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
  }

  /// Zero-initialised storage for n elements (T must be trivially constructible). Huge
  /// pages are requested only when asked for: a small table should not commit 2 MiB.
  void allocate(size_t n, bool huge = true) {
    release();
    size_ = n;
    bytes_ = huge ? (n * sizeof(T) + kHuge - 1) / kHuge * kHuge : (n * sizeof(T) + 4095) / 4096 * 4096;
    if (bytes_ == 0) return;
    void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    if (huge) ::madvise(p, bytes_, MADV_HUGEPAGE);
    data_ = static_cast<T*>(p);
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
  T* data_ = nullptr;
  size_t size_ = 0;
  size_t bytes_ = 0;
};

}  // namespace leanbatch::host::detail
