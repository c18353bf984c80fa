// The Lean Kernel Arena's tests on recursors and their K-like reduction, rebuilt term by term
// with builder.hpp (helpers in arena_support.hpp): each case states the Arena test it mirrors
// (leanprover/lean-kernel-arena, tests/), the expected outcome, and why a checker could get it
// wrong.
//
// What an export states about an inductive block — a recursor's k flag and rules, a
// recursor's inductive type, a constructor's field count — is derived and compared, not
// trusted; and K-like reduction needs the indices to be convertible.
#include "arena_support.hpp"

using namespace lbtest;

// =======================================================================================
// tests/bugs/k-rec-conv (reject)

// K-like reduction of `Eq.rec` may replace the major premise `h : a = b` by `Eq.refl a` only
// when `a ≡ b`. Here `a = fun x => x` and `b = fun _ => y` for a variable y: they differ, so
// `t1 y h` is stuck and is not `0` — `t1 = t2` has no proof by reflexivity.
TEST_CASE("Arena bugs/k-rec-conv: K-like reduction needs the indices to be convertible", "[kernel][arena]") {
  Builder b(kPrelude);
  Pre p{b};
  Expr N = p.Nat(), NN = b.arrow(N, N);
  Expr id = b.Lam("x", N, [](Expr x) { return x; });
  auto const_fn = [&](Expr y) { return b.lam("_", N, y); };
  auto eqNN = [&](Expr f, Expr g) { return p.eq(NN, f, g, 1); };
  auto motive = b.Lam("f", NN, [&](Expr f) { return b.lam("e", eqNN(id, f), N); });  // fun _ _ => Nat
  b.def("T", b.type(), b.Pi("y", N, [&](Expr y) { return b.arrow(eqNN(id, const_fn(y)), N); }));
  Expr T = b.c("T");
  b.def("t2", T, b.Lam("y", N, [&](Expr y) { return b.lam("h", eqNN(id, const_fn(y)), b.nat(0)); }));
  b.def("t1", T, b.Lam("y", N, [&](Expr y) {
          return b.Lam("h", eqNN(id, const_fn(y)), [&](Expr h) { return p.eq_rec(1, 1, NN, id, motive, b.nat(0), const_fn(y), h); });
        }));
  b.thm("bad", p.eq(T, b.c("t1"), b.c("t2"), 1), p.refl(T, b.c("t1"), 1));
  // Control: with both sides `fun x => x`, K applies and the recursor reduces to its minor.
  b.thm("kControl", b.Pi("h", eqNN(id, id), [&](Expr h) { return p.eq(N, p.eq_rec(1, 1, NN, id, motive, b.nat(0), id, h), b.nat(0), 1); }),
        b.Lam("h", eqNN(id, id), [&](Expr) { return p.refl(N, b.nat(0), 1); }));
  Verdicts r = check_decls(b, {"T", "t1", "t2", "kControl", "bad"});
  for (const char* ok : {"T", "t1", "t2", "kControl"}) EXPECT_OK(r, ok);
  EXPECT_REJECTED(r, "bad");
  CHECK(r.kind("bad") == "def_type_mismatch");
}

// =======================================================================================
// tests/bugs/rec-k-lie (reject)

namespace {
// `inductive MyBool | false | true` whose recursor is claimed K-like (`k` = `claim_k`):
// K-like reduction would read every major premise as the first constructor.
Verdicts my_bool_k(bool claim_k) {
  Builder b(kPrelude);
  Pre p{b};
  IndSpec s = two_ctors("MyBool", "false", "true", b.lvl(1), b.param("u"), {"u"});
  s.k = claim_k;
  b.raw(DeclKind::Inductive, inductive(b, s));
  Expr MB = b.c("MyBool");
  b.def("disc", b.arrow(MB, b.prop()), b.Lam("b", MB, [&](Expr x) {
          return b.app(b.c("MyBool.rec", {b.lvl(1)}), {b.lam("_", MB, b.prop()), p.True(), p.False(), x});
        }));
  b.thm("bad", b.app(b.c("disc"), {b.c("MyBool.true")}), p.trivial());
  b.thm("good", b.app(b.c("disc"), {b.c("MyBool.false")}), p.trivial());
  return check_decls(b, {"MyBool", "disc", "good", "bad"});
}
}  // namespace

TEST_CASE("Arena bugs/rec-k-lie: the k flag of a recursor is derived, not trusted", "[kernel][arena]") {
  Verdicts lie = my_bool_k(true);
  EXPECT_REJECTED(lie, "MyBool");
  CHECK(lie.kind("MyBool") == "invalid_recursor");
  EXPECT_REJECTED(lie, "bad");
  // Control: the honest recursor; `disc true` is False, `disc false` True.
  Verdicts honest = my_bool_k(false);
  for (const char* ok : {"MyBool", "disc", "good"}) EXPECT_OK(honest, ok);
  EXPECT_REJECTED(honest, "bad");
}

// =======================================================================================
// tests/bugs/nat-rec-k-lie, tests/bugs/nat-rec-rules (reject; the Arena ships exports only,
// rebuilt here from their descriptions on the prelude's Nat)

namespace {
// g n := Nat.rec (fun _ => Prop) True (fun _ _ => False) n: g 0 is True, g (n+1) False.
void nat_family(Builder& b) {
  Pre p{b};
  Expr N = p.Nat();
  b.def("g", b.arrow(N, b.prop()), b.Lam("n", N, [&](Expr n) {
          Expr step = b.lam("m", N, b.lam("ih", b.prop(), p.False()));
          return b.app(b.c("Nat.rec", {b.lvl(1)}), {b.lam("_", N, b.prop()), p.True(), step, n});
        }));
  Expr g = b.c("g");
  // ∀ n, g n: only if Nat.rec's major premise could be read as Nat.zero (K).
  b.thm("allG", b.Pi("n", N, [&](Expr n) { return b.app(g, {n}); }), b.Lam("n", N, [&](Expr) { return p.trivial(); }));
  // g 1 is False: the literal 1 is Nat.succ 0.
  b.thm("notG1", b.arrow(b.app(g, {b.nat(1)}), p.False()), b.Lam("h", b.app(g, {b.nat(1)}), [](Expr h) { return h; }));
  b.thm("boom", p.False(), b.app(b.c("notG1"), {b.app(b.c("allG"), {b.nat(1)})}));
  // ∀ n, g (n+1) is True: only if the succ rule returned the zero case.
  b.thm("symbolic", b.Pi("n", N, [&](Expr n) { return b.app(g, {b.app(b.c("Nat.succ"), {n})}); }),
        b.Lam("n", N, [&](Expr) { return p.trivial(); }));
}

Verdicts nat_lie(const std::function<void(Builder&, std::vector<ConstantInfo>&)>& lie) {
  Builder b(kPrelude);
  std::vector<ConstantInfo> block = b.decl_of("Nat");
  lie(b, block);
  b.replace("Nat", block);
  nat_family(b);
  return check_decls(b, {"Nat", "g", "notG1", "allG", "boom", "symbolic"});
}
}  // namespace

TEST_CASE("Arena bugs/nat-rec-k-lie: Nat.rec claimed K-like", "[kernel][arena]") {
  Verdicts lie = nat_lie([](Builder& b, std::vector<ConstantInfo>& block) { b.in(block, "Nat.rec").k = true; });
  EXPECT_REJECTED(lie, "Nat");
  CHECK(lie.kind("Nat") == "invalid_recursor");
  EXPECT_REJECTED(lie, "boom");
  // Control: Lean's Nat; `g 1 → False` holds, `∀ n, g n` does not.
  Verdicts honest = nat_lie([](Builder&, std::vector<ConstantInfo>&) {});
  for (const char* ok : {"Nat", "g", "notG1"}) EXPECT_OK(honest, ok);
  EXPECT_REJECTED(honest, "allG");
  EXPECT_REJECTED(honest, "symbolic");
}

TEST_CASE("Arena bugs/nat-rec-rules: Nat.rec's rules are compared with derived ones", "[kernel][arena]") {
  Verdicts lie = nat_lie([](Builder& b, std::vector<ConstantInfo>& block) {
    // The succ rule `fun motive zero succ n => succ n (Nat.rec … n)` made to answer `zero`.
    TermStore& st = b.st();
    ConstantInfo& rec = b.in(block, "Nat.rec");
    REQUIRE(rec.rules.size() == 2);
    RecursorRule& r = rec.rules[1];
    REQUIRE(r.ctor == b.n("Nat.succ"));
    std::vector<Expr> doms;
    std::vector<Name> names;
    for (Expr e = r.rhs; st.is_lambda(e); e = st.binding_body(e)) {
      doms.push_back(st.binding_domain(e));
      names.push_back(st.binding_name(e));
    }
    REQUIRE(doms.size() == 4);      // motive, zero, succ, n
    Expr body = b.bv(2);            // zero
    for (size_t i = doms.size(); i-- > 0;) body = st.mk_lambda(names[i], BinderInfo::Default, doms[i], body);
    r.rhs = body;
  });
  EXPECT_REJECTED(lie, "Nat");
  CHECK(lie.kind("Nat") == "invalid_recursor");
  CHECK(lie.msg("Nat").find("right-hand side") != std::string::npos);
  EXPECT_REJECTED(lie, "symbolic");
}

// =======================================================================================
// tests/rec-orphan-empty, tests/rec-orphan-bad-ind, tests/bugs/orphan-rec (reject)

namespace {
// `False` as the prelude has it, with a recursor `rogue : False` (no motive, no minor, no
// rule) smuggled into its block; `rogue_all` is the `all` field it claims. `inconsistent :
// False := rogue`. With `with_rogue` false: the honest block (control).
Verdicts orphan(bool with_rogue, std::vector<std::string> rogue_all) {
  Builder b(kEmpty);
  IndSpec s;
  s.name = "False";
  s.sort = b.lvl(0);
  s.motive = b.param("u");  // no constructor: large elimination
  s.rec_lps = {"u"};
  std::vector<ConstantInfo> block = inductive(b, s);
  if (with_rogue) {
    ConstantInfo rogue = mk_rec(b, "rogue", "False", b.c("False"), 0, 0, 0, {}, {});
    rogue.all.clear();
    for (const std::string& n : rogue_all) rogue.all.push_back(b.n(n));
    block.insert(block.begin() + 1, rogue);  // before False.rec, as in the Arena's export
  }
  b.raw(DeclKind::Inductive, block);
  b.thm("inconsistent", b.c("False"), b.c("rogue"));
  return check_decls(b, {"False", "inconsistent"});
}

void check_orphan(std::vector<std::string> rogue_all) {
  Verdicts r = orphan(true, rogue_all);
  EXPECT_REJECTED(r, "False");
  CHECK(r.kind("False") == "invalid_recursor");
  EXPECT_REJECTED(r, "inconsistent");
  // Control: the same block without `rogue`.
  Verdicts honest = orphan(false, {});
  EXPECT_OK(honest, "False");
  EXPECT_REJECTED(honest, "inconsistent");
}
}  // namespace

TEST_CASE("Arena rec-orphan-empty: a recursor tied to no inductive type is rejected", "[kernel][arena]") {
  check_orphan({});
  // The same recursor as an inductive declaration of its own, with no type at all.
  Builder b(kEmpty);
  IndSpec s;
  s.name = "False";
  s.sort = b.lvl(0);
  s.motive = b.param("u");
  s.rec_lps = {"u"};
  b.raw(DeclKind::Inductive, inductive(b, s));
  ConstantInfo rogue = mk_rec(b, "rogue", "False", b.c("False"), 0, 0, 0, {}, {});
  rogue.all.clear();
  b.raw(DeclKind::Inductive, {rogue});
  b.thm("inconsistent", b.c("False"), b.c("rogue"));
  Verdicts r = check_decls(b, {"False", "rogue", "inconsistent"});
  EXPECT_OK(r, "False");
  EXPECT_REJECTED(r, "rogue");
  EXPECT_REJECTED(r, "inconsistent");
}

TEST_CASE("Arena bugs/orphan-rec: a recursor tied to no inductive type is rejected", "[kernel][arena]") {
  // The same export as rec-orphan-empty (`all` emptied in the False block).
  check_orphan({});
}

TEST_CASE("Arena rec-orphan-bad-ind: a recursor tied to an undeclared inductive type is rejected", "[kernel][arena]") {
  check_orphan({"Foo"});
}

// =======================================================================================
// tests/bugs/ctor-num-fields (reject)

namespace {
// `structure S where f : Bool` whose constructor claims `num_fields` fields: with 0, S would
// look unit-like and eta for unit-like types would make `S.mk true ≡ S.mk false`.
Verdicts ctor_num_fields(uint32_t num_fields) {
  Builder b(kPrelude);
  Pre p{b};
  IndSpec s;
  s.name = "S";
  s.sort = b.lvl(1);
  s.ctors = {{"S.mk", {field("f", p.Bool())}}};
  s.motive = b.param("u");
  s.rec_lps = {"u"};
  std::vector<ConstantInfo> block = inductive(b, s);
  b.in(block, "S.mk").num_fields = num_fields;
  b.raw(DeclKind::Inductive, block);
  Expr S = b.c("S"), mk = b.c("S.mk");
  Expr s_t = b.app(mk, {p.tt()}), s_f = b.app(mk, {p.ff()});
  Expr h_type = p.eq(S, s_t, s_f, 1);
  b.thm("h", h_type, p.refl(S, s_t, 1));
  // From S.mk true = S.mk false to False, through `decode x.f` (False for false, True for true).
  auto transport = [&](Expr h) {
    Expr m = b.Lam("x", S, [&](Expr x) {
      return b.lam("e", p.eq(S, s_t, x, 1), b.app(p.decode(p.False(), p.True()), {b.proj("S", 0, x)}));
    });
    return p.eq_rec(0, 1, S, s_t, m, p.trivial(), s_f, h);
  };
  b.thm("bad", p.False(), transport(b.c("h")));
  b.thm("fromH", b.arrow(h_type, p.False()), b.Lam("h", h_type, transport));
  return check_decls(b, {"S", "fromH", "h", "bad"});
}
}  // namespace

TEST_CASE("Arena bugs/ctor-num-fields: a constructor's field count is derived, not trusted", "[kernel][arena]") {
  Verdicts lie = ctor_num_fields(0);
  EXPECT_REJECTED(lie, "S");
  CHECK(lie.kind("S") == "invalid_recursor");
  EXPECT_REJECTED(lie, "bad");
  // Control: honest S; the step to False is sound, only `h` fails.
  Verdicts honest = ctor_num_fields(1);
  EXPECT_OK(honest, "S");
  EXPECT_OK(honest, "fromH");
  EXPECT_REJECTED(honest, "h");
  EXPECT_REJECTED(honest, "bad");
}
