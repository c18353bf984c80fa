#pragma once
/// The type checker: type inference, weak-head normalisation and definitional equality.
///
/// Soundness-critical throughout. The algorithm is Lean 4's kernel algorithm, written
/// independently: infer (checking and infer-only modes), whnf_core (beta, zeta, projection,
/// iota incl. K-like and structure-eta majors, quotient), whnf (adds delta and the verified
/// Nat literal extension), is_def_eq (quick checks, proof irrelevance, lazy delta reduction
/// guided by reducibility hints, Nat offsets, congruence, function eta, structure eta,
/// unit-like types, string literal expansion) with Lean 4.33.1's caches: a success cache of
/// exact pairs (never a union-find: lean4 #14806) and a failure cache used only for the
/// same-definition argument shortcut. See docs/kernel.md.
///
/// One TypeChecker is used per declaration; all terms it builds live in the store's scratch
/// region. Failures throw KernelError (caught by the declaration checker).
#include <chrono>
#include <functional>
#include <span>
#include <vector>

#include "leanbatch/host/detail/flat_map.hpp"
#include "leanbatch/host/host_context.hpp"
#include "leanbatch/host/kernel/kernel_env.hpp"
#include "leanbatch/host/kernel/local_context.hpp"

namespace leanbatch::host {

/// Limits and controls shared by the type checkers of one check run.
struct CheckControl {
  const CancelToken* cancel = nullptr;
  /// Per-declaration wall-clock budget (0: none).
  std::chrono::milliseconds budget{0};
  /// Scratch-node budget per declaration (0: none); bounds memory of one declaration.
  uint64_t max_scratch_exprs = 0;
  /// Lowest usable stack address for the kernel thread (0: no stack guard).
  uintptr_t stack_limit = 0;
  /// Largest Nat numeral the kernel accepts or computes, in bytes of 64-bit limbs (lean4
  /// #14849; Lean's default, LEAN_NAT_MAX_SIZE, is 128 MiB).
  uint64_t nat_max_bytes = uint64_t{128} << 20;
  /// Test-only fault injection (from CheckOptions; never set outside tests): called on every
  /// recursor the inductive checker derived, after nested restoration and before they are
  /// type-checked (inductive_recheck.cpp), so a test can corrupt one and see the check fail.
  std::function<void(TermStore&, ConstantInfo&)> test_corrupt_derived_recursor;
};

class TypeChecker {
 public:
  TypeChecker(KernelEnv& kenv, const CheckControl& control, uint32_t current_decl, std::span<const Name> lparams,
              Safety safety);
  TypeChecker(const TypeChecker&) = delete;
  TypeChecker& operator=(const TypeChecker&) = delete;

  /// Full check of `e` (every subterm type-checked, universe parameters must be declared);
  /// returns its type.
  Expr check(Expr e) { return infer_core(e, false); }
  /// Type of a term already known to be well-typed.
  Expr infer(Expr e) { return infer_core(e, true); }
  Expr whnf(Expr e);
  Expr whnf_core(Expr e, bool cheap_rec = false, bool cheap_proj = false);
  bool is_def_eq(Expr t, Expr s);
  /// Is the type `type` a proposition (its sort is Prop)?
  bool is_prop(Expr type);
  /// `t` (the type of `e`) as a sort, reducing if needed; throws TypeExpected.
  Expr ensure_sort(Expr t, Expr e);
  Expr ensure_pi(Expr t, Expr e);
  /// Checks `e` is a type and returns its sort.
  Expr ensure_type(Expr e) { return ensure_sort(infer_core(e, false), e); }

  LocalContext& lctx() { return lctx_; }
  TermStore& st() { return st_; }
  KernelEnv& kenv() { return kenv_; }
  uint32_t current_decl() const { return current_decl_; }

  /// Pretty-prints with this checker's free-variable names.
  std::string pp(Expr e);
  [[noreturn]] void fail(KernelErrorKind k, std::string msg, std::vector<std::pair<std::string, Expr>> terms = {});

  /// Polls cancellation, the budget and the stack guard (cheap).
  void check_system();

  /// Instantiates a constant's type/value with universe arguments (memoised).
  Expr instantiate_type_lparams(const ConstantInfo& c, LevelList ls);
  Expr instantiate_value_lparams(const ConstantInfo& c, LevelList ls);

  /// Lit → constructor applications (valid only when the extensions are enabled).
  Expr nat_lit_to_constructor(Expr lit);
  Expr string_lit_to_constructor(Expr lit);

 private:
  // ---- inference ----
  Expr infer_core(Expr e, bool infer_only);
  Expr infer_constant(Expr e, bool infer_only);
  void check_use_safety(const ConstantInfo& used, Name n);
  Expr infer_lambda(Expr e, bool infer_only);
  Expr infer_pi(Expr e, bool infer_only);
  Expr infer_app(Expr e, bool infer_only);
  Expr infer_let(Expr e, bool infer_only);
  Expr infer_proj(Expr e, bool infer_only);
  void check_level(Level l);

  // ---- reduction ----
  Expr reduce_proj(Expr e, bool cheap_rec, bool cheap_proj);
  Expr reduce_recursor(Expr e, bool cheap_rec, bool cheap_proj);
  Expr inductive_reduce_rec(Expr e, bool cheap_rec, bool cheap_proj);
  Expr quot_reduce_rec(Expr e);
  Expr to_ctor_when_k(const ConstantInfo& rec, Expr major);
  Expr to_ctor_when_structure(Name induct, Expr major);
  Expr reduce_nat(Expr e);
  Expr reduce_bin_nat_op(NatOp op, Expr a, Expr b);
  /// Declines (kernel_limit) a Nat numeral of more than nat_max_bytes / 8 limbs.
  void check_nat_size(uint64_t limbs, Expr e);
  void reduce_native(Expr e);
  const ConstantInfo* is_delta(Expr e);
  Expr unfold_definition(Expr e);
  bool is_nat_lit_ext(Expr e) const { return e == kenv_.nat_zero || st_.kind(e) == ExprKind::NatLit; }
  Name major_induct(const ConstantInfo& rec);

  // ---- definitional equality ----
  bool is_def_eq_core(Expr t, Expr s);
  int quick_is_def_eq(Expr t, Expr s);  // 1 true, 0 false, -1 unknown
  bool is_def_eq_binding(Expr t, Expr s);
  bool is_def_eq_levels(LevelList a, LevelList b);
  bool is_def_eq_args(Expr t, Expr s);
  bool is_def_eq_app(Expr t, Expr s);
  int is_def_eq_proof_irrel(Expr t, Expr s);
  int is_def_eq_offset(Expr t, Expr s);
  int lazy_delta_reduction(Expr& t, Expr& s);
  int lazy_delta_reduction_step(Expr& t, Expr& s);  // 1 eq, 0 diff, -1 unknown, 2 continue
  Expr try_unfold_proj_app(Expr e);
  bool try_eta_expansion(Expr t, Expr s);
  bool try_eta_expansion_core(Expr t, Expr s);
  bool try_eta_struct(Expr t, Expr s);
  bool try_eta_struct_core(Expr t, Expr s);
  int try_string_lit_expansion(Expr t, Expr s);
  int try_string_lit_expansion_core(Expr t, Expr s);
  bool is_def_eq_unit_like(Expr t, Expr s);
  bool failed_before(Expr t, Expr s) const;
  void cache_failure(Expr t, Expr s);
  bool succeeded_before(Expr t, Expr s) const;
  void cache_success(Expr t, Expr s);
  bool is_structure_like(Name induct) const;

  KernelEnv& kenv_;
  TermStore& st_;
  const CheckControl& control_;
  uint32_t current_decl_;
  std::span<const Name> lparams_;
  Safety safety_;
  LocalContext lctx_;
  detail::FlatMap64 infer_cache_[2];  // [infer_only]
  detail::FlatMap64 whnf_core_cache_;
  detail::FlatMap64 whnf_cache_;
  detail::FlatMap64 failure_cache_;
  // Exact pairs proven equal by this checker. Soundness (lean4 #14806): a hit stands only for
  // the very comparison that succeeded, which would succeed again alone; no equality is ever
  // derived from two others (a union-find did that, making defeq transitive and the verdict
  // depend on what was compared before).
  detail::FlatMap64 success_cache_;
  // Universe instantiation memo: inst_key(owner, term, levels) → instantiated term. The key
  // must name the owning constant, not just the term: `A.{u,v}` and `B.{v,u}` may share one
  // interned type, and `B.{1,0}` is not `A.{1,0}`.
  uint64_t inst_key(Name owner, Expr e, LevelList ls);
  detail::FlatMap64 inst_slots_;        // (owner name, term) → dense slot
  uint32_t next_inst_slot_ = 0;
  detail::FlatMap64 inst_type_cache_;   // (slot of constant name and its type, level list) → type
  detail::FlatMap64 inst_value_cache_;  // (slot of constant name and its value / rule rhs, level list) → term
  std::chrono::steady_clock::time_point deadline_;
  uint32_t system_counter_ = 0;
  Expr prop_;
};

}  // namespace leanbatch::host
