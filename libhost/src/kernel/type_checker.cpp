// Type inference. Soundness-critical: every rule here decides what a term's type is.
#include "leanbatch/host/kernel/type_checker.hpp"

#include <algorithm>

#include "leanbatch/host/expr_ops.hpp"
#include "leanbatch/host/level.hpp"
#include "leanbatch/host/pretty.hpp"

namespace leanbatch::host {

TypeChecker::TypeChecker(KernelEnv& kenv, const CheckControl& control, uint32_t current_decl,
                         std::span<const Name> lparams, Safety safety)
    : kenv_(kenv),
      st_(kenv.st()),
      control_(control),
      current_decl_(current_decl),
      lparams_(lparams),
      safety_(safety),
      lctx_(kenv.st()) {
  if (control_.budget.count() > 0) deadline_ = std::chrono::steady_clock::now() + control_.budget;
  prop_ = st_.mk_sort(st_.level_zero());
}

// ---------------------------------------------------------------------------------------
// Errors and limits

std::string TypeChecker::pp(Expr e) {
  PrettyOptions o;
  o.max_chars = 600;
  o.fvar_name = [this](uint32_t idx) {
    const LocalDecl* d = lctx_.find(idx);
    return d ? pretty_name(st_, d->name) : std::string("_fvar");
  };
  return pretty(st_, e, o);
}

void TypeChecker::fail(KernelErrorKind k, std::string msg, std::vector<std::pair<std::string, Expr>> terms) {
  KernelError err{k, std::move(msg), {}};
  for (auto& [label, e] : terms) err.terms.emplace_back(label, pp(e));
  throw err;
}

void TypeChecker::check_system() {
  // Stack guard: the kernel runs on a thread with a large stack; stop well before its end.
  if (control_.stack_limit != 0) {
    char probe;
    if (reinterpret_cast<uintptr_t>(&probe) < control_.stack_limit)
      throw KernelError{KernelErrorKind::KernelLimit, "term nesting too deep for the kernel stack", {}};
  }
  if ((++system_counter_ & 1023) != 0) return;
  if (control_.cancel && control_.cancel->requested()) throw KernelError{KernelErrorKind::Cancelled, "cancelled", {}};
  if (control_.budget.count() > 0 && std::chrono::steady_clock::now() > deadline_)
    throw KernelError{KernelErrorKind::Budget,
                      "time budget of " + std::to_string(control_.budget.count()) + " ms exhausted", {}};
  if (control_.max_scratch_exprs != 0 && st_.scratch_exprs() > control_.max_scratch_exprs)
    throw KernelError{KernelErrorKind::Budget,
                      "memory budget exhausted (" + std::to_string(st_.scratch_exprs()) + " temporary terms)", {}};
}

void TypeChecker::check_level(Level l) {
  if (auto bad = level_undefined_param(st_, l, lparams_))
    fail(KernelErrorKind::UndefinedLevelParam,
         "reference to undeclared universe parameter '" + st_.name_to_string(*bad) + "'");
}

uint64_t TypeChecker::inst_key(Name owner, Expr e, LevelList ls) {
  // Soundness: the instantiation of a term depends on its constant's universe parameter
  // names and their order, not only on the term. Keying on (term, levels) alone made
  // `B.{v,u}` reuse `A.{u,v}`'s instantiation when both have the same type term, so
  // `B.{1,0} : Type` was accepted although B.{1,0} is Type (Type : Type). Within one
  // TypeChecker a name always denotes the same constant (names are unique; the inductive
  // overlay only adds names that were not visible before).
  uint64_t k = detail::pair_key(owner.id, e.id);
  uint32_t slot;
  if (const uint32_t* s = inst_slots_.find(k)) {
    slot = *s;
  } else {
    slot = next_inst_slot_++;
    inst_slots_.put(k, slot);
  }
  return detail::pair_key(slot, ls.id);
}

Expr TypeChecker::instantiate_type_lparams(const ConstantInfo& c, LevelList ls) {
  if (c.lparams.empty() || ls.id == 0) return c.type;
  uint64_t key = inst_key(c.name, c.type, ls);
  if (const uint32_t* r = inst_type_cache_.find(key)) return Expr{*r};
  Expr r = instantiate_lparams(st_, c.type, c.lparams, st_.levels(ls));
  inst_type_cache_.put(key, r.id);
  return r;
}

Expr TypeChecker::instantiate_value_lparams(const ConstantInfo& c, LevelList ls) {
  if (c.lparams.empty() || ls.id == 0) return c.value;
  uint64_t key = inst_key(c.name, c.value, ls);
  if (const uint32_t* r = inst_value_cache_.find(key)) return Expr{*r};
  Expr r = instantiate_lparams(st_, c.value, c.lparams, st_.levels(ls));
  inst_value_cache_.put(key, r.id);
  return r;
}

// ---------------------------------------------------------------------------------------
// Literals as constructor applications

Expr TypeChecker::nat_lit_to_constructor(Expr lit) {
  if (st_.nat_is_small(lit)) {
    uint64_t v = st_.nat_small(lit);
    if (v == 0) return kenv_.nat_zero;
    return st_.mk_app(kenv_.nat_succ, st_.mk_nat(v - 1));
  }
  mpz_class v = st_.nat_value(lit);
  v -= 1;
  return st_.mk_app(kenv_.nat_succ, st_.mk_nat(v));
}

namespace {
// Decodes UTF-8 (inputs are valid: simdjson validated them).
std::vector<uint32_t> utf8_code_points(std::string_view s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c >> 5) == 6) {
      cp = c & 0x1f;
      len = 2;
    } else if ((c >> 4) == 14) {
      cp = c & 0x0f;
      len = 3;
    } else {
      cp = c & 0x07;
      len = 4;
    }
    for (size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    out.push_back(cp);
    i += len;
  }
  return out;
}
}  // namespace

Expr TypeChecker::string_lit_to_constructor(Expr lit) {
  const KernelNames& n = kenv_.names();
  Level zero = st_.level_zero();
  LevelList l0 = st_.level_list(std::span<const Level>(&zero, 1));
  Expr char_type = st_.mk_const(n.char_, LevelList{});
  Expr nil = st_.mk_app(st_.mk_const(n.list_nil, l0), char_type);
  Expr cons = st_.mk_app(st_.mk_const(n.list_cons, l0), char_type);
  Expr of_nat = st_.mk_const(n.char_of_nat, LevelList{});
  std::vector<uint32_t> cps = utf8_code_points(st_.str_value(lit));
  Expr list = nil;
  for (size_t i = cps.size(); i-- > 0;) list = st_.mk_app(st_.mk_app(cons, st_.mk_app(of_nat, st_.mk_nat(cps[i]))), list);
  Expr mk = st_.mk_const(kenv_.string_uses_of_list ? n.string_of_list : n.string_mk, LevelList{});
  return st_.mk_app(mk, list);
}

// ---------------------------------------------------------------------------------------
// Inference

Expr TypeChecker::infer_core(Expr e, bool infer_only) {
  if (st_.kind(e) == ExprKind::BVar)
    fail(KernelErrorKind::LooseBVar, "loose bound variable #" + std::to_string(st_.bvar_idx(e)) +
                                         " (a term refers to a binder that does not enclose it)");
  check_system();
  if (const uint32_t* c = infer_cache_[infer_only ? 1 : 0].find(e.id)) return Expr{*c};
  // A type computed in checking mode is also the inferred type (speed only).
  if (infer_only)
    if (const uint32_t* c = infer_cache_[0].find(e.id)) return Expr{*c};
  Expr r;
  switch (st_.kind(e)) {
    // Soundness: Lean's kernel types literals by name. Typed by name alone, a literal is an
    // axiom `5 : Nat`, and an export with `def Nat : Prop := False` would get `5 : False`.
    // A Nat literal is therefore typed only once `Nat` is the verified inductive (the
    // literal then abbreviates `Nat.succ^n Nat.zero`); a string literal once a closed term
    // of type `String` was checked (primitives.cpp: before its expansion exists, a literal
    // is an opaque constant of an inhabited type, which proves nothing new). Real exports
    // always declare these types before using literals.
    case ExprKind::NatLit:
      // An accepted `Nat` of another shape (a definition, other constructors): Lean would type
      // the literal by name anyway, which is unsound there and which we will not do, and we
      // cannot read the literal as a term either. Undecidable for us: declined, not rejected.
      if (!kenv_.nat_ok && kenv_.find(kenv_.names().nat))
        fail(KernelErrorKind::UnsupportedLiteral,
             "a Nat literal, but this export's 'Nat' is not the inductive with 'Nat.zero : Nat' and "
             "'Nat.succ : Nat → Nat': the literal cannot be given a meaning (declined)",
             {{"literal", e}});
      if (!kenv_.nat_ok)
        fail(KernelErrorKind::InvalidLiteral,
             "a Nat literal needs 'Nat' to be the inductive with 'Nat.zero : Nat', 'Nat.succ : Nat → Nat' "
             "(declared and accepted before this declaration)",
             {{"literal", e}});
      // lean4 #14849: a numeral entering the kernel is bounded like a computed one.
      if (!st_.nat_is_small(e)) check_nat_size(mpz_size(st_.nat_value(e).get_mpz_t()), e);
      r = kenv_.nat_type;
      break;
    case ExprKind::StrLit:
      if (!kenv_.string_inhabited)
        fail(KernelErrorKind::InvalidLiteral,
             "a String literal needs an inhabited 'String' (a structure over 'List Char' or over a UTF-8 "
             "'ByteArray', declared and accepted before this declaration)",
             {{"literal", e}});
      r = kenv_.string_type;
      break;
    case ExprKind::Proj: r = infer_proj(e, infer_only); break;
    case ExprKind::FVar: {
      const LocalDecl* d = lctx_.find(st_.fvar_idx(e));
      if (!d || !d->type.valid()) fail(KernelErrorKind::Internal, "unknown free variable");
      r = d->type;
      break;
    }
    case ExprKind::Sort:
      if (!infer_only) check_level(st_.sort_level(e));
      r = st_.mk_sort(st_.level_succ(st_.sort_level(e)));
      break;
    case ExprKind::Const: r = infer_constant(e, infer_only); break;
    case ExprKind::Lam: r = infer_lambda(e, infer_only); break;
    case ExprKind::Pi: r = infer_pi(e, infer_only); break;
    case ExprKind::App: r = infer_app(e, infer_only); break;
    case ExprKind::Let: r = infer_let(e, infer_only); break;
    case ExprKind::BVar: break;
  }
  infer_cache_[infer_only ? 1 : 0].put(e.id, r.id);
  return r;
}

void TypeChecker::check_use_safety(const ConstantInfo& used, Name n) {
  // A safe declaration may use neither unsafe nor partial ones; a partial one no unsafe one.
  if (used.is_unsafe() && safety_ != Safety::Unsafe)
    fail(KernelErrorKind::UnsafeUse, "uses the unsafe declaration '" + st_.name_to_string(n) + "'");
  if (used.kind == ConstKind::Definition && used.safety == Safety::Partial && safety_ == Safety::Safe)
    fail(KernelErrorKind::UnsafeUse, "a safe declaration uses the partial declaration '" + st_.name_to_string(n) + "'");
}

Expr TypeChecker::infer_constant(Expr e, bool infer_only) {
  Name n = st_.const_name(e);
  const ConstantInfo* info = kenv_.find(n);
  if (!info) {
    // Not in the environment, but declared earlier (declined, rejected, undecided): if that
    // owner is unsafe (or partial, and we are safe), Lean rejects this declaration whatever
    // became of the owner — it is in Lean's environment and fails the use check below, or
    // it is not and the name is unknown. So the verdict is a rejection, not "depends on a
    // declined declaration" (which would end a file with a safe use of an unsafe helper
    // declined where Lean rejects it). The owner's safety is its declared one, read from the
    // export like everything else about it.
    if (!infer_only)
      if (const ConstantInfo* owner = kenv_.earlier_owner(n, current_decl_)) check_use_safety(*owner, n);
    throw kenv_.missing_constant_error(n, current_decl_);
  }
  auto ls = st_.levels(st_.const_levels(e));
  if (ls.size() != info->lparams.size())
    fail(KernelErrorKind::LevelCountMismatch,
         "'" + st_.name_to_string(n) + "' expects " + std::to_string(info->lparams.size()) + " universe arguments, " +
             std::to_string(ls.size()) + " given");
  if (!infer_only) {
    check_use_safety(*info, n);
    for (Level l : ls) check_level(l);
  }
  return instantiate_type_lparams(*info, st_.const_levels(e));
}

Expr TypeChecker::infer_lambda(Expr e, bool infer_only) {
  std::vector<Expr> fvars;
  Expr b = e;
  while (st_.is_lambda(b)) {
    Expr d = instantiate_rev(st_, st_.binding_domain(b), fvars);
    // The binder type is checked before the local it types exists (as lean4 #14633).
    if (!infer_only) ensure_sort(infer_core(d, false), d);
    fvars.push_back(lctx_.push_local(st_.binding_name(b), d, st_.binding_info(b)));
    b = st_.binding_body(b);
  }
  Expr r = infer_core(instantiate_rev(st_, b, fvars), infer_only);
  r = cheap_beta_reduce(st_, r);
  return lctx_.mk_pi(fvars, r);
}

Expr TypeChecker::infer_pi(Expr e, bool infer_only) {
  std::vector<Expr> fvars;
  std::vector<Level> us;
  Expr b = e;
  while (st_.is_pi(b)) {
    Expr d = instantiate_rev(st_, st_.binding_domain(b), fvars);
    Expr s = ensure_sort(infer_core(d, infer_only), d);
    us.push_back(st_.sort_level(s));
    fvars.push_back(lctx_.push_local(st_.binding_name(b), d, st_.binding_info(b)));
    b = st_.binding_body(b);
  }
  Expr body = instantiate_rev(st_, b, fvars);
  Expr s = ensure_sort(infer_core(body, infer_only), body);
  // Π x : A, B lives in imax (level of A) (level of B).
  Level r = st_.sort_level(s);
  for (size_t i = us.size(); i-- > 0;) r = level_mk_imax(st_, us[i], r);
  return st_.mk_sort(r);
}

Expr TypeChecker::infer_app(Expr e, bool infer_only) {
  std::vector<Expr> args;
  Expr f = st_.app_args(e, args);
  if (!infer_only) {
    // Along the spine: each argument's type must match the function's domain.
    // Speed only: the Π telescope is not instantiated argument by argument (that rewrote the
    // whole rest of the telescope once per argument: quadratic in its length, and a quarter of
    // checking time on Mathlib-like terms). `ft` stays relative to args[j..i): bound variable
    // k of it stands for args[i - 1 - k]. Each domain is instantiated with those arguments
    // when it is compared, and the telescope only when a non-Π forces a whnf, and at the end.
    // Substitution composes, and terms are hash-consed, so every domain compared and the type
    // returned are the very terms the one-by-one instantiation built.
    Expr ft = infer_core(f, false);
    size_t j = 0;
    auto pending = [&](size_t i) { return std::span<const Expr>(args).subspan(j, i - j); };
    for (size_t i = 0; i < args.size(); ++i) {
      if (!st_.is_pi(ft)) {
        ft = whnf(instantiate_rev(st_, ft, pending(i)));
        j = i;
        if (!st_.is_pi(ft))
          fail(KernelErrorKind::FunctionExpected, "function expected",
               {{"term", st_.mk_app(f, std::span<const Expr>(args).first(i + 1))}, {"type", ft}});
      }
      Expr dom = instantiate_rev(st_, st_.binding_domain(ft), pending(i));
      Expr at = infer_core(args[i], false);
      if (!is_def_eq(at, dom))
        fail(KernelErrorKind::AppTypeMismatch, "application type mismatch: argument has the wrong type",
             {{"function", st_.mk_app(f, std::span<const Expr>(args).first(i))},
              {"argument", args[i]},
              {"expected", dom},
              {"inferred", at}});
      ft = st_.binding_body(ft);
    }
    return instantiate_rev(st_, ft, pending(args.size()));
  }
  // Infer-only: peel Π binders, instantiating only when a non-Π forces a whnf.
  Expr ft = infer_core(f, true);
  size_t j = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    if (st_.is_pi(ft)) {
      ft = st_.binding_body(ft);
    } else {
      ft = instantiate_rev(st_, ft, std::span<const Expr>(args).subspan(j, i - j));
      ft = ensure_pi(ft, e);
      ft = st_.binding_body(ft);
      j = i;
    }
  }
  return instantiate_rev(st_, ft, std::span<const Expr>(args).subspan(j));
}

Expr TypeChecker::infer_let(Expr e, bool infer_only) {
  std::vector<Expr> fvars;
  Expr b = e;
  while (st_.kind(b) == ExprKind::Let) {
    Expr ty = instantiate_rev(st_, st_.let_type(b), fvars);
    Expr val = instantiate_rev(st_, st_.let_value(b), fvars);
    // Type and value are checked before the let-variable exists (as lean4 #14633).
    if (!infer_only) {
      ensure_sort(infer_core(ty, false), ty);
      Expr vt = infer_core(val, false);
      if (!is_def_eq(vt, ty))
        fail(KernelErrorKind::LetTypeMismatch,
             "let value of '" + pretty_name(st_, st_.let_name(b)) + "' does not have the declared type",
             {{"expected", ty}, {"inferred", vt}});
    }
    fvars.push_back(lctx_.push_let(st_.let_name(b), ty, val));
    b = st_.let_body(b);
  }
  Expr r = infer_core(instantiate_rev(st_, b, fvars), infer_only);
  r = cheap_beta_reduce(st_, r);
  // Keep only the let-variables the type mentions (directly or through used values).
  FVarPositions pos(st_, fvars);
  std::vector<bool> used(fvars.size(), false);
  auto mark = [&](Expr t, size_t limit) {
    if (!st_.has_fvar(t)) return;
    for_each_subterm(st_, t, [&](Expr m) {
      if (!st_.has_fvar(m)) return false;
      if (st_.kind(m) == ExprKind::FVar) {
        int64_t p = pos.find(st_, m);
        if (p >= 0 && static_cast<size_t>(p) < limit) used[static_cast<size_t>(p)] = true;
      }
      return true;
    });
  };
  mark(r, fvars.size());
  for (size_t i = fvars.size(); i-- > 0;)
    if (used[i]) mark(lctx_.decl(fvars[i]).value, i);
  std::vector<Expr> kept;
  for (size_t i = 0; i < fvars.size(); ++i)
    if (used[i]) kept.push_back(fvars[i]);
  return lctx_.mk_pi(kept, r);
}

Expr TypeChecker::infer_proj(Expr e, bool infer_only) {
  Expr s = st_.proj_expr(e);
  Expr type = whnf(infer_core(s, infer_only));
  uint32_t idx = st_.proj_idx(e);
  auto bad = [&](const std::string& why) {
    fail(KernelErrorKind::InvalidProj, "invalid projection: " + why, {{"term", e}, {"structure type", type}});
  };
  std::vector<Expr> args;
  Expr I = st_.app_args(type, args);
  if (!st_.is_const(I)) bad("the type of the projected term is not an inductive type");
  Name iname = st_.const_name(I);
  if (iname != st_.proj_struct(e))
    bad("projection names '" + st_.name_to_string(st_.proj_struct(e)) + "' but the term has type '" +
        st_.name_to_string(iname) + "'");
  const ConstantInfo* ind = kenv_.find(iname);
  if (!ind || ind->kind != ConstKind::Inductive) bad("'" + st_.name_to_string(iname) + "' is not an inductive type");
  if (ind->ctors.size() != 1) bad("'" + st_.name_to_string(iname) + "' does not have exactly one constructor");
  if (args.size() != ind->num_params + ind->num_indices) bad("the structure type is not fully applied");
  const ConstantInfo* ctor = kenv_.find(ind->ctors[0]);
  if (!ctor) throw kenv_.missing_constant_error(ind->ctors[0], current_decl_);
  Expr r = instantiate_type_lparams(*ctor, st_.const_levels(I));
  for (uint32_t i = 0; i < ind->num_params; ++i) {
    r = whnf(r);
    if (!st_.is_pi(r)) bad("constructor type has too few parameters");
    r = instantiate1(st_, st_.binding_body(r), args[i]);
  }
  // Projections out of a proof may only produce proofs: data cannot be extracted from a
  // Prop, and a later field's type may mention earlier data fields only through proofs.
  bool prop_struct = is_prop(type);
  for (uint32_t i = 0; i < idx; ++i) {
    r = whnf(r);
    if (!st_.is_pi(r)) bad("field index " + std::to_string(idx) + " out of range");
    if (st_.has_loose_bvars(st_.binding_body(r))) {
      if (prop_struct && !is_prop(st_.binding_domain(r)))
        bad("a field of a proposition depends on a data field");
      r = instantiate1(st_, st_.binding_body(r), st_.mk_proj(iname, i, s));
    } else {
      r = st_.binding_body(r);
    }
  }
  r = whnf(r);
  if (!st_.is_pi(r)) bad("field index " + std::to_string(idx) + " out of range");
  r = st_.binding_domain(r);
  if (prop_struct && !is_prop(r)) bad("cannot project data out of a proof");
  return r;
}

Expr TypeChecker::ensure_sort(Expr t, Expr e) {
  if (st_.is_sort(t)) return t;
  Expr w = whnf(t);
  if (st_.is_sort(w)) return w;
  fail(KernelErrorKind::TypeExpected, "type expected", {{"term", e}, {"its type", t}});
}

Expr TypeChecker::ensure_pi(Expr t, Expr e) {
  if (st_.is_pi(t)) return t;
  Expr w = whnf(t);
  if (st_.is_pi(w)) return w;
  fail(KernelErrorKind::FunctionExpected, "function expected", {{"term", e}, {"type", t}});
}

// Soundness (lean4 #14807, #14843): "is `type` a proposition?" must find a sort. A type
// whose sort is stuck (e.g. `@Eq.rec _ _ (fun _ _ => Type) Prop _ h` where K-reduction
// fails for `h`) is neither Prop nor data: answering "not Prop" let data be projected out
// of a proof (and structure eta expand a proof), and proof irrelevance then proves False.
// So a stuck sort is a type error here, exactly like in Lean 4.33.1. Zero is decided up
// to normalisation (lean4 #14613): `Sort (imax 1 0)` is Prop.
bool TypeChecker::is_prop(Expr type) {
  Expr s = ensure_sort(infer(type), type);
  return level_is_zero(st_, st_.sort_level(s));
}

}  // namespace leanbatch::host
