#pragma once
// Reader: the export reader proper — the loop over chunks and lines (run, process_chunk),
// inline; the DOM path's field readers, inline; and the declarations of the DOM path and of
// the diagnostics, which are defined in the other files of this directory.
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chunk_source.hpp"
#include "fast_path.hpp"
#include "trail.hpp"

namespace leanbatch::host::reader_detail {

// The reader proper. Lines are taken one at a time: the usual lines go through the fast
// path (byte matching, pipelined interning; speed only); any other line is parsed on its
// own into a simdjson DOM document (process_doc), and a line that is not valid JSON on its
// own hands the rest of the chunk to the batched parse_many path, whose diagnosis (and
// line-by-line re-parse) gives exact error lines.
class Reader : private FastPath {
 public:
  Reader(TermStore& st, Environment& env, std::string file, const ReadOptions& opts, uint64_t size_hint)
      : FastPath(st, env, std::move(file), opts, size_hint) {
    if (opts.record_trail) start_trail();
  }

  /// Prefix reuse: start as if the lines before checkpoint `cp` of `from`'s trail had been
  /// read (into the same store; reader/trail.hpp says why that is exact). The chunk source
  /// must start at cp.offset.
  void seed(const Environment& from, const ReadTrail& t, size_t cp);

  std::optional<ReadError> run(ChunkSource& src) {
    auto t0 = std::chrono::steady_clock::now();
    ChunkSource::Chunk chunk{};
    std::string io_error;
    uint64_t next_progress = 64u << 20;
    uint64_t next_estimate = kFirstEstimate;
    while (!failed_ && src.next(chunk, io_error)) {
      process_chunk(chunk);
      if (trail_) hash_to(chunk, chunk.offset + chunk.len);
      uint64_t done = chunk.offset + chunk.len;
      bytes_ = done;
      if (done >= next_estimate && !failed_) {
        next_estimate = done * 2;
        reserve_for_rest(done);
      }
      if (done >= next_progress) {
        next_progress = done + (64u << 20);
        if (opts_.progress) opts_.progress(Progress{"read", done, 0});
      }
      if (!failed_ && opts_.cancel && opts_.cancel->requested()) fail(ReadErrorKind::Cancelled, "reading cancelled");
    }
    if (!failed_ && !io_error.empty()) {
      line_ = 0;
      fail(ReadErrorKind::Io, "read error: " + io_error);
    }
    if (!failed_ && !seen_meta_) {
      line_ = 0;
      fail(ReadErrorKind::MissingMeta, "empty file: expected a `meta` line first");
    }
    flush();  // also after an error: the store gets every node of the lines before it
    if (failed_ && pending_.family != Family::None) classify_pending(src, chunk);
    env_.stats.bytes = bytes_;
    env_.stats.lines = lines_;
    env_.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (failed_) return err_;
    if (trail_) finish_trail();
    return std::nullopt;
  }

 private:
  // ---- chunks and lines ----
  static size_t count_newlines(const char* p, size_t n) { return static_cast<size_t>(std::count(p, p + n, '\n')); }

  // Line numbers: `base` lines precede the chunk, line_ = base + 1 + newlines before it. A
  // line that is not valid JSON on its own goes to process_batched, which reports it exactly
  // as a batched parse does (a truncated line, an object spanning lines, trailing content).
  void process_chunk(const ChunkSource::Chunk& c) {
    const uint64_t base = lines_;
    const char* const data = c.data;
    chunk_end_ = data + c.len;
    size_t pos = 0;
    size_t nl = 0;  // newlines in [0, pos)
    while (pos < c.len) {
      const char* s = data + pos;
      line_ = base + 1 + nl;
      offset_ = c.offset + pos;
      if (offset_ >= next_checkpoint_) take_checkpoint(c);
      if (*s == '{' && seen_meta_ && st_.expr_count() < kMaxPipelinedId) {
        if (const char* e = fast_line(s)) {
          pos = static_cast<size_t>(e - data);
          if (pos < c.len) {  // at the newline
            ++pos;
            ++nl;
          }
          continue;
        }
      }
      const char* eol = static_cast<const char*>(std::memchr(s, '\n', c.len - pos));
      size_t end = eol ? static_cast<size_t>(eol - data) : c.len;
      if (!is_blank(s, end - pos)) {
        flush();
        if (!seen_meta_) {
          // The first line must be the meta object.
          if (!parse_line(c, pos, end)) return;
        } else {
          dom::element root;
          if (parser_.parse(reinterpret_cast<const uint8_t*>(s), end - pos, false).get(root) != simdjson::SUCCESS)
            return process_batched(c, base, pos, nl);
          if (!process_doc(root)) return;
        }
      }
      pos = eol ? end + 1 : end;
      if (eol) ++nl;
    }
    lines_ = base + nl + (c.len > 0 && data[c.len - 1] != '\n' ? 1 : 0);
  }

  static bool is_blank(const char* p, size_t n) {
    for (size_t i = 0; i < n; ++i)
      if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n') return false;
    return true;
  }

  // A line that does not parse on its own, and the meta line (lines.cpp).
  void process_batched(const ChunkSource::Chunk& c, const uint64_t base, const size_t pos, const size_t nl_before_pos);
  void diagnose_lines(const ChunkSource::Chunk& c, uint64_t base, size_t from, size_t nl);
  bool parse_line(const ChunkSource::Chunk& c, size_t begin, size_t end);

  // ---- prefix reuse: the trail (trail.cpp) ----
  void start_trail();
  void take_checkpoint(const ChunkSource::Chunk& c);
  void hash_to(const ChunkSource::Chunk& c, uint64_t end);  // the trail's bytes or SHA-256 up to `end`
  void finish_trail();
  std::shared_ptr<ReadTrail> trail_;
  uint64_t next_checkpoint_ = UINT64_MAX;  // offset from which the next line start is a checkpoint
  uint64_t hashed_ = 0;                    // bytes fed to sha_
  SHA256_CTX sha_{};

  // ---- sizing (speed and peak memory only) ----
  // After the first kFirstEstimate bytes, and each time the amount read doubles, project the
  // final numbers of expressions and constants from the file size and reserve for them: the
  // index is then built at its final size instead of doubling (each doubling touches fresh
  // memory, and the old and new tables coexist), and the constant vector is not copied.
  static constexpr uint64_t kFirstEstimate = 8u << 20;
  void reserve_for_rest(uint64_t done) {
    if (size_hint_ <= done) return;
    const double scale = static_cast<double>(size_hint_) / static_cast<double>(done) * 1.05;
    const size_t exprs = st_.expr_count() - exprs_at_start_;
    st_.reserve_exprs(static_cast<size_t>(static_cast<double>(exprs) * scale) - exprs);
    const auto& consts = env_.constants();
    size_t want_consts = static_cast<size_t>(static_cast<double>(consts.size()) * scale);
    if (want_consts > consts.capacity())
      env_.reserve(want_consts - consts.size(),
                   static_cast<size_t>(static_cast<double>(env_.declarations().size()) * scale) - env_.declarations().size());
  }

  // ---- scalar readers ----
  bool read_uint(dom::element v, const Ctx& ctx, uint64_t max, uint64_t& out) {
    switch (v.type()) {
      case dom::element_type::INT64: {
        int64_t x = int64_t(v);
        if (x < 0) return fail(ReadErrorKind::OutOfRange, ctx.str() + ": negative number " + std::to_string(x) +
                                                              " (expected an unsigned integer)");
        out = static_cast<uint64_t>(x);
        break;
      }
      case dom::element_type::UINT64: out = uint64_t(v); break;
      case dom::element_type::DOUBLE:
        return fail(ReadErrorKind::OutOfRange, ctx.str() + ": " + std::to_string(double(v)) + " is not an integer");
      default: return fail_type(v, ctx, "an unsigned integer");
    }
    if (out > max)
      return fail(ReadErrorKind::OutOfRange, ctx.str() + ": " + std::to_string(out) + " is out of range (maximum " +
                                                 std::to_string(max) + ")");
    return true;
  }
  bool read_u32(dom::element v, const Ctx& ctx, uint32_t& out) {
    // Fast path (speed only): the common case of a small non-negative integer.
    if (v.type() == dom::element_type::INT64) {
      int64_t x = int64_t(v);
      if (x >= 0 && x <= 0xFFFFFFFFll) {
        out = static_cast<uint32_t>(x);
        return true;
      }
    }
    uint64_t x;
    if (!read_uint(v, ctx, 0xFFFFFFFFu, x)) return false;
    out = static_cast<uint32_t>(x);
    return true;
  }
  bool read_bool(dom::element v, const Ctx& ctx, bool& out) {
    if (v.type() != dom::element_type::BOOL) return fail_type(v, ctx, "a boolean");
    out = bool(v);
    return true;
  }
  bool read_string(dom::element v, const Ctx& ctx, std::string_view& out) {
    if (v.type() != dom::element_type::STRING) return fail_type(v, ctx, "a string");
    out = std::string_view(v);
    return true;
  }
  bool read_object(dom::element v, const Ctx& ctx, dom::object& out) {
    if (v.type() != dom::element_type::OBJECT) return fail_type(v, ctx, "an object");
    out = dom::object(v);
    return true;
  }
  template <class F>
  bool each_element(dom::element v, const Ctx& ctx, F&& f) {
    if (v.type() != dom::element_type::ARRAY) return fail_type(v, ctx, "an array");
    int64_t i = 0;
    for (dom::element ev : dom::array(v)) {
      if (!f(ev, Ctx{&ctx, i})) return false;
      ++i;
    }
    return true;
  }

  // ---- references ----
  bool unresolved(Family fam, uint32_t fid, const Ctx& ctx) {
    pending_ = {fam, fid};
    return fail(ReadErrorKind::DanglingReference, ctx.str() + " refers to " + family_noun(fam) + " " + std::to_string(fid) +
                                                      ", which is not defined on an earlier line");
  }
  bool ref_name(dom::element v, const Ctx& ctx, Name& out) {
    uint32_t fid;
    if (!read_u32(v, ctx, fid)) return false;
    uint32_t id = names_.get(fid);
    if (id == kNoId) return unresolved(Family::Name, fid, ctx);
    out = Name{id};
    return true;
  }
  bool ref_level(dom::element v, const Ctx& ctx, Level& out) {
    uint32_t fid;
    if (!read_u32(v, ctx, fid)) return false;
    uint32_t id = levels_.get(fid);
    if (id == kNoId) return unresolved(Family::Level, fid, ctx);
    out = Level{id};
    return true;
  }
  bool ref_expr(dom::element v, const Ctx& ctx, Expr& out) {
    uint32_t fid;
    if (!read_u32(v, ctx, fid)) return false;
    uint32_t id = exprs_.get(fid);
    if (id == kNoId) return unresolved(Family::Expr, fid, ctx);
    out = Expr{id};
    return true;
  }
  bool ref_names(dom::element v, const Ctx& ctx, std::vector<Name>& out) {
    out.clear();
    return each_element(v, ctx, [&](dom::element ev, const Ctx& c) {
      Name n;
      if (!ref_name(ev, c, n)) return false;
      out.push_back(n);
      return true;
    });
  }

  // ---- objects with a fixed set of keys ----
  // Calls f(index, value, ctx) for each field; rejects unknown and repeated keys; then
  // requires every key whose bit is not in `optional`.
  template <size_t N, class F>
  bool fields(dom::object obj, const Ctx& ctx, const std::array<std::string_view, N>& keys, F&& f, uint32_t optional = 0) {
    uint32_t seen = 0;
    for (dom::key_value_pair kv : obj) {
      size_t i = 0;
      // Compare length and first byte before the bytes (speed only; keys are short).
      while (i < N && !(keys[i].size() == kv.key.size() && keys[i][0] == kv.key[0] && keys[i] == kv.key)) ++i;
      if (i == N) return fail(ReadErrorKind::UnknownKey, ctx.str() + ": unknown key '" + std::string(kv.key) + "'");
      if (seen & (1u << i)) return fail(ReadErrorKind::DuplicateKey, ctx.str() + ": key '" + std::string(kv.key) + "' repeated");
      seen |= 1u << i;
      if (!f(i, kv.value, Ctx{&ctx, keys[i]})) return false;
    }
    for (size_t i = 0; i < N; ++i)
      if (!(seen & (1u << i)) && !(optional & (1u << i)))
        return fail(ReadErrorKind::MissingField, ctx.str() + ": missing field '" + std::string(keys[i]) + "'");
    return true;
  }

  // ---- one line (one_line.cpp) ----
  bool process_doc(dom::element root);
  bool process_meta(dom::object obj);
  static bool is_version(const std::string& v, std::string_view major_minor);

  // ---- names, levels and expressions (terms.cpp) ----
  bool parse_name(Key k, dom::element v, Name& out);
  bool parse_level(Key k, dom::element v, Level& out);
  bool read_binder_info(dom::element v, const Ctx& ctx, BinderInfo& out);
  bool parse_expr(Key k, dom::element v, Expr& out);

  // ---- declarations (declarations.cpp) ----
  bool read_hints(dom::element v, const Ctx& ctx, ReducibilityHints& out);
  bool read_safety(dom::element v, const Ctx& ctx, Safety& out);
  bool read_unsafe_flag(dom::element v, const Ctx& ctx, ConstantInfo& c);
  bool parse_decl(Key k, std::string_view key, dom::element v);
  bool parse_inductive_type(dom::element v, const Ctx& ctx, ConstantInfo& c);
  bool parse_ctor(dom::element v, const Ctx& ctx, ConstantInfo& c);
  bool parse_rec(dom::element v, const Ctx& ctx, ConstantInfo& c);

  // ---- after an unresolved reference: forward or dangling? (diagnosis.cpp) ----
  std::optional<uint64_t> find_definition_line(const char* p, size_t n, uint64_t first_line, const char* key);
  void classify_pending(ChunkSource& src, const ChunkSource::Chunk& current);
};

}  // namespace leanbatch::host::reader_detail
