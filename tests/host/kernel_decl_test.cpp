// Focused tests of declaration-level rules (checker.cpp, type_checker.cpp, kernel_env.cpp):
// theorems, axioms, definitions, names, references, universe parameters, literals. Each
// rule has a case it must accept and a case it must reject with the expected error kind.
#include "builder.hpp"

using namespace lbtest;

namespace {

const char* kBase = "tutorial/good/089_projRed.ndjson";  // Eq, Bool, Prod, Prod.snd, rfl

// Index of the n-th (0-based) declaration whose first constant is `name`.
uint32_t decl_index(const Environment& env, const std::string& name, int nth = 0) {
  for (uint32_t d = 0; d < env.declarations().size(); ++d)
    if (env.store().name_to_string(env.constant(env.declaration(d).first_const).name) == name && nth-- == 0) return d;
  FAIL("no declaration " << name);
  return 0;
}

}  // namespace

TEST_CASE("a theorem's type must be a proposition") {
  Builder b(kBase);
  BoolEnv e{b};
  b.thm("thm_of_prop", e.eqB(e.tt(), e.tt()), e.reflB(e.tt()));
  b.thm("thm_of_type", e.B(), e.tt());
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "thm_of_prop") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "thm_of_type") == "theorem_not_prop");
  CHECK(first_failure_kind(check_all(load("tutorial/bad/011_nonPropThm.ndjson"))) == "theorem_not_prop");
}

TEST_CASE("an axiom's type must be a type, a well-formed axiom is accepted") {
  Builder b(kBase);
  BoolEnv e{b};
  b.axiom("ax_ok", e.eqB(e.tt(), e.tt()));
  b.axiom("ax_not_a_type", e.tt());
  b.def("type_not_a_type", e.tt(), e.tt());
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "ax_ok") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "ax_not_a_type") == "type_expected");
  CHECK(kind_of(*env, vs, "type_not_a_type") == "type_expected");
  CHECK(first_failure_kind(check_all(load("tutorial/bad/010_nonTypeType.ndjson"))) == "type_expected");
}

TEST_CASE("a definition's value must have its declared type, and every term must be well-typed") {
  Builder b(kBase);
  BoolEnv e{b};
  b.def("def_ok", e.B(), e.tt());
  b.def("def_mismatch", e.B(), b.prop());
  b.def("not_a_function", e.B(), b.app(e.tt(), {e.tt()}));
  b.def("wrong_argument", e.B(), b.app(b.Lam("y", e.B(), [](Expr y) { return y; }), {b.prop()}));
  b.def("let_ok", e.B(), b.let("x", e.B(), e.tt(), [](Expr x) { return x; }));
  b.def("let_mismatch", e.B(), b.let("x", e.B(), b.prop(), [](Expr x) { return x; }));
  b.def("loose_bvar", e.B(), b.bv(0));
  b.def("unknown", e.B(), b.c("Foo"));
  b.def("uses_rejected", e.B(), b.c("def_mismatch"));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "def_ok") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "def_mismatch") == "def_type_mismatch");
  CHECK(kind_of(*env, vs, "not_a_function") == "function_expected");
  CHECK(kind_of(*env, vs, "wrong_argument") == "app_type_mismatch");
  CHECK(status_for(*env, vs, "let_ok") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "let_mismatch") == "let_type_mismatch");
  CHECK(kind_of(*env, vs, "loose_bvar") == "loose_bvar");
  CHECK(kind_of(*env, vs, "unknown") == "unknown_constant");
  CHECK(kind_of(*env, vs, "uses_rejected") == "depends_on_rejected");
}

TEST_CASE("declarations may refer neither to themselves nor to later declarations") {
  Builder b(kBase);
  BoolEnv e{b};
  b.def("self", e.B(), b.c("self"));
  b.def("early", e.B(), b.c("late"));
  b.def("late", e.B(), e.tt());
  b.def("after_late", e.B(), b.c("late"));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(kind_of(*env, vs, "self") == "declared_later");
  CHECK(message_of(*env, vs, "self").find("being checked") != std::string::npos);
  CHECK(kind_of(*env, vs, "early") == "declared_later");
  CHECK(status_for(*env, vs, "after_late") == VerdictStatus::Ok);
  for (const char* f : {"converted/nanoda-Cycle1.ndjson", "converted/nanoda-CycleMutual1.ndjson",
                        "converted/nanoda-CycleOpaque1.ndjson"}) {
    INFO(f);
    CHECK(first_failure_kind(check_all(load(f))) == "declared_later");
  }
}

TEST_CASE("universe parameters: declared, distinct, and given in the right number") {
  Builder b(kBase);
  BoolEnv e{b};
  b.def("univ_ok", b.sort(b.lsucc(b.param("u"))), b.sort(b.param("u")), Safety::Safe, {"u"});
  b.def("univ_undeclared", b.sort(b.lsucc(b.param("u"))), b.sort(b.param("u")));
  b.def("univ_duplicate", b.type(), b.prop(), Safety::Safe, {"u", "u"});
  b.def("univ_count", e.eqB(e.tt(), e.tt()), b.c("rfl", {b.lvl(1), b.lvl(1)}));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "univ_ok") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "univ_undeclared") == "undefined_level_param");
  CHECK(kind_of(*env, vs, "univ_duplicate") == "duplicate_level_param");
  CHECK(kind_of(*env, vs, "univ_count") == "level_count_mismatch");
}

TEST_CASE("universe instantiation is per constant: the same type with permuted universe parameters") {
  // A.{u,v} and B.{v,u} have literally the same type and value terms (one interned term
  // each), so only the constant tells which universe argument is u. B.{1,0} is
  // Sort (imax 0 1) = Type, of type Sort 2; A.{1,0} is Sort (imax 1 0) = Prop, of type Type.
  Builder b("tutorial/good/001_basicDef.ndjson");
  Level u = b.param("u"), v = b.param("v");
  Expr T = b.sort(b.lsucc(b.limax(u, v))), V = b.sort(b.limax(u, v));
  b.def("A", T, V, Safety::Safe, {"u", "v"});
  b.def("B", T, V, Safety::Safe, {"v", "u"});
  auto after_A = [&](Expr body) { return b.let("a", b.type(), b.c("A", {b.lvl(1), b.lvl(0)}), [&](Expr) { return body; }); };
  Expr B10 = b.c("B", {b.lvl(1), b.lvl(0)});
  b.def("B10_is_a_type_of_type_2", b.sort(b.lvl(2)), after_A(B10));
  b.def("B10_is_not_of_type_1", b.type(), after_A(B10));  // would make Type : Type
  // Unfolding: B.{1,0} is Type, not Prop, even after A.{1,0} (which is Prop) was unfolded.
  Expr falsum = b.Pi("q", b.prop(), [](Expr q) { return q; });  // a proposition
  auto after_unfolding_A = [&](Expr arg) {
    return b.let("a", b.c("A", {b.lvl(1), b.lvl(0)}), falsum,
                 [&](Expr) { return b.app(b.Lam("x", B10, [](Expr x) { return x; }), {arg}); });
  };
  b.def("B10_unfolds_to_type", B10, after_unfolding_A(b.arrow(b.prop(), b.prop())));
  b.def("B10_does_not_unfold_to_prop", B10, after_unfolding_A(falsum));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "A") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "B") == VerdictStatus::Ok);
  CHECK(status_for(*env, vs, "B10_is_a_type_of_type_2") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "B10_is_not_of_type_1") == "def_type_mismatch");
  CHECK(status_for(*env, vs, "B10_unfolds_to_type") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "B10_does_not_unfold_to_prop") == "app_type_mismatch");
}

TEST_CASE("a name belongs to its first declaration, whatever that declaration's verdict") {
  Builder b(kBase);
  BoolEnv e{b};
  b.def("foo", e.B(), e.tt(), Safety::Partial);  // declined without --allow-unsafe
  b.def("foo", e.B(), e.tt());                   // must not take foo's place
  b.def("bar", e.B(), b.prop());                 // rejected
  b.def("bar", e.B(), e.tt());
  b.def("baz", e.B(), e.tt());
  b.def("baz", e.B(), e.tt());
  auto env = b.build();
  auto vs = check_all(env);
  auto v = [&](const char* name, int nth) { return vs[decl_index(*env, name, nth)]; };
  CHECK(v("foo", 0).kind == "partial_declaration");
  CHECK(v("foo", 1).kind == "already_declared");
  CHECK(v("foo", 1).message.find("declined") != std::string::npos);
  CHECK(v("bar", 0).kind == "def_type_mismatch");
  CHECK(v("bar", 1).kind == "already_declared");
  CHECK(v("baz", 0).status == VerdictStatus::Ok);
  CHECK(v("baz", 1).kind == "already_declared");
  // The verdict of the second `baz` does not depend on checking the first one.
  Checker ck(env, CheckOptions{});
  std::vector<DeclVerdict> only;
  std::vector<uint32_t> sel{decl_index(*env, "baz", 1)};
  ck.check(sel, [&](const DeclVerdict& d) { only.push_back(d); });
  REQUIRE(only.size() == 1);
  CHECK(only[0].kind == "already_declared");
  CHECK(first_failure_kind(check_all(load("tutorial/bad/121_dup_ind_def.ndjson"))) == "already_declared");
}

TEST_CASE("unsafe and partial declarations are declined and a safe use of one is rejected as Lean does") {
  Builder b(kBase);
  BoolEnv e{b};
  b.def("u1", e.B(), e.tt(), Safety::Unsafe);
  b.def("s1", e.B(), b.c("u1"));
  b.def("p1", e.B(), e.tt(), Safety::Partial);
  b.def("s2", e.B(), b.c("p1"));
  b.def("p2", e.B(), b.c("p1"), Safety::Partial);  // partial may use partial
  b.axiom("ua", e.B(), {}, true);
  b.thm("t_ua", e.eqB(b.c("ua"), b.c("ua")), e.reflB(b.c("ua")));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(kind_of(*env, vs, "u1") == "unsafe_declaration");
  CHECK(kind_of(*env, vs, "p1") == "partial_declaration");
  // Lean rejects a safe use of an unsafe or partial declaration whatever became of it, so
  // the use is rejected even though the helper itself was declined (not checked).
  CHECK(kind_of(*env, vs, "s1") == "unsafe_use");
  CHECK(kind_of(*env, vs, "s2") == "unsafe_use");
  CHECK(status_for(*env, vs, "p2") == VerdictStatus::Declined);
  CHECK(kind_of(*env, vs, "t_ua") == "unsafe_use");
  CheckOptions allow;
  allow.allow_unsafe = true;
  auto vs2 = check_all(env, allow);
  CHECK(status_for(*env, vs2, "u1") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs2, "s1") == "unsafe_use");
  CHECK(kind_of(*env, vs2, "s2") == "unsafe_use");
  CHECK(status_for(*env, vs2, "p2") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs2, "t_ua") == "unsafe_use");  // a theorem is always checked as safe
  // The kiota cases, with their hand-made False block made valid.
  auto ua = load("leanbatch/kiota-unsafe-axiom.reject.ndjson");
  auto uvs = check_all(ua);
  CHECK(status_for(*ua, uvs, "False") == VerdictStatus::Ok);
  CHECK(kind_of(*ua, uvs, "oops") == "unsafe_declaration");
  CHECK(kind_of(*ua, uvs, "bad") == "unsafe_use");
  CHECK(kind_of(*ua, check_all(ua, allow), "bad") == "unsafe_use");
  auto pd = load("leanbatch/kiota-partial-def.reject.ndjson");
  CHECK(kind_of(*pd, check_all(pd), "id") == "partial_declaration");
}

TEST_CASE("a Nat literal is typed only when Nat is the verified inductive (else declined: undecidable for us)") {
  CHECK(all_ok(check_all(load("tutorial/good/094_natLitEq.ndjson"))));
  // `def Nat : Type := Empty` would make `5` a proof of Empty.
  Builder b("tutorial/good/029_empty.ndjson");
  b.def("Nat", b.type(), b.c("Empty"));
  b.def("five", b.c("Nat"), b.nat(5));
  b.def("empty_from_literal", b.c("Empty"), b.nat(5));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "Nat") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "five") == "unsupported_literal");
  CHECK(status_for(*env, vs, "five") == VerdictStatus::Declined);
  CHECK(kind_of(*env, vs, "empty_from_literal") == "unsupported_literal");
  // An inductive `Nat` with the wrong constructors (Bool renamed) is not Nat either.
  Builder b2(kBase);
  b2.raw(DeclKind::Inductive, b2.renamed(b2.decl_of("Bool"), "Bool", "Nat"));
  b2.def("two", b2.c("Nat"), b2.nat(2));
  auto env2 = b2.build();
  auto vs2 = check_all(env2);
  CHECK(status_for(*env2, vs2, "Nat") == VerdictStatus::Ok);
  CHECK(kind_of(*env2, vs2, "two") == "unsupported_literal");
  CHECK(status_for(*env2, vs2, "two") == VerdictStatus::Declined);
  // No Nat at all: the literal has no type (rejected, as by Lean: unknown constant).
  Builder b3(kBase);
  b3.def("three", b3.type(), b3.nat(3));
  auto env3 = b3.build();
  CHECK(kind_of(*env3, check_all(env3), "three") == "invalid_literal");
}

TEST_CASE("a string literal is typed only once String has a checked inhabitant") {
  // String as a structure over a UTF-8 ByteArray (new preludes: literals long before
  // String.ofList exists) and over List Char (older exports).
  CHECK(all_ok(check_all(load("converted/Init.Prelude.ndjson"))));
  CHECK(all_ok(check_all(load("converted/CategoryTheory.yonedaLemma.ndjson"))));
  Builder b(kBase);
  b.def("String", b.type(), b.c("Bool"));  // not an inductive: no witness is tried
  b.def("s", b.c("String"), b.st().mk_str("a"));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(kind_of(*env, vs, "s") == "invalid_literal");
  // An inductive String whose only constructor needs an argument of no known inhabitant.
  Builder b2("tutorial/good/052_typeWithTypeField.ndjson");
  b2.raw(DeclKind::Inductive, b2.renamed(b2.decl_of("TypeWithTypeField"), "TypeWithTypeField", "String"));
  b2.def("s", b2.c("String"), b2.st().mk_str("a"));
  auto env2 = b2.build();
  auto vs2 = check_all(env2);
  CHECK(status_for(*env2, vs2, "String") == VerdictStatus::Ok);
  CHECK(kind_of(*env2, vs2, "s") == "invalid_literal");
  // A String with a constructor without arguments is inhabited (Bool renamed).
  Builder b3(kBase);
  b3.raw(DeclKind::Inductive, b3.renamed(b3.decl_of("Bool"), "Bool", "String"));
  b3.def("s", b3.c("String"), b3.st().mk_str("a"));
  auto env3 = b3.build();
  CHECK(status_for(*env3, check_all(env3), "s") == VerdictStatus::Ok);
}
