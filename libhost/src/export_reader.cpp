#include "leanbatch/host/export_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <simdjson.h>
#include <unordered_map>
#include <vector>

#include "leanbatch/host/detail/huge_array.hpp"

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

namespace dom = simdjson::dom;
constexpr size_t kPad = simdjson::SIMDJSON_PADDING;

// ---------------------------------------------------------------------------------------
// Chunk source: the file in chunks of whole lines, in a padded buffer of bounded size (it
// grows only when a single line is longer than the buffer).
class ChunkSource {
 public:
  ChunkSource(int fd, size_t cap) : fd_(fd) { alloc(cap); }
  explicit ChunkSource(std::string_view mem) : fd_(-1), eof_(true) {
    alloc(mem.size() + 1);
    std::memcpy(buf_.get(), mem.data(), mem.size());
    end_ = mem.size();
  }

  struct Chunk {
    const char* data;
    size_t len;       // whole lines (the last one may lack its newline at end of input)
    size_t cap;       // readable bytes from data (len + padding at least)
    uint64_t offset;  // file offset of data[0]
  };

  /// The next chunk, or false at end of input or on a read error (io_error set).
  bool next(Chunk& out, std::string& io_error) {
    // Drop the previous chunk, keep the partial line after it.
    if (taken_ > 0) {
      if (!carry_.empty()) {  // undo the padding written over the partial line
        std::memcpy(buf_.get() + taken_, carry_.data(), carry_.size());
        carry_.clear();
      }
      std::memmove(buf_.get(), buf_.get() + taken_, end_ - taken_);
      offset_ += taken_;
      end_ -= taken_;
      taken_ = 0;
    }
    for (;;) {
      if (eof_) {
        if (end_ == 0) return false;
        return emit(out, end_);
      }
      if (end_ > 0) {
        // Cut at the last newline once the buffer is reasonably full.
        if (end_ >= cap_ / 2) {
          const char* nl = static_cast<const char*>(memrchr(buf_.get(), '\n', end_));
          if (nl) return emit(out, static_cast<size_t>(nl - buf_.get()) + 1);
        }
      }
      if (end_ == cap_) grow();
      if (!fill(io_error)) return false;
    }
  }

 private:
  void alloc(size_t cap) {
    cap_ = std::max<size_t>(cap, 1024);
    buf_.reset(new char[cap_ + kPad]);
    std::memset(buf_.get(), 0, cap_ + kPad);
  }
  void grow() {
    std::unique_ptr<char[]> bigger(new char[cap_ * 2 + kPad]);
    std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    cap_ *= 2;
  }
  bool emit(Chunk& out, size_t len) {
    // simdjson may read up to kPad bytes past the end; keep them defined. The padding
    // overwrites the start of the partial line that follows: keep a copy to restore.
    if (len < end_) carry_.assign(buf_.get() + len, std::min(kPad, end_ - len));
    std::memset(buf_.get() + len, 0, std::min(kPad, cap_ + kPad - len));
    out = Chunk{buf_.get(), len, cap_ + kPad, offset_};
    taken_ = len;
    return true;
  }
  bool fill(std::string& io_error) {
    for (;;) {
      ssize_t n = ::read(fd_, buf_.get() + end_, cap_ - end_);
      if (n < 0) {
        if (errno == EINTR) continue;
        io_error = std::strerror(errno);
        return false;
      }
      if (n == 0) eof_ = true;
      end_ += static_cast<size_t>(n);
      return true;
    }
  }

  int fd_;
  bool eof_ = false;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t end_ = 0;
  size_t taken_ = 0;
  uint64_t offset_ = 0;
  std::string carry_;
};

// ---------------------------------------------------------------------------------------
// File ids → store ids. Dense array for compact id ranges, hash map for far-out ids. The
// dense array is zero pages grown in place (mremap): entries hold value + 1, 0 = undefined.
class IdMap {
 public:
  [[gnu::always_inline]] uint32_t get(uint32_t fid) const {
    if (fid < dense_.size()) return dense_[fid] - 1;  // 0 - 1 == kNoId
    return get_sparse(fid);
  }
  bool defined(uint32_t fid) const { return get(fid) != kNoId; }
  /// Defines `fid` (v != kNoId).
  [[gnu::always_inline]] void set(uint32_t fid, uint32_t v) {
    ++count_;
    if (fid < dense_.size())
      dense_[fid] = v + 1;
    else
      set_far(fid, v);
  }
  /// Changes the value of a defined `fid`.
  [[gnu::always_inline]] void put(uint32_t fid, uint32_t v) {
    if (fid < dense_.size())
      dense_[fid] = v + 1;
    else
      sparse_[fid] = v;
  }

 private:
  [[gnu::noinline]] uint32_t get_sparse(uint32_t fid) const {
    if (sparse_.empty()) return kNoId;
    auto it = sparse_.find(fid);
    return it == sparse_.end() ? kNoId : it->second;
  }
  [[gnu::noinline]] void set_far(uint32_t fid, uint32_t v) {
    if (fid <= 2 * (count_ - 1) + (1u << 20)) {  // (count_ already counts this one)
      size_t n = std::max<size_t>({static_cast<size_t>(fid) + 1, dense_.size() * 2, size_t{1} << 16});
      dense_.grow(std::min<size_t>(n, static_cast<size_t>(kNoId)));
    }
    put(fid, v);
  }

  detail::HugeArray<uint32_t> dense_{0, false};
  std::unordered_map<uint32_t, uint32_t> sparse_;
  size_t count_ = 0;
};

enum class Key : uint8_t {
  Unknown, In, Il, Ie, Str, Num, Succ, Max, IMax, Param, BVar, Sort, Const, App, Lam, ForallE, LetE, Proj,
  NatVal, StrVal, MData, Axiom, Def, Thm, Opaque, Quot, Inductive, Meta
};

Key classify(std::string_view k) {
  switch (k.size()) {
    case 2:
      if (k == "ie") return Key::Ie;
      if (k == "in") return Key::In;
      if (k == "il") return Key::Il;
      break;
    case 3:
      if (k == "app") return Key::App;
      if (k == "lam") return Key::Lam;
      if (k == "str") return Key::Str;
      if (k == "num") return Key::Num;
      if (k == "max") return Key::Max;
      if (k == "def") return Key::Def;
      if (k == "thm") return Key::Thm;
      break;
    case 4:
      if (k == "bvar") return Key::BVar;
      if (k == "sort") return Key::Sort;
      if (k == "succ") return Key::Succ;
      if (k == "imax") return Key::IMax;
      if (k == "letE") return Key::LetE;
      if (k == "proj") return Key::Proj;
      if (k == "quot") return Key::Quot;
      if (k == "meta") return Key::Meta;
      break;
    case 5:
      if (k == "const") return Key::Const;
      if (k == "param") return Key::Param;
      if (k == "mdata") return Key::MData;
      if (k == "axiom") return Key::Axiom;
      break;
    case 6:
      if (k == "natVal") return Key::NatVal;
      if (k == "strVal") return Key::StrVal;
      if (k == "opaque") return Key::Opaque;
      break;
    case 7:
      if (k == "forallE") return Key::ForallE;
      break;
    case 9:
      if (k == "inductive") return Key::Inductive;
      break;
  }
  return Key::Unknown;
}

// Format 3.0.x spells the five single-constant declarations after Lean's `ConstantInfo`
// constructors; their fields are those of 3.1 (an opaque's `isUnsafe` may be absent: older
// exporters never wrote unsafe declarations). Only the spelling of the file's own version is
// accepted, so a file that mixes the two is an error, not a guess.
Key classify_v30_decl(std::string_view k) {
  if (k == "defnInfo") return Key::Def;
  if (k == "thmInfo") return Key::Thm;
  if (k == "axiomInfo") return Key::Axiom;
  if (k == "opaqueInfo") return Key::Opaque;
  if (k == "quotInfo") return Key::Quot;
  return Key::Unknown;
}

bool is_single_decl(Key k) {
  return k == Key::Def || k == Key::Thm || k == Key::Axiom || k == Key::Opaque || k == Key::Quot;
}

enum class Family : uint8_t { None, Name, Level, Expr, Decl };
const char* family_noun(Family f) {
  switch (f) {
    case Family::Name: return "name";
    case Family::Level: return "level";
    case Family::Expr: return "expression";
    default: return "item";
  }
}
Family family_of(Key k) {
  switch (k) {
    case Key::Str: case Key::Num: return Family::Name;
    case Key::Succ: case Key::Max: case Key::IMax: case Key::Param: return Family::Level;
    case Key::BVar: case Key::Sort: case Key::Const: case Key::App: case Key::Lam: case Key::ForallE:
    case Key::LetE: case Key::Proj: case Key::NatVal: case Key::StrVal: case Key::MData: return Family::Expr;
    case Key::Axiom: case Key::Def: case Key::Thm: case Key::Opaque: case Key::Quot: case Key::Inductive:
      return Family::Decl;
    default: return Family::None;
  }
}

const char* json_type_name(dom::element v) {
  switch (v.type()) {
    case dom::element_type::ARRAY: return "an array";
    case dom::element_type::OBJECT: return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE: return "a number";
    case dom::element_type::STRING: return "a string";
    case dom::element_type::BOOL: return "a boolean";
    case dom::element_type::NULL_VALUE: return "null";
  }
  return "?";
}

// Where in a line we are, rendered only when an error is reported (no allocation on the
// hot path).
struct Ctx {
  const Ctx* parent = nullptr;
  std::string_view key;
  int64_t index = -1;
  Ctx(const char* k) : key(k) {}
  Ctx(std::string_view k) : key(k) {}
  Ctx(const Ctx* p, std::string_view k) : parent(p), key(k) {}
  Ctx(const Ctx* p, int64_t i) : parent(p), index(i) {}
  std::string str() const {
    std::string out = parent ? parent->str() : std::string();
    if (index >= 0) {
      out += "[" + std::to_string(index) + "]";
    } else {
      if (!out.empty()) out += '.';
      out += key;
    }
    return out;
  }
};


// ---------------------------------------------------------------------------------------
// The reader proper. Lines are taken one at a time: the usual lines go through the fast
// path (byte matching, pipelined interning; speed only); any other line is parsed on its
// own into a simdjson DOM document (process_doc), and a line that is not valid JSON on its
// own hands the rest of the chunk to the batched parse_many path, whose diagnosis (and
// line-by-line re-parse) gives exact error lines.
class Reader {
 public:
  Reader(TermStore& st, Environment& env, std::string file, const ReadOptions& opts, uint64_t size_hint)
      : st_(st), env_(env), file_(std::move(file)), opts_(opts), size_hint_(size_hint) {
    names_.set(0, 0);   // name 0 is anonymous
    levels_.set(0, 0);  // level 0 is zero
    parser_.threaded = false;  // one core: stage 1 runs inline
    exprs_at_start_ = st_.expr_count();
  }

  std::optional<ReadError> run(ChunkSource& src) {
    auto t0 = std::chrono::steady_clock::now();
    ChunkSource::Chunk chunk{};
    std::string io_error;
    uint64_t next_progress = 64u << 20;
    uint64_t next_estimate = kFirstEstimate;
    while (!failed_ && src.next(chunk, io_error)) {
      process_chunk(chunk);
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
    return std::nullopt;
  }

 private:
  // ---- errors ----
  bool fail(ReadErrorKind k, std::string msg) {
    if (failed_) return false;
    failed_ = true;
    err_ = ReadError{k, file_, line_, offset_, std::move(msg)};
    return false;
  }
  bool fail_json(simdjson::error_code e, const Ctx& ctx) {
    if (e == simdjson::NUMBER_OUT_OF_RANGE)
      return fail(ReadErrorKind::OutOfRange, ctx.str() + ": a number does not fit in 64 bits");
    std::string m = ctx.str() + ": invalid JSON (" + simdjson::error_message(e) + ")";
    if (e == simdjson::INCOMPLETE_ARRAY_OR_OBJECT || e == simdjson::TAPE_ERROR || e == simdjson::UNCLOSED_STRING)
      m += "; the line may be truncated";
    return fail(ReadErrorKind::InvalidJson, std::move(m));
  }
  bool fail_type(dom::element v, const Ctx& ctx, const char* expected) {
    return fail(ReadErrorKind::WrongType, ctx.str() + ": expected " + expected + ", found " + json_type_name(v));
  }

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

  // The chunk from `pos` on (`nl` newlines precede it) with simdjson parse_many, one
  // document per line; used from a line that does not parse on its own, so that it gets the
  // diagnosis a whole-chunk batched parse gives. `base` lines precede the chunk; a document
  // starting at chunk offset `idx` is on line base + 1 + (newlines in [0, idx)).
  void process_batched(const ChunkSource::Chunk& c, const uint64_t base, const size_t pos, const size_t nl_before_pos) {
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

  static bool is_blank(const char* p, size_t n) {
    for (size_t i = 0; i < n; ++i)
      if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n') return false;
    return true;
  }

  // Slow path: parse [from, len) line by line (`nl` newlines precede `from`). Used when the
  // batched parse fails, to find and report the first bad line; if every line is fine, this
  // simply processed them.
  void diagnose_lines(const ChunkSource::Chunk& c, uint64_t base, size_t from, size_t nl) {
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
  bool parse_line(const ChunkSource::Chunk& c, size_t begin, size_t end) {
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

  // ---- pipelined interning (speed only) ----
  // An expression line becomes a draft (hash, flags and range are derived from its
  // children's), its index slot is prefetched, and it is interned kRing expression lines
  // later, in file order, so store ids are the same as when interning at once. Meanwhile its
  // file id maps to kPending + ring slot; a later line that uses it takes the signature from
  // the ring and records the operand as a sequence number, resolved when interned. A
  // declaration of the fast path whose type or value is still pending waits (decl_q_); the
  // pipeline is flushed before the DOM path and at the end of input. Store ids must stay
  // below kPending: the fast path is off once the store holds kMaxPipelinedId expressions.
  static constexpr uint32_t kRing = 16;  // power of two
  static constexpr uint32_t kPending = 0xFFFFF000u;
  static constexpr uint32_t kMaxPipelinedId = 0xF0000000u;
  struct Pending {
    ExprDraft d;
    uint32_t fid;
    uint32_t pend;  // bit i: d.op[i] is (the low bits of) the sequence number of a pending entry
    uint64_t seq;
  };

  /// Resolves an expression reference of the fast path: the signature and operand of file
  /// id `fid`, or false if it is not defined (the DOM path reports it).
  [[gnu::always_inline]] bool ref_sig(uint32_t fid, ExprSig& sig, uint32_t& op, uint32_t& pend, uint32_t bit) const {
    uint32_t v = exprs_.get(fid);
    if (v == kNoId) return false;
    if (v >= kPending) {
      const Pending& p = ring_[v - kPending];
      sig = p.d.sig();
      op = static_cast<uint32_t>(p.seq);
      pend |= bit;
    } else {
      sig = st_.sig(Expr{v});
      op = v;
    }
    return true;
  }
  void push_draft(uint32_t fid, const ExprDraft& d, uint32_t pend) {
    if (tail_ - head_ == kRing) intern_oldest();
    uint32_t slot = static_cast<uint32_t>(tail_ & (kRing - 1));
    ring_[slot] = Pending{d, fid, pend, tail_};
    st_.prefetch(d);
    exprs_.set(fid, kPending + slot);
    ++tail_;
  }
  void intern_oldest() {
    Pending& p = ring_[head_ & (kRing - 1)];
    for (uint32_t i = 0; i < 4; ++i)
      if (p.pend & (1u << i)) p.d.op[i] = resolved_[p.d.op[i] & (2 * kRing - 1)];
    uint32_t id = st_.intern_draft(p.d).id;
    resolved_[p.seq & (2 * kRing - 1)] = id;
    exprs_.put(p.fid, id);
    ++head_;
    if (decl_head_ != decl_q_.size()) add_ready_decls();
  }
  void flush() {
    while (head_ != tail_) intern_oldest();
    add_ready_decls();
  }

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

  // ---- fast path (speed only) ----
  // The lines lean4export and leanbatch write — keys in sorted order, no whitespace, plain
  // non-negative integers — are matched byte by byte and processed without a JSON DOM.
  // fast_line either processes the whole line, with exactly the effect the DOM path would
  // have, and returns where the line ends (its newline, or the end of the chunk), or changes
  // nothing and returns nullptr: any other shape, and any line that would be an error, goes
  // to the DOM path, which reports errors exactly. Matching never runs past the line: every
  // byte is checked against what may come next, a newline never may, and the chunk is
  // followed by zero bytes (simdjson padding), which never match either.
  static bool is_digit(char ch) { return static_cast<unsigned char>(ch - '0') < 10; }
  static uint64_t load8(const char* p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  }
  // Compares 8 bytes at a time (the literal folds into immediates; reading up to 7 bytes
  // past the match is fine: the chunk is followed by padding).
  template <size_t N>
  [[gnu::always_inline]] static bool lit(const char*& p, const char (&s)[N]) {
    constexpr size_t n = N - 1;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
      if (load8(p + i) != load8(s + i)) return false;
    if constexpr (n % 8 != 0) {
      uint64_t want = 0;
      std::memcpy(&want, s + i, n - i);
      if ((load8(p + i) & ((uint64_t{1} << (8 * (n - i))) - 1)) != want) return false;
    }
    p += n;
    return true;
  }
  static bool num_u64(const char*& p, uint64_t& out) {
    const char* q = p;
    if (*q == '0') {
      if (is_digit(q[1])) return false;  // leading zero: not JSON
      out = 0;
      p = q + 1;
      return true;
    }
    uint64_t v = 0;
    int n = 0;
    while (is_digit(*q)) {
      if (++n > 20) return false;
      uint64_t d = static_cast<uint64_t>(*q - '0');
      if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v)) return false;
      ++q;
    }
    if (n == 0) return false;
    out = v;
    p = q;
    return true;
  }
  // A JSON non-negative integer that fits in 32 bits. Up to 8 digits are found and converted
  // without a branch per digit (SWAR): the byte-wise digit values t, the first non-digit
  // from the carry-free test below (carries only run towards later bytes), then the digits
  // shifted to the top of the word and combined pairwise.
  [[gnu::always_inline]] static bool num_u32(const char*& p, uint32_t& out) {
    uint64_t t = load8(p) ^ 0x3030303030303030ull;  // digits become 0..9
    uint64_t nondigit = ((t + 0x7676767676767676ull) | t) & 0x8080808080808080ull;
    if (nondigit == 0) return num_u32_long(p, out);
    unsigned len = static_cast<unsigned>(__builtin_ctzll(nondigit)) / 8;
    if (len == 0) return false;
    if (len > 1 && (t & 0xFF) == 0) return false;  // leading zero: not JSON
    uint64_t v = t << (8 * (8 - len));  // len digits in the top bytes, zeros below
    v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FFull;
    v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFull;
    v = (v * 10000 + (v >> 32)) & 0x00000000FFFFFFFFull;
    out = static_cast<uint32_t>(v);
    p += len;
    return true;
  }
  static bool num_u32_long(const char*& p, uint32_t& out) {  // 8 digits or more
    if (*p == '0') return false;
    const char* q = p;
    uint64_t v = 0;
    for (int n = 0; is_digit(*q); ++q) {
      if (++n > 10) return false;
      v = v * 10 + static_cast<uint64_t>(*q - '0');
    }
    if (v > 0xFFFFFFFFu) return false;
    out = static_cast<uint32_t>(v);
    p = q;
    return true;
  }
  static bool boolean(const char*& p, bool& out) {
    if (lit(p, "true")) return out = true, true;
    if (lit(p, "false")) return out = false, true;
    return false;
  }
  // A string without escapes (enumeration values).
  static bool plain_str(const char*& p, std::string_view& out) {
    if (*p != '"') return false;
    const char* s = ++p;
    for (;; ++p) {
      unsigned char ch = static_cast<unsigned char>(*p);
      if (ch == '"') break;
      if (ch == '\\' || ch < 0x20 || ch >= 0x80) return false;
    }
    out = std::string_view(s, static_cast<size_t>(p - s));
    ++p;
    return true;
  }
  // Any JSON string; escapes are decoded into str_buf_. Invalid UTF-8, invalid escapes and
  // unpaired surrogates are left to the DOM path.
  bool str(const char*& p, std::string_view& out) {
    if (*p != '"') return false;
    const char* s = ++p;
    bool ascii = true;
    for (;; ++p) {
      unsigned char ch = static_cast<unsigned char>(*p);
      if (ch == '"') break;
      if (ch == '\\') return escaped_str(s, p, ascii, out);
      if (ch < 0x20) return false;
      if (ch >= 0x80) ascii = false;
    }
    out = std::string_view(s, static_cast<size_t>(p - s));
    ++p;
    return ascii || simdjson::validate_utf8(out.data(), out.size());
  }
  static bool hex4(const char* p, uint32_t& out) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char ch = p[i];
      uint32_t d;
      if (ch >= '0' && ch <= '9') d = static_cast<uint32_t>(ch - '0');
      else if (ch >= 'a' && ch <= 'f') d = static_cast<uint32_t>(ch - 'a' + 10);
      else if (ch >= 'A' && ch <= 'F') d = static_cast<uint32_t>(ch - 'A' + 10);
      else return false;
      v = v << 4 | d;
    }
    out = v;
    return true;
  }
  bool escaped_str(const char* s, const char*& p, bool ascii, std::string_view& out) {
    std::string& b = str_buf_;
    b.assign(s, static_cast<size_t>(p - s));
    for (;;) {
      unsigned char ch = static_cast<unsigned char>(*p);
      if (ch == '"') break;
      if (ch < 0x20) return false;
      if (ch != '\\') {
        if (ch >= 0x80) ascii = false;
        b.push_back(static_cast<char>(ch));
        ++p;
        continue;
      }
      char e = p[1];
      p += 2;
      switch (e) {
        case '"': b.push_back('"'); break;
        case '\\': b.push_back('\\'); break;
        case '/': b.push_back('/'); break;
        case 'b': b.push_back('\b'); break;
        case 'f': b.push_back('\f'); break;
        case 'n': b.push_back('\n'); break;
        case 'r': b.push_back('\r'); break;
        case 't': b.push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          if (!hex4(p, cp)) return false;
          p += 4;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
            p += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          if (cp < 0x80) {
            b.push_back(static_cast<char>(cp));
          } else if (cp < 0x800) {
            b.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            b.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else if (cp < 0x10000) {
            b.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            b.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            b.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else {
            b.push_back(static_cast<char>(0xF0 | (cp >> 18)));
            b.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            b.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            b.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          }
          break;
        }
        default: return false;
      }
    }
    ++p;
    out = b;
    return ascii || simdjson::validate_utf8(out.data(), out.size());
  }
  // `[` u32 (`,` u32)* `]` or `[]` into `out` (cleared first).
  static bool u32_array(const char*& p, std::vector<uint32_t>& out) {
    out.clear();
    if (*p != '[') return false;
    ++p;
    if (*p == ']') return ++p, true;
    for (;;) {
      uint32_t v;
      if (!num_u32(p, v)) return false;
      out.push_back(v);
      if (*p == ',') {
        ++p;
        continue;
      }
      if (*p != ']') return false;
      ++p;
      return true;
    }
  }
  // End of the line: optional blanks, then the newline or the end of the chunk. Returns
  // where the line ends, or nullptr.
  const char* line_end(const char* p) const {
    while (*p == ' ' || *p == '\t' || *p == '\r') ++p;
    if (*p == '\n' || p == chunk_end_) return p;
    return nullptr;
  }
  static bool binder_info(std::string_view s, BinderInfo& bi) {
    if (s == "default") bi = BinderInfo::Default;
    else if (s == "implicit") bi = BinderInfo::Implicit;
    else if (s == "instImplicit") bi = BinderInfo::InstImplicit;
    else if (s == "strictImplicit") bi = BinderInfo::StrictImplicit;
    else return false;
    return true;
  }
  bool names_of(const std::vector<uint32_t>& fids, std::vector<Name>& out) const {
    out.clear();
    out.reserve(fids.size());
    for (uint32_t f : fids) {
      uint32_t id = names_.get(f);
      if (id == kNoId) return false;
      out.push_back(Name{id});
    }
    return true;
  }

  const char* fast_line(const char* p) {
    // A 3.0 file's declarations go through process_doc, which checks their spelling.
    if (v30_ && ((p[2] == 'a' && p[3] == 'x') || p[2] == 'd' || p[2] == 't' || p[2] == 'o')) return nullptr;
    switch (p[2]) {
      case 'i':
        if (lit(p, "{\"in\":")) return fast_name(p);
        if (lit(p, "{\"ie\":")) return fast_ie(p);
        if (lit(p, "{\"il\":")) return fast_level(p);
        return nullptr;
      case 'a':
        if (lit(p, "{\"app\":{\"arg\":")) return fast_app(p);
        if (lit(p, "{\"axiom\":{\"isUnsafe\":")) return fast_axiom(p);
        return nullptr;
      case 'f':
        if (lit(p, "{\"forallE\":{\"binderInfo\":")) return fast_forall(p);
        return nullptr;
      case 'b':
        if (lit(p, "{\"bvar\":")) return fast_bvar(p);
        return nullptr;
      case 'c':
        if (lit(p, "{\"const\":{\"name\":")) return fast_const(p);
        return nullptr;
      case 'd':
        if (lit(p, "{\"def\":{\"all\":")) return fast_def(p);
        return nullptr;
      case 't':
        if (lit(p, "{\"thm\":{\"all\":")) return fast_thm(p);
        return nullptr;
      case 'o':
        if (lit(p, "{\"opaque\":{\"all\":")) return fast_opaque(p);
        return nullptr;
      default: return nullptr;
    }
  }

  // {"in":N,"str":{"pre":N,"str":S}} and {"in":N,"num":{"i":N,"pre":N}}
  const char* fast_name(const char* p) {
    uint32_t fid, pre;
    if (!num_u32(p, fid)) return nullptr;
    std::string_view s;
    uint64_t num = 0;
    bool is_str;
    if (lit(p, ",\"str\":{\"pre\":")) {
      if (!num_u32(p, pre) || !lit(p, ",\"str\":") || !str(p, s) || !lit(p, "}}")) return nullptr;
      is_str = true;
    } else if (lit(p, ",\"num\":{\"i\":")) {
      if (!num_u64(p, num) || !lit(p, ",\"pre\":") || !num_u32(p, pre) || !lit(p, "}}")) return nullptr;
      is_str = false;
    } else {
      return nullptr;
    }
    const char* e = line_end(p);
    if (!e) return nullptr;
    uint32_t pid = names_.get(pre);
    if (pid == kNoId || names_.defined(fid)) return nullptr;
    Name n = is_str ? st_.name_str(Name{pid}, s) : st_.name_num(Name{pid}, num);
    names_.set(fid, n.id);
    ++env_.stats.name_lines;
    return e;
  }

  // {"il":N,"succ":N}, {"il":N,"max":[N,N]}, {"il":N,"imax":[N,N]}, {"il":N,"param":N}
  const char* fast_level(const char* p) {
    uint32_t fid, x, y = 0;
    if (!num_u32(p, fid)) return nullptr;
    Key k;
    if (lit(p, ",\"succ\":")) k = Key::Succ;
    else if (lit(p, ",\"max\":[")) k = Key::Max;
    else if (lit(p, ",\"imax\":[")) k = Key::IMax;
    else if (lit(p, ",\"param\":")) k = Key::Param;
    else return nullptr;
    if (!num_u32(p, x)) return nullptr;
    if (k == Key::Max || k == Key::IMax) {
      if (!lit(p, ",") || !num_u32(p, y) || !lit(p, "]")) return nullptr;
    }
    if (!lit(p, "}")) return nullptr;
    const char* e = line_end(p);
    if (!e || levels_.defined(fid)) return nullptr;
    Level l;
    if (k == Key::Param) {
      uint32_t n = names_.get(x);
      if (n == kNoId) return nullptr;
      l = st_.level_param(Name{n});
    } else {
      uint32_t a = levels_.get(x);
      if (a == kNoId) return nullptr;
      if (k == Key::Succ) {
        l = st_.level_succ(Level{a});
      } else {
        uint32_t b = levels_.get(y);
        if (b == kNoId) return nullptr;
        l = k == Key::Max ? st_.level_max_core(Level{a}, Level{b}) : st_.level_imax_core(Level{a}, Level{b});
      }
    }
    levels_.set(fid, l.id);
    ++env_.stats.level_lines;
    return e;
  }

  const char* commit_expr(const char* e, uint32_t fid, const ExprDraft& d, uint32_t pend) {
    push_draft(fid, d, pend);
    ++env_.stats.expr_lines;
    return e;
  }

  // {"bvar":N,"ie":N}
  const char* fast_bvar(const char* p) {
    uint32_t i, fid;
    if (!num_u32(p, i) || !lit(p, ",\"ie\":") || !num_u32(p, fid) || !lit(p, "}")) return nullptr;
    const char* e = line_end(p);
    if (!e || exprs_.defined(fid)) return nullptr;
    return commit_expr(e, fid, TermStore::draft_bvar(i), 0);
  }

  // {"app":{"arg":N,"fn":N},"ie":N}
  const char* fast_app(const char* p) {
    uint32_t arg, fn, fid;
    if (!num_u32(p, arg) || !lit(p, ",\"fn\":") || !num_u32(p, fn) || !lit(p, "},\"ie\":") || !num_u32(p, fid) ||
        !lit(p, "}"))
      return nullptr;
    const char* e = line_end(p);
    if (!e) return nullptr;
    ExprSig fs, as;
    uint32_t fo, ao, pend = 0;
    if (!ref_sig(fn, fs, fo, pend, 1) || !ref_sig(arg, as, ao, pend, 2) || exprs_.defined(fid)) return nullptr;
    return commit_expr(e, fid, TermStore::draft_app(fs, fo, as, ao), pend);
  }

  // {"binderInfo":S,"body":N,"name":N,"type":N}  (after the opening brace)
  bool binder_fields(const char*& p, BinderInfo& bi, uint32_t& body, uint32_t& name, uint32_t& type) {
    std::string_view s;
    return plain_str(p, s) && binder_info(s, bi) && lit(p, ",\"body\":") && num_u32(p, body) &&
           lit(p, ",\"name\":") && num_u32(p, name) && lit(p, ",\"type\":") && num_u32(p, type) && lit(p, "}");
  }
  const char* binder_commit(const char* e, ExprKind k, uint32_t fid, BinderInfo bi, uint32_t body, uint32_t name,
                            uint32_t type) {
    uint32_t n = names_.get(name);
    ExprSig ts, bs;
    uint32_t to, bo, pend = 0;
    if (n == kNoId || !ref_sig(type, ts, to, pend, 2) || !ref_sig(body, bs, bo, pend, 4) || exprs_.defined(fid))
      return nullptr;
    return commit_expr(e, fid, TermStore::draft_binder(k, Name{n}, bi, ts, to, bs, bo), pend);
  }
  // {"forallE":{"binderInfo":S,"body":N,"name":N,"type":N},"ie":N}
  const char* fast_forall(const char* p) {
    BinderInfo bi;
    uint32_t body, name, type, fid;
    if (!binder_fields(p, bi, body, name, type) || !lit(p, ",\"ie\":") || !num_u32(p, fid) || !lit(p, "}"))
      return nullptr;
    const char* e = line_end(p);
    if (!e) return nullptr;
    return binder_commit(e, ExprKind::Pi, fid, bi, body, name, type);
  }

  // {"const":{"name":N,"us":[N,...]},"ie":N}
  const char* fast_const(const char* p) {
    uint32_t name, fid;
    if (!num_u32(p, name) || !lit(p, ",\"us\":") || !u32_array(p, fids_) || !lit(p, "},\"ie\":") || !num_u32(p, fid) ||
        !lit(p, "}"))
      return nullptr;
    const char* e = line_end(p);
    if (!e) return nullptr;
    uint32_t n = names_.get(name);
    if (n == kNoId) return nullptr;
    tmp_levels_.clear();
    for (uint32_t f : fids_) {
      uint32_t l = levels_.get(f);
      if (l == kNoId) return nullptr;
      tmp_levels_.push_back(Level{l});
    }
    if (exprs_.defined(fid)) return nullptr;
    return commit_expr(e, fid, st_.draft_const(Name{n}, st_.level_list(tmp_levels_)), 0);
  }

  // {"ie":N,"sort":N}, {"ie":N,"lam":{...}}, {"ie":N,"letE":{...}}, {"ie":N,"proj":{...}},
  // {"ie":N,"natVal":S}, {"ie":N,"strVal":S}
  const char* fast_ie(const char* p) {
    uint32_t fid;
    if (!num_u32(p, fid) || !lit(p, ",\"")) return nullptr;
    switch (*p) {
      case 's': {
        if (lit(p, "sort\":")) {
          uint32_t l;
          if (!num_u32(p, l) || !lit(p, "}")) return nullptr;
          const char* e = line_end(p);
          if (!e) return nullptr;
          uint32_t lid = levels_.get(l);
          if (lid == kNoId || exprs_.defined(fid)) return nullptr;
          return commit_expr(e, fid, st_.draft_sort(Level{lid}), 0);
        }
        if (lit(p, "strVal\":")) {
          std::string_view s;
          if (!str(p, s) || !lit(p, "}")) return nullptr;
          const char* e = line_end(p);
          if (!e || exprs_.defined(fid)) return nullptr;
          return commit_expr(e, fid, st_.draft_str(s), 0);
        }
        return nullptr;
      }
      case 'l': {
        if (lit(p, "lam\":{\"binderInfo\":")) {
          BinderInfo bi;
          uint32_t body, name, type;
          if (!binder_fields(p, bi, body, name, type) || !lit(p, "}")) return nullptr;
          const char* e = line_end(p);
          if (!e) return nullptr;
          return binder_commit(e, ExprKind::Lam, fid, bi, body, name, type);
        }
        if (lit(p, "letE\":{\"body\":")) {
          uint32_t body, name, type, value;
          bool nondep;
          if (!num_u32(p, body) || !lit(p, ",\"name\":") || !num_u32(p, name) || !lit(p, ",\"nondep\":") ||
              !boolean(p, nondep) || !lit(p, ",\"type\":") || !num_u32(p, type) || !lit(p, ",\"value\":") ||
              !num_u32(p, value) || !lit(p, "}}"))
            return nullptr;
          const char* e = line_end(p);
          if (!e) return nullptr;
          uint32_t n = names_.get(name);
          ExprSig ts, vs, bs;
          uint32_t to, vo, bo, pend = 0;
          if (n == kNoId || !ref_sig(type, ts, to, pend, 2) || !ref_sig(value, vs, vo, pend, 4) ||
              !ref_sig(body, bs, bo, pend, 8) || exprs_.defined(fid))
            return nullptr;
          return commit_expr(e, fid, TermStore::draft_let(Name{n}, ts, to, vs, vo, bs, bo, nondep), pend);
        }
        return nullptr;
      }
      case 'p': {
        uint32_t idx, strct, tname;
        if (!lit(p, "proj\":{\"idx\":") || !num_u32(p, idx) || !lit(p, ",\"struct\":") || !num_u32(p, strct) ||
            !lit(p, ",\"typeName\":") || !num_u32(p, tname) || !lit(p, "}}"))
          return nullptr;
        const char* e = line_end(p);
        if (!e) return nullptr;
        uint32_t n = names_.get(tname);
        ExprSig ss;
        uint32_t so, pend = 0;
        if (n == kNoId || !ref_sig(strct, ss, so, pend, 4) || exprs_.defined(fid)) return nullptr;
        return commit_expr(e, fid, st_.draft_proj(Name{n}, idx, ss, so), pend);
      }
      case 'n': {
        // Canonical decimal numerals of up to 19 digits (bigger ones take the DOM path).
        if (!lit(p, "natVal\":\"")) return nullptr;
        const char* d = p;
        uint64_t v = 0;
        while (is_digit(*p) && p - d < 20) v = v * 10 + static_cast<uint64_t>(*p++ - '0');
        size_t len = static_cast<size_t>(p - d);
        if (len == 0 || len > 19 || (len > 1 && *d == '0') || !lit(p, "\"}")) return nullptr;
        const char* e = line_end(p);
        if (!e || exprs_.defined(fid)) return nullptr;
        return commit_expr(e, fid, TermStore::draft_nat(v), 0);
      }
      default: return nullptr;
    }
  }

  // ---- declarations (fast path) ----
  const char* fast_decl_tail(const char* p) {
    if (!lit(p, "}}")) return nullptr;
    return line_end(p);
  }
  // A declaration whose type or value is still in the pipeline waits in decl_q_ (in file
  // order) until both are interned, so that declarations do not flush the pipeline.
  struct PendingDecl {
    ConstantInfo c;
    DeclKind kind;
    uint64_t line, offset;
    uint32_t type_fid, value_fid;  // value_fid: kNoId if none
    uint64_t ready;                // the declaration can be added once head_ >= ready
  };
  bool decl_refs(ConstantInfo& c, uint32_t name, uint32_t type) {
    uint32_t n = names_.get(name);
    if (n == kNoId || !names_of(fids_, c.lparams) || !exprs_.defined(type)) return false;
    c.name = Name{n};
    return true;
  }
  const char* commit_decl(const char* e, DeclKind k, ConstantInfo& c, uint32_t type_fid, uint32_t value_fid) {
    uint64_t ready = 0;
    for (uint32_t f : {type_fid, value_fid}) {
      if (f == kNoId) continue;
      uint32_t v = exprs_.get(f);
      if (v >= kPending) ready = std::max(ready, ring_[v - kPending].seq + 1);
    }
    if (ready == 0 && decl_head_ == decl_q_.size()) {
      add_decl(k, c, line_, offset_, type_fid, value_fid);
    } else {
      decl_q_.push_back(PendingDecl{std::move(c), k, line_, offset_, type_fid, value_fid, ready});
      if (decl_q_.size() - decl_head_ > 256) flush();
    }
    ++env_.stats.decl_lines;
    return e;
  }
  void add_decl(DeclKind k, ConstantInfo& c, uint64_t line, uint64_t offset, uint32_t type_fid, uint32_t value_fid) {
    c.type = Expr{exprs_.get(type_fid)};
    if (value_fid != kNoId) c.value = Expr{exprs_.get(value_fid)};
    Declaration d;
    d.kind = k;
    d.line = line;
    d.offset = offset;
    env_.add(d, std::span<ConstantInfo>(&c, 1));
  }
  void add_ready_decls() {
    while (decl_head_ < decl_q_.size() && decl_q_[decl_head_].ready <= head_) {
      PendingDecl& p = decl_q_[decl_head_++];
      add_decl(p.kind, p.c, p.line, p.offset, p.type_fid, p.value_fid);
    }
    if (decl_head_ == decl_q_.size()) {
      decl_q_.clear();
      decl_head_ = 0;
    }
  }

  // {"axiom":{"isUnsafe":B,"levelParams":[..],"name":N,"type":N}}
  const char* fast_axiom(const char* p) {
    bool unsafe;
    uint32_t name, type;
    if (!boolean(p, unsafe) || !lit(p, ",\"levelParams\":") || !u32_array(p, fids_) || !lit(p, ",\"name\":") ||
        !num_u32(p, name) || !lit(p, ",\"type\":") || !num_u32(p, type))
      return nullptr;
    const char* e = fast_decl_tail(p);
    if (!e) return nullptr;
    ConstantInfo c;
    c.kind = ConstKind::Axiom;
    c.safety = unsafe ? Safety::Unsafe : Safety::Safe;
    if (!decl_refs(c, name, type)) return nullptr;
    return commit_decl(e, DeclKind::Axiom, c, type, kNoId);
  }

  // {"def":{"all":[..],"hints":H,"levelParams":[..],"name":N,"safety":S,"type":N,"value":N}}
  const char* fast_def(const char* p) {
    ReducibilityHints hints;
    std::string_view safety;
    uint32_t name, type, value;
    if (!u32_array(p, all_fids_) || !lit(p, ",\"hints\":")) return nullptr;
    if (lit(p, "\"opaque\"")) {
      hints = {HintKind::Opaque, 0};
    } else if (lit(p, "\"abbrev\"")) {
      hints = {HintKind::Abbrev, 0};
    } else {
      if (!lit(p, "{\"regular\":") || !num_u32(p, hints.height) || !lit(p, "}")) return nullptr;
      hints.kind = HintKind::Regular;
    }
    if (!lit(p, ",\"levelParams\":") || !u32_array(p, fids_) || !lit(p, ",\"name\":") || !num_u32(p, name) ||
        !lit(p, ",\"safety\":") || !plain_str(p, safety) || !lit(p, ",\"type\":") || !num_u32(p, type) ||
        !lit(p, ",\"value\":") || !num_u32(p, value))
      return nullptr;
    const char* e = fast_decl_tail(p);
    if (!e) return nullptr;
    ConstantInfo c;
    c.kind = ConstKind::Definition;
    c.hints = hints;
    if (safety == "safe") c.safety = Safety::Safe;
    else if (safety == "unsafe") c.safety = Safety::Unsafe;
    else if (safety == "partial") c.safety = Safety::Partial;
    else return nullptr;
    if (!decl_refs(c, name, type) || !exprs_.defined(value) || !names_of(all_fids_, c.all)) return nullptr;
    return commit_decl(e, DeclKind::Definition, c, type, value);
  }

  // {"thm":{"all":[..],"levelParams":[..],"name":N,"type":N,"value":N}}
  const char* fast_thm(const char* p) {
    uint32_t name, type, value;
    if (!u32_array(p, all_fids_) || !lit(p, ",\"levelParams\":") || !u32_array(p, fids_) || !lit(p, ",\"name\":") ||
        !num_u32(p, name) || !lit(p, ",\"type\":") || !num_u32(p, type) || !lit(p, ",\"value\":") || !num_u32(p, value))
      return nullptr;
    const char* e = fast_decl_tail(p);
    if (!e) return nullptr;
    ConstantInfo c;
    c.kind = ConstKind::Theorem;
    if (!decl_refs(c, name, type) || !exprs_.defined(value) || !names_of(all_fids_, c.all)) return nullptr;
    return commit_decl(e, DeclKind::Theorem, c, type, value);
  }

  // {"opaque":{"all":[..],"isUnsafe":B,"levelParams":[..],"name":N,"type":N,"value":N}}
  const char* fast_opaque(const char* p) {
    bool unsafe;
    uint32_t name, type, value;
    if (!u32_array(p, all_fids_) || !lit(p, ",\"isUnsafe\":") || !boolean(p, unsafe) || !lit(p, ",\"levelParams\":") ||
        !u32_array(p, fids_) || !lit(p, ",\"name\":") || !num_u32(p, name) || !lit(p, ",\"type\":") ||
        !num_u32(p, type) || !lit(p, ",\"value\":") || !num_u32(p, value))
      return nullptr;
    const char* e = fast_decl_tail(p);
    if (!e) return nullptr;
    ConstantInfo c;
    c.kind = ConstKind::Opaque;
    c.safety = unsafe ? Safety::Unsafe : Safety::Safe;
    if (!decl_refs(c, name, type) || !exprs_.defined(value) || !names_of(all_fids_, c.all)) return nullptr;
    return commit_decl(e, DeclKind::Opaque, c, type, value);
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

  // ---- one line ----
  bool process_doc(dom::element root) {
    if (root.type() != dom::element_type::OBJECT) return fail(ReadErrorKind::InvalidJson, "line is not a JSON object");
    dom::object obj(root);
    if (!seen_meta_) return process_meta(obj);

    Family id_family = Family::None;
    uint32_t id_value = 0;
    Key kind = Key::Unknown;
    std::string_view kind_name;
    Expr made_expr;
    Name made_name;
    Level made_level;
    for (dom::key_value_pair kv : obj) {
      Key kk = classify(kv.key);
      if (v30_ && is_single_decl(kk)) {
        return fail(ReadErrorKind::UnknownKind, "unknown kind '" + std::string(kv.key) +
                                                    "' (format 3.1 spelling; this file declares format " +
                                                    env_.meta.format_version + ")");
      }
      if (kk == Key::Unknown) {
        Key old_kind = classify_v30_decl(kv.key);
        if (old_kind != Key::Unknown && !v30_)
          return fail(ReadErrorKind::UnknownKind, "unknown kind '" + std::string(kv.key) +
                                                      "' (format 3.0 spelling; this file declares format " +
                                                      env_.meta.format_version + ")");
        kk = old_kind;
      }
      if (kk == Key::In || kk == Key::Il || kk == Key::Ie) {
        if (id_family != Family::None) return fail(ReadErrorKind::DuplicateKey, "line has more than one id key");
        id_family = kk == Key::In ? Family::Name : kk == Key::Il ? Family::Level : Family::Expr;
        if (!read_u32(kv.value, Ctx{kk == Key::In ? "in" : kk == Key::Il ? "il" : "ie"}, id_value)) return false;
        continue;
      }
      if (kk == Key::Unknown) return fail(ReadErrorKind::UnknownKind, "unknown kind '" + std::string(kv.key) + "'");
      if (kk == Key::Meta) return fail(ReadErrorKind::UnknownKind, "a second `meta` line");
      if (kind != Key::Unknown)
        return fail(ReadErrorKind::UnknownKind,
                    "line has two kinds, '" + std::string(kind_name) + "' and '" + std::string(kv.key) + "'");
      kind = kk;
      kind_name = kv.key;
      bool made = false;
      switch (family_of(kk)) {
        case Family::Name: made = parse_name(kk, kv.value, made_name); break;
        case Family::Level: made = parse_level(kk, kv.value, made_level); break;
        case Family::Expr: made = parse_expr(kk, kv.value, made_expr); break;
        case Family::Decl: made = parse_decl(kk, kv.key, kv.value); break;
        default: break;
      }
      if (!made) return false;
    }
    if (kind == Key::Unknown) {
      if (id_family == Family::None) return fail(ReadErrorKind::UnknownKind, "line has no kind");
      static const char* const expected[] = {"", "str or num", "succ, max, imax or param",
                                             "bvar, sort, const, app, lam, forallE, letE, proj, natVal, strVal or mdata"};
      return fail(ReadErrorKind::UnknownKind, std::string(family_noun(id_family)) + " " + std::to_string(id_value) +
                                                  " has no kind (expected one of " +
                                                  expected[static_cast<int>(id_family)] + ")");
    }
    Family fam = family_of(kind);
    if (fam == Family::Decl) {
      if (id_family != Family::None)
        return fail(ReadErrorKind::UnknownKey, "declaration '" + std::string(kind_name) + "' must not carry an id");
      ++env_.stats.decl_lines;
      return true;
    }
    if (id_family == Family::None)
      return fail(ReadErrorKind::MissingField, std::string(family_noun(fam)) + " '" + std::string(kind_name) +
                                                   "' has no id (expected key '" +
                                                   (fam == Family::Name ? "in" : fam == Family::Level ? "il" : "ie") + "')");
    if (id_family != fam)
      return fail(ReadErrorKind::UnknownKey, std::string(family_noun(fam)) + " '" + std::string(kind_name) + "' carries a " +
                                                 family_noun(id_family) + " id");
    IdMap& map = fam == Family::Name ? names_ : fam == Family::Level ? levels_ : exprs_;
    if (map.defined(id_value)) {
      if (id_value == 0 && fam != Family::Expr)
        return fail(ReadErrorKind::DuplicateId, std::string(family_noun(fam)) + " id 0 is predefined (" +
                                                    (fam == Family::Name ? "the anonymous name" : "level zero") + ")");
      return fail(ReadErrorKind::DuplicateId, std::string(family_noun(fam)) + " id " + std::to_string(id_value) +
                                                  " is defined twice");
    }
    switch (fam) {
      case Family::Name: map.set(id_value, made_name.id); ++env_.stats.name_lines; break;
      case Family::Level: map.set(id_value, made_level.id); ++env_.stats.level_lines; break;
      default: map.set(id_value, made_expr.id); ++env_.stats.expr_lines; break;
    }
    return true;
  }

  bool process_meta(dom::object obj) {
    bool has_meta = false;
    for (dom::key_value_pair kv : obj) {
      if (kv.key != "meta")
        return fail(ReadErrorKind::MissingMeta, "the first line must be the `meta` object, found key '" + std::string(kv.key) + "'");
      dom::object meta;
      if (!read_object(kv.value, Ctx{"meta"}, meta)) return false;
      has_meta = true;
      for (dom::key_value_pair mf : meta) {
        if (mf.key != "format" && mf.key != "exporter" && mf.key != "lean") continue;
        const Ctx meta_ctx{"meta"};
        const Ctx ctx{&meta_ctx, mf.key};
        dom::object sub;
        if (!read_object(mf.value, ctx, sub)) return false;
        for (dom::key_value_pair sf : sub) {
          std::string* dst = nullptr;
          if (mf.key == "format" && sf.key == "version") dst = &env_.meta.format_version;
          if (mf.key == "exporter" && sf.key == "name") dst = &env_.meta.exporter_name;
          if (mf.key == "exporter" && sf.key == "version") dst = &env_.meta.exporter_version;
          if (mf.key == "lean" && sf.key == "version") dst = &env_.meta.lean_version;
          if (mf.key == "lean" && sf.key == "githash") dst = &env_.meta.lean_githash;
          if (dst) {
            std::string_view sv;
            if (!read_string(sf.value, Ctx{&ctx, sf.key}, sv)) return false;
            *dst = std::string(sv);
          }
        }
      }
    }
    if (!has_meta) return fail(ReadErrorKind::MissingMeta, "the first line must be the `meta` object");
    // lean4export 3.0.0 wrote no `format` object: its format version was the exporter's.
    if (env_.meta.format_version.empty() && env_.meta.exporter_name == "lean4export" &&
        is_version(env_.meta.exporter_version, "3.0"))
      env_.meta.format_version = env_.meta.exporter_version;
    if (env_.meta.format_version.empty()) return fail(ReadErrorKind::MissingMeta, "meta: missing field 'format.version'");
    // Accept 3.1.x, and 3.0.x whose difference is only the spelling of declaration keys.
    // Other versions are declined, not misread.
    const std::string& fv = env_.meta.format_version;
    v30_ = is_version(fv, "3.0");
    if (!is_version(fv, "3.1") && !v30_)
      return fail(ReadErrorKind::UnsupportedFormat,
                  "export format version " + fv + " is not supported (leanbatch reads formats 3.0.x and 3.1.x)");
    seen_meta_ = true;
    return true;
  }

  // ---- names and levels ----
  bool parse_name(Key k, dom::element v, Name& out) {
    dom::object obj;
    const Ctx ctx{k == Key::Str ? "name.str" : "name.num"};
    if (!read_object(v, ctx, obj)) return false;
    Name pre;
    std::string_view s;
    uint64_t num = 0;
    if (k == Key::Str) {
      static constexpr std::array<std::string_view, 2> keys{"pre", "str"};
      if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& c) {
            return i == 0 ? ref_name(fv, c, pre) : read_string(fv, c, s);
          }))
        return false;
      out = st_.name_str(pre, s);
    } else {
      static constexpr std::array<std::string_view, 2> keys{"pre", "i"};
      if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& c) {
            return i == 0 ? ref_name(fv, c, pre) : read_uint(fv, c, UINT64_MAX, num);
          }))
        return false;
      out = st_.name_num(pre, num);
    }
    return true;
  }

  bool parse_level(Key k, dom::element v, Level& out) {
    switch (k) {
      case Key::Succ: {
        Level l;
        if (!ref_level(v, Ctx{"level.succ"}, l)) return false;
        out = st_.level_succ(l);
        return true;
      }
      case Key::Param: {
        Name n;
        if (!ref_name(v, Ctx{"level.param"}, n)) return false;
        out = st_.level_param(n);
        return true;
      }
      default: {
        const Ctx ctx{k == Key::Max ? "level.max" : "level.imax"};
        Level ab[2];
        size_t count = 0;
        if (!each_element(v, ctx, [&](dom::element ev, const Ctx& c) {
              if (count >= 2) return fail(ReadErrorKind::InvalidValue, ctx.str() + ": expected exactly 2 levels");
              return ref_level(ev, c, ab[count++]);
            }))
          return false;
        if (count != 2)
          return fail(ReadErrorKind::InvalidValue, ctx.str() + ": expected exactly 2 levels, found " + std::to_string(count));
        out = k == Key::Max ? st_.level_max_core(ab[0], ab[1]) : st_.level_imax_core(ab[0], ab[1]);
        return true;
      }
    }
  }

  // ---- expressions ----
  bool read_binder_info(dom::element v, const Ctx& ctx, BinderInfo& out) {
    std::string_view s;
    if (!read_string(v, ctx, s)) return false;
    if (s == "default") out = BinderInfo::Default;
    else if (s == "implicit") out = BinderInfo::Implicit;
    else if (s == "strictImplicit") out = BinderInfo::StrictImplicit;
    else if (s == "instImplicit") out = BinderInfo::InstImplicit;
    else return fail(ReadErrorKind::InvalidValue, ctx.str() + ": unknown binder info '" + std::string(s) + "'");
    return true;
  }

  bool parse_expr(Key k, dom::element v, Expr& out) {
    switch (k) {
      case Key::BVar: {
        uint32_t i;
        if (!read_u32(v, Ctx{"expr.bvar"}, i)) return false;
        out = st_.mk_bvar(i);
        return true;
      }
      case Key::Sort: {
        Level l;
        if (!ref_level(v, Ctx{"expr.sort"}, l)) return false;
        out = st_.mk_sort(l);
        return true;
      }
      case Key::Const: {
        const Ctx ctx{"expr.const"};
        dom::object obj;
        if (!read_object(v, ctx, obj)) return false;
        Name n;
        tmp_levels_.clear();
        static constexpr std::array<std::string_view, 2> keys{"name", "us"};
        if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& c) {
              if (i == 0) return ref_name(fv, c, n);
              return each_element(fv, c, [&](dom::element ev, const Ctx& cc) {
                Level l;
                if (!ref_level(ev, cc, l)) return false;
                tmp_levels_.push_back(l);
                return true;
              });
            }))
          return false;
        out = st_.mk_const(n, st_.level_list(tmp_levels_));
        return true;
      }
      case Key::App: {
        const Ctx ctx{"expr.app"};
        dom::object obj;
        if (!read_object(v, ctx, obj)) return false;
        Expr f, a;
        static constexpr std::array<std::string_view, 2> keys{"fn", "arg"};
        if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& c) { return ref_expr(fv, c, i == 0 ? f : a); }))
          return false;
        out = st_.mk_app(f, a);
        return true;
      }
      case Key::Lam:
      case Key::ForallE: {
        const Ctx ctx{k == Key::Lam ? "expr.lam" : "expr.forallE"};
        dom::object obj;
        if (!read_object(v, ctx, obj)) return false;
        Name n;
        Expr ty, body;
        BinderInfo bi = BinderInfo::Default;
        static constexpr std::array<std::string_view, 4> keys{"name", "type", "body", "binderInfo"};
        if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& c) {
              switch (i) {
                case 0: return ref_name(fv, c, n);
                case 1: return ref_expr(fv, c, ty);
                case 2: return ref_expr(fv, c, body);
                default: return read_binder_info(fv, c, bi);
              }
            }))
          return false;
        out = k == Key::Lam ? st_.mk_lambda(n, bi, ty, body) : st_.mk_pi(n, bi, ty, body);
        return true;
      }
      case Key::LetE: {
        const Ctx ctx{"expr.letE"};
        dom::object obj;
        if (!read_object(v, ctx, obj)) return false;
        Name n;
        Expr ty, val, body;
        bool nondep = false;
        static constexpr std::array<std::string_view, 5> keys{"name", "type", "value", "body", "nondep"};
        if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& c) {
              switch (i) {
                case 0: return ref_name(fv, c, n);
                case 1: return ref_expr(fv, c, ty);
                case 2: return ref_expr(fv, c, val);
                case 3: return ref_expr(fv, c, body);
                default: return read_bool(fv, c, nondep);
              }
            }))
          return false;
        out = st_.mk_let(n, ty, val, body, nondep);
        return true;
      }
      case Key::Proj: {
        const Ctx ctx{"expr.proj"};
        dom::object obj;
        if (!read_object(v, ctx, obj)) return false;
        Name n;
        uint32_t idx = 0;
        Expr s;
        static constexpr std::array<std::string_view, 3> keys{"typeName", "idx", "struct"};
        if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& c) {
              switch (i) {
                case 0: return ref_name(fv, c, n);
                case 1: return read_u32(fv, c, idx);
                default: return ref_expr(fv, c, s);
              }
            }))
          return false;
        out = st_.mk_proj(n, idx, s);
        return true;
      }
      case Key::NatVal: {
        const Ctx ctx{"expr.natVal"};
        std::string_view s;
        if (!read_string(v, ctx, s)) return false;
        if (s.empty() || (s.size() > 1 && s[0] == '0'))
          return fail(ReadErrorKind::InvalidValue, ctx.str() + ": '" + std::string(s) + "' is not a canonical decimal numeral");
        uint64_t x = 0;
        bool small = s.size() <= 19;
        for (char ch : s) {
          if (ch < '0' || ch > '9')
            return fail(ReadErrorKind::InvalidValue, ctx.str() + ": '" + std::string(s) + "' is not a decimal numeral");
          if (small) x = x * 10 + static_cast<unsigned>(ch - '0');
        }
        out = small ? st_.mk_nat(x) : st_.mk_nat(mpz_class(std::string(s), 10));
        return true;
      }
      case Key::StrVal: {
        std::string_view s;
        if (!read_string(v, Ctx{"expr.strVal"}, s)) return false;
        out = st_.mk_str(s);
        return true;
      }
      case Key::MData: {
        // Metadata is transparent: the line's id denotes the inner expression.
        const Ctx ctx{"expr.mdata"};
        dom::object obj;
        if (!read_object(v, ctx, obj)) return false;
        Expr inner;
        static constexpr std::array<std::string_view, 2> keys{"expr", "data"};
        if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& c) {
              if (i == 0) return ref_expr(fv, c, inner);
              if (fv.type() != dom::element_type::OBJECT) return fail_type(fv, c, "an object");
              return true;
            }))
          return false;
        out = inner;
        return true;
      }
      default: return fail(ReadErrorKind::UnknownKind, "unknown expression kind");
    }
  }

  // ---- declarations ----
  bool read_hints(dom::element v, const Ctx& ctx, ReducibilityHints& out) {
    if (v.type() == dom::element_type::STRING) {
      std::string_view s(v);
      if (s == "opaque") out = {HintKind::Opaque, 0};
      else if (s == "abbrev") out = {HintKind::Abbrev, 0};
      else return fail(ReadErrorKind::InvalidValue, ctx.str() + ": unknown hint '" + std::string(s) + "'");
      return true;
    }
    if (v.type() != dom::element_type::OBJECT) return fail_type(v, ctx, "\"opaque\", \"abbrev\" or {\"regular\": n}");
    static constexpr std::array<std::string_view, 1> keys{"regular"};
    out.kind = HintKind::Regular;
    return fields(dom::object(v), ctx, keys, [&](size_t, dom::element fv, const Ctx& c) { return read_u32(fv, c, out.height); });
  }

  bool read_safety(dom::element v, const Ctx& ctx, Safety& out) {
    std::string_view s;
    if (!read_string(v, ctx, s)) return false;
    if (s == "safe") out = Safety::Safe;
    else if (s == "unsafe") out = Safety::Unsafe;
    else if (s == "partial") out = Safety::Partial;
    else return fail(ReadErrorKind::InvalidValue, ctx.str() + ": unknown safety '" + std::string(s) + "'");
    return true;
  }

  bool read_unsafe_flag(dom::element v, const Ctx& ctx, ConstantInfo& c) {
    bool u = false;
    if (!read_bool(v, ctx, u)) return false;
    c.safety = u ? Safety::Unsafe : Safety::Safe;
    return true;
  }

  static bool is_version(const std::string& v, std::string_view major_minor) {
    return v == major_minor || (v.size() > major_minor.size() && v.compare(0, major_minor.size(), major_minor) == 0 &&
                                v[major_minor.size()] == '.');
  }

  bool parse_decl(Key k, std::string_view key, dom::element v) {
    Declaration d;
    d.line = line_;
    d.offset = offset_;
    std::vector<ConstantInfo> consts;
    dom::object obj;
    switch (k) {
      case Key::Axiom: {
        const Ctx ctx{key};
        if (!read_object(v, ctx, obj)) return false;
        ConstantInfo c;
        c.kind = ConstKind::Axiom;
        static constexpr std::array<std::string_view, 4> keys{"name", "levelParams", "type", "isUnsafe"};
        if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& cx) {
              switch (i) {
                case 0: return ref_name(fv, cx, c.name);
                case 1: return ref_names(fv, cx, c.lparams);
                case 2: return ref_expr(fv, cx, c.type);
                default: return read_unsafe_flag(fv, cx, c);
              }
            }))
          return false;
        d.kind = DeclKind::Axiom;
        consts.push_back(std::move(c));
        break;
      }
      case Key::Def: {
        const Ctx ctx{key};
        if (!read_object(v, ctx, obj)) return false;
        ConstantInfo c;
        c.kind = ConstKind::Definition;
        static constexpr std::array<std::string_view, 7> keys{"name", "levelParams", "type", "value", "hints", "safety", "all"};
        if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& cx) {
              switch (i) {
                case 0: return ref_name(fv, cx, c.name);
                case 1: return ref_names(fv, cx, c.lparams);
                case 2: return ref_expr(fv, cx, c.type);
                case 3: return ref_expr(fv, cx, c.value);
                case 4: return read_hints(fv, cx, c.hints);
                case 5: return read_safety(fv, cx, c.safety);
                default: return ref_names(fv, cx, c.all);
              }
            }))
          return false;
        d.kind = DeclKind::Definition;
        consts.push_back(std::move(c));
        break;
      }
      case Key::Thm: {
        const Ctx ctx{key};
        if (!read_object(v, ctx, obj)) return false;
        ConstantInfo c;
        c.kind = ConstKind::Theorem;
        static constexpr std::array<std::string_view, 5> keys{"name", "levelParams", "type", "value", "all"};
        if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& cx) {
              switch (i) {
                case 0: return ref_name(fv, cx, c.name);
                case 1: return ref_names(fv, cx, c.lparams);
                case 2: return ref_expr(fv, cx, c.type);
                case 3: return ref_expr(fv, cx, c.value);
                default: return ref_names(fv, cx, c.all);
              }
            }))
          return false;
        d.kind = DeclKind::Theorem;
        consts.push_back(std::move(c));
        break;
      }
      case Key::Opaque: {
        const Ctx ctx{key};
        if (!read_object(v, ctx, obj)) return false;
        ConstantInfo c;
        c.kind = ConstKind::Opaque;
        static constexpr std::array<std::string_view, 6> keys{"name", "levelParams", "type", "value", "isUnsafe", "all"};
        if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& cx) {
              switch (i) {
                case 0: return ref_name(fv, cx, c.name);
                case 1: return ref_names(fv, cx, c.lparams);
                case 2: return ref_expr(fv, cx, c.type);
                case 3: return ref_expr(fv, cx, c.value);
                case 4: return read_unsafe_flag(fv, cx, c);
                default: return ref_names(fv, cx, c.all);
              }
            }, v30_ ? 1u << 4 : 0u))
          return false;
        d.kind = DeclKind::Opaque;
        consts.push_back(std::move(c));
        break;
      }
      case Key::Quot: {
        const Ctx ctx{key};
        if (!read_object(v, ctx, obj)) return false;
        ConstantInfo c;
        c.kind = ConstKind::Quot;
        static constexpr std::array<std::string_view, 4> keys{"name", "levelParams", "type", "kind"};
        if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& cx) {
              switch (i) {
                case 0: return ref_name(fv, cx, c.name);
                case 1: return ref_names(fv, cx, c.lparams);
                case 2: return ref_expr(fv, cx, c.type);
                default: {
                  std::string_view s;
                  if (!read_string(fv, cx, s)) return false;
                  if (s == "type") c.quot_kind = QuotKind::Type;
                  else if (s == "ctor") c.quot_kind = QuotKind::Ctor;
                  else if (s == "lift") c.quot_kind = QuotKind::Lift;
                  else if (s == "ind") c.quot_kind = QuotKind::Ind;
                  else return fail(ReadErrorKind::InvalidValue, cx.str() + ": unknown quotient kind '" + std::string(s) + "'");
                  return true;
                }
              }
            }))
          return false;
        d.kind = DeclKind::Quot;
        consts.push_back(std::move(c));
        break;
      }
      case Key::Inductive: {
        const Ctx ctx{key};
        if (!read_object(v, ctx, obj)) return false;
        std::vector<ConstantInfo> types, ctors, recs;
        static constexpr std::array<std::string_view, 3> keys31{"types", "ctors", "recs"};
        static constexpr std::array<std::string_view, 3> keys30{"inductiveVals", "constructorVals", "recursorVals"};
        if (!fields(obj, ctx, v30_ ? keys30 : keys31, [&](size_t i, dom::element fv, const Ctx& cx) {
              return each_element(fv, cx, [&](dom::element ev, const Ctx& c2) {
                ConstantInfo c;
                bool ok = i == 0 ? parse_inductive_type(ev, c2, c) : i == 1 ? parse_ctor(ev, c2, c) : parse_rec(ev, c2, c);
                if (!ok) return false;
                (i == 0 ? types : i == 1 ? ctors : recs).push_back(std::move(c));
                return true;
              });
            }))
          return false;
        d.kind = DeclKind::Inductive;
        for (auto& c : types) consts.push_back(std::move(c));
        for (auto& c : ctors) consts.push_back(std::move(c));
        for (auto& c : recs) consts.push_back(std::move(c));
        break;
      }
      default: return fail(ReadErrorKind::UnknownKind, "unknown declaration kind");
    }
    env_.add(d, std::move(consts));
    return true;
  }

  bool parse_inductive_type(dom::element v, const Ctx& ctx, ConstantInfo& c) {
    dom::object obj;
    if (!read_object(v, ctx, obj)) return false;
    c.kind = ConstKind::Inductive;
    static constexpr std::array<std::string_view, 11> keys{"name", "levelParams", "type", "numParams", "numIndices", "all",
                                                           "ctors", "numNested", "isRec", "isUnsafe", "isReflexive"};
    return fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& cx) {
      switch (i) {
        case 0: return ref_name(fv, cx, c.name);
        case 1: return ref_names(fv, cx, c.lparams);
        case 2: return ref_expr(fv, cx, c.type);
        case 3: return read_u32(fv, cx, c.num_params);
        case 4: return read_u32(fv, cx, c.num_indices);
        case 5: return ref_names(fv, cx, c.all);
        case 6: return ref_names(fv, cx, c.ctors);
        case 7: return read_u32(fv, cx, c.num_nested);
        case 8: return read_bool(fv, cx, c.is_rec);
        case 9: return read_unsafe_flag(fv, cx, c);
        default: return read_bool(fv, cx, c.is_reflexive);
      }
    });
  }

  bool parse_ctor(dom::element v, const Ctx& ctx, ConstantInfo& c) {
    dom::object obj;
    if (!read_object(v, ctx, obj)) return false;
    c.kind = ConstKind::Constructor;
    static constexpr std::array<std::string_view, 8> keys{"name", "levelParams", "type", "induct", "cidx", "numParams",
                                                          "numFields", "isUnsafe"};
    return fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& cx) {
      switch (i) {
        case 0: return ref_name(fv, cx, c.name);
        case 1: return ref_names(fv, cx, c.lparams);
        case 2: return ref_expr(fv, cx, c.type);
        case 3: return ref_name(fv, cx, c.induct);
        case 4: return read_u32(fv, cx, c.cidx);
        case 5: return read_u32(fv, cx, c.num_params);
        case 6: return read_u32(fv, cx, c.num_fields);
        default: return read_unsafe_flag(fv, cx, c);
      }
    });
  }

  bool parse_rec(dom::element v, const Ctx& ctx, ConstantInfo& c) {
    dom::object obj;
    if (!read_object(v, ctx, obj)) return false;
    c.kind = ConstKind::Recursor;
    static constexpr std::array<std::string_view, 11> keys{"name", "levelParams", "type", "all", "numParams", "numIndices",
                                                           "numMotives", "numMinors", "rules", "k", "isUnsafe"};
    return fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& cx) {
      switch (i) {
        case 0: return ref_name(fv, cx, c.name);
        case 1: return ref_names(fv, cx, c.lparams);
        case 2: return ref_expr(fv, cx, c.type);
        case 3: return ref_names(fv, cx, c.all);
        case 4: return read_u32(fv, cx, c.num_params);
        case 5: return read_u32(fv, cx, c.num_indices);
        case 6: return read_u32(fv, cx, c.num_motives);
        case 7: return read_u32(fv, cx, c.num_minors);
        case 8:
          return each_element(fv, cx, [&](dom::element ev, const Ctx& c2) {
            dom::object ro;
            if (!read_object(ev, c2, ro)) return false;
            RecursorRule r;
            static constexpr std::array<std::string_view, 3> rkeys{"ctor", "nfields", "rhs"};
            if (!fields(ro, c2, rkeys, [&](size_t j, dom::element rv, const Ctx& c3) {
                  switch (j) {
                    case 0: return ref_name(rv, c3, r.ctor);
                    case 1: return read_u32(rv, c3, r.nfields);
                    default: return ref_expr(rv, c3, r.rhs);
                  }
                }))
              return false;
            c.rules.push_back(r);
            return true;
          });
        case 9: return read_bool(fv, cx, c.k);
        default: return read_unsafe_flag(fv, cx, c);
      }
    });
  }

  // ---- after an unresolved reference: is the id defined later (forward) or never (dangling)? ----
  std::optional<uint64_t> find_definition_line(const char* p, size_t n, uint64_t first_line, const char* key) {
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

  void classify_pending(ChunkSource& src, const ChunkSource::Chunk& current) {
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

  TermStore& st_;
  Environment& env_;
  std::string file_;
  const ReadOptions& opts_;
  dom::parser parser_;
  IdMap names_, levels_, exprs_;
  std::vector<Level> tmp_levels_;
  uint64_t size_hint_ = 0;     // file size, 0 if unknown
  uint32_t exprs_at_start_ = 0;
  const char* chunk_end_ = nullptr;
  std::string str_buf_;                       // fast path: decoded strings
  std::vector<uint32_t> fids_, all_fids_;     // fast path: id arrays
  Pending ring_[kRing];
  uint32_t resolved_[2 * kRing] = {};
  uint64_t head_ = 0, tail_ = 0;              // sequence numbers: [head_, tail_) are pending
  std::vector<PendingDecl> decl_q_;
  size_t decl_head_ = 0;
  uint64_t line_ = 0;    // line of the document being processed (for errors and declarations)
  uint64_t offset_ = 0;  // its byte offset
  uint64_t lines_ = 0;   // lines fully consumed so far
  uint64_t bytes_ = 0;
  bool seen_meta_ = false;
  bool v30_ = false;  // the file declares format 3.0.x (see classify_v30_decl)
  bool failed_ = false;
  ReadError err_;
  struct {
    Family family = Family::None;
    uint32_t id = 0;
  } pending_;
};

ReadResult run_reader(ChunkSource& src, const std::string& label, std::shared_ptr<TermStore> store, const ReadOptions& opts,
                      uint64_t size_hint) {
  // Exceptions never cross the libhost API: running out of memory is a typed error.
  try {
    auto env = std::make_shared<Environment>(store);
    env->source = label;
    Reader reader(*store, *env, label, opts, size_hint);
    if (auto err = reader.run(src)) return std::unexpected(std::move(*err));
    return env;
  } catch (const std::bad_alloc&) {
    return std::unexpected(ReadError{ReadErrorKind::OutOfMemory, label, 0, 0, "out of memory while reading the export"});
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
  ChunkSource src(fd, opts.buffer_bytes);
  return run_reader(src, path, std::move(store), opts, size);
}

ReadResult read_export_buffer(std::string_view data, const std::string& label, std::shared_ptr<TermStore> store,
                              const ReadOptions& opts) {
  ChunkSource src(data);
  return run_reader(src, label, std::move(store), opts, data.size());
}

}  // namespace leanbatch::host
