#pragma once
// Helpers shared by the Lean Kernel Arena's tests (tests/host/arena_*_test.cpp): running the
// checker on a few built declarations, the verdicts it gives, telescopes, and inductive types
// spelled with the recursor Lean derives.
//
// Many Arena corner cases have the outcome `either`: both verdicts are right, because the
// declaration sits in a gap between Lean's algorithmic conversion and the declarative theory
// (or is a well-formedness question the Arena leaves open). For those, a case asserts what
// every checker owes the Arena anyway: a definite verdict (no timeout, no error), the
// controls of the same file accepted, and, when leanbatch rejects, a rejection for the
// reason the Arena describes (not, say, a recursor the test got wrong). Since leanbatch
// follows Lean's kernel rather than the declarative theory (docs/kernel.md), a case also pins
// the verdict Lean's kernel gives: a change there is a divergence from Lean to look at, not
// an Arena failure (expect_either).
//
// Not rebuilt in these files: level-index-out-of-order, a test of the export format's index
// tables (an .ndjson-only test with nothing to rebuild as terms; handled separately).
#include <algorithm>
#include <chrono>

#include "builder.hpp"

namespace lbtest {

inline constexpr const char* kPrelude = "converted/Init.Prelude.ndjson";  // Nat, Bool, Eq, True, False, congrArg, …
inline constexpr const char* kEmpty = "tutorial/good/001_basicDef.ndjson";  // one definition, nothing else

inline constexpr BinderInfo kImp = BinderInfo::Implicit;

// ---------------------------------------------------------------------------------------
// Running the checker on a few declarations.

/// The checker's verdicts on some declarations of a built export.
struct Verdicts {
  std::shared_ptr<Environment> env;
  std::vector<DeclVerdict> vs;
  DeclVerdict of(const std::string& n) const { return verdict_of(*env, vs, n); }
  VerdictStatus status(const std::string& n) const { return of(n).status; }
  std::string kind(const std::string& n) const { return of(n).kind; }
  std::string msg(const std::string& n) const { return of(n).message; }
};

/// Per-declaration time budget of the corner cases: several of them are conversions that a
/// naive checker would unfold forever.
inline constexpr std::chrono::milliseconds kCornerBudget{30000};

/// Verdicts of the declarations introducing `names` (each checked after what it depends on;
/// the rest of a large base export is never looked at), under a per-declaration `budget`
/// (0: none).
inline Verdicts check_decls(Builder& b, const std::vector<std::string>& names,
                            std::chrono::milliseconds budget = std::chrono::milliseconds(0)) {
  Verdicts r;
  r.env = b.build();
  std::vector<uint32_t> decls;
  for (const std::string& s : names) {
    auto i = r.env->find(r.env->store().name_from_dotted(s));
    if (!i) FAIL("the built export has no constant " << s);
    decls.push_back(r.env->constant(*i).decl);
  }
  std::sort(decls.begin(), decls.end());
  decls.erase(std::unique(decls.begin(), decls.end()), decls.end());
  CheckOptions opts;
  opts.budget = budget;
  Checker ck(r.env, opts);
  ck.check(decls, [&](const DeclVerdict& v) { r.vs.push_back(v); });
  return r;
}

inline std::string describe(const Verdicts& r, const std::string& n) {
  DeclVerdict v = r.of(n);
  return n + ": " + to_string(v.status) + (v.kind.empty() ? "" : " [" + v.kind + "] " + v.message);
}

#define EXPECT_OK(r, name)                        \
  do {                                            \
    INFO(describe((r), (name)));                  \
    CHECK((r).status(name) == VerdictStatus::Ok); \
  } while (0)
#define EXPECT_REJECTED(r, name)                        \
  do {                                                  \
    INFO(describe((r), (name)));                        \
    CHECK((r).status(name) == VerdictStatus::Rejected); \
  } while (0)

enum class Lean { Accepts, Rejects };

/// An `either` outcome: accepted, or rejected with one of `kinds` (the error the Arena's
/// description leads to). Anything else (timeout, error, another rejection) fails. Then,
/// separately, leanbatch's verdict is compared with Lean's kernel's.
inline void expect_either(const Verdicts& r, const std::string& n, std::initializer_list<const char*> kinds, Lean lean) {
  DeclVerdict v = r.of(n);
  INFO(describe(r, n));
  bool definite = v.status == VerdictStatus::Ok || v.status == VerdictStatus::Rejected;
  CHECK(definite);
  if (v.status == VerdictStatus::Rejected) {
    bool expected_kind = false;
    for (const char* k : kinds) expected_kind = expected_kind || v.kind == k;
    CHECK(expected_kind);
  }
  INFO("Lean's kernel " << (lean == Lean::Accepts ? "accepts" : "rejects") << " it");
  CHECK(v.status == (lean == Lean::Accepts ? VerdictStatus::Ok : VerdictStatus::Rejected));
}

// ---------------------------------------------------------------------------------------
// Telescopes and simple inductive types.

inline Expr apps(Builder& b, Expr f, const std::vector<Expr>& xs) {
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
inline Expr telescope(Builder& b, bool lambda, const std::vector<Binder>& bs,
                      const std::function<Expr(const std::vector<Expr>&)>& body) {
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
inline std::vector<ConstantInfo> inductive(Builder& b, const IndSpec& s) {
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
  out.push_back(mk_ind(b, s.name, telescope(b, false, explicit_params, [&](const std::vector<Expr>&) { return b.sort(s.sort); }),
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
    Expr type = telescope(b, false, bs, [&](const std::vector<Expr>& xs) { return apps(b, I, first(xs, np)); });
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
                      return telescope(b, false, fields_of(s.ctors[j], &ps), [&](const std::vector<Expr>& fs) {
                        return b.app(motive, {apps(b, apps(b, ctor_const(s.ctors[j]), ps), fs)});
                      });
                    }});
  }
  std::vector<Binder> with_major = head;
  with_major.push_back({"t", [&](const std::vector<Expr>& xs) { return apps(b, I, first(xs, np)); }});
  Expr rec_type = telescope(b, false, with_major, [&](const std::vector<Expr>& xs) { return b.app(xs[np], {xs.back()}); });
  std::vector<RecursorRule> rules;
  for (size_t j = 0; j < s.ctors.size(); ++j) {
    std::vector<Binder> bs = head;
    for (Binder& f : fields_of(s.ctors[j])) bs.push_back(f);
    size_t nf = s.ctors[j].fields.size();
    Expr rhs = telescope(b, true, bs, [&](const std::vector<Expr>& xs) {
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
inline std::pair<std::string, std::function<Expr(const std::vector<Expr>&)>> field(const std::string& n, Expr t) {
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
inline IndSpec two_ctors(const std::string& name, const std::string& c0, const std::string& c1, Level sort, Level motive,
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

/// An inductive type without parameters, in Sort `sort`, with the given constructors'
/// fields, eliminating into any universe `u`.
inline IndSpec simple(const std::string& name, Level sort, std::vector<CtorSpec> ctors, Builder& b) {
  IndSpec s;
  s.name = name;
  s.sort = sort;
  s.ctors = std::move(ctors);
  s.motive = b.param("u");
  s.rec_lps = {"u"};
  return s;
}

}  // namespace lbtest
