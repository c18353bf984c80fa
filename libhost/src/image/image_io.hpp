#pragma once
// Writing and viewing image sections (private to src/image/).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "image_format.hpp"

namespace leanbatch::host::image {

/// Appends page-aligned, checksummed sections to a file opened for writing. Page 0 is left
/// for the header (image_file.cpp). After the first failure every call returns false and
/// `error` says what failed.
class SectionWriter {
 public:
  explicit SectionWriter(int fd) : fd_(fd) { state_ = XXH3_createState(); }
  ~SectionWriter() { XXH3_freeState(state_); }
  SectionWriter(const SectionWriter&) = delete;
  SectionWriter& operator=(const SectionWriter&) = delete;

  /// A whole section at once.
  bool add(uint32_t id, const void* data, uint64_t bytes, uint64_t count, uint64_t aux0 = 0, uint64_t aux1 = 0) {
    return begin(id) && append(data, bytes) && end(count, 0, aux0, aux1);
  }
  /// A section written in pieces; `reserve` is the least number of file bytes it occupies
  /// (the rest past the payload is a hole).
  bool begin(uint32_t id) {
    if (!error.empty()) return false;
    if (sections.size() >= kMaxSections) return fail("too many sections");
    cur_ = SectionEntry{};
    cur_.id = id;
    cur_.offset = round_up(pos_, kPage);
    pos_ = cur_.offset;
    XXH3_64bits_reset(state_);
    return true;
  }
  bool append(const void* data, uint64_t bytes) {
    if (!error.empty()) return false;
    const char* p = static_cast<const char*>(data);
    uint64_t left = bytes;
    while (left > 0) {
      ssize_t w = ::pwrite(fd_, p, left, static_cast<off_t>(pos_));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return fail(std::string("cannot write: ") + std::strerror(errno));
      p += w;
      pos_ += static_cast<uint64_t>(w);
      left -= static_cast<uint64_t>(w);
    }
    XXH3_64bits_update(state_, data, bytes);
    cur_.bytes += bytes;
    return true;
  }
  /// Moves the write position (a hole) to `offset` from the section start.
  bool skip_to(uint64_t offset) {
    if (!error.empty()) return false;
    pos_ = cur_.offset + offset;
    return true;
  }
  bool end(uint64_t count, uint64_t reserve, uint64_t aux0 = 0, uint64_t aux1 = 0) {
    if (!error.empty()) return false;
    cur_.count = count;
    cur_.aux0 = aux0;
    cur_.aux1 = aux1;
    cur_.checksum = XXH3_64bits_digest(state_);
    cur_.reserved = round_up(std::max(reserve, pos_ - cur_.offset), kPage);
    pos_ = cur_.offset + cur_.reserved;
    sections.push_back(cur_);
    return true;
  }
  /// Bytes of the whole file so far (the last section's reservation included).
  uint64_t size() const { return round_up(pos_, kPage); }

  std::vector<SectionEntry> sections;
  std::string error;

 private:
  bool fail(std::string why) {
    if (error.empty()) error = std::move(why);
    return false;
  }
  int fd_;
  uint64_t pos_ = kPage;
  SectionEntry cur_;
  XXH3_state_t* state_ = nullptr;
};

/// A complete image mapped read-only, header and sections validated (image_file.cpp).
struct ImageView {
  const uint8_t* base = nullptr;
  uint64_t size = 0;
  const Header* header = nullptr;
  int fd = -1;  ///< the image file, for the copy-on-write mappings of the big tables

  const SectionEntry* find(uint32_t id) const {
    for (uint32_t i = 0; i < header->nsections; ++i)
      if (header->sections[i].id == id) return &header->sections[i];
    return nullptr;
  }
  template <class T>
  const T* data(const SectionEntry& s) const {
    return reinterpret_cast<const T*>(base + s.offset);
  }
};

}  // namespace leanbatch::host::image
