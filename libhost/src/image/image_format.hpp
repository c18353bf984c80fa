#pragma once
// The export image file format (private to src/image/).
//
// Page 0 is the header: magic, format version, the build it belongs to (leanbatch version
// and a fingerprint of the reader and store sources), the content key of the export, the
// image's total size and a table of sections; an XXH3 checksum over all of it. Each
// section starts on a page boundary and has its own XXH3 checksum over its `bytes` of
// payload. Sections that are mapped (expression nodes, their index) reserve whole chunks
// in the file (sparse where unused), because a mapping must never reach past the end of
// the file. Native byte order and layout: the fingerprint covers the node layouts, and the
// endianness marker rejects an image from another architecture.
#include <xxhash.h>

#include <cstdint>
#include <cstring>

namespace leanbatch::host::image {

// Bump whenever the meaning of any section changes.
inline constexpr uint32_t kFormatVersion = 3;  // 2: the environment states its constant count; 3: bytes_sha256
inline constexpr uint32_t kEndianMarker = 0x01020304;
inline constexpr uint64_t kPage = 4096;
inline constexpr char kMagic[8] = {'L', 'B', 'I', 'M', 'A', 'G', 'E', '\n'};

enum Section : uint32_t {
  Strings = 1,       // ImgSpan[count]; index in the next section
  StringsIndex,      // slots; aux0 = buckets, aux1 = entries
  Chars,             // bytes of all strings
  Names,             // NameNode[count]
  NamesIndex,
  Levels,            // LevelNode[count]
  LevelsIndex,
  LevelLists,        // ImgSpan[count] (offsets into LevelItems)
  LevelListsIndex,
  LevelItems,        // Level[count]
  Exprs,             // ExprNode[count], chunked, mapped; `reserved` = whole chunks
  ExprsIndex,        // slots, mapped
  BigNatNodes,       // BigNatNode[count]
  BigNatIndex,
  BigNats,           // decimal digits of each big literal, '\0'-terminated
  Lets,              // LetOperands[count]
  BigRanges,         // ImgRange[count]
  Env,               // the environment (env_image.cpp)
};

struct SectionEntry {
  uint32_t id = 0;
  uint32_t unused = 0;
  uint64_t offset = 0;    // page aligned
  uint64_t bytes = 0;     // payload bytes (checksummed)
  uint64_t reserved = 0;  // file bytes reserved from offset (>= bytes, page multiple)
  uint64_t count = 0;     // elements
  uint64_t aux0 = 0;
  uint64_t aux1 = 0;
  uint64_t checksum = 0;  // XXH3-64 of the payload
};

inline constexpr uint32_t kMaxSections = 24;

struct Header {
  char magic[8];
  uint32_t format_version;
  uint32_t endian;
  char leanbatch_version[32];
  char fingerprint[72];
  uint8_t content_key[32];
  uint8_t bytes_sha256[32];  // SHA-256 of the bytes parsed (Environment::bytes_sha256), if has_bytes_sha256
  uint32_t has_bytes_sha256;
  uint32_t unused0;
  uint64_t export_bytes;
  uint64_t image_bytes;
  uint32_t nsections;
  uint32_t unused;
  SectionEntry sections[kMaxSections];
  uint64_t header_checksum;  // XXH3-64 of every byte above
};
static_assert(sizeof(Header) <= kPage);

/// A string or level list: where its items start in the blob section.
struct ImgSpan {
  uint32_t hash;
  uint32_t len;
  uint64_t offset;
};
struct ImgRange {
  uint64_t id;
  uint32_t range;
  uint32_t unused;
};

inline uint64_t checksum(const void* p, size_t n) { return XXH3_64bits(p, n); }
inline uint64_t round_up(uint64_t v, uint64_t unit) { return (v + unit - 1) / unit * unit; }

/// This build's identity (leanbatch version, source fingerprint), as stored in headers.
const char* build_version();
const char* build_fingerprint();

}  // namespace leanbatch::host::image
