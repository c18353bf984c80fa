// Type-checking the recursors the kernel derived for an inductive block (lean4 #14808, with
// #14620/#14621; Lean 4.33/4.34). Soundness-critical, as defence in depth.
//
// Why: inductive.cpp derives every recursor (type and rules) from the checked types and
// constructors, and each exported recursor must equal the derived one up to binder names.
// Nothing else checks that the derived recursor is itself consistent: the derivation is
// trusted. A slip there (a minor premise that promises an induction hypothesis the rule
// never passes, the shape of the Lean Kernel Arena's `rec-missing-ih`) would be accepted for
// the export too, and iota reduction with it changes a term's type. So, independently of how
// the recursors were built, after nested restoration:
//  1. each recursor's type must be a type (its sort is inferred, as for any declaration);
//  2. each rule must preserve types: with the parameters, motives and minor premises as free
//     variables typed by the recursor's binders, and the constructor's fields as free
//     variables typed by the constructor's type at the parameters of the major premise's type,
//     `rec xs is (C Ds fields)` must be well typed (`is` read from the constructor's result
//     type) and the rule's right-hand side applied to `xs fields` must have a type
//     definitionally equal to the recursor's result type at `is` and that major premise.
//     Only asking that the right-hand side have *some* type is not enough: a minor premise
//     missing an induction hypothesis is still a well-typed, under-applied function.
// A failure rejects the block as `invalid_recursor`, naming the recursor and the rule.
#include "leanbatch/host/expr_ops.hpp"
#include "leanbatch/host/kernel/inductive.hpp"

namespace leanbatch::host {

namespace {

class RecursorCheck {
 public:
  RecursorCheck(TypeChecker& tc, const ConstantInfo& rec) : tc_(tc), st_(tc.st()), rec_(rec) {}

  void run() {
    try {
      check();
    } catch (KernelError& e) {
      // A type error anywhere in the recursor is a bad recursor; resource limits and the
      // state of dependencies are not about it and pass through unchanged.
      if (passes_through(e.kind)) throw;
      e.message = "recursor '" + st_.name_to_string(rec_.name) + "', " + what_ +
                  ": type check of the derived recursor failed (lean4 #14808): " + to_string(e.kind) + ": " + e.message;
      e.kind = KernelErrorKind::InvalidRecursor;
      throw;
    }
  }

 private:
  static bool passes_through(KernelErrorKind k) {
    switch (k) {
      case KernelErrorKind::DependsOnRejected:
      case KernelErrorKind::DependsOnDeclined:
      case KernelErrorKind::DependsOnTimeout:
      case KernelErrorKind::DependsOnCrashed:
      case KernelErrorKind::UnsupportedLiteral:
      case KernelErrorKind::NativeReduction:
      case KernelErrorKind::KernelLimit:
      case KernelErrorKind::Budget:
      case KernelErrorKind::Cancelled:
      case KernelErrorKind::Internal:
      case KernelErrorKind::InvalidRecursor: return true;  // InvalidRecursor: from fail(), already says which
      default: return false;
    }
  }

  void check() {
    what_ = "its type";
    tc_.ensure_type(rec_.type);
    // Parameters, motives and minor premises: free variables, once for all rules.
    Expr t = rec_.type;
    for (uint32_t i = 0; i < rec_.num_params + rec_.num_motives + rec_.num_minors; ++i) {
      t = binder(t);
      xs_.push_back(push(t, xs_));
      t = st_.binding_body(t);
    }
    // Indices, then the major premise `I Ds is`; Ds must not depend on the indices.
    std::vector<Expr> ctx = xs_, is;
    Expr after_xs = t;
    for (uint32_t i = 0; i < rec_.num_indices; ++i) {
      t = binder(t);
      is.push_back(push(t, ctx));
      ctx.push_back(is.back());
      t = st_.binding_body(t);
    }
    t = binder(t);
    Expr major_type = instantiate_rev(st_, st_.binding_domain(t), ctx);
    Expr I = st_.app_args(major_type, ds_);
    const ConstantInfo* ind = st_.is_const(I) ? tc_.kenv().find(st_.const_name(I)) : nullptr;
    if (!ind || ind->kind != ConstKind::Inductive || ds_.size() < ind->num_params) fail("the major premise is not of an inductive type");
    ds_.resize(ind->num_params);
    for (Expr d : ds_)
      if (abstract_fvars(st_, d, is) != d) fail("the parameters of the major premise's type depend on the indices");
    induct_ = ind->name;
    ind_levels_ = st_.const_levels(I);
    for (const RecursorRule& r : rec_.rules) check_rule(r, after_xs);
  }

  [[noreturn]] void fail(const std::string& msg, std::vector<std::pair<std::string, Expr>> terms = {}) {
    tc_.fail(KernelErrorKind::InvalidRecursor,
             "recursor '" + st_.name_to_string(rec_.name) + "', " + what_ +
                 ": type check of the derived recursor failed (lean4 #14808): " + msg,
             std::move(terms));
  }
  Expr binder(Expr t) {
    if (!st_.is_pi(t)) fail("its type has too few binders");
    return t;
  }
  Expr push(Expr pi, std::span<const Expr> ctx) {
    return tc_.lctx().push_local(st_.binding_name(pi), instantiate_rev(st_, st_.binding_domain(pi), ctx),
                                 st_.binding_info(pi));
  }
  Expr whnf_pi(Expr t) { return st_.is_pi(t) ? t : tc_.whnf(t); }

  // `f args` (args are free variables) is type-checked; λ-binders of f are instantiated
  // directly once their domain is seen to be the argument's type (definitionally), so the
  // shared prefix of all rules is not re-inferred rule after rule (speed only). This is as
  // strong as checking the application: the body is checked with each bound variable typed by
  // the recursor's or constructor's binder, both already type-checked, and a binder domain
  // never survives the β-reduction iota performs with the rule.
  Expr check_applied(Expr f, std::span<const Expr> args) {
    std::vector<Expr> done;
    size_t i = 0;
    for (; i < args.size() && st_.is_lambda(f); ++i, f = st_.binding_body(f)) {
      Expr dom = instantiate_rev(st_, st_.binding_domain(f), done);
      Expr arg_type = tc_.lctx().decl(args[i]).type;
      if (!tc_.is_def_eq(dom, arg_type))
        fail("the right-hand side's binder #" + std::to_string(i + 1) + " does not have the recursor's / constructor's type",
             {{"binder type", dom}, {"expected", arg_type}});
      done.push_back(args[i]);
    }
    return tc_.check(st_.mk_app(instantiate_rev(st_, f, done), args.subspan(i)));
  }

  void check_rule(const RecursorRule& r, Expr after_xs) {
    what_ = "rule for '" + st_.name_to_string(r.ctor) + "'";
    const ConstantInfo* c = tc_.kenv().find(r.ctor);
    if (!c || c->kind != ConstKind::Constructor || c->induct != induct_ || c->num_fields != r.nfields)
      fail("not a constructor of the major premise's type with " + std::to_string(r.nfields) + " fields");
    // The constructor at Ds, its fields as free variables, its result `I Ds is`.
    Expr t = tc_.instantiate_type_lparams(*c, ind_levels_);
    for (Expr d : ds_) {
      t = whnf_pi(t);
      if (!st_.is_pi(t)) fail("the constructor's type has too few parameters");
      t = instantiate1(st_, st_.binding_body(t), d);
    }
    std::vector<Expr> fields;
    for (uint32_t i = 0; i < r.nfields; ++i) {
      t = whnf_pi(t);
      if (!st_.is_pi(t)) fail("the constructor's type has too few fields");
      fields.push_back(tc_.lctx().push_local(st_.binding_name(t), st_.binding_domain(t), st_.binding_info(t)));
      t = instantiate1(st_, st_.binding_body(t), fields.back());
    }
    std::vector<Expr> args;
    st_.app_args(t, args);
    if (args.size() != ds_.size() + rec_.num_indices) fail("the constructor's result has the wrong number of indices");
    Expr major = st_.mk_app(st_.mk_app(st_.mk_const(c->name, ind_levels_), ds_), fields);
    // `rec xs is major` is well typed: the major premise has the type the recursor expects.
    std::vector<Expr> ctx = xs_;
    ctx.insert(ctx.end(), args.begin() + static_cast<std::ptrdiff_t>(ds_.size()), args.end());
    Expr rest = after_xs;
    for (uint32_t i = 0; i < rec_.num_indices; ++i) rest = st_.binding_body(rest);
    Expr expected_major = instantiate_rev(st_, st_.binding_domain(rest), ctx);
    Expr major_type = tc_.check(major);
    if (!tc_.is_def_eq(major_type, expected_major))
      fail("the constructor application is not a major premise of the recursor",
           {{"constructor application type", major_type}, {"major premise type", expected_major}});
    // The right-hand side has the recursor's result type there.
    ctx.push_back(major);
    Expr expected = instantiate_rev(st_, st_.binding_body(rest), ctx);
    std::vector<Expr> rhs_args = xs_;
    rhs_args.insert(rhs_args.end(), fields.begin(), fields.end());
    Expr got = check_applied(r.rhs, rhs_args);
    if (!tc_.is_def_eq(got, expected))
      fail("the right-hand side does not have the recursor's result type at this constructor",
           {{"right-hand side type", got}, {"expected", expected}});
  }

  TypeChecker& tc_;
  TermStore& st_;
  const ConstantInfo& rec_;
  std::string what_;
  std::vector<Expr> xs_;  // parameters, motives, minor premises
  std::vector<Expr> ds_;  // parameters of the major premise's type (the container's, for a nested recursor)
  Name induct_;
  LevelList ind_levels_;
};

}  // namespace

void check_derived_recursors(KernelEnv& kenv, const CheckControl& control, uint32_t decl_index,
                             std::span<const ConstantInfo> block, std::span<const ConstantInfo> recursors) {
  if (recursors.empty()) return;
  // The block as it will be stored, and the recursors themselves (their rules name them).
  kenv.overlay_clear();
  struct OverlayGuard {
    KernelEnv& k;
    ~OverlayGuard() { k.overlay_clear(); }
  } guard{kenv};
  for (const ConstantInfo& c : block) kenv.overlay_add(&c);
  for (const ConstantInfo& r : recursors) kenv.overlay_add(&r);
  // The recursors' universe parameters: the elimination universe (if any) and the block's.
  TypeChecker tc(kenv, control, decl_index, recursors[0].lparams, recursors[0].safety);
  for (const ConstantInfo& r : recursors) RecursorCheck(tc, r).run();
}

}  // namespace leanbatch::host
