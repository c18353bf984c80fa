#include "leanbatch/host/term_store.hpp"

#include "leanbatch/host/name_syntax.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace leanbatch::host {

const char* to_string(ExprKind k) {
  switch (k) {
    case ExprKind::BVar: return "bvar";
    case ExprKind::FVar: return "fvar";
    case ExprKind::Sort: return "sort";
    case ExprKind::Const: return "const";
    case ExprKind::App: return "app";
    case ExprKind::Lam: return "lam";
    case ExprKind::Pi: return "forallE";
    case ExprKind::Let: return "letE";
    case ExprKind::NatLit: return "natVal";
    case ExprKind::StrLit: return "strVal";
    case ExprKind::Proj: return "proj";
  }
  return "?";
}

const char* to_string(BinderInfo b) {
  switch (b) {
    case BinderInfo::Default: return "default";
    case BinderInfo::Implicit: return "implicit";
    case BinderInfo::StrictImplicit: return "strictImplicit";
    case BinderInfo::InstImplicit: return "instImplicit";
  }
  return "default";
}

namespace detail {
template <class T>
const T* SpanArena<T>::add(const T* src, size_t n) {
  if (chunks_.empty() || used_ + n > chunks_.back().cap) {
    size_t cap = std::max(kChunk, n);
    chunks_.push_back(Chunk{std::make_unique<T[]>(cap), cap});
    bytes_ += cap * sizeof(T);
    used_ = 0;
  }
  T* dst = chunks_.back().data.get() + used_;
  std::copy(src, src + n, dst);
  used_ += n;
  return dst;
}
template <class T>
void SpanArena<T>::reset_to(Mark m) {
  while (chunks_.size() > m.chunk) {
    bytes_ -= chunks_.back().cap * sizeof(T);
    chunks_.pop_back();
  }
  used_ = chunks_.empty() ? 0 : m.used;
}
template class SpanArena<char>;
template class SpanArena<Level>;
}  // namespace detail

namespace {
constexpr uint32_t kSaturated = 0xFFFFFFFFu;

uint32_t hash_bytes(std::string_view s) {
  return static_cast<uint32_t>(mix64(std::hash<std::string_view>{}(s)));
}
uint32_t h2(uint32_t tag, uint32_t a) { return hash_combine(tag * 0x85ebca6bu + 1, a); }
uint32_t h3(uint32_t tag, uint32_t a, uint32_t b) { return hash_combine(h2(tag, a), b); }
uint32_t h4(uint32_t tag, uint32_t a, uint32_t b, uint32_t c) { return hash_combine(h3(tag, a, b), c); }

uint32_t body_range(uint32_t r) { return r == kSaturated ? kSaturated : (r == 0 ? 0 : r - 1); }
}  // namespace

TermStore::TermStore()
    : strings_(1 << 12), names_(1 << 12), levels_(256), level_lists_(256), exprs_(1 << 14), bignat_index_(16) {
  // String 0 is "", name 0 is anonymous, level 0 is zero, level list 0 is empty.
  intern_string("");
  detail::NameNode anon{h2(1, 0), NameKind::Anonymous, 0, 0, 0};
  names_.intern(anon, [](const detail::NameNode& o) { return o.kind == NameKind::Anonymous; });
  detail::LevelNode zero{h2(2, 0), LevelKind::Zero, false, 0, 0};
  levels_.intern(zero, [](const detail::LevelNode& o) { return o.kind == LevelKind::Zero; });
  detail::LevelListNode empty{h2(3, 0), 0, nullptr};
  level_lists_.intern(empty, [](const detail::LevelListNode& o) { return o.len == 0; });
}

uint32_t TermStore::intern_string(std::string_view s) {
  detail::StringNode n{hash_bytes(s), static_cast<uint32_t>(s.size()), nullptr};
  uint32_t id = strings_.intern(n, [&](const detail::StringNode& o) {
    return o.len == n.len && (n.len == 0 || std::memcmp(o.data, s.data(), n.len) == 0);
  });
  // A freshly interned node still points at nothing: copy the bytes into the arena.
  auto& node = strings_.at(id);
  if (node.data == nullptr) node.data = s.empty() ? "" : chars_.add(s.data(), s.size());
  return id;
}

// ---------------- names ----------------

Name TermStore::name_str(Name prefix, std::string_view s) {
  uint32_t sid = intern_string(s);
  detail::NameNode n{h3(4, names_[prefix.id].hash, strings_[sid].hash), NameKind::Str, prefix.id, sid, 0};
  return Name{names_.intern(n, [&](const detail::NameNode& o) {
    return o.kind == NameKind::Str && o.prefix == prefix.id && o.str == sid;
  })};
}

Name TermStore::name_num(Name prefix, uint64_t i) {
  detail::NameNode n{h3(5, names_[prefix.id].hash, static_cast<uint32_t>(mix64(i))), NameKind::Num, prefix.id, 0, i};
  return Name{names_.intern(n, [&](const detail::NameNode& o) {
    return o.kind == NameKind::Num && o.prefix == prefix.id && o.num == i;
  })};
}

Name TermStore::name_from_dotted(std::string_view dotted) {
  Name n = anonymous();
  if (dotted.empty()) return n;
  size_t start = 0;
  for (;;) {
    size_t dot = dotted.find('.', start);
    n = name_str(n, dotted.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return n;
}

// Appends the components from the root down (a name has a handful of components, so the
// recursion is shallow); no temporary vector or string per call: the rows and declaration
// tables of a sweep format every declaration's name.
void TermStore::append_name(std::string& out, Name n, bool lean_syntax) const {
  if (n.is_anonymous()) return;
  Name prefix = name_prefix(n);
  if (!prefix.is_anonymous()) {
    append_name(out, prefix, lean_syntax);
    out += '.';
  }
  if (name_kind(n) == NameKind::Str) {
    std::string_view s = name_string(n);
    // Soundness of reports (review 7): a component containing '»' cannot be quoted in Lean;
    // printed verbatim inside «», the one-component name `1».«2` printed like the two
    // components «1».«2», so a report showed two axioms alike. Inside «» each '»' is doubled
    // (leanbatch's escape, read back by parse_lean_name): printing stays injective.
    const bool quote = lean_syntax && lean_name_component_needs_quotes(s);
    if (quote) {
      out += kLeanNameOpen;
      for (size_t at = 0;;) {
        size_t close = s.find(kLeanNameClose, at);
        out.append(s.substr(at, close == std::string_view::npos ? std::string_view::npos : close - at));
        if (close == std::string_view::npos) break;
        out += kLeanNameClose;
        out += kLeanNameClose;
        at = close + kLeanNameClose.size();
      }
      out += kLeanNameClose;
    } else {
      out += s;
    }
  } else {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, name_number(n));
    out.append(buf, end);
  }
}

std::string TermStore::name_to_string(Name n) const {
  if (n.is_anonymous()) return "[anonymous]";
  std::string out;
  append_name(out, n);
  return out;
}

int TermStore::name_cmp(Name a, Name b) const {
  if (a == b) return 0;
  if (a.is_anonymous()) return -1;
  if (b.is_anonymous()) return 1;
  int c = name_cmp(name_prefix(a), name_prefix(b));
  if (c != 0) return c;
  NameKind ka = name_kind(a), kb = name_kind(b);
  if (ka != kb) return ka == NameKind::Num ? -1 : 1;
  if (ka == NameKind::Num) {
    uint64_t x = name_number(a), y = name_number(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  int s = name_string(a).compare(name_string(b));
  return s < 0 ? -1 : (s > 0 ? 1 : 0);
}

bool TermStore::name_is_prefix_of(Name p, Name n) const {
  for (Name c = n;; c = name_prefix(c)) {
    if (c == p) return true;
    if (c.is_anonymous()) return false;
  }
}

Name TermStore::name_replace_prefix(Name n, Name from, Name to) {
  if (n == from) return to;
  if (n.is_anonymous()) return n;
  Name p = name_replace_prefix(name_prefix(n), from, to);
  if (p == name_prefix(n)) return n;
  return name_kind(n) == NameKind::Str ? name_str(p, name_string(n)) : name_num(p, name_number(n));
}

Name TermStore::name_append_index(Name n, uint64_t i) {
  if (name_kind(n) == NameKind::Str)
    return name_str(name_prefix(n), std::string(name_string(n)) + "_" + std::to_string(i));
  return name_num(n, i);
}

Name TermStore::name_append_after(Name n, std::string_view s) {
  if (name_kind(n) == NameKind::Str) return name_str(name_prefix(n), std::string(name_string(n)) + std::string(s));
  return name_str(n, s);
}

// ---------------- levels ----------------

Level TermStore::level_succ(Level l) {
  detail::LevelNode n{h2(6, levels_[l.id].hash), LevelKind::Succ, levels_[l.id].has_param, l.id, 0};
  return Level{levels_.intern(n, [&](const detail::LevelNode& o) { return o.kind == LevelKind::Succ && o.a == l.id; })};
}

Level TermStore::level_max_core(Level a, Level b) {
  detail::LevelNode n{h3(7, levels_[a.id].hash, levels_[b.id].hash), LevelKind::Max,
                      levels_[a.id].has_param || levels_[b.id].has_param, a.id, b.id};
  return Level{levels_.intern(
      n, [&](const detail::LevelNode& o) { return o.kind == LevelKind::Max && o.a == a.id && o.b == b.id; })};
}

Level TermStore::level_imax_core(Level a, Level b) {
  detail::LevelNode n{h3(8, levels_[a.id].hash, levels_[b.id].hash), LevelKind::IMax,
                      levels_[a.id].has_param || levels_[b.id].has_param, a.id, b.id};
  return Level{levels_.intern(
      n, [&](const detail::LevelNode& o) { return o.kind == LevelKind::IMax && o.a == a.id && o.b == b.id; })};
}

Level TermStore::level_param(Name p) {
  detail::LevelNode n{h2(9, names_[p.id].hash), LevelKind::Param, true, p.id, 0};
  return Level{levels_.intern(n, [&](const detail::LevelNode& o) { return o.kind == LevelKind::Param && o.a == p.id; })};
}

LevelList TermStore::level_list(std::span<const Level> ls) {
  if (ls.empty()) return LevelList{0};
  uint32_t h = h2(10, static_cast<uint32_t>(ls.size()));
  for (Level l : ls) h = hash_combine(h, levels_[l.id].hash);
  detail::LevelListNode n{h, static_cast<uint32_t>(ls.size()), nullptr};
  uint32_t id = level_lists_.intern(n, [&](const detail::LevelListNode& o) {
    return o.len == n.len && o.data != nullptr && std::equal(ls.begin(), ls.end(), o.data);
  });
  auto& node = level_lists_.at(id);
  if (node.data == nullptr) node.data = level_items_.add(ls.data(), ls.size());
  return LevelList{id};
}

// ---------------- expressions ----------------
// Every mk_* goes through a draft_* (which derives hash, flags and range from the children's
// signatures) and intern_draft, as the export reader does: both build identical nodes.

namespace {
constexpr uint8_t kInherited = kFlagHasFVar | kFlagHasLParam;
ExprDraft draft(uint32_t hash, ExprKind k, uint8_t flags, uint32_t range, uint32_t a = 0, uint32_t b = 0,
                uint32_t c = 0, uint32_t d = 0) {
  return ExprDraft{hash, k, flags, range, {a, b, c, d}};
}
}  // namespace

ExprDraft TermStore::draft_bvar(uint32_t idx) {
  return draft(h2(11, idx), ExprKind::BVar, 0, idx == kSaturated ? kSaturated : idx + 1, idx);
}

ExprDraft TermStore::draft_sort(Level l) const {
  return draft(h2(13, levels_[l.id].hash), ExprKind::Sort,
               static_cast<uint8_t>(levels_[l.id].has_param ? kFlagHasLParam : 0), 0, l.id);
}

ExprDraft TermStore::draft_const(Name name, LevelList ls) const {
  bool hp = false;
  for (Level l : levels(ls)) hp |= levels_[l.id].has_param;
  return draft(h3(14, names_[name.id].hash, level_lists_[ls.id].hash), ExprKind::Const,
               static_cast<uint8_t>(hp ? kFlagHasLParam : 0), 0, name.id, ls.id);
}

ExprDraft TermStore::draft_app(ExprSig f, uint32_t f_id, ExprSig a, uint32_t a_id) {
  return draft(h3(15, f.hash, a.hash), ExprKind::App, static_cast<uint8_t>((f.flags | a.flags) & kInherited),
               std::max(f.range, a.range), f_id, a_id);
}

ExprDraft TermStore::draft_binder(ExprKind k, Name name, BinderInfo bi, ExprSig dom, uint32_t dom_id, ExprSig body,
                                  uint32_t body_id) {
  uint8_t flags = static_cast<uint8_t>(((dom.flags | body.flags) & kInherited) |
                                       (static_cast<uint8_t>(bi) << kFlagBinderShift));
  return draft(h3(k == ExprKind::Lam ? 16 : 17, dom.hash, body.hash), k, flags,
               std::max(dom.range, body_range(body.range)), name.id, dom_id, body_id);
}

ExprDraft TermStore::draft_let(Name name, ExprSig type, uint32_t type_id, ExprSig value, uint32_t value_id,
                               ExprSig body, uint32_t body_id, bool nondep) {
  uint8_t flags = static_cast<uint8_t>(((type.flags | value.flags | body.flags) & kInherited) | (nondep ? kFlagNonDep : 0));
  return draft(h4(18, type.hash, value.hash, body.hash), ExprKind::Let, flags,
               std::max({type.range, value.range, body_range(body.range)}), name.id, type_id, value_id, body_id);
}

ExprDraft TermStore::draft_nat(uint64_t v) {
  return draft(h2(19, static_cast<uint32_t>(mix64(v))), ExprKind::NatLit, 0, 0, 0, static_cast<uint32_t>(v),
               static_cast<uint32_t>(v >> 32));
}

ExprDraft TermStore::draft_str(std::string_view s) {
  uint32_t sid = intern_string(s);
  return draft(h2(21, strings_[sid].hash), ExprKind::StrLit, 0, 0, sid);
}

ExprDraft TermStore::draft_proj(Name struct_name, uint32_t idx, ExprSig e, uint32_t e_id) const {
  return draft(h4(22, names_[struct_name.id].hash, idx, e.hash), ExprKind::Proj,
               static_cast<uint8_t>(e.flags & kInherited), e.range, struct_name.id, idx, e_id);
}

uint32_t TermStore::big_range(uint32_t id) const {
  const uint32_t* r = big_ranges_.find(id);
  if (!r) r = scratch_big_ranges_.find(id);
  return r ? *r : kSaturated;  // (always found)
}

Expr TermStore::intern_draft(const ExprDraft& d) {
  const bool let = d.kind == ExprKind::Let;
  detail::ExprNode n{d.hash, d.kind, d.flags,
                     static_cast<uint16_t>(std::min<uint32_t>(d.range, detail::kRangeOverflow)),
                     d.op[0], d.op[1], let ? kNoId : d.op[2]};
  const uint32_t before = exprs_.size();
  // Which operands are expression ids (the others are names, levels, strings, numbers).
  const uint32_t wm = exprs_.watermark();
  bool maybe_persistent = true;
  switch (d.kind) {
    case ExprKind::App: maybe_persistent = d.op[0] < wm && d.op[1] < wm; break;
    case ExprKind::Lam:
    case ExprKind::Pi: maybe_persistent = d.op[1] < wm && d.op[2] < wm; break;
    case ExprKind::Let: maybe_persistent = d.op[1] < wm && d.op[2] < wm && d.op[3] < wm; break;
    case ExprKind::Proj: maybe_persistent = d.op[2] < wm; break;
    default: break;
  }
  uint32_t id;
  if (!let) {
    // Bytes 4..19 (kind, flags, range, operands) decide equality; the range is a function
    // of the operands, so comparing it is harmless.
    uint64_t w0, w1;
    std::memcpy(&w0, reinterpret_cast<const char*>(&n) + 4, 8);
    std::memcpy(&w1, reinterpret_cast<const char*>(&n) + 12, 8);
    id = exprs_.intern(n, [&](const detail::ExprNode& o) {
      uint64_t o0, o1;
      std::memcpy(&o0, reinterpret_cast<const char*>(&o) + 4, 8);
      std::memcpy(&o1, reinterpret_cast<const char*>(&o) + 12, 8);
      return o0 == w0 && o1 == w1;
    }, maybe_persistent);
  } else {
    id = exprs_.intern(n, [&](const detail::ExprNode& o) {
      return o.kind == ExprKind::Let && o.flags == n.flags && o.a == n.a && o.b == n.b && o.c != kNoId &&
             lets_[o.c].value == d.op[2] && lets_[o.c].body == d.op[3];
    }, maybe_persistent);
    auto& node = exprs_.at(id);
    if (node.c == kNoId) {  // new: store value and body
      node.c = static_cast<uint32_t>(lets_.size());
      lets_.push_back({d.op[2], d.op[3]});
    }
  }
  if (n.range == detail::kRangeOverflow && exprs_.size() != before)  // a new node with a wide range
    (exprs_.scratch_active() ? scratch_big_ranges_ : big_ranges_).put(id, d.range);
  return Expr{id};
}

Expr TermStore::mk_bvar(uint32_t idx) { return intern_draft(draft_bvar(idx)); }

Expr TermStore::mk_fvar(uint32_t idx) {
  return intern_draft(draft(h2(12, idx), ExprKind::FVar, kFlagHasFVar, 0, idx));
}

Expr TermStore::mk_sort(Level l) { return intern_draft(draft_sort(l)); }

Expr TermStore::mk_const(Name name, LevelList ls) { return intern_draft(draft_const(name, ls)); }

Expr TermStore::mk_app(Expr f, Expr a) { return intern_draft(draft_app(sig(f), f.id, sig(a), a.id)); }

Expr TermStore::mk_binder(ExprKind k, Name name, BinderInfo bi, Expr dom, Expr body) {
  return intern_draft(draft_binder(k, name, bi, sig(dom), dom.id, sig(body), body.id));
}

Expr TermStore::mk_let(Name name, Expr type, Expr value, Expr body, bool nondep) {
  return intern_draft(draft_let(name, sig(type), type.id, sig(value), value.id, sig(body), body.id, nondep));
}

Expr TermStore::mk_nat(uint64_t v) { return intern_draft(draft_nat(v)); }

Expr TermStore::mk_nat(const mpz_class& v) {
  if (mpz_sizeinbase(v.get_mpz_t(), 2) <= 64 && sgn(v) >= 0) {
    uint64_t x = 0;
    mpz_export(&x, nullptr, -1, sizeof(x), 0, 0, v.get_mpz_t());
    return mk_nat(x);
  }
  // Hash the limbs; equality compares values.
  size_t nl = mpz_size(v.get_mpz_t());
  uint64_t h = 0x1234567;
  for (size_t i = 0; i < nl; ++i) h = mix64(h ^ mpz_getlimbn(v.get_mpz_t(), static_cast<mp_size_t>(i)));
  uint32_t vh = static_cast<uint32_t>(h);
  detail::BigNatNode bn{vh, static_cast<uint32_t>(bignats_.size())};
  uint32_t bid = bignat_index_.intern(bn, [&](const detail::BigNatNode& o) {
    return o.index < bignats_.size() && bignats_[o.index] == v;
  });
  uint32_t index = bignat_index_[bid].index;
  if (index == bignats_.size()) bignats_.push_back(v);
  return intern_draft(draft(h2(20, vh), ExprKind::NatLit, kFlagBigNat, 0, index));
}

mpz_class TermStore::nat_value(Expr e) const {
  const auto& n = exprs_[e.id];
  if (n.flags & kFlagBigNat) return bignats_[n.a];
  mpz_class r;
  uint64_t v = nat_small(e);
  mpz_import(r.get_mpz_t(), 1, -1, sizeof(v), 0, 0, &v);
  return r;
}

std::string TermStore::nat_to_string(Expr e) const {
  if (nat_is_small(e)) return std::to_string(nat_small(e));
  return nat_value(e).get_str();
}

Expr TermStore::mk_str(std::string_view s) { return intern_draft(draft_str(s)); }

Expr TermStore::mk_proj(Name struct_name, uint32_t idx, Expr e) {
  return intern_draft(draft_proj(struct_name, idx, sig(e), e.id));
}

Expr TermStore::app_args(Expr e, std::vector<Expr>& args) const {
  args.clear();
  if (args.capacity() < 8) args.reserve(8);  // one allocation instead of regrowth (speed only)
  while (kind(e) == ExprKind::App) {
    args.push_back(app_arg(e));
    e = app_fn(e);
  }
  std::reverse(args.begin(), args.end());
  return e;
}

Expr TermStore::mk_app(Expr f, std::span<const Expr> args) {
  for (Expr a : args) f = mk_app(f, a);
  return f;
}

// ---------------- scratch ----------------

void TermStore::begin_scratch() {
  if (exprs_.scratch_active()) return;
  strings_.begin_scratch();
  names_.begin_scratch();
  levels_.begin_scratch();
  level_lists_.begin_scratch();
  exprs_.begin_scratch();
  bignat_index_.begin_scratch();
  chars_mark_ = chars_.mark();
  level_items_mark_ = level_items_.mark();
  bignats_mark_ = bignats_.size();
  lets_mark_ = lets_.size();
}

void TermStore::drop_scratch() {
  if (!exprs_.scratch_active()) return;
  strings_.drop_scratch();
  names_.drop_scratch();
  levels_.drop_scratch();
  level_lists_.drop_scratch();
  exprs_.drop_scratch();
  bignat_index_.drop_scratch();
  chars_.reset_to(chars_mark_);
  level_items_.reset_to(level_items_mark_);
  bignats_.resize(bignats_mark_);
  lets_.resize(lets_mark_);
  if (scratch_big_ranges_.size() > 0) scratch_big_ranges_.clear();
  next_fvar_ = 0;
}

size_t TermStore::bytes() const {
  return strings_.bytes() + chars_.bytes() + names_.bytes() + levels_.bytes() + level_lists_.bytes() +
         level_items_.bytes() + exprs_.bytes() + bignat_index_.bytes() + bignats_.capacity() * sizeof(mpz_class) +
         lets_.capacity() * sizeof(detail::LetOperands);
}

}  // namespace leanbatch::host
