#pragma once
// ReadTrail: what a read leaves behind so that a later export that begins with the same bytes
// can start where they end (prefix reuse; docs/kernel.md, "Prefix reuse"). Internal to the
// export reader; an Environment holds it opaquely (ReadOptions::record_trail).
//
// Why a seeded read equals a full one. A checkpoint is taken at the start of a line, after
// the meta line. It records how many names, levels and expressions the lines before it
// defined, and only when those ids are exactly 0..n-1 (the lean4export numbering; otherwise
// no checkpoint is taken), with the declarations and constants before it and the SHA-256
// state of the bytes before it (or, for a small file, its bytes). A second
// file whose bytes up to the checkpoint are those bytes, or have the same SHA-256 (collision
// resistance, as for the content digests), has the same lines there. The
// reader is a function of its input lines and the store it interns into; the second file is
// read into the *same* store, where interning an identical name, level or expression returns
// the node that is already there. So reading its prefix again would define the same file ids
// with the same store ids — the first read's final maps restricted to ids below the counts
// (a defined id keeps its store id) — and add the same declarations in the same order — the
// first read's first `decls` declarations. Seeding skips exactly that work.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "leanbatch/host/environment.hpp"

namespace leanbatch::host {

struct ReadCheckpoint {
  uint64_t offset = 0;  // byte offset of the line that starts here
  uint64_t lines = 0;   // lines before it
  uint32_t names = 0, levels = 0, exprs = 0;  // ids defined before it: exactly 0..n-1 each
  uint32_t decls = 0, consts = 0;             // declarations and constants before it
  ReadStats stats;                            // line counts before it
  SHA256_CTX sha;                             // SHA-256 state over the bytes before it (unless has_bytes)
};

struct ReadTrail {
  std::vector<ReadCheckpoint> checkpoints;  // increasing offsets
  // Files up to ReadOptions::trail_bytes_max keep their bytes: a later file is compared byte for byte (no
  // hashing at all; speed only). Larger ones keep only the SHA-256 states (ReadCheckpoint::sha).
  bool has_bytes = false;
  std::string bytes;
  std::vector<uint32_t> names, levels, exprs;  // file id -> store id, final (kNoId: undefined)
  bool v30 = false;                            // the file's format is 3.0.x
  uint32_t expr_lines = 0;                     // expression lines of the whole file
};

namespace reader_detail {
// A checkpoint every this many bytes at most: a later file shares all but the last
// kCheckpointBytes of the common prefix (speed only).
inline constexpr uint64_t kCheckpointBytes = 16u << 10;

/// The last checkpoint of `from`'s trail up to which the file open as `fd` (of `size` bytes)
/// has the same bytes (same SHA-256), if any.
/// `bytes_max`: the reader's ReadOptions::trail_bytes_max (both files are compared the same way).
std::optional<size_t> match_prefix(int fd, uint64_t size, const Environment& from, uint64_t bytes_max);
/// May a file be read into `from`'s store? The shared store grows by each file's own part: a
/// chain of reads stops sharing once the store holds twice the expressions of one file, so
/// memory stays bounded.
bool store_has_room(const Environment& from);
}  // namespace reader_detail

}  // namespace leanbatch::host
