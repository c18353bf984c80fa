#pragma once
// ChunkSource: the export (a file descriptor or a buffer) in chunks of whole lines, each
// followed by simdjson padding. Internal to the export reader.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <simdjson.h>
#include <string>
#include <string_view>

namespace leanbatch::host::reader_detail {

inline constexpr size_t kPad = simdjson::SIMDJSON_PADDING;

// Chunk source: the file in chunks of whole lines, in a padded buffer of bounded size (it
// grows only when a single line is longer than the buffer).
/// Sees every byte a ChunkSource reads from a file, in file order (ReadOptions::hash_bytes).
struct ByteSink {
  void (*fn)(void* ctx, const char* data, size_t n) = nullptr;
  void* ctx = nullptr;
};

class ChunkSource {
 public:
  /// `start`: the byte offset to read from (prefix reuse starts after the shared prefix).
  ChunkSource(int fd, size_t cap, uint64_t start = 0, ByteSink sink = ByteSink()) : fd_(fd), offset_(start), sink_(sink) {
    alloc(cap);
    if (start > 0 && ::lseek(fd, static_cast<off_t>(start), SEEK_SET) < 0) start_error_ = std::strerror(errno);
  }
  explicit ChunkSource(std::string_view mem) : fd_(-1), eof_(true) {
    alloc(mem.size() + 1);
    std::memcpy(buf_.get(), mem.data(), mem.size());
    end_ = mem.size();
  }

  struct Chunk {
    const char* data;
    size_t len;       // whole lines (the last one may lack its newline at end of input)
    size_t cap;       // readable bytes from data (len + padding at least)
    uint64_t offset;  // file offset of data[0]
  };

  /// The next chunk, or false at end of input or on a read error (io_error set).
  bool next(Chunk& out, std::string& io_error) {
    if (!start_error_.empty()) {
      io_error = start_error_;
      return false;
    }
    // Drop the previous chunk, keep the partial line after it.
    if (taken_ > 0) {
      if (!carry_.empty()) {  // undo the padding written over the partial line
        std::memcpy(buf_.get() + taken_, carry_.data(), carry_.size());
        carry_.clear();
      }
      std::memmove(buf_.get(), buf_.get() + taken_, end_ - taken_);
      offset_ += taken_;
      end_ -= taken_;
      taken_ = 0;
    }
    for (;;) {
      if (eof_) {
        if (end_ == 0) return false;
        return emit(out, end_);
      }
      if (end_ > 0) {
        // Cut at the last newline once the buffer is reasonably full.
        if (end_ >= cap_ / 2) {
          const char* nl = static_cast<const char*>(memrchr(buf_.get(), '\n', end_));
          if (nl) return emit(out, static_cast<size_t>(nl - buf_.get()) + 1);
        }
      }
      if (end_ == cap_) grow();
      if (!fill(io_error)) return false;
    }
  }

 private:
  void alloc(size_t cap) {
    cap_ = std::max<size_t>(cap, 1024);
    buf_.reset(new char[cap_ + kPad]);
    std::memset(buf_.get(), 0, cap_ + kPad);
  }
  void grow() {
    std::unique_ptr<char[]> bigger(new char[cap_ * 2 + kPad]);
    std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    cap_ *= 2;
  }
  bool emit(Chunk& out, size_t len) {
    // simdjson may read up to kPad bytes past the end; keep them defined. The padding
    // overwrites the start of the partial line that follows: keep a copy to restore.
    if (len < end_) carry_.assign(buf_.get() + len, std::min(kPad, end_ - len));
    std::memset(buf_.get() + len, 0, std::min(kPad, cap_ + kPad - len));
    out = Chunk{buf_.get(), len, cap_ + kPad, offset_};
    taken_ = len;
    return true;
  }
  bool fill(std::string& io_error) {
    for (;;) {
      ssize_t n = ::read(fd_, buf_.get() + end_, cap_ - end_);
      if (n < 0) {
        if (errno == EINTR) continue;
        io_error = std::strerror(errno);
        return false;
      }
      if (n == 0) eof_ = true;
      if (sink_.fn && n > 0) sink_.fn(sink_.ctx, buf_.get() + end_, static_cast<size_t>(n));
      end_ += static_cast<size_t>(n);
      return true;
    }
  }

  int fd_;
  bool eof_ = false;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t end_ = 0;
  size_t taken_ = 0;
  uint64_t offset_ = 0;
  std::string carry_;
  std::string start_error_;
  ByteSink sink_;
};

}  // namespace leanbatch::host::reader_detail
