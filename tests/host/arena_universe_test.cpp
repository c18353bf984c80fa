// The Lean Kernel Arena's tests on universe levels (imax normalisation), rebuilt term by term
// with builder.hpp (helpers in arena_support.hpp): each case states the Arena test it mirrors
// (leanprover/lean-kernel-arena, tests/), the expected outcome, and why a checker could get it
// wrong.
//
// Level comparison with imax: imax u v + 1 is not imax u v, a field's universe is compared
// after normalisation, and imax u (v+1) = max u (v+1) (imax-right-successor, a corner case
// with the outcome `either`, arena_support.hpp).
#include "arena_support.hpp"

using namespace lbtest;

// =======================================================================================
// tests/bugs/level-imax-leq (reject; rebuilt from its description)

// down.{u,v} : Sort (imax u v + 1) → Sort (imax u v) := fun x => x needs
// imax u v + 1 = imax u v, false at u = v = 0 (1 ≠ 0). With it, Bool : Type would be a
// proposition `down.{0,0} Bool`, whose two elements proof irrelevance identifies.
TEST_CASE("Arena bugs/level-imax-leq: imax u v + 1 is not imax u v", "[kernel][arena]") {
  Builder b(kPrelude);
  Pre p{b};
  Level u = b.param("u"), v = b.param("v");
  Level i = b.limax(u, v);
  Expr big = b.sort(b.lsucc(i));
  b.def("down", b.arrow(big, b.sort(i)), b.Lam("x", big, [](Expr x) { return x; }), Safety::Safe, {"u", "v"},
        {HintKind::Abbrev, 0});
  // Control: the identity at the right universe.
  b.def("same", b.arrow(big, big), b.Lam("x", big, [](Expr x) { return x; }), Safety::Safe, {"u", "v"},
        {HintKind::Abbrev, 0});
  // (fun (a c : down Bool) (h : decode a) => (fun (y : decode c) => y) h) true false trivial : decode false
  Level z = b.lvl(0);
  Expr DB = b.app(b.c("down", {z, z}), {p.Bool()});
  auto decode = [&](Expr x) { return b.app(p.decode(p.False(), p.True()), {x}); };
  Expr f = b.Lam("a", DB, [&](Expr a) {
    return b.Lam("c", DB, [&](Expr c) {
      return b.Lam("h", decode(a), [&](Expr h) { return b.app(b.Lam("y", decode(c), [](Expr y) { return y; }), {h}); });
    });
  });
  b.thm("proof_of_false", p.False(), b.app(f, {p.tt(), p.ff(), p.trivial()}));
  Verdicts r = check_decls(b, {"same", "down", "proof_of_false"});
  EXPECT_OK(r, "same");
  EXPECT_REJECTED(r, "down");
  CHECK(r.kind("down") == "def_type_mismatch");
  EXPECT_REJECTED(r, "proof_of_false");
}

// =======================================================================================
// tests/field-too-high-imax (reject)

// `Foo : Type` with a field `a : Sort (imax 1 1)`: imax 1 1 = 1, so the field's type lives in
// Sort 2, above Foo's Sort 1. (The Arena export ships a placeholder recursor; here it is the
// recursor Lean would derive, so that the field's universe is the only defect.)
TEST_CASE("Arena field-too-high-imax: a field's universe is compared after imax normalisation", "[kernel][arena]") {
  auto foo = [](unsigned sort) {
    Builder b(kEmpty);
    IndSpec s;
    s.name = "Foo";
    s.sort = b.lvl(sort);
    s.ctors = {{"Foo.mk", {field("a", b.sort(b.limax(b.lvl(1), b.lvl(1))))}}};
    s.motive = b.param("u");
    s.rec_lps = {"u"};
    b.raw(DeclKind::Inductive, inductive(b, s));
    return check_decls(b, {"Foo"});
  };
  Verdicts r = foo(1);
  EXPECT_REJECTED(r, "Foo");
  CHECK(r.kind("Foo") == "invalid_inductive");
  CHECK(r.msg("Foo").find("too big") != std::string::npos);
  // Control: the same field in `Foo : Type 1`.
  Verdicts ok = foo(2);
  EXPECT_OK(ok, "Foo");
}

// =======================================================================================
// corner-cases/imax-right-successor.lean: `imax u (v+1) = max u (v+1)` since the right
// operand is never zero. Two definitions state it through a sort's type, with raw
// (unnormalised) levels; Lean's kernel does not normalise them that way and rejects, a
// checker may also accept (outcome either; the yaml is missing from our index of the
// Arena, the outcome is the one the Arena's review threads quote).
TEST_CASE("Arena imax-right-successor: Sort (imax u (v+1)) has type Sort (max u (v+1) + 1) (either)",
          "[kernel][arena]") {
  Builder b(kEmpty);
  Level u = b.param("u"), v = b.param("v");
  // imaxRightOne.{u} : Sort (succ (max u 1)) := Sort (imax u 1)
  b.def("imaxRightOne", b.sort(b.lsucc(b.lmax(u, b.lvl(1)))), b.sort(b.limax(u, b.lvl(1))), Safety::Safe, {"u"},
        {HintKind::Opaque, 0});
  // imaxRightSucc.{u v} : Sort (succ (max u (succ v))) := Sort (imax u (succ v))
  b.def("imaxRightSucc", b.sort(b.lsucc(b.lmax(u, b.lsucc(v)))), b.sort(b.limax(u, b.lsucc(v))), Safety::Safe,
        {"u", "v"}, {HintKind::Opaque, 0});
  // Control: the same statement with the levels already equal.
  b.def("maxRightSucc", b.sort(b.lsucc(b.lmax(u, b.lsucc(v)))), b.sort(b.lmax(u, b.lsucc(v))), Safety::Safe,
        {"u", "v"}, {HintKind::Opaque, 0});
  Verdicts r = check_decls(b, {"imaxRightOne", "imaxRightSucc", "maxRightSucc"}, kCornerBudget);
  EXPECT_OK(r, "maxRightSucc");
  expect_either(r, "imaxRightOne", {"def_type_mismatch"}, Lean::Rejects);
  expect_either(r, "imaxRightSucc", {"def_type_mismatch"}, Lean::Rejects);
  // Both have the same justification: a checker should answer them alike.
  CHECK(r.status("imaxRightOne") == r.status("imaxRightSucc"));
}
