// The export reader's entry points (read_export_file, read_export_buffer) and its error
// strings. The reader itself is in reader/ (reader.hpp first).
#include "leanbatch/host/export_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <new>

#include "file_identity.hpp"
#include "leanbatch/host/internal_error.hpp"
#include "reader/async_sha256.hpp"
#include "reader/reader.hpp"
#include "reader/trail.hpp"

namespace leanbatch::host {

const char* to_string(ReadErrorKind k) {
  switch (k) {
    case ReadErrorKind::Io: return "io";
    case ReadErrorKind::InvalidJson: return "invalid_json";
    case ReadErrorKind::MissingMeta: return "missing_meta";
    case ReadErrorKind::UnsupportedFormat: return "unsupported_format";
    case ReadErrorKind::MissingField: return "missing_field";
    case ReadErrorKind::WrongType: return "wrong_type";
    case ReadErrorKind::OutOfRange: return "out_of_range";
    case ReadErrorKind::UnknownKind: return "unknown_kind";
    case ReadErrorKind::UnknownKey: return "unknown_key";
    case ReadErrorKind::DuplicateKey: return "duplicate_key";
    case ReadErrorKind::DuplicateId: return "duplicate_id";
    case ReadErrorKind::ForwardReference: return "forward_reference";
    case ReadErrorKind::DanglingReference: return "dangling_reference";
    case ReadErrorKind::InvalidValue: return "invalid_value";
    case ReadErrorKind::Cancelled: return "cancelled";
    case ReadErrorKind::OutOfMemory: return "out_of_memory";
  }
  return "?";
}

std::string ReadError::describe() const {
  std::string s = "'" + file + "': ";
  if (line > 0) s += "line " + std::to_string(line) + " (byte " + std::to_string(offset) + "): ";
  return s + message;
}

namespace {

using reader_detail::ChunkSource;
using reader_detail::Reader;

// `seed_cp`: with a prefix match, the checkpoint of opts.prefix_from's trail to start from
// (the store is then prefix_from's, and `src` starts at the checkpoint).
ReadResult run_reader(ChunkSource& src, const std::string& label, std::shared_ptr<TermStore> store, const ReadOptions& opts,
                      uint64_t size_hint, std::optional<size_t> seed_cp = std::nullopt) {
  // Exceptions never cross the libhost API: running out of memory is a typed error.
  try {
    auto env = std::make_shared<Environment>(store);
    env->source = label;
    Reader reader(*store, *env, label, opts, size_hint);
    if (seed_cp) reader.seed(*opts.prefix_from, *opts.prefix_from->trail, *seed_cp);
    if (auto err = reader.run(src)) return std::unexpected(std::move(*err));
    return env;
  } catch (const std::bad_alloc&) {
    return std::unexpected(ReadError{ReadErrorKind::OutOfMemory, label, 0, 0, "out of memory while reading the export"});
  } catch (const InternalError& e) {
    return std::unexpected(ReadError{ReadErrorKind::Io, label, 0, 0, std::string("internal error: ") + e.what()});
  }
}

}  // namespace

ReadResult read_export_file(const std::string& path, std::shared_ptr<TermStore> store, const ReadOptions& opts) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(ReadError{ReadErrorKind::Io, path, 0, 0, std::string("cannot open: ") + std::strerror(errno)});
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat sb {};
  uint64_t size = ::fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 ? static_cast<uint64_t>(sb.st_size) : 0;
  // Prefix reuse (speed only; reader/trail.hpp): start after the bytes this file shares with
  // an export read before, in that export's store.
  // A file that shares a prefix with it but finds its store full is read on its own, and
  // says so (shared_prefix), so that the caller can let the earlier export go all the same.
  std::optional<size_t> cp;
  if (opts.prefix_from && size > 0 && !opts.hash_bytes)
    cp = reader_detail::match_prefix(fd, size, *opts.prefix_from, opts.trail_bytes_max);
  const bool shared = cp.has_value();
  if (cp && !reader_detail::store_has_room(*opts.prefix_from)) cp.reset();
  if (cp) store = opts.prefix_from->store_ptr();
  std::optional<reader_detail::AsyncSha256> hash;
  if (opts.hash_bytes) {
    hash.emplace(size, opts.hash_thread_min_bytes);
    if (!hash->ok()) return std::unexpected(ReadError{ReadErrorKind::Io, path, 0, 0, "SHA-256 unavailable"});
  }
  reader_detail::ByteSink sink;
  if (hash) {
    sink.fn = [](void* ctx, const char* data, size_t n) { static_cast<reader_detail::AsyncSha256*>(ctx)->update(data, n); };
    sink.ctx = &*hash;
  }
  ChunkSource src(fd, opts.buffer_bytes, cp ? opts.prefix_from->trail->checkpoints[*cp].offset : 0, sink);
  auto r = run_reader(src, path, std::move(store), opts, size, cp);
  if (r) (*r)->shared_prefix = shared;
  // The file as this descriptor saw it, the same before and after the read (a write in
  // between, other than through a shared mapping, changes it): the environment's identity.
  struct stat after {};
  if (r && S_ISREG(sb.st_mode) && ::fstat(fd, &after) == 0) {
    if (!(file_identity(after) == file_identity(sb)))
      return std::unexpected(ReadError{ReadErrorKind::Io, path, 0, 0, "the file changed while it was read"});
    (*r)->source_file = file_identity(sb);
  }
  if (r && hash) {
    auto d = hash->finish();
    if (!d) return std::unexpected(ReadError{ReadErrorKind::Io, path, 0, 0, "SHA-256 of the bytes read failed"});
    (*r)->bytes_sha256 = *d;
  }
  return r;
}

ReadResult read_export_buffer(std::string_view data, const std::string& label, std::shared_ptr<TermStore> store,
                              const ReadOptions& opts) {
  ChunkSource src(data);
  auto r = run_reader(src, label, std::move(store), opts, data.size());
  if (r && opts.hash_bytes) {
    // The same digest as a file read's (one implementation of Environment::bytes_sha256).
    reader_detail::AsyncSha256 hash(data.size(), UINT64_MAX);
    hash.update(data.data(), data.size());
    auto d = hash.finish();
    if (!d) return std::unexpected(ReadError{ReadErrorKind::Io, label, 0, 0, "SHA-256 of the bytes read failed"});
    (*r)->bytes_sha256 = *d;
  }
  return r;
}

}  // namespace leanbatch::host
