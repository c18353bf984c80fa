#include "leanbatch/host/level.hpp"

#include <algorithm>
#include <vector>

namespace leanbatch::host {

bool level_is_explicit(const TermStore& st, Level l) {
  while (st.level_kind(l) == LevelKind::Succ) l = st.level_pred(l);
  return st.level_kind(l) == LevelKind::Zero;
}

std::pair<Level, unsigned> level_to_offset(const TermStore& st, Level l) {
  unsigned k = 0;
  while (st.level_kind(l) == LevelKind::Succ) {
    l = st.level_pred(l);
    ++k;
  }
  return {l, k};
}

bool level_is_not_zero(const TermStore& st, Level l) {
  switch (st.level_kind(l)) {
    case LevelKind::Zero:
    case LevelKind::Param: return false;
    case LevelKind::Succ: return true;
    case LevelKind::Max: return level_is_not_zero(st, st.level_lhs(l)) || level_is_not_zero(st, st.level_rhs(l));
    case LevelKind::IMax: return level_is_not_zero(st, st.level_rhs(l));
  }
  return false;
}

bool level_is_zero(TermStore& st, Level l) {
  if (st.level_kind(l) == LevelKind::Zero) return true;
  if (level_is_not_zero(st, l)) return false;
  return st.level_kind(level_normalize(st, l)) == LevelKind::Zero;
}

Level level_succ_n(TermStore& st, Level l, unsigned k) {
  while (k-- > 0) l = st.level_succ(l);
  return l;
}

Level level_mk_max(TermStore& st, Level a, Level b) {
  if (level_is_explicit(st, a) && level_is_explicit(st, b))
    return level_to_offset(st, a).second >= level_to_offset(st, b).second ? a : b;
  if (a == b) return a;
  if (st.level_kind(a) == LevelKind::Zero) return b;
  if (st.level_kind(b) == LevelKind::Zero) return a;
  if (st.level_kind(b) == LevelKind::Max && (st.level_lhs(b) == a || st.level_rhs(b) == a)) return b;
  if (st.level_kind(a) == LevelKind::Max && (st.level_lhs(a) == b || st.level_rhs(a) == b)) return a;
  auto pa = level_to_offset(st, a);
  auto pb = level_to_offset(st, b);
  if (pa.first == pb.first) return pa.second > pb.second ? a : b;
  return st.level_max_core(a, b);
}

Level level_mk_imax(TermStore& st, Level a, Level b) {
  if (level_is_not_zero(st, b)) return level_mk_max(st, a, b);
  if (st.level_kind(b) == LevelKind::Zero) return b;  // imax u 0 = 0
  if (st.level_kind(a) == LevelKind::Zero) return b;  // imax 0 u = u
  // imax 1 u = u: if u = 0 both are 0, otherwise max 1 u = u.
  if (st.level_kind(a) == LevelKind::Succ && st.level_kind(st.level_pred(a)) == LevelKind::Zero) return b;
  if (a == b) return a;
  return st.level_imax_core(a, b);
}

namespace {

void push_max_args(const TermStore& st, Level l, std::vector<Level>& out) {
  if (st.level_kind(l) == LevelKind::Max) {
    push_max_args(st, st.level_lhs(l), out);
    push_max_args(st, st.level_rhs(l), out);
  } else {
    out.push_back(l);
  }
}

// Total order used to sort the arguments of a normalised max: by base kind, then
// structurally, then by offset. Equal bases end up adjacent, which the merge step needs.
bool norm_lt(const TermStore& st, Level a, Level b) {
  if (a == b) return false;
  auto pa = level_to_offset(st, a);
  auto pb = level_to_offset(st, b);
  Level la = pa.first, lb = pb.first;
  if (la != lb) {
    if (st.level_kind(la) != st.level_kind(lb)) return st.level_kind(la) < st.level_kind(lb);
    switch (st.level_kind(la)) {
      case LevelKind::Param: return st.name_cmp(st.level_param_name(la), st.level_param_name(lb)) < 0;
      case LevelKind::Max:
      case LevelKind::IMax:
        if (st.level_lhs(la) != st.level_lhs(lb)) return norm_lt(st, st.level_lhs(la), st.level_lhs(lb));
        return norm_lt(st, st.level_rhs(la), st.level_rhs(lb));
      default: return false;  // Zero/Succ cannot be distinct bases of the same kind
    }
  }
  return pa.second < pb.second;
}

}  // namespace

Level level_normalize(TermStore& st, Level l) {
  auto [r, k] = level_to_offset(st, l);
  switch (st.level_kind(r)) {
    case LevelKind::Zero:
    case LevelKind::Param:
    case LevelKind::Succ: return l;
    case LevelKind::IMax: {
      Level a = level_normalize(st, st.level_lhs(r));
      Level b = level_normalize(st, st.level_rhs(r));
      return level_succ_n(st, level_mk_imax(st, a, b), k);
    }
    case LevelKind::Max: {
      std::vector<Level> todo, args;
      push_max_args(st, r, todo);
      for (Level a : todo) push_max_args(st, level_normalize(st, a), args);
      std::stable_sort(args.begin(), args.end(), [&](Level x, Level y) { return norm_lt(st, x, y); });
      std::vector<Level> out;
      size_t i = 0;
      if (level_is_explicit(st, args[i])) {
        // Keep only the largest explicit level, and drop it too when some succ^k'(l) with
        // k' >= k already dominates it.
        while (i + 1 < args.size() && level_is_explicit(st, args[i + 1])) ++i;
        unsigned kk = level_to_offset(st, args[i]).second;
        size_t j = i + 1;
        for (; j < args.size(); ++j)
          if (level_to_offset(st, args[j]).second >= kk) break;
        if (j < args.size()) ++i;
      }
      out.push_back(args[i]);
      auto prev = level_to_offset(st, args[i]);
      for (++i; i < args.size(); ++i) {
        auto cur = level_to_offset(st, args[i]);
        if (prev.first == cur.first) {
          if (prev.second < cur.second) {
            prev = cur;
            out.back() = args[i];
          }
        } else {
          prev = cur;
          out.push_back(args[i]);
        }
      }
      for (Level& a : out) a = level_succ_n(st, a, k);
      Level res = out.back();
      for (size_t m = out.size() - 1; m > 0; --m) res = st.level_max_core(out[m - 1], res);
      return res;
    }
  }
  return l;
}

bool level_is_equivalent(TermStore& st, Level a, Level b) {
  return a == b || level_normalize(st, a) == level_normalize(st, b);
}

namespace {
bool is_geq_core(TermStore& st, Level a, Level b) {
  if (a == b || st.level_kind(b) == LevelKind::Zero) return true;
  if (st.level_kind(b) == LevelKind::Max)
    return level_is_geq(st, a, st.level_lhs(b)) && level_is_geq(st, a, st.level_rhs(b));
  if (st.level_kind(a) == LevelKind::Max &&
      (level_is_geq(st, st.level_lhs(a), b) || level_is_geq(st, st.level_rhs(a), b)))
    return true;
  if (st.level_kind(b) == LevelKind::IMax)
    return level_is_geq(st, a, st.level_lhs(b)) && level_is_geq(st, a, st.level_rhs(b));
  // imax u v ≥ b when v ≥ b: imax u v is 0 (then v = 0 = b) or max u v ≥ v.
  if (st.level_kind(a) == LevelKind::IMax) return level_is_geq(st, st.level_rhs(a), b);
  auto pa = level_to_offset(st, a);
  auto pb = level_to_offset(st, b);
  // succ^j(x) ≥ succ^k(x), and succ^j(x) ≥ k (b explicit), when j ≥ k.
  if (pa.first == pb.first || st.level_kind(pb.first) == LevelKind::Zero) return pa.second >= pb.second;
  if (pa.second == pb.second && pa.second > 0) return level_is_geq(st, pa.first, pb.first);
  return false;
}
}  // namespace

bool level_is_geq(TermStore& st, Level a, Level b) {
  return is_geq_core(st, level_normalize(st, a), level_normalize(st, b));
}

Level level_instantiate(TermStore& st, Level l, std::span<const Name> params, std::span<const Level> values) {
  if (!st.level_has_param(l)) return l;
  switch (st.level_kind(l)) {
    case LevelKind::Zero: return l;
    case LevelKind::Param: {
      Name n = st.level_param_name(l);
      for (size_t i = 0; i < params.size() && i < values.size(); ++i)
        if (params[i] == n) return values[i];
      return l;
    }
    case LevelKind::Succ: return st.level_succ(level_instantiate(st, st.level_pred(l), params, values));
    case LevelKind::Max:
    case LevelKind::IMax: {
      Level a = level_instantiate(st, st.level_lhs(l), params, values);
      Level b = level_instantiate(st, st.level_rhs(l), params, values);
      if (a == st.level_lhs(l) && b == st.level_rhs(l)) return l;
      return st.level_kind(l) == LevelKind::Max ? level_mk_max(st, a, b) : level_mk_imax(st, a, b);
    }
  }
  return l;
}

std::optional<Name> level_undefined_param(const TermStore& st, Level l, std::span<const Name> params) {
  if (!st.level_has_param(l)) return std::nullopt;
  switch (st.level_kind(l)) {
    case LevelKind::Zero: return std::nullopt;
    case LevelKind::Param: {
      Name n = st.level_param_name(l);
      if (std::find(params.begin(), params.end(), n) == params.end()) return n;
      return std::nullopt;
    }
    case LevelKind::Succ: return level_undefined_param(st, st.level_pred(l), params);
    case LevelKind::Max:
    case LevelKind::IMax:
      if (auto r = level_undefined_param(st, st.level_lhs(l), params)) return r;
      return level_undefined_param(st, st.level_rhs(l), params);
  }
  return std::nullopt;
}

namespace {
void print_level(const TermStore& st, Level l, std::string& out, bool paren) {
  auto [base, k] = level_to_offset(st, l);
  if (st.level_kind(base) == LevelKind::Zero) {
    out += std::to_string(k);
    return;
  }
  bool compound = st.level_kind(base) == LevelKind::Max || st.level_kind(base) == LevelKind::IMax;
  bool need = paren && (k > 0 || compound);
  if (need) out += '(';
  switch (st.level_kind(base)) {
    case LevelKind::Param: out += st.name_to_string(st.level_param_name(base)); break;
    case LevelKind::Max:
    case LevelKind::IMax:
      out += st.level_kind(base) == LevelKind::Max ? "max " : "imax ";
      print_level(st, st.level_lhs(base), out, true);
      out += ' ';
      print_level(st, st.level_rhs(base), out, true);
      break;
    default: break;
  }
  if (k > 0) out += "+" + std::to_string(k);
  if (need) out += ')';
}
}  // namespace

std::string level_to_string(const TermStore& st, Level l) {
  std::string out;
  print_level(st, l, out, false);
  return out;
}

}  // namespace leanbatch::host
