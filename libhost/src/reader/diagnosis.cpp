// After an unresolved reference: whether the id is defined on a later line (a forward
// reference) or never (a dangling one); the rest of the input is scanned to tell.
#include "reader.hpp"

namespace leanbatch::host::reader_detail {

std::optional<uint64_t> Reader::find_definition_line(const char* p, size_t n, uint64_t first_line, const char* key) {
  uint64_t line = first_line;
  size_t pos = 0;
  while (pos < n) {
    const char* nl = static_cast<const char*>(std::memchr(p + pos, '\n', n - pos));
    size_t end = nl ? static_cast<size_t>(nl - p) : n;
    dom::element root;
    if (parser_.parse(reinterpret_cast<const uint8_t*>(p + pos), end - pos, true).get(root) == simdjson::SUCCESS &&
        root.type() == dom::element_type::OBJECT) {
      // get() with an error code, not a conversion: a negative id must not throw.
      uint64_t idv = 0;
      if (dom::object(root).at_key(key).get(idv) == simdjson::SUCCESS && idv == pending_.id) return line;
    }
    ++line;
    pos = end + 1;
  }
  return std::nullopt;
}

void Reader::classify_pending(ChunkSource& src, const ChunkSource::Chunk& current) {
  const char* key = pending_.family == Family::Name ? "in" : pending_.family == Family::Level ? "il" : "ie";
  auto strip = [&] {
    auto pos = err_.message.rfind(", which is not defined on an earlier line");
    if (pos != std::string::npos) err_.message.resize(pos);
  };
  // The rest of the current chunk after the failing line, then the following chunks.
  uint64_t line = err_.line + 1;
  size_t start = static_cast<size_t>(err_.offset - current.offset);
  const char* nl = static_cast<const char*>(std::memchr(current.data + start, '\n', current.len - start));
  std::optional<uint64_t> found;
  if (nl) {
    size_t from = static_cast<size_t>(nl - current.data) + 1;
    found = find_definition_line(current.data + from, current.len - from, line, key);
    line += count_newlines(current.data + from, current.len - from);
  }
  ChunkSource::Chunk c{};
  std::string io;
  while (!found && src.next(c, io)) {
    found = find_definition_line(c.data, c.len, line, key);
    line += count_newlines(c.data, c.len);
  }
  strip();
  if (found) {
    err_.kind = ReadErrorKind::ForwardReference;
    err_.message += ", which is only defined later, on line " + std::to_string(*found) + " (ids must refer to earlier lines)";
  } else {
    err_.message += ", which is never defined";
  }
}

}  // namespace leanbatch::host::reader_detail
