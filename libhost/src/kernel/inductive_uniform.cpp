// Uniform occurrences of the types being declared (lean4 #14582). Soundness-critical.
//
// Why syntactically and before anything else: the rest of the inductive checker works on
// whnf-reduced constructor types and on the nested translation, and both can make an
// occurrence disappear. `mk : (fun _ => Nat) (T Bool) → T α` reduces to a Nat field, and a
// non-uniform occurrence in a nested container's argument that no constructor uses vanishes
// from the auxiliary block. Lean's kernel accepted such blocks until 4.33.1; the recursor it
// derives assumes every occurrence is `T α`, so a non-uniform one is never accounted for.
// Reduction cannot create occurrences, so checking the terms as written covers them all.
#include <unordered_set>

#include "leanbatch/host/kernel/inductive.hpp"

namespace leanbatch::host {

void check_uniform_occurrences(const TermStore& st, std::span<const Name> block_types, uint32_t nparams,
                               std::span<const Name> lparams, Name owner, Expr e) {
  auto is_block_type = [&](Name n) {
    for (Name t : block_types)
      if (t == n) return true;
    return false;
  };
  auto fail = [&](Name type) {
    throw KernelError{KernelErrorKind::InvalidInductive,
                      "invalid occurrence of datatype '" + st.name_to_string(type) + "' being declared in the type of '" +
                          st.name_to_string(owner) +
                          "': it must be applied to the parameters and universe levels of the mutual declaration",
                      {}};
  };
  // Explicit stack of (term, binder depth); a (term, depth) pair is visited once, so shared
  // subterms of a DAG cost nothing and deep terms cannot overflow the stack.
  std::vector<std::pair<Expr, uint32_t>> stack{{e, 0}};
  std::unordered_set<uint64_t> seen;
  std::vector<Expr> args;
  while (!stack.empty()) {
    auto [t, depth] = stack.back();
    stack.pop_back();
    if (!seen.insert((static_cast<uint64_t>(t.id) << 32) | depth).second) continue;
    switch (st.kind(t)) {
      case ExprKind::Const:
      case ExprKind::App: {
        args.clear();
        Expr f = st.app_args(t, args);
        if (st.is_const(f) && is_block_type(st.const_name(f))) {
          if (args.size() > nparams) {
            // `I params indices`: the prefix `I params` is checked when the walk reaches it
            // (the function part of this application); the indices are ordinary subterms.
            stack.emplace_back(st.app_fn(t), depth);
            stack.emplace_back(st.app_arg(t), depth);
            break;
          }
          if (args.size() != nparams || depth < nparams) fail(st.const_name(f));
          for (uint32_t i = 0; i < nparams; ++i) {
            // Parameter i is the i-th outermost binder: at depth d it is #(d - 1 - i).
            if (st.kind(args[i]) != ExprKind::BVar || st.bvar_idx(args[i]) != depth - 1 - i) fail(st.const_name(f));
          }
          auto ls = st.levels(st.const_levels(f));
          if (ls.size() != lparams.size()) fail(st.const_name(f));
          for (size_t i = 0; i < ls.size(); ++i)
            if (st.level_kind(ls[i]) != LevelKind::Param || st.level_param_name(ls[i]) != lparams[i])
              fail(st.const_name(f));
          break;
        }
        if (st.is_app(t)) {
          stack.emplace_back(st.app_fn(t), depth);
          stack.emplace_back(st.app_arg(t), depth);
        }
        break;
      }
      case ExprKind::Lam:
      case ExprKind::Pi:
        stack.emplace_back(st.binding_domain(t), depth);
        stack.emplace_back(st.binding_body(t), depth + 1);
        break;
      case ExprKind::Let:
        stack.emplace_back(st.let_type(t), depth);
        stack.emplace_back(st.let_value(t), depth);
        stack.emplace_back(st.let_body(t), depth + 1);
        break;
      case ExprKind::Proj: stack.emplace_back(st.proj_expr(t), depth); break;
      default: break;
    }
  }
}

}  // namespace leanbatch::host
