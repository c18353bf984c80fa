// The Lean Kernel Arena's tutorial cases (leanprover/lean-kernel-arena, tutorial/Tutorial.lean,
// one export per declaration) that corpora/tutorial/ does not hold: the copy there has 84 of
// them. Rebuilt term by term with builder.hpp; each bad case has an honest twin that must be
// accepted. The Arena's `dummyRecInfo` (a placeholder recursor for blocks that never get as
// far as their recursor) is replaced by the recursor Lean would derive, so that the rule the
// case targets is what rejects it.
#include "arena_support.hpp"

using namespace lbtest;

namespace {
const char* kId = "tutorial/good/008_forallSortWhnf.ndjson";        // id
const char* kConstType = "tutorial/good/005_constType.ndjson";      // constType : Type → Type → Type
const char* kAnd = "tutorial/good/074_And.right.ndjson";            // And
const char* kPropStruct = "tutorial/good/080_projProp1.ndjson";     // PropStructure, PUnit, Eq
const char* kProjIndex = "tutorial/good/086_projDataIndexRec.ndjson";  // N, True, ProjDataIndex
const char* kRfl = "tutorial/good/095_proofIrrelevance.ndjson";     // Eq, rfl
const char* kFunEta = "tutorial/good/100_funEta.ndjson";            // Eq, rfl
const char* kNat = "tutorial/good/094_natLitEq.ndjson";             // Nat, Eq
const char* kBoolProd = "tutorial/good/089_projRed.ndjson";         // Bool, Prod, Eq, rfl

Expr forall_sort_value(Builder& b, bool bad) {
  // ∀ (a : id.{2} Type Prop) (x : a), a — and the bad one: ∀ (a : …) (x : a) (y : x), x.
  Expr dom = b.app(b.c("id", {b.lvl(2)}), {b.type(), b.prop()});
  return bad ? b.arrow(dom, b.arrow(b.bv(0), b.arrow(b.bv(0), b.bv(1)))) : b.arrow(dom, b.arrow(b.bv(0), b.bv(1)));
}
}  // namespace

TEST_CASE("Arena tutorial forallSortBad: a binder domain must be a sort", "[kernel][arena][tutorial]") {
  Builder b(kId);
  b.def("forallSortBad", b.prop(), forall_sort_value(b, true), Safety::Safe, {}, {HintKind::Opaque, 0});
  b.def("forallSortOk", b.prop(), forall_sort_value(b, false), Safety::Safe, {}, {HintKind::Opaque, 0});
  Verdicts r = check_decls(b, {"forallSortBad", "forallSortOk"});
  EXPECT_OK(r, "forallSortOk");
  EXPECT_REJECTED(r, "forallSortBad");
  CHECK(r.kind("forallSortBad") == "type_expected");
}

TEST_CASE("Arena tutorial inductBadNonSort, inductTooFewParams: an inductive's type", "[kernel][arena][tutorial]") {
  Builder b(kConstType);
  // inductBadNonSort : constType (a function, not a sort); no constructors.
  b.raw(DeclKind::Inductive, {mk_ind(b, "inductBadNonSort", b.c("constType"), 0, {})});
  // inductTooFewParams : Prop → Prop with two parameters.
  b.raw(DeclKind::Inductive, {mk_ind(b, "inductTooFewParams", b.arrow(b.prop(), b.prop()), 2, {})});
  // Control: an empty type in Type with its recursor.
  b.raw(DeclKind::Inductive, inductive(b, simple("emptyOk", b.lvl(1), {}, b)));
  Verdicts r = check_decls(b, {"inductBadNonSort", "inductTooFewParams", "emptyOk"});
  EXPECT_OK(r, "emptyOk");
  EXPECT_REJECTED(r, "inductBadNonSort");
  EXPECT_REJECTED(r, "inductTooFewParams");
  CHECK(r.kind("inductBadNonSort") == "type_expected");
  CHECK(r.kind("inductTooFewParams") == "invalid_inductive");
}

TEST_CASE("Arena tutorial inductWrongCtorResLevel: a constructor returns the type at its own levels",
          "[kernel][arena][tutorial]") {
  auto run = [](bool swap) {
    Builder b(kEmpty);
    IndSpec s;
    s.name = "I";
    s.lps = {"u1", "u2"};
    s.params = {{"x", b.prop()}, {"y", b.prop()}};
    s.sort = b.lvl(1);
    s.ctors = {{"I.mk", {}}};
    s.motive = b.param("u");
    s.rec_lps = {"u", "u1", "u2"};
    std::vector<ConstantInfo> block = inductive(b, s);
    if (swap) {
      Expr I = b.c("I", {b.param("u2"), b.param("u1")});
      b.in(block, "I.mk").type = b.Pi("x", b.prop(), [&](Expr x) {
        return b.Pi("y", b.prop(), [&](Expr y) { return b.app(I, {x, y}); });
      });
    }
    b.raw(DeclKind::Inductive, block);
    return check_decls(b, {"I"});
  };
  Verdicts bad = run(true);
  EXPECT_REJECTED(bad, "I");
  CHECK(bad.kind("I") == "invalid_inductive");
  Verdicts ok = run(false);
  EXPECT_OK(ok, "I");
}

TEST_CASE("Arena tutorial typeWithTooHighTypeField: a field above the type's universe", "[kernel][arena][tutorial]") {
  auto run = [](unsigned sort) {
    Builder b(kEmpty);
    b.raw(DeclKind::Inductive, inductive(b, simple("T", b.lvl(sort), {{"T.mk", {field("α", b.type())}}}, b)));
    return check_decls(b, {"T"});
  };
  Verdicts bad = run(1);  // T : Type, mk : Type → T
  EXPECT_REJECTED(bad, "T");
  CHECK(bad.kind("T") == "invalid_inductive");
  EXPECT_OK(run(2), "T");  // T : Type 1 (the tutorial's typeWithTypeField)
}

TEST_CASE("Arena tutorial BogusRecursor: a recursor claimed to be a proof of False", "[kernel][arena][tutorial]") {
  auto run = [](bool bogus) {
    Builder b(kEmpty);
    IndSpec f;
    f.name = "False";
    f.sort = b.lvl(0);
    f.motive = b.param("u");
    f.rec_lps = {"u"};
    b.raw(DeclKind::Inductive, inductive(b, f));
    std::vector<ConstantInfo> block = inductive(b, simple("BogusRecursor", b.lvl(1), {{"BogusRecursor.mk", {}}}, b));
    if (bogus) block.back() = mk_rec(b, "BogusRecursor.rec", "BogusRecursor", b.c("False"), 0, 0, 0, {}, {});
    b.raw(DeclKind::Inductive, block);
    b.thm("bogusRecursorFalse", b.c("False"), b.c("BogusRecursor.rec"));
    return check_decls(b, {"False", "BogusRecursor", "bogusRecursorFalse"});
  };
  Verdicts bad = run(true);
  EXPECT_OK(bad, "False");
  EXPECT_REJECTED(bad, "BogusRecursor");
  CHECK(bad.kind("BogusRecursor") == "invalid_recursor");
  EXPECT_REJECTED(bad, "bogusRecursorFalse");
  Verdicts honest = run(false);
  EXPECT_OK(honest, "BogusRecursor");
  EXPECT_REJECTED(honest, "bogusRecursorFalse");  // the real recursor is no proof of False
}

TEST_CASE("Arena tutorial projOutOfRange: a projection index past the fields", "[kernel][arena][tutorial]") {
  Builder b(kAnd);
  auto def = [&](const char* name, uint32_t idx) {
    Expr ty = b.Pi("x", b.prop(), [&](Expr x) {
      return b.Pi("y", b.prop(), [&](Expr y) { return b.arrow(b.app(b.c("And"), {x, y}), x); });
    });
    Expr val = b.Lam("x", b.prop(), [&](Expr x) {
      return b.Lam("y", b.prop(), [&](Expr y) { return b.Lam("z", b.app(b.c("And"), {x, y}), [&](Expr z) { return b.proj("And", idx, z); }); });
    });
    b.def(name, ty, val, Safety::Safe, {}, {HintKind::Opaque, 0});
  };
  def("projOutOfRange", 2);
  def("projLeft", 0);
  Verdicts r = check_decls(b, {"projOutOfRange", "projLeft"});
  EXPECT_OK(r, "projLeft");
  EXPECT_REJECTED(r, "projOutOfRange");
  CHECK(r.kind("projOutOfRange") == "invalid_proj");
}

TEST_CASE("Arena tutorial projProp2, projProp5: data, and proofs about data, out of a Prop", "[kernel][arena][tutorial]") {
  Builder b(kPropStruct);
  Expr S = b.c("PropStructure", {b.lvl(0), b.lvl(1)});
  auto def = [&](const char* name, Expr res, uint32_t idx) {
    b.def(name, b.arrow(S, res), b.Lam("x", S, [&](Expr x) { return b.proj("PropStructure", idx, x); }), Safety::Safe, {},
          {HintKind::Opaque, 0});
  };
  Expr PU1 = b.c("PUnit", {b.lvl(1)});
  def("projProp1'", b.c("PUnit", {b.lvl(0)}), 0);
  def("projProp3'", b.c("PUnit", {b.lvl(0)}), 2);
  def("projProp2", PU1, 1);
  // aProofAboutData : someMoreData = someMoreData, a proof after a data field.
  b.def("projProp5", b.Pi("x", S, [&](Expr x) { Expr d = b.proj("PropStructure", 3, x); return b.app(b.c("Eq", {b.lvl(1)}), {PU1, d, d}); }),
        b.Lam("x", S, [&](Expr x) { return b.proj("PropStructure", 4, x); }), Safety::Safe, {}, {HintKind::Opaque, 0});
  Verdicts r = check_decls(b, {"projProp1'", "projProp3'", "projProp2", "projProp5"});
  EXPECT_OK(r, "projProp1'");
  EXPECT_OK(r, "projProp3'");
  EXPECT_REJECTED(r, "projProp2");
  EXPECT_REJECTED(r, "projProp5");
  CHECK(r.kind("projProp2") == "invalid_proj");
  CHECK(r.kind("projProp5") == "invalid_proj");
}

// Lean makes the index `n` of `ProjDataIndex : N → Prop | mk (n : N) (p : True) :
// ProjDataIndex n` a parameter, so the only field is the proof `p`. The tutorial's case
// names another structure in its projection.
TEST_CASE("Arena tutorial projIndexData: a projection names the structure of its term", "[kernel][arena][tutorial]") {
  Builder b(kProjIndex);
  Expr N = b.c("N");
  auto def = [&](const char* name, const char* strct, Expr res, uint32_t idx) {
    b.def(name, b.Pi("x", N, [&](Expr x) { return b.arrow(b.app(b.c("ProjDataIndex"), {x}), res); }),
          b.Lam("x", N, [&](Expr x) {
            return b.Lam("h", b.app(b.c("ProjDataIndex"), {x}), [&](Expr h) { return b.proj(strct, idx, h); });
          }),
          Safety::Safe, {}, {HintKind::Opaque, 0});
  };
  def("projIndexData", "PropStructure", N, 0);  // as the tutorial writes it
  def("projIndexProof", "ProjDataIndex", b.c("True"), 0);
  def("projIndexPast", "ProjDataIndex", b.c("True"), 1);
  Verdicts r = check_decls(b, {"projIndexData", "projIndexProof", "projIndexPast"});
  EXPECT_OK(r, "projIndexProof");
  EXPECT_REJECTED(r, "projIndexData");
  EXPECT_REJECTED(r, "projIndexPast");
  CHECK(r.kind("projIndexData") == "invalid_proj");
  CHECK(r.kind("projIndexPast") == "invalid_proj");
}

TEST_CASE("Arena tutorial proofIrrelevanceBad and proofIrrelevanceWhnf", "[kernel][arena][tutorial]") {
  Builder b(kRfl);
  b.also(kId);
  auto stmt = [&](bool lambda, Expr sort, unsigned u) {
    return b.bnd(lambda, "p", sort, [&](Expr p) {
      return b.bnd(lambda, "h1", p, [&](Expr h1) {
        return b.bnd(lambda, "h2", p, [&](Expr h2) {
          return lambda ? b.app(b.c("rfl", {b.lvl(u)}), {p, h1}) : b.app(b.c("Eq", {b.lvl(u)}), {p, h1, h2});
        });
      });
    });
  };
  b.def("proofIrrelevanceBad", stmt(false, b.type(), 1), stmt(true, b.type(), 1));
  b.def("proofIrrelevance'", stmt(false, b.prop(), 0), stmt(true, b.prop(), 0));
  Expr idProp = b.app(b.c("id", {b.lvl(2)}), {b.type(), b.prop()});
  b.def("proofIrrelevanceWhnf", stmt(false, idProp, 0), stmt(true, idProp, 0));
  Verdicts r = check_decls(b, {"proofIrrelevanceBad", "proofIrrelevance'", "proofIrrelevanceWhnf"});
  EXPECT_OK(r, "proofIrrelevance'");
  EXPECT_OK(r, "proofIrrelevanceWhnf");
  EXPECT_REJECTED(r, "proofIrrelevanceBad");
  CHECK(r.kind("proofIrrelevanceBad") == "def_type_mismatch");
}

TEST_CASE("Arena tutorial funEtaBad: eta does not identify different bodies", "[kernel][arena][tutorial]") {
  Builder b(kFunEta);
  auto thm = [&](const char* name, bool compose) {
    auto tele = [&](bool lambda) {
      return b.bnd(lambda, "α", b.type(), [&](Expr a) {
        return b.bnd(lambda, "β", b.type(), [&](Expr be) {
          return b.bnd(lambda, "g", b.arrow(a, a), [&](Expr g) {
            return b.bnd(lambda, "f", b.arrow(a, be), [&](Expr f) {
              Expr ab = b.arrow(a, be);
              if (lambda) return b.app(b.c("Eq.refl", {b.lvl(1)}), {ab, f});
              Expr lhs = b.Lam("x", a, [&](Expr x) { return b.app(f, {compose ? b.app(g, {x}) : x}); });
              return b.app(b.c("Eq", {b.lvl(1)}), {ab, lhs, f});
            });
          });
        });
      });
    };
    b.thm(name, tele(false), tele(true));
  };
  thm("funEtaBad", true);
  thm("funEta'", false);
  Verdicts r = check_decls(b, {"funEtaBad", "funEta'"});
  EXPECT_OK(r, "funEta'");
  EXPECT_REJECTED(r, "funEtaBad");
}

TEST_CASE("Arena tutorial reflOccLeft: a recursive occurrence left of an arrow", "[kernel][arena][tutorial]") {
  auto run = [](bool negative) {
    Builder b(kNat);
    Expr N = b.c("Nat"), I = b.c("reflOccLeft");
    Expr f = negative ? b.arrow(N, b.arrow(I, N)) : b.arrow(N, N);
    b.raw(DeclKind::Inductive, inductive(b, simple("reflOccLeft", b.lvl(1), {{"reflOccLeft.mk", {field("f", f)}}}, b)));
    return check_decls(b, {"reflOccLeft"});
  };
  Verdicts bad = run(true);
  EXPECT_REJECTED(bad, "reflOccLeft");
  CHECK(bad.kind("reflOccLeft") == "invalid_inductive");
  EXPECT_OK(run(false), "reflOccLeft");
}

// ---------------------------------------------------------------------------------------
// Name collisions (dup_defs, dup_rec_def, misnamed_rec, DupConCon)

namespace {
size_t count_status(const std::vector<DeclVerdict>& vs, VerdictStatus s) {
  return static_cast<size_t>(std::count_if(vs.begin(), vs.end(), [&](const DeclVerdict& v) { return v.status == s; }));
}
}  // namespace

TEST_CASE("Arena tutorial dup_defs: two definitions with one name", "[kernel][arena][tutorial]") {
  Builder b(kEmpty);
  b.def("dup_defs", b.type(), b.prop());
  b.def("dup_defs", b.type(), b.arrow(b.prop(), b.prop()));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(count_status(vs, VerdictStatus::Rejected) == 1);
  CHECK(first_failure_kind(vs) == "already_declared");
}

TEST_CASE("Arena tutorial dup_rec_def, misnamed_rec, DupConCon: names of an inductive block", "[kernel][arena][tutorial]") {
  SECTION("a definition already holds the recursor's name (dup_rec_def)") {
    auto run = [](bool clash) {
      Builder b(kEmpty);
      b.def(clash ? "dup_rec_def.rec" : "dupDef", b.type(), b.prop());
      b.raw(DeclKind::Inductive, inductive(b, simple("dup_rec_def", b.lvl(1), {{"dup_rec_def.mk", {}}}, b)));
      return check_decls(b, {"dup_rec_def"});
    };
    Verdicts bad = run(true);
    EXPECT_REJECTED(bad, "dup_rec_def");
    CHECK(bad.kind("dup_rec_def") == "already_declared");
    EXPECT_OK(run(false), "dup_rec_def");
  }
  SECTION("the recursor under another name (misnamed_rec)") {
    Builder b(kEmpty);
    std::vector<ConstantInfo> block = inductive(b, simple("misnamed_rec", b.lvl(1), {{"misnamed_rec.mk", {}}}, b));
    block.back().name = b.n("misnamed_rec.not_rec");
    b.raw(DeclKind::Inductive, block);
    // misnamed_rec_user := @misnamed_rec.not_rec
    b.def("misnamed_rec_user", block.back().type, b.c("misnamed_rec.not_rec", {b.param("u")}), Safety::Safe, {"u"});
    b.raw(DeclKind::Inductive, inductive(b, simple("wellnamed", b.lvl(1), {{"wellnamed.mk", {}}}, b)));
    Verdicts r = check_decls(b, {"misnamed_rec", "misnamed_rec_user", "wellnamed"});
    EXPECT_REJECTED(r, "misnamed_rec");
    CHECK(r.kind("misnamed_rec") == "invalid_recursor");
    EXPECT_REJECTED(r, "misnamed_rec_user");
    EXPECT_OK(r, "wellnamed");
  }
  SECTION("two constructors with one name (DupConCon)") {
    Builder b(kEmpty);
    std::vector<ConstantInfo> block =
        inductive(b, simple("DupConCon", b.lvl(1), {{"DupConCon.mk", {}}, {"DupConCon.mk2", {}}}, b));
    std::vector<ConstantInfo> dup = block;
    for (ConstantInfo& c : dup) {
      if (c.name == b.n("DupConCon.mk2")) c.name = b.n("DupConCon.mk");
      for (Name& x : c.ctors)
        if (x == b.n("DupConCon.mk2")) x = b.n("DupConCon.mk");
      for (RecursorRule& rr : c.rules)
        if (rr.ctor == b.n("DupConCon.mk2")) rr.ctor = b.n("DupConCon.mk");
    }
    b.raw(DeclKind::Inductive, dup);
    b.raw(DeclKind::Inductive, b.renamed(block, "DupConCon", "TwoCons"));
    Verdicts r = check_decls(b, {"DupConCon", "TwoCons"});
    EXPECT_REJECTED(r, "DupConCon");
    CHECK(r.kind("DupConCon") == "already_declared");
    EXPECT_OK(r, "TwoCons");
  }
}

// ---------------------------------------------------------------------------------------
// Good cases added to the tutorial after corpora/tutorial/ was copied.

TEST_CASE("Arena tutorial levelMaxComm/Assoc/Idem/Absorb, levelComp1/5: level equalities", "[kernel][arena][tutorial]") {
  Builder b(kEmpty);
  Level u = b.param("u"), v = b.param("v"), w = b.param("w");
  auto def = [&](const char* name, Level type_lvl, Level value_lvl, std::vector<std::string> lps) {
    b.def(name, b.sort(type_lvl), b.sort(value_lvl), Safety::Safe, std::move(lps), {HintKind::Opaque, 0});
  };
  def("levelMaxComm", b.lsucc(b.lmax(v, u)), b.lmax(u, v), {"u", "v"});
  def("levelMaxAssoc", b.lsucc(b.lmax(u, b.lmax(v, w))), b.lmax(b.lmax(u, v), w), {"u", "v", "w"});
  def("levelMaxIdem", b.lsucc(u), b.lmax(u, u), {"u"});
  def("levelMaxAbsorb", b.lsucc(b.lmax(u, v)), b.lmax(u, b.lmax(u, v)), {"u", "v"});
  def("levelComp1", b.lvl(1), b.limax(b.lvl(1), b.lvl(0)), {});
  def("levelComp5", b.lsucc(u), b.limax(u, u), {"u"});
  // Controls that must fail: max u v is not max u (v+1), imax 1 0 is not 1.
  def("levelMaxWrong", b.lsucc(b.lmax(u, v)), b.lmax(u, b.lsucc(v)), {"u", "v"});
  def("levelCompWrong", b.lvl(2), b.limax(b.lvl(1), b.lvl(0)), {});
  Verdicts r = check_decls(b, {"levelMaxComm", "levelMaxAssoc", "levelMaxIdem", "levelMaxAbsorb", "levelComp1", "levelComp5",
                               "levelMaxWrong", "levelCompWrong"});
  for (const char* ok : {"levelMaxComm", "levelMaxAssoc", "levelMaxIdem", "levelMaxAbsorb", "levelComp1", "levelComp5"})
    EXPECT_OK(r, ok);
  EXPECT_REJECTED(r, "levelMaxWrong");
  EXPECT_REJECTED(r, "levelCompWrong");
}

TEST_CASE("Arena tutorial typeSingletonRecReduction: a structure's recursor reduces on a variable",
          "[kernel][arena][tutorial]") {
  Builder b(kBoolProd);
  BoolEnv e{b};
  b.raw(DeclKind::Inductive, inductive(b, simple("NewSingleton", b.lvl(1), {{"NewSingleton.mk", {}}}, b)));
  b.raw(DeclKind::Inductive, inductive(b, simple("NewPair", b.lvl(1), {{"NewPair.a", {}}, {"NewPair.b", {}}}, b)));
  auto thm = [&](const char* name, const char* type, int minors) {
    Expr T = b.c(type);
    auto rec = [&](Expr x) {
      Expr f = b.app(b.c(std::string(type) + ".rec", {b.lvl(1)}), {b.lam("_", T, e.B())});
      for (int i = 0; i < minors; ++i) f = b.app(f, {e.tt()});
      return b.app(f, {x});
    };
    b.thm(name, b.Pi("x", T, [&](Expr x) { return e.eqB(rec(x), e.tt()); }), b.Lam("x", T, [&](Expr) { return e.reflB(e.tt()); }));
  };
  thm("typeSingletonRecReduction", "NewSingleton", 1);
  thm("twoCtorsNoEta", "NewPair", 2);  // not a structure: stuck on a variable
  Verdicts r = check_decls(b, {"NewSingleton", "NewPair", "typeSingletonRecReduction", "twoCtorsNoEta"});
  EXPECT_OK(r, "NewSingleton");
  EXPECT_OK(r, "NewPair");
  EXPECT_OK(r, "typeSingletonRecReduction");
  EXPECT_REJECTED(r, "twoCtorsNoEta");
}

TEST_CASE("Arena tutorial structEta: x = ⟨x.1, x.2⟩ both ways", "[kernel][arena][tutorial]") {
  Builder b(kBoolProd);
  BoolEnv e{b};
  Expr P = e.PBB();
  auto eta = [&](Expr x) { return e.pair(b.proj("Prod", 0, x), b.proj("Prod", 1, x)); };
  auto swapped = [&](Expr x) { return e.pair(b.proj("Prod", 1, x), b.proj("Prod", 0, x)); };
  b.thm("structEtaL", b.Pi("x", P, [&](Expr x) { return b.eq(P, x, eta(x)); }), b.Lam("x", P, [&](Expr x) { return b.refl(P, x); }));
  b.thm("structEtaR", b.Pi("x", P, [&](Expr x) { return b.eq(P, eta(x), x); }), b.Lam("x", P, [&](Expr x) { return b.refl(P, x); }));
  b.thm("structEtaSwap", b.Pi("x", P, [&](Expr x) { return b.eq(P, swapped(x), x); }),
        b.Lam("x", P, [&](Expr x) { return b.refl(P, x); }));
  Verdicts r = check_decls(b, {"structEtaL", "structEtaR", "structEtaSwap"});
  EXPECT_OK(r, "structEtaL");
  EXPECT_OK(r, "structEtaR");
  EXPECT_REJECTED(r, "structEtaSwap");
}
