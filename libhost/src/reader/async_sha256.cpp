// AsyncSha256 (async_sha256.hpp): a FIFO of chunk copies hashed in order by one thread.
#include "async_sha256.hpp"

#include <openssl/evp.h>

#include <system_error>

namespace leanbatch::host::reader_detail {

namespace {
// Bytes queued before update() waits for the hashing thread (it hashes several times faster
// than the reader parses, so this bounds memory only if that ever stops being true).
constexpr size_t kMaxQueued = size_t{64} << 20;
}  // namespace

AsyncSha256::AsyncSha256(uint64_t expected_bytes, uint64_t thread_min) {
  ctx_ = EVP_MD_CTX_new();
  if (ctx_ && EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = nullptr;
  }
  if (!ctx_ || expected_bytes < thread_min) return;
  try {
    thread_ = std::thread([this] { run(); });
  } catch (const std::system_error&) {
    // No thread: hash inline (same digest).
  }
}

AsyncSha256::~AsyncSha256() {
  stop_thread();
  if (ctx_) EVP_MD_CTX_free(ctx_);
}

void AsyncSha256::stop_thread() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> g(m_);
    closing_ = true;
  }
  cv_.notify_all();
  thread_.join();  // it drains the queue before it returns
}

void AsyncSha256::update(const char* data, size_t n) {
  if (!ctx_ || n == 0) return;
  if (!thread_.joinable()) {
    failed_ |= EVP_DigestUpdate(ctx_, data, n) != 1;
    return;
  }
  std::string chunk(data, n);  // the reader reuses its buffer: the thread hashes a copy
  std::unique_lock<std::mutex> g(m_);
  cv_.wait(g, [&] { return queued_bytes_ < kMaxQueued; });
  queued_bytes_ += n;
  queue_.push_back(std::move(chunk));
  g.unlock();
  cv_.notify_all();
}

void AsyncSha256::run() {
  std::unique_lock<std::mutex> g(m_);
  for (;;) {
    cv_.wait(g, [&] { return closing_ || !queue_.empty(); });
    if (queue_.empty()) return;  // closing, and everything hashed
    std::string chunk = std::move(queue_.front());
    queue_.pop_front();
    g.unlock();
    const bool bad = EVP_DigestUpdate(ctx_, chunk.data(), chunk.size()) != 1;
    g.lock();
    failed_ |= bad;
    queued_bytes_ -= chunk.size();
    cv_.notify_all();
  }
}

std::optional<std::array<uint8_t, 32>> AsyncSha256::finish() {
  if (!ctx_) return std::nullopt;
  stop_thread();
  std::array<uint8_t, 32> d{};
  unsigned len = 0;
  if (failed_ || EVP_DigestFinal_ex(ctx_, d.data(), &len) != 1 || len != d.size()) return std::nullopt;
  return d;
}

}  // namespace leanbatch::host::reader_detail
