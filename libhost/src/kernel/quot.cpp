// Quotients. Soundness-critical: Quot.lift/Quot.ind reduce on Quot.mk, which is only valid
// for constants with exactly the types Lean's kernel gives them, and those mention Eq.
#include "leanbatch/host/kernel/quot.hpp"

#include "leanbatch/host/expr_ops.hpp"

namespace leanbatch::host {

namespace {

[[noreturn]] void bad(TypeChecker& tc, const std::string& msg, std::vector<std::pair<std::string, Expr>> terms = {}) {
  tc.fail(KernelErrorKind::InvalidQuot, msg, std::move(terms));
}

}  // namespace

// Eq.{u} : {α : Sort u} → α → α → Prop with the single constructor
// Eq.refl.{u} : {α : Sort u} → (a : α) → @Eq α a a.
void check_eq(TypeChecker& tc) {
  KernelEnv& k = tc.kenv();
  TermStore& st = tc.st();
  const KernelNames& n = k.names();
  const ConstantInfo* eq = k.find(n.eq);
  if (!eq || eq->kind != ConstKind::Inductive) bad(tc, "the quotient constants need 'Eq' to be declared first, as an inductive type");
  if (eq->lparams.size() != 1) bad(tc, "'Eq' must have exactly one universe parameter");
  if (eq->ctors.size() != 1) bad(tc, "'Eq' must have exactly one constructor");
  Level u = st.level_param(eq->lparams[0]);
  LocalContext& lctx = tc.lctx();
  Expr alpha = lctx.push_local(n.alpha, st.mk_sort(u), BinderInfo::Implicit);
  Expr prop = st.mk_sort(st.level_zero());
  Expr expected = lctx.mk_pi(std::span<const Expr>(&alpha, 1),
                             st.mk_pi(Name{}, BinderInfo::Default, alpha, st.mk_pi(Name{}, BinderInfo::Default, alpha, prop)));
  if (!alpha_eqv(st, eq->type, expected)) bad(tc, "'Eq' does not have the expected type", {{"type", eq->type}, {"expected", expected}});
  const ConstantInfo* refl = k.find(eq->ctors[0]);
  if (!refl || refl->lparams.size() != 1) bad(tc, "the constructor of 'Eq' must have one universe parameter");
  Level ur = st.level_param(refl->lparams[0]);
  Expr alpha2 = lctx.push_local(n.alpha, st.mk_sort(ur), BinderInfo::Implicit);
  Expr a = lctx.push_local(n.a, alpha2);
  std::vector<Expr> tele{alpha2, a};
  Expr eq_app = st.mk_app(st.mk_const(n.eq, st.level_list(std::span<const Level>(&ur, 1))), {alpha2, a, a});
  Expr expected_refl = lctx.mk_pi(tele, eq_app);
  if (!alpha_eqv(st, refl->type, expected_refl))
    bad(tc, "the constructor of 'Eq' does not have the expected type", {{"type", refl->type}, {"expected", expected_refl}});
}

namespace {

Expr expected_type(TypeChecker& tc, QuotKind kind, std::span<const Name> lps) {
  TermStore& st = tc.st();
  const KernelNames& n = tc.kenv().names();
  LocalContext& lctx = tc.lctx();
  Level u = st.level_param(lps[0]);
  LevelList lu = st.level_list(std::span<const Level>(&u, 1));
  Expr prop = st.mk_sort(st.level_zero());
  auto arrow = [&](Expr a, Expr b) { return st.mk_pi(Name{}, BinderInfo::Default, a, b); };
  Expr alpha = lctx.push_local(n.alpha, st.mk_sort(u), BinderInfo::Implicit);
  Expr rel_type = arrow(alpha, arrow(alpha, prop));
  switch (kind) {
    case QuotKind::Type: {
      // Quot.{u} : {α : Sort u} → (α → α → Prop) → Sort u
      Expr r = lctx.push_local(n.r, rel_type);
      std::vector<Expr> tele{alpha, r};
      return lctx.mk_pi(tele, st.mk_sort(u));
    }
    case QuotKind::Ctor: {
      // Quot.mk.{u} : {α : Sort u} → (r : α → α → Prop) → α → @Quot.{u} α r
      Expr r = lctx.push_local(n.r, rel_type);
      Expr a = lctx.push_local(n.a, alpha);
      std::vector<Expr> tele{alpha, r, a};
      return lctx.mk_pi(tele, st.mk_app(st.mk_const(n.quot, lu), {alpha, r}));
    }
    case QuotKind::Lift: {
      // Quot.lift.{u,v} : {α : Sort u} → {r : α → α → Prop} → {β : Sort v} → (f : α → β) →
      //   (∀ a b : α, r a b → f a = f b) → @Quot.{u} α r → β
      Level v = st.level_param(lps[1]);
      Expr r = lctx.push_local(n.r, rel_type, BinderInfo::Implicit);
      Expr beta = lctx.push_local(n.beta, st.mk_sort(v), BinderInfo::Implicit);
      Expr f = lctx.push_local(n.f, arrow(alpha, beta));
      Expr a = lctx.push_local(n.a, alpha);
      Expr b = lctx.push_local(n.b, alpha);
      Expr feq = st.mk_app(st.mk_const(n.eq, st.level_list(std::span<const Level>(&v, 1))),
                           {beta, st.mk_app(f, a), st.mk_app(f, b)});
      std::vector<Expr> ab{a, b};
      Expr sanity = lctx.mk_pi(ab, arrow(st.mk_app(r, {a, b}), feq));
      Expr quot_r = st.mk_app(st.mk_const(n.quot, lu), {alpha, r});
      std::vector<Expr> tele{alpha, r, beta, f};
      return lctx.mk_pi(tele, arrow(sanity, arrow(quot_r, beta)));
    }
    case QuotKind::Ind: {
      // Quot.ind.{u} : {α : Sort u} → {r : α → α → Prop} → {β : @Quot.{u} α r → Prop} →
      //   (mk : ∀ a : α, β (@Quot.mk.{u} α r a)) → ∀ q : @Quot.{u} α r, β q
      Expr r = lctx.push_local(n.r, rel_type, BinderInfo::Implicit);
      Expr quot_r = st.mk_app(st.mk_const(n.quot, lu), {alpha, r});
      Expr beta = lctx.push_local(n.beta, arrow(quot_r, prop), BinderInfo::Implicit);
      Expr a = lctx.push_local(n.a, alpha);
      Expr mk_a = st.mk_app(st.mk_const(n.quot_mk, lu), {alpha, r, a});
      Expr all_quot = lctx.mk_pi(std::span<const Expr>(&a, 1), st.mk_app(beta, mk_a));
      Expr q = lctx.push_local(n.q, quot_r);
      Expr body = lctx.mk_pi(std::span<const Expr>(&q, 1), st.mk_app(beta, q));
      std::vector<Expr> tele{alpha, r, beta};
      return lctx.mk_pi(tele, st.mk_pi(n.mk, BinderInfo::Default, all_quot, body));
    }
  }
  return Expr{};
}

}  // namespace

void check_quot_constant(TypeChecker& tc, const ConstantInfo& c) {
  TermStore& st = tc.st();
  KernelEnv& k = tc.kenv();
  const KernelNames& n = k.names();
  Name expected_name;
  size_t nlevels = 1;
  switch (c.quot_kind) {
    case QuotKind::Type: expected_name = n.quot; break;
    case QuotKind::Ctor: expected_name = n.quot_mk; break;
    case QuotKind::Lift: expected_name = n.quot_lift; nlevels = 2; break;
    case QuotKind::Ind: expected_name = n.quot_ind; break;
  }
  if (c.name != expected_name)
    bad(tc, "a quotient constant of kind '" + std::string(to_string(c.quot_kind)) + "' must be named '" +
                st.name_to_string(expected_name) + "', not '" + st.name_to_string(c.name) + "'");
  if (c.lparams.size() != nlevels)
    bad(tc, "'" + st.name_to_string(c.name) + "' must have " + std::to_string(nlevels) + " universe parameter(s)");
  check_eq(tc);
  tc.ensure_type(c.type);  // well-formed in the current environment (earlier quotient constants included)
  Expr expected = expected_type(tc, c.quot_kind, c.lparams);
  if (!alpha_eqv(st, c.type, expected))
    bad(tc, "'" + st.name_to_string(c.name) + "' does not have the type of the quotient constant",
        {{"type", c.type}, {"expected", expected}});
}

}  // namespace leanbatch::host
