#pragma once
/// Free variables of the kernel. Each free variable has a unique index (from the store's
/// scratch counter), its declaration is stored by index, so lookups are O(1) and contexts
/// never need to be saved and restored: a variable simply stops being used.
#include <span>
#include <vector>

#include "leanbatch/host/term_store.hpp"

namespace leanbatch::host {

struct LocalDecl {
  Name name;
  Expr type;
  Expr value;  ///< let-bound variables only
  BinderInfo info = BinderInfo::Default;
};

class LocalContext {
 public:
  explicit LocalContext(TermStore& st) : st_(st) {}

  Expr push_local(Name n, Expr type, BinderInfo bi = BinderInfo::Default);
  Expr push_let(Name n, Expr type, Expr value);
  const LocalDecl& decl(Expr fvar) const { return decls_[st_.fvar_idx(fvar)]; }
  const LocalDecl* find(uint32_t idx) const { return idx < decls_.size() ? &decls_[idx] : nullptr; }

  /// Π/λ over `fvars` (in order), abstracting them in `body` and in later binder types.
  /// Let-bound variables become `let`s.
  Expr mk_pi(std::span<const Expr> fvars, Expr body) { return mk_binding(false, fvars, body); }
  Expr mk_lambda(std::span<const Expr> fvars, Expr body) { return mk_binding(true, fvars, body); }

  void clear() { decls_.clear(); }

 private:
  Expr mk_binding(bool lambda, std::span<const Expr> fvars, Expr body);
  TermStore& st_;
  std::vector<LocalDecl> decls_;
};

}  // namespace leanbatch::host
