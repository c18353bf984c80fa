#include "leanbatch/host/kernel/kernel_env.hpp"

#include <algorithm>

#include "leanbatch/host/expr_ops.hpp"

namespace leanbatch::host {

const char* to_string(KernelErrorKind k) {
  switch (k) {
    case KernelErrorKind::UnknownConstant: return "unknown_constant";
    case KernelErrorKind::DeclaredLater: return "declared_later";
    case KernelErrorKind::DependsOnRejected: return "depends_on_rejected";
    case KernelErrorKind::DependsOnDeclined: return "depends_on_declined";
    case KernelErrorKind::AlreadyDeclared: return "already_declared";
    case KernelErrorKind::TypeExpected: return "type_expected";
    case KernelErrorKind::FunctionExpected: return "function_expected";
    case KernelErrorKind::AppTypeMismatch: return "app_type_mismatch";
    case KernelErrorKind::DefTypeMismatch: return "def_type_mismatch";
    case KernelErrorKind::LetTypeMismatch: return "let_type_mismatch";
    case KernelErrorKind::TheoremNotProp: return "theorem_not_prop";
    case KernelErrorKind::InvalidProj: return "invalid_proj";
    case KernelErrorKind::UndefinedLevelParam: return "undefined_level_param";
    case KernelErrorKind::DuplicateLevelParam: return "duplicate_level_param";
    case KernelErrorKind::LevelCountMismatch: return "level_count_mismatch";
    case KernelErrorKind::LooseBVar: return "loose_bvar";
    case KernelErrorKind::UnsafeUse: return "unsafe_use";
    case KernelErrorKind::InvalidInductive: return "invalid_inductive";
    case KernelErrorKind::InvalidRecursor: return "invalid_recursor";
    case KernelErrorKind::InvalidQuot: return "invalid_quot";
    case KernelErrorKind::DependsOnTimeout: return "depends_on_timeout";
    case KernelErrorKind::DependsOnCrashed: return "depends_on_crashed";
    case KernelErrorKind::InvalidLiteral: return "invalid_literal";
    case KernelErrorKind::UnsupportedLiteral: return "unsupported_literal";
    case KernelErrorKind::AxiomNotAllowed: return "axiom_not_allowed";
    case KernelErrorKind::UnsafeDeclaration: return "unsafe_declaration";
    case KernelErrorKind::PartialDeclaration: return "partial_declaration";
    case KernelErrorKind::NativeReduction: return "native_reduction";
    case KernelErrorKind::KernelLimit: return "kernel_limit";
    case KernelErrorKind::Budget: return "budget";
    case KernelErrorKind::Cancelled: return "cancelled";
    case KernelErrorKind::Internal: return "internal_error";
  }
  return "?";
}

const char* to_string(NatOp op) {
  switch (op) {
    case NatOp::Add: return "Nat.add";
    case NatOp::Sub: return "Nat.sub";
    case NatOp::Mul: return "Nat.mul";
    case NatOp::Div: return "Nat.div";
    case NatOp::Mod: return "Nat.mod";
    case NatOp::Gcd: return "Nat.gcd";
    case NatOp::Beq: return "Nat.beq";
    case NatOp::Ble: return "Nat.ble";
    case NatOp::Land: return "Nat.land";
    case NatOp::Lor: return "Nat.lor";
    case NatOp::Xor: return "Nat.xor";
    case NatOp::ShiftLeft: return "Nat.shiftLeft";
    case NatOp::ShiftRight: return "Nat.shiftRight";
    case NatOp::Pow: return "Nat.pow";
    case NatOp::Count: break;
  }
  return "?";
}

KernelNames::KernelNames(TermStore& st) {
  auto n = [&](const char* s) { return st.name_from_dotted(s); };
  nat = n("Nat");
  nat_zero = n("Nat.zero");
  nat_succ = n("Nat.succ");
  nat_pred = n("Nat.pred");
  nat_add = n("Nat.add");
  nat_sub = n("Nat.sub");
  nat_mul = n("Nat.mul");
  nat_div = n("Nat.div");
  nat_mod = n("Nat.mod");
  nat_gcd = n("Nat.gcd");
  nat_beq = n("Nat.beq");
  nat_ble = n("Nat.ble");
  nat_land = n("Nat.land");
  nat_lor = n("Nat.lor");
  nat_xor = n("Nat.xor");
  nat_shiftLeft = n("Nat.shiftLeft");
  nat_shiftRight = n("Nat.shiftRight");
  nat_pow = n("Nat.pow");
  nat_log2 = n("Nat.log2");
  bool_ = n("Bool");
  bool_true = n("Bool.true");
  bool_false = n("Bool.false");
  string = n("String");
  string_mk = n("String.mk");
  string_of_list = n("String.ofList");
  char_ = n("Char");
  char_of_nat = n("Char.ofNat");
  list = n("List");
  list_nil = n("List.nil");
  list_cons = n("List.cons");
  string_of_byte_array = n("String.ofByteArray");
  byte_array = n("ByteArray");
  byte_array_is_valid_utf8 = n("ByteArray.IsValidUTF8");
  byte_array_is_valid_utf8_intro = n("ByteArray.IsValidUTF8.intro");
  list_utf8_encode = n("List.utf8Encode");
  eq = n("Eq");
  eq_refl = n("Eq.refl");
  quot = n("Quot");
  quot_mk = n("Quot.mk");
  quot_lift = n("Quot.lift");
  quot_ind = n("Quot.ind");
  reduce_bool = n("Lean.reduceBool");
  reduce_nat = n("Lean.reduceNat");
  sorry_ax = n("sorryAx");
  trust_compiler = n("Lean.trustCompiler");
  propext = n("propext");
  quot_sound = n("Quot.sound");
  classical_choice = n("Classical.choice");
  opt_param = n("optParam");
  auto_param = n("autoParam");
  out_param = n("outParam");
  semi_out_param = n("semiOutParam");
  u = n("u");
  v = n("v");
  alpha = n("α");
  beta = n("β");
  r = n("r");
  a = n("a");
  b = n("b");
  f = n("f");
  q = n("q");
  mk = n("mk");
  motive = n("motive");
  t = n("t");
}

KernelEnv::KernelEnv(const Environment& env)
    : env_(env), names_(env.store()), status_(env.declarations().size(), Status::Unchecked) {
  TermStore& s = env.store();
  nat_type = s.mk_const(names_.nat, LevelList{});
  nat_zero = s.mk_const(names_.nat_zero, LevelList{});
  nat_succ = s.mk_const(names_.nat_succ, LevelList{});
  bool_type = s.mk_const(names_.bool_, LevelList{});
  bool_true = s.mk_const(names_.bool_true, LevelList{});
  bool_false = s.mk_const(names_.bool_false, LevelList{});
  string_type = s.mk_const(names_.string, LevelList{});
}

void KernelEnv::set_decl_status(uint32_t d, Status s) {
  status_[d] = s;
  if (s != Status::Accepted) return;
  const Declaration& decl = env_.declaration(d);
  for (uint32_t i = decl.first_const; i < decl.first_const + decl.num_consts; ++i) {
    uint32_t id = env_.constant(i).name.id;
    if (id >= visible_.size()) visible_.resize(std::max<size_t>(id + 1, st().name_count()), 0);
    // Soundness: a name belongs to its first declaration (check_name_free). A checked
    // declaration never gets here with a taken name; this keeps any other path (a part's
    // assumed declaration, a block naming one constant twice) from re-pointing a name that
    // earlier terms were checked against.
    if (visible_[id] == 0) visible_[id] = i + 1;
  }
}

const ConstantInfo* KernelEnv::find(Name n) const {
  for (const ConstantInfo* c : overlay_)
    if (c->name == n) return c;
  uint32_t i = visible_index(n);
  return i == kNotVisible ? nullptr : &env_.constant(i);
}

KernelError KernelEnv::missing_constant_error(Name n, uint32_t current) const {
  std::string name = st().name_to_string(n);
  // Look for declarations of that name: the most informative one wins.
  std::optional<uint32_t> later, rejected, declined, timed_out, crashed, skipped_timeout, skipped_crash;
  for (uint32_t i = 0; i < env_.constants().size(); ++i) {
    const ConstantInfo& c = env_.constant(i);
    if (c.name != n) continue;
    if (c.decl >= current) {
      if (!later) later = c.decl;
    } else if (status_[c.decl] == Status::TimedOut) {
      timed_out = c.decl;
    } else if (status_[c.decl] == Status::Crashed) {
      crashed = c.decl;
    } else if (status_[c.decl] == Status::SkippedAfterTimeout) {
      skipped_timeout = c.decl;
    } else if (status_[c.decl] == Status::SkippedAfterCrash) {
      skipped_crash = c.decl;
    } else if (status_[c.decl] == Status::Declined) {
      declined = c.decl;
    } else if (status_[c.decl] == Status::Rejected) {
      rejected = c.decl;
    }
  }
  if (timed_out) {
    return {KernelErrorKind::DependsOnTimeout,
            "depends on '" + name + "' (line " + std::to_string(env_.declaration(*timed_out).line) +
                "), whose check timed out",
            {}};
  }
  if (crashed) {
    return {KernelErrorKind::DependsOnCrashed,
            "depends on '" + name + "' (line " + std::to_string(env_.declaration(*crashed).line) +
                "), whose check killed a worker",
            {}};
  }
  // Transitively: still undecided because of the timeout or crash further down.
  if (skipped_timeout) {
    return {KernelErrorKind::DependsOnTimeout,
            "depends on '" + name + "' (line " + std::to_string(env_.declaration(*skipped_timeout).line) +
                "), which was skipped: it depends on a declaration whose check timed out",
            {}};
  }
  if (skipped_crash) {
    return {KernelErrorKind::DependsOnCrashed,
            "depends on '" + name + "' (line " + std::to_string(env_.declaration(*skipped_crash).line) +
                "), which was skipped: it depends on a declaration whose check killed a worker",
            {}};
  }
  if (declined) {
    return {KernelErrorKind::DependsOnDeclined,
            "depends on '" + name + "' (line " + std::to_string(env_.declaration(*declined).line) + "), which was declined", {}};
  }
  if (rejected) {
    return {KernelErrorKind::DependsOnRejected,
            "depends on '" + name + "' (line " + std::to_string(env_.declaration(*rejected).line) + "), which was rejected", {}};
  }
  if (later) {
    if (*later == current)
      return {KernelErrorKind::DeclaredLater, "refers to '" + name + "', which is the declaration being checked", {}};
    return {KernelErrorKind::DeclaredLater,
            "refers to '" + name + "', which is declared only later (line " + std::to_string(env_.declaration(*later).line) +
                "); declarations may only use earlier ones",
            {}};
  }
  return {KernelErrorKind::UnknownConstant, "unknown constant '" + name + "'", {}};
}

const ConstantInfo* KernelEnv::earlier_owner(Name n, uint32_t current) const {
  std::optional<uint32_t> first = env_.find(n);
  if (!first || env_.constant(*first).decl >= current) return nullptr;
  return &env_.constant(*first);
}

void KernelEnv::check_name_free(Name n, uint32_t current) const {
  // Soundness / consistency: a name belongs to the first declaration that introduces it.
  // Checking only the *accepted* declarations would let a second `foo` take over when the
  // first one was declined (an unsafe or partial `foo` that Lean itself would have added),
  // and would make the verdict depend on the selection (`--decl` leaves earlier
  // declarations unchecked): a later theorem would then silently be about another `foo`.
  const ConstantInfo* owner = earlier_owner(n, current);
  if (!owner) return;
  const uint32_t d = owner->decl;
  const char* what = status_[d] == Status::Accepted   ? ""
                     : status_[d] == Status::Rejected ? ", which was rejected"
                     : status_[d] == Status::Declined ? ", which was declined"
                     : status_[d] == Status::Unchecked ? ", not checked in this run"
                                                       : ", which could not be decided";
  throw KernelError{KernelErrorKind::AlreadyDeclared,
                    "'" + st().name_to_string(n) + "' is already declared (line " +
                        std::to_string(env_.declaration(d).line) + what + ")",
                    {}};
}

bool KernelEnv::wrapper_is_identity(Name n, unsigned arity) {
  // `def w (α : Sort u) (d : α) : Sort u := α` (arity 2) or `def w (α : Sort u) := α`:
  // the value must be `fun x1 … xn => x1`, so `w α …` is α by delta and beta.
  const ConstantInfo* c = find(n);
  if (!c || c->kind != ConstKind::Definition) return false;
  TermStore& s = st();
  Expr v = c->value;
  for (unsigned i = 0; i < arity; ++i) {
    if (!s.is_lambda(v)) return false;
    v = s.binding_body(v);
  }
  return s.is_bvar(v) && s.bvar_idx(v) == arity - 1;
}

Expr KernelEnv::consume_type_annotations(Expr e) {
  TermStore& s = st();
  for (;;) {
    if (!s.is_app(e)) return e;
    Expr h = s.app_head(e);
    if (!s.is_const(h)) return e;
    Name n = s.const_name(h);
    unsigned nargs = s.app_num_args(e);
    if (nargs == 2 && (n == names_.opt_param || n == names_.auto_param) && wrapper_is_identity(n, 2)) {
      e = s.app_arg(s.app_fn(e));
    } else if (nargs == 1 && (n == names_.out_param || n == names_.semi_out_param) && wrapper_is_identity(n, 1)) {
      e = s.app_arg(e);
    } else {
      return e;
    }
  }
}

void KernelEnv::seed_axioms(const KernelEnv& from, uint32_t consts) {
  if (&from.st() != &st() || !axiom_sets_.empty() || consts > env_.constants().size()) return;
  axiom_sets_ = from.axiom_sets_;
  axiom_set_ids_ = from.axiom_set_ids_;
  axioms_memo_.assign(env_.constants().size(), 0);
  const size_t n = std::min<size_t>(consts, from.axioms_memo_.size());
  std::copy(from.axioms_memo_.begin(), from.axioms_memo_.begin() + static_cast<std::ptrdiff_t>(n), axioms_memo_.begin());
}

const std::vector<Name>& KernelEnv::axioms_of(uint32_t ci) {
  if (axioms_memo_.size() < env_.constants().size()) axioms_memo_.resize(env_.constants().size(), 0);
  auto memo = [&](uint32_t c) { return axioms_memo_[c]; };  // 1 + set index; 0: not computed
  if (memo(ci) != 0) return axiom_sets_[memo(ci) - 1];
  // Iterative post-order over the graph of *declarations*: the unit is a whole declaration
  // (an inductive block's types, constructors and recursors together), whose constants all
  // get one set, the union over the block. Soundness of the axiom report: the constants of a
  // block refer to each other, and an earlier version memoised each constant separately with
  // a cycle cut, so a recursor computed while its type was still open kept a set without
  // what only the type's terms reach (e.g. through a definition that whnf removed from the
  // derived recursor type), and users of the recursor alone were reported without those
  // axioms. Across declarations the graph is acyclic (accepted declarations refer only to
  // earlier ones); a cycle in anything else is cut, never looped on.
  auto decl_of = [&](uint32_t c) { return env_.constant(c).decl; };
  std::vector<std::pair<uint32_t, bool>> stack{{ci, false}};
  // A representative constant (the first) of each declaration another one refers to.
  auto deps_of = [&](uint32_t c) {
    std::vector<uint32_t> out;
    const Declaration& d = env_.declaration(decl_of(c));
    auto dep = [&](Name n) {
      uint32_t i = visible_index(n);
      if (i != kNotVisible && decl_of(i) != decl_of(c)) out.push_back(env_.declaration(decl_of(i)).first_const);
    };
    // One walk over the block's terms, each shared subterm once.
    auto visit = [&](Expr m) {
      switch (st().kind(m)) {
        case ExprKind::Const: dep(st().const_name(m)); break;
        case ExprKind::Proj: dep(st().proj_struct(m)); break;
        // Soundness of the axiom report: literals are terms of these declarations.
        case ExprKind::NatLit: dep(names_.nat); break;
        case ExprKind::StrLit:
          for (Name n : string_literal_deps) dep(n);
          break;
        default: break;
      }
      return true;
    };
    for (uint32_t i = d.first_const; i < d.first_const + d.num_consts; ++i) {
      const ConstantInfo& info = env_.constant(i);
      walk_.walk(st(), info.type, visit);
      walk_.walk(st(), info.value, visit);
      for (const RecursorRule& r : info.rules) walk_.walk(st(), r.rhs, visit);
    }
    walk_.clear();
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  };
  std::unordered_map<uint32_t, std::vector<uint32_t>> deps;
  std::unordered_map<uint32_t, bool> on_stack;
  stack.back().first = env_.declaration(decl_of(ci)).first_const;
  while (!stack.empty()) {
    auto [c, expanded] = stack.back();
    if (memo(c) != 0) {
      stack.pop_back();
      continue;
    }
    if (!expanded) {
      stack.back().second = true;
      on_stack[c] = true;
      auto& ds = deps[c] = deps_of(c);
      for (uint32_t d : ds)
        if (memo(d) == 0 && !on_stack[d]) stack.push_back({d, false});
      continue;
    }
    stack.pop_back();
    const Declaration& block = env_.declaration(decl_of(c));
    std::vector<Name> acc;
    for (uint32_t i = block.first_const; i < block.first_const + block.num_consts; ++i)
      if (env_.constant(i).kind == ConstKind::Axiom) acc.push_back(env_.constant(i).name);
    for (uint32_t d : deps[c])
      if (memo(d) != 0) {
        const std::vector<Name>& ds = axiom_sets_[memo(d) - 1];
        acc.insert(acc.end(), ds.begin(), ds.end());
      }
    std::sort(acc.begin(), acc.end(), [](Name x, Name y) { return x.id < y.id; });
    acc.erase(std::unique(acc.begin(), acc.end()), acc.end());
    std::vector<uint32_t> key;
    key.reserve(acc.size());
    for (Name n : acc) key.push_back(n.id);
    auto [it, fresh] = axiom_set_ids_.try_emplace(std::move(key), static_cast<uint32_t>(axiom_sets_.size()));
    if (fresh) axiom_sets_.push_back(std::move(acc));
    for (uint32_t i = block.first_const; i < block.first_const + block.num_consts; ++i) axioms_memo_[i] = it->second + 1;
    on_stack[c] = false;
  }
  return axiom_sets_[memo(ci) - 1];
}

}  // namespace leanbatch::host
