// The export reader's slow line paths: a chunk whose line does not parse on its own is
// parsed in a batch (process_batched), and bad lines are found line by line (diagnose_lines,
// parse_line), so that errors name the exact line.
#include "reader.hpp"

namespace leanbatch::host::reader_detail {

// The chunk from `pos` on (`nl` newlines precede it) with simdjson parse_many, one
// document per line; used from a line that does not parse on its own, so that it gets the
// diagnosis a whole-chunk batched parse gives. `base` lines precede the chunk; a document
// starting at chunk offset `idx` is on line base + 1 + (newlines in [0, idx)).
void Reader::process_batched(const ChunkSource::Chunk& c, const uint64_t base, const size_t pos, const size_t nl_before_pos) {
  if (pos < c.len) {
    dom::document_stream stream;
    // One batch for the rest of the chunk: it is bounded by the read buffer and holds every line.
    size_t batch = std::max<size_t>(size_t{1} << 16, c.len - pos + 1);
    auto e = parser_.parse_many(reinterpret_cast<const uint8_t*>(c.data + pos), c.len - pos, batch).get(stream);
    if (e != simdjson::SUCCESS) return diagnose_lines(c, base, pos, nl_before_pos);
    size_t prev_end = pos;
    size_t nl = nl_before_pos;
    bool first = true;
    for (auto it = stream.begin(); it != stream.end(); ++it) {
      auto doc = *it;
      if (doc.error() != simdjson::SUCCESS) return diagnose_lines(c, base, prev_end, nl);
      size_t idx = pos + it.current_index();
      size_t gap = count_newlines(c.data + prev_end, idx - prev_end);
      line_ = base + 1 + nl + gap;
      offset_ = c.offset + idx;
      if (!first && gap == 0) {
        fail(ReadErrorKind::InvalidJson, "trailing content after the JSON object");
        return;
      }
      std::string_view text = it.source();
      if (std::memchr(text.data(), '\n', text.size()) != nullptr) {
        fail(ReadErrorKind::InvalidJson, "a JSON object spans several lines (one object per line expected)");
        return;
      }
      if (!process_doc(doc.value())) return;
      nl += gap;
      prev_end = idx + text.size();
      first = false;
    }
    // Whatever follows the last document must be blank (a truncated line is not).
    if (stream.truncated_bytes() > 0 || !is_blank(c.data + prev_end, c.len - prev_end))
      return diagnose_lines(c, base, prev_end, nl);
  }
  lines_ = base + count_newlines(c.data, c.len) + (c.len > 0 && c.data[c.len - 1] != '\n' ? 1 : 0);
}

// Slow path: parse [from, len) line by line (`nl` newlines precede `from`). Used when the
// batched parse fails, to find and report the first bad line; if every line is fine, this
// simply processed them.
void Reader::diagnose_lines(const ChunkSource::Chunk& c, uint64_t base, size_t from, size_t nl) {
  size_t pos = from;
  if (pos > 0 && c.data[pos - 1] != '\n') {
    // `from` is the end of a processed document: the rest of its line must be blank.
    const char* eol = static_cast<const char*>(std::memchr(c.data + pos, '\n', c.len - pos));
    size_t end = eol ? static_cast<size_t>(eol - c.data) : c.len;
    if (!is_blank(c.data + pos, end - pos)) {
      line_ = base + 1 + nl;
      offset_ = c.offset + pos;
      fail(ReadErrorKind::InvalidJson, "trailing content after the JSON object");
      return;
    }
    pos = eol ? end + 1 : end;
    if (eol) ++nl;
  }
  while (pos < c.len && !failed_) {
    const char* eol = static_cast<const char*>(std::memchr(c.data + pos, '\n', c.len - pos));
    size_t end = eol ? static_cast<size_t>(eol - c.data) : c.len;
    line_ = base + 1 + nl;
    offset_ = c.offset + pos;
    if (!is_blank(c.data + pos, end - pos) && !parse_line(c, pos, end)) return;
    pos = eol ? end + 1 : end;
    if (eol) ++nl;
  }
  lines_ = base + count_newlines(c.data, c.len) + (c.len > 0 && c.data[c.len - 1] != '\n' ? 1 : 0);
}

// Parses one line on its own (meta line, diagnostics).
bool Reader::parse_line(const ChunkSource::Chunk& c, size_t begin, size_t end) {
  dom::element root;
  auto e = parser_.parse(reinterpret_cast<const uint8_t*>(c.data + begin), end - begin, false).get(root);
  if (e != simdjson::SUCCESS) {
    if (e == simdjson::TAPE_ERROR && end - begin > 0) {
      // Two values on one line, or garbage after the object.
      dom::document_stream st;
      if (parser_.parse_many(reinterpret_cast<const uint8_t*>(c.data + begin), end - begin, end - begin + 1).get(st) ==
          simdjson::SUCCESS) {
        size_t docs = 0;
        bool ok = true;
        for (auto d : st) {
          ok = ok && d.error() == simdjson::SUCCESS;
          ++docs;
        }
        if (ok && docs > 1) return fail(ReadErrorKind::InvalidJson, "trailing content after the JSON object");
      }
    }
    return fail_json(e, Ctx{"line"});
  }
  return process_doc(root);
}

}  // namespace leanbatch::host::reader_detail
