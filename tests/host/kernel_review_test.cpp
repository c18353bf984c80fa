// Soundness review: cases where the kernel's verdict differs from Lean's, each with a control
// that must be accepted (so that the failing case shows exactly one thing going wrong).
//
// Every case below was a confirmed divergence when it was written; the fixed ones now assert
// Lean's verdict. A test still tagged [!shouldfail] is a known, documented gap (its CHECK
// states what Lean 4.33 does); Catch reports it as unexpectedly passing once it is closed.
#include <filesystem>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "builder.hpp"

using namespace lbtest;

namespace {

const char* kBase = "tutorial/good/001_basicDef.ndjson";  // nothing but a definition

struct Outcome {
  VerdictStatus status;
  std::string kind, message;
};

[[maybe_unused]] Outcome outcome_of(Builder& b, const std::string& name, CheckOptions o = {}) {
  auto env = b.build();
  auto vs = check_all(env, std::move(o));
  DeclVerdict v = verdict_of(*env, vs, name);
  return {v.status, v.kind, v.message};
}

constexpr BinderInfo kImp = BinderInfo::Implicit;

// `inductive Ph (α : Type) : Type | mk : Ph α` — the parameter is used by no constructor.
void add_phantom(Builder& b) {
  Level u = b.param("u");
  Expr Ty = b.type();
  Expr Ph = b.c("Ph");
  ConstantInfo t = mk_ind(b, "Ph", b.pi("α", Ty, Ty), 1, {"Ph.mk"});
  ConstantInfo mk = mk_ctor(b, "Ph.mk", "Ph", b.Pi("α", Ty, [&](Expr a) { return b.app(Ph, {a}); }, kImp), 0, 1, 0);
  auto tele = [&](bool lambda, const std::function<Expr(Expr, Expr, Expr)>& body) {
    return b.bnd(lambda, "α", Ty, [&](Expr a) {
      return b.bnd(lambda, "motive", b.Pi("t", b.app(Ph, {a}), [&](Expr) { return b.sort(u); }), [&](Expr m) {
        return b.bnd(lambda, "mk", b.app(m, {b.app(b.c("Ph.mk"), {a})}), [&](Expr mn) { return body(a, m, mn); });
      });
    });
  };
  Expr rec_type = tele(false, [&](Expr a, Expr m, Expr) {
    return b.Pi("t", b.app(Ph, {a}), [&](Expr x) { return b.app(m, {x}); });
  });
  Expr rhs = tele(true, [&](Expr, Expr, Expr mn) { return mn; });
  ConstantInfo rec = mk_rec(b, "Ph.rec", "Ph", rec_type, 1, 1, 1, {RecursorRule{b.n("Ph.mk"), 0, rhs}});
  b.raw(DeclKind::Inductive, {t, mk, rec});
}

// `inductive T : Type | mk : Ph D → T` with the recursors Lean derives (D mentions T, so
// `Ph D` is a nested occurrence; its auxiliary type has no trace of D).
void add_nested_over_phantom(Builder& b, const std::function<Expr()>& mkD) {
  Level u = b.param("u");
  Expr Ty = b.type();
  Expr T = b.c("T");
  Expr PhD = b.app(b.c("Ph"), {mkD()});
  ConstantInfo t = mk_ind(b, "T", Ty, 0, {"T.mk"}, /*nnested=*/1, /*is_rec=*/true);
  ConstantInfo mk = mk_ctor(b, "T.mk", "T", b.pi("a", PhD, T), 0, 0, 1);
  // {m1 : T → Sort u} {m2 : Ph D → Sort u} (mk : ∀ a, m2 a → m1 (T.mk a)) (mk_1 : m2 (Ph.mk D))
  auto tele = [&](bool lambda, const std::function<Expr(Expr, Expr, Expr, Expr)>& body) {
    return b.bnd(lambda, "motive_1", b.Pi("t", T, [&](Expr) { return b.sort(u); }), [&](Expr m1) {
      return b.bnd(lambda, "motive_2", b.Pi("t", PhD, [&](Expr) { return b.sort(u); }), [&](Expr m2) {
        Expr minor1 = b.Pi("a", PhD, [&](Expr a) {
          return b.Pi("a_ih", b.app(m2, {a}), [&](Expr) { return b.app(m1, {b.app(b.c("T.mk"), {a})}); });
        });
        return b.bnd(lambda, "mk", minor1, [&](Expr mn1) {
          return b.bnd(lambda, "mk_1", b.app(m2, {b.app(b.c("Ph.mk"), {mkD()})}),
                       [&](Expr mn2) { return body(m1, m2, mn1, mn2); });
        });
      });
    });
  };
  Expr rec_type = tele(false, [&](Expr m1, Expr, Expr, Expr) {
    return b.Pi("t", T, [&](Expr x) { return b.app(m1, {x}); });
  });
  Expr rec1_type = tele(false, [&](Expr, Expr m2, Expr, Expr) {
    return b.Pi("t", PhD, [&](Expr x) { return b.app(m2, {x}); });
  });
  Expr rhs_mk = tele(true, [&](Expr m1, Expr m2, Expr mn1, Expr mn2) {
    return b.Lam("a", PhD, [&](Expr a) {
      return b.app(mn1, {a, b.app(b.c("T.rec_1", {u}), {m1, m2, mn1, mn2, a})});
    });
  });
  Expr rhs_ph = tele(true, [&](Expr, Expr, Expr, Expr mn2) { return mn2; });
  ConstantInfo rec = mk_rec(b, "T.rec", "T", rec_type, 0, 2, 2, {RecursorRule{b.n("T.mk"), 1, rhs_mk}});
  ConstantInfo rec1 = mk_rec(b, "T.rec_1", "T", rec1_type, 0, 2, 2, {RecursorRule{b.n("Ph.mk"), 0, rhs_ph}});
  b.raw(DeclKind::Inductive, {t, mk, rec, rec1});
}

// `inductive Box (α : Type) : Type | mk : α → Box α`.
void add_box(Builder& b) {
  Level u = b.param("u");
  Expr Ty = b.type();
  Expr Box = b.c("Box");
  ConstantInfo t = mk_ind(b, "Box", b.pi("α", Ty, Ty), 1, {"Box.mk"});
  ConstantInfo mk = mk_ctor(
      b, "Box.mk", "Box", b.Pi("α", Ty, [&](Expr a) { return b.pi("a", a, b.app(Box, {a})); }, kImp), 0, 1, 1);
  auto tele = [&](bool lambda, const std::function<Expr(Expr, Expr, Expr)>& body) {
    return b.bnd(lambda, "α", Ty, [&](Expr a) {
      return b.bnd(lambda, "motive", b.Pi("t", b.app(Box, {a}), [&](Expr) { return b.sort(u); }), [&](Expr m) {
        Expr minor = b.Pi("a", a, [&](Expr x) { return b.app(m, {b.app(b.c("Box.mk"), {a, x})}); });
        return b.bnd(lambda, "mk", minor, [&](Expr mn) { return body(a, m, mn); });
      });
    });
  };
  Expr rec_type = tele(false, [&](Expr a, Expr m, Expr) {
    return b.Pi("t", b.app(Box, {a}), [&](Expr x) { return b.app(m, {x}); });
  });
  Expr rhs = tele(true, [&](Expr a, Expr, Expr mn) { return b.Lam("a", a, [&](Expr x) { return b.app(mn, {x}); }); });
  ConstantInfo rec = mk_rec(b, "Box.rec", "Box", rec_type, 1, 1, 1, {RecursorRule{b.n("Box.mk"), 1, rhs}});
  b.raw(DeclKind::Inductive, {t, mk, rec});
}

// `inductive R : Type | mk : Box R → R | bad : X → R`, with the recursors Lean derives when
// X is `Box R` (one auxiliary type `_nested.Box_1` for both occurrences).
void add_r(Builder& b, Expr bad_field) {
  Level u = b.param("u");
  Expr Ty = b.type();
  Expr R = b.c("R");
  Expr BR = b.app(b.c("Box"), {R});
  ConstantInfo t = mk_ind(b, "R", Ty, 0, {"R.mk", "R.bad"}, 1, true);
  ConstantInfo mk = mk_ctor(b, "R.mk", "R", b.pi("a", BR, R), 0, 0, 1);
  ConstantInfo bad = mk_ctor(b, "R.bad", "R", b.pi("y", bad_field, R), 1, 0, 1);
  auto tele = [&](bool lambda, const std::function<Expr(Expr, Expr, Expr, Expr, Expr)>& body) {
    return b.bnd(lambda, "motive_1", b.Pi("t", R, [&](Expr) { return b.sort(u); }), [&](Expr m1) {
      return b.bnd(lambda, "motive_2", b.Pi("t", BR, [&](Expr) { return b.sort(u); }), [&](Expr m2) {
        auto case_of = [&](const char* ctor) {
          return b.Pi("a", BR, [&](Expr a) {
            return b.Pi("a_ih", b.app(m2, {a}), [&](Expr) { return b.app(m1, {b.app(b.c(ctor), {a})}); });
          });
        };
        Expr box_case = b.Pi("a", R, [&](Expr a) {
          return b.Pi("a_ih", b.app(m1, {a}), [&](Expr) { return b.app(m2, {b.app(b.c("Box.mk"), {R, a})}); });
        });
        return b.bnd(lambda, "mk", case_of("R.mk"), [&](Expr c1) {
          return b.bnd(lambda, "bad", case_of("R.bad"), [&](Expr c2) {
            return b.bnd(lambda, "mk_1", box_case, [&](Expr c3) { return body(m1, m2, c1, c2, c3); });
          });
        });
      });
    });
  };
  Expr rec_type = tele(false, [&](Expr m1, Expr, Expr, Expr, Expr) {
    return b.Pi("t", R, [&](Expr x) { return b.app(m1, {x}); });
  });
  Expr rec1_type = tele(false, [&](Expr, Expr m2, Expr, Expr, Expr) {
    return b.Pi("t", BR, [&](Expr x) { return b.app(m2, {x}); });
  });
  auto rule = [&](bool which_bad) {
    return tele(true, [&](Expr m1, Expr m2, Expr c1, Expr c2, Expr c3) {
      return b.Lam("a", BR, [&](Expr a) {
        return b.app(which_bad ? c2 : c1, {a, b.app(b.c("R.rec_1", {u}), {m1, m2, c1, c2, c3, a})});
      });
    });
  };
  Expr rhs_box = tele(true, [&](Expr m1, Expr m2, Expr c1, Expr c2, Expr c3) {
    return b.Lam("a", R, [&](Expr a) { return b.app(c3, {a, b.app(b.c("R.rec", {u}), {m1, m2, c1, c2, c3, a})}); });
  });
  ConstantInfo rec = mk_rec(b, "R.rec", "R", rec_type, 0, 2, 3,
                            {RecursorRule{b.n("R.mk"), 1, rule(false)},
                             RecursorRule{b.n("R.bad"), 1, rule(true)}});
  ConstantInfo rec1 = mk_rec(b, "R.rec_1", "R", rec1_type, 0, 2, 3, {RecursorRule{b.n("Box.mk"), 1, rhs_box}});
  b.raw(DeclKind::Inductive, {t, mk, bad, rec, rec1});
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Nested inductives: what elimination hides from the checks.

TEST_CASE("review: nested occurrence in a phantom parameter (control, well-typed)") {
  Builder b(kBase);
  add_phantom(b);
  add_nested_over_phantom(b, [&] { return b.c("T"); });
  auto env = b.build();
  auto vs = check_all(env);
  INFO(first_failure_message(vs));
  CHECK(status_for(*env, vs, "Ph") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "T") == VerdictStatus::Ok);
}

// Lean 4.33 (lean4#14576/#14577): the parametric arguments `Ds` of a nested occurrence
// `I Ds` are dropped from the auxiliary declaration when no constructor of `I` uses them, so
// they escape every check unless the original constructor types are checked too. Here the
// constructor type `T.mk : Ph ((fun x : Prop => T) T) → T` is ill-typed (T : Type is passed
// for a Prop), yet the block is accepted and `T.mk` enters the environment with that type.
TEST_CASE("review: an ill-typed argument of a nested occurrence is rejected") {
  Builder b(kBase);
  add_phantom(b);
  add_nested_over_phantom(b, [&] { return b.app(b.lam("x", b.prop(), b.c("T")), {b.c("T")}); });
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "Ph") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "T") == VerdictStatus::Rejected);
}

// The same for an undeclared universe parameter hidden in a dropped argument: the argument
// `(fun (x : Sort (v+2)) => T) (Sort (v+1))` is well-typed except that the block declares no
// universe `v`, and `T.mk` is stored with a type that mentions the free universe `v`.
TEST_CASE("review: an undeclared universe in an argument of a nested occurrence is rejected") {
  Builder b(kBase);
  add_phantom(b);
  // D = (fun (x : Sort (v+2)) => T) (Sort (v+1)): mentions T, and the undeclared level v.
  add_nested_over_phantom(b, [&] {
    Level v = b.param("v");
    return b.app(b.lam("x", b.sort(b.lsucc(b.lsucc(v))), b.c("T")), {b.sort(b.lsucc(v))});
  });
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "T") == VerdictStatus::Rejected);
}

TEST_CASE("review: two nested occurrences of Box R share one auxiliary type (control)") {
  Builder b(kBase);
  add_box(b);
  add_r(b, b.app(b.c("Box"), {b.c("R")}));
  auto env = b.build();
  auto vs = check_all(env);
  INFO(first_failure_message(vs));
  CHECK(status_for(*env, vs, "Box") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "R") == VerdictStatus::Ok);
}

// Lean 4.33 (lean4#14616, check_no_nested_aux): a declaration may not name a `_nested`
// auxiliary. Without that check the constructor `R.bad : _nested.Box_1 → R` refers to the
// auxiliary type generated for `Box R`; it is checked against it, accepted, and leanbatch then
// stores `R.bad` with a type that names a constant which does not exist (Lean ≤ 4.32 stored the
// restored `Box R → R`, which its kernel never checked).
TEST_CASE("review: a constructor naming a generated _nested auxiliary is rejected") {
  Builder b(kBase);
  add_box(b);
  add_r(b, b.c("_nested.Box_1"));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "Box") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "R") == VerdictStatus::Rejected);
}

// A consequence of the previous bug: an argument hidden that way may even apply a constant to
// the wrong number of universe levels (`f.{0,0}` for `def f.{u}`), which no checked term can
// do. A later, innocent declaration that compares `Ph (f.{0} T)` with `Ph (f.{0,0} T)` then
// reaches lazy_delta_reduction_step with a definition that unfold_definition refuses to
// unfold (level count mismatch), and whnf_core is called on the invalid Expr it returns
// (id 0xFFFFFFFF): an out-of-bounds read of the term store. Lean's is_delta does not check
// the count either, but Lean 4.33 never admits such a term. Run in a child process, since the
// failure is a crash.
namespace {
// The environment of the next two test cases: a nested block over `f.{0}` where `f` has one
// universe parameter, and a later `crash` that uses it.
std::shared_ptr<const Environment> hidden_universe_count_env() {
  Builder b(kBase);
  add_phantom(b);
  b.def("f", b.pi("α", b.type(), b.type()), b.lam("α", b.type(), b.bv(0)), Safety::Safe, {"u"});
  Level z = b.lvl(0);
  add_nested_over_phantom(b, [&] { return b.app(b.c("f", {z, z}), {b.c("T")}); });
  // def crash : T := T.mk (Ph.mk (f.{0} T))
  b.def("crash", b.c("T"), b.app(b.c("T.mk"), {b.app(b.c("Ph.mk"), {b.app(b.c("f", {z}), {b.c("T")})})}));
  return b.build();
}
}  // namespace

// Run by the next test case in a process of its own (a crash must not take the test run
// down); hidden, so it runs only when named.
TEST_CASE("review-child: check the hidden wrong universe count", "[.]") {
  auto env = hidden_universe_count_env();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "T") != VerdictStatus::Ok);  // Lean's verdict: T rejected
}

TEST_CASE("review: a hidden wrong universe count is rejected and cannot crash a later check") {
  // posix_spawn of this very binary, not fork(): earlier test cases may have left threads
  // holding locks (a forked child of a threaded process then hangs on them).
  std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string name = "review-child: check the hidden wrong universe count";
  char* argv[] = {exe.data(), name.data(), nullptr};
  std::fflush(nullptr);
  pid_t pid = -1;
  REQUIRE(posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv, environ) == 0);
  int ws = 0;
  REQUIRE(waitpid(pid, &ws, 0) == pid);
  INFO("child: " << (WIFSIGNALED(ws) ? "killed by signal " + std::to_string(WTERMSIG(ws))
                                     : "exit " + std::to_string(WEXITSTATUS(ws))));
  CHECK(WIFEXITED(ws));
  CHECK((WIFEXITED(ws) && WEXITSTATUS(ws) == 0));
}

// Lean 4.33 (lean4#14613/#14615) classifies an inductive by its *normalized* universe: a type
// declared in `Sort (imax 1 0)` is a proposition, so its fields may be data (as for any Prop)
// and it eliminates into Prop only. This was a known gap (leanbatch tested `level == zero`
// syntactically); closed with the stuck-sort fix (level_is_zero). infer_proj and proof
// irrelevance see the same normalized Prop, so `p.0 : Bool` out of a proof `p` stays rejected.
TEST_CASE("review: an inductive in Sort (imax 1 0) is a Prop (Lean 4.33)", "[kernel]") {
  Builder b("tutorial/good/089_projRed.ndjson");  // Bool
  Expr I = b.c("IP"), B = b.c("Bool");
  ConstantInfo t = mk_ind(b, "IP", b.sort(b.limax(b.lvl(1), b.lvl(0))), 0, {"IP.mk"});
  ConstantInfo mk = mk_ctor(b, "IP.mk", "IP", b.pi("b", B, I), 0, 0, 1);
  auto tele = [&](bool lambda, const std::function<Expr(Expr, Expr)>& body) {
    return b.bnd(lambda, "motive", b.Pi("t", I, [&](Expr) { return b.prop(); }), [&](Expr m) {
      Expr minor = b.Pi("b", B, [&](Expr x) { return b.app(m, {b.app(b.c("IP.mk"), {x})}); });
      return b.bnd(lambda, "mk", minor, [&](Expr mn) { return body(m, mn); });
    });
  };
  Expr rec_type = tele(false, [&](Expr m, Expr) { return b.Pi("t", I, [&](Expr x) { return b.app(m, {x}); }); });
  Expr rhs = tele(true, [&](Expr, Expr mn) { return b.Lam("b", B, [&](Expr x) { return b.app(mn, {x}); }); });
  ConstantInfo rec = mk_rec(b, "IP.rec", "IP", rec_type, 0, 1, 1, {RecursorRule{b.n("IP.mk"), 1, rhs}}, {});
  b.raw(DeclKind::Inductive, {t, mk, rec});
  b.def("IP.leak", b.arrow(I, B), b.lam("p", I, b.proj("IP", 0, b.bv(0))));
  auto env = b.build();
  auto vs = check_all(env);
  INFO(message_of(*env, vs, "IP"));
  CHECK(status_for(*env, vs, "IP") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "IP.leak") == VerdictStatus::Rejected);
}
