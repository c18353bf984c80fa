// Prefix reuse, the reader's side (trail.hpp explains why a seeded read equals a full one):
// recording checkpoints while reading, and starting a read from another read's checkpoint.
#include <unistd.h>

#include <algorithm>

#include <cerrno>
#include <cstring>
#include <memory>

#include "leanbatch/host/internal_error.hpp"
#include "reader.hpp"

namespace leanbatch::host::reader_detail {

bool store_has_room(const Environment& from) {
  return from.trail && from.store().expr_count() <= 2 * static_cast<uint64_t>(from.trail->expr_lines) + 4096;
}

std::optional<size_t> match_prefix(int fd, uint64_t size, const Environment& from, uint64_t bytes_max) {
  const ReadTrail* t = from.trail.get();
  if (!t || t->checkpoints.empty()) return std::nullopt;
  // Both files compared the same way: bytes when both are small enough to keep them.
  if (t->has_bytes != (size <= bytes_max)) return std::nullopt;
  // Read with pread, not mapped: a file truncated meanwhile must be a short read, not a
  // SIGBUS.
  SHA256_CTX mine;
  if (!t->has_bytes) SHA256_Init(&mine);
  constexpr size_t kBlock = 1u << 20;
  std::unique_ptr<char[]> buf(new char[kBlock]);
  uint64_t buf_at = 0, buf_len = 0;  // the file's bytes [buf_at, buf_at + buf_len) are in buf
  uint64_t done = 0;  // bytes of this file found equal (bytes) or hashed (SHA-256)
  std::optional<size_t> best;
  for (size_t k = 0; k < t->checkpoints.size(); ++k) {
    const ReadCheckpoint& cp = t->checkpoints[k];
    if (cp.offset > size) break;
    while (done < cp.offset) {
      if (done == buf_at + buf_len) {  // read the next block, whole (not checkpoint by checkpoint)
        ssize_t n = ::pread(fd, buf.get(), kBlock, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return best;  // a short or failed read: share what matched so far
        buf_at = done;
        buf_len = static_cast<uint64_t>(n);
      }
      const char* p = buf.get() + (done - buf_at);
      size_t len = static_cast<size_t>(std::min(cp.offset, buf_at + buf_len) - done);
      if (t->has_bytes) {
        if (done + len > t->bytes.size() || std::memcmp(p, t->bytes.data() + done, len) != 0)
          return best;  // differs before this checkpoint
      } else {
        SHA256_Update(&mine, p, len);
      }
      done += len;
    }
    if (!t->has_bytes) {
      unsigned char a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];
      SHA256_CTX x = mine, y = cp.sha;
      SHA256_Final(a, &x);
      SHA256_Final(b, &y);
      if (std::memcmp(a, b, sizeof a) != 0) break;
    }
    best = k;
  }
  return best;
}

void Reader::start_trail() {
  trail_ = std::make_shared<ReadTrail>();
  trail_->has_bytes = size_hint_ > 0 && size_hint_ <= opts_.trail_bytes_max;
  if (trail_->has_bytes) trail_->bytes.reserve(size_hint_);
  SHA256_Init(&sha_);
  hashed_ = 0;
  next_checkpoint_ = 0;
}

void Reader::hash_to(const ChunkSource::Chunk& c, uint64_t end) {
  // Chunks are consecutive and every chunk's tail is hashed before the next one is taken,
  // so [hashed_, end) lies in `c`.
  if (end <= hashed_) return;
  if (hashed_ < c.offset || end > c.offset + c.len) throw InternalError("prefix trail: bytes hashed out of order");
  if (trail_->has_bytes)
    trail_->bytes.append(c.data + (hashed_ - c.offset), end - hashed_);
  else
    SHA256_Update(&sha_, c.data + (hashed_ - c.offset), end - hashed_);
  hashed_ = end;
}

void Reader::take_checkpoint(const ChunkSource::Chunk& c) {
  if (!seen_meta_ || failed_) return;
  // Only where each family's ids defined so far are exactly 0..n-1 (trail.hpp); otherwise
  // try again at the next line.
  if (!names_.dense_from_zero() || !levels_.dense_from_zero() || !exprs_.dense_from_zero()) {
    next_checkpoint_ = offset_ + 1;
    return;
  }
  hash_to(c, offset_);
  ReadCheckpoint cp;
  cp.offset = offset_;
  cp.lines = line_ - 1;
  cp.names = static_cast<uint32_t>(names_.count());
  cp.levels = static_cast<uint32_t>(levels_.count());
  cp.exprs = static_cast<uint32_t>(exprs_.count());
  // Fast-path declarations still waiting for the pipeline come before this line too; each
  // has exactly one constant.
  const size_t waiting = decl_q_.size() - decl_head_;
  cp.decls = static_cast<uint32_t>(env_.declarations().size() + waiting);
  cp.consts = static_cast<uint32_t>(env_.constants().size() + waiting);
  cp.stats = env_.stats;
  cp.stats.lines = cp.lines;
  cp.stats.bytes = offset_;
  cp.sha = sha_;
  trail_->checkpoints.push_back(cp);
  next_checkpoint_ = offset_ + kCheckpointBytes;
}

void Reader::finish_trail() {
  auto dump = [](const IdMap& m, std::vector<uint32_t>& out) {
    out.resize(m.count());
    for (uint32_t i = 0; i < out.size(); ++i) out[i] = m.get(i);
  };
  dump(names_, trail_->names);
  dump(levels_, trail_->levels);
  dump(exprs_, trail_->exprs);
  trail_->v30 = v30_;
  trail_->expr_lines = static_cast<uint32_t>(env_.stats.expr_lines);
  env_.trail = std::move(trail_);
}

void Reader::seed(const Environment& from, const ReadTrail& t, size_t k) {
  const ReadCheckpoint& cp = t.checkpoints.at(k);
  if (&from.store() != &st_ || cp.names > t.names.size() || cp.levels > t.levels.size() || cp.exprs > t.exprs.size() ||
      cp.decls > from.declarations().size())
    throw InternalError("prefix reuse: a checkpoint that does not fit its own read");
  // Ids 0 of names and levels are predefined (the constructor set them).
  for (uint32_t i = 1; i < cp.names; ++i) names_.set(i, t.names[i]);
  for (uint32_t i = 1; i < cp.levels; ++i) levels_.set(i, t.levels[i]);
  for (uint32_t i = 0; i < cp.exprs; ++i) exprs_.set(i, t.exprs[i]);
  std::vector<ConstantInfo> consts;
  for (uint32_t d = 0; d < cp.decls; ++d) {
    const Declaration& decl = from.declaration(d);
    consts.assign(from.constants().begin() + decl.first_const,
                  from.constants().begin() + decl.first_const + decl.num_consts);
    env_.add(decl, std::span<ConstantInfo>(consts));
  }
  if (env_.constants().size() != cp.consts) throw InternalError("prefix reuse: constant count differs from the checkpoint");
  env_.meta = from.meta;
  env_.stats = cp.stats;
  env_.seeded_decls = cp.decls;
  seen_meta_ = true;
  v30_ = t.v30;
  lines_ = cp.lines;
  bytes_ = cp.offset;
  if (trail_) {  // this read's own trail continues the other one's
    if (trail_->has_bytes != t.has_bytes) throw InternalError("prefix reuse: trails of two kinds");
    trail_->checkpoints.assign(t.checkpoints.begin(), t.checkpoints.begin() + static_cast<std::ptrdiff_t>(k) + 1);
    if (t.has_bytes) trail_->bytes.assign(t.bytes, 0, static_cast<size_t>(cp.offset));
    sha_ = cp.sha;
    hashed_ = cp.offset;
    next_checkpoint_ = cp.offset + kCheckpointBytes;
  }
}

}  // namespace leanbatch::host::reader_detail
