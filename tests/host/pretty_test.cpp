// The pretty printer.
#include "leanbatch/host/pretty.hpp"
#include "test_support.hpp"

using namespace leanbatch::host;

namespace {
struct P {
  TermStore st;
  Name n(const char* s) { return st.name_from_dotted(s); }
  Expr c(const char* s) { return st.mk_const(n(s), LevelList{}); }
  Expr sort(Level l) { return st.mk_sort(l); }
  std::string pp(Expr e) { return pretty(st, e); }
};
}  // namespace

TEST_CASE("sorts print as Prop, Type, Type u, Sort u") {
  P p;
  Level u = p.st.level_param(p.n("u"));
  CHECK(p.pp(p.sort(p.st.level_zero())) == "Prop");
  CHECK(p.pp(p.sort(p.st.level_succ(p.st.level_zero()))) == "Type");
  CHECK(p.pp(p.sort(p.st.level_succ(u))) == "Type u");
  CHECK(p.pp(p.sort(u)) == "Sort u");
  CHECK(p.pp(p.sort(p.st.level_max_core(u, p.st.level_param(p.n("v"))))) == "Sort (max u v)");
}

TEST_CASE("arrows, dependent and implicit binders") {
  P p;
  Expr nat = p.c("Nat");
  Expr arrow = p.st.mk_pi(p.n("a"), BinderInfo::Default, nat, p.st.mk_pi(p.n("b"), BinderInfo::Default, nat, nat));
  CHECK(p.pp(arrow) == "Nat → Nat → Nat");
  Expr vec = p.c("Vec");
  Expr dep = p.st.mk_pi(p.n("n"), BinderInfo::Implicit, nat, p.st.mk_app(vec, p.st.mk_bvar(0)));
  CHECK(p.pp(dep) == "{n : Nat} → Vec n");
  Expr inst = p.st.mk_pi(p.n("inst"), BinderInfo::InstImplicit, p.st.mk_app(p.c("Add"), nat), nat);
  CHECK(p.pp(inst) == "[inst : Add Nat] → Nat");
  Expr lam = p.st.mk_lambda(p.n("x"), BinderInfo::Default, nat, p.st.mk_lambda(p.n("x"), BinderInfo::StrictImplicit, nat, p.st.mk_bvar(1)));
  CHECK(p.pp(lam) == "fun (x : Nat) ⦃x_1 : Nat⦄ => x");  // shadowing is disambiguated
  CHECK(p.pp(p.st.mk_pi(p.n("f"), BinderInfo::Default, arrow, nat)) == "(Nat → Nat → Nat) → Nat");
}

TEST_CASE("numerals, string literals, let and projections") {
  P p;
  Expr nat = p.c("Nat");
  Expr ofnat = p.st.mk_const(p.n("OfNat.ofNat"), p.st.level_list(std::vector<Level>{p.st.level_zero()}));
  Expr three = p.st.mk_app(ofnat, {nat, p.st.mk_nat(3), p.st.mk_app(p.c("instOfNatNat"), p.st.mk_nat(3))});
  CHECK(p.pp(p.st.mk_app(p.c("f"), three)) == "f 3");
  CHECK(p.pp(p.st.mk_str("a\"b\nc")) == "\"a\\\"b\\nc\"");
  Expr let = p.st.mk_let(p.n("y"), nat, p.st.mk_nat(1), p.st.mk_app(p.c("g"), p.st.mk_bvar(0)), false);
  CHECK(p.pp(let) == "let y : Nat := 1; g y");
  Expr pr = p.st.mk_proj(p.n("Prod"), 1, p.c("q"));
  CHECK(p.pp(pr) == "q.2");
  CHECK(p.pp(p.st.mk_app(p.c("f"), p.st.mk_app(p.c("g"), p.c("x")))) == "f (g x)");
}

TEST_CASE("universe arguments and hygienic names") {
  P p;
  Level u = p.st.level_param(p.n("u"));
  Expr c = p.st.mk_const(p.n("List"), p.st.level_list(std::vector<Level>{u}));
  CHECK(p.pp(c) == "List.{u}");
  Name hyg = p.n("x._@.Init.Prelude._hyg.13");
  CHECK(pretty_name(p.st, hyg) == "x✝");
}

TEST_CASE("output is bounded for huge terms") {
  P p;
  Expr e = p.c("a");
  for (int i = 0; i < 60; ++i) e = p.st.mk_app(e, e);  // exponential as a tree
  PrettyOptions o;
  o.max_chars = 500;
  std::string s = pretty(p.st, e, o);
  CHECK(s.size() < 700);
  CHECK(s.find("…") != std::string::npos);
}
