// The hash-consed store: sharing, packed data, scratch region, structural operations.
#include "leanbatch/host/expr_ops.hpp"
#include "leanbatch/host/term_store.hpp"
#include "test_support.hpp"

using namespace leanbatch::host;

TEST_CASE("structurally equal nodes are one node") {
  TermStore st;
  Name x = st.name_str(Name{}, "x");
  Expr p = st.mk_sort(st.level_zero());
  Expr a = st.mk_lambda(x, BinderInfo::Default, p, st.mk_bvar(0));
  Expr b = st.mk_lambda(st.name_str(Name{}, "x"), BinderInfo::Default, st.mk_sort(Level{0}), st.mk_bvar(0));
  CHECK(a == b);
  CHECK(st.mk_app(a, p) == st.mk_app(b, p));
  CHECK(st.name_str(Name{}, "x") == x);
  CHECK(st.mk_nat(12345) == st.mk_nat(mpz_class(12345)));
  mpz_class big("123456789012345678901234567890");
  CHECK(st.mk_nat(big) == st.mk_nat(big));
  CHECK(st.nat_value(st.mk_nat(big)) == big);
  CHECK(st.mk_str("héllo\n") == st.mk_str("héllo\n"));
}

TEST_CASE("alpha-equivalent terms hash alike but stay distinct nodes") {
  TermStore st;
  Expr p = st.mk_sort(st.level_zero());
  Expr a = st.mk_lambda(st.name_str(Name{}, "x"), BinderInfo::Default, p, st.mk_bvar(0));
  Expr b = st.mk_lambda(st.name_str(Name{}, "y"), BinderInfo::Implicit, p, st.mk_bvar(0));
  CHECK(a != b);
  CHECK(st.hash(a) == st.hash(b));
  CHECK(alpha_eqv(st, a, b));
  CHECK_FALSE(alpha_eqv(st, a, st.mk_lambda(Name{}, BinderInfo::Default, p, p)));
}

TEST_CASE("the data word records loose bound variables, free variables and universe parameters") {
  TermStore st;
  Expr b0 = st.mk_bvar(0), b3 = st.mk_bvar(3);
  Expr p = st.mk_sort(st.level_zero());
  CHECK(st.loose_bvar_range(b3) == 4);
  Expr lam = st.mk_lambda(Name{}, BinderInfo::Default, p, st.mk_app(b0, b3));
  CHECK(st.loose_bvar_range(lam) == 3);
  CHECK_FALSE(st.has_loose_bvars(st.mk_lambda(Name{}, BinderInfo::Default, p, b0)));
  Expr f = st.mk_fvar(7);
  CHECK(st.has_fvar(st.mk_app(p, f)));
  CHECK_FALSE(st.has_fvar(lam));
  Level u = st.level_param(st.name_str(Name{}, "u"));
  CHECK(st.has_lparam(st.mk_sort(u)));
  CHECK_FALSE(st.has_lparam(p));
}

TEST_CASE("instantiate substitutes, lowers and skips closed subterms") {
  TermStore st;
  Expr p = st.mk_sort(st.level_zero());
  Expr c = st.mk_const(st.name_str(Name{}, "c"), LevelList{});
  // (fun y => #1 y) with #1 free: instantiate #0 := c gives fun y => c y
  Expr body = st.mk_lambda(Name{}, BinderInfo::Default, p, st.mk_app(st.mk_bvar(1), st.mk_bvar(0)));
  Expr r = instantiate1(st, body, c);
  CHECK(r == st.mk_lambda(Name{}, BinderInfo::Default, p, st.mk_app(c, st.mk_bvar(0))));
  // loose indices above the substituted ones are lowered
  CHECK(instantiate1(st, st.mk_bvar(2), c) == st.mk_bvar(1));
  // closed terms are returned as they are
  Expr closed = st.mk_app(c, p);
  CHECK(instantiate1(st, closed, p) == closed);
  // instantiate_rev reads the substitution backwards
  std::vector<Expr> subst{c, p};
  CHECK(instantiate_rev(st, st.mk_bvar(0), subst) == p);
  CHECK(instantiate(st, st.mk_bvar(0), subst) == c);
}

TEST_CASE("abstract turns free variables back into bound variables") {
  TermStore st;
  Expr x = st.mk_fvar(1), y = st.mk_fvar(2);
  Expr e = st.mk_app(x, y);
  std::vector<Expr> fv{x, y};
  CHECK(abstract_fvars(st, e, fv) == st.mk_app(st.mk_bvar(1), st.mk_bvar(0)));
  CHECK(instantiate_rev(st, abstract_fvars(st, e, fv), fv) == e);
}

TEST_CASE("traversals handle a DAG with exponential tree size") {
  TermStore st;
  Expr e = st.mk_bvar(0);
  for (int i = 0; i < 200; ++i) e = st.mk_app(e, e);  // 2^200 paths, 201 nodes
  Expr c = st.mk_const(st.name_str(Name{}, "c"), LevelList{});
  Expr r = instantiate1(st, e, c);
  CHECK_FALSE(st.has_loose_bvars(r));
  CHECK(alpha_eqv(st, r, r));
}

TEST_CASE("scratch nodes disappear when the scratch region is dropped") {
  TermStore st;
  Expr p = st.mk_sort(st.level_zero());
  uint32_t before = st.expr_count();
  st.begin_scratch();
  Expr t = st.mk_app(p, st.mk_fvar(st.fresh_fvar_index()));
  CHECK(st.scratch_exprs() >= 2);
  CHECK(st.mk_sort(st.level_zero()) == p);  // persistent nodes are still found
  (void)t;
  st.drop_scratch();
  CHECK(st.expr_count() == before);
  CHECK(st.mk_sort(st.level_zero()) == p);
}

TEST_CASE("names print, compare and rewrite like Lean's") {
  TermStore st;
  Name a = st.name_from_dotted("Nat.add");
  CHECK(st.name_to_string(a) == "Nat.add");
  CHECK(st.name_to_string(st.name_num(a, 3)) == "Nat.add.3");
  CHECK(st.name_cmp(st.name_from_dotted("A.b"), st.name_from_dotted("A.c")) < 0);
  CHECK(st.name_cmp(st.name_num(Name{}, 1), st.name_str(Name{}, "a")) < 0);  // numbers first
  CHECK(st.name_to_string(st.name_replace_prefix(st.name_from_dotted("Nat.succ"), st.name_from_dotted("Nat"),
                                                 st.name_from_dotted("_nested.Nat_1"))) == "_nested.Nat_1.succ");
  CHECK(st.name_to_string(st.name_append_index(st.name_from_dotted("Tree.rec"), 1)) == "Tree.rec_1");
  CHECK(st.name_to_string(st.name_append_after(st.name_from_dotted("x"), "_ih")) == "x_ih");
}
