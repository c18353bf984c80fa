#include "leanbatch/host/export_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <simdjson.h>
#include <unordered_map>
#include <vector>

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
  }
  return "?";
}

std::string ReadError::describe() const {
  std::string s = "'" + file + "': ";
  if (line > 0) s += "line " + std::to_string(line) + " (byte " + std::to_string(offset) + "): ";
  return s + message;
}

namespace {

namespace od = simdjson::ondemand;
constexpr size_t kPad = simdjson::SIMDJSON_PADDING;

// ---------------------------------------------------------------------------------------
// Line source: a growable padded buffer over a file descriptor or a memory copy.
class LineSource {
 public:
  LineSource(int fd, size_t cap) : fd_(fd) { alloc(cap); }
  explicit LineSource(std::string_view mem) : fd_(-1), eof_(true) {
    alloc(mem.size() + 1);
    std::memcpy(buf_.get(), mem.data(), mem.size());
    end_ = mem.size();
  }

  struct Line {
    const char* p;
    size_t len;
    size_t cap;  // readable bytes from p (len + padding at least)
    uint64_t number;
    uint64_t offset;
  };

  /// Next line (without the newline). False at end of input or on error (io_error set).
  bool next(Line& out, std::string& io_error) {
    for (;;) {
      const char* base = buf_.get();
      const void* nl = pos_ < end_ ? std::memchr(base + pos_, '\n', end_ - pos_) : nullptr;
      if (nl != nullptr) {
        size_t e = static_cast<const char*>(nl) - base;
        emit(out, e - pos_);
        pos_ = e + 1;
        return true;
      }
      if (eof_) {
        if (pos_ < end_) {
          emit(out, end_ - pos_);
          pos_ = end_;
          return true;
        }
        return false;
      }
      if (!fill(io_error)) return false;
    }
  }
  uint64_t bytes_consumed() const { return file_offset_ + pos_; }

 private:
  void alloc(size_t cap) {
    cap_ = std::max<size_t>(cap, 1024);
    buf_.reset(new char[cap_ + kPad]);
    std::memset(buf_.get(), 0, cap_ + kPad);
  }
  void emit(Line& out, size_t len) {
    out.p = buf_.get() + pos_;
    out.len = len;
    out.cap = cap_ + kPad - pos_;
    out.number = ++line_;
    out.offset = file_offset_ + pos_;
  }
  bool fill(std::string& io_error) {
    // Slide the partial line to the front; grow when a single line fills the buffer.
    if (pos_ > 0) {
      std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
      file_offset_ += pos_;
      end_ -= pos_;
      pos_ = 0;
    }
    if (end_ == cap_) {
      std::unique_ptr<char[]> bigger(new char[cap_ * 2 + kPad]);
      std::memcpy(bigger.get(), buf_.get(), end_);
      std::memset(bigger.get() + end_, 0, cap_ * 2 + kPad - end_);
      buf_ = std::move(bigger);
      cap_ *= 2;
    }
    for (;;) {
      ssize_t n = ::read(fd_, buf_.get() + end_, cap_ - end_);
      if (n < 0) {
        if (errno == EINTR) continue;
        io_error = std::strerror(errno);
        return false;
      }
      if (n == 0) eof_ = true;
      end_ += static_cast<size_t>(n);
      // Keep the padding after the data clean (simdjson may look at it).
      std::memset(buf_.get() + end_, 0, std::min<size_t>(kPad, cap_ + kPad - end_));
      return true;
    }
  }

  int fd_;
  bool eof_ = false;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t pos_ = 0;
  size_t end_ = 0;
  uint64_t file_offset_ = 0;
  uint64_t line_ = 0;
};

// ---------------------------------------------------------------------------------------
// File ids → store ids. Dense vector for compact id ranges, hash map for far-out ids.
class IdMap {
 public:
  uint32_t get(uint32_t fid) const {
    if (fid < dense_.size()) return dense_[fid];
    auto it = sparse_.find(fid);
    return it == sparse_.end() ? kNoId : it->second;
  }
  bool defined(uint32_t fid) const { return get(fid) != kNoId; }
  void set(uint32_t fid, uint32_t v) {
    if (fid >= dense_.size() && fid <= 2 * count_ + (1u << 20)) {
      size_t n = std::max<size_t>(static_cast<size_t>(fid) + 1, dense_.size() * 2);
      n = std::min<size_t>(n, static_cast<size_t>(kNoId));
      dense_.resize(n, kNoId);
    }
    if (fid < dense_.size())
      dense_[fid] = v;
    else
      sparse_[fid] = v;
    ++count_;
  }

 private:
  std::vector<uint32_t> dense_;
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

const char* json_type_name(od::value& v) {
  od::json_type t;
  if (v.type().get(t) != simdjson::SUCCESS) return "invalid JSON";
  switch (t) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
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
class Reader {
 public:
  Reader(TermStore& st, Environment& env, std::string file, const ReadOptions& opts)
      : st_(st), env_(env), file_(std::move(file)), opts_(opts) {
    // The predefined ids: name 0 is anonymous, level 0 is zero.
    names_.set(0, 0);
    levels_.set(0, 0);
  }

  std::optional<ReadError> run(LineSource& src) {
    auto t0 = std::chrono::steady_clock::now();
    LineSource::Line ln{};
    std::string io_error;
    uint64_t next_progress = 64u << 20;
    while (src.next(ln, io_error)) {
      line_ = ln.number;
      offset_ = ln.offset;
      if (!process(ln)) break;
      if (src.bytes_consumed() >= next_progress) {
        next_progress += 64u << 20;
        if (opts_.progress) opts_.progress(Progress{"read", src.bytes_consumed(), 0});
        if (opts_.cancel && opts_.cancel->requested()) {
          fail(ReadErrorKind::Cancelled, "reading cancelled");
          break;
        }
      }
    }
    if (!failed_ && !io_error.empty()) {
      line_ = 0;
      fail(ReadErrorKind::Io, "read error: " + io_error);
    }
    if (!failed_ && !seen_meta_) {
      line_ = 0;
      fail(ReadErrorKind::MissingMeta, "empty file: expected a `meta` line first");
    }
    if (failed_ && pending_.family != Family::None) classify_pending(src);
    env_.stats.bytes = src.bytes_consumed();
    env_.stats.lines = line_;
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
    std::string m = ctx.str() + ": invalid JSON (" + simdjson::error_message(e) + ")";
    if (e == simdjson::INCOMPLETE_ARRAY_OR_OBJECT || e == simdjson::TAPE_ERROR || e == simdjson::UNCLOSED_STRING)
      m += "; the line may be truncated";
    return fail(ReadErrorKind::InvalidJson, std::move(m));
  }
  bool fail_type(od::value& v, const Ctx& ctx, const char* expected) {
    return fail(ReadErrorKind::WrongType, ctx.str() + ": expected " + expected + ", found " + json_type_name(v));
  }

  // ---- scalar readers ----
  // Unsigned integer with an upper bound; distinguishes wrong type / negative / fraction / overflow.
  bool read_uint(od::value& v, const Ctx& ctx, uint64_t max, uint64_t& out) {
    std::string_view tok = v.raw_json_token();
    while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\t' || tok.back() == '\r' || tok.back() == '\n'))
      tok.remove_suffix(1);
    if (tok.empty()) return fail(ReadErrorKind::InvalidJson, ctx.str() + ": missing value");
    char c = tok[0];
    if (c == '-') {
      if (tok.size() > 1 && tok[1] >= '0' && tok[1] <= '9')
        return fail(ReadErrorKind::OutOfRange, ctx.str() + ": negative number " + std::string(tok) + " (expected an unsigned integer)");
      return fail(ReadErrorKind::InvalidJson, ctx.str() + ": invalid number '" + std::string(tok) + "'");
    }
    if (c < '0' || c > '9') {
      const char* found = c == '"' ? "a string" : c == '{' ? "an object" : c == '[' ? "an array"
                          : (c == 't' || c == 'f') ? "a boolean" : c == 'n' ? "null" : "invalid JSON";
      return fail(ReadErrorKind::WrongType, ctx.str() + ": expected an unsigned integer, found " + found);
    }
    uint64_t x = 0;
    bool overflow = false;
    size_t i = 0;
    for (; i < tok.size() && tok[i] >= '0' && tok[i] <= '9'; ++i) {
      unsigned d = static_cast<unsigned>(tok[i] - '0');
      if (x > (UINT64_MAX - d) / 10) overflow = true;
      x = x * 10 + d;
    }
    if (i < tok.size()) {
      if (tok[i] == '.' || tok[i] == 'e' || tok[i] == 'E')
        return fail(ReadErrorKind::OutOfRange, ctx.str() + ": " + std::string(tok) + " is not an integer");
      return fail(ReadErrorKind::InvalidJson, ctx.str() + ": invalid number '" + std::string(tok) + "'");
    }
    if (tok.size() > 1 && tok[0] == '0')
      return fail(ReadErrorKind::InvalidJson, ctx.str() + ": invalid number '" + std::string(tok) + "' (leading zero)");
    if (overflow || x > max)
      return fail(ReadErrorKind::OutOfRange, ctx.str() + ": " + std::string(tok) + " is out of range (maximum " +
                                                 std::to_string(max) + ")");
    out = x;
    return true;
  }
  bool read_u32(od::value& v, const Ctx& ctx, uint32_t& out) {
    uint64_t x;
    if (!read_uint(v, ctx, 0xFFFFFFFFu, x)) return false;
    out = static_cast<uint32_t>(x);
    return true;
  }
  bool read_bool(od::value& v, const Ctx& ctx, bool& out) {
    if (v.get_bool().get(out) != simdjson::SUCCESS) return fail_type(v, ctx, "a boolean");
    return true;
  }
  bool read_string(od::value& v, const Ctx& ctx, std::string_view& out) {
    od::json_type t;
    if (v.type().get(t) != simdjson::SUCCESS) return fail(ReadErrorKind::InvalidJson, ctx.str() + ": invalid JSON");
    if (t != od::json_type::string) return fail_type(v, ctx, "a string");
    auto e = v.get_string().get(out);
    if (e != simdjson::SUCCESS) return fail_json(e, ctx);
    return true;
  }
  bool read_object(od::value& v, const Ctx& ctx, od::object& out) {
    od::json_type t;
    if (v.type().get(t) != simdjson::SUCCESS) return fail(ReadErrorKind::InvalidJson, ctx.str() + ": invalid JSON");
    if (t != od::json_type::object) return fail_type(v, ctx, "an object");
    auto e = v.get_object().get(out);
    if (e != simdjson::SUCCESS) return fail_json(e, ctx);
    return true;
  }
  bool read_array(od::value& v, const Ctx& ctx, od::array& out) {
    od::json_type t;
    if (v.type().get(t) != simdjson::SUCCESS) return fail(ReadErrorKind::InvalidJson, ctx.str() + ": invalid JSON");
    if (t != od::json_type::array) return fail_type(v, ctx, "an array");
    auto e = v.get_array().get(out);
    if (e != simdjson::SUCCESS) return fail_json(e, ctx);
    return true;
  }
  template <class F>
  bool each_element(od::value& v, const Ctx& ctx, F&& f) {
    od::array arr;
    if (!read_array(v, ctx, arr)) return false;
    size_t i = 0;
    for (auto el : arr) {
      od::value ev;
      auto e = el.get(ev);
      if (e != simdjson::SUCCESS) return fail_json(e, ctx);
      if (!f(ev, Ctx{&ctx, static_cast<int64_t>(i)})) return false;
      ++i;
    }
    return true;
  }

  // ---- references ----
  bool unresolved(Family fam, uint32_t fid, const Ctx& ctx) {
    pending_ = {fam, fid};
    return fail(ReadErrorKind::DanglingReference, ctx.str() + " refers to " + family_noun(fam) + " " +
                                                      std::to_string(fid) + ", which is not defined on an earlier line");
  }
  bool ref_name(od::value& v, const Ctx& ctx, Name& out) {
    uint32_t fid;
    if (!read_u32(v, ctx, fid)) return false;
    uint32_t id = names_.get(fid);
    if (id == kNoId) return unresolved(Family::Name, fid, ctx);
    out = Name{id};
    return true;
  }
  bool ref_level(od::value& v, const Ctx& ctx, Level& out) {
    uint32_t fid;
    if (!read_u32(v, ctx, fid)) return false;
    uint32_t id = levels_.get(fid);
    if (id == kNoId) return unresolved(Family::Level, fid, ctx);
    out = Level{id};
    return true;
  }
  bool ref_expr(od::value& v, const Ctx& ctx, Expr& out) {
    uint32_t fid;
    if (!read_u32(v, ctx, fid)) return false;
    uint32_t id = exprs_.get(fid);
    if (id == kNoId) return unresolved(Family::Expr, fid, ctx);
    out = Expr{id};
    return true;
  }
  bool ref_names(od::value& v, const Ctx& ctx, std::vector<Name>& out) {
    out.clear();
    return each_element(v, ctx, [&](od::value& ev, const Ctx& c) {
      Name n;
      if (!ref_name(ev, c, n)) return false;
      out.push_back(n);
      return true;
    });
  }

  // ---- objects with a fixed set of keys ----
  // Calls f(index, value) for each field; rejects unknown and repeated keys; then requires
  // every key whose bit is not in `optional`.
  template <size_t N, class F>
  bool fields(od::object& obj, const Ctx& ctx, const std::array<std::string_view, N>& keys, F&& f,
              uint32_t optional = 0) {
    uint32_t seen = 0;
    for (auto field : obj) {
      std::string_view key;
      auto e = field.unescaped_key().get(key);
      if (e != simdjson::SUCCESS) return fail_json(e, ctx);
      size_t i = 0;
      while (i < N && keys[i] != key) ++i;
      if (i == N) return fail(ReadErrorKind::UnknownKey, ctx.str() + ": unknown key '" + std::string(key) + "'");
      if (seen & (1u << i)) return fail(ReadErrorKind::DuplicateKey, ctx.str() + ": key '" + std::string(key) + "' repeated");
      seen |= 1u << i;
      od::value v;
      e = field.value().get(v);
      if (e != simdjson::SUCCESS) return fail_json(e, ctx);
      if (!f(i, v, Ctx{&ctx, keys[i]})) return false;
    }
    if (failed_) return false;
    for (size_t i = 0; i < N; ++i)
      if (!(seen & (1u << i)) && !(optional & (1u << i)))
        return fail(ReadErrorKind::MissingField, ctx.str() + ": missing field '" + std::string(keys[i]) + "'");
    return true;
  }

  // ---- line dispatch ----
  bool process(const LineSource::Line& ln) {
    // Blank lines are tolerated.
    size_t k = 0;
    while (k < ln.len && (ln.p[k] == ' ' || ln.p[k] == '\t' || ln.p[k] == '\r')) ++k;
    if (k == ln.len) return true;

    od::document doc;
    auto e = parser_.iterate(simdjson::padded_string_view(ln.p, ln.len, ln.cap)).get(doc);
    if (e != simdjson::SUCCESS) return fail_json(e, "line");
    od::object obj;
    e = doc.get_object().get(obj);
    if (e != simdjson::SUCCESS) {
      if (e == simdjson::INCORRECT_TYPE) return fail(ReadErrorKind::InvalidJson, "line is not a JSON object");
      return fail_json(e, "line");
    }
    if (!seen_meta_) return process_meta(obj, doc);

    Family id_family = Family::None;
    uint32_t id_value = 0;
    Key kind = Key::Unknown;
    std::string kind_name;
    Expr made_expr;
    Name made_name;
    Level made_level;
    bool made = false;
    for (auto field : obj) {
      std::string_view key;
      e = field.unescaped_key().get(key);
      if (e != simdjson::SUCCESS) return fail_json(e, "line");
      Key kk = classify(key);
      od::value v;
      e = field.value().get(v);
      if (e != simdjson::SUCCESS) return fail_json(e, "line");
      if (kk == Key::In || kk == Key::Il || kk == Key::Ie) {
        if (id_family != Family::None) return fail(ReadErrorKind::DuplicateKey, "line has more than one id key");
        id_family = kk == Key::In ? Family::Name : kk == Key::Il ? Family::Level : Family::Expr;
        if (!read_u32(v, Ctx{kk == Key::In ? "in" : kk == Key::Il ? "il" : "ie"}, id_value)) return false;
        continue;
      }
      if (kk == Key::Unknown || kk == Key::Meta) {
        if (kk == Key::Meta) return fail(ReadErrorKind::UnknownKind, "a second `meta` line");
        return fail(ReadErrorKind::UnknownKind, "unknown kind '" + std::string(key) + "'");
      }
      if (kind != Key::Unknown)
        return fail(ReadErrorKind::UnknownKind, "line has two kinds, '" + kind_name + "' and '" + std::string(key) + "'");
      kind = kk;
      kind_name = std::string(key);
      switch (family_of(kk)) {
        case Family::Name: made = parse_name(kk, v, made_name); break;
        case Family::Level: made = parse_level(kk, v, made_level); break;
        case Family::Expr: made = parse_expr(kk, v, made_expr); break;
        case Family::Decl: made = parse_decl(kk, v, ln); break;
        default: break;
      }
      if (!made) return false;
    }
    if (failed_) return false;
    // One JSON object per line: the iterator must be at the end now.
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS)
      return fail(ReadErrorKind::InvalidJson, "trailing content after the JSON object");
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
        return fail(ReadErrorKind::UnknownKey, "declaration '" + kind_name + "' must not carry an id");
      ++env_.stats.decl_lines;
      return true;
    }
    if (id_family == Family::None)
      return fail(ReadErrorKind::MissingField, std::string(family_noun(fam)) + " '" + kind_name + "' has no id (expected key '" +
                                                   (fam == Family::Name ? "in" : fam == Family::Level ? "il" : "ie") + "')");
    if (id_family != fam)
      return fail(ReadErrorKind::UnknownKey, std::string(family_noun(fam)) + " '" + kind_name + "' carries a " +
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

  bool process_meta(od::object& obj, od::document& doc) {
    bool has_meta = false;
    for (auto field : obj) {
      std::string_view key;
      auto e = field.unescaped_key().get(key);
      if (e != simdjson::SUCCESS) return fail_json(e, "meta");
      if (key != "meta")
        return fail(ReadErrorKind::MissingMeta, "the first line must be the `meta` object, found key '" + std::string(key) + "'");
      od::value v;
      if ((e = field.value().get(v)) != simdjson::SUCCESS) return fail_json(e, "meta");
      od::object meta;
      if (!read_object(v, "meta", meta)) return false;
      has_meta = true;
      for (auto mf : meta) {
        std::string_view mk;
        if ((e = mf.unescaped_key().get(mk)) != simdjson::SUCCESS) return fail_json(e, "meta");
        od::value mv;
        if ((e = mf.value().get(mv)) != simdjson::SUCCESS) return fail_json(e, "meta");
        if (mk == "format" || mk == "exporter" || mk == "lean") {
          od::object sub;
          const Ctx meta_ctx{"meta"};
          const Ctx ctx{&meta_ctx, mk};
          if (!read_object(mv, ctx, sub)) return false;
          for (auto sf : sub) {
            std::string_view sk;
            if ((e = sf.unescaped_key().get(sk)) != simdjson::SUCCESS) return fail_json(e, "meta");
            od::value sv;
            if ((e = sf.value().get(sv)) != simdjson::SUCCESS) return fail_json(e, "meta");
            std::string* dst = nullptr;
            if (mk == "format" && sk == "version") dst = &env_.meta.format_version;
            if (mk == "exporter" && sk == "name") dst = &env_.meta.exporter_name;
            if (mk == "exporter" && sk == "version") dst = &env_.meta.exporter_version;
            if (mk == "lean" && sk == "version") dst = &env_.meta.lean_version;
            if (mk == "lean" && sk == "githash") dst = &env_.meta.lean_githash;
            if (dst) {
              std::string_view s;
              if (!read_string(sv, Ctx{&ctx, sk}, s)) return false;
              *dst = std::string(s);
            }
          }
        }
      }
    }
    (void)doc;
    if (!has_meta) return fail(ReadErrorKind::MissingMeta, "the first line must be the `meta` object");
    if (env_.meta.format_version.empty())
      return fail(ReadErrorKind::MissingMeta, "meta: missing field 'format.version'");
    // Accept 3.1.x. Other versions are declined, not misread.
    const std::string& fv = env_.meta.format_version;
    if (!(fv == "3.1" || fv.rfind("3.1.", 0) == 0))
      return fail(ReadErrorKind::UnsupportedFormat,
                  "export format version " + fv + " is not supported (leanbatch reads format 3.1.x)");
    seen_meta_ = true;
    return true;
  }

  // ---- names and levels ----
  bool parse_name(Key k, od::value& v, Name& out) {
    od::object obj;
    const Ctx ctx{k == Key::Str ? "name.str" : "name.num"};
    if (!read_object(v, ctx, obj)) return false;
    Name pre;
    std::string_view s;
    uint64_t num = 0;
    if (k == Key::Str) {
      static constexpr std::array<std::string_view, 2> keys{"pre", "str"};
      if (!fields(obj, ctx, keys, [&](size_t i, od::value& fv, const Ctx& c) {
            return i == 0 ? ref_name(fv, c, pre) : read_string(fv, c, s);
          }))
        return false;
      out = st_.name_str(pre, s);
    } else {
      static constexpr std::array<std::string_view, 2> keys{"pre", "i"};
      if (!fields(obj, ctx, keys, [&](size_t i, od::value& fv, const Ctx& c) {
            return i == 0 ? ref_name(fv, c, pre) : read_uint(fv, c, UINT64_MAX, num);
          }))
        return false;
      out = st_.name_num(pre, num);
    }
    return true;
  }

  bool parse_level(Key k, od::value& v, Level& out) {
    switch (k) {
      case Key::Succ: {
        Level l;
        if (!ref_level(v, "level.succ", l)) return false;
        out = st_.level_succ(l);
        return true;
      }
      case Key::Param: {
        Name n;
        if (!ref_name(v, "level.param", n)) return false;
        out = st_.level_param(n);
        return true;
      }
      default: {
        const Ctx ctx{k == Key::Max ? "level.max" : "level.imax"};
        Level ab[2];
        size_t count = 0;
        if (!each_element(v, ctx, [&](od::value& ev, const Ctx& c) {
              if (count >= 2) return fail(ReadErrorKind::InvalidValue, ctx.str() + ": expected exactly 2 levels");
              return ref_level(ev, c, ab[count++]);
            }))
          return false;
        if (count != 2) return fail(ReadErrorKind::InvalidValue, ctx.str() + ": expected exactly 2 levels, found " + std::to_string(count));
        out = k == Key::Max ? st_.level_max_core(ab[0], ab[1]) : st_.level_imax_core(ab[0], ab[1]);
        return true;
      }
    }
  }

  // ---- expressions ----
  bool read_binder_info(od::value& v, const Ctx& ctx, BinderInfo& out) {
    std::string_view s;
    if (!read_string(v, ctx, s)) return false;
    if (s == "default") out = BinderInfo::Default;
    else if (s == "implicit") out = BinderInfo::Implicit;
    else if (s == "strictImplicit") out = BinderInfo::StrictImplicit;
    else if (s == "instImplicit") out = BinderInfo::InstImplicit;
    else return fail(ReadErrorKind::InvalidValue, ctx.str() + ": unknown binder info '" + std::string(s) + "'");
    return true;
  }

  bool parse_expr(Key k, od::value& v, Expr& out) {
    switch (k) {
      case Key::BVar: {
        uint32_t i;
        if (!read_u32(v, "expr.bvar", i)) return false;
        out = st_.mk_bvar(i);
        return true;
      }
      case Key::Sort: {
        Level l;
        if (!ref_level(v, "expr.sort", l)) return false;
        out = st_.mk_sort(l);
        return true;
      }
      case Key::Const: {
        od::object obj;
        if (!read_object(v, "expr.const", obj)) return false;
        Name n;
        tmp_levels_.clear();
        static constexpr std::array<std::string_view, 2> keys{"name", "us"};
        if (!fields(obj, "expr.const", keys, [&](size_t i, od::value& fv, const Ctx& c) {
              if (i == 0) return ref_name(fv, c, n);
              return each_element(fv, c, [&](od::value& ev, const Ctx& cc) {
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
        od::object obj;
        if (!read_object(v, "expr.app", obj)) return false;
        Expr f, a;
        static constexpr std::array<std::string_view, 2> keys{"fn", "arg"};
        if (!fields(obj, "expr.app", keys, [&](size_t i, od::value& fv, const Ctx& c) {
              return ref_expr(fv, c, i == 0 ? f : a);
            }))
          return false;
        out = st_.mk_app(f, a);
        return true;
      }
      case Key::Lam:
      case Key::ForallE: {
        const Ctx ctx{k == Key::Lam ? "expr.lam" : "expr.forallE"};
        od::object obj;
        if (!read_object(v, ctx, obj)) return false;
        Name n;
        Expr ty, body;
        BinderInfo bi = BinderInfo::Default;
        static constexpr std::array<std::string_view, 4> keys{"name", "type", "body", "binderInfo"};
        if (!fields(obj, ctx, keys, [&](size_t i, od::value& fv, const Ctx& c) {
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
        od::object obj;
        if (!read_object(v, "expr.letE", obj)) return false;
        Name n;
        Expr ty, val, body;
        bool nondep = false;
        static constexpr std::array<std::string_view, 5> keys{"name", "type", "value", "body", "nondep"};
        if (!fields(obj, "expr.letE", keys, [&](size_t i, od::value& fv, const Ctx& c) {
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
        od::object obj;
        if (!read_object(v, "expr.proj", obj)) return false;
        Name n;
        uint32_t idx = 0;
        Expr s;
        static constexpr std::array<std::string_view, 3> keys{"typeName", "idx", "struct"};
        if (!fields(obj, "expr.proj", keys, [&](size_t i, od::value& fv, const Ctx& c) {
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
        std::string_view s;
        if (!read_string(v, "expr.natVal", s)) return false;
        if (s.empty() || (s.size() > 1 && s[0] == '0'))
          return fail(ReadErrorKind::InvalidValue, "expr.natVal: '" + std::string(s) + "' is not a canonical decimal numeral");
        uint64_t x = 0;
        bool small = s.size() <= 19;
        for (char c : s) {
          if (c < '0' || c > '9')
            return fail(ReadErrorKind::InvalidValue, "expr.natVal: '" + std::string(s) + "' is not a decimal numeral");
          if (small) x = x * 10 + static_cast<unsigned>(c - '0');
        }
        if (small) {
          out = st_.mk_nat(x);
        } else {
          mpz_class big(std::string(s), 10);
          out = st_.mk_nat(big);
        }
        return true;
      }
      case Key::StrVal: {
        std::string_view s;
        if (!read_string(v, "expr.strVal", s)) return false;
        out = st_.mk_str(s);
        return true;
      }
      case Key::MData: {
        // Metadata is transparent: the line's id denotes the inner expression.
        od::object obj;
        if (!read_object(v, "expr.mdata", obj)) return false;
        Expr inner;
        static constexpr std::array<std::string_view, 2> keys{"expr", "data"};
        if (!fields(obj, "expr.mdata", keys, [&](size_t i, od::value& fv, const Ctx& c) {
              if (i == 0) return ref_expr(fv, c, inner);
              od::json_type t;
              if (fv.type().get(t) != simdjson::SUCCESS) return fail(ReadErrorKind::InvalidJson, c.str() + ": invalid JSON");
              if (t != od::json_type::object) return fail_type(fv, c, "an object");
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
  bool read_hints(od::value& v, const Ctx& ctx, ReducibilityHints& out) {
    od::json_type t;
    if (v.type().get(t) != simdjson::SUCCESS) return fail(ReadErrorKind::InvalidJson, ctx.str() + ": invalid JSON");
    if (t == od::json_type::string) {
      std::string_view s;
      if (!read_string(v, ctx, s)) return false;
      if (s == "opaque") out = {HintKind::Opaque, 0};
      else if (s == "abbrev") out = {HintKind::Abbrev, 0};
      else return fail(ReadErrorKind::InvalidValue, ctx.str() + ": unknown hint '" + std::string(s) + "'");
      return true;
    }
    if (t != od::json_type::object) return fail_type(v, ctx, "\"opaque\", \"abbrev\" or {\"regular\": n}");
    od::object obj;
    if (!read_object(v, ctx, obj)) return false;
    static constexpr std::array<std::string_view, 1> keys{"regular"};
    out.kind = HintKind::Regular;
    return fields(obj, ctx, keys, [&](size_t, od::value& fv, const Ctx& c) { return read_u32(fv, c, out.height); });
  }

  bool read_safety(od::value& v, const Ctx& ctx, Safety& out) {
    std::string_view s;
    if (!read_string(v, ctx, s)) return false;
    if (s == "safe") out = Safety::Safe;
    else if (s == "unsafe") out = Safety::Unsafe;
    else if (s == "partial") out = Safety::Partial;
    else return fail(ReadErrorKind::InvalidValue, ctx.str() + ": unknown safety '" + std::string(s) + "'");
    return true;
  }

  bool read_unsafe_flag(od::value& v, const Ctx& ctx, ConstantInfo& c) {
    bool u = false;
    if (!read_bool(v, ctx, u)) return false;
    c.safety = u ? Safety::Unsafe : Safety::Safe;
    return true;
  }

  bool parse_decl(Key k, od::value& v, const LineSource::Line& ln) {
    Declaration d;
    d.line = ln.number;
    d.offset = ln.offset;
    std::vector<ConstantInfo> consts;
    od::object obj;
    switch (k) {
      case Key::Axiom: {
        if (!read_object(v, "axiom", obj)) return false;
        ConstantInfo c;
        c.kind = ConstKind::Axiom;
        static constexpr std::array<std::string_view, 4> keys{"name", "levelParams", "type", "isUnsafe"};
        if (!fields(obj, "axiom", keys, [&](size_t i, od::value& fv, const Ctx& cx) {
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
        if (!read_object(v, "def", obj)) return false;
        ConstantInfo c;
        c.kind = ConstKind::Definition;
        static constexpr std::array<std::string_view, 7> keys{"name", "levelParams", "type", "value", "hints", "safety", "all"};
        if (!fields(obj, "def", keys, [&](size_t i, od::value& fv, const Ctx& cx) {
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
        if (!read_object(v, "thm", obj)) return false;
        ConstantInfo c;
        c.kind = ConstKind::Theorem;
        static constexpr std::array<std::string_view, 5> keys{"name", "levelParams", "type", "value", "all"};
        if (!fields(obj, "thm", keys, [&](size_t i, od::value& fv, const Ctx& cx) {
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
        if (!read_object(v, "opaque", obj)) return false;
        ConstantInfo c;
        c.kind = ConstKind::Opaque;
        static constexpr std::array<std::string_view, 6> keys{"name", "levelParams", "type", "value", "isUnsafe", "all"};
        if (!fields(obj, "opaque", keys, [&](size_t i, od::value& fv, const Ctx& cx) {
              switch (i) {
                case 0: return ref_name(fv, cx, c.name);
                case 1: return ref_names(fv, cx, c.lparams);
                case 2: return ref_expr(fv, cx, c.type);
                case 3: return ref_expr(fv, cx, c.value);
                case 4: return read_unsafe_flag(fv, cx, c);
                default: return ref_names(fv, cx, c.all);
              }
            }))
          return false;
        d.kind = DeclKind::Opaque;
        consts.push_back(std::move(c));
        break;
      }
      case Key::Quot: {
        if (!read_object(v, "quot", obj)) return false;
        ConstantInfo c;
        c.kind = ConstKind::Quot;
        static constexpr std::array<std::string_view, 4> keys{"name", "levelParams", "type", "kind"};
        if (!fields(obj, "quot", keys, [&](size_t i, od::value& fv, const Ctx& cx) {
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
        if (!read_object(v, "inductive", obj)) return false;
        std::vector<ConstantInfo> types, ctors, recs;
        static constexpr std::array<std::string_view, 3> keys{"types", "ctors", "recs"};
        if (!fields(obj, "inductive", keys, [&](size_t i, od::value& fv, const Ctx& cx) {
              return each_element(fv, cx, [&](od::value& ev, const Ctx& c2) {
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

  bool parse_inductive_type(od::value& v, const Ctx& ctx, ConstantInfo& c) {
    od::object obj;
    if (!read_object(v, ctx, obj)) return false;
    c.kind = ConstKind::Inductive;
    static constexpr std::array<std::string_view, 11> keys{"name", "levelParams", "type", "numParams", "numIndices", "all",
                                                           "ctors", "numNested", "isRec", "isUnsafe", "isReflexive"};
    return fields(obj, ctx, keys, [&](size_t i, od::value& fv, const Ctx& cx) {
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

  bool parse_ctor(od::value& v, const Ctx& ctx, ConstantInfo& c) {
    od::object obj;
    if (!read_object(v, ctx, obj)) return false;
    c.kind = ConstKind::Constructor;
    static constexpr std::array<std::string_view, 8> keys{"name", "levelParams", "type", "induct", "cidx", "numParams",
                                                          "numFields", "isUnsafe"};
    return fields(obj, ctx, keys, [&](size_t i, od::value& fv, const Ctx& cx) {
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

  bool parse_rec(od::value& v, const Ctx& ctx, ConstantInfo& c) {
    od::object obj;
    if (!read_object(v, ctx, obj)) return false;
    c.kind = ConstKind::Recursor;
    static constexpr std::array<std::string_view, 11> keys{"name", "levelParams", "type", "all", "numParams", "numIndices",
                                                           "numMotives", "numMinors", "rules", "k", "isUnsafe"};
    return fields(obj, ctx, keys, [&](size_t i, od::value& fv, const Ctx& cx) {
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
          return each_element(fv, cx, [&](od::value& ev, const Ctx& c2) {
            od::object ro;
            if (!read_object(ev, c2, ro)) return false;
            RecursorRule r;
            static constexpr std::array<std::string_view, 3> rkeys{"ctor", "nfields", "rhs"};
            if (!fields(ro, c2, rkeys, [&](size_t j, od::value& rv, const Ctx& c3) {
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
  void classify_pending(LineSource& src) {
    const char* key = pending_.family == Family::Name ? "in" : pending_.family == Family::Level ? "il" : "ie";
    LineSource::Line ln{};
    std::string io;
    while (src.next(ln, io)) {
      od::document doc;
      if (parser_.iterate(simdjson::padded_string_view(ln.p, ln.len, ln.cap)).get(doc) != simdjson::SUCCESS) continue;
      od::object obj;
      if (doc.get_object().get(obj) != simdjson::SUCCESS) continue;
      for (auto field : obj) {
        std::string_view k;
        if (field.unescaped_key().get(k) != simdjson::SUCCESS || k != key) continue;
        uint64_t id;
        if (field.value().get_uint64().get(id) == simdjson::SUCCESS && id == pending_.id) {
          err_.kind = ReadErrorKind::ForwardReference;
          auto pos = err_.message.rfind(", which is not defined on an earlier line");
          if (pos != std::string::npos) err_.message.resize(pos);
          err_.message += ", which is only defined later, on line " + std::to_string(ln.number) +
                          " (ids must refer to earlier lines)";
          return;
        }
        break;
      }
    }
    auto pos = err_.message.rfind(", which is not defined on an earlier line");
    if (pos != std::string::npos) err_.message.resize(pos);
    err_.message += ", which is never defined";
  }

  TermStore& st_;
  Environment& env_;
  std::string file_;
  const ReadOptions& opts_;
  od::parser parser_;
  IdMap names_, levels_, exprs_;
  std::vector<Level> tmp_levels_;
  uint64_t line_ = 0;
  uint64_t offset_ = 0;
  bool seen_meta_ = false;
  bool failed_ = false;
  ReadError err_;
  struct {
    Family family = Family::None;
    uint32_t id = 0;
  } pending_;
};

ReadResult run_reader(LineSource& src, const std::string& label, std::shared_ptr<TermStore> store, const ReadOptions& opts) {
  auto env = std::make_shared<Environment>(store);
  env->source = label;
  Reader reader(*store, *env, label, opts);
  if (auto err = reader.run(src)) return std::unexpected(std::move(*err));
  return env;
}

}  // namespace

ReadResult read_export_file(const std::string& path, std::shared_ptr<TermStore> store, const ReadOptions& opts) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(ReadError{ReadErrorKind::Io, path, 0, 0, std::string("cannot open: ") + std::strerror(errno)});
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  LineSource src(fd, opts.buffer_bytes);
  return run_reader(src, path, std::move(store), opts);
}

ReadResult read_export_buffer(std::string_view data, const std::string& label, std::shared_ptr<TermStore> store,
                              const ReadOptions& opts) {
  LineSource src(data);
  return run_reader(src, label, std::move(store), opts);
}

}  // namespace leanbatch::host
