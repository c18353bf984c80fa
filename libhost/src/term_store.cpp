#include "leanbatch/host/term_store.hpp"

#include <algorithm>
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

std::string TermStore::name_to_string(Name n) const {
  if (n.is_anonymous()) return "[anonymous]";
  std::vector<Name> comps;
  for (Name c = n; !c.is_anonymous(); c = name_prefix(c)) comps.push_back(c);
  std::string out;
  for (size_t i = comps.size(); i-- > 0;) {
    Name c = comps[i];
    if (!out.empty()) out += '.';
    if (name_kind(c) == NameKind::Str)
      out += name_string(c);
    else
      out += std::to_string(name_number(c));
  }
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

Expr TermStore::intern_expr(detail::ExprNode& n) {
  return Expr{exprs_.intern(n, [&](const detail::ExprNode& o) {
    return o.kind == n.kind && o.flags == n.flags && o.a == n.a && o.b == n.b && o.c == n.c && o.d == n.d;
  })};
}

Expr TermStore::mk_bvar(uint32_t idx) {
  detail::ExprNode n{h2(11, idx), ExprKind::BVar, 0, 0, idx == kSaturated ? kSaturated : idx + 1, idx, 0, 0, 0};
  return intern_expr(n);
}

Expr TermStore::mk_fvar(uint32_t idx) {
  detail::ExprNode n{h2(12, idx), ExprKind::FVar, kFlagHasFVar, 0, 0, idx, 0, 0, 0};
  return intern_expr(n);
}

Expr TermStore::mk_sort(Level l) {
  detail::ExprNode n{h2(13, levels_[l.id].hash), ExprKind::Sort,
                     static_cast<uint8_t>(levels_[l.id].has_param ? kFlagHasLParam : 0), 0, 0, l.id, 0, 0, 0};
  return intern_expr(n);
}

Expr TermStore::mk_const(Name name, LevelList ls) {
  bool hp = false;
  for (Level l : levels(ls)) hp |= levels_[l.id].has_param;
  detail::ExprNode n{h3(14, names_[name.id].hash, level_lists_[ls.id].hash), ExprKind::Const,
                     static_cast<uint8_t>(hp ? kFlagHasLParam : 0), 0, 0, name.id, ls.id, 0, 0};
  return intern_expr(n);
}

Expr TermStore::mk_app(Expr f, Expr a) {
  const auto& nf = exprs_[f.id];
  const auto& na = exprs_[a.id];
  detail::ExprNode n{h3(15, nf.hash, na.hash), ExprKind::App,
                     static_cast<uint8_t>((nf.flags | na.flags) & (kFlagHasFVar | kFlagHasLParam)), 0,
                     std::max(nf.range, na.range), f.id, a.id, 0, 0};
  return intern_expr(n);
}

Expr TermStore::mk_binder(ExprKind k, Name name, BinderInfo bi, Expr dom, Expr body) {
  const auto& nd = exprs_[dom.id];
  const auto& nb = exprs_[body.id];
  uint8_t flags = static_cast<uint8_t>(((nd.flags | nb.flags) & (kFlagHasFVar | kFlagHasLParam)) |
                                       (static_cast<uint8_t>(bi) << kFlagBinderShift));
  detail::ExprNode n{h3(k == ExprKind::Lam ? 16 : 17, nd.hash, nb.hash), k, flags, 0,
                     std::max(nd.range, body_range(nb.range)), name.id, dom.id, body.id, 0};
  return intern_expr(n);
}

Expr TermStore::mk_let(Name name, Expr type, Expr value, Expr body, bool nondep) {
  const auto& nt = exprs_[type.id];
  const auto& nv = exprs_[value.id];
  const auto& nb = exprs_[body.id];
  uint8_t flags = static_cast<uint8_t>(((nt.flags | nv.flags | nb.flags) & (kFlagHasFVar | kFlagHasLParam)) |
                                       (nondep ? kFlagNonDep : 0));
  detail::ExprNode n{h4(18, nt.hash, nv.hash, nb.hash), ExprKind::Let, flags, 0,
                     std::max({nt.range, nv.range, body_range(nb.range)}), name.id, type.id, value.id, body.id};
  return intern_expr(n);
}

Expr TermStore::mk_nat(uint64_t v) {
  detail::ExprNode n{h2(19, static_cast<uint32_t>(mix64(v))), ExprKind::NatLit, 0, 0, 0,
                     0, 0, static_cast<uint32_t>(v), static_cast<uint32_t>(v >> 32)};
  return intern_expr(n);
}

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
  detail::ExprNode n{h2(20, vh), ExprKind::NatLit, kFlagBigNat, 0, 0, index, 0, 0, 0};
  return intern_expr(n);
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

Expr TermStore::mk_str(std::string_view s) {
  uint32_t sid = intern_string(s);
  detail::ExprNode n{h2(21, strings_[sid].hash), ExprKind::StrLit, 0, 0, 0, sid, 0, 0, 0};
  return intern_expr(n);
}

Expr TermStore::mk_proj(Name struct_name, uint32_t idx, Expr e) {
  const auto& ne = exprs_[e.id];
  detail::ExprNode n{h4(22, names_[struct_name.id].hash, idx, ne.hash), ExprKind::Proj,
                     static_cast<uint8_t>(ne.flags & (kFlagHasFVar | kFlagHasLParam)), 0, ne.range,
                     struct_name.id, idx, e.id, 0};
  return intern_expr(n);
}

Expr TermStore::app_args(Expr e, std::vector<Expr>& args) const {
  args.clear();
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
  next_fvar_ = 0;
}

size_t TermStore::bytes() const {
  return strings_.bytes() + chars_.bytes() + names_.bytes() + levels_.bytes() + level_lists_.bytes() +
         level_items_.bytes() + exprs_.bytes() + bignat_index_.bytes() + bignats_.capacity() * sizeof(mpz_class);
}

}  // namespace leanbatch::host
