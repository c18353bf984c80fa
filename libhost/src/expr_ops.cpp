#include "leanbatch/host/expr_ops.hpp"

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <vector>

#include "leanbatch/host/detail/flat_map.hpp"
#include "leanbatch/host/level.hpp"

namespace leanbatch::host {

namespace {

// The replace engine. A frame is a subterm under `offset` binders; `stage` 0 means not yet
// expanded. Results are pushed on `results`; a finished frame pops its children's results.
struct Frame {
  Expr e;
  uint32_t offset;
  uint32_t stage;
};

// A stack over storage kept between calls whose push and pop stay inline (speed only:
// std::vector::emplace_back was an out-of-line call per frame, 5% of checking time).
template <class T>
class ReuseStack {
 public:
  void clear() { n_ = 0; }
  bool empty() const { return n_ == 0; }
  void push_back(const T& v) {
    if (n_ == store_.size()) [[unlikely]]
      store_.resize(store_.empty() ? 256 : store_.size() * 2);
    store_[n_++] = v;
  }
  T& back() { return store_[n_ - 1]; }
  void pop_back() { --n_; }

 private:
  std::vector<T> store_;
  size_t n_ = 0;
};

// Working buffers are reused across calls (speed only). Traversals nest (instantiate lifts
// inside its callback), so each nesting depth gets its own set.
struct ReplaceBuffers {
  detail::FlatMap64 cache{64};
  ReuseStack<Frame> stack;
  ReuseStack<Expr> results;
};
thread_local std::vector<std::unique_ptr<ReplaceBuffers>> t_buffer_pool;
thread_local size_t t_buffer_depth = 0;

class BufferLease {
 public:
  BufferLease() {
    if (t_buffer_depth == t_buffer_pool.size()) t_buffer_pool.push_back(std::make_unique<ReplaceBuffers>());
    buf_ = t_buffer_pool[t_buffer_depth++].get();
    buf_->cache.clear();
    buf_->stack.clear();
    buf_->results.clear();
  }
  ~BufferLease() { --t_buffer_depth; }
  BufferLease(const BufferLease&) = delete;
  BufferLease& operator=(const BufferLease&) = delete;
  ReplaceBuffers& operator*() { return *buf_; }

 private:
  ReplaceBuffers* buf_;
};

template <class Pre>
Expr replace_impl(TermStore& st, Expr root, Pre&& pre) {
  BufferLease lease;
  detail::FlatMap64& cache = (*lease).cache;
  ReuseStack<Frame>& stack = (*lease).stack;
  ReuseStack<Expr>& results = (*lease).results;
  stack.push_back({root, 0, 0});
  while (!stack.empty()) {
    Frame& f = stack.back();
    Expr e = f.e;
    uint32_t off = f.offset;
    if (f.stage == 0) {
      Expr r = pre(e, off);
      if (r.valid()) {
        results.push_back(r);
        stack.pop_back();
        continue;
      }
      uint64_t key = detail::pair_key(e.id, off);
      if (const uint32_t* c = cache.find(key)) {
        results.push_back(Expr{*c});
        stack.pop_back();
        continue;
      }
      f.stage = 1;
      switch (st.kind(e)) {
        case ExprKind::App:
          stack.push_back({st.app_arg(e), off, 0});
          stack.push_back({st.app_fn(e), off, 0});
          break;
        case ExprKind::Lam:
        case ExprKind::Pi:
          stack.push_back({st.binding_body(e), off + 1, 0});
          stack.push_back({st.binding_domain(e), off, 0});
          break;
        case ExprKind::Let:
          stack.push_back({st.let_body(e), off + 1, 0});
          stack.push_back({st.let_value(e), off, 0});
          stack.push_back({st.let_type(e), off, 0});
          break;
        case ExprKind::Proj: stack.push_back({st.proj_expr(e), off, 0}); break;
        default:
          results.push_back(e);
          stack.pop_back();
          break;
      }
      continue;
    }
    // All children done (pushed in order, so they are the last results).
    Expr r;
    switch (st.kind(e)) {
      case ExprKind::App: {
        Expr a = results.back();
        results.pop_back();
        Expr fn = results.back();
        results.pop_back();
        r = (fn == st.app_fn(e) && a == st.app_arg(e)) ? e : st.mk_app(fn, a);
        break;
      }
      case ExprKind::Lam:
      case ExprKind::Pi: {
        Expr b = results.back();
        results.pop_back();
        Expr d = results.back();
        results.pop_back();
        r = (d == st.binding_domain(e) && b == st.binding_body(e))
                ? e
                : st.mk_binder(st.kind(e), st.binding_name(e), st.binding_info(e), d, b);
        break;
      }
      case ExprKind::Let: {
        Expr b = results.back();
        results.pop_back();
        Expr v = results.back();
        results.pop_back();
        Expr t = results.back();
        results.pop_back();
        r = (t == st.let_type(e) && v == st.let_value(e) && b == st.let_body(e))
                ? e
                : st.mk_let(st.let_name(e), t, v, b, st.let_nondep(e));
        break;
      }
      case ExprKind::Proj: {
        Expr s = results.back();
        results.pop_back();
        r = s == st.proj_expr(e) ? e : st.mk_proj(st.proj_struct(e), st.proj_idx(e), s);
        break;
      }
      default: r = e; break;
    }
    cache.put(detail::pair_key(e.id, off), r.id);
    results.push_back(r);
    stack.pop_back();
  }
  return results.back();
}

}  // namespace

Expr replace_expr(TermStore& st, Expr e, const std::function<Expr(Expr, uint32_t)>& pre) {
  return replace_impl(st, e, pre);
}

Expr lift_loose_bvars(TermStore& st, Expr e, uint32_t s, uint32_t d) {
  if (d == 0 || s >= st.loose_bvar_range(e)) return e;
  return replace_impl(st, e, [&](Expr m, uint32_t off) -> Expr {
    uint32_t s1 = s + off;
    if (s1 < s) return m;  // overflow: no index can be that large
    if (s1 >= st.loose_bvar_range(m)) return m;
    if (st.kind(m) == ExprKind::BVar) {
      uint32_t i = st.bvar_idx(m);
      return i >= s1 ? st.mk_bvar(i + d) : m;
    }
    return Expr{};
  });
}

Expr lower_loose_bvars(TermStore& st, Expr e, uint32_t s, uint32_t d) {
  if (d == 0 || s >= st.loose_bvar_range(e)) return e;
  return replace_impl(st, e, [&](Expr m, uint32_t off) -> Expr {
    uint32_t s1 = s + off;
    if (s1 < s) return m;
    if (s1 >= st.loose_bvar_range(m)) return m;
    if (st.kind(m) == ExprKind::BVar) {
      uint32_t i = st.bvar_idx(m);
      return i >= s1 ? st.mk_bvar(i - d) : m;
    }
    return Expr{};
  });
}

namespace {
template <bool Rev>
Expr instantiate_core(TermStore& st, Expr e, std::span<const Expr> subst) {
  uint32_t n = static_cast<uint32_t>(subst.size());
  if (n == 0 || !st.has_loose_bvars(e)) return e;
  return replace_impl(st, e, [&](Expr m, uint32_t off) -> Expr {
    if (off >= st.loose_bvar_range(m)) return m;  // nothing loose beyond the binders we entered
    if (st.kind(m) == ExprKind::BVar) {
      uint32_t i = st.bvar_idx(m);
      if (i < off) return m;
      uint32_t rel = i - off;
      if (rel < n) {
        Expr v = Rev ? subst[n - 1 - rel] : subst[rel];
        return lift_loose_bvars(st, v, 0, off);
      }
      return st.mk_bvar(i - n);
    }
    return Expr{};
  });
}
}  // namespace

Expr instantiate(TermStore& st, Expr e, std::span<const Expr> subst) { return instantiate_core<false>(st, e, subst); }
Expr instantiate_rev(TermStore& st, Expr e, std::span<const Expr> subst) { return instantiate_core<true>(st, e, subst); }

Expr abstract_fvars(TermStore& st, Expr e, std::span<const Expr> fvars) {
  uint32_t n = static_cast<uint32_t>(fvars.size());
  if (n == 0 || !st.has_fvar(e)) return e;
  // Position of each fvar; a linear scan for few variables, a map for many.
  std::unordered_map<uint32_t, uint32_t> pos;
  if (n > 8) {
    pos.reserve(n * 2);
    for (uint32_t i = 0; i < n; ++i) pos[st.fvar_idx(fvars[i])] = i;
  }
  auto find = [&](Expr m) -> int64_t {
    if (n > 8) {
      auto it = pos.find(st.fvar_idx(m));
      return it == pos.end() ? -1 : it->second;
    }
    for (uint32_t i = n; i-- > 0;)
      if (fvars[i] == m) return i;
    return -1;
  };
  return replace_impl(st, e, [&](Expr m, uint32_t off) -> Expr {
    if (!st.has_fvar(m)) return m;
    if (st.kind(m) == ExprKind::FVar) {
      int64_t i = find(m);
      if (i < 0) return m;
      return st.mk_bvar(off + n - 1 - static_cast<uint32_t>(i));
    }
    return Expr{};
  });
}

FVarPositions::FVarPositions(const TermStore& st, std::span<const Expr> fvars) : fvars_(fvars) {
  if (fvars.empty()) return;
  // Free variables of one telescope are usually allocated consecutively: index them densely
  // relative to the smallest index when the spread is moderate.
  uint32_t lo = UINT32_MAX, hi = 0;
  for (Expr f : fvars) {
    lo = std::min(lo, st.fvar_idx(f));
    hi = std::max(hi, st.fvar_idx(f));
  }
  if (static_cast<uint64_t>(hi - lo) <= 4ull * fvars.size() + 64) {
    base_ = lo;
    by_index_.assign(hi - lo + 1, 0);
    for (uint32_t j = 0; j < fvars.size(); ++j) by_index_[st.fvar_idx(fvars[j]) - lo] = j + 1;
  }
}

int64_t FVarPositions::find(const TermStore& st, Expr fvar) const {
  uint32_t idx = st.fvar_idx(fvar);
  if (!by_index_.empty()) {
    if (idx < base_ || idx - base_ >= by_index_.size()) return -1;
    return static_cast<int64_t>(by_index_[idx - base_]) - 1;
  }
  for (size_t j = fvars_.size(); j-- > 0;)
    if (fvars_[j] == fvar) return static_cast<int64_t>(j);
  return -1;
}

Expr abstract_fvar_prefix(TermStore& st, Expr e, const FVarPositions& pos, uint32_t k) {
  if (k == 0 || !st.has_fvar(e)) return e;
  return replace_impl(st, e, [&](Expr m, uint32_t off) -> Expr {
    if (!st.has_fvar(m)) return m;
    if (st.kind(m) == ExprKind::FVar) {
      int64_t j = pos.find(st, m);
      if (j < 0 || static_cast<uint32_t>(j) >= k) return m;
      return st.mk_bvar(off + k - 1 - static_cast<uint32_t>(j));
    }
    return Expr{};
  });
}

Expr instantiate_lparams(TermStore& st, Expr e, std::span<const Name> params, std::span<const Level> values) {
  if (params.empty() || !st.has_lparam(e)) return e;
  // Speed only: the identity substitution (each parameter to itself, as when a declaration
  // with `universe u v` uses another one at `.{u, v}`, common in Mathlib) changes nothing.
  // Only a complete identity is skipped; anything else is substituted below.
  if (values.size() == params.size()) {
    bool identity = true;
    for (size_t i = 0; identity && i < params.size(); ++i)
      identity = st.level_kind(values[i]) == LevelKind::Param && st.level_param_name(values[i]) == params[i];
    if (identity) return e;
  }
  std::vector<Level> tmp;
  return replace_impl(st, e, [&](Expr m, uint32_t) -> Expr {
    if (!st.has_lparam(m)) return m;
    if (st.kind(m) == ExprKind::Sort) return st.mk_sort(level_instantiate(st, st.sort_level(m), params, values));
    if (st.kind(m) == ExprKind::Const) {
      auto ls = st.levels(st.const_levels(m));
      tmp.assign(ls.begin(), ls.end());
      for (Level& l : tmp) l = level_instantiate(st, l, params, values);
      return st.mk_const(st.const_name(m), st.level_list(tmp));
    }
    return Expr{};
  });
}

bool has_loose_bvar(const TermStore& st, Expr e, uint32_t i) {
  if (i >= st.loose_bvar_range(e)) return false;
  detail::FlatMap64 seen(64);
  std::vector<std::pair<Expr, uint32_t>> stack{{e, i}};
  while (!stack.empty()) {
    auto [m, k] = stack.back();
    stack.pop_back();
    if (k >= st.loose_bvar_range(m)) continue;
    uint64_t key = detail::pair_key(m.id, k);
    if (seen.contains(key)) continue;
    seen.put(key, 1);
    switch (st.kind(m)) {
      case ExprKind::BVar:
        if (st.bvar_idx(m) == k) return true;
        break;
      case ExprKind::App:
        stack.push_back({st.app_fn(m), k});
        stack.push_back({st.app_arg(m), k});
        break;
      case ExprKind::Lam:
      case ExprKind::Pi:
        stack.push_back({st.binding_domain(m), k});
        stack.push_back({st.binding_body(m), k + 1});
        break;
      case ExprKind::Let:
        stack.push_back({st.let_type(m), k});
        stack.push_back({st.let_value(m), k});
        stack.push_back({st.let_body(m), k + 1});
        break;
      case ExprKind::Proj: stack.push_back({st.proj_expr(m), k}); break;
      default: break;
    }
  }
  return false;
}

void for_each_subterm(const TermStore& st, Expr e, const std::function<bool(Expr)>& visit) {
  detail::FlatMap64 seen(64);
  std::vector<Expr> stack{e};
  while (!stack.empty()) {
    Expr m = stack.back();
    stack.pop_back();
    if (seen.contains(m.id)) continue;
    seen.put(m.id, 1);
    if (visit(m)) push_subterms(st, m, stack);
  }
}

void push_subterms(const TermStore& st, Expr e, std::vector<Expr>& stack) {
  switch (st.kind(e)) {
    case ExprKind::App:
      stack.push_back(st.app_arg(e));
      stack.push_back(st.app_fn(e));
      break;
    case ExprKind::Lam:
    case ExprKind::Pi:
      stack.push_back(st.binding_body(e));
      stack.push_back(st.binding_domain(e));
      break;
    case ExprKind::Let:
      stack.push_back(st.let_body(e));
      stack.push_back(st.let_value(e));
      stack.push_back(st.let_type(e));
      break;
    case ExprKind::Proj: stack.push_back(st.proj_expr(e)); break;
    default: break;  // variables, sorts, constants and literals have no subterms
  }
}

bool find_const(const TermStore& st, Expr e, const std::function<bool(Name)>& pred) {
  bool found = false;
  for_each_subterm(st, e, [&](Expr m) {
    if (found) return false;
    if (st.kind(m) == ExprKind::Const && pred(st.const_name(m))) {
      found = true;
      return false;
    }
    return true;
  });
  return found;
}

bool alpha_eqv(const TermStore& st, Expr a, Expr b) {
  if (a == b) return true;
  if (st.hash(a) != st.hash(b)) return false;  // the hash ignores binder names and info
  detail::FlatMap64 done(64);
  std::vector<std::pair<Expr, Expr>> stack{{a, b}};
  while (!stack.empty()) {
    auto [x, y] = stack.back();
    stack.pop_back();
    if (x == y) continue;
    if (st.kind(x) != st.kind(y) || st.hash(x) != st.hash(y)) return false;
    uint64_t key = detail::pair_key(x.id, y.id);
    if (done.contains(key)) continue;
    done.put(key, 1);
    switch (st.kind(x)) {
      case ExprKind::App:
        stack.push_back({st.app_fn(x), st.app_fn(y)});
        stack.push_back({st.app_arg(x), st.app_arg(y)});
        break;
      case ExprKind::Lam:
      case ExprKind::Pi:
        stack.push_back({st.binding_domain(x), st.binding_domain(y)});
        stack.push_back({st.binding_body(x), st.binding_body(y)});
        break;
      case ExprKind::Let:
        stack.push_back({st.let_type(x), st.let_type(y)});
        stack.push_back({st.let_value(x), st.let_value(y)});
        stack.push_back({st.let_body(x), st.let_body(y)});
        break;
      case ExprKind::Proj:
        if (st.proj_idx(x) != st.proj_idx(y) || st.proj_struct(x) != st.proj_struct(y)) return false;
        stack.push_back({st.proj_expr(x), st.proj_expr(y)});
        break;
      default: return false;  // interned atoms: different ids are different terms
    }
  }
  return true;
}

Expr cheap_beta_reduce(TermStore& st, Expr e) {
  if (!st.is_app(e)) return e;
  Expr fn = st.app_head(e);
  if (!st.is_lambda(fn)) return e;
  std::vector<Expr> args;
  st.app_args(e, args);
  size_t i = 0;
  while (st.is_lambda(fn) && i < args.size()) {
    ++i;
    fn = st.binding_body(fn);
  }
  if (!st.has_loose_bvars(fn)) return st.mk_app(fn, std::span<const Expr>(args).subspan(i));
  if (st.is_bvar(fn)) {
    uint32_t k = st.bvar_idx(fn);
    if (k < i) return st.mk_app(args[i - k - 1], std::span<const Expr>(args).subspan(i));
  }
  return e;
}

Expr head_beta(TermStore& st, Expr e) {
  if (!st.is_app(e) || !st.is_lambda(st.app_head(e))) return e;
  std::vector<Expr> args;
  Expr fn = st.app_args(e, args);
  size_t m = 0;
  while (st.is_lambda(fn) && m < args.size()) {
    fn = st.binding_body(fn);
    ++m;
  }
  Expr body = instantiate_rev(st, fn, std::span<const Expr>(args).first(m));
  return st.mk_app(body, std::span<const Expr>(args).subspan(m));
}

}  // namespace leanbatch::host
