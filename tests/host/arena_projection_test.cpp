// The Lean Kernel Arena's tests on projections, rebuilt term by term with builder.hpp (helpers
// in arena_support.hpp): each case states the Arena test it mirrors
// (leanprover/lean-kernel-arena, tests/), the expected outcome, and why a checker could get it
// wrong.
//
// A projection needs a structure (one constructor), a structure argument that is itself
// type-checked, and care with structures that are or may be propositions: in Sort (max u v)
// or in a bare Sort u (proj-maybe-prop*, corner cases with the outcome `either`).
#include "arena_support.hpp"

using namespace lbtest;

// =======================================================================================
// tests/bugs/proj-non-structure, tests/proj-non-structure (reject)

namespace {
// `inductive Bad : Prop | mk1 : False → Bad | mk2 : True → Bad`, and `(Bad.mk2 trivial).1 : False`
// if the projection were typed from the first constructor.
void check_proj_non_structure() {
  Builder b(kPrelude);
  Pre p{b};
  IndSpec s;
  s.name = "Bad";
  s.sort = b.lvl(0);
  s.ctors = {{"Bad.mk1", {field("a", p.False())}}, {"Bad.mk2", {field("a", p.True())}}};
  s.motive = b.lvl(0);
  b.raw(DeclKind::Inductive, inductive(b, s));
  b.thm("bad", p.False(), b.proj("Bad", 0, b.app(b.c("Bad.mk2"), {p.trivial()})));
  Verdicts r = check_decls(b, {"Bad", "bad"});
  EXPECT_OK(r, "Bad");
  EXPECT_REJECTED(r, "bad");
}
}  // namespace

TEST_CASE("Arena bugs/proj-non-structure: no projection out of a type with two constructors", "[kernel][arena]") {
  check_proj_non_structure();
}

TEST_CASE("Arena proj-non-structure: no projection out of a type with two constructors", "[kernel][arena]") {
  check_proj_non_structure();
}

// =======================================================================================
// tests/proj-of-prop (reject)

// `structure Wrapper : Prop where p : False`, and `(Wrapper.mk True.intro).1 : False`: the
// structure argument of a projection must be type-checked, not only its type inferred.
TEST_CASE("Arena proj-of-prop: the structure under a projection is type-checked", "[kernel][arena]") {
  Builder b(kPrelude);
  Pre p{b};
  IndSpec s;
  s.name = "Wrapper";
  s.sort = b.lvl(0);
  s.ctors = {{"Wrapper.mk", {field("p", p.False())}}};
  s.motive = b.param("u");  // one constructor whose field is a proof: large elimination
  s.rec_lps = {"u"};
  b.raw(DeclKind::Inductive, inductive(b, s));
  Expr W = b.c("Wrapper");
  b.thm("badFalse", p.False(), b.proj("Wrapper", 0, b.app(b.c("Wrapper.mk"), {p.trivial()})));
  // Control: the projection of a genuine Wrapper.
  b.thm("projControl", b.arrow(W, p.False()), b.Lam("w", W, [&](Expr w) { return b.proj("Wrapper", 0, w); }));
  Verdicts r = check_decls(b, {"Wrapper", "projControl", "badFalse"});
  EXPECT_OK(r, "Wrapper");
  EXPECT_OK(r, "projControl");
  EXPECT_REJECTED(r, "badFalse");
}

// =======================================================================================
// tests/proj-of-max-univ (accept)

// `MaxPair.{u,v} (α : Sort u) (β : Sort v) : Sort (max u v)` — a Prop only when u = v = 0,
// and then its fields are proofs too: projecting `fst` is valid. A kernel that calls the
// structure a proposition because it *may* be one rejects this.
TEST_CASE("Arena proj-of-max-univ: projecting out of a structure in Sort (max u v)", "[kernel][arena]") {
  Builder b(kEmpty);
  Level u = b.param("u"), v = b.param("v");
  IndSpec s;
  s.name = "MaxPair";
  s.lps = {"u", "v"};
  s.params = {{"α", b.sort(u)}, {"β", b.sort(v)}};
  s.sort = b.lmax(u, v);
  s.ctors = {{"MaxPair.mk",
              {{"fst", [](const std::vector<Expr>& ps) { return ps[0]; }}, {"snd", [](const std::vector<Expr>& ps) { return ps[1]; }}}}};
  s.motive = b.lvl(0);  // may be a Prop, and the fields are not all in indices: Prop only
  s.rec_lps = {"u", "v"};
  b.raw(DeclKind::Inductive, inductive(b, s));
  auto pair_of = [&](Expr a, Expr c) { return b.app(b.c("MaxPair", {u, v}), {a, c}); };
  std::vector<Binder> bs{{"α", [&](const std::vector<Expr>&) { return b.sort(u); }, kImp},
                         {"β", [&](const std::vector<Expr>&) { return b.sort(v); }, kImp},
                         {"p", [&](const std::vector<Expr>& xs) { return pair_of(xs[0], xs[1]); }}};
  Expr type = telescope(b, false, bs, [](const std::vector<Expr>& xs) { return xs[0]; });
  Expr value = telescope(b, true, bs, [&](const std::vector<Expr>& xs) { return b.proj("MaxPair", 0, xs[2]); });
  b.def("getFst", type, value, Safety::Safe, {"u", "v"});
  Verdicts r = check_decls(b, {"MaxPair", "getFst"});
  EXPECT_OK(r, "MaxPair");
  EXPECT_OK(r, "getFst");
}

// =======================================================================================
// corner-cases/proj-maybe-prop.lean: a structure whose sort is a bare universe parameter,
// a proposition for u = 0 and data otherwise:
//   MaybeProp.{u} : Sort u | mk (field : PUnit.{u}) (proof : field = field) (tail : True)
// Lean's `inductive` command refuses it, its kernel accepts it (elimination into Prop only).
// projMaybeProp takes field 0 out, projMaybePropPast field 2, whose type needs field 0 to
// be instantiated. Lean's kernel accepts both (the sort is not known to be Prop); a
// checker that treats "maybe Prop" as Prop may reject. Outcome either for both Arena tests
// (proj-maybe-prop, proj-maybe-prop-past).
namespace {

void declare_maybe_prop(Builder& b) {
  Level u = b.param("u");
  Expr MP = b.c("MaybeProp", {u});
  Expr PU = b.c("PUnit", {u});
  auto fields = [&](bool lambda, const std::function<Expr(Expr, Expr, Expr)>& body) {
    return b.bnd(lambda, "field", PU, [&](Expr fld) {
      return b.bnd(lambda, "proof", b.app(b.c("Eq", {u}), {PU, fld, fld}),
                   [&](Expr pf) { return b.bnd(lambda, "tail", b.c("True"), [&](Expr tl) { return body(fld, pf, tl); }); });
    });
  };
  ConstantInfo t = mk_ind(b, "MaybeProp", b.sort(u), 0, {"MaybeProp.mk"}, 0, false, {"u"});
  ConstantInfo mk = mk_ctor(b, "MaybeProp.mk", "MaybeProp", fields(false, [&](Expr, Expr, Expr) { return MP; }), 0, 0, 3,
                            {"u"});
  // It may be a Prop with a data field: the recursor eliminates into Prop only.
  auto tele = [&](bool lambda, const std::function<Expr(Expr, Expr)>& body) {
    return b.bnd(lambda, "motive", b.arrow(MP, b.prop()), [&](Expr m) {
      Expr minor = fields(false, [&](Expr fld, Expr pf, Expr tl) {
        return b.app(m, {b.app(b.c("MaybeProp.mk", {u}), {fld, pf, tl})});
      });
      return b.bnd(lambda, "mk", minor, [&](Expr mn) { return body(m, mn); });
    });
  };
  Expr rec_type = tele(false, [&](Expr m, Expr) { return b.Pi("t", MP, [&](Expr x) { return b.app(m, {x}); }); });
  Expr rhs = tele(true, [&](Expr, Expr mn) {
    return fields(true, [&](Expr fld, Expr pf, Expr tl) { return b.app(mn, {fld, pf, tl}); });
  });
  b.raw(DeclKind::Inductive, {t, mk,
                              mk_rec(b, "MaybeProp.rec", "MaybeProp", rec_type, 0, 1, 1,
                                     {RecursorRule{b.n("MaybeProp.mk"), 3, rhs}}, {"u"})});
  b.def("projMaybeProp", b.arrow(MP, PU), b.lam("x", MP, b.proj("MaybeProp", 0, b.bv(0))), Safety::Safe, {"u"},
        {HintKind::Opaque, 0});
  b.def("projMaybePropPast", b.arrow(MP, b.c("True")), b.lam("x", MP, b.proj("MaybeProp", 2, b.bv(0))), Safety::Safe,
        {"u"}, {HintKind::Opaque, 0});
  // Control: the Prop-valued field by the recursor, which needs no projection.
  Expr tail_by_rec = b.lam("x", MP, b.app(b.c("MaybeProp.rec", {u}), {b.lam("_", MP, b.c("True")),
                                                                       fields(true, [&](Expr, Expr, Expr tl) { return tl; }),
                                                                       b.bv(0)}));
  b.def("tailByRec", b.arrow(MP, b.c("True")), tail_by_rec, Safety::Safe, {"u"}, {HintKind::Opaque, 0});
}

}  // namespace

TEST_CASE("Arena proj-maybe-prop: the data field of a structure in Sort u (either)", "[kernel][arena]") {
  Builder b(kPrelude);  // PUnit, Eq, True
  declare_maybe_prop(b);
  Verdicts r = check_decls(b, {"MaybeProp", "tailByRec", "projMaybeProp"}, kCornerBudget);
  EXPECT_OK(r, "MaybeProp");
  EXPECT_OK(r, "tailByRec");
  expect_either(r, "projMaybeProp", {"invalid_proj"}, Lean::Accepts);
}

TEST_CASE("Arena proj-maybe-prop-past: a Prop field after a data field of a structure in Sort u (either)",
          "[kernel][arena]") {
  Builder b(kPrelude);
  declare_maybe_prop(b);
  Verdicts r = check_decls(b, {"MaybeProp", "tailByRec", "projMaybePropPast"}, kCornerBudget);
  EXPECT_OK(r, "MaybeProp");
  EXPECT_OK(r, "tailByRec");
  expect_either(r, "projMaybePropPast", {"invalid_proj"}, Lean::Accepts);
}
