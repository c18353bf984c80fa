#pragma once
/// Reader for Lean's export format (lean4export NDJSON, format 3.1.x).
///
/// Streams the file through a bounded line buffer (memory does not grow with file size
/// beyond the terms kept). The lines exporters write are matched byte by byte; any other
/// line is parsed with simdjson into a DOM, which also reports every error. Names, levels and
/// expressions are interned into the given TermStore; declarations go into an Environment,
/// unchecked. Any problem with the input is a typed ReadError naming the file, the 1-based
/// line, the byte offset and what is wrong; nothing is thrown.
#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <string_view>

#include "leanbatch/host/environment.hpp"
#include "leanbatch/host/host_context.hpp"

namespace leanbatch::host {

enum class ReadErrorKind : uint8_t {
  Io,                 ///< cannot open or read the file
  InvalidJson,        ///< a line is not one JSON object (includes truncated lines)
  MissingMeta,        ///< the first line is not the `meta` object
  UnsupportedFormat,  ///< meta names a format version other than 3.1.x
  MissingField,
  WrongType,          ///< a field has the wrong JSON type
  OutOfRange,         ///< a number does not fit (u32 fields), or is negative / not an integer
  UnknownKind,        ///< a line is none of name / level / expression / declaration
  UnknownKey,
  DuplicateKey,
  DuplicateId,        ///< an id defined twice (or redefining the predefined id 0)
  ForwardReference,   ///< an id used before the line that defines it
  DanglingReference,  ///< an id never defined
  InvalidValue,       ///< an enumeration string or literal with a bad value
  Cancelled,
  OutOfMemory,        ///< the reader could not allocate (e.g. under an address-space limit)
};

const char* to_string(ReadErrorKind k);

struct ReadError {
  ReadErrorKind kind = ReadErrorKind::Io;
  std::string file;
  uint64_t line = 0;    ///< 1-based; 0 when not tied to a line
  uint64_t offset = 0;  ///< byte offset in the file
  std::string message;

  /// `'file': line N: message` (LLVM style, without the tool prefix).
  std::string describe() const;
  /// Unsupported format versions are declined (a deliberate limit), not malformed input.
  bool is_decline() const { return kind == ReadErrorKind::UnsupportedFormat; }
};

struct ReadOptions {
  const CancelToken* cancel = nullptr;
  ProgressSink progress;
  size_t buffer_bytes = 1u << 20;  ///< initial line buffer; grows only for longer lines
  /// Prefix reuse (speed only; why it is exact: reader/trail.hpp). `record_trail` keeps
  /// checkpoints of this read in the environment. With `prefix_from` (an environment read
  /// with a trail), a file (read_export_file) whose first bytes are those of `prefix_from`'s
  /// file up to one of its checkpoints is read into `prefix_from`'s store, starting at that
  /// checkpoint; `seeded_decls` says how many declarations came from there. The store given
  /// to the reader is then not used. Only one thread may use a store at a time: pass
  /// `prefix_from` only from the thread that owns its store.
  bool record_trail = false;
  std::shared_ptr<const Environment> prefix_from;
  /// A trail keeps the bytes of a file up to this size (the next file is compared byte for
  /// byte); a larger file keeps SHA-256 states at its checkpoints instead.
  uint64_t trail_bytes_max = uint64_t{64} << 20;
  /// Hash every byte read (Environment::bytes_sha256). The whole file is then read: no
  /// prefix reuse.
  bool hash_bytes = false;
  /// Files at least this big are hashed on a second thread while they are parsed (speed
  /// only; the digest is the same).
  uint64_t hash_thread_min_bytes = uint64_t{16} << 20;
};

using ReadResult = std::expected<std::shared_ptr<Environment>, ReadError>;

ReadResult read_export_file(const std::string& path, std::shared_ptr<TermStore> store, const ReadOptions& opts = {});
ReadResult read_export_buffer(std::string_view data, const std::string& label, std::shared_ptr<TermStore> store,
                              const ReadOptions& opts = {});

}  // namespace leanbatch::host
