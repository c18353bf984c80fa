// The Lean Kernel Arena's tests on large elimination, rebuilt term by term with builder.hpp
// (helpers in arena_support.hpp): each case states the Arena test it mirrors
// (leanprover/lean-kernel-arena, tests/), the expected outcome, and why a checker could get it
// wrong.
//
// A proposition with two constructors (or one that may be a proposition: a universe
// parameter, an imax that normalises to 0) eliminates into Prop only; the elimination
// universe of an exported recursor is checked, not trusted.
#include "arena_support.hpp"

using namespace lbtest;

// =======================================================================================
// tests/bugs/large-elim-prop-bool, tests/large-elim-prop-bool (reject)

namespace {
// `inductive NewBool | tt | ff` with the recursor of a Type (motive into `Sort u`), but the
// type itself claimed to live in Sort `sort`. Then the road to False: `pick` tells tt and ff
// apart, proof irrelevance identifies them (only if NewBool is a Prop).
void new_bool_exploit(Builder& b, unsigned sort) {
  Pre p{b};
  IndSpec s = two_ctors("NewBool", "tt", "ff", b.lvl(sort), b.param("u"), {"u"});
  b.raw(DeclKind::Inductive, inductive(b, s));
  Expr NB = b.c("NewBool"), tt = b.c("NewBool.tt"), ff = b.c("NewBool.ff");
  Expr pick = b.c("pick");
  b.def("pick", b.arrow(NB, p.Bool()),
        b.app(b.c("NewBool.rec", {b.lvl(1)}), {b.lam("_", NB, p.Bool()), p.tt(), p.ff()}));
  b.thm("pick_tt", p.eq(p.Bool(), p.tt(), b.app(pick, {tt}), 1), p.refl(p.Bool(), p.tt(), 1));
  b.thm("pick_ff", p.eq(p.Bool(), b.app(pick, {ff}), p.ff(), 1), p.refl(p.Bool(), p.ff(), 1));
  b.thm("tt_eq_ff", p.eq(NB, tt, ff, sort), p.refl(NB, tt, sort));
  // true = pick tt = pick ff = false
  Expr trans = b.c("Eq.trans", {b.lvl(1)});
  Expr congr = b.app(b.c("congrArg", {b.lvl(sort), b.lvl(1)}), {NB, p.Bool(), tt, ff, pick, b.c("tt_eq_ff")});
  Expr mid = b.app(trans, {p.Bool(), b.app(pick, {tt}), b.app(pick, {ff}), p.ff(), congr, b.c("pick_ff")});
  b.thm("oh_no", p.eq(p.Bool(), p.tt(), p.ff(), 1),
        b.app(trans, {p.Bool(), p.tt(), b.app(pick, {tt}), p.ff(), b.c("pick_tt"), mid}));
  b.thm("boom", p.False(), b.app(b.c("Bool.noConfusion", {b.lvl(0)}), {p.False(), p.tt(), p.ff(), b.c("oh_no")}));
}

void check_new_bool_exploit() {
  {
    Builder b(kPrelude);
    new_bool_exploit(b, 0);
    Verdicts r = check_decls(b, {"NewBool", "boom"});
    // A Prop with two constructors eliminates into Prop only.
    EXPECT_REJECTED(r, "NewBool");
    CHECK(r.kind("NewBool") == "invalid_recursor");
    EXPECT_REJECTED(r, "boom");
  }
  {
    // Control: declared as the Type it is, the block and `pick` are fine; only the step
    // that needs proof irrelevance fails.
    Builder b(kPrelude);
    new_bool_exploit(b, 1);
    Verdicts r = check_decls(b, {"NewBool", "pick", "pick_tt", "pick_ff", "tt_eq_ff"});
    for (const char* ok : {"NewBool", "pick", "pick_tt", "pick_ff"}) EXPECT_OK(r, ok);
    EXPECT_REJECTED(r, "tt_eq_ff");
  }
}
}  // namespace

TEST_CASE("Arena bugs/large-elim-prop-bool: a two-constructor Prop has no large eliminator", "[kernel][arena]") {
  check_new_bool_exploit();
}

TEST_CASE("Arena large-elim-prop-bool: a two-constructor Prop has no large eliminator", "[kernel][arena]") {
  check_new_bool_exploit();
}

// =======================================================================================
// tests/large-elim-imax-prop (reject)

// `ImaxProp : Sort (imax 1 0)` is a Prop (imax _ 0 = 0), so with two constructors its
// recursor may only eliminate into Prop; the export's eliminates into Sort 1.
TEST_CASE("Arena large-elim-imax-prop: a Prop disguised as Sort (imax 1 0) has no large eliminator", "[kernel][arena]") {
  auto block = [](Builder& b, unsigned motive) {
    return inductive(b, two_ctors("ImaxProp", "a", "b", b.limax(b.lvl(1), b.lvl(0)), b.lvl(motive), {}));
  };
  {
    Builder b(kEmpty);
    b.raw(DeclKind::Inductive, block(b, 1));
    Verdicts r = check_decls(b, {"ImaxProp"});
    EXPECT_REJECTED(r, "ImaxProp");
    CHECK(r.kind("ImaxProp") == "invalid_recursor");
  }
  {
    // Control: the same type with the recursor into Prop.
    Builder b(kEmpty);
    b.raw(DeclKind::Inductive, block(b, 0));
    Verdicts r = check_decls(b, {"ImaxProp"});
    EXPECT_OK(r, "ImaxProp");
  }
}

// =======================================================================================
// tests/large-elim-supplied-rec (reject)

namespace {
// `PropTwo : Prop | a | b` with a recursor into Sort `motive`, and the Arena's road to False:
// discriminate a ≡ true, discriminate b ≡ false, a = b by proof irrelevance.
Verdicts prop_two(unsigned motive) {
  Builder b(kPrelude);
  Pre p{b};
  b.raw(DeclKind::Inductive, inductive(b, two_ctors("PropTwo", "a", "b", b.lvl(0), b.lvl(motive), {})));
  Expr P = b.c("PropTwo"), a = b.c("PropTwo.a"), bb = b.c("PropTwo.b");
  ReducibilityHints opaque{HintKind::Opaque, 0};
  Expr discr = b.c("discriminate");
  b.def("discriminate", b.arrow(P, p.Bool()), b.Lam("x", P, [&](Expr x) {
          return b.app(b.c("PropTwo.rec"), {b.lam("_", P, p.Bool()), p.tt(), p.ff(), x});
        }), Safety::Safe, {}, opaque);
  b.def("decode", b.arrow(p.Bool(), b.prop()), p.decode(p.False(), p.True()), Safety::Safe, {}, opaque);
  b.def("ab_eq", p.eq(P, a, bb, 0), p.refl(P, a, 0), Safety::Safe, {}, opaque);
  Expr da = b.app(discr, {a}), db = b.app(discr, {bb});
  b.def("discr_eq", p.eq(p.Bool(), da, db, 1),
        b.app(b.c("congrArg", {b.lvl(0), b.lvl(1)}), {P, p.Bool(), a, bb, discr, b.c("ab_eq")}), Safety::Safe, {}, opaque);
  Expr m = b.Lam("x", p.Bool(), [&](Expr x) { return b.lam("h", p.eq(p.Bool(), da, x, 1), b.app(b.c("decode"), {x})); });
  b.def("falseViaLargeElim", p.False(), p.eq_rec(0, 1, p.Bool(), da, m, p.trivial(), db, b.c("discr_eq")), Safety::Safe, {},
        opaque);
  return check_decls(b, {"PropTwo", "decode", "ab_eq", "discriminate", "falseViaLargeElim"});
}
}  // namespace

TEST_CASE("Arena large-elim-supplied-rec: an exported recursor's elimination universe is checked", "[kernel][arena]") {
  Verdicts r = prop_two(1);
  EXPECT_REJECTED(r, "PropTwo");
  CHECK(r.kind("PropTwo") == "invalid_recursor");
  EXPECT_OK(r, "decode");
  EXPECT_REJECTED(r, "falseViaLargeElim");
  // Control: with the recursor into Prop the type and `a = b` are fine; `discriminate`,
  // which needs the large eliminator, is not.
  Verdicts honest = prop_two(0);
  for (const char* ok : {"PropTwo", "decode", "ab_eq"}) EXPECT_OK(honest, ok);
  EXPECT_REJECTED(honest, "discriminate");
}

// =======================================================================================
// tests/bugs/large-elim-param (reject)

namespace {
// `inductive MyBool.{u} : Sort u | tt | ff` with a recursor into Sort `motive`: Sort u may
// be Prop, so with two constructors only Prop elimination is allowed.
Verdicts my_bool_param(bool large) {
  Builder b(kPrelude);
  Pre p{b};
  IndSpec s = large ? two_ctors("MyBool", "tt", "ff", b.param("u"), b.param("u_1"), {"u_1", "u"}, {"u"})
                    : two_ctors("MyBool", "tt", "ff", b.param("u"), b.lvl(0), {"u"}, {"u"});
  b.raw(DeclKind::Inductive, inductive(b, s));
  Level z = b.lvl(0);
  Expr MB = b.c("MyBool", {z}), tt = b.c("MyBool.tt", {z}), ff = b.c("MyBool.ff", {z});
  b.def("disc", b.arrow(MB, b.prop()), b.Lam("x", MB, [&](Expr x) {
          return b.app(b.c("MyBool.rec", {b.lvl(1), z}), {b.lam("_", MB, b.prop()), p.True(), p.False(), x});
        }));
  b.thm("tt_eq_ff", p.eq(MB, tt, ff, 0), p.refl(MB, tt, 0));
  Expr m = b.Lam("x", MB, [&](Expr x) { return b.lam("h", p.eq(MB, tt, x, 0), b.app(b.c("disc"), {x})); });
  b.thm("bad", p.False(), p.eq_rec(0, 0, MB, tt, m, p.trivial(), ff, b.c("tt_eq_ff")));
  return check_decls(b, {"MyBool", "tt_eq_ff", "disc", "bad"});
}
}  // namespace

TEST_CASE("Arena bugs/large-elim-param: a universe parameter may be zero", "[kernel][arena]") {
  Verdicts r = my_bool_param(true);
  EXPECT_REJECTED(r, "MyBool");
  CHECK(r.kind("MyBool") == "invalid_recursor");
  EXPECT_REJECTED(r, "bad");
  // Control: with the Prop-only recursor the type and `tt = ff` (at u = 0) are fine.
  Verdicts honest = my_bool_param(false);
  EXPECT_OK(honest, "MyBool");
  EXPECT_OK(honest, "tt_eq_ff");
  EXPECT_REJECTED(honest, "disc");
}
