// The hash-consed store: sharing, packed data, scratch region, structural operations.
#include <set>

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

TEST_CASE("loose bvar ranges stay exact beyond 16 bits, also in the scratch region") {
  TermStore st;
  Expr p = st.mk_sort(st.level_zero());
  Expr wide = st.mk_bvar(70000);
  CHECK(st.loose_bvar_range(wide) == 70001);
  CHECK(st.loose_bvar_range(st.mk_app(st.mk_bvar(3), wide)) == 70001);
  CHECK(st.loose_bvar_range(st.mk_lambda(Name{}, BinderInfo::Default, p, wide)) == 70000);
  CHECK(st.loose_bvar_range(st.mk_bvar(65534)) == 65535);
  CHECK(st.loose_bvar_range(st.mk_bvar(65533)) == 65534);
  CHECK(st.loose_bvar_range(st.mk_bvar(0xFFFFFFFEu)) == 0xFFFFFFFFu);
  CHECK(st.loose_bvar_range(st.mk_bvar(0xFFFFFFFFu)) == 0xFFFFFFFFu);  // saturated
  // 70001 binders close it: no loose bound variable is left, exactly.
  Expr e = wide;
  for (int i = 0; i < 70001; ++i) {
    e = st.mk_pi(Name{}, BinderInfo::Default, p, e);
    if (i == 70000 - 65535) CHECK(st.loose_bvar_range(e) == 65535);
    if (i == 70000 - 65534) CHECK(st.loose_bvar_range(e) == 65534);
  }
  CHECK(st.loose_bvar_range(e) == 0);
  CHECK_FALSE(st.has_loose_bvars(e));
  CHECK(st.has_loose_bvars(st.binding_body(e)));
  CHECK(st.loose_bvar_range(st.binding_body(e)) == 1);
  Expr c = st.mk_const(st.name_str(Name{}, "c"), LevelList{});
  CHECK(instantiate1(st, wide, c) == st.mk_bvar(69999));
  CHECK(lift_loose_bvars(st, wide, 0, 5) == st.mk_bvar(70005));

  st.begin_scratch();
  Expr s = st.mk_bvar(80000);
  CHECK(st.loose_bvar_range(s) == 80001);
  CHECK(st.loose_bvar_range(st.mk_app(s, wide)) == 80001);
  CHECK(st.loose_bvar_range(wide) == 70001);  // persistent ones are still found
  st.drop_scratch();
  Expr s2 = st.mk_bvar(90000);  // may reuse the dropped id
  CHECK(st.loose_bvar_range(s2) == 90001);
  CHECK(st.loose_bvar_range(st.mk_bvar(80000)) == 80001);
}

TEST_CASE("let nodes keep their four operands, also in the scratch region") {
  TermStore st;
  Name x = st.name_str(Name{}, "x");
  Expr p = st.mk_sort(st.level_zero());
  Expr t = st.mk_sort(st.level_succ(st.level_zero()));
  Expr l1 = st.mk_let(x, t, p, st.mk_bvar(0), false);
  CHECK(st.kind(l1) == ExprKind::Let);
  CHECK(st.let_name(l1) == x);
  CHECK(st.let_type(l1) == t);
  CHECK(st.let_value(l1) == p);
  CHECK(st.let_body(l1) == st.mk_bvar(0));
  CHECK_FALSE(st.let_nondep(l1));
  CHECK_FALSE(st.has_loose_bvars(l1));
  CHECK(st.mk_let(x, t, p, st.mk_bvar(0), false) == l1);
  CHECK(st.mk_let(x, t, p, st.mk_bvar(0), true) != l1);
  CHECK(st.mk_let(x, t, p, st.mk_bvar(1), false) != l1);
  CHECK(st.mk_let(x, t, t, st.mk_bvar(0), false) != l1);
  CHECK(st.mk_let(Name{}, t, p, st.mk_bvar(0), false) != l1);
  CHECK(st.loose_bvar_range(st.mk_let(x, t, p, st.mk_bvar(2), false)) == 2);
  CHECK(st.hash(st.mk_let(Name{}, t, p, st.mk_bvar(0), false)) == st.hash(l1));  // binder names excluded
  st.begin_scratch();
  Expr f = st.mk_fvar(st.fresh_fvar_index());
  Expr l2 = st.mk_let(x, t, f, f, true);
  CHECK(st.let_value(l2) == f);
  CHECK(st.let_body(l2) == f);
  CHECK(st.has_fvar(l2));
  CHECK(st.mk_let(x, t, p, st.mk_bvar(0), false) == l1);
  st.drop_scratch();
  Expr l3 = st.mk_let(x, p, t, p, true);
  CHECK(st.let_type(l3) == p);
  CHECK(st.let_value(l3) == t);
  CHECK(st.let_body(l3) == p);
  CHECK(st.let_value(l1) == p);
}

TEST_CASE("natural literals up to 64 bits are small, bigger ones exact") {
  TermStore st;
  for (uint64_t v : {uint64_t{0}, uint64_t{1} << 32, (uint64_t{1} << 40) + 5, ~uint64_t{0}}) {
    Expr n = st.mk_nat(v);
    CHECK(st.nat_is_small(n));
    CHECK(st.nat_small(n) == v);
    CHECK(st.mk_nat(mpz_class(std::to_string(v))) == n);
  }
  CHECK(st.mk_nat(uint64_t{1} << 32) != st.mk_nat(1));
  mpz_class big("18446744073709551616");
  CHECK_FALSE(st.nat_is_small(st.mk_nat(big)));
  CHECK(st.nat_to_string(st.mk_nat(big)) == "18446744073709551616");
}

TEST_CASE("interning stays exact while the index grows, after reserving, and across scratch regions") {
  TermStore st;
  Expr c = st.mk_const(st.name_str(Name{}, "c"), LevelList{});
  std::vector<Expr> made;
  Expr e = c;
  for (int i = 0; i < 300000; ++i) {
    e = st.mk_app(c, i % 2 ? e : st.mk_bvar(static_cast<uint32_t>(i)));
    made.push_back(e);
  }
  uint32_t n = st.expr_count();
  st.reserve_exprs(1'000'000);
  e = c;
  for (int i = 0; i < 300000; ++i) {
    e = st.mk_app(c, i % 2 ? e : st.mk_bvar(static_cast<uint32_t>(i)));
    CHECK(e == made[static_cast<size_t>(i)]);
  }
  CHECK(st.expr_count() == n);
  st.begin_scratch();
  for (int i = 0; i < 100000; ++i) st.mk_app(st.mk_fvar(static_cast<uint32_t>(i)), c);
  CHECK(st.mk_app(c, made[10]) == st.mk_app(c, made[10]));
  st.drop_scratch();
  CHECK(st.expr_count() == n);
  for (int i = 0; i < 300000; i += 1000) CHECK(st.mk_app(c, made[static_cast<size_t>(i)]) != made[static_cast<size_t>(i)]);
}

TEST_CASE("a full node table refuses to wrap its 32-bit ids", "[store][soundness]") {
  leanbatch::host::detail::ChunkedVector<uint64_t> v;
  v.set_limit_for_test(5);
  for (uint64_t i = 0; i < 5; ++i) REQUIRE(v.push_back(i) == i);
  REQUIRE_THROWS_AS(v.push_back(99), std::bad_alloc);
  REQUIRE(v.size() == 5);
  REQUIRE(v[0] == 0);  // nothing was overwritten
}

// Review 7 (2026-12-08): a component containing '»' printed verbatim inside «» made the
// one-component name `1».«2` print like the two components «1».«2» in axiom reports.
TEST_CASE("names in Lean syntax print injectively and read back, '»' inside a component too") {
  TermStore st;
  const Name one = st.name_str(Name{}, "1\xC2\xBB.\xC2\xAB" "2");  // the single component 1».«2
  const Name two = st.name_str(st.name_str(Name{}, "1"), "2");
  const Name num = st.name_num(st.name_str(Name{}, "a"), 7);
  const Name dotted = st.name_str(Name{}, "Classical.choice");
  const Name plain = st.name_str(st.name_str(Name{}, "Classical"), "choice");
  const Name closing = st.name_str(Name{}, "x\xC2\xBB\xC2\xBB");
  std::vector<Name> all{one, two, num, dotted, plain, closing, st.name_str(Name{}, "a.7")};
  std::set<std::string> printed;
  for (Name n : all) {
    std::string s = st.name_to_lean_syntax(n);
    INFO(s);
    CHECK(printed.insert(s).second);  // no two alike
    auto back = st.name_from_lean_syntax(s);
    REQUIRE(back);
    CHECK(*back == n);  // read back to the same name
  }
  CHECK(st.name_to_lean_syntax(one) == "\xC2\xAB" "1\xC2\xBB\xC2\xBB.\xC2\xAB" "2\xC2\xBB");
  CHECK(st.name_to_lean_syntax(two) == "\xC2\xAB" "1\xC2\xBB.\xC2\xAB" "2\xC2\xBB");
}
