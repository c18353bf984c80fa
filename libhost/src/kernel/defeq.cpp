// Definitional equality. Soundness-critical: a wrong `true` here accepts false proofs.
#include <algorithm>

#include "leanbatch/host/expr_ops.hpp"
#include "leanbatch/host/kernel/type_checker.hpp"
#include "leanbatch/host/level.hpp"

namespace leanbatch::host {

bool TypeChecker::is_def_eq(Expr t, Expr s) {
  bool r = is_def_eq_core(t, s);
  if (r) cache_success(t, s);
  return r;
}

bool TypeChecker::is_def_eq_levels(LevelList a, LevelList b) {
  if (a == b) return true;
  auto la = st_.levels(a);
  auto lb = st_.levels(b);
  if (la.size() != lb.size()) return false;
  for (size_t i = 0; i < la.size(); ++i)
    if (!level_is_equivalent(st_, la[i], lb[i])) return false;
  return true;
}

int TypeChecker::quick_is_def_eq(Expr t, Expr s) {
  // Interned terms: identical terms have one id (alpha-equivalent binders are compared below).
  if (t == s || succeeded_before(t, s)) return 1;
  if (st_.kind(t) == st_.kind(s)) {
    switch (st_.kind(t)) {
      case ExprKind::Lam:
      case ExprKind::Pi: return is_def_eq_binding(t, s) ? 1 : 0;
      case ExprKind::Sort: return level_is_equivalent(st_, st_.sort_level(t), st_.sort_level(s)) ? 1 : 0;
      case ExprKind::NatLit:
      case ExprKind::StrLit: return t == s ? 1 : 0;  // interned: same value ⇔ same id
      default: break;
    }
  }
  return -1;
}

bool TypeChecker::is_def_eq_binding(Expr t, Expr s) {
  ExprKind k = st_.kind(t);
  std::vector<Expr> subst;
  do {
    Expr s_dom;
    if (st_.binding_domain(t) != st_.binding_domain(s)) {
      s_dom = instantiate_rev(st_, st_.binding_domain(s), subst);
      Expr t_dom = instantiate_rev(st_, st_.binding_domain(t), subst);
      if (!is_def_eq(t_dom, s_dom)) return false;
    }
    if (st_.has_loose_bvars(st_.binding_body(t)) || st_.has_loose_bvars(st_.binding_body(s))) {
      if (!s_dom.valid()) s_dom = instantiate_rev(st_, st_.binding_domain(s), subst);
      subst.push_back(lctx_.push_local(st_.binding_name(s), s_dom, st_.binding_info(s)));
    } else {
      subst.push_back(prop_);  // the variable is unused: any closed term will do
    }
    t = st_.binding_body(t);
    s = st_.binding_body(s);
  } while (st_.kind(t) == k && st_.kind(s) == k);
  return is_def_eq(instantiate_rev(st_, t, subst), instantiate_rev(st_, s, subst));
}

bool TypeChecker::is_def_eq_args(Expr t, Expr s) {
  while (st_.is_app(t) && st_.is_app(s)) {
    if (!is_def_eq(st_.app_arg(t), st_.app_arg(s))) return false;
    t = st_.app_fn(t);
    s = st_.app_fn(s);
  }
  return !st_.is_app(t) && !st_.is_app(s);
}

bool TypeChecker::is_def_eq_app(Expr t, Expr s) {
  if (!st_.is_app(t) || !st_.is_app(s)) return false;
  std::vector<Expr> ta, sa;
  Expr tf = st_.app_args(t, ta);
  Expr sf = st_.app_args(s, sa);
  if (ta.size() != sa.size()) return false;
  if (!is_def_eq(tf, sf)) return false;
  for (size_t i = 0; i < ta.size(); ++i)
    if (!is_def_eq(ta[i], sa[i])) return false;
  return true;
}

int TypeChecker::is_def_eq_proof_irrel(Expr t, Expr s) {
  // Any two proofs of the same proposition are equal.
  Expr tt = infer(t);
  if (!is_prop(tt)) return -1;
  Expr stype = infer(s);
  return is_def_eq(tt, stype) ? 1 : 0;
}

bool TypeChecker::failed_before(Expr t, Expr s) const {
  uint64_t key = t.id < s.id ? detail::pair_key(t.id, s.id) : detail::pair_key(s.id, t.id);
  return failure_cache_.contains(key);
}

void TypeChecker::cache_failure(Expr t, Expr s) {
  uint64_t key = t.id < s.id ? detail::pair_key(t.id, s.id) : detail::pair_key(s.id, t.id);
  failure_cache_.put(key, 1);
}

bool TypeChecker::succeeded_before(Expr t, Expr s) const {
  uint64_t key = t.id < s.id ? detail::pair_key(t.id, s.id) : detail::pair_key(s.id, t.id);
  return success_cache_.contains(key);
}

void TypeChecker::cache_success(Expr t, Expr s) {
  if (t == s) return;
  uint64_t key = t.id < s.id ? detail::pair_key(t.id, s.id) : detail::pair_key(s.id, t.id);
  success_cache_.put(key, 1);
}

namespace {
ReducibilityHints hints_of(const ConstantInfo& c) {
  if (c.kind == ConstKind::Definition) return c.hints;
  return ReducibilityHints{HintKind::Opaque, 0};  // theorems unfold last
}
// < 0: unfold the left side first; > 0: the right; 0: both. Higher definitions unfold first,
// abbreviations before everything, opaque-hinted ones last.
int compare_hints(ReducibilityHints a, ReducibilityHints b) {
  if (a.kind == b.kind) {
    if (a.kind == HintKind::Regular) {
      if (a.height == b.height) return 0;
      return a.height > b.height ? -1 : 1;
    }
    return 0;
  }
  if (a.kind == HintKind::Opaque) return 1;
  if (b.kind == HintKind::Opaque) return -1;
  if (a.kind == HintKind::Abbrev) return -1;
  return 1;
}
}  // namespace

Expr TypeChecker::try_unfold_proj_app(Expr e) {
  if (st_.kind(st_.app_head(e)) != ExprKind::Proj) return Expr{};
  Expr r = whnf_core(e);
  return r != e ? r : Expr{};
}

int TypeChecker::lazy_delta_reduction_step(Expr& tn, Expr& sn) {
  const ConstantInfo* dt = is_delta(tn);
  const ConstantInfo* ds = is_delta(sn);
  if (!dt && !ds) return -1;
  if (dt && !ds) {
    if (Expr s2 = try_unfold_proj_app(sn); s2.valid())
      sn = s2;
    else
      tn = whnf_core(unfold_definition(tn), false, true);
  } else if (!dt && ds) {
    if (Expr t2 = try_unfold_proj_app(tn); t2.valid())
      tn = t2;
    else
      sn = whnf_core(unfold_definition(sn), false, true);
  } else {
    int c = compare_hints(hints_of(*dt), hints_of(*ds));
    if (c < 0) {
      tn = whnf_core(unfold_definition(tn), false, true);
    } else if (c > 0) {
      sn = whnf_core(unfold_definition(sn), false, true);
    } else {
      // Same definition on both sides: try the arguments before unfolding (speed), but never
      // twice for the same pair.
      if (st_.is_app(tn) && st_.is_app(sn) && dt == ds && dt->kind == ConstKind::Definition &&
          dt->hints.kind == HintKind::Regular && !failed_before(tn, sn)) {
        if (is_def_eq_levels(st_.const_levels(st_.app_head(tn)), st_.const_levels(st_.app_head(sn))) &&
            is_def_eq_args(tn, sn))
          return 1;
        cache_failure(tn, sn);
      }
      tn = whnf_core(unfold_definition(tn), false, true);
      sn = whnf_core(unfold_definition(sn), false, true);
    }
  }
  int q = quick_is_def_eq(tn, sn);
  if (q >= 0) return q;
  return 2;
}

int TypeChecker::is_def_eq_offset(Expr t, Expr s) {
  if (!kenv_.nat_ok) return -1;
  auto is_zero = [&](Expr e) {
    return e == kenv_.nat_zero || (st_.kind(e) == ExprKind::NatLit && st_.nat_is_small(e) && st_.nat_small(e) == 0);
  };
  auto pred = [&](Expr e) -> Expr {
    if (st_.kind(e) == ExprKind::NatLit) {
      if (st_.nat_is_small(e)) {
        uint64_t v = st_.nat_small(e);
        return v == 0 ? Expr{} : st_.mk_nat(v - 1);
      }
      mpz_class v = st_.nat_value(e);
      v -= 1;
      return st_.mk_nat(v);
    }
    if (st_.is_app(e) && st_.app_fn(e) == kenv_.nat_succ) return st_.app_arg(e);
    return Expr{};
  };
  if (is_zero(t) && is_zero(s)) return 1;
  Expr pt = pred(t);
  if (!pt.valid()) return -1;
  Expr ps = pred(s);
  if (!ps.valid()) return -1;
  return is_def_eq_core(pt, ps) ? 1 : 0;
}

int TypeChecker::lazy_delta_reduction(Expr& tn, Expr& sn) {
  for (;;) {
    check_system();
    int r = is_def_eq_offset(tn, sn);
    if (r >= 0) return r;
    if (!st_.has_fvar(tn) && !st_.has_fvar(sn)) {
      if (Expr tv = reduce_nat(tn); tv.valid()) return is_def_eq_core(tv, sn) ? 1 : 0;
      if (Expr sv = reduce_nat(sn); sv.valid()) return is_def_eq_core(tn, sv) ? 1 : 0;
    }
    reduce_native(tn);
    reduce_native(sn);
    int step = lazy_delta_reduction_step(tn, sn);
    if (step != 2) return step;
  }
}

bool TypeChecker::try_eta_expansion_core(Expr t, Expr s) {
  // (fun x => b) =?= s  ~>  (fun x => b) =?= (fun x => s x)
  if (!st_.is_lambda(t) || st_.is_lambda(s)) return false;
  Expr st = whnf(infer(s));
  if (!st_.is_pi(st)) return false;
  Expr eta = st_.mk_lambda(st_.binding_name(st), st_.binding_info(st), st_.binding_domain(st),
                           st_.mk_app(s, st_.mk_bvar(0)));
  return is_def_eq(t, eta);
}

bool TypeChecker::try_eta_expansion(Expr t, Expr s) { return try_eta_expansion_core(t, s) || try_eta_expansion_core(s, t); }

bool TypeChecker::try_eta_struct_core(Expr t, Expr s) {
  // t =?= S.mk a1 … an  ~>  t.i =?= ai, for a structure S (one constructor, no indices,
  // not recursive) and t of the same type.
  Expr f = st_.app_head(s);
  if (!st_.is_const(f)) return false;
  const ConstantInfo* ctor = kenv_.find(st_.const_name(f));
  if (!ctor || ctor->kind != ConstKind::Constructor) return false;
  if (st_.app_num_args(s) != ctor->num_params + ctor->num_fields) return false;
  if (!is_structure_like(ctor->induct)) return false;
  if (!is_def_eq(infer(t), infer(s))) return false;
  std::vector<Expr> args;
  st_.app_args(s, args);
  for (uint32_t i = ctor->num_params; i < args.size(); ++i)
    if (!is_def_eq(st_.mk_proj(ctor->induct, i - ctor->num_params, t), args[i])) return false;
  return true;
}

bool TypeChecker::try_eta_struct(Expr t, Expr s) { return try_eta_struct_core(t, s) || try_eta_struct_core(s, t); }

int TypeChecker::try_string_lit_expansion_core(Expr t, Expr s) {
  if (!kenv_.string_ok || st_.kind(t) != ExprKind::StrLit || !st_.is_app(s)) return -1;
  Expr h = st_.app_head(s);
  Name mk = kenv_.string_uses_of_list ? kenv_.names().string_of_list : kenv_.names().string_mk;
  if (!st_.is_const(h) || st_.const_name(h) != mk) return -1;
  return is_def_eq_core(string_lit_to_constructor(t), s) ? 1 : 0;
}

int TypeChecker::try_string_lit_expansion(Expr t, Expr s) {
  int r = try_string_lit_expansion_core(t, s);
  if (r >= 0) return r;
  return try_string_lit_expansion_core(s, t);
}

bool TypeChecker::is_def_eq_unit_like(Expr t, Expr s) {
  // Any two terms of a structure with no fields are equal (also in Type).
  Expr tt = whnf(infer(t));
  Expr I = st_.app_head(tt);
  if (!st_.is_const(I) || !is_structure_like(st_.const_name(I))) return false;
  const ConstantInfo* ind = kenv_.find(st_.const_name(I));
  const ConstantInfo* ctor = kenv_.find(ind->ctors[0]);
  if (!ctor || ctor->num_fields != 0) return false;
  return is_def_eq_core(tt, infer(s));
}

bool TypeChecker::is_def_eq_core(Expr t, Expr s) {
  check_system();
  int r = quick_is_def_eq(t, s);
  if (r >= 0) return r == 1;

  // Proofs by reflection: `decide`-style goals `b = true` with b closed (speed only).
  if (!st_.has_fvar(t) && s == kenv_.bool_true && kenv_.bool_ok) {
    if (whnf(t) == kenv_.bool_true) return true;
  }

  Expr tn = whnf_core(t, false, true);
  Expr sn = whnf_core(s, false, true);
  if (tn != t || sn != s) {
    r = quick_is_def_eq(tn, sn);
    if (r >= 0) return r == 1;
  }

  r = is_def_eq_proof_irrel(tn, sn);
  if (r >= 0) return r == 1;

  r = lazy_delta_reduction(tn, sn);
  if (r >= 0) return r == 1;

  if (st_.is_const(tn) && st_.is_const(sn) && st_.const_name(tn) == st_.const_name(sn) &&
      is_def_eq_levels(st_.const_levels(tn), st_.const_levels(sn)))
    return true;
  if (st_.is_fvar(tn) && st_.is_fvar(sn) && tn == sn) return true;
  // The structure names are compared too (lean4 #14631): a checked projection always names
  // its term's structure, so this costs nothing for well-typed terms, and an ill-typed one
  // that slipped past a check elsewhere cannot borrow another structure's field.
  if (st_.kind(tn) == ExprKind::Proj && st_.kind(sn) == ExprKind::Proj && st_.proj_idx(tn) == st_.proj_idx(sn) &&
      st_.proj_struct(tn) == st_.proj_struct(sn) && is_def_eq(st_.proj_expr(tn), st_.proj_expr(sn)))
    return true;

  // whnf_core again, now reducing projections with full whnf.
  Expr tnn = whnf_core(tn);
  Expr snn = whnf_core(sn);
  if (tnn != tn || snn != sn) return is_def_eq_core(tnn, snn);

  if (is_def_eq_app(tn, sn)) return true;
  if (try_eta_expansion(tn, sn)) return true;
  if (try_eta_struct(tn, sn)) return true;
  r = try_string_lit_expansion(tn, sn);
  if (r >= 0) return r == 1;
  if (is_def_eq_unit_like(tn, sn)) return true;
  return false;
}

}  // namespace leanbatch::host
