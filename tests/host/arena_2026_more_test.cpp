// More of the Lean Kernel Arena's tests (leanprover/lean-kernel-arena, tests/), rebuilt term
// by term with builder.hpp: the ones the first round (arena_*_test.cpp) did not try. The
// Arena ships orphan-ctor, extra-rec and the two nanoda-* tests as exports only; they are
// rebuilt from their descriptions. Each case has a control declaration that must be accepted,
// so that it cannot pass for a wrong reason.
#include "arena_support.hpp"

using namespace lbtest;

namespace {
// `False` as the prelude has it (no constructor, large elimination).
std::vector<ConstantInfo> false_block(Builder& b) {
  IndSpec s;
  s.name = "False";
  s.sort = b.lvl(0);
  s.motive = b.param("u");
  s.rec_lps = {"u"};
  return inductive(b, s);
}
}  // namespace

// =======================================================================================
// tests/orphan-ctor, tests/other/orphan-ctor (reject)

namespace {
// False's block with a constructor `rogue : False` smuggled in, whose `induct` names
// `Orphan`, a type the export does not declare; `inconsistent : False := rogue`.
Verdicts orphan_ctor(bool with_rogue, const std::string& induct) {
  Builder b(kEmpty);
  std::vector<ConstantInfo> block = false_block(b);
  if (with_rogue) block.insert(block.begin() + 1, mk_ctor(b, "rogue", induct, b.c("False"), 0, 0, 0));
  b.raw(DeclKind::Inductive, block);
  b.thm("inconsistent", b.c("False"), b.c("rogue"));
  // A proof that does not need the rogue constructor: False → False.
  b.thm("control", b.arrow(b.c("False"), b.c("False")), b.Lam("h", b.c("False"), [](Expr h) { return h; }));
  return check_decls(b, {"False", "inconsistent", "control"});
}
}  // namespace

TEST_CASE("Arena orphan-ctor: a constructor no inductive type claims is rejected", "[kernel][arena]") {
  for (const char* induct : {"Orphan", "False"}) {
    INFO("rogue.induct = " << induct);
    Verdicts r = orphan_ctor(true, induct);
    EXPECT_REJECTED(r, "False");
    CHECK(r.kind("False") == "invalid_inductive");
    EXPECT_REJECTED(r, "inconsistent");
  }
  // Control: the honest block; `inconsistent` then names an unknown constant.
  Verdicts honest = orphan_ctor(false, "");
  EXPECT_OK(honest, "False");
  EXPECT_OK(honest, "control");
  EXPECT_REJECTED(honest, "inconsistent");
}

// =======================================================================================
// tests/extra-rec, tests/other/extra-rec (reject)

// False's block with a second recursor `rogue : False` (no motive, minor or rule) claiming
// False as its type: only the recursors derived from the types may exist.
TEST_CASE("Arena extra-rec: an extra recursor in an inductive block is rejected", "[kernel][arena]") {
  auto run = [](bool with_rogue) {
    Builder b(kEmpty);
    std::vector<ConstantInfo> block = false_block(b);
    if (with_rogue) block.push_back(mk_rec(b, "rogue", "False", b.c("False"), 0, 0, 0, {}, {}));
    b.raw(DeclKind::Inductive, block);
    b.thm("inconsistent", b.c("False"), b.c("rogue"));
    b.thm("control", b.arrow(b.c("False"), b.c("False")), b.Lam("h", b.c("False"), [](Expr h) { return h; }));
    return check_decls(b, {"False", "inconsistent", "control"});
  };
  Verdicts r = run(true);
  EXPECT_REJECTED(r, "False");
  CHECK(r.kind("False") == "invalid_recursor");
  EXPECT_REJECTED(r, "inconsistent");
  Verdicts honest = run(false);
  EXPECT_OK(honest, "False");
  EXPECT_OK(honest, "control");
  EXPECT_REJECTED(honest, "inconsistent");
}

// =======================================================================================
// tests/nanoda-leq-core (reject)

// `down.{u,v} : Sort (succ (imax u v)) → Sort (imax u v) := fun x => x` needs
// `imax u v + 1 ≤ imax u v` (nanoda forgot `diff ≥ 0` in its imax case). Levels are built
// raw, so that normalisation, not the builder, decides.
TEST_CASE("Arena nanoda-leq-core: imax u v + 1 is not imax u v", "[kernel][arena]") {
  Builder b(kEmpty);
  Level u = b.param("u"), v = b.param("v");
  Level im = b.limax(u, v);
  Expr big = b.sort(b.lsucc(im)), small = b.sort(im);
  b.def("down", b.arrow(big, small), b.Lam("x", big, [](Expr x) { return x; }), Safety::Safe, {"u", "v"});
  b.def("keep", b.arrow(big, big), b.Lam("x", big, [](Expr x) { return x; }), Safety::Safe, {"u", "v"});
  // `max (imax u v + 1) (u + 1)` is another level (u = 1, v = 0: 2, not 1).
  Expr other = b.sort(b.lmax(b.lsucc(im), b.lsucc(u)));
  b.def("notSame", b.arrow(big, other), b.Lam("x", big, [](Expr x) { return x; }), Safety::Safe, {"u", "v"});
  // `imax u v + 1` and `max 1 (imax u v + 1)` are the same level.
  Expr same = b.sort(b.lmax(b.lvl(1), b.lsucc(im)));
  b.def("same", b.arrow(big, same), b.Lam("x", big, [](Expr x) { return x; }), Safety::Safe, {"u", "v"});
  Verdicts r = check_decls(b, {"down", "keep", "notSame", "same"});
  EXPECT_OK(r, "keep");
  EXPECT_OK(r, "same");
  EXPECT_REJECTED(r, "down");
  CHECK(r.kind("down") == "def_type_mismatch");
  EXPECT_REJECTED(r, "notSame");
}

// =======================================================================================
// tests/nanoda-nat-rec-rules (reject)

// Nat with a `Nat.rec` whose succ rule returns the zero case (nanoda compared the exported
// rules with themselves). With literals evaluated natively and symbolic terms by the wrong
// rule, `Nat.rec true (fun _ _ => false) 1` would be `false` while `… (n+1)` is `true` for
// every n. The block must be rejected; with Lean's Nat the literal equation holds and the
// symbolic one does not.
TEST_CASE("Arena nanoda-nat-rec-rules: a wrong Nat.rec rule is not trusted next to literals", "[kernel][arena]") {
  auto run = [](bool lie) {
    Builder b(kPrelude);
    Pre p{b};
    std::vector<ConstantInfo> block = b.decl_of("Nat");
    if (lie) {
      TermStore& st = b.st();
      RecursorRule& r = b.in(block, "Nat.rec").rules.at(1);
      REQUIRE(r.ctor == b.n("Nat.succ"));
      std::vector<Expr> doms;
      std::vector<Name> names;
      for (Expr e = r.rhs; st.is_lambda(e); e = st.binding_body(e)) {
        doms.push_back(st.binding_domain(e));
        names.push_back(st.binding_name(e));
      }
      REQUIRE(doms.size() == 4);  // motive, zero, succ, n
      Expr body = b.bv(2);
      for (size_t i = doms.size(); i-- > 0;) body = st.mk_lambda(names[i], BinderInfo::Default, doms[i], body);
      r.rhs = body;
    }
    b.replace("Nat", block);
    Expr N = p.Nat(), B = p.Bool();
    auto rec = [&](Expr n) {
      return b.app(b.c("Nat.rec", {b.lvl(1)}), {b.lam("_", N, B), p.tt(), b.lam("m", N, b.lam("ih", B, p.ff())), n});
    };
    b.thm("literal", b.eq(B, rec(b.nat(1)), p.ff()), b.refl(B, p.ff()));
    b.thm("symbolic", b.Pi("n", N, [&](Expr n) { return b.eq(B, rec(b.app(b.c("Nat.succ"), {n})), p.tt()); }),
          b.Lam("n", N, [&](Expr) { return b.refl(B, p.tt()); }));
    return check_decls(b, {"Nat", "literal", "symbolic"});
  };
  Verdicts lie = run(true);
  EXPECT_REJECTED(lie, "Nat");
  CHECK(lie.kind("Nat") == "invalid_recursor");
  EXPECT_REJECTED(lie, "symbolic");
  Verdicts honest = run(false);
  EXPECT_OK(honest, "Nat");
  EXPECT_OK(honest, "literal");
  EXPECT_REJECTED(honest, "symbolic");
}
