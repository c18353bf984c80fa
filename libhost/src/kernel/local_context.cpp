#include "leanbatch/host/kernel/local_context.hpp"

#include "leanbatch/host/expr_ops.hpp"

namespace leanbatch::host {

Expr LocalContext::push_local(Name n, Expr type, BinderInfo bi) {
  uint32_t idx = st_.fresh_fvar_index();
  if (idx >= decls_.size()) decls_.resize(static_cast<size_t>(idx) + 1);
  decls_[idx] = LocalDecl{n, type, Expr{}, bi};
  return st_.mk_fvar(idx);
}

Expr LocalContext::push_let(Name n, Expr type, Expr value) {
  uint32_t idx = st_.fresh_fvar_index();
  if (idx >= decls_.size()) decls_.resize(static_cast<size_t>(idx) + 1);
  decls_[idx] = LocalDecl{n, type, value, BinderInfo::Default};
  return st_.mk_fvar(idx);
}

Expr LocalContext::mk_binding(bool lambda, std::span<const Expr> fvars, Expr body) {
  uint32_t n = static_cast<uint32_t>(fvars.size());
  if (n == 0) return body;
  FVarPositions pos(st_, fvars);
  Expr r = abstract_fvar_prefix(st_, body, pos, n);
  for (uint32_t i = n; i-- > 0;) {
    const LocalDecl& d = decl(fvars[i]);
    Expr ty = abstract_fvar_prefix(st_, d.type, pos, i);
    if (d.value.valid())
      r = st_.mk_let(d.name, ty, abstract_fvar_prefix(st_, d.value, pos, i), r, false);
    else
      r = st_.mk_binder(lambda ? ExprKind::Lam : ExprKind::Pi, d.name, d.info, ty, r);
  }
  return r;
}

}  // namespace leanbatch::host
