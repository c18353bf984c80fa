#pragma once
// SHA-256 of the bytes a reader consumes, computed on a second thread while it parses.
//
// Speed only: hashing a big export (0.57 s per GB) on the parsing thread put it on the
// critical path of every split or --cache load; a second core is usually idle while one
// worker parses (the other waits for its image). The digest is exactly SHA-256 of the bytes
// passed to update(), in the order passed: each chunk is copied into a FIFO queue and hashed
// in that order by one thread. Small inputs (and a thread that cannot be started) are hashed
// inline, with the same result.
#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

struct evp_md_ctx_st;

namespace leanbatch::host::reader_detail {

class AsyncSha256 {
 public:
  /// `expected_bytes`: the input's size if known (0: unknown); below `thread_min`, inline.
  AsyncSha256(uint64_t expected_bytes, uint64_t thread_min);
  ~AsyncSha256();
  AsyncSha256(const AsyncSha256&) = delete;
  AsyncSha256& operator=(const AsyncSha256&) = delete;

  bool ok() const { return ctx_ != nullptr; }
  void update(const char* data, size_t n);
  /// Waits for the queue to drain; the digest, or nullopt if hashing failed.
  std::optional<std::array<uint8_t, 32>> finish();

 private:
  void run();
  /// Lets the thread (if any) hash what is queued, and joins it.
  void stop_thread();

  evp_md_ctx_st* ctx_ = nullptr;
  bool failed_ = false;
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  bool closing_ = false;
  std::thread thread_;
};

}  // namespace leanbatch::host::reader_detail
