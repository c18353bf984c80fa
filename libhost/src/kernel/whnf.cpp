// Weak-head normalisation. Soundness-critical: every rule here is a definitional equality
// the kernel relies on (beta, zeta, delta, projection, iota, K, quotient, Nat literals).
#include <algorithm>
#include <bit>

#include "leanbatch/host/expr_ops.hpp"
#include "leanbatch/host/kernel/nat_crosscheck.hpp"
#include "leanbatch/host/kernel/type_checker.hpp"

namespace leanbatch::host {

Expr TypeChecker::whnf_core(Expr e0, bool cheap_rec, bool cheap_proj) {
  // The reduction chain is followed in a loop (not by recursion) so that long reduction
  // sequences cannot exhaust the stack; every term on the chain is cached with the result.
  const bool cacheable = !cheap_rec && !cheap_proj;
  std::vector<Expr> chain;
  Expr e = e0;
  Expr result;
  for (;;) {
    check_system();
    switch (st_.kind(e)) {
      case ExprKind::BVar:
      case ExprKind::Sort:
      case ExprKind::Pi:
      case ExprKind::Const:
      case ExprKind::Lam:
      case ExprKind::NatLit:
      case ExprKind::StrLit: result = e; break;
      case ExprKind::FVar: {
        const LocalDecl* d = lctx_.find(st_.fvar_idx(e));
        if (d && d->value.valid()) {
          e = d->value;  // zeta: a let-variable stands for its value
          continue;
        }
        result = e;
        break;
      }
      default: break;
    }
    if (result.valid()) break;
    if (cacheable) {
      if (const uint32_t* c = whnf_core_cache_.find(e.id)) {
        result = Expr{*c};
        break;
      }
      chain.push_back(e);
    }
    Expr next;
    switch (st_.kind(e)) {
      case ExprKind::Proj: next = reduce_proj(e, cheap_rec, cheap_proj); break;
      case ExprKind::Let: next = instantiate1(st_, st_.let_body(e), st_.let_value(e)); break;
      case ExprKind::App: {
        Expr f0 = st_.app_head(e);
        Expr f = whnf_core(f0, cheap_rec, cheap_proj);
        if (st_.is_lambda(f)) {
          // beta: as many arguments as the head has lambdas
          std::vector<Expr> args;
          st_.app_args(e, args);
          size_t m = 0;
          Expr b = f;
          while (st_.is_lambda(b) && m < args.size()) {
            b = st_.binding_body(b);
            ++m;
          }
          Expr body = instantiate_rev(st_, b, std::span<const Expr>(args).first(m));
          next = st_.mk_app(body, std::span<const Expr>(args).subspan(m));
        } else if (f == f0) {
          next = reduce_recursor(e, cheap_rec, cheap_proj);  // iota / quotient
        } else {
          std::vector<Expr> args;
          st_.app_args(e, args);
          next = st_.mk_app(f, args);
        }
        break;
      }
      default: break;
    }
    if (!next.valid()) {
      result = e;
      break;
    }
    e = next;
  }
  for (Expr c : chain) whnf_core_cache_.put(c.id, result.id);
  return result;
}

Expr TypeChecker::reduce_proj(Expr e, bool cheap_rec, bool cheap_proj) {
  Expr c = cheap_proj ? whnf_core(st_.proj_expr(e), cheap_rec, cheap_proj) : whnf(st_.proj_expr(e));
  if (st_.kind(c) == ExprKind::StrLit && kenv_.string_ok) {
    c = string_lit_to_constructor(c);
    if (kenv_.string_uses_of_list && !cheap_proj) c = whnf(c);
  }
  std::vector<Expr> args;
  Expr mk = st_.app_args(c, args);
  if (!st_.is_const(mk)) return Expr{};
  const ConstantInfo* info = kenv_.find(st_.const_name(mk));
  if (!info || info->kind != ConstKind::Constructor) return Expr{};
  // The constructor must build the structure the projection names (lean4 #14632): infer_proj
  // already rejects a mismatch, so this only keeps a projection that escaped checking from
  // selecting a field of another type by index.
  if (info->induct != st_.proj_struct(e)) return Expr{};
  size_t i = static_cast<size_t>(info->num_params) + st_.proj_idx(e);
  return i < args.size() ? args[i] : Expr{};
}

Expr TypeChecker::reduce_recursor(Expr e, bool cheap_rec, bool cheap_proj) {
  if (kenv_.quot_ready())
    if (Expr r = quot_reduce_rec(e); r.valid()) return r;
  return inductive_reduce_rec(e, cheap_rec, cheap_proj);
}

Name TypeChecker::major_induct(const ConstantInfo& rec) {
  // The inductive type of the major premise, read off the recursor's type.
  Expr t = rec.type;
  for (uint32_t i = 0; i < rec.major_index() && st_.is_pi(t); ++i) t = st_.binding_body(t);
  if (!st_.is_pi(t)) return Name{};
  Expr h = st_.app_head(st_.binding_domain(t));
  return st_.is_const(h) ? st_.const_name(h) : Name{};
}

bool TypeChecker::is_structure_like(Name induct) const {
  const ConstantInfo* c = kenv_.find(induct);
  return c && c->kind == ConstKind::Inductive && c->ctors.size() == 1 && c->num_indices == 0 && !c->is_rec;
}

Expr TypeChecker::to_ctor_when_k(const ConstantInfo& rec, Expr e) {
  // K-like reduction: a major premise of a K-target type (a Prop with one constructor and no
  // fields, e.g. Eq) may be replaced by the constructor, provided the types agree, indices
  // included (so `h : a = b` with a ≢ b is not turned into `Eq.refl`).
  Expr app_type = whnf(infer(e));
  Expr I = st_.app_head(app_type);
  if (!st_.is_const(I) || st_.const_name(I) != major_induct(rec)) return e;
  const ConstantInfo* ind = kenv_.find(st_.const_name(I));
  if (!ind || ind->kind != ConstKind::Inductive || ind->ctors.empty()) return e;
  std::vector<Expr> args;
  st_.app_args(app_type, args);
  if (args.size() < rec.num_params) return e;
  Expr ctor = st_.mk_app(st_.mk_const(ind->ctors[0], st_.const_levels(I)), std::span<const Expr>(args).first(rec.num_params));
  if (!is_def_eq(app_type, infer(ctor))) return e;
  return ctor;
}

Expr TypeChecker::to_ctor_when_structure(Name induct, Expr e) {
  // Structure eta for a major premise: x ↦ S.mk (x.1) … (x.n), only for non-Prop structures.
  if (!is_structure_like(induct)) return e;
  Expr h = st_.app_head(e);
  if (st_.is_const(h)) {
    const ConstantInfo* c = kenv_.find(st_.const_name(h));
    if (c && c->kind == ConstKind::Constructor) return e;
  }
  Expr e_type = whnf(infer(e));
  Expr I = st_.app_head(e_type);
  if (!st_.is_const(I) || st_.const_name(I) != induct) return e;
  // Soundness: through is_prop, so a stuck sort is a type error, never "data" (#14843).
  if (is_prop(e_type)) return e;
  const ConstantInfo* ind = kenv_.find(induct);
  const ConstantInfo* ctor = kenv_.find(ind->ctors[0]);
  if (!ctor) return e;
  std::vector<Expr> args;
  st_.app_args(e_type, args);
  if (args.size() < ctor->num_params) return e;
  Expr r = st_.mk_app(st_.mk_const(ctor->name, st_.const_levels(I)), std::span<const Expr>(args).first(ctor->num_params));
  for (uint32_t i = 0; i < ctor->num_fields; ++i) r = st_.mk_app(r, st_.mk_proj(induct, i, e));
  return r;
}

Expr TypeChecker::inductive_reduce_rec(Expr e, bool cheap_rec, bool cheap_proj) {
  Expr fn = st_.app_head(e);
  if (!st_.is_const(fn)) return Expr{};
  const ConstantInfo* rec = kenv_.find(st_.const_name(fn));
  if (!rec || rec->kind != ConstKind::Recursor) return Expr{};
  std::vector<Expr> args;
  st_.app_args(e, args);
  uint32_t major_idx = rec->major_index();
  if (major_idx >= args.size()) return Expr{};
  Expr major = args[major_idx];
  if (rec->k) major = to_ctor_when_k(*rec, major);
  major = cheap_rec ? whnf_core(major, cheap_rec, cheap_proj) : whnf(major);
  if (st_.kind(major) == ExprKind::NatLit) {
    if (!kenv_.nat_ok) return Expr{};
    major = nat_lit_to_constructor(major);
  } else if (st_.kind(major) == ExprKind::StrLit) {
    if (!kenv_.string_ok) return Expr{};
    major = whnf(string_lit_to_constructor(major));
  } else {
    major = to_ctor_when_structure(major_induct(*rec), major);
  }
  Expr mk = st_.app_head(major);
  if (!st_.is_const(mk)) return Expr{};
  const RecursorRule* rule = nullptr;
  for (const RecursorRule& r : rec->rules)
    if (r.ctor == st_.const_name(mk)) {
      rule = &r;
      break;
    }
  if (!rule) return Expr{};
  std::vector<Expr> margs;
  st_.app_args(major, margs);
  if (rule->nfields > margs.size()) return Expr{};
  LevelList ls = st_.const_levels(fn);
  if (st_.levels(ls).size() != rec->lparams.size()) return Expr{};
  Expr rhs = rule->rhs;
  if (!rec->lparams.empty() && ls.id != 0) {
    uint64_t key = inst_key(rec->name, rhs, ls);  // per recursor: see inst_key
    if (const uint32_t* c = inst_value_cache_.find(key)) {
      rhs = Expr{*c};
    } else {
      Expr inst = instantiate_lparams(st_, rhs, rec->lparams, st_.levels(ls));
      inst_value_cache_.put(key, inst.id);
      rhs = inst;
    }
  }
  // rhs params motives minors, then the constructor's fields, then extra arguments.
  size_t nprefix = static_cast<size_t>(rec->num_params) + rec->num_motives + rec->num_minors;
  rhs = st_.mk_app(rhs, std::span<const Expr>(args).first(std::min(nprefix, args.size())));
  rhs = st_.mk_app(rhs, std::span<const Expr>(margs).subspan(margs.size() - rule->nfields));
  if (major_idx + 1 < args.size()) rhs = st_.mk_app(rhs, std::span<const Expr>(args).subspan(major_idx + 1));
  return rhs;
}

Expr TypeChecker::quot_reduce_rec(Expr e) {
  // Quot.lift f h (Quot.mk r a) ~> f a ;  Quot.ind h (Quot.mk r a) ~> h a
  Expr fn = st_.app_head(e);
  if (!st_.is_const(fn)) return Expr{};
  const KernelNames& n = kenv_.names();
  size_t mk_pos, arg_pos;
  if (st_.const_name(fn) == n.quot_lift) {
    mk_pos = 5;
    arg_pos = 3;
  } else if (st_.const_name(fn) == n.quot_ind) {
    mk_pos = 4;
    arg_pos = 3;
  } else {
    return Expr{};
  }
  std::vector<Expr> args;
  st_.app_args(e, args);
  if (args.size() <= mk_pos) return Expr{};
  Expr mk = whnf(args[mk_pos]);
  Expr mk_fn = st_.app_head(mk);
  if (!st_.is_const(mk_fn) || st_.const_name(mk_fn) != n.quot_mk) return Expr{};
  if (st_.app_num_args(mk) != 3) return Expr{};
  Expr r = st_.mk_app(args[arg_pos], st_.app_arg(mk));
  if (args.size() > mk_pos + 1) r = st_.mk_app(r, std::span<const Expr>(args).subspan(mk_pos + 1));
  return r;
}

// ---------------------------------------------------------------------------------------
// Nat literal extension (GMP). Used only for operations whose definitions were verified.

namespace {
mpz_class lit_value(const TermStore& st, Expr e, Expr nat_zero) {
  if (e == nat_zero) return 0;
  return st.nat_value(e);
}
}  // namespace

// lean4 #14849: no Nat numeral the kernel accepts or computes is larger than nat_max_bytes
// (counted as Lean counts: 64-bit limbs × 8), and the exponent of a pow and the count of a
// left shift of a non-zero number must fit in 32 bits. Lean's kernel refuses such terms with
// an error; a resource limit proves nothing false, so we decline them (`kernel_limit`).
// Sizes are predicted before the big operations, so no oversized number is ever built.
void TypeChecker::check_nat_size(uint64_t limbs, Expr e) {
  if (limbs > control_.nat_max_bytes / 8)
    fail(KernelErrorKind::KernelLimit,
         "a Nat numeral larger than the kernel's limit of " + std::to_string(control_.nat_max_bytes) +
             " bytes (as Lean's LEAN_NAT_MAX_SIZE; declined)",
         {{"term", e}});
}

namespace {
uint64_t limbs_of(const mpz_class& v) { return mpz_size(v.get_mpz_t()); }
constexpr uint64_t kLimbBits = 64;
}  // namespace

Expr TypeChecker::reduce_bin_nat_op(NatOp op, Expr a, Expr b) {
  Expr wa = whnf(a);
  if (!is_nat_lit_ext(wa)) return Expr{};
  Expr wb = whnf(b);
  if (!is_nat_lit_ext(wb)) return Expr{};
  // Operands below 2^64 (nearly all): computed without GMP, exactly (nat_crosscheck.hpp).
  const bool small_a = wa == kenv_.nat_zero || st_.nat_is_small(wa);
  const bool small_b = wb == kenv_.nat_zero || st_.nat_is_small(wb);
  if (small_a && small_b) {
    const uint64_t xs = wa == kenv_.nat_zero ? 0 : st_.nat_small(wa);
    const uint64_t ys = wb == kenv_.nat_zero ? 0 : st_.nat_small(wb);
    if (auto v = natcheck::small(op, xs, ys)) {
      if (op == NatOp::Beq || op == NatOp::Ble) return *v ? kenv_.bool_true : kenv_.bool_false;
      // The size rules as below, for the same verdicts whichever path computes: Lean's
      // prediction for pow (bits(x) * y), and the result's limbs.
      if (op == NatOp::Pow && xs > 1)
        check_nat_size((static_cast<uint64_t>(std::bit_width(xs)) * ys + 63) / 64, wa);
      check_nat_size(*v > UINT64_MAX ? 2 : 1, wa);
      if (*v <= UINT64_MAX) return st_.mk_nat(static_cast<uint64_t>(*v));
      mpz_class big;
      const uint64_t words[2] = {static_cast<uint64_t>(*v), static_cast<uint64_t>(*v >> 64)};
      mpz_import(big.get_mpz_t(), 2, -1, sizeof(uint64_t), 0, 0, words);
      return st_.mk_nat(big);
    }
  }
  mpz_class x = lit_value(st_, wa, kenv_.nat_zero);
  mpz_class y = lit_value(st_, wb, kenv_.nat_zero);
  auto exponent_fits = [&](const char* what) {
    if (y.fits_ulong_p() && y.get_ui() <= UINT32_MAX) return;
    fail(KernelErrorKind::KernelLimit,
         std::string("the kernel does not evaluate ") + what + " with a second argument that does not fit in 32 bits "
         "(as Lean's kernel; declined)",
         {{"first argument", wa}, {"second argument", wb}});
  };
  mpz_class r;
  switch (op) {
    case NatOp::Add: r = x + y; break;
    case NatOp::Sub: r = x >= y ? mpz_class(x - y) : mpz_class(0); break;
    case NatOp::Mul:
      // The product has at least la + lb - 1 limbs.
      if (x != 0 && y != 0) check_nat_size(limbs_of(x) + limbs_of(y) - 1, wa);
      r = x * y;
      break;
    case NatOp::Div: r = y == 0 ? mpz_class(0) : mpz_class(x / y); break;
    case NatOp::Mod: r = y == 0 ? x : mpz_class(x % y); break;
    case NatOp::Gcd: mpz_gcd(r.get_mpz_t(), x.get_mpz_t(), y.get_mpz_t()); break;
    case NatOp::Beq: r = x == y ? 1 : 0; break;
    case NatOp::Ble: r = x <= y ? 1 : 0; break;
    case NatOp::Land: mpz_and(r.get_mpz_t(), x.get_mpz_t(), y.get_mpz_t()); break;
    case NatOp::Lor: mpz_ior(r.get_mpz_t(), x.get_mpz_t(), y.get_mpz_t()); break;
    case NatOp::Xor: mpz_xor(r.get_mpz_t(), x.get_mpz_t(), y.get_mpz_t()); break;
    case NatOp::ShiftLeft: {
      if (x == 0) return st_.mk_nat(0);  // 0 <<< n = 0 for every n
      exponent_fits("Nat.shiftLeft");
      const uint64_t bits = mpz_sizeinbase(x.get_mpz_t(), 2) + y.get_ui();
      check_nat_size((bits + kLimbBits - 1) / kLimbBits, wa);
      mpz_mul_2exp(r.get_mpz_t(), x.get_mpz_t(), y.get_ui());
      break;
    }
    case NatOp::ShiftRight:
      if (!y.fits_ulong_p()) return st_.mk_nat(0);
      mpz_fdiv_q_2exp(r.get_mpz_t(), x.get_mpz_t(), y.get_ui());
      break;
    case NatOp::Pow: {
      exponent_fits("Nat.pow");
      if (x > 1) {
        // Predicted as Lean predicts it, from above: x^y has at most bits(x) * y bits.
        const unsigned __int128 bits = static_cast<unsigned __int128>(mpz_sizeinbase(x.get_mpz_t(), 2)) * y.get_ui();
        const unsigned __int128 limbs = (bits + kLimbBits - 1) / kLimbBits;
        check_nat_size(limbs > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(limbs), wa);
      }
      mpz_pow_ui(r.get_mpz_t(), x.get_mpz_t(), y.get_ui());
      break;
    }
    case NatOp::Count: return Expr{};
  }
  // GMP before 6.3.0 has known bugs (lean4 #14833): its result is used only once checked by
  // code independent of it.
  if (!natcheck::verify(op, x, y, r))
    fail(KernelErrorKind::Internal,
         std::string("the arithmetic library computed a wrong result for Nat.") + to_string(op) +
             " (caught by the independent check; not used)",
         {{"first argument", wa}, {"second argument", wb}});
  if (op == NatOp::Beq || op == NatOp::Ble) return r != 0 ? kenv_.bool_true : kenv_.bool_false;
  check_nat_size(limbs_of(r), wa);
  return st_.mk_nat(r);
}

Expr TypeChecker::reduce_nat(Expr e) {
  if (!kenv_.nat_ok || st_.has_fvar(e) || !st_.is_app(e)) return Expr{};
  unsigned nargs = st_.app_num_args(e);
  if (nargs == 1) {
    if (st_.app_fn(e) != kenv_.nat_succ) return Expr{};
    Expr a = whnf(st_.app_arg(e));
    if (!is_nat_lit_ext(a)) return Expr{};
    if (a == kenv_.nat_zero || (st_.nat_is_small(a) && st_.nat_small(a) < UINT64_MAX))
      return st_.mk_nat(a == kenv_.nat_zero ? uint64_t{1} : st_.nat_small(a) + 1);
    const mpz_class x = lit_value(st_, a, kenv_.nat_zero);
    mpz_class v = x + 1;
    if (!natcheck::verify(NatOp::Add, x, 1, v))
      fail(KernelErrorKind::Internal, "the arithmetic library computed a wrong Nat.succ (caught; not used)", {{"term", a}});
    check_nat_size(limbs_of(v), a);
    return st_.mk_nat(v);
  }
  if (nargs != 2) return Expr{};
  Expr f = st_.app_fn(st_.app_fn(e));
  if (!st_.is_const(f)) return Expr{};
  const KernelNames& n = kenv_.names();
  Name fn = st_.const_name(f);
  NatOp op;
  if (fn == n.nat_add) op = NatOp::Add;
  else if (fn == n.nat_sub) op = NatOp::Sub;
  else if (fn == n.nat_mul) op = NatOp::Mul;
  else if (fn == n.nat_div) op = NatOp::Div;
  else if (fn == n.nat_mod) op = NatOp::Mod;
  else if (fn == n.nat_gcd) op = NatOp::Gcd;
  else if (fn == n.nat_beq) op = NatOp::Beq;
  else if (fn == n.nat_ble) op = NatOp::Ble;
  else if (fn == n.nat_land) op = NatOp::Land;
  else if (fn == n.nat_lor) op = NatOp::Lor;
  else if (fn == n.nat_xor) op = NatOp::Xor;
  else if (fn == n.nat_shiftLeft) op = NatOp::ShiftLeft;
  else if (fn == n.nat_shiftRight) op = NatOp::ShiftRight;
  else if (fn == n.nat_pow) op = NatOp::Pow;
  else return Expr{};
  if (!kenv_.nat_op_enabled(op)) return Expr{};
  return reduce_bin_nat_op(op, st_.app_arg(st_.app_fn(e)), st_.app_arg(e));
}

void TypeChecker::reduce_native(Expr e) {
  // `Lean.reduceBool c` / `Lean.reduceNat c` ask the kernel to trust compiled code.
  if (!st_.is_app(e) || !st_.is_const(st_.app_arg(e))) return;
  Expr f = st_.app_fn(e);
  if (!st_.is_const(f)) return;
  Name n = st_.const_name(f);
  if (n == kenv_.names().reduce_bool || n == kenv_.names().reduce_nat)
    fail(KernelErrorKind::NativeReduction,
         "'" + st_.name_to_string(n) + "' needs Lean's compiler to evaluate '" +
             st_.name_to_string(st_.const_name(st_.app_arg(e))) + "'; leanbatch does not trust native code");
}

const ConstantInfo* TypeChecker::is_delta(Expr e) {
  Expr h = st_.app_head(e);
  if (!st_.is_const(h)) return nullptr;
  const ConstantInfo* c = kenv_.find(st_.const_name(h));
  if (!c || !c->has_value()) return nullptr;
  // A constant with the wrong number of universe arguments cannot be unfolded; callers
  // (lazy delta) then treat it as a stuck head instead of unfolding to nothing.
  if (st_.levels(st_.const_levels(h)).size() != c->lparams.size()) return nullptr;
  return c;
}

Expr TypeChecker::unfold_definition(Expr e) {
  Expr h = st_.app_head(e);
  const ConstantInfo* c = is_delta(h);
  if (!c) return Expr{};
  LevelList ls = st_.const_levels(h);
  if (st_.levels(ls).size() != c->lparams.size()) return Expr{};
  Expr v = instantiate_value_lparams(*c, ls);
  if (!st_.is_app(e)) return v;
  std::vector<Expr> args;
  st_.app_args(e, args);
  return st_.mk_app(v, args);
}

Expr TypeChecker::whnf(Expr e) {
  switch (st_.kind(e)) {
    case ExprKind::BVar:
    case ExprKind::Sort:
    case ExprKind::Pi:
    case ExprKind::Lam:
    case ExprKind::NatLit:
    case ExprKind::StrLit: return e;
    case ExprKind::FVar: {
      const LocalDecl* d = lctx_.find(st_.fvar_idx(e));
      if (!d || !d->value.valid()) return e;
      break;
    }
    default: break;
  }
  if (const uint32_t* c = whnf_cache_.find(e.id)) return Expr{*c};
  Expr t = e;
  for (;;) {
    check_system();
    Expr t1 = whnf_core(t);
    reduce_native(t1);
    if (Expr v = reduce_nat(t1); v.valid()) {
      whnf_cache_.put(e.id, v.id);
      return v;
    }
    Expr next = unfold_definition(t1);
    if (!next.valid()) {
      whnf_cache_.put(e.id, t1.id);
      return t1;
    }
    t = next;
  }
}

}  // namespace leanbatch::host
