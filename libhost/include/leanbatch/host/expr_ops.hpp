#pragma once
/// Structural operations on expressions: substitution of bound variables, abstraction of
/// free variables, de Bruijn shifting, universe instantiation, occurrence tests.
///
/// All traversals are iterative (explicit stack, so a 1,000,000-deep term cannot overflow
/// the C++ stack) and memoised per call on (node, binder offset), so shared DAGs are walked
/// once. Subterms whose loose bound-variable range shows that nothing can change are
/// returned as they are without being visited.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "leanbatch/host/term_store.hpp"

namespace leanbatch::host {

/// Rebuilds `e`. For each visited subterm `m` under `offset` binders, `pre(m, offset)`
/// returns a replacement or an invalid Expr to descend into m's children.
Expr replace_expr(TermStore& st, Expr e, const std::function<Expr(Expr, uint32_t)>& pre);

/// Replaces loose bvar (s + i) by subst[i] for i < n (lifted under binders) and lowers
/// larger loose indices by n. Lean's instantiate(e, n, subst).
Expr instantiate(TermStore& st, Expr e, std::span<const Expr> subst);
/// Like instantiate, with subst read backwards: bvar i ↦ subst[n - 1 - i].
Expr instantiate_rev(TermStore& st, Expr e, std::span<const Expr> subst);
inline Expr instantiate1(TermStore& st, Expr e, Expr v) { return instantiate(st, e, std::span<const Expr>(&v, 1)); }

/// Replaces each free variable fvars[i] by bvar (offset + n - 1 - i).
Expr abstract_fvars(TermStore& st, Expr e, std::span<const Expr> fvars);

/// Positions of a list of free variables, for abstracting many prefixes of one list.
class FVarPositions {
 public:
  FVarPositions(const TermStore& st, std::span<const Expr> fvars);
  /// Position of `fvar`, or -1.
  int64_t find(const TermStore& st, Expr fvar) const;

 private:
  std::span<const Expr> fvars_;
  std::vector<uint32_t> by_index_;  // fvar index - base → position + 1 (0: absent)
  uint32_t base_ = 0;
};
/// Abstracts fvars[0, k) (positions from `pos`): fvars[j] ↦ bvar (offset + k - 1 - j).
Expr abstract_fvar_prefix(TermStore& st, Expr e, const FVarPositions& pos, uint32_t k);

/// bvar i (i ≥ s, counted from the root) ↦ bvar (i + d).
Expr lift_loose_bvars(TermStore& st, Expr e, uint32_t s, uint32_t d);
/// bvar i (i ≥ s) ↦ bvar (i - d). Requires no loose bvar in [s - d, s).
Expr lower_loose_bvars(TermStore& st, Expr e, uint32_t s, uint32_t d);

/// Substitutes universe parameters in every sort and constant.
Expr instantiate_lparams(TermStore& st, Expr e, std::span<const Name> params, std::span<const Level> values);

/// Does loose bvar `i` occur in e?
bool has_loose_bvar(const TermStore& st, Expr e, uint32_t i);

/// Visits every distinct subterm (each node once, children after parents are discovered)
/// until `visit` returns false for a node (its children are then skipped).
void for_each_subterm(const TermStore& st, Expr e, const std::function<bool(Expr)>& visit);

/// Pushes the direct subterms of `e` onto `stack`, in the order for_each_subterm visits them
/// (the last pushed is taken first: function before argument, domain before body).
void push_subterms(const TermStore& st, Expr e, std::vector<Expr>& stack);

/// for_each_subterm for many walks over one store (speed only): the visited set is a bitset
/// indexed by expression id (one bit a node, kept between walks) whose marks are cleared by
/// clear(), and the visitor is inlined. Walks between two clear() calls share their marks, so
/// a node reached by an earlier one is not visited again.
class SubtermWalk {
 public:
  template <class F>
  void walk(const TermStore& st, Expr root, F&& visit) {
    if (!root.valid()) return;
    stack_.assign(1, root);
    while (!stack_.empty()) {
      Expr m = stack_.back();
      stack_.pop_back();
      if (m.id / 64 >= seen_.size()) seen_.resize(std::max<size_t>(st.expr_count(), m.id + 1) / 64 + 1, 0);
      uint64_t& word = seen_[m.id / 64];
      const uint64_t bit = uint64_t{1} << (m.id % 64);
      if (word & bit) continue;
      word |= bit;
      marked_.push_back(m.id);
      if (visit(m)) push_subterms(st, m, stack_);
    }
  }
  /// Forgets the marks of the walks since the last clear().
  void clear() {
    for (uint32_t id : marked_) seen_[id / 64] &= ~(uint64_t{1} << (id % 64));
    marked_.clear();
  }

 private:
  std::vector<uint64_t> seen_;
  std::vector<uint32_t> marked_;
  std::vector<Expr> stack_;
};

/// Does some constant satisfy `pred`?
bool find_const(const TermStore& st, Expr e, const std::function<bool(Name)>& pred);

/// Structural equality ignoring binder names and binder info (alpha-equivalence).
bool alpha_eqv(const TermStore& st, Expr a, Expr b);

/// Head beta of an application whose head is a lambda, when no substitution is needed for
/// the remaining body (Lean's cheap_beta_reduce); otherwise returns e.
Expr cheap_beta_reduce(TermStore& st, Expr e);

/// Beta-reduces `f a1 ... an` at the head as far as the lambdas of f go.
Expr head_beta(TermStore& st, Expr e);

}  // namespace leanbatch::host
