// Verification of the declarations behind the kernel extensions (see primitives.hpp).
#include "leanbatch/host/kernel/primitives.hpp"

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "leanbatch/host/decl_digest.hpp"
#include "leanbatch/host/expr_ops.hpp"

namespace leanbatch::host {

namespace {


// A monomorphic, parameterless inductive `I : Type` whose constructors have exactly the
// given types (built by `ctor_type(i)`), in order.
template <class F>
bool check_enum_like(KernelEnv& k, Name ind, std::initializer_list<Name> ctors, F&& ctor_type) {
  TermStore& st = k.st();
  const ConstantInfo* c = k.find(ind);
  if (!c || c->kind != ConstKind::Inductive || !c->lparams.empty() || c->num_params != 0 || c->num_indices != 0) return false;
  Level one = st.level_succ(st.level_zero());
  if (c->type != st.mk_sort(one)) return false;
  if (c->ctors.size() != ctors.size()) return false;
  size_t i = 0;
  for (Name cn : ctors) {
    if (c->ctors[i] != cn) return false;
    const ConstantInfo* ci = k.find(cn);
    if (!ci || ci->kind != ConstKind::Constructor || !ci->lparams.empty()) return false;
    if (!alpha_eqv(st, ci->type, ctor_type(i))) return false;
    ++i;
  }
  return true;
}

class NatVerifier {
 public:
  NatVerifier(KernelEnv& k, const CheckControl& control, uint32_t decl, const DeclDigests* verified)
      : k_(k), st_(k.st()), tc_(k, control, decl, {}, Safety::Safe), verified_(verified) {
    x_ = tc_.lctx().push_local(st_.name_str(Name{}, "x"), k.nat_type);
    y_ = tc_.lctx().push_local(st_.name_str(Name{}, "y"), k.nat_type);
  }

  // Defeq of the two sides with free variables x, y; any kernel failure counts as "no".
  bool eq(Expr a, Expr b) {
    try {
      return tc_.is_def_eq(a, b);
    } catch (const KernelError&) {
      return false;
    }
  }
  bool has_type(Name fn, Expr expected) {
    const ConstantInfo* c = k_.find(fn);
    if (!c || c->kind != ConstKind::Definition || !c->lparams.empty()) return false;
    try {
      return tc_.is_def_eq(c->type, expected);
    } catch (const KernelError&) {
      return false;
    }
  }
  Expr c(Name n) { return st_.mk_const(n, LevelList{}); }
  Expr app(Name f, Expr a) { return st_.mk_app(c(f), a); }
  Expr app(Name f, Expr a, Expr b) { return st_.mk_app(c(f), {a, b}); }
  Expr succ(Expr a) { return st_.mk_app(k_.nat_succ, a); }
  Expr zero() { return k_.nat_zero; }
  Expr arrow(Expr a, Expr b) { return st_.mk_pi(Name{}, BinderInfo::Default, a, b); }
  Expr nat2nat() { return arrow(k_.nat_type, arrow(k_.nat_type, k_.nat_type)); }
  Expr nat2bool() { return arrow(k_.nat_type, arrow(k_.nat_type, k_.bool_type)); }

  bool verify(NatOp op) {
    const KernelNames& n = k_.names();
    Expr x = x_, y = y_, z = zero();
    switch (op) {
      case NatOp::Add:
        return has_type(n.nat_add, nat2nat()) && eq(app(n.nat_add, x, z), x) &&
               eq(app(n.nat_add, y, succ(x)), succ(app(n.nat_add, y, x)));
      case NatOp::Sub:
        // pred, as used by sub, must itself be the predecessor.
        return has_type(n.nat_pred, arrow(k_.nat_type, k_.nat_type)) && eq(app(n.nat_pred, z), z) &&
               eq(app(n.nat_pred, succ(x)), x) && has_type(n.nat_sub, nat2nat()) && eq(app(n.nat_sub, x, z), x) &&
               eq(app(n.nat_sub, y, succ(x)), app(n.nat_pred, app(n.nat_sub, y, x)));
      case NatOp::Mul:
        return k_.nat_op_enabled(NatOp::Add) && has_type(n.nat_mul, nat2nat()) && eq(app(n.nat_mul, x, z), z) &&
               eq(app(n.nat_mul, y, succ(x)), app(n.nat_add, app(n.nat_mul, y, x), y));
      case NatOp::Pow:
        return k_.nat_op_enabled(NatOp::Mul) && has_type(n.nat_pow, nat2nat()) && eq(app(n.nat_pow, x, z), succ(z)) &&
               eq(app(n.nat_pow, y, succ(x)), app(n.nat_mul, app(n.nat_pow, y, x), y));
      case NatOp::Beq:
        return k_.bool_ok && has_type(n.nat_beq, nat2bool()) && eq(app(n.nat_beq, z, z), k_.bool_true) &&
               eq(app(n.nat_beq, z, succ(x)), k_.bool_false) && eq(app(n.nat_beq, succ(x), z), k_.bool_false) &&
               eq(app(n.nat_beq, succ(y), succ(x)), app(n.nat_beq, y, x));
      case NatOp::Ble:
        return k_.bool_ok && has_type(n.nat_ble, nat2bool()) && eq(app(n.nat_ble, z, z), k_.bool_true) &&
               eq(app(n.nat_ble, z, succ(x)), k_.bool_true) && eq(app(n.nat_ble, succ(x), z), k_.bool_false) &&
               eq(app(n.nat_ble, succ(y), succ(x)), app(n.nat_ble, y, x));
      case NatOp::ShiftLeft:
        return k_.nat_op_enabled(NatOp::Mul) && has_type(n.nat_shiftLeft, nat2nat()) &&
               eq(app(n.nat_shiftLeft, x, z), x) &&
               eq(app(n.nat_shiftLeft, x, succ(y)), app(n.nat_shiftLeft, app(n.nat_mul, succ(succ(z)), x), y));
      case NatOp::ShiftRight:
        return k_.nat_op_enabled(NatOp::Div) && has_type(n.nat_shiftRight, nat2nat()) &&
               eq(app(n.nat_shiftRight, x, z), x) &&
               eq(app(n.nat_shiftRight, x, succ(y)), app(n.nat_div, app(n.nat_shiftRight, x, y), succ(succ(z))));
      case NatOp::Div:
      case NatOp::Mod:
      case NatOp::Gcd:
      case NatOp::Land:
      case NatOp::Lor:
      case NatOp::Xor: return is_leans_definition(op) && spot_checks_memo(op);
      default: return false;
    }
  }

  // Division, modulus, gcd and the bitwise operations are defined by fuel or well-founded
  // recursion: their recursion equations are not definitional with free variables, so they
  // cannot be verified like add/mul. Instead the declaration (with everything it depends
  // on) must be exactly Lean's own: its content digest (SHA-256, Merkle over the dependency
  // graph, decl_digest.hpp) must be one of the digests of Lean's definitions below, taken
  // from real Lean exports. Lean's kernel evaluates exactly these definitions with GMP, and
  // Lean's library proves them equal to floor division, remainder and gcd. A definition of
  // another Lean version is simply not accelerated (unfolding decides it, slowly).
  bool is_leans_definition(NatOp op) {
    struct Ref {
      NatOp op;
      const char* digest;
    };
    static const Ref kLean[] = {
        // corpora/converted/Init.Prelude.ndjson (Lean core; Nat.div by fuel, Nat.div.go)
        {NatOp::Div, "403ad157fdd5d99cbafb478ee02e9fa4c8cc09985e5f48407bea843fae766242"},
        {NatOp::Mod, "d4e7fb1a7dd9435fac8f9e59c4abd1e8035bc052def0d726ee3bd3bffbb5ab9c"},
        // corpora/converted/Nat.gcd.ndjson (an older Lean core)
        {NatOp::Mod, "05758bee3adbc88e069061ae9eed156b85af487594f3657f3b80a1ed7a052e0f"},
        {NatOp::Gcd, "869839d9c03e6ed4945f640dd66a87c8ac8b2d4acc0b9fd4ce093a19c4429266"},
    };
    Name name = st_.name_from_dotted(to_string(op));
    const ConstantInfo* c = k_.find(name);
    if (!c || c->kind != ConstKind::Definition || !c->lparams.empty()) return false;
    std::string hex = identity_digest(c->decl);
    last_digest_ = hex;
    for (const Ref& r : kLean)
      if (r.op == op && hex == r.digest) return true;
    return false;
  }

  // The identity digest of `decl`, in hex. Speed only: memoised per process by the
  // declaration's verification digest when the checker already computed it (reuse on). The
  // verification digest covers everything the identity digest covers (and the proofs), over
  // the same dependency graph, so equal verification digests mean equal identity digests. An
  // import sweep asks this for Lean's Nat.div and Nat.mod in every module.
  std::string identity_digest(uint32_t decl) {
    static std::mutex mu;
    static std::map<Digest, std::string> memo;
    const Digest* v = verified_ && verified_->with_proofs() ? verified_->computed(decl) : nullptr;
    if (v) {
      std::lock_guard<std::mutex> lock(mu);
      if (auto it = memo.find(*v); it != memo.end()) return it->second;
    }
    DeclDigests digests(k_.env());
    std::string hex = to_hex(digests.of_decl(decl));
    if (v) {
      std::lock_guard<std::mutex> lock(mu);
      memo.emplace(*v, hex);
    }
    return hex;
  }

  // Speed only: the spot checks of a definition already spot-checked in this process (same
  // operation, same identity digest) are not repeated. The identity digest fixes the
  // definition and everything it depends on, up to theorem proofs, and proofs cannot change
  // what a definition computes (any two proofs of a proposition are definitionally equal).
  // In an import sweep every module repeats Lean's Nat.div and Nat.mod, and unfolding them
  // on literals was a tenth of the sweep.
  bool spot_checks_memo(NatOp op) {
    static std::mutex mu;
    static std::set<std::pair<int, std::string>> passed;
    std::pair<int, std::string> key{static_cast<int>(op), last_digest_};
    {
      std::lock_guard<std::mutex> lock(mu);
      if (passed.count(key)) return true;
    }
    if (!spot_checks(op)) return false;
    std::lock_guard<std::mutex> lock(mu);
    passed.insert(std::move(key));
    return true;
  }

  // Defence in depth: the definition, unfolded (the operation is not enabled yet), does not
  // disagree with GMP on a few small literals. Unfolding may get stuck (well-founded
  // recursion whose accessibility proofs do not reduce): that is inconclusive, not a
  // disagreement; the digest above is what establishes the definition.
  bool spot_checks(NatOp op) {
    static const uint64_t kPairs[][2] = {{0, 0}, {7, 0}, {0, 5}, {7, 2}, {12, 18}, {18, 12}, {37, 6}, {255, 16}};
    Name name = st_.name_from_dotted(to_string(op));
    for (const auto& p : kPairs) {
      mpz_class x = p[0], y = p[1], r;
      switch (op) {
        case NatOp::Div: r = y == 0 ? mpz_class(0) : mpz_class(x / y); break;
        case NatOp::Mod: r = y == 0 ? x : mpz_class(x % y); break;
        case NatOp::Gcd: mpz_gcd(r.get_mpz_t(), x.get_mpz_t(), y.get_mpz_t()); break;
        case NatOp::Land: mpz_and(r.get_mpz_t(), x.get_mpz_t(), y.get_mpz_t()); break;
        case NatOp::Lor: mpz_ior(r.get_mpz_t(), x.get_mpz_t(), y.get_mpz_t()); break;
        case NatOp::Xor: mpz_xor(r.get_mpz_t(), x.get_mpz_t(), y.get_mpz_t()); break;
        default: return false;
      }
      Expr v;
      try {
        v = tc_.whnf(app(name, st_.mk_nat(p[0]), st_.mk_nat(p[1])));
      } catch (const KernelError&) {
        continue;  // inconclusive
      }
      if (v == k_.nat_zero) v = st_.mk_nat(0);
      if (st_.kind(v) == ExprKind::NatLit && st_.nat_value(v) != r) return false;
    }
    return true;
  }

 private:
  KernelEnv& k_;
  TermStore& st_;
  TypeChecker tc_;
  Expr x_, y_;
  const DeclDigests* verified_;  // the checker's verification digests, or nullptr
  std::string last_digest_;  // identity digest of the definition is_leans_definition looked at
};

std::optional<NatOp> nat_op_of(const KernelNames& n, Name name) {
  if (name == n.nat_add) return NatOp::Add;
  if (name == n.nat_sub) return NatOp::Sub;
  if (name == n.nat_mul) return NatOp::Mul;
  if (name == n.nat_pow) return NatOp::Pow;
  if (name == n.nat_beq) return NatOp::Beq;
  if (name == n.nat_ble) return NatOp::Ble;
  if (name == n.nat_shiftLeft) return NatOp::ShiftLeft;
  if (name == n.nat_shiftRight) return NatOp::ShiftRight;
  if (name == n.nat_div) return NatOp::Div;
  if (name == n.nat_mod) return NatOp::Mod;
  if (name == n.nat_gcd) return NatOp::Gcd;
  if (name == n.nat_land) return NatOp::Land;
  if (name == n.nat_lor) return NatOp::Lor;
  if (name == n.nat_xor) return NatOp::Xor;
  return std::nullopt;
}

void check_string_support(KernelEnv& k, const CheckControl& control, uint32_t decl) {
  const KernelNames& n = k.names();
  TermStore& st = k.st();
  if (!k.nat_ok || !k.find(n.string) || !k.find(n.char_) || !k.find(n.char_of_nat) || !k.find(n.list_nil) ||
      !k.find(n.list_cons))
    return;
  const ConstantInfo* of_list = k.find(n.string_of_list);
  const ConstantInfo* mk = k.find(n.string_mk);
  bool use_of_list = of_list != nullptr;
  if (!use_of_list && (!mk || mk->kind != ConstKind::Constructor)) return;
  TypeChecker tc(k, control, decl, {}, Safety::Safe);
  try {
    Level zero = st.level_zero();
    LevelList l0 = st.level_list(std::span<const Level>(&zero, 1));
    Expr char_t = st.mk_const(n.char_, LevelList{});
    Expr list_char = st.mk_app(st.mk_const(n.list, l0), char_t);
    auto arrow = [&](Expr a, Expr b) { return st.mk_pi(Name{}, BinderInfo::Default, a, b); };
    Expr type0 = st.mk_sort(st.level_succ(zero));
    bool ok = tc.is_def_eq(tc.check(char_t), type0) && tc.is_def_eq(tc.check(k.string_type), type0) &&
              tc.is_def_eq(tc.check(list_char), type0) &&
              tc.is_def_eq(tc.check(st.mk_app(st.mk_const(n.list_nil, l0), char_t)), list_char) &&
              tc.is_def_eq(tc.check(st.mk_app(st.mk_const(n.list_cons, l0), char_t)), arrow(char_t, arrow(list_char, list_char))) &&
              tc.is_def_eq(tc.check(st.mk_const(n.char_of_nat, LevelList{})), arrow(k.nat_type, char_t));
    Expr ctor = st.mk_const(use_of_list ? n.string_of_list : n.string_mk, LevelList{});
    ok = ok && tc.is_def_eq(tc.check(ctor), arrow(list_char, k.string_type));
    if (ok) {
      for (Name dep : {n.string, use_of_list ? n.string_of_list : n.string_mk, n.char_, n.char_of_nat, n.list,
                       n.list_nil, n.list_cons, n.nat})
        k.string_literal_deps.push_back(dep);
      k.string_ok = true;
      k.string_inhabited = true;  // the expansion of "" is a closed term of type String
      k.string_uses_of_list = use_of_list;
    }
  } catch (const KernelError&) {
  }
}

// Soundness of typing string literals before their expansion is available: newer Lean
// preludes use literals long before `String.ofList` exists (String is a structure over a
// ByteArray there). Such a literal is an opaque constant of type String, which is harmless
// exactly when String is inhabited. So we type-check a closed witness of type String; any
// well-typed one proves it (an export's own `structure String where h : False` has none).
void check_string_inhabited(KernelEnv& k, const CheckControl& control, uint32_t decl) {
  const KernelNames& n = k.names();
  TermStore& st = k.st();
  if (!k.find(n.string)) return;
  Level zero = st.level_zero();
  Level one = st.level_succ(zero);
  LevelList l0 = st.level_list(std::span<const Level>(&zero, 1));
  LevelList l1 = st.level_list(std::span<const Level>(&one, 1));
  Expr nil_char = st.mk_app(st.mk_const(n.list_nil, l0), st.mk_const(n.char_, LevelList{}));
  std::vector<Expr> witnesses;
  // A constructor without arguments.
  if (const ConstantInfo* s = k.find(n.string); s->kind == ConstKind::Inductive)
    for (Name c : s->ctors)
      if (const ConstantInfo* ci = k.find(c); ci && ci->lparams.empty() && ci->type == k.string_type)
        witnesses.push_back(st.mk_const(c, LevelList{}));
  // `structure String where data : List Char`: String.mk []
  if (k.find(n.string_mk) && k.find(n.list_nil) && k.find(n.char_))
    witnesses.push_back(st.mk_app(st.mk_const(n.string_mk, LevelList{}), nil_char));
  // `structure String where toByteArray : ByteArray; isValidUTF8 : toByteArray.IsValidUTF8`:
  // String.ofByteArray (List.utf8Encode []) (IsValidUTF8.intro [] rfl)
  if (k.find(n.string_of_byte_array) && k.find(n.byte_array_is_valid_utf8_intro) && k.find(n.list_utf8_encode) &&
      k.find(n.eq_refl) && k.find(n.byte_array) && k.find(n.list_nil) && k.find(n.char_)) {
    Expr bytes = st.mk_app(st.mk_const(n.list_utf8_encode, LevelList{}), nil_char);
    Expr refl = st.mk_app(st.mk_const(n.eq_refl, l1), {st.mk_const(n.byte_array, LevelList{}), bytes});
    Expr valid = st.mk_app(st.mk_const(n.byte_array_is_valid_utf8_intro, LevelList{}), {bytes, nil_char, refl});
    witnesses.push_back(st.mk_app(st.mk_const(n.string_of_byte_array, LevelList{}), {bytes, valid}));
  }
  for (Expr w : witnesses) {
    TypeChecker tc(k, control, decl, {}, Safety::Safe);
    try {
      if (tc.is_def_eq(tc.check(w), k.string_type)) {
        for_each_subterm(st, w, [&](Expr m) {
          if (st.is_const(m)) k.string_literal_deps.push_back(st.const_name(m));
          return true;
        });
        k.string_inhabited = true;
        return;
      }
    } catch (const KernelError&) {
    }
  }
}

}  // namespace

void update_primitives(KernelEnv& k, const CheckControl& control, uint32_t decl_index, const DeclDigests* verified) {
  const Environment& env = k.env();
  TermStore& st = k.st();
  const KernelNames& n = k.names();
  const Declaration& d = env.declaration(decl_index);
  bool touched_string = false, touched_witness = false;
  for (uint32_t i = d.first_const; i < d.first_const + d.num_consts; ++i) {
    const ConstantInfo& c = env.constant(i);
    if (c.kind == ConstKind::Inductive && c.name == n.nat && !k.nat_ok) {
      k.nat_ok = check_enum_like(k, n.nat, {n.nat_zero, n.nat_succ}, [&](size_t j) {
        return j == 0 ? k.nat_type : st.mk_pi(Name{}, BinderInfo::Default, k.nat_type, k.nat_type);
      });
    } else if (c.kind == ConstKind::Inductive && c.name == n.bool_ && !k.bool_ok) {
      k.bool_ok = check_enum_like(k, n.bool_, {n.bool_false, n.bool_true}, [&](size_t) { return k.bool_type; });
    } else if (c.kind == ConstKind::Quot) {
      k.quot_ok[static_cast<size_t>(c.quot_kind)] = true;  // check_quot_constant verified it
    } else if (c.kind == ConstKind::Definition && k.nat_ok) {
      if (auto op = nat_op_of(n, c.name)) {
        NatVerifier v(k, control, decl_index, verified);
        k.nat_op_ok[static_cast<size_t>(*op)] = v.verify(*op);
        // An operation verified in terms of another one becomes checkable when that one is.
        if (*op == NatOp::Add || *op == NatOp::Mul || *op == NatOp::Div)
          for (NatOp dep : {NatOp::Mul, NatOp::Pow, NatOp::ShiftLeft, NatOp::ShiftRight})
            if (!k.nat_op_ok[static_cast<size_t>(dep)] && k.find(st.name_from_dotted(to_string(dep))))
              k.nat_op_ok[static_cast<size_t>(dep)] = v.verify(dep);
      }
    }
    if (c.name == n.string || c.name == n.string_mk || c.name == n.string_of_list || c.name == n.char_ ||
        c.name == n.char_of_nat || c.name == n.list || c.name == n.nat)
      touched_string = true;
    if (c.name == n.string || c.name == n.string_mk || c.name == n.list || c.name == n.char_ || c.name == n.eq ||
        c.name == n.byte_array || c.name == n.byte_array_is_valid_utf8 || c.name == n.list_utf8_encode)
      touched_witness = true;
  }
  if (touched_string && !k.string_ok) check_string_support(k, control, decl_index);
  if (touched_witness && !k.string_inhabited) check_string_inhabited(k, control, decl_index);
}

}  // namespace leanbatch::host
