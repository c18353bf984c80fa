// The Lean Kernel Arena's tests (leanprover/lean-kernel-arena, tests/), rebuilt term by term
// with builder.hpp: each case states the Arena test it mirrors, the expected outcome, and
// why a checker could get it wrong.
#include <algorithm>

#include "builder.hpp"

using namespace lbtest;

namespace {

const char* kPrelude = "converted/Init.Prelude.ndjson";  // Nat, Bool, Eq, True, False, congrArg, …
const char* kEmpty = "tutorial/good/001_basicDef.ndjson";  // one definition, nothing else

constexpr BinderInfo kImp = BinderInfo::Implicit;

// ---------------------------------------------------------------------------------------
// Running the checker on a few declarations.

/// Verdicts of the declarations introducing `names` (each checked after what it depends on;
/// the rest of a large base export is never looked at).
struct Run {
  std::shared_ptr<Environment> env;
  std::vector<DeclVerdict> vs;
  VerdictStatus status(const std::string& n) const { return status_for(*env, vs, n); }
  std::string kind(const std::string& n) const { return kind_of(*env, vs, n); }
  std::string msg(const std::string& n) const { return message_of(*env, vs, n); }
};

Run run(Builder& b, const std::vector<std::string>& names) {
  Run r;
  r.env = b.build();
  std::vector<uint32_t> sel;
  for (const std::string& s : names) {
    auto i = r.env->find(r.env->store().name_from_dotted(s));
    if (!i) FAIL("the built export has no constant " << s);
    uint32_t d = r.env->constant(*i).decl;
    if (std::find(sel.begin(), sel.end(), d) == sel.end()) sel.push_back(d);
  }
  std::sort(sel.begin(), sel.end());
  Checker ck(r.env, {});
  ck.check(sel, [&](const DeclVerdict& v) { r.vs.push_back(v); });
  return r;
}

#define EXPECT_OK(r, name)                        \
  do {                                            \
    INFO((name) << ": " << (r).msg(name));        \
    CHECK((r).status(name) == VerdictStatus::Ok); \
  } while (0)
#define EXPECT_REJECTED(r, name)                                     \
  do {                                                               \
    INFO((name) << ": " << (r).kind(name) << ": " << (r).msg(name)); \
    CHECK((r).status(name) == VerdictStatus::Rejected);              \
  } while (0)

// ---------------------------------------------------------------------------------------
// Telescopes and simple inductive types.

Expr apps(Builder& b, Expr f, const std::vector<Expr>& xs) {
  for (Expr x : xs) f = b.app(f, {x});
  return f;
}

/// One binder of a telescope: its type may mention the variables bound before it.
struct Binder {
  std::string name;
  std::function<Expr(const std::vector<Expr>&)> type;
  BinderInfo bi = BinderInfo::Default;
};

/// Π (or λ) over `bs`, then `body` of all the bound variables.
Expr tele(Builder& b, bool lambda, const std::vector<Binder>& bs, const std::function<Expr(const std::vector<Expr>&)>& body) {
  std::vector<Expr> xs;
  std::function<Expr(size_t)> go = [&](size_t i) -> Expr {
    if (i == bs.size()) return body(xs);
    Expr dom = bs[i].type(xs);
    auto rest = [&](Expr x) {
      xs.push_back(x);
      Expr r = go(i + 1);
      xs.pop_back();
      return r;
    };
    return lambda ? b.Lam(bs[i].name.c_str(), dom, rest, bs[i].bi) : b.Pi(bs[i].name.c_str(), dom, rest, bs[i].bi);
  };
  return go(0);
}

/// A constructor: field names and types (functions of the type's parameters).
struct CtorSpec {
  std::string name;
  std::vector<std::pair<std::string, std::function<Expr(const std::vector<Expr>&)>>> fields;
};

/// An inductive type without indices whose constructors take no recursive argument, with the
/// recursor spelled as Lean derives it — except for what a test states otherwise (the
/// elimination universe, `k`, the sort the type claims).
struct IndSpec {
  std::string name;
  std::vector<std::string> lps;                      // universe parameters of the type
  std::vector<std::pair<std::string, Expr>> params;  // parameters (closed types)
  Level sort;                                        // I params : Sort sort
  std::vector<CtorSpec> ctors;
  Level motive;                                      // the recursor's elimination universe
  std::vector<std::string> rec_lps;                  // the recursor's universe parameters
  bool k = false;
};

/// The block's constants: the type, its constructors, its recursor (in that order).
std::vector<ConstantInfo> inductive(Builder& b, const IndSpec& s) {
  std::vector<Level> ls;
  for (const auto& p : s.lps) ls.push_back(b.param(p.c_str()));
  Expr I = b.c(s.name, ls);
  auto ctor_const = [&](const CtorSpec& c) { return b.c(c.name, ls); };
  const size_t np = s.params.size();
  auto first = [&](const std::vector<Expr>& xs, size_t n) { return std::vector<Expr>(xs.begin(), xs.begin() + n); };
  std::vector<Binder> params;
  for (const auto& [n, t] : s.params) params.push_back({n, [t](const std::vector<Expr>&) { return t; }, kImp});
  std::vector<Binder> explicit_params = params;
  for (Binder& p : explicit_params) p.bi = BinderInfo::Default;

  std::vector<ConstantInfo> out;
  std::vector<std::string> ctor_names;
  for (const CtorSpec& c : s.ctors) ctor_names.push_back(c.name);
  out.push_back(mk_ind(b, s.name, tele(b, false, explicit_params, [&](const std::vector<Expr>&) { return b.sort(s.sort); }),
                       static_cast<uint32_t>(np), ctor_names, 0, false, s.lps));
  // The fields of `c` as binders. Their types need the parameters: the first `np` variables
  // of the same telescope, or (`ps` given) variables bound outside it.
  auto fields_of = [&](const CtorSpec& c, const std::vector<Expr>* ps = nullptr) {
    std::vector<Binder> fs;
    for (const auto& [n, t] : c.fields)
      fs.push_back({n, [&, t, ps](const std::vector<Expr>& xs) { return t(ps ? *ps : first(xs, np)); }});
    return fs;
  };
  for (size_t j = 0; j < s.ctors.size(); ++j) {
    const CtorSpec& c = s.ctors[j];
    std::vector<Binder> bs = params;
    for (Binder& f : fields_of(c)) bs.push_back(f);
    Expr type = tele(b, false, bs, [&](const std::vector<Expr>& xs) { return apps(b, I, first(xs, np)); });
    out.push_back(mk_ctor(b, c.name, s.name, type, static_cast<uint32_t>(j), static_cast<uint32_t>(np),
                          static_cast<uint32_t>(c.fields.size()), s.lps));
  }
  // params, motive, one minor premise per constructor: shared by the type and the rules.
  std::vector<Binder> head = params;
  head.push_back({"motive", [&](const std::vector<Expr>& xs) {
                    return b.arrow(apps(b, I, first(xs, np)), b.sort(s.motive));
                  }, kImp});
  for (size_t j = 0; j < s.ctors.size(); ++j) {
    head.push_back({s.ctors[j].name.substr(s.name.size() + 1), [&, j](const std::vector<Expr>& xs) {
                      std::vector<Expr> ps = first(xs, np);
                      Expr motive = xs[np];
                      return tele(b, false, fields_of(s.ctors[j], &ps), [&](const std::vector<Expr>& fs) {
                        return b.app(motive, {apps(b, apps(b, ctor_const(s.ctors[j]), ps), fs)});
                      });
                    }});
  }
  std::vector<Binder> with_major = head;
  with_major.push_back({"t", [&](const std::vector<Expr>& xs) { return apps(b, I, first(xs, np)); }});
  Expr rec_type = tele(b, false, with_major, [&](const std::vector<Expr>& xs) { return b.app(xs[np], {xs.back()}); });
  std::vector<RecursorRule> rules;
  for (size_t j = 0; j < s.ctors.size(); ++j) {
    std::vector<Binder> bs = head;
    for (Binder& f : fields_of(s.ctors[j])) bs.push_back(f);
    size_t nf = s.ctors[j].fields.size();
    Expr rhs = tele(b, true, bs, [&](const std::vector<Expr>& xs) {
      std::vector<Expr> fs(xs.end() - static_cast<std::ptrdiff_t>(nf), xs.end());
      return apps(b, xs[np + 1 + j], fs);
    });
    rules.push_back(RecursorRule{b.n(s.ctors[j].name), static_cast<uint32_t>(nf), rhs});
  }
  ConstantInfo rec = mk_rec(b, s.name + ".rec", s.name, rec_type, static_cast<uint32_t>(np), 1,
                            static_cast<uint32_t>(s.ctors.size()), rules, s.rec_lps);
  rec.k = s.k;
  out.push_back(rec);
  return out;
}

/// A field whose type does not depend on the parameters.
std::pair<std::string, std::function<Expr(const std::vector<Expr>&)>> field(const std::string& n, Expr t) {
  return {n, [t](const std::vector<Expr>&) { return t; }};
}

// Common terms of the prelude.
struct Pre {
  Builder& b;
  Expr Bool() { return b.c("Bool"); }
  Expr tt() { return b.c("Bool.true"); }
  Expr ff() { return b.c("Bool.false"); }
  Expr True() { return b.c("True"); }
  Expr False() { return b.c("False"); }
  Expr trivial() { return b.c("True.intro"); }
  Expr Nat() { return b.c("Nat"); }
  /// `@Eq.{u} T x y`, `@Eq.refl.{u} T x`.
  Expr eq(Expr T, Expr x, Expr y, unsigned u) { return b.eq(T, x, y, u); }
  Expr refl(Expr T, Expr x, unsigned u) { return b.refl(T, x, u); }
  /// `@Eq.rec.{m, u} T x motive minor y h`.
  Expr eq_rec(unsigned m, unsigned u, Expr T, Expr x, Expr motive, Expr minor, Expr y, Expr h) {
    return b.app(b.c("Eq.rec", {b.lvl(m), b.lvl(u)}), {T, x, motive, minor, y, h});
  }
  /// `Bool.rec.{1} (fun _ => Prop) F T`: a Bool read as a proposition (false ↦ F, true ↦ T).
  Expr decode(Expr on_false, Expr on_true) {
    return b.app(b.c("Bool.rec", {b.lvl(1)}), {b.lam("_", Bool(), b.prop()), on_false, on_true});
  }
};

/// The enumeration `name | c0 | c1` (no fields) in Sort `sort`.
IndSpec two_ctors(const std::string& name, const std::string& c0, const std::string& c1, Level sort, Level motive,
                  std::vector<std::string> rec_lps, std::vector<std::string> lps = {}) {
  IndSpec s;
  s.name = name;
  s.lps = std::move(lps);
  s.sort = sort;
  s.ctors = {{name + "." + c0, {}}, {name + "." + c1, {}}};
  s.motive = motive;
  s.rec_lps = std::move(rec_lps);
  return s;
}

}  // namespace

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
  Run r = run(b, {"T", "t1", "t2", "kControl", "bad"});
  for (const char* ok : {"T", "t1", "t2", "kControl"}) EXPECT_OK(r, ok);
  EXPECT_REJECTED(r, "bad");
  CHECK(r.kind("bad") == "def_type_mismatch");
}

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
    Run r = run(b, {"NewBool", "boom"});
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
    Run r = run(b, {"NewBool", "pick", "pick_tt", "pick_ff", "tt_eq_ff"});
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
  Run r = run(b, {"Bad", "bad"});
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
// tests/bugs/rec-k-lie (reject)

namespace {
// `inductive MyBool | false | true` whose recursor is claimed K-like (`k` = `claim_k`):
// K-like reduction would read every major premise as the first constructor.
Run my_bool_k(bool claim_k) {
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
  return run(b, {"MyBool", "disc", "good", "bad"});
}
}  // namespace

TEST_CASE("Arena bugs/rec-k-lie: the k flag of a recursor is derived, not trusted", "[kernel][arena]") {
  Run lie = my_bool_k(true);
  EXPECT_REJECTED(lie, "MyBool");
  CHECK(lie.kind("MyBool") == "invalid_recursor");
  EXPECT_REJECTED(lie, "bad");
  // Control: the honest recursor; `disc true` is False, `disc false` True.
  Run honest = my_bool_k(false);
  for (const char* ok : {"MyBool", "disc", "good"}) EXPECT_OK(honest, ok);
  EXPECT_REJECTED(honest, "bad");
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
    Run r = run(b, {"ImaxProp"});
    EXPECT_REJECTED(r, "ImaxProp");
    CHECK(r.kind("ImaxProp") == "invalid_recursor");
  }
  {
    // Control: the same type with the recursor into Prop.
    Builder b(kEmpty);
    b.raw(DeclKind::Inductive, block(b, 0));
    Run r = run(b, {"ImaxProp"});
    EXPECT_OK(r, "ImaxProp");
  }
}

// =======================================================================================
// tests/large-elim-supplied-rec (reject)

namespace {
// `PropTwo : Prop | a | b` with a recursor into Sort `motive`, and the Arena's road to False:
// discriminate a ≡ true, discriminate b ≡ false, a = b by proof irrelevance.
Run prop_two(unsigned motive) {
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
  return run(b, {"PropTwo", "decode", "ab_eq", "discriminate", "falseViaLargeElim"});
}
}  // namespace

TEST_CASE("Arena large-elim-supplied-rec: an exported recursor's elimination universe is checked", "[kernel][arena]") {
  Run r = prop_two(1);
  EXPECT_REJECTED(r, "PropTwo");
  CHECK(r.kind("PropTwo") == "invalid_recursor");
  EXPECT_OK(r, "decode");
  EXPECT_REJECTED(r, "falseViaLargeElim");
  // Control: with the recursor into Prop the type and `a = b` are fine; `discriminate`,
  // which needs the large eliminator, is not.
  Run honest = prop_two(0);
  for (const char* ok : {"PropTwo", "decode", "ab_eq"}) EXPECT_OK(honest, ok);
  EXPECT_REJECTED(honest, "discriminate");
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
    return run(b, {"Foo"});
  };
  Run r = foo(1);
  EXPECT_REJECTED(r, "Foo");
  CHECK(r.kind("Foo") == "invalid_inductive");
  CHECK(r.msg("Foo").find("too big") != std::string::npos);
  // Control: the same field in `Foo : Type 1`.
  Run ok = foo(2);
  EXPECT_OK(ok, "Foo");
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
  Expr type = tele(b, false, bs, [](const std::vector<Expr>& xs) { return xs[0]; });
  Expr value = tele(b, true, bs, [&](const std::vector<Expr>& xs) { return b.proj("MaxPair", 0, xs[2]); });
  b.def("getFst", type, value, Safety::Safe, {"u", "v"});
  Run r = run(b, {"MaxPair", "getFst"});
  EXPECT_OK(r, "MaxPair");
  EXPECT_OK(r, "getFst");
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
  Run r = run(b, {"Wrapper", "projControl", "badFalse"});
  EXPECT_OK(r, "Wrapper");
  EXPECT_OK(r, "projControl");
  EXPECT_REJECTED(r, "badFalse");
}

// =======================================================================================
// tests/proof-irrel (accept)

namespace {
// axioms A : Type, a b : A, P : Sort p, Q : P → Prop, foo : ∀ h : A → P, Q (h b);
// theorem bar : ∀ h : A → P, Q (h a) := foo.
Run proof_irrel(unsigned p_sort) {
  Builder b(kEmpty);
  Expr A = b.c("A"), P = b.c("P"), Q = b.c("Q");
  b.axiom("A", b.type());
  b.axiom("a", A);
  b.axiom("b", A);
  b.axiom("P", b.sort(b.lvl(p_sort)));
  b.axiom("Q", b.arrow(P, b.prop()));
  auto stmt = [&](Expr x) { return b.Pi("h", b.arrow(A, P), [&](Expr h) { return b.app(Q, {b.app(h, {x})}); }); };
  b.axiom("foo", stmt(b.c("b")));
  b.thm("bar", stmt(b.c("a")), b.c("foo"));
  return run(b, {"foo", "bar"});
}
}  // namespace

TEST_CASE("Arena proof-irrel: proof irrelevance under a binder", "[kernel][arena]") {
  Run r = proof_irrel(0);
  EXPECT_OK(r, "foo");
  EXPECT_OK(r, "bar");
  // Control: with P a Type, `h a` and `h b` are data and differ.
  Run data = proof_irrel(1);
  EXPECT_OK(data, "foo");
  EXPECT_REJECTED(data, "bar");
}

// =======================================================================================
// tests/rec-orphan-empty, tests/rec-orphan-bad-ind, tests/bugs/orphan-rec (reject)

namespace {
// `False` as the prelude has it, with a recursor `rogue : False` (no motive, no minor, no
// rule) smuggled into its block; `rogue_all` is the `all` field it claims. `inconsistent :
// False := rogue`. With `with_rogue` false: the honest block (control).
Run orphan(bool with_rogue, std::vector<std::string> rogue_all) {
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
  return run(b, {"False", "inconsistent"});
}

void check_orphan(std::vector<std::string> rogue_all) {
  Run r = orphan(true, rogue_all);
  EXPECT_REJECTED(r, "False");
  CHECK(r.kind("False") == "invalid_recursor");
  EXPECT_REJECTED(r, "inconsistent");
  // Control: the same block without `rogue`.
  Run honest = orphan(false, {});
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
  Run r = run(b, {"False", "rogue", "inconsistent"});
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
// tests/shift-cascade (accept)

// fun (a : Nat → Nat) => let f1 := fun x => a x; let f2 := fun x => a (f1 x); …; f1000 0,
// written with raw de Bruijn indices as the Arena builds it: each value mentions `a` from
// under all the lets before it.
TEST_CASE("Arena shift-cascade: a thousand nested lets over a lambda", "[kernel][arena]") {
  Builder b("tutorial/good/094_natLitEq.ndjson");  // Nat
  TermStore& st = b.st();
  Expr N = b.c("Nat"), NN = b.arrow(N, N);
  const uint32_t n = 1000;
  Expr body = b.app(b.bv(0), {b.nat(0)});
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t k = n - i;  // this let binds f_k; a is bvar (k - 1) in its value's scope
    Expr val = i == n - 1 ? b.lam("x", N, b.app(b.bv(1), {b.bv(0)}))
                          : b.lam("x", N, b.app(b.bv(k), {b.app(b.bv(1), {b.bv(0)})}));
    body = st.mk_let(b.n("f" + std::to_string(k)), NN, val, body, false);
  }
  b.def("shift_cascade", b.arrow(NN, N), b.lam("a", NN, body), Safety::Safe, {}, {HintKind::Regular, 0});
  Run r = run(b, {"shift_cascade"});
  EXPECT_OK(r, "shift_cascade");
}

// =======================================================================================
// tests/nonPropThm (reject)

// A theorem's type must be a proposition: `PUnit.{u} : Sort u` is one only for u = 0. The
// same statement as an (opaque-hinted) definition is fine.
TEST_CASE("Arena nonPropThm: a theorem whose type is not a Prop", "[kernel][arena]") {
  Builder b("tutorial/good/035_pUnitType.ndjson");  // PUnit
  Level u = b.param("u");
  b.def("def", b.c("PUnit", {u}), b.c("PUnit.unit", {u}), Safety::Safe, {"u"}, {HintKind::Opaque, 0});
  b.thm("thm", b.c("PUnit", {u}), b.c("PUnit.unit", {u}), {"u"});
  Run r = run(b, {"def", "thm"});
  EXPECT_OK(r, "def");
  EXPECT_REJECTED(r, "thm");
}

// =======================================================================================
// tests/bugs/ctor-num-fields (reject)

namespace {
// `structure S where f : Bool` whose constructor claims `num_fields` fields: with 0, S would
// look unit-like and eta for unit-like types would make `S.mk true ≡ S.mk false`.
Run ctor_num_fields(uint32_t num_fields) {
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
  return run(b, {"S", "fromH", "h", "bad"});
}
}  // namespace

TEST_CASE("Arena bugs/ctor-num-fields: a constructor's field count is derived, not trusted", "[kernel][arena]") {
  Run lie = ctor_num_fields(0);
  EXPECT_REJECTED(lie, "S");
  CHECK(lie.kind("S") == "invalid_recursor");
  EXPECT_REJECTED(lie, "bad");
  // Control: honest S; the step to False is sound, only `h` fails.
  Run honest = ctor_num_fields(1);
  EXPECT_OK(honest, "S");
  EXPECT_OK(honest, "fromH");
  EXPECT_REJECTED(honest, "h");
  EXPECT_REJECTED(honest, "bad");
}

// =======================================================================================
// tests/bugs/large-elim-param (reject)

namespace {
// `inductive MyBool.{u} : Sort u | tt | ff` with a recursor into Sort `motive`: Sort u may
// be Prop, so with two constructors only Prop elimination is allowed.
Run my_bool_param(bool large) {
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
  return run(b, {"MyBool", "tt_eq_ff", "disc", "bad"});
}
}  // namespace

TEST_CASE("Arena bugs/large-elim-param: a universe parameter may be zero", "[kernel][arena]") {
  Run r = my_bool_param(true);
  EXPECT_REJECTED(r, "MyBool");
  CHECK(r.kind("MyBool") == "invalid_recursor");
  EXPECT_REJECTED(r, "bad");
  // Control: with the Prop-only recursor the type and `tt = ff` (at u = 0) are fine.
  Run honest = my_bool_param(false);
  EXPECT_OK(honest, "MyBool");
  EXPECT_OK(honest, "tt_eq_ff");
  EXPECT_REJECTED(honest, "disc");
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

Run nat_lie(const std::function<void(Builder&, std::vector<ConstantInfo>&)>& lie) {
  Builder b(kPrelude);
  std::vector<ConstantInfo> block = b.decl_of("Nat");
  lie(b, block);
  b.replace("Nat", block);
  nat_family(b);
  return run(b, {"Nat", "g", "notG1", "allG", "boom", "symbolic"});
}
}  // namespace

TEST_CASE("Arena bugs/nat-rec-k-lie: Nat.rec claimed K-like", "[kernel][arena]") {
  Run lie = nat_lie([](Builder& b, std::vector<ConstantInfo>& block) { b.in(block, "Nat.rec").k = true; });
  EXPECT_REJECTED(lie, "Nat");
  CHECK(lie.kind("Nat") == "invalid_recursor");
  EXPECT_REJECTED(lie, "boom");
  // Control: Lean's Nat; `g 1 → False` holds, `∀ n, g n` does not.
  Run honest = nat_lie([](Builder&, std::vector<ConstantInfo>&) {});
  for (const char* ok : {"Nat", "g", "notG1"}) EXPECT_OK(honest, ok);
  EXPECT_REJECTED(honest, "allG");
  EXPECT_REJECTED(honest, "symbolic");
}

TEST_CASE("Arena bugs/nat-rec-rules: Nat.rec's rules are compared with derived ones", "[kernel][arena]") {
  Run lie = nat_lie([](Builder& b, std::vector<ConstantInfo>& block) {
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
  Run r = run(b, {"same", "down", "proof_of_false"});
  EXPECT_OK(r, "same");
  EXPECT_REJECTED(r, "down");
  CHECK(r.kind("down") == "def_type_mismatch");
  EXPECT_REJECTED(r, "proof_of_false");
}
