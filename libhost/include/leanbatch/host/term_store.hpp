#pragma once
/// TermStore: the hash-consed store of names, universe levels and expressions.
///
/// Every node is immutable and interned: building a node that already exists returns the
/// existing id, so structural equality is id equality and caches can key on ids. Each
/// expression carries a packed data word: a 32-bit structural hash (binder names and binder
/// info excluded, so alpha-equivalent terms hash alike), the loose bound-variable range
/// (largest loose de Bruijn index + 1, saturating) and flags (has free variables, has level
/// parameters). Traversals use the range to skip closed subterms.
///
/// The store is single-threaded. See detail/intern_table.hpp for the scratch region that the
/// kernel uses for temporary terms.
#include <gmpxx.h>

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "leanbatch/host/detail/flat_map.hpp"
#include "leanbatch/host/detail/intern_table.hpp"
#include "leanbatch/host/ids.hpp"

namespace leanbatch::host {

enum class NameKind : uint8_t { Anonymous, Str, Num };
enum class LevelKind : uint8_t { Zero, Succ, Max, IMax, Param };
enum class ExprKind : uint8_t { BVar, FVar, Sort, Const, App, Lam, Pi, Let, NatLit, StrLit, Proj };
enum class BinderInfo : uint8_t { Default, Implicit, StrictImplicit, InstImplicit };

const char* to_string(ExprKind k);
const char* to_string(BinderInfo b);

namespace detail {
struct StringNode {
  uint32_t hash;
  uint32_t len;
  const char* data;
};
struct NameNode {
  uint32_t hash;
  NameKind kind;
  uint32_t prefix;
  uint32_t str;  // string id (Str)
  uint64_t num;  // value (Num)
};
struct LevelNode {
  uint32_t hash;
  LevelKind kind;
  bool has_param;
  uint32_t a;  // Succ: pred; Max/IMax: lhs; Param: name id
  uint32_t b;  // Max/IMax: rhs
};
struct LevelListNode {
  uint32_t hash;
  uint32_t len;
  const Level* data;
};
/// 20 bytes. Operands by kind: BVar/FVar a = index; Sort a = level; Const a = name,
/// b = level list; App a = fn, b = arg; Lam/Pi a = name, b = domain, c = body; Let a = name,
/// b = type, c = index into TermStore::lets_ (value and body); NatLit b|c = value (small) or
/// a = index into TermStore::bignats_ (kFlagBigNat); StrLit a = string; Proj a = structure
/// name, b = field index, c = expression.
struct ExprNode {
  uint32_t hash;
  ExprKind kind;
  uint8_t flags;
  uint16_t range;  // loose bvar range; kRangeOverflow: the exact value is in TermStore::big_ranges_
  uint32_t a, b, c;
};
static_assert(sizeof(ExprNode) == 20);
inline constexpr uint16_t kRangeOverflow = 0xFFFF;
struct LetOperands {
  uint32_t value, body;
};
struct BigNatNode {
  uint32_t hash;
  uint32_t index;  // into TermStore::bignats_
};

/// Arena of contiguous runs of T with stable addresses; supports truncation back to a mark.
template <class T>
class SpanArena {
 public:
  struct Mark {
    size_t chunk;
    size_t used;
  };
  const T* add(const T* src, size_t n);
  Mark mark() const { return {chunks_.size(), chunks_.empty() ? 0 : used_}; }
  void reset_to(Mark m);
  size_t bytes() const { return bytes_; }

 private:
  static constexpr size_t kChunk = 1 << 16;
  struct Chunk {
    std::unique_ptr<T[]> data;
    size_t cap;
  };
  std::vector<Chunk> chunks_;
  size_t used_ = 0;
  size_t bytes_ = 0;
};
}  // namespace detail

inline constexpr uint8_t kFlagHasFVar = 1;
inline constexpr uint8_t kFlagHasLParam = 2;
inline constexpr uint8_t kFlagBinderShift = 2;  // two bits
inline constexpr uint8_t kFlagNonDep = 16;
inline constexpr uint8_t kFlagBigNat = 32;

/// What a parent node's data is derived from: a child's hash, flags and exact loose bvar range.
struct ExprSig {
  uint32_t hash;
  uint8_t flags;
  uint32_t range;
};

/// An expression node described but not interned yet: hash, flags and range are final, the
/// operands are ids (a Let has four). Lets the export reader describe a node, prefetch its
/// index slot and intern it a few lines later, when the ids of its children are known
/// (TermStore::intern_draft; speed only). mk_* build drafts with the same functions.
struct ExprDraft {
  uint32_t hash;
  ExprKind kind;
  uint8_t flags;
  uint32_t range;
  uint32_t op[4];
  ExprSig sig() const { return {hash, flags, range}; }
};

class TermStore {
 public:
  TermStore();
  TermStore(const TermStore&) = delete;
  TermStore& operator=(const TermStore&) = delete;

  // ---- strings ----
  uint32_t intern_string(std::string_view s);
  std::string_view string(uint32_t id) const {
    const auto& n = strings_[id];
    return {n.data, n.len};
  }

  // ---- names ----
  Name anonymous() const { return Name{0}; }
  Name name_str(Name prefix, std::string_view s);
  Name name_num(Name prefix, uint64_t i);
  /// Splits on '.' (no escaping); "" is anonymous. For user-supplied names on the command line.
  Name name_from_dotted(std::string_view dotted);
  NameKind name_kind(Name n) const { return names_[n.id].kind; }
  Name name_prefix(Name n) const { return Name{names_[n.id].prefix}; }
  std::string_view name_string(Name n) const { return string(names_[n.id].str); }
  uint64_t name_number(Name n) const { return names_[n.id].num; }
  uint32_t name_hash(Name n) const { return names_[n.id].hash; }
  std::string name_to_string(Name n) const;
  /// Appends the dotted form of `n` (nothing for the anonymous name); with `lean_syntax`, in
  /// Lean's name syntax (see name_to_lean_syntax).
  void append_name(std::string& out, Name n, bool lean_syntax = false) const;
  // Lean's name syntax (name_syntax.cpp), for names that a policy compares: unlike the plain
  // dotted form, it tells `«Classical.choice»` (one component) from `Classical.choice`.
  /// `n` with every component that the dotted form would make ambiguous (empty, all digits,
  /// containing '.', '«', '»' or a space or control character) quoted as «component».
  std::string name_to_lean_syntax(Name n) const;
  /// Parses Lean's name syntax: components split on '.', a «quoted» component verbatim, an
  /// unquoted all-digit component a numeric one. An error message for malformed syntax.
  std::expected<Name, std::string> name_from_lean_syntax(std::string_view text);
  /// Total order on names: component-wise, numbers before strings, as Lean's Name.cmp.
  int name_cmp(Name a, Name b) const;
  /// Returns `n` with prefix `from` replaced by `to` (n unchanged if `from` is not a prefix).
  Name name_replace_prefix(Name n, Name from, Name to);
  bool name_is_prefix_of(Name p, Name n) const;
  /// Lean's Name.appendIndexAfter: `n_i` on the last string component.
  Name name_append_index(Name n, uint64_t i);
  /// Lean's Name.appendAfter: last string component suffixed with `s`.
  Name name_append_after(Name n, std::string_view s);
  uint32_t name_count() const { return names_.size(); }

  // ---- levels ----
  Level level_zero() const { return Level{0}; }
  Level level_succ(Level l);
  Level level_max_core(Level a, Level b);
  Level level_imax_core(Level a, Level b);
  Level level_param(Name n);
  LevelKind level_kind(Level l) const { return levels_[l.id].kind; }
  Level level_pred(Level l) const { return Level{levels_[l.id].a}; }
  Level level_lhs(Level l) const { return Level{levels_[l.id].a}; }
  Level level_rhs(Level l) const { return Level{levels_[l.id].b}; }
  Name level_param_name(Level l) const { return Name{levels_[l.id].a}; }
  bool level_has_param(Level l) const { return levels_[l.id].has_param; }
  uint32_t level_hash(Level l) const { return levels_[l.id].hash; }
  uint32_t level_count() const { return levels_.size(); }

  LevelList level_list(std::span<const Level> ls);
  std::span<const Level> levels(LevelList l) const {
    const auto& n = level_lists_[l.id];
    return {n.data, n.len};
  }
  uint32_t level_list_hash(LevelList l) const { return level_lists_[l.id].hash; }

  // ---- expressions ----
  Expr mk_bvar(uint32_t idx);
  Expr mk_fvar(uint32_t idx);
  Expr mk_sort(Level l);
  Expr mk_const(Name n, LevelList ls);
  Expr mk_app(Expr f, Expr a);
  Expr mk_lambda(Name n, BinderInfo bi, Expr dom, Expr body) { return mk_binder(ExprKind::Lam, n, bi, dom, body); }
  Expr mk_pi(Name n, BinderInfo bi, Expr dom, Expr body) { return mk_binder(ExprKind::Pi, n, bi, dom, body); }
  Expr mk_binder(ExprKind k, Name n, BinderInfo bi, Expr dom, Expr body);
  Expr mk_let(Name n, Expr type, Expr value, Expr body, bool nondep);
  Expr mk_nat(uint64_t v);
  Expr mk_nat(const mpz_class& v);
  Expr mk_str(std::string_view s);
  Expr mk_proj(Name struct_name, uint32_t idx, Expr e);

  ExprKind kind(Expr e) const { return exprs_[e.id].kind; }
  uint32_t hash(Expr e) const { return exprs_[e.id].hash; }
  /// Largest loose bound variable index + 1 (0: no loose bound variables). Exact; saturates
  /// only at 2^32 - 1.
  uint32_t loose_bvar_range(Expr e) const {
    uint16_t r = exprs_[e.id].range;
    return r != detail::kRangeOverflow ? r : big_range(e.id);
  }
  bool has_loose_bvars(Expr e) const { return exprs_[e.id].range != 0; }
  bool has_fvar(Expr e) const { return exprs_[e.id].flags & kFlagHasFVar; }
  bool has_lparam(Expr e) const { return exprs_[e.id].flags & kFlagHasLParam; }

  bool is_app(Expr e) const { return kind(e) == ExprKind::App; }
  bool is_lambda(Expr e) const { return kind(e) == ExprKind::Lam; }
  bool is_pi(Expr e) const { return kind(e) == ExprKind::Pi; }
  bool is_binder(Expr e) const { return kind(e) == ExprKind::Lam || kind(e) == ExprKind::Pi; }
  bool is_sort(Expr e) const { return kind(e) == ExprKind::Sort; }
  bool is_const(Expr e) const { return kind(e) == ExprKind::Const; }
  bool is_fvar(Expr e) const { return kind(e) == ExprKind::FVar; }
  bool is_bvar(Expr e) const { return kind(e) == ExprKind::BVar; }

  uint32_t bvar_idx(Expr e) const { return exprs_[e.id].a; }
  uint32_t fvar_idx(Expr e) const { return exprs_[e.id].a; }
  Level sort_level(Expr e) const { return Level{exprs_[e.id].a}; }
  Name const_name(Expr e) const { return Name{exprs_[e.id].a}; }
  LevelList const_levels(Expr e) const { return LevelList{exprs_[e.id].b}; }
  Expr app_fn(Expr e) const { return Expr{exprs_[e.id].a}; }
  Expr app_arg(Expr e) const { return Expr{exprs_[e.id].b}; }
  Name binding_name(Expr e) const { return Name{exprs_[e.id].a}; }
  Expr binding_domain(Expr e) const { return Expr{exprs_[e.id].b}; }
  Expr binding_body(Expr e) const { return Expr{exprs_[e.id].c}; }
  BinderInfo binding_info(Expr e) const {
    return static_cast<BinderInfo>((exprs_[e.id].flags >> kFlagBinderShift) & 3);
  }
  Name let_name(Expr e) const { return Name{exprs_[e.id].a}; }
  Expr let_type(Expr e) const { return Expr{exprs_[e.id].b}; }
  Expr let_value(Expr e) const { return Expr{lets_[exprs_[e.id].c].value}; }
  Expr let_body(Expr e) const { return Expr{lets_[exprs_[e.id].c].body}; }
  bool let_nondep(Expr e) const { return exprs_[e.id].flags & kFlagNonDep; }
  Name proj_struct(Expr e) const { return Name{exprs_[e.id].a}; }
  uint32_t proj_idx(Expr e) const { return exprs_[e.id].b; }
  Expr proj_expr(Expr e) const { return Expr{exprs_[e.id].c}; }
  bool nat_is_small(Expr e) const { return !(exprs_[e.id].flags & kFlagBigNat); }
  uint64_t nat_small(Expr e) const {
    const auto& n = exprs_[e.id];
    return static_cast<uint64_t>(n.b) | (static_cast<uint64_t>(n.c) << 32);
  }
  mpz_class nat_value(Expr e) const;
  std::string nat_to_string(Expr e) const;
  std::string_view str_value(Expr e) const { return string(exprs_[e.id].a); }

  uint32_t expr_count() const { return exprs_.size(); }

  // ---- application spines ----
  Expr app_head(Expr e) const {
    while (kind(e) == ExprKind::App) e = app_fn(e);
    return e;
  }
  unsigned app_num_args(Expr e) const {
    unsigned n = 0;
    while (kind(e) == ExprKind::App) {
      e = app_fn(e);
      ++n;
    }
    return n;
  }
  /// Head and arguments in application order.
  Expr app_args(Expr e, std::vector<Expr>& args) const;
  Expr mk_app(Expr f, std::span<const Expr> args);
  Expr mk_app(Expr f, std::initializer_list<Expr> args) { return mk_app(f, std::span<const Expr>(args.begin(), args.size())); }

  // ---- scratch region ----
  /// After begin_scratch(), new nodes are temporary until drop_scratch(), which forgets all
  /// of them (their ids become invalid). Persistent data must never point at scratch nodes.
  void begin_scratch();
  void drop_scratch();
  bool scratch_active() const { return exprs_.scratch_active(); }
  /// A name that outlives the current scratch region (every name outside scratch mode).
  bool name_is_persistent(Name n) const { return !names_.scratch_active() || n.id < names_.watermark(); }
  /// Number of scratch expression nodes currently alive (0 outside scratch mode).
  uint32_t scratch_exprs() const { return exprs_.size() - exprs_.watermark(); }
  uint32_t fresh_fvar_index() {
    if (next_fvar_ >= kNoId - 1) throw std::bad_alloc();  // never wrap (see ChunkedVector::push_back)
    return next_fvar_++;
  }

  /// Room for `n` more expression nodes without rehashing the index (speed only).
  void reserve_exprs(size_t n) { exprs_.reserve(n); }

  // ---- drafts (pipelined construction, for the export reader; speed only) ----
  ExprSig sig(Expr e) const {
    const auto& n = exprs_[e.id];
    return {n.hash, n.flags, n.range != detail::kRangeOverflow ? n.range : big_range(e.id)};
  }
  static ExprDraft draft_bvar(uint32_t idx);
  ExprDraft draft_sort(Level l) const;
  ExprDraft draft_const(Name n, LevelList ls) const;
  static ExprDraft draft_app(ExprSig f, uint32_t f_id, ExprSig a, uint32_t a_id);
  static ExprDraft draft_binder(ExprKind k, Name n, BinderInfo bi, ExprSig dom, uint32_t dom_id, ExprSig body,
                                uint32_t body_id);
  static ExprDraft draft_let(Name n, ExprSig type, uint32_t type_id, ExprSig value, uint32_t value_id, ExprSig body,
                             uint32_t body_id, bool nondep);
  static ExprDraft draft_nat(uint64_t v);
  /// Interns the string.
  ExprDraft draft_str(std::string_view s);
  ExprDraft draft_proj(Name struct_name, uint32_t idx, ExprSig e, uint32_t e_id) const;
  /// Brings the index line of the draft's hash into the cache (speed only).
  void prefetch(const ExprDraft& d) const { exprs_.prefetch(d.hash); }
  /// The node described by `d` (whose operands must be valid ids).
  Expr intern_draft(const ExprDraft& d);

  /// Approximate heap bytes held by the store.
  size_t bytes() const;

 private:
  friend struct StoreImage;  // export images: writes and maps the tables (src/image/)
  uint32_t big_range(uint32_t id) const;

  detail::InternTable<detail::StringNode> strings_;
  detail::SpanArena<char> chars_;
  detail::InternTable<detail::NameNode> names_;
  detail::InternTable<detail::LevelNode> levels_;
  detail::InternTable<detail::LevelListNode> level_lists_;
  detail::SpanArena<Level> level_items_;
  detail::InternTable<detail::ExprNode> exprs_;
  detail::InternTable<detail::BigNatNode> bignat_index_;
  std::vector<mpz_class> bignats_;
  std::vector<detail::LetOperands> lets_;
  // Exact loose bvar ranges of the nodes whose range does not fit in 16 bits (only absurdly
  // deep terms have one), persistent and scratch.
  detail::FlatMap64 big_ranges_{16};
  detail::FlatMap64 scratch_big_ranges_{16};

  // Scratch marks.
  detail::SpanArena<char>::Mark chars_mark_{};
  detail::SpanArena<Level>::Mark level_items_mark_{};
  size_t bignats_mark_ = 0;
  size_t lets_mark_ = 0;
  uint32_t next_fvar_ = 0;
};

}  // namespace leanbatch::host
