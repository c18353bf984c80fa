// Inductive blocks: checking the types and constructors, deriving recursors (then
// type-checked by inductive_recheck.cpp), comparing with the export. Soundness-critical throughout (see inductive.hpp).
#include "leanbatch/host/kernel/inductive.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "leanbatch/host/expr_ops.hpp"
#include "leanbatch/host/level.hpp"
#include "leanbatch/host/pretty.hpp"

namespace leanbatch::host {

namespace {

struct CtorSpec {
  Name name;
  Expr type;
};
struct TypeSpec {
  Name name;
  Expr type;
  std::vector<CtorSpec> ctors;
};

struct RecInfo {
  Expr motive;
  std::vector<Expr> minors;
  std::vector<Expr> indices;
  Expr major;
};

class InductiveChecker {
 public:
  InductiveChecker(KernelEnv& kenv, const CheckControl& control, uint32_t decl_index)
      : kenv_(kenv), st_(kenv.st()), env_(kenv.env()), decl_index_(decl_index), decl_(env_.declaration(decl_index)) {
    (void)control;
  }

  void run(const CheckControl& control) {
    collect();
    TypeChecker tc(kenv_, control, decl_index_, lparams_, unsafe_ ? Safety::Unsafe : Safety::Safe);
    tc_ = &tc;
    struct OverlayGuard {
      KernelEnv& k;
      ~OverlayGuard() { k.overlay_clear(); }
    } guard{kenv_};
    eliminate_nested();
    check_types();
    declare_types();
    check_exported_nested_ctors();
    check_constructors();
    declare_constructors();
    choose_elim_level();
    mk_rec_infos();
    derive_recursors();
    restore_nested();
    recheck_recursors(control);
    compare_with_export();
    tc_ = nullptr;
  }

 private:
  [[noreturn]] void fail(KernelErrorKind k, const std::string& msg, std::vector<std::pair<std::string, Expr>> terms = {}) {
    tc_ ? tc_->fail(k, msg, std::move(terms)) : throw KernelError{k, msg, {}};
  }
  [[noreturn]] void bad(const std::string& msg, std::vector<std::pair<std::string, Expr>> terms = {}) {
    fail(KernelErrorKind::InvalidInductive, msg, std::move(terms));
  }
  std::string nm(Name n) const { return st_.name_to_string(n); }
  // A local variable for the binder `t` (a Π), with type annotations consumed as Lean does.
  Expr local_for(Expr t, Expr dom) {
    return tc_->lctx().push_local(st_.binding_name(t), kenv_.consume_type_annotations(dom), st_.binding_info(t));
  }
  Expr local_for(Expr t) { return local_for(t, st_.binding_domain(t)); }

  // ---------------------------------------------------------------------------------------
  // 0. What the export says: types, their constructors (by the types' ctor lists), recursors.
  void collect() {
    for (uint32_t i = decl_.first_const; i < decl_.first_const + decl_.num_consts; ++i) {
      const ConstantInfo& c = env_.constant(i);
      (c.kind == ConstKind::Inductive ? ex_types_ : c.kind == ConstKind::Constructor ? ex_ctors_ : ex_recs_).push_back(&c);
    }
    if (ex_types_.empty()) throw KernelError{KernelErrorKind::InvalidInductive, "inductive block declares no type", {}};
    const ConstantInfo& t0 = *ex_types_[0];
    lparams_ = t0.lparams;
    nparams_ = t0.num_params;
    unsafe_ = t0.is_unsafe();
    // Names: not taken by an accepted declaration, distinct within the block.
    std::unordered_set<uint32_t> seen;
    for (uint32_t i = decl_.first_const; i < decl_.first_const + decl_.num_consts; ++i) {
      Name n = env_.constant(i).name;
      kenv_.check_name_free(n, decl_index_);
      if (!seen.insert(n.id).second)
        throw KernelError{KernelErrorKind::AlreadyDeclared, "'" + nm(n) + "' is declared twice in this block", {}};
    }
    for (size_t i = 0; i < lparams_.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (lparams_[i] == lparams_[j])
          throw KernelError{KernelErrorKind::DuplicateLevelParam,
                            "duplicate universe parameter '" + nm(lparams_[i]) + "'", {}};
    for (Name p : lparams_) lparam_levels_.push_back(st_.level_param(p));
    lvls_ = st_.level_list(lparam_levels_);
    std::unordered_map<uint32_t, const ConstantInfo*> ctor_by_name;
    for (const ConstantInfo* c : ex_ctors_) ctor_by_name[c->name.id] = c;
    std::unordered_set<uint32_t> used_ctors;
    for (const ConstantInfo* t : ex_types_) {
      if (t->lparams != lparams_)
        throw KernelError{KernelErrorKind::InvalidInductive,
                          "types of a mutual block must have the same universe parameters ('" + nm(t->name) + "')", {}};
      if (t->num_params != nparams_)
        throw KernelError{KernelErrorKind::InvalidInductive,
                          "types of a mutual block must have the same number of parameters ('" + nm(t->name) + "')", {}};
      if (t->is_unsafe() != unsafe_)
        throw KernelError{KernelErrorKind::InvalidInductive, "types of a mutual block must agree on being unsafe", {}};
      if (st_.has_loose_bvars(t->type))
        throw KernelError{KernelErrorKind::LooseBVar, "type of '" + nm(t->name) + "' has a loose bound variable", {}};
      TypeSpec spec{t->name, t->type, {}};
      for (Name cn : t->ctors) {
        auto it = ctor_by_name.find(cn.id);
        if (it == ctor_by_name.end())
          throw KernelError{KernelErrorKind::InvalidInductive,
                            "'" + nm(t->name) + "' lists constructor '" + nm(cn) + "', which the block does not declare", {}};
        if (!used_ctors.insert(cn.id).second)
          throw KernelError{KernelErrorKind::InvalidInductive, "constructor '" + nm(cn) + "' is listed twice", {}};
        if (st_.has_loose_bvars(it->second->type))
          throw KernelError{KernelErrorKind::LooseBVar, "type of '" + nm(cn) + "' has a loose bound variable", {}};
        spec.ctors.push_back({cn, it->second->type});
      }
      types_.push_back(std::move(spec));
    }
    for (const ConstantInfo* c : ex_ctors_)
      if (!used_ctors.count(c->name.id))
        throw KernelError{KernelErrorKind::InvalidInductive,
                          "constructor '" + nm(c->name) + "' belongs to no type of the block", {}};
    // The auxiliary types of the nested translation live under the reserved root `_nested`.
    // A type that names one would be checked against our generated auxiliary and then be
    // stored naming a constant that never exists (Lean 4.33 rejects it the same way).
    for (const TypeSpec& t : types_) {
      reject_reserved_names(t.name, t.type);
      for (const CtorSpec& cs : t.ctors) reject_reserved_names(cs.name, cs.type);
    }
    num_orig_ = types_.size();
    for (const TypeSpec& t : types_) orig_names_.push_back(t.name);
    // Before any reduction or nested translation (lean4 #14582): see inductive_uniform.cpp.
    for (const TypeSpec& t : types_) {
      check_uniform_occurrences(st_, orig_names_, nparams_, lparams_, t.name, t.type);
      for (const CtorSpec& cs : t.ctors) check_uniform_occurrences(st_, orig_names_, nparams_, lparams_, cs.name, cs.type);
    }
  }

  // ---------------------------------------------------------------------------------------
  // 1. Nested occurrences → auxiliary types.

  // Strips n Π binders syntactically and substitutes `args` for them.
  Expr instantiate_forall_params(Expr e, uint32_t n, std::span<const Expr> args) {
    for (uint32_t i = 0; i < n; ++i) {
      if (!st_.is_pi(e)) bad("invalid nested inductive datatype, ill-formed declaration");
      e = st_.binding_body(e);
    }
    return instantiate_rev(st_, e, args.first(n));
  }

  // Peels nparams Π binders of `type` into fresh variables.
  std::vector<Expr> peel_params(Expr& type) {
    std::vector<Expr> ps;
    for (uint32_t i = 0; i < nparams_; ++i) {
      if (!st_.is_pi(type)) bad("invalid inductive datatype declaration, incorrect number of parameters");
      Expr d = instantiate_rev(st_, st_.binding_domain(type), ps);
      ps.push_back(tc_->lctx().push_local(st_.binding_name(type), d, st_.binding_info(type)));
      type = st_.binding_body(type);
    }
    type = instantiate_rev(st_, type, ps);
    return ps;
  }

  bool is_new_type_name(Name n) const {
    for (const TypeSpec& t : types_)
      if (t.name == n) return true;
    return false;
  }

  // `I Ds is` with I an existing inductive whose parameters Ds mention a type being defined.
  const ConstantInfo* nested_inductive_app(Expr e) {
    if (!st_.is_app(e)) return nullptr;
    Expr fn = st_.app_head(e);
    if (!st_.is_const(fn)) return nullptr;
    const ConstantInfo* info = kenv_.find(st_.const_name(fn));
    if (!info || info->kind != ConstKind::Inductive) return nullptr;
    std::vector<Expr> args;
    st_.app_args(e, args);
    if (info->num_params > args.size()) return nullptr;
    bool nested = false, loose = false;
    for (uint32_t i = 0; i < info->num_params; ++i) {
      if (st_.has_loose_bvars(args[i])) loose = true;
      if (find_const(st_, args[i], [&](Name n) { return is_new_type_name(n); })) nested = true;
    }
    if (!nested) return nullptr;
    // Soundness (unsafe never supports safe): the auxiliary copy of the container is
    // checked as part of this block, but the restored constructor and recursor types still
    // name the container itself, so a safe block must not nest an unsafe inductive.
    // (Only reachable with --allow-unsafe: otherwise unsafe declarations are not visible.)
    if (info->is_unsafe() && !unsafe_)
      fail(KernelErrorKind::UnsafeUse, "a safe inductive type nests the unsafe inductive type '" + nm(info->name) + "'");
    if (loose)
      bad("invalid nested inductive datatype '" + nm(info->name) +
          "': nested inductive datatype parameters cannot contain local variables");
    return info;
  }

  Name unique_aux_name(Name base) {
    for (;;) {
      Name n = st_.name_append_index(base, next_aux_idx_++);
      if (!env_.find(n) && !is_new_type_name(n)) return n;
    }
  }

  Expr replace_if_nested(Expr e, std::span<const Expr> As) {
    const ConstantInfo* I = nested_inductive_app(e);
    if (!I) return Expr{};
    std::vector<Expr> args;
    Expr fn = st_.app_args(e, args);
    LevelList I_lvls = st_.const_levels(fn);
    uint32_t I_np = I->num_params;
    auto to_params = [&](Expr x) { return instantiate_rev(st_, abstract_fvars(st_, x, As), params0_); };
    Expr IAs = st_.mk_app(fn, std::span<const Expr>(args).first(I_np));
    Expr key = to_params(IAs);
    auto rest = std::span<const Expr>(args).subspan(I_np);
    for (auto& [k, aux] : nested_aux_)
      if (k == key) return st_.mk_app(st_.mk_app(st_.mk_const(aux, lvls_), As), rest);
    Expr result;
    for (Name J : I->all) {
      const ConstantInfo* Jinfo = kenv_.find(J);
      if (!Jinfo || Jinfo->kind != ConstKind::Inductive) bad("nested inductive '" + nm(J) + "' is not available");
      Expr JAs = st_.mk_app(st_.mk_const(J, I_lvls), std::span<const Expr>(args).first(I_np));
      Name auxJ = unique_aux_name(st_.name_str(st_.name_str(Name{}, "_nested"), st_.name_to_string(J)));
      Expr auxJ_type = instantiate_lparams(st_, Jinfo->type, Jinfo->lparams, st_.levels(I_lvls));
      auxJ_type = tc_->lctx().mk_pi(As, instantiate_forall_params(auxJ_type, I_np, args));
      nested_aux_.push_back({to_params(JAs), auxJ});
      if (J == I->name) result = st_.mk_app(st_.mk_app(st_.mk_const(auxJ, lvls_), As), rest);
      TypeSpec spec{auxJ, auxJ_type, {}};
      for (Name c : Jinfo->ctors) {
        const ConstantInfo* cinfo = kenv_.find(c);
        if (!cinfo) bad("constructor '" + nm(c) + "' of nested inductive is not available");
        Expr ct = instantiate_lparams(st_, cinfo->type, cinfo->lparams, st_.levels(I_lvls));
        ct = tc_->lctx().mk_pi(As, instantiate_forall_params(ct, I_np, args));
        spec.ctors.push_back({st_.name_replace_prefix(c, J, auxJ), ct});
      }
      types_.push_back(std::move(spec));
    }
    if (!result.valid()) bad("invalid nested inductive datatype, ill-formed declaration");
    return result;
  }

  void eliminate_nested() {
    Expr t0 = types_[0].type;
    params0_ = peel_params(t0);
    for (size_t i = 0; i < types_.size(); ++i) {
      for (size_t c = 0; c < types_[i].ctors.size(); ++c) {
        Expr ct = types_[i].ctors[c].type;
        std::vector<Expr> As = peel_params(ct);
        Expr replaced = replace_expr(st_, ct, [&](Expr m, uint32_t) -> Expr {
          if (!st_.is_app(m)) return Expr{};
          return replace_if_nested(m, As);
        });
        types_[i].ctors[c].type = tc_->lctx().mk_pi(As, replaced);
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // 2. Types.

  bool has_ind_occ(Expr e) const {
    return find_const(st_, e, [&](Name n) { return is_new_type_name(n); });
  }

  void check_types() {
    TypeChecker& tc = *tc_;
    for (size_t idx = 0; idx < types_.size(); ++idx) {
      const TypeSpec& ts = types_[idx];
      tc.check(ts.type);
      Expr t = tc.whnf(ts.type);
      uint32_t i = 0, nidx = 0;
      while (st_.is_pi(t)) {
        if (i < nparams_) {
          if (idx == 0) {
            params_.push_back(local_for(t));
          } else if (!tc.is_def_eq(st_.binding_domain(t), tc.lctx().decl(params_[i]).type)) {
            bad("parameters of all inductive datatypes must match ('" + nm(ts.name) + "')");
          }
          t = tc.whnf(instantiate1(st_, st_.binding_body(t), params_[i]));
          ++i;
        } else {
          Expr x = local_for(t);
          t = tc.whnf(instantiate1(st_, st_.binding_body(t), x));
          ++nidx;
        }
      }
      if (i != nparams_) bad("number of parameters mismatch in the declaration of '" + nm(ts.name) + "'");
      t = tc.ensure_sort(t, ts.type);
      Level l = st_.sort_level(t);
      if (idx == 0) {
        result_level_ = l;
      } else if (!level_is_equivalent(st_, l, result_level_)) {
        bad("mutually inductive types must live in the same universe ('" + nm(ts.name) + "')");
      }
      nindices_.push_back(nidx);
      ind_consts_.push_back(st_.mk_const(ts.name, lvls_));
    }
  }

  // isRec: some constructor argument mentions a type of the block; isReflexive: some
  // argument is a function into a type of the block.
  void compute_flags() {
    for (const TypeSpec& ts : types_)
      for (const CtorSpec& c : ts.ctors)
        for (Expr t = c.type; st_.is_pi(t); t = st_.binding_body(t)) {
          Expr d = st_.binding_domain(t);
          if (has_ind_occ(d)) {
            is_rec_ = true;
            if (st_.is_pi(d)) is_reflexive_ = true;
          }
        }
  }

  bool is_reserved(Name n) const {
    while (n.id != 0 && st_.name_prefix(n).id != 0) n = st_.name_prefix(n);
    return n.id != 0 && st_.name_kind(n) == NameKind::Str && st_.name_string(n) == "_nested";
  }
  void reject_reserved_names(Name owner, Expr type) {
    for_each_subterm(st_, type, [&](Expr e) {
      Name used = st_.is_const(e) ? st_.const_name(e) : st_.kind(e) == ExprKind::Proj ? st_.proj_struct(e) : Name{};
      if (used.id != 0 && is_reserved(used))
        throw KernelError{KernelErrorKind::InvalidInductive,
                          "type of '" + nm(owner) + "' uses '" + nm(used) + "', a name under the reserved prefix '_nested'", {}};
      return true;
    });
  }

  // The nested translation replaces each occurrence `I Ds` by an auxiliary type, and
  // arguments that no constructor of I uses vanish from the translation: they would never
  // be checked, yet the exported constructor types (which keep them) are what gets stored.
  // So the exported types are type-checked as written, with the block's types visible.
  void check_exported_nested_ctors() {
    if (nested_aux_.empty()) return;
    for (const ConstantInfo* c : ex_ctors_) tc_->ensure_type(c->type);
  }

  void declare_types() {
    compute_flags();
    std::vector<Name> all;
    for (const TypeSpec& t : types_) all.push_back(t.name);
    for (size_t idx = 0; idx < types_.size(); ++idx) {
      ConstantInfo c;
      c.name = types_[idx].name;
      c.kind = ConstKind::Inductive;
      c.lparams = lparams_;
      c.type = types_[idx].type;
      c.num_params = nparams_;
      c.num_indices = nindices_[idx];
      c.all = all;
      for (const CtorSpec& cs : types_[idx].ctors) c.ctors.push_back(cs.name);
      c.num_nested = static_cast<uint32_t>(types_.size() - num_orig_);
      c.is_rec = is_rec_;
      c.is_reflexive = is_reflexive_;
      c.safety = unsafe_ ? Safety::Unsafe : Safety::Safe;
      derived_types_.push_back(std::move(c));
    }
    for (const ConstantInfo& c : derived_types_) kenv_.overlay_add(&c);
  }

  // ---------------------------------------------------------------------------------------
  // 3. Constructors.

  // `I params indices` for the idx-th type, params exactly the block's, indices free of it.
  bool is_valid_ind_app(Expr t, size_t idx) {
    std::vector<Expr> args;
    Expr I = st_.app_args(t, args);
    if (I != ind_consts_[idx] || args.size() != nparams_ + nindices_[idx]) return false;
    for (uint32_t i = 0; i < nparams_; ++i)
      if (args[i] != params_[i]) return false;
    for (size_t i = nparams_; i < args.size(); ++i)
      if (has_ind_occ(args[i])) return false;
    return true;
  }
  int valid_ind_app(Expr t) {
    for (size_t idx = 0; idx < types_.size(); ++idx)
      if (is_valid_ind_app(t, idx)) return static_cast<int>(idx);
    return -1;
  }

  // Strict positivity: after whnf, occurrences only as the final target, never to the left of
  // an arrow and never in indices.
  void check_positivity(Expr t, Name ctor, uint32_t arg) {
    TypeChecker& tc = *tc_;
    for (;;) {
      t = tc.whnf(t);
      if (!has_ind_occ(t)) return;
      if (st_.is_pi(t)) {
        if (has_ind_occ(st_.binding_domain(t)))
          bad("arg #" + std::to_string(arg + 1) + " of '" + nm(ctor) +
                  "' has a non positive occurrence of the datatypes being declared",
              {{"argument type", t}});
        Expr x = local_for(t);
        t = instantiate1(st_, st_.binding_body(t), x);
        continue;
      }
      if (valid_ind_app(t) < 0)
        bad("arg #" + std::to_string(arg + 1) + " of '" + nm(ctor) +
                "' has a non valid occurrence of the datatypes being declared",
            {{"argument type", t}});
      return;
    }
  }

  void check_constructors() {
    TypeChecker& tc = *tc_;
    for (size_t idx = 0; idx < types_.size(); ++idx) {
      for (const CtorSpec& c : types_[idx].ctors) {
        tc.check(c.type);
        Expr t = c.type;
        uint32_t i = 0;
        while (st_.is_pi(t)) {
          Expr d = st_.binding_domain(t);
          if (i < nparams_) {
            if (!tc.is_def_eq(d, tc.lctx().decl(params_[i]).type))
              bad("arg #" + std::to_string(i + 1) + " of '" + nm(c.name) + "' does not match the inductive's parameters",
                  {{"argument type", d}, {"parameter type", tc.lctx().decl(params_[i]).type}});
            t = instantiate1(st_, st_.binding_body(t), params_[i]);
          } else {
            Expr s = tc.ensure_sort(tc.infer(d), d);
            // A field must live in a universe no bigger than the type's (unless it is a Prop).
            if (!(level_is_zero(st_, result_level_) || level_is_geq(st_, result_level_, st_.sort_level(s))))
              bad("universe level of type_of(arg #" + std::to_string(i + 1) + ") of '" + nm(c.name) +
                      "' is too big for the corresponding inductive datatype",
                  {{"argument type", d}});
            if (!unsafe_) check_positivity(d, c.name, i);
            Expr x = local_for(t, d);
            t = instantiate1(st_, st_.binding_body(t), x);
          }
          ++i;
        }
        if (!is_valid_ind_app(t, idx))
          bad("invalid return type for constructor '" + nm(c.name) + "'", {{"return type", t}});
      }
    }
  }

  void declare_constructors() {
    for (size_t idx = 0; idx < types_.size(); ++idx) {
      uint32_t cidx = 0;
      for (const CtorSpec& c : types_[idx].ctors) {
        uint32_t arity = 0;
        for (Expr t = c.type; st_.is_pi(t); t = st_.binding_body(t)) ++arity;
        ConstantInfo ci;
        ci.name = c.name;
        ci.kind = ConstKind::Constructor;
        ci.lparams = lparams_;
        ci.type = c.type;
        ci.induct = types_[idx].name;
        ci.cidx = cidx++;
        ci.num_params = nparams_;
        ci.num_fields = arity - nparams_;
        ci.safety = unsafe_ ? Safety::Unsafe : Safety::Safe;
        derived_ctors_.push_back(std::move(ci));
      }
    }
    for (const ConstantInfo& c : derived_ctors_) kenv_.overlay_add(&c);
  }

  // ---------------------------------------------------------------------------------------
  // 4. Recursors.

  // Large elimination: always for types that can never be Prop; otherwise only for a
  // syntactic subsingleton (a single type with ≤ 1 constructor whose non-Prop fields all
  // appear in the result indices).
  bool is_large_eliminator() {
    if (level_is_not_zero(st_, result_level_)) return true;
    if (types_.size() > 1) return false;
    const auto& ctors = types_[0].ctors;
    if (ctors.empty()) return true;
    if (ctors.size() > 1) return false;
    TypeChecker& tc = *tc_;
    Expr t = ctors[0].type;
    std::vector<Expr> to_check;
    uint32_t i = 0;
    while (st_.is_pi(t)) {
      Expr d = st_.binding_domain(t);
      Expr x = local_for(t, d);
      if (i >= nparams_) {
        Expr s = tc.ensure_sort(tc.infer(d), d);
        if (!level_is_zero(st_, st_.sort_level(s))) to_check.push_back(x);
      }
      t = instantiate1(st_, st_.binding_body(t), x);
      ++i;
    }
    std::vector<Expr> args;
    st_.app_args(t, args);
    for (Expr x : to_check)
      if (std::find(args.begin(), args.end(), x) == args.end()) return false;
    return true;
  }

  void choose_elim_level() {
    if (!is_large_eliminator()) {
      elim_level_ = st_.level_zero();
      return;
    }
    // Lean calls the motive universe `u` (`u_1`, … if taken). When the exported recursor has
    // one extra universe parameter in front, adopt its name: only the name differs.
    Name u;
    const ConstantInfo* r0 = nullptr;
    Name main_rec = st_.name_str(types_[0].name, "rec");
    for (const ConstantInfo* r : ex_recs_)
      if (r->name == main_rec) r0 = r;
    auto taken = [&](Name n) { return std::find(lparams_.begin(), lparams_.end(), n) != lparams_.end(); };
    if (r0 && r0->lparams.size() == lparams_.size() + 1 && !taken(r0->lparams[0]) &&
        std::equal(lparams_.begin(), lparams_.end(), r0->lparams.begin() + 1)) {
      u = r0->lparams[0];
    } else {
      u = kenv_.names().u;
      for (uint64_t i = 1; taken(u); ++i) u = st_.name_append_index(kenv_.names().u, i);
    }
    elim_name_ = u;
    elim_level_ = st_.level_param(u);
  }

  bool elim_is_param() const { return st_.level_kind(elim_level_) == LevelKind::Param; }

  // Is `d` (an argument type) a recursive argument: after whnf, Π xs, I params indices?
  int rec_arg_index(Expr d) {
    TypeChecker& tc = *tc_;
    Expr t = tc.whnf(d);
    while (st_.is_pi(t)) {
      Expr x = local_for(t);
      t = tc.whnf(instantiate1(st_, st_.binding_body(t), x));
    }
    return valid_ind_app(t);
  }

  // Walks a constructor type: fields (`bu`) and the recursive ones (`u`); returns the result type.
  Expr ctor_args(const CtorSpec& c, std::vector<Expr>& bu, std::vector<Expr>& u) {
    Expr t = c.type;
    uint32_t i = 0;
    while (st_.is_pi(t)) {
      if (i < nparams_) {
        t = instantiate1(st_, st_.binding_body(t), params_[i]);
      } else {
        Expr d = st_.binding_domain(t);
        Expr x = local_for(t, d);
        bu.push_back(x);
        if (rec_arg_index(d) >= 0) u.push_back(x);
        t = instantiate1(st_, st_.binding_body(t), x);
      }
      ++i;
    }
    return t;
  }

  // The recursive argument's telescope: xs and the target `I params indices`.
  Expr rec_arg_telescope(Expr ui, std::vector<Expr>& xs) {
    TypeChecker& tc = *tc_;
    Expr t = tc.whnf(tc.infer(ui));
    while (st_.is_pi(t)) {
      Expr x = local_for(t);
      xs.push_back(x);
      t = tc.whnf(instantiate1(st_, st_.binding_body(t), x));
    }
    return t;
  }

  std::vector<Expr> indices_of(Expr t) {
    std::vector<Expr> args;
    st_.app_args(t, args);
    return std::vector<Expr>(args.begin() + nparams_, args.end());
  }

  void mk_rec_infos() {
    TypeChecker& tc = *tc_;
    Expr sort = st_.mk_sort(elim_level_);
    for (size_t idx = 0; idx < types_.size(); ++idx) {
      RecInfo info;
      Expr t = tc.whnf(types_[idx].type);
      uint32_t i = 0;
      while (st_.is_pi(t)) {
        if (i < nparams_) {
          t = tc.whnf(instantiate1(st_, st_.binding_body(t), params_[i]));
        } else {
          Expr x = local_for(t);
          info.indices.push_back(x);
          t = tc.whnf(instantiate1(st_, st_.binding_body(t), x));
        }
        ++i;
      }
      Expr major_type = st_.mk_app(st_.mk_app(ind_consts_[idx], params_), info.indices);
      info.major = tc.lctx().push_local(kenv_.names().t, kenv_.consume_type_annotations(major_type), BinderInfo::Default);
      std::vector<Expr> tele = info.indices;
      tele.push_back(info.major);
      Expr motive_type = tc.lctx().mk_pi(tele, sort);
      Name mname = types_.size() > 1 ? st_.name_append_index(kenv_.names().motive, idx + 1) : kenv_.names().motive;
      info.motive = tc.lctx().push_local(mname, kenv_.consume_type_annotations(motive_type), BinderInfo::Implicit);
      rec_infos_.push_back(std::move(info));
    }
    for (size_t idx = 0; idx < types_.size(); ++idx) {
      for (const CtorSpec& c : types_[idx].ctors) {
        std::vector<Expr> bu, u;
        Expr res = ctor_args(c, bu, u);
        int it = valid_ind_app(res);
        Expr intro = st_.mk_app(st_.mk_app(st_.mk_const(c.name, lvls_), params_), bu);
        Expr motive_app = st_.mk_app(st_.mk_app(rec_infos_[it].motive, indices_of(res)), intro);
        std::vector<Expr> v;
        for (Expr ui : u) {
          std::vector<Expr> xs;
          Expr target = rec_arg_telescope(ui, xs);
          int jt = valid_ind_app(target);
          Expr vt = tc.lctx().mk_pi(xs, st_.mk_app(st_.mk_app(rec_infos_[jt].motive, indices_of(target)), st_.mk_app(ui, xs)));
          Name vname = st_.name_append_after(tc.lctx().decl(ui).name, "_ih");
          v.push_back(tc.lctx().push_local(vname, kenv_.consume_type_annotations(vt), BinderInfo::Default));
        }
        std::vector<Expr> tele = bu;
        tele.insert(tele.end(), v.begin(), v.end());
        Expr minor_type = tc.lctx().mk_pi(tele, motive_app);
        Name minor_name = st_.name_replace_prefix(c.name, types_[idx].name, Name{});
        rec_infos_[idx].minors.push_back(
            tc.lctx().push_local(minor_name, kenv_.consume_type_annotations(minor_type), BinderInfo::Default));
      }
    }
  }

  std::vector<Level> rec_levels() const {
    std::vector<Level> ls;
    if (elim_is_param()) ls.push_back(elim_level_);
    ls.insert(ls.end(), lparam_levels_.begin(), lparam_levels_.end());
    return ls;
  }

  void derive_recursors() {
    TypeChecker& tc = *tc_;
    std::vector<Expr> motives, minors;
    for (const RecInfo& r : rec_infos_) {
      motives.push_back(r.motive);
      minors.insert(minors.end(), r.minors.begin(), r.minors.end());
    }
    LevelList rlvls = st_.level_list(rec_levels());
    size_t minor_idx = 0;
    for (size_t idx = 0; idx < types_.size(); ++idx) {
      const RecInfo& info = rec_infos_[idx];
      std::vector<Expr> tele = params_;
      tele.insert(tele.end(), motives.begin(), motives.end());
      tele.insert(tele.end(), minors.begin(), minors.end());
      tele.insert(tele.end(), info.indices.begin(), info.indices.end());
      tele.push_back(info.major);
      ConstantInfo d;
      d.kind = ConstKind::Recursor;
      d.name = st_.name_str(types_[idx].name, "rec");
      d.type = tc.lctx().mk_pi(tele, st_.mk_app(st_.mk_app(info.motive, info.indices), info.major));
      d.num_indices = nindices_[idx];
      for (const CtorSpec& c : types_[idx].ctors) {
        std::vector<Expr> bu, u;
        ctor_args(c, bu, u);
        std::vector<Expr> v;
        for (Expr ui : u) {
          std::vector<Expr> xs;
          Expr target = rec_arg_telescope(ui, xs);
          int jt = valid_ind_app(target);
          Expr val = st_.mk_const(st_.name_str(types_[jt].name, "rec"), rlvls);
          val = st_.mk_app(st_.mk_app(st_.mk_app(st_.mk_app(val, params_), motives), minors), indices_of(target));
          v.push_back(tc.lctx().mk_lambda(xs, st_.mk_app(val, st_.mk_app(ui, xs))));
        }
        std::vector<Expr> rtele = params_;
        rtele.insert(rtele.end(), motives.begin(), motives.end());
        rtele.insert(rtele.end(), minors.begin(), minors.end());
        rtele.insert(rtele.end(), bu.begin(), bu.end());
        Expr rhs = tc.lctx().mk_lambda(rtele, st_.mk_app(st_.mk_app(minors[minor_idx], bu), v));
        d.rules.push_back(RecursorRule{c.name, static_cast<uint32_t>(bu.size()), rhs});
        ++minor_idx;
      }
      derived_recs_.push_back(std::move(d));
    }
    num_motives_ = static_cast<uint32_t>(motives.size());
    num_minors_ = static_cast<uint32_t>(minors.size());
    // K-like reduction is for a single Prop type with one constructor without fields.
    k_ = false;
    if (types_.size() == 1 && level_is_zero(st_, result_level_) && types_[0].ctors.size() == 1) {
      uint32_t arity = 0;
      for (Expr t = types_[0].ctors[0].type; st_.is_pi(t); t = st_.binding_body(t)) ++arity;
      k_ = arity == nparams_;
    }
  }

  // ---------------------------------------------------------------------------------------
  // 5. Back from auxiliary types to nested occurrences.

  Name aux_of_ctor(Name c) const {
    for (const ConstantInfo& dc : derived_ctors_)
      if (dc.name == c) {
        for (auto& [k, aux] : nested_aux_)
          if (aux == dc.induct) return aux;
        return Name{};
      }
    return Name{};
  }

  Expr restore(Expr e) {
    if (nested_aux_.empty()) return e;
    bool pi = st_.is_pi(e);
    std::vector<Expr> As;
    for (uint32_t i = 0; i < nparams_; ++i) {
      if (!st_.is_binder(e)) bad("internal: restored term lacks parameters");
      Expr d = instantiate_rev(st_, st_.binding_domain(e), As);
      As.push_back(tc_->lctx().push_local(st_.binding_name(e), d, st_.binding_info(e)));
      e = st_.binding_body(e);
    }
    e = instantiate_rev(st_, e, As);
    std::unordered_map<uint32_t, Expr> nested;  // aux type name → `I Ds` over As
    for (auto& [k, aux] : nested_aux_) nested[aux.id] = instantiate_rev(st_, abstract_fvars(st_, k, params0_), As);
    e = replace_expr(st_, e, [&](Expr t, uint32_t) -> Expr {
      if (st_.is_const(t)) {
        auto it = aux_rec_names_.find(st_.const_name(t).id);
        if (it != aux_rec_names_.end()) return st_.mk_const(it->second, st_.const_levels(t));
      }
      Expr h = st_.app_head(t);
      if (!st_.is_const(h)) return Expr{};
      std::vector<Expr> args;
      st_.app_args(t, args);
      if (auto it = nested.find(st_.const_name(h).id); it != nested.end()) {
        if (args.size() < nparams_) bad("internal: auxiliary type not applied to its parameters");
        return st_.mk_app(it->second, std::span<const Expr>(args).subspan(nparams_));
      }
      Name aux = aux_of_ctor(st_.const_name(h));
      if (aux.is_anonymous()) return Expr{};
      if (args.size() < nparams_) bad("internal: auxiliary constructor not applied to its parameters");
      std::vector<Expr> Iargs;
      Expr I = st_.app_args(nested[aux.id], Iargs);
      Expr c = st_.mk_const(st_.name_replace_prefix(st_.const_name(h), aux, st_.const_name(I)), st_.const_levels(I));
      return st_.mk_app(st_.mk_app(c, Iargs), std::span<const Expr>(args).subspan(nparams_));
    });
    return pi ? tc_->lctx().mk_pi(As, e) : tc_->lctx().mk_lambda(As, e);
  }

  void restore_nested() {
    if (nested_aux_.empty()) return;
    Name main_rec = st_.name_str(types_[0].name, "rec");
    for (size_t j = num_orig_, k = 1; j < types_.size(); ++j, ++k)
      aux_rec_names_[st_.name_str(types_[j].name, "rec").id] = st_.name_append_index(main_rec, k);
    for (size_t j = 0; j < derived_recs_.size(); ++j) {
      ConstantInfo& d = derived_recs_[j];
      d.type = restore(d.type);
      for (RecursorRule& r : d.rules) {
        r.rhs = restore(r.rhs);
        if (j >= num_orig_) {
          Name aux = types_[j].name;
          std::vector<Expr> Iargs;
          Name I;
          for (auto& [k, a] : nested_aux_)
            if (a == aux) I = st_.const_name(st_.app_head(k));
          r.ctor = st_.name_replace_prefix(r.ctor, aux, I);
        }
      }
      if (j >= num_orig_) d.name = aux_rec_names_[d.name.id];
    }
  }

  std::vector<Name> rec_lparam_names() const {
    std::vector<Name> ps;
    if (elim_is_param()) ps.push_back(elim_name_);
    ps.insert(ps.end(), lparams_.begin(), lparams_.end());
    return ps;
  }

  // Defence in depth (lean4 #14808): the derived recursors, completed into the constants they
  // stand for, are type-checked against the block as it will be stored (the exported
  // constructor types: for a nested block the derived ones name the auxiliary types). See
  // inductive_recheck.cpp.
  void recheck_recursors(const CheckControl& control) {
    for (ConstantInfo& d : derived_recs_) {
      d.lparams = rec_lparam_names();
      d.num_params = nparams_;
      d.num_motives = num_motives_;
      d.num_minors = num_minors_;
      d.k = k_;
      d.all = orig_names_;
      d.safety = unsafe_ ? Safety::Unsafe : Safety::Safe;
      if (control.test_corrupt_derived_recursor) control.test_corrupt_derived_recursor(st_, d);
    }
    std::vector<ConstantInfo> block(derived_types_.begin(), derived_types_.begin() + static_cast<std::ptrdiff_t>(num_orig_));
    for (const ConstantInfo* e : ex_ctors_)
      for (const ConstantInfo& c : derived_ctors_)
        if (c.name == e->name) {
          block.push_back(c);
          block.back().type = e->type;
        }
    check_derived_recursors(kenv_, control, decl_index_, block, derived_recs_);
  }

  // ---------------------------------------------------------------------------------------
  // 6. Compare with the export.

  [[noreturn]] void mismatch(const std::string& what) { fail(KernelErrorKind::InvalidRecursor, what); }

  template <class T>
  void expect_eq(const T& exported, const T& derived, const std::string& what) {
    if (!(exported == derived)) mismatch(what);
  }

  void compare_with_export() {
    uint32_t num_nested = static_cast<uint32_t>(types_.size() - num_orig_);
    for (size_t idx = 0; idx < num_orig_; ++idx) {
      const ConstantInfo& e = *ex_types_[idx];
      std::string who = "'" + nm(e.name) + "': ";
      expect_eq(e.num_indices, nindices_[idx], who + "numIndices differs from the derived value " + std::to_string(nindices_[idx]));
      expect_eq(e.all, orig_names_, who + "'all' must list the types of the block");
      expect_eq(e.num_nested, num_nested, who + "numNested differs from the derived value " + std::to_string(num_nested));
      expect_eq(e.is_rec, is_rec_, who + "isRec differs from the derived value " + (is_rec_ ? "true" : "false"));
      expect_eq(e.is_reflexive, is_reflexive_, who + "isReflexive differs from the derived value " + (is_reflexive_ ? "true" : "false"));
    }
    for (const ConstantInfo* c : ex_ctors_) {
      const ConstantInfo* d = nullptr;
      for (const ConstantInfo& dc : derived_ctors_)
        if (dc.name == c->name) d = &dc;
      std::string who = "constructor '" + nm(c->name) + "': ";
      if (!d) mismatch(who + "not derived");
      expect_eq(c->induct, d->induct, who + "'induct' should be '" + nm(d->induct) + "'");
      expect_eq(c->cidx, d->cidx, who + "cidx differs from the derived value " + std::to_string(d->cidx));
      expect_eq(c->num_params, d->num_params, who + "numParams differs from the derived value " + std::to_string(d->num_params));
      expect_eq(c->num_fields, d->num_fields, who + "numFields differs from the derived value " + std::to_string(d->num_fields));
      expect_eq(c->lparams, lparams_, who + "universe parameters differ from the block's");
      expect_eq(c->is_unsafe(), unsafe_, who + "isUnsafe differs from the block's");
    }
    // Recursors: exactly the derived set, by name.
    std::vector<Name> rec_lparams = rec_lparam_names();
    std::unordered_set<uint32_t> matched;
    for (const ConstantInfo* r : ex_recs_) {
      const ConstantInfo* d = nullptr;
      for (const ConstantInfo& dr : derived_recs_)
        if (dr.name == r->name) d = &dr;
      std::string who = "recursor '" + nm(r->name) + "': ";
      if (!d) mismatch(who + "not a recursor of this block (extra or misnamed)");
      matched.insert(d->name.id);
      if (r->lparams != rec_lparams)
        mismatch(who + (r->lparams.size() != rec_lparams.size()
                            ? "wrong number of universe parameters (elimination universe differs from the derived one)"
                            : "universe parameters differ from the derived ones"));
      expect_eq(r->num_params, nparams_, who + "numParams differs from the derived value " + std::to_string(nparams_));
      expect_eq(r->num_indices, d->num_indices, who + "numIndices differs from the derived value " + std::to_string(d->num_indices));
      expect_eq(r->num_motives, num_motives_, who + "numMotives differs from the derived value " + std::to_string(num_motives_));
      expect_eq(r->num_minors, num_minors_, who + "numMinors differs from the derived value " + std::to_string(num_minors_));
      expect_eq(r->k, k_, who + "k differs from the derived value " + (k_ ? "true" : "false"));
      expect_eq(r->all, orig_names_, who + "'all' must list the types of the block");
      expect_eq(r->is_unsafe(), unsafe_, who + "isUnsafe differs from the block's");
      if (!alpha_eqv(st_, r->type, d->type))
        fail(KernelErrorKind::InvalidRecursor, who + "type differs from the derived recursor type",
             {{"exported", r->type}, {"derived", d->type}});
      if (r->rules.size() != d->rules.size())
        mismatch(who + "has " + std::to_string(r->rules.size()) + " rules, expected " + std::to_string(d->rules.size()));
      for (size_t i = 0; i < d->rules.size(); ++i) {
        const RecursorRule& er = r->rules[i];
        const RecursorRule& dr = d->rules[i];
        std::string rwho = who + "rule " + std::to_string(i) + ": ";
        if (er.ctor != dr.ctor) mismatch(rwho + "constructor should be '" + nm(dr.ctor) + "'");
        expect_eq(er.nfields, dr.nfields, rwho + "nfields differs from the derived value " + std::to_string(dr.nfields));
        if (!alpha_eqv(st_, er.rhs, dr.rhs))
          fail(KernelErrorKind::InvalidRecursor, rwho + "right-hand side differs from the derived one",
               {{"exported", er.rhs}, {"derived", dr.rhs}});
      }
    }
    for (const ConstantInfo& d : derived_recs_)
      if (!matched.count(d.name.id)) mismatch("missing recursor '" + nm(d.name) + "'");
  }

  KernelEnv& kenv_;
  TermStore& st_;
  const Environment& env_;
  uint32_t decl_index_;
  const Declaration& decl_;
  TypeChecker* tc_ = nullptr;

  std::vector<const ConstantInfo*> ex_types_, ex_ctors_, ex_recs_;
  std::vector<Name> lparams_;
  std::vector<Level> lparam_levels_;
  LevelList lvls_;
  uint32_t nparams_ = 0;
  bool unsafe_ = false;
  std::vector<TypeSpec> types_;  // original types first, then auxiliary ones
  size_t num_orig_ = 0;
  std::vector<Name> orig_names_;
  std::vector<Expr> params0_;    // parameters used as the canonical ones by nested elimination
  std::vector<std::pair<Expr, Name>> nested_aux_;  // (I Ds over params0_, aux type name)
  uint64_t next_aux_idx_ = 1;
  std::unordered_map<uint32_t, Name> aux_rec_names_;

  std::vector<Expr> params_;
  Level result_level_;
  std::vector<uint32_t> nindices_;
  std::vector<Expr> ind_consts_;
  bool is_rec_ = false, is_reflexive_ = false;
  std::vector<ConstantInfo> derived_types_, derived_ctors_;
  Level elim_level_;
  Name elim_name_;
  std::vector<RecInfo> rec_infos_;
  std::vector<ConstantInfo> derived_recs_;
  uint32_t num_motives_ = 0, num_minors_ = 0;
  bool k_ = false;
};

}  // namespace

void check_inductive_block(KernelEnv& kenv, const CheckControl& control, uint32_t decl_index) {
  InductiveChecker ic(kenv, control, decl_index);
  ic.run(control);
}

}  // namespace leanbatch::host
