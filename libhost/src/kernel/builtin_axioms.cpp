// Lean's standard axioms, recognised by name and statement (see builtin_axioms.hpp).
// Soundness-critical for the axiom policy: a wrong `true` lets an impostor through
// --strict-axioms.
#include "leanbatch/host/kernel/builtin_axioms.hpp"

#include "leanbatch/host/expr_ops.hpp"
#include "leanbatch/host/kernel/quot.hpp"

namespace leanbatch::host {

namespace {

Expr arrow(TermStore& st, Expr a, Expr b) { return st.mk_pi(Name{}, BinderInfo::Default, a, b); }

// `structure Iff (a b : Prop) : Prop where intro :: mp : a → b, mpr : b → a`
bool iff_is_canonical(TypeChecker& tc) {
  TermStore& st = tc.st();
  KernelEnv& k = tc.kenv();
  Name iff = st.name_from_dotted("Iff");
  const ConstantInfo* c = k.find(iff);
  Expr prop = st.mk_sort(st.level_zero());
  if (!c || c->kind != ConstKind::Inductive || !c->lparams.empty() || c->num_params != 2 || c->num_indices != 0 ||
      c->ctors.size() != 1 || !alpha_eqv(st, c->type, arrow(st, prop, arrow(st, prop, prop))))
    return false;
  const ConstantInfo* intro = k.find(c->ctors[0]);
  if (!intro || !intro->lparams.empty()) return false;
  LocalContext& lctx = tc.lctx();
  Expr a = lctx.push_local(k.names().a, prop, BinderInfo::Implicit);
  Expr b = lctx.push_local(k.names().b, prop, BinderInfo::Implicit);
  std::vector<Expr> ab{a, b};
  Expr expected = lctx.mk_pi(ab, arrow(st, arrow(st, a, b), arrow(st, arrow(st, b, a), st.mk_app(st.mk_const(iff, LevelList{}), {a, b}))));
  return alpha_eqv(st, intro->type, expected);
}

// `class inductive Nonempty (α : Sort u) : Prop | intro (val : α) : Nonempty α`
bool nonempty_is_canonical(TypeChecker& tc) {
  TermStore& st = tc.st();
  KernelEnv& k = tc.kenv();
  Name ne = st.name_from_dotted("Nonempty");
  const ConstantInfo* c = k.find(ne);
  if (!c || c->kind != ConstKind::Inductive || c->lparams.size() != 1 || c->num_params != 1 || c->num_indices != 0 ||
      c->ctors.size() != 1)
    return false;
  Level u = st.level_param(c->lparams[0]);
  if (!alpha_eqv(st, c->type, arrow(st, st.mk_sort(u), st.mk_sort(st.level_zero())))) return false;
  const ConstantInfo* intro = k.find(c->ctors[0]);
  if (!intro || intro->lparams.size() != 1) return false;
  Level v = st.level_param(intro->lparams[0]);
  LocalContext& lctx = tc.lctx();
  Expr alpha = lctx.push_local(k.names().alpha, st.mk_sort(v), BinderInfo::Implicit);
  Expr val = lctx.push_local(st.name_from_dotted("val"), alpha);
  std::vector<Expr> tele{alpha, val};
  Expr expected = lctx.mk_pi(tele, st.mk_app(st.mk_const(ne, st.level_list(std::span<const Level>(&v, 1))), alpha));
  return alpha_eqv(st, intro->type, expected);
}

// Lean's statement of the axiom `c`, or an invalid Expr when its prerequisites are not Lean's.
Expr expected_statement(TypeChecker& tc, const ConstantInfo& c) {
  TermStore& st = tc.st();
  KernelEnv& k = tc.kenv();
  const KernelNames& n = k.names();
  LocalContext& lctx = tc.lctx();
  Expr prop = st.mk_sort(st.level_zero());
  check_eq(tc);  // throws unless Eq is Lean's
  if (c.name == n.propext) {
    // propext : ∀ {a b : Prop}, (a ↔ b) → a = b
    if (!c.lparams.empty() || !iff_is_canonical(tc)) return Expr{};
    Expr a = lctx.push_local(n.a, prop, BinderInfo::Implicit);
    Expr b = lctx.push_local(n.b, prop, BinderInfo::Implicit);
    Level one = st.level_succ(st.level_zero());
    Expr iff = st.mk_app(st.mk_const(st.name_from_dotted("Iff"), LevelList{}), {a, b});
    Expr eq = st.mk_app(st.mk_const(n.eq, st.level_list(std::span<const Level>(&one, 1))), {prop, a, b});
    std::vector<Expr> ab{a, b};
    return lctx.mk_pi(ab, arrow(st, iff, eq));
  }
  if (c.lparams.size() != 1) return Expr{};
  Level u = st.level_param(c.lparams[0]);
  LevelList lu = st.level_list(std::span<const Level>(&u, 1));
  Expr alpha = lctx.push_local(n.alpha, st.mk_sort(u), BinderInfo::Implicit);
  if (c.name == n.quot_sound) {
    // Quot.sound.{u} : ∀ {α : Sort u} {r : α → α → Prop} {a b : α}, r a b → Quot.mk r a = Quot.mk r b
    // (Quot and Quot.mk are accepted only with exactly Lean's types: quot.cpp.)
    if (!k.quot_ok[0] || !k.quot_ok[1]) return Expr{};
    Expr r = lctx.push_local(n.r, arrow(st, alpha, arrow(st, alpha, prop)), BinderInfo::Implicit);
    Expr a = lctx.push_local(n.a, alpha, BinderInfo::Implicit);
    Expr b = lctx.push_local(n.b, alpha, BinderInfo::Implicit);
    Expr quot = st.mk_app(st.mk_const(n.quot, lu), {alpha, r});
    Expr mk_a = st.mk_app(st.mk_const(n.quot_mk, lu), {alpha, r, a});
    Expr mk_b = st.mk_app(st.mk_const(n.quot_mk, lu), {alpha, r, b});
    std::vector<Expr> tele{alpha, r, a, b};
    return lctx.mk_pi(tele, arrow(st, st.mk_app(r, {a, b}), st.mk_app(st.mk_const(n.eq, lu), {quot, mk_a, mk_b})));
  }
  if (c.name == n.classical_choice) {
    // Classical.choice.{u} : {α : Sort u} → Nonempty α → α
    if (!nonempty_is_canonical(tc)) return Expr{};
    Expr ne = st.mk_app(st.mk_const(st.name_from_dotted("Nonempty"), lu), alpha);
    return lctx.mk_pi(std::span<const Expr>(&alpha, 1), arrow(st, ne, alpha));
  }
  return Expr{};
}

}  // namespace

bool is_builtin_axiom_name(const KernelNames& names, Name n) {
  return n == names.propext || n == names.quot_sound || n == names.classical_choice;
}

bool builtin_axiom_is_canonical(KernelEnv& k, const CheckControl& control, uint32_t decl, const ConstantInfo& c) {
  if (c.kind != ConstKind::Axiom || c.safety != Safety::Safe || !is_builtin_axiom_name(k.names(), c.name)) return false;
  TypeChecker tc(k, control, decl, c.lparams, Safety::Safe);
  try {
    Expr expected = expected_statement(tc, c);
    return expected.valid() && alpha_eqv(k.st(), c.type, expected);
  } catch (const KernelError&) {
    return false;  // Eq is not Lean's
  }
}

}  // namespace leanbatch::host
