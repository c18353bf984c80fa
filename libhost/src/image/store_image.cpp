// The term store's part of an export image: every table of the store, written as it is in
// memory except for the two pointer-carrying node kinds (strings and level lists point into
// arenas; the image holds offsets). Loading copies the small tables and maps the expression
// nodes and their index copy-on-write (see image_format.hpp).
#include "store_image.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "leanbatch/host/term_store.hpp"

namespace leanbatch::host {

using image::ImgRange;
using image::ImgSpan;
using image::SectionEntry;

namespace {

// Slots of an index in an image: a copy with room to spare, so that the persistent nodes a
// checker adds after loading rarely make a mapped index grow (growing copies it into
// private memory; speed and sharing only).
template <class Node>
bool write_table(image::SectionWriter& w, uint32_t nodes_id, const detail::InternTable<Node>& t) {
  const auto& nodes = t.nodes();
  if (!w.begin(nodes_id)) return false;
  for (uint32_t c = 0; c < nodes.chunks(); ++c) {
    uint32_t first = c * nodes.kChunk;
    uint32_t n = std::min(nodes.size() - first, nodes.kChunk);
    if (!w.append(nodes.chunk(c), uint64_t{n} * sizeof(Node))) return false;
    if (c + 1 < nodes.chunks() && !w.skip_to(uint64_t{c + 1} * nodes.kChunkBytes)) return false;
  }
  // Whole chunks, so that the last one can be mapped in full.
  uint64_t chunks = (uint64_t{nodes.size()} + nodes.kMask) / nodes.kChunk;
  if (!w.end(nodes.size(), chunks * nodes.kChunkBytes)) return false;
  const detail::IdIndex& idx = t.index();
  const size_t want = idx.count() + idx.count() / 8 + 1024;
  // An index that already has that room (the reader sizes it ahead) is written as it is:
  // copying it would allocate, zero and rehash it all (0.2-0.3 s for Init.Prelude x100,
  // on the path every waiting worker waits on). Speed only: any valid layout of the same
  // entries is an equal index.
  std::optional<detail::IdIndex> roomy;
  if (want * 4 > idx.capacity() * 3) roomy = idx.with_room(want);
  const detail::IdIndex& out = roomy ? *roomy : idx;
  return w.add(nodes_id + 1, out.slot_data(), out.capacity() * sizeof(uint64_t), out.capacity(), out.buckets(),
               out.count());
}

bool has_chunked_layout(const SectionEntry& s, size_t node_size, size_t chunk_bytes, size_t chunk) {
  uint64_t chunks = (s.count + chunk - 1) / chunk;
  return s.reserved >= chunks * chunk_bytes && s.bytes == s.count * node_size;
}

// The nodes and index sections of a table written by write_table, if their sizes agree
// with that layout (else null: the caller says which table is malformed).
template <class Node>
std::pair<const SectionEntry*, const SectionEntry*> table_sections(const image::ImageView& v, uint32_t nodes_id) {
  const SectionEntry* ns = v.find(nodes_id);
  const SectionEntry* is = v.find(nodes_id + 1);
  using CV = detail::ChunkedVector<Node>;
  if (!ns || !is || !has_chunked_layout(*ns, sizeof(Node), CV::kChunkBytes, CV::kChunk) ||
      is->bytes != is->aux0 * detail::IdIndex::kBucket * sizeof(uint64_t) || is->aux1 > is->count)
    return {nullptr, nullptr};
  return {ns, is};
}

// Copies a table whose nodes were written chunk by chunk (holes between chunks).
template <class Node>
bool copy_table(const image::ImageView& v, uint32_t nodes_id, detail::InternTable<Node>& t,
                const std::vector<Node>* replaced, std::string& err) {
  auto [ns, is] = table_sections<Node>(v, nodes_id);
  if (!ns) {
    err = "section " + std::to_string(nodes_id) + " is malformed";
    return false;
  }
  using CV = detail::ChunkedVector<Node>;
  std::vector<Node> all;
  if (!replaced) {
    all.resize(ns->count);
    const uint8_t* base = v.base + ns->offset;
    for (uint64_t i = 0; i < ns->count; i += CV::kChunk) {
      uint64_t n = std::min<uint64_t>(CV::kChunk, ns->count - i);
      std::memcpy(all.data() + i, base + (i / CV::kChunk) * CV::kChunkBytes, n * sizeof(Node));
    }
  }
  const std::vector<Node>& src = replaced ? *replaced : all;
  t.load_copy(src.data(), static_cast<uint32_t>(src.size()), v.data<uint64_t>(*is), is->aux0, is->aux1);
  return true;
}

// Maps a table's nodes and index copy-on-write from the image file instead of copying them
// (pointer-free nodes only): processes that map one image share its pages.
template <class Node>
bool map_table(const image::ImageView& v, uint32_t nodes_id, detail::InternTable<Node>& t, const char* what,
               std::string& err) {
  auto [ns, is] = table_sections<Node>(v, nodes_id);
  if (!ns) {
    err = std::string(what) + " sections are malformed";
    return false;
  }
  if (!t.adopt_file(v.fd, ns->offset, static_cast<uint32_t>(ns->count), is->offset, is->aux0, is->aux1,
                    is->reserved)) {
    err = std::string("cannot map the ") + what + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

// Strings and level lists: the nodes as written, with their blob offsets.
template <class Node>
std::vector<ImgSpan> spans_of(const detail::InternTable<Node>& t, std::vector<char>* chars,
                              std::vector<Level>* items) {
  std::vector<ImgSpan> out;
  out.reserve(t.size());
  for (uint32_t i = 0; i < t.size(); ++i) {
    const Node& n = t[i];
    uint64_t off = chars ? chars->size() : items->size();
    if constexpr (std::is_same_v<Node, detail::StringNode>) chars->insert(chars->end(), n.data, n.data + n.len);
    else if (n.len > 0) items->insert(items->end(), n.data, n.data + n.len);
    out.push_back(ImgSpan{n.hash, n.len, off});
  }
  return out;
}

}  // namespace

bool StoreImage::write(const TermStore& s, image::SectionWriter& w) {
  // Strings and level lists as spans (their chunked layout is that of the real nodes, which
  // have the same size as ImgSpan on LP64).
  static_assert(sizeof(ImgSpan) == sizeof(detail::StringNode) && sizeof(ImgSpan) == sizeof(detail::LevelListNode));
  std::vector<char> chars;
  std::vector<Level> items;
  auto strings = spans_of(s.strings_, &chars, nullptr);
  auto lists = spans_of(s.level_lists_, nullptr, &items);
  auto write_spans = [&](uint32_t id, const std::vector<ImgSpan>& spans, const detail::IdIndex& idx) {
    // Same chunked layout as write_table, built from the span copies.
    using CV = detail::ChunkedVector<detail::StringNode>;
    if (!w.begin(id)) return false;
    for (uint64_t i = 0; i < spans.size(); i += CV::kChunk) {
      uint64_t n = std::min<uint64_t>(CV::kChunk, spans.size() - i);
      if (!w.skip_to((i / CV::kChunk) * CV::kChunkBytes) || !w.append(spans.data() + i, n * sizeof(ImgSpan)))
        return false;
    }
    uint64_t chunks = (spans.size() + CV::kMask) / CV::kChunk;
    if (!w.end(spans.size(), chunks * CV::kChunkBytes)) return false;
    return w.add(id + 1, idx.slot_data(), idx.capacity() * sizeof(uint64_t), idx.capacity(), idx.buckets(),
                 idx.count());
  };
  if (!write_spans(image::Strings, strings, s.strings_.index())) return false;
  if (!w.add(image::Chars, chars.data(), chars.size(), chars.size())) return false;
  if (!write_table(w, image::Names, s.names_) || !write_table(w, image::Levels, s.levels_)) return false;
  if (!write_spans(image::LevelLists, lists, s.level_lists_.index())) return false;
  if (!w.add(image::LevelItems, items.data(), items.size() * sizeof(Level), items.size())) return false;
  if (!write_table(w, image::Exprs, s.exprs_) || !write_table(w, image::BigNatNodes, s.bignat_index_)) return false;
  std::string digits;
  for (const mpz_class& v : s.bignats_) {
    digits += v.get_str();
    digits += '\0';
  }
  if (!w.add(image::BigNats, digits.data(), digits.size(), s.bignats_.size())) return false;
  if (!w.add(image::Lets, s.lets_.data(), s.lets_.size() * sizeof(detail::LetOperands), s.lets_.size())) return false;
  std::vector<ImgRange> ranges;
  s.big_ranges_.for_each([&](uint64_t k, uint32_t v) { ranges.push_back(ImgRange{k, v, 0}); });
  return w.add(image::BigRanges, ranges.data(), ranges.size() * sizeof(ImgRange), ranges.size());
}

bool StoreImage::load(TermStore& s, const image::ImageView& v, std::string& err) {
  auto need = [&](uint32_t id, size_t elem) -> const SectionEntry* {
    const SectionEntry* e = v.find(id);
    if (!e || e->bytes != e->count * elem) {
      err = "section " + std::to_string(id) + " is missing or malformed";
      return nullptr;
    }
    return e;
  };
  // Strings: nodes re-pointed into one arena run holding every string's bytes.
  const SectionEntry* chars = need(image::Chars, 1);
  const SectionEntry* strings = v.find(image::Strings);
  if (!chars || !strings) return err.empty() ? (err = "strings missing", false) : false;
  const char* blob = chars->count ? s.chars_.add(v.data<char>(*chars), chars->count) : "";
  auto respan = [&](const SectionEntry& e, uint64_t limit, auto make, auto& out) {
    using CV = detail::ChunkedVector<detail::StringNode>;
    out.reserve(e.count);
    const uint8_t* base = v.base + e.offset;
    for (uint64_t i = 0; i < e.count; ++i) {
      ImgSpan sp;
      std::memcpy(&sp, base + (i / CV::kChunk) * CV::kChunkBytes + (i % CV::kChunk) * sizeof(ImgSpan), sizeof sp);
      if (sp.offset > limit || sp.len > limit - sp.offset) return false;
      out.push_back(make(sp));
    }
    return true;
  };
  std::vector<detail::StringNode> snodes;
  if (!respan(*strings, chars->count,
              [&](const ImgSpan& sp) { return detail::StringNode{sp.hash, sp.len, sp.len ? blob + sp.offset : ""}; },
              snodes)) {
    err = "a string lies outside the string bytes";
    return false;
  }
  if (!copy_table(v, image::Strings, s.strings_, &snodes, err)) return false;
  // Names are mapped too: every worker would otherwise hold a private copy (7 MB of names
  // and index for Init.Prelude x100).
  if (!map_table(v, image::Names, s.names_, "names", err)) return false;
  if (!copy_table<detail::LevelNode>(v, image::Levels, s.levels_, nullptr, err)) return false;
  const SectionEntry* items = need(image::LevelItems, sizeof(Level));
  const SectionEntry* lists = v.find(image::LevelLists);
  if (!items || !lists) return err.empty() ? (err = "level lists missing", false) : false;
  const Level* ibase = items->count ? s.level_items_.add(v.data<Level>(*items), items->count) : nullptr;
  std::vector<detail::LevelListNode> lnodes;
  if (!respan(*lists, items->count,
              [&](const ImgSpan& sp) { return detail::LevelListNode{sp.hash, sp.len, sp.len ? ibase + sp.offset : nullptr}; },
              lnodes)) {
    err = "a level list lies outside the level items";
    return false;
  }
  if (!copy_table(v, image::LevelLists, s.level_lists_, &lnodes, err)) return false;
  if (!copy_table<detail::BigNatNode>(v, image::BigNatNodes, s.bignat_index_, nullptr, err)) return false;

  // Expressions: mapped, not copied (the bulk of the image).
  if (!map_table(v, image::Exprs, s.exprs_, "expressions", err)) return false;

  const SectionEntry* digits = v.find(image::BigNats);
  if (!digits) return (err = "big literals missing", false);
  s.bignats_.clear();
  const char* d = v.data<char>(*digits);
  const char* dend = d + digits->bytes;
  for (uint64_t i = 0; i < digits->count; ++i) {
    const char* z = static_cast<const char*>(std::memchr(d, '\0', static_cast<size_t>(dend - d)));
    if (!z) return (err = "big literals are malformed", false);
    mpz_class val;
    if (val.set_str(std::string(d, z), 10) != 0) return (err = "big literals are malformed", false);
    s.bignats_.push_back(std::move(val));
    d = z + 1;
  }
  const SectionEntry* lets = need(image::Lets, sizeof(detail::LetOperands));
  const SectionEntry* ranges = need(image::BigRanges, sizeof(ImgRange));
  if (!lets || !ranges) return false;
  s.lets_.assign(v.data<detail::LetOperands>(*lets), v.data<detail::LetOperands>(*lets) + lets->count);
  for (uint64_t i = 0; i < ranges->count; ++i) {
    const ImgRange& r = v.data<ImgRange>(*ranges)[i];
    s.big_ranges_.put(r.id, r.range);
  }
  return true;
}

}  // namespace leanbatch::host
