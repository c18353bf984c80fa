// Probes named after Arena test ideas that the searchable copy of the Lean Kernel Arena
// (leanprover/lean-kernel-arena, tests/) does not contain: loose-bvar-value,
// inductive-undeclared-universe, closure-level-subst, pi-closure-context /
// open-term-cache-context, nat-lit-*, str-lit-utf8(-bad), nested-rec-rule-nfields,
// nested-name-capture. They are leanbatch's own cases, written from the names alone; each
// has a control that must be accepted. Expected verdicts are Lean's kernel's.
#include "arena_support.hpp"

using namespace lbtest;


// =======================================================================================
// loose-bvar-value (reject): a loose bound variable in a value, a type, a constructor, a rule.

TEST_CASE("Probe loose-bvar-value: loose bound variables anywhere in a declaration", "[kernel][arena][probe]") {
  Builder b(kEmpty);
  b.def("looseValue", b.type(), b.bv(0));
  b.def("looseLet", b.type(), b.let("x", b.type(), b.bv(2), [](Expr x) { return x; }));
  b.def("looseType", b.bv(0), b.prop());
  // lean4 #14484 / #14498: Lean's add_opaque did not check its value for free variables. An
  // export has no free variables, but a loose bound variable is the same hole: an opaque's
  // and a theorem's value are checked like a definition's.
  b.opaque("looseOpaque", b.type(), b.bv(0));
  b.thm("looseTheorem", b.prop(), b.bv(0));
  b.def("closedControl", b.type(), b.let("x", b.type(), b.prop(), [](Expr x) { return x; }));
  std::vector<ConstantInfo> ctor_block = inductive(b, simple("LooseCtor", b.lvl(1), {{"LooseCtor.mk", {}}}, b));
  b.in(ctor_block, "LooseCtor.mk").type = b.arrow(b.bv(3), b.c("LooseCtor"));
  b.raw(DeclKind::Inductive, ctor_block);
  std::vector<ConstantInfo> rule_block = inductive(b, simple("LooseRule", b.lvl(1), {{"LooseRule.mk", {}}}, b));
  ConstantInfo& rec = b.in(rule_block, "LooseRule.rec");
  REQUIRE(rec.rules.size() == 1);
  rec.rules[0].rhs = b.lam("motive", b.arrow(b.c("LooseRule"), b.sort(b.param("u"))), b.lam("mk", b.bv(0), b.bv(7)));
  b.raw(DeclKind::Inductive, rule_block);
  b.raw(DeclKind::Inductive, inductive(b, simple("Closed", b.lvl(1), {{"Closed.mk", {}}}, b)));
  Verdicts r = check_decls(b, {"looseValue", "looseLet", "looseType", "looseOpaque", "looseTheorem", "closedControl", "LooseCtor", "LooseRule", "Closed"});
  EXPECT_OK(r, "closedControl");
  EXPECT_OK(r, "Closed");
  for (const char* bad : {"looseValue", "looseLet", "looseType", "looseOpaque", "looseTheorem", "LooseCtor", "LooseRule"}) EXPECT_REJECTED(r, bad);
}

// =======================================================================================
// inductive-undeclared-universe (reject): universe parameters a declaration does not declare.

TEST_CASE("Probe inductive-undeclared-universe: universes must be declared", "[kernel][arena][probe]") {
  Builder b(kEmpty);
  // I : Sort u with no universe parameter; J.mk : Sort v → J with J.{} : Type 1.
  IndSpec i = simple("I", b.param("u"), {}, b);
  i.rec_lps = {"w"};
  i.motive = b.param("w");
  b.raw(DeclKind::Inductive, inductive(b, i));
  IndSpec j = simple("J", b.lvl(2), {{"J.mk", {field("α", b.sort(b.param("v")))}}}, b);
  b.raw(DeclKind::Inductive, inductive(b, j));
  // Controls: the same with the universe declared.
  IndSpec i2 = simple("I2", b.param("u"), {}, b);
  i2.lps = {"u"};
  i2.rec_lps = {"w", "u"};
  i2.motive = b.param("w");
  b.raw(DeclKind::Inductive, inductive(b, i2));
  b.def("undeclaredDef", b.sort(b.st().level_succ(b.param("v"))), b.sort(b.param("v")));
  b.def("declaredDef", b.sort(b.st().level_succ(b.param("v"))), b.sort(b.param("v")), Safety::Safe, {"v"});
  Verdicts r = check_decls(b, {"I", "J", "I2", "undeclaredDef", "declaredDef"});
  EXPECT_OK(r, "I2");
  EXPECT_OK(r, "declaredDef");
  for (const char* bad : {"I", "J", "undeclaredDef"}) EXPECT_REJECTED(r, bad);
}

// =======================================================================================
// closure-level-subst (reject): one definition at two universe instantiations in one term.

TEST_CASE("Probe closure-level-subst: instantiations of one constant are kept apart", "[kernel][arena][probe]") {
  Builder b(kEmpty);
  Level u = b.param("u"), v = b.param("v");
  // K.{u,v} : Sort u → Sort v → Sort u := fun α β => α
  b.def("K", b.arrow(b.sort(u), b.arrow(b.sort(v), b.sort(u))), b.lam("α", b.sort(u), b.lam("β", b.sort(v), b.bv(1))),
        Safety::Safe, {"u", "v"});
  Expr kProp = b.app(b.c("K", {b.lvl(1), b.lvl(2)}), {b.prop(), b.type()});  // ≡ Prop
  Expr kType = b.app(b.c("K", {b.lvl(2), b.lvl(1)}), {b.type(), b.prop()});  // ≡ Type
  b.def("mixBad", b.arrow(kProp, kType), b.lam("x", kProp, b.bv(0)));
  b.def("mixBad2", b.arrow(kType, kProp), b.lam("x", kType, b.bv(0)));
  b.def("mixOk", b.arrow(kProp, kProp), b.lam("x", kProp, b.bv(0)));
  b.def("mixOk2", b.arrow(kProp, b.arrow(kType, kType)), b.lam("x", kProp, b.lam("y", kType, b.bv(0))));
  b.def("atProp", kType, b.prop());
  b.def("atPropBad", kProp, b.prop());
  Verdicts r = check_decls(b, {"K", "mixBad", "mixBad2", "mixOk", "mixOk2", "atProp", "atPropBad"});
  for (const char* ok : {"K", "mixOk", "mixOk2", "atProp"}) EXPECT_OK(r, ok);
  for (const char* bad : {"mixBad", "mixBad2", "atPropBad"}) EXPECT_REJECTED(r, bad);
}

// =======================================================================================
// pi-closure-context, open-term-cache-context (reject): the subterm `∀ (x : #0), #1` is the
// same node under `(p : Prop)` and under `(α : Type)`; its sort depends on that context.

TEST_CASE("Probe pi-closure-context: an open subterm's sort depends on its binders", "[kernel][arena][probe]") {
  Builder b(kEmpty);
  Expr inner = b.arrow(b.bv(0), b.bv(1));  // ∀ (x : #0), #1
  Expr A = b.pi("p", b.prop(), inner);     // : Prop
  Expr B = b.pi("α", b.type(), inner);     // : Type 1
  b.def("ctxBad", b.prop(), b.arrow(A, B));
  b.def("ctxBad2", b.prop(), B);
  b.def("ctxOk", b.prop(), b.arrow(B, A));
  b.def("ctxOk2", b.sort(b.lvl(2)), b.arrow(A, B));
  // The same open body under a λ: `fun (p : Prop) (x : p) => x` and `fun (α : Type) (x : α) => x`.
  Expr idBody = b.lam("x", b.bv(0), b.bv(0));
  b.def("lamOk", b.arrow(b.pi("p", b.prop(), inner), b.pi("α", b.type(), inner)),
        b.lam("_", b.pi("p", b.prop(), inner), b.lam("α", b.type(), idBody)));
  b.def("lamBad", b.pi("α", b.type(), b.arrow(b.bv(0), b.prop())), b.lam("α", b.type(), idBody));
  Verdicts r = check_decls(b, {"ctxBad", "ctxBad2", "ctxOk", "ctxOk2", "lamOk", "lamBad"});
  for (const char* ok : {"ctxOk", "ctxOk2", "lamOk"}) EXPECT_OK(r, ok);
  for (const char* bad : {"ctxBad", "ctxBad2", "lamBad"}) EXPECT_REJECTED(r, bad);
}

// =======================================================================================
// nat-lit-*: Nat literals around 2^64 (where a numeral changes representation) and the
// verified operations on them.

TEST_CASE("Probe nat-lit: literals and operations across 2^64", "[kernel][arena][probe]") {
  Builder b(kPrelude);
  Pre p{b};
  Expr N = p.Nat();
  mpz_class two64 = mpz_class(1) << 64;
  Expr big = b.st().mk_nat(two64), big1 = b.st().mk_nat(mpz_class(two64 + 1)), max64 = b.nat(UINT64_MAX);
  auto op = [&](const char* f, Expr x, Expr y) { return b.app(b.c(f), {x, y}); };
  auto eqN = [&](Expr x, Expr y) { return b.eq(N, x, y); };
  auto eqB = [&](Expr x, Expr y) { return b.eq(p.Bool(), x, y); };
  struct Case {
    const char* name;
    Expr stmt, proof;
    bool ok;
  };
  std::vector<Case> cs = {
      {"succMax", eqN(b.app(b.c("Nat.succ"), {max64}), big), b.refl(N, big), true},
      {"succMaxWrong", eqN(b.app(b.c("Nat.succ"), {max64}), max64), b.refl(N, max64), false},
      {"addCarry", eqN(op("Nat.add", max64, b.nat(1)), big), b.refl(N, big), true},
      {"addCarryWrong", eqN(op("Nat.add", max64, b.nat(1)), b.nat(0)), b.refl(N, b.nat(0)), false},
      {"subBorrow", eqN(op("Nat.sub", big, b.nat(1)), max64), b.refl(N, max64), true},
      {"subFloor", eqN(op("Nat.sub", b.nat(3), big), b.nat(0)), b.refl(N, b.nat(0)), true},
      {"mulWide", eqN(op("Nat.mul", b.nat(1ull << 32), b.nat(1ull << 32)), big), b.refl(N, big), true},
      {"mulWrap", eqN(op("Nat.mul", b.nat(1ull << 32), b.nat(1ull << 32)), b.nat(0)), b.refl(N, b.nat(0)), false},
      {"powWide", eqN(op("Nat.pow", b.nat(2), b.nat(64)), big), b.refl(N, big), true},
      {"powWrap", eqN(op("Nat.pow", b.nat(2), b.nat(64)), b.nat(0)), b.refl(N, b.nat(0)), false},
      {"beqBig", eqB(op("Nat.beq", big, big1), p.ff()), b.refl(p.Bool(), p.ff()), true},
      {"beqBigWrong", eqB(op("Nat.beq", big, big1), p.tt()), b.refl(p.Bool(), p.tt()), false},
      {"bleBig", eqB(op("Nat.ble", big1, big), p.ff()), b.refl(p.Bool(), p.ff()), true},
      {"predZero", eqN(b.app(b.c("Nat.pred"), {b.nat(0)}), b.nat(0)), b.refl(N, b.nat(0)), true},
      {"zeroCtor", eqN(b.nat(0), b.c("Nat.zero")), b.refl(N, b.nat(0)), true},
      {"bigCtorWrong", eqN(big, b.app(b.c("Nat.succ"), {big})), b.refl(N, big), false},
  };
  std::vector<std::string> names;
  for (const Case& c : cs) {
    b.thm(c.name, c.stmt, c.proof);
    names.push_back(c.name);
  }
  Verdicts r = check_decls(b, names);
  for (const Case& c : cs) {
    if (c.ok)
      EXPECT_OK(r, c.name);
    else
      EXPECT_REJECTED(r, c.name);
  }
}

// =======================================================================================
// str-lit-utf8 (accept / reject): a string literal is the list of its code points, not of
// its UTF-8 bytes. A small String over `List Char` with `Char.ofNat` a constructor (so that
// different code points are different characters).

namespace {
void string_env(Builder& b) {
  b.raw(DeclKind::Inductive, b.decl_from(kPrelude, "List"));
  b.raw(DeclKind::Inductive, inductive(b, simple("Char", b.lvl(1), {{"Char.ofNat", {field("n", b.c("Nat"))}}}, b)));
  Expr listChar = b.app(b.c("List", {b.lvl(0)}), {b.c("Char")});
  b.raw(DeclKind::Inductive, inductive(b, simple("String", b.lvl(1), {{"String.mk", {field("data", listChar)}}}, b)));
}
Expr chars(Builder& b, const std::vector<uint64_t>& cps) {
  Expr C = b.c("Char");
  Expr l = b.app(b.c("List.nil", {b.lvl(0)}), {C});
  for (size_t i = cps.size(); i-- > 0;)
    l = b.app(b.c("List.cons", {b.lvl(0)}), {C, b.app(b.c("Char.ofNat"), {b.nat(cps[i])}), l});
  return l;
}
}  // namespace

TEST_CASE("Probe str-lit-utf8: a string literal expands to code points", "[kernel][arena][probe]") {
  Builder b("tutorial/good/094_natLitEq.ndjson");  // Nat, Eq
  string_env(b);
  Expr S = b.c("String");
  Expr lit = b.st().mk_str("\xc3\xa9\xe2\x88\x80\xf0\x9d\x94\xb8");  // é ∀ 𝔸 (2, 3 and 4 bytes)
  auto mk = [&](const std::vector<uint64_t>& cps) { return b.app(b.c("String.mk"), {chars(b, cps)}); };
  b.thm("codePoints", b.eq(S, lit, mk({0xe9, 0x2200, 0x1d538})), b.refl(S, lit));
  b.thm("codePointsSym", b.eq(S, mk({0xe9, 0x2200, 0x1d538}), lit), b.refl(S, lit));
  b.thm("bytes", b.eq(S, lit, mk({0xc3, 0xa9, 0xe2, 0x88, 0x80, 0xf0, 0x9d, 0x94, 0xb8})), b.refl(S, lit));
  // The projection of a literal reduces through its expansion.
  Expr listChar = b.app(b.c("List", {b.lvl(0)}), {b.c("Char")});
  b.thm("projData", b.eq(listChar, b.proj("String", 0, lit), chars(b, {0xe9, 0x2200, 0x1d538})),
        b.refl(listChar, chars(b, {0xe9, 0x2200, 0x1d538})));
  b.thm("projBytes", b.eq(listChar, b.proj("String", 0, b.st().mk_str("\xc3\xa9")), chars(b, {0xc3, 0xa9})),
        b.refl(listChar, chars(b, {0xc3, 0xa9})));
  b.thm("otherLiteral", b.eq(S, lit, b.st().mk_str("e")), b.refl(S, lit));
  // A NUL character is a character (written to the file as \u0000 and read back).
  Expr nul = b.st().mk_str(std::string_view("a\0b", 3));
  b.thm("nul", b.eq(S, nul, mk({97, 0, 98})), b.refl(S, nul));
  b.thm("nulCut", b.eq(S, nul, mk({97})), b.refl(S, nul));
  b.thm("nulCutLit", b.eq(S, nul, b.st().mk_str("a")), b.refl(S, nul));
  Verdicts r = check_decls(b, {"Char", "String", "codePoints", "codePointsSym", "bytes", "projData", "projBytes", "otherLiteral",
                               "nul", "nulCut", "nulCutLit"});
  for (const char* ok : {"Char", "String", "codePoints", "codePointsSym", "projData", "nul"}) EXPECT_OK(r, ok);
  for (const char* bad : {"bytes", "projBytes", "otherLiteral", "nulCut", "nulCutLit"}) EXPECT_REJECTED(r, bad);
}

// str-lit-utf8-bad: an export's string must be Unicode text. JSON can still spell a lone
// surrogate (`\ud800`), which no Lean string contains and which has no UTF-8 encoding.
TEST_CASE("Probe str-lit-utf8-bad: a literal that is not Unicode text is not read", "[kernel][arena][probe][reader]") {
  auto lit = [](const std::string& json_string) {
    return std::string(R"({"ie":0,"strVal":")") + json_string + "\"}\n";
  };
  CHECK(read_text(lit("caf\\u00e9 \\ud835\\udd38")).has_value());  // a proper surrogate pair: 𝔸
  CHECK_FALSE(read_text(lit("\\ud800")).has_value());
  CHECK_FALSE(read_text(lit("\\udc00x")).has_value());
  CHECK_FALSE(read_text(lit("\xff")).has_value());
  CHECK_FALSE(read_text(lit("\xed\xa0\x80")).has_value());  // a surrogate spelled in UTF-8 bytes
}

// =======================================================================================
// nested-rec-rule-nfields (reject): the field count of a rule of a nested block's recursors,
// the auxiliary one (`rec_1`, over the container) included, is derived, not trusted.

TEST_CASE("Probe nested-rec-rule-nfields: field counts of a nested block's rules", "[kernel][arena][probe]") {
  auto run = [](const char* rec, int delta) {
    Builder b("rpylean/Sexpr.ndjson");  // Sexpr | atom | ofList : List Sexpr → Sexpr
    std::vector<ConstantInfo> block = b.decl_of("Sexpr");
    if (rec) {
      ConstantInfo& r = b.in(block, rec);
      REQUIRE_FALSE(r.rules.empty());
      r.rules.back().nfields = static_cast<uint32_t>(static_cast<int>(r.rules.back().nfields) + delta);
    }
    b.replace("Sexpr", block);
    return check_decls(b, {"Sexpr"});
  };
  EXPECT_OK(run(nullptr, 0), "Sexpr");
  for (const char* rec : {"Sexpr.rec", "Sexpr.rec_1"})
    for (int delta : {1, -1}) {
      INFO(rec << " nfields " << delta);
      Verdicts r = run(rec, delta);
      EXPECT_REJECTED(r, "Sexpr");
      CHECK(r.kind("Sexpr") == "invalid_recursor");
    }
}

// nested-name-capture: the nested translation's auxiliary types get names no declaration of
// the export can hold; a definition named like one must not be captured (whether the block is
// then accepted depends on how a kernel names its auxiliary types; leanbatch's are fresh).
TEST_CASE("Probe nested-name-capture: auxiliary names do not capture the export's names", "[kernel][arena][probe]") {
  Builder b("rpylean/Sexpr.ndjson");
  std::vector<ConstantInfo> block = b.decl_of("Sexpr");
  b.drop("Sexpr");
  for (const char* taken : {"_nested.List_1", "Sexpr.List_1", "_nested.List_1.cons", "Sexpr.rec_2"})
    b.def(taken, b.type(), b.prop());
  b.raw(DeclKind::Inductive, block);
  // Still the user's definition after the block: `_nested.List_1` unfolds to Prop.
  b.def("useIt", b.c("_nested.List_1"), b.pi("p", b.prop(), b.bv(0)));
  b.def("useItBad", b.c("_nested.List_1"), b.prop());
  Verdicts r = check_decls(b, {"_nested.List_1", "Sexpr.List_1", "Sexpr", "useIt", "useItBad"});
  EXPECT_OK(r, "_nested.List_1");
  EXPECT_OK(r, "Sexpr");
  EXPECT_OK(r, "useIt");
  EXPECT_REJECTED(r, "useItBad");
}
