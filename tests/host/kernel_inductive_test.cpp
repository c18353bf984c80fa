// Focused tests of inductive blocks (inductive.cpp): positivity, universes of fields,
// parameters, elimination universes, the K flag, nested blocks, and the field-by-field
// comparison of every exported type info, constructor and recursor with the derived one.
// Bad cases are real, accepted blocks of the Arena's files with one thing changed, so each
// test shows the rule (and only the rule) that rejects them.
#include "builder.hpp"

using namespace lbtest;

namespace {

struct Outcome {
  VerdictStatus status;
  std::string kind, message;
};

// Checks the file and returns the verdict of the declaration introducing `name`.
Outcome outcome(Builder& b, const std::string& name, CheckOptions o = {}) {
  auto env = b.build();
  auto vs = check_all(env, std::move(o));
  DeclVerdict v = verdict_of(*env, vs, name);
  return {v.status, v.kind, v.message};
}

// The verdict of `name` in an unchanged base file.
Outcome unchanged(const std::string& base, const std::string& name) {
  Builder b(base);
  return outcome(b, name);
}

// Replaces the block introducing `block` by a copy changed by `edit`, checks, returns the
// block's verdict.
template <class F>
Outcome mutate(const std::string& base, const std::string& block, F&& edit) {
  Builder b(base);
  std::vector<ConstantInfo> cs = b.decl_of(block);
  edit(b, cs);
  b.replace(block, cs);
  return outcome(b, block);
}

bool mentions(const Outcome& o, const std::string& s) { return o.message.find(s) != std::string::npos; }

// The recursor eliminating only into Prop: its motive universe (the first universe
// parameter) set to 0 and dropped.
void make_small_elim(Builder& b, ConstantInfo& rec) {
  REQUIRE(!rec.lparams.empty());
  std::vector<Name> p{rec.lparams[0]};
  std::vector<Level> z{b.lvl(0)};
  rec.type = instantiate_lparams(b.st(), rec.type, p, z);
  for (RecursorRule& r : rec.rules) r.rhs = instantiate_lparams(b.st(), r.rhs, p, z);
  rec.lparams.erase(rec.lparams.begin());
}

const char* kRTree = "tutorial/good/110_rtreeRecReduction.ndjson";  // Bool, RTree (reflexive), Eq

}  // namespace

TEST_CASE("strict positivity: the type may not occur to the left of an arrow") {
  // RTree.node : (Bool → RTree) → RTree is accepted (a reflexive type) ...
  CHECK(unchanged(kRTree, "RTree").status == VerdictStatus::Ok);
  // ... RTree.node : (Bool → RTree → Bool) → RTree is not (the Arena's reflOccLeft).
  Outcome o = mutate(kRTree, "RTree", [](Builder& b, std::vector<ConstantInfo>& cs) {
    b.in(cs, "RTree.node").type =
        b.arrow(b.arrow(b.c("Bool"), b.arrow(b.c("RTree"), b.c("Bool"))), b.c("RTree"));
  });
  CHECK(o.kind == "invalid_inductive");
  CHECK(mentions(o, "non positive"));
  // The classic negative type (Arena indNeg).
  auto vs = check_all(load("tutorial/bad/047_indNeg.ndjson"));
  CHECK(first_failure_kind(vs) == "invalid_inductive");
  CHECK(first_failure_message(vs).find("non positive") != std::string::npos);
}

TEST_CASE("strict positivity is checked after whnf of each field type, and only there") {
  // `constType (I α) (I α)` reduces to a positive occurrence (Arena reduceCtorParamRefl) ...
  CHECK(all_ok(check_all(load("tutorial/good/107_reduceCtorParamRefl.mk.ndjson"))));
  // ... but an occurrence inside the whnf (to the left of an arrow) stays negative even if
  // further reduction would remove it (Arena indNegReducible).
  auto vs = check_all(load("tutorial/bad/050_indNegReducible.ndjson"));
  CHECK(first_failure_kind(vs) == "invalid_inductive");
  CHECK(first_failure_message(vs).find("non positive") != std::string::npos);
  // The constructor's own type is not reduced: it must be manifest Πs (Arena reduceCtorType).
  CHECK(first_failure_kind(check_all(load("tutorial/bad/049_reduceCtorType.mk.ndjson"))) == "invalid_inductive");
}

TEST_CASE("the type being defined may not occur in an index") {
  auto in_result = check_all(load("tutorial/bad/046_inductInIndex.ndjson"));
  CHECK(first_failure_kind(in_result) == "invalid_inductive");
  // I : Type → Type with a field `I (I Bool)` or `Bool → I (I Bool)`: the type occurs in an
  // index of a recursive occurrence. (Positivity fails before the recursor is looked at, so
  // the block carries a dummy recursor, like the Arena's dummyRecInfo.)
  for (bool behind_arrow : {false, true}) {
    INFO(behind_arrow);
    Builder b(kRTree);
    Expr I = b.c("I"), B = b.c("Bool");
    Expr field = b.app(I, {b.app(I, {B})});
    if (behind_arrow) field = b.arrow(B, field);
    ConstantInfo t, mk, rec;
    t.name = b.n("I"), t.kind = ConstKind::Inductive, t.type = b.arrow(b.type(), b.type());
    t.num_indices = 1, t.all = {t.name}, t.ctors = {b.n("I.mk")}, t.is_rec = true;
    mk.name = b.n("I.mk"), mk.kind = ConstKind::Constructor, mk.type = b.arrow(field, b.app(I, {B}));
    mk.induct = t.name, mk.num_fields = 1;
    rec.name = b.n("I.rec"), rec.kind = ConstKind::Recursor, rec.type = b.prop(), rec.all = {t.name};
    b.raw(DeclKind::Inductive, {t, mk, rec});
    Outcome o = outcome(b, "I");
    CHECK(o.kind == "invalid_inductive");
    CHECK(mentions(o, "non valid occurrence"));
  }
  // The Arena's reflOccInIndex is ill-typed before positivity matters (its `I (I (bvar 0))`
  // sits under the Nat binder, so bvar 0 is a Nat): Lean's kernel type-checks the
  // constructor first and rejects it there, and so do we.
  CHECK(first_failure_kind(check_all(load("tutorial/bad/106_reflOccInIndex.ndjson"))) == "app_type_mismatch");
  // Indexed families whose indices are fine are accepted.
  CHECK(all_ok(check_all(load("tutorial/good/064_rbTreeRef.ndjson"))));
}

TEST_CASE("constructor fields live in universes no bigger than the type's, unless it is a Prop") {
  const char* base = "tutorial/good/052_typeWithTypeField.ndjson";  // TypeWithTypeField : Type 1, mk (α : Type)
  CHECK(unchanged(base, "TypeWithTypeField").status == VerdictStatus::Ok);
  // TypeWithTypeField : Type with a field α : Type (the Arena's typeWithTooHighTypeField).
  Outcome too_big = mutate(base, "TypeWithTypeField", [](Builder& b, std::vector<ConstantInfo>& cs) {
    b.in(cs, "TypeWithTypeField").type = b.type();
  });
  CHECK(too_big.kind == "invalid_inductive");
  CHECK(mentions(too_big, "too big"));
  // As a Prop, any field universe is fine (Arena PredWithTypeField); it then eliminates only
  // into Prop, since the field is data not determined by the type.
  Outcome as_prop = mutate(base, "TypeWithTypeField", [](Builder& b, std::vector<ConstantInfo>& cs) {
    b.in(cs, "TypeWithTypeField").type = b.prop();
    make_small_elim(b, b.in(cs, "TypeWithTypeField.rec"));
  });
  CHECK(as_prop.status == VerdictStatus::Ok);
  CHECK(all_ok(check_all(load("tutorial/good/053_typeWithTypeFieldPoly.ndjson"))));
}

TEST_CASE("field universes use Lean's incomplete ≤: imax(u,v)+1 ≤ imax(u,v) is false") {
  // I.{u,v} : Sort (imax u v) with one field. A field `PUnit.{imax u v}` (level imax u v)
  // passes the universe check (the block then fails only on its dummy recursor); a
  // field `Sort (imax u v)` (level imax u v + 1) is too big.
  for (bool too_big : {false, true}) {
    INFO(too_big);
    Builder b("tutorial/good/097_unitEta2.ndjson");  // PUnit
    Level l = b.limax(b.param("u"), b.param("v"));
    Expr I = b.c("I", {b.param("u"), b.param("v")});
    Expr field = too_big ? b.sort(l) : b.c("PUnit", {l});
    ConstantInfo t, mk, rec;
    t.name = b.n("I"), t.kind = ConstKind::Inductive, t.type = b.sort(l), t.lparams = {b.n("u"), b.n("v")};
    t.all = {t.name}, t.ctors = {b.n("I.mk")};
    mk.name = b.n("I.mk"), mk.kind = ConstKind::Constructor, mk.type = b.arrow(field, I), mk.lparams = t.lparams;
    mk.induct = t.name, mk.num_fields = 1;
    rec.name = b.n("I.rec"), rec.kind = ConstKind::Recursor, rec.type = b.prop(), rec.all = {t.name};
    rec.lparams = t.lparams;
    b.raw(DeclKind::Inductive, {t, mk, rec});
    Outcome o = outcome(b, "I");
    if (too_big) {
      CHECK(o.kind == "invalid_inductive");
      CHECK(mentions(o, "too big"));
    } else {
      CHECK(o.kind == "invalid_recursor");  // got past the field universe check
    }
  }
}

TEST_CASE("constructors take exactly the type's parameters and return the type at its parameters and levels") {
  CHECK(first_failure_kind(check_all(load("tutorial/bad/043_inductWrongCtorParams.ndjson"))) == "invalid_inductive");
  CHECK(first_failure_kind(check_all(load("tutorial/bad/044_inductWrongCtorResParams.ndjson"))) == "invalid_inductive");
  // PUnit.unit : PUnit.{u+1} inside the block of PUnit.{u} (the Arena's inductWrongCtorResLevel).
  Outcome wrong_level = mutate("tutorial/good/097_unitEta2.ndjson", "PUnit", [](Builder& b, std::vector<ConstantInfo>& cs) {
    b.in(cs, "PUnit.unit").type = b.c("PUnit", {b.lsucc(b.param("u"))});
  });
  CHECK(wrong_level.kind == "invalid_inductive");
  // Since Lean 4.33.1 (#14582) the occurrence check names it first.
  CHECK((mentions(wrong_level, "invalid return type") || mentions(wrong_level, "parameters and universe levels")));
  // More parameters than the type has Πs (the Arena's inductTooFewParams).
  Outcome too_few = mutate("tutorial/good/089_projRed.ndjson", "Prod", [](Builder& b, std::vector<ConstantInfo>& cs) {
    b.in(cs, "Prod").num_params = 3;
  });
  CHECK(too_few.kind == "invalid_inductive");
  CHECK((mentions(too_few, "number of parameters") || mentions(too_few, "parameters and universe levels")));
  // The type of an inductive must be a sort (Arena inductBadNonSort2).
  CHECK(first_failure_kind(check_all(load("tutorial/bad/040_inductBadNonSort2.ndjson"))) == "type_expected");
}

TEST_CASE("an inductive block may refer neither to itself in its type nor to later declarations") {
  Outcome self = mutate(kRTree, "Bool", [](Builder& b, std::vector<ConstantInfo>& cs) {
    b.in(cs, "Bool").type = b.arrow(b.c("Bool"), b.type());
  });
  CHECK(self.kind == "declared_later");
  Outcome later = mutate(kRTree, "Bool", [](Builder& b, std::vector<ConstantInfo>& cs) {
    b.in(cs, "Bool.true").type = b.arrow(b.c("RTree"), b.c("Bool"));
  });
  CHECK(later.kind == "declared_later");
}

TEST_CASE("large elimination only for types that are never Prop or are syntactic subsingletons") {
  // Bool as a Prop (two constructors) eliminates only into Prop (Arena boolPropRec) ...
  Outcome small_ok = mutate(kRTree, "Bool", [](Builder& b, std::vector<ConstantInfo>& cs) {
    b.in(cs, "Bool").type = b.prop();
    make_small_elim(b, b.in(cs, "Bool.rec"));
  });
  CHECK(small_ok.status == VerdictStatus::Ok);
  // ... and its export may not claim large elimination.
  Outcome large_bad = mutate(kRTree, "Bool", [](Builder& b, std::vector<ConstantInfo>& cs) {
    b.in(cs, "Bool").type = b.prop();
  });
  CHECK(large_bad.kind == "invalid_recursor");
  CHECK(mentions(large_bad, "elimination universe"));
  // One constructor whose data fields all occur in the indices: large elimination (Arena
  // sortElimPropRec), so claiming Prop-only elimination is wrong.
  CHECK(all_ok(check_all(load("tutorial/good/067_sortElimPropRec.ndjson"))));
  Outcome small_bad = mutate("tutorial/good/067_sortElimPropRec.ndjson", "SortElimProp",
                             [](Builder& b, std::vector<ConstantInfo>& cs) { make_small_elim(b, b.in(cs, "SortElimProp.rec")); });
  CHECK(small_bad.kind == "invalid_recursor");
  // A data field not in the result (Exists-like): Prop-only elimination.
  Outcome data_field = mutate("tutorial/good/052_typeWithTypeField.ndjson", "TypeWithTypeField",
                              [](Builder& b, std::vector<ConstantInfo>& cs) { b.in(cs, "TypeWithTypeField").type = b.prop(); });
  CHECK(data_field.kind == "invalid_recursor");
  // Eq (one constructor, no fields) and Empty (no constructor) eliminate into any universe.
  CHECK(all_ok(check_all(load("tutorial/good/062_eqRec.ndjson"))));
  CHECK(all_ok(check_all(load("tutorial/good/055_emptyRec.ndjson"))));
  CHECK(all_ok(check_all(load("tutorial/good/068_sortElimProp2Rec.ndjson"))));
}

TEST_CASE("the K flag is derived: only a Prop with one constructor without fields") {
  Outcome eq_no_k = mutate("tutorial/good/062_eqRec.ndjson", "Eq",
                           [](Builder& b, std::vector<ConstantInfo>& cs) { b.in(cs, "Eq.rec").k = false; });
  CHECK(eq_no_k.kind == "invalid_recursor");
  CHECK(mentions(eq_no_k, "k differs"));
  Outcome and_k = mutate("tutorial/good/058_andRec.ndjson", "And",
                         [](Builder& b, std::vector<ConstantInfo>& cs) { b.in(cs, "And.rec").k = true; });
  CHECK(and_k.kind == "invalid_recursor");
  Outcome bool_k = mutate(kRTree, "Bool", [](Builder& b, std::vector<ConstantInfo>& cs) { b.in(cs, "Bool.rec").k = true; });
  CHECK(bool_k.kind == "invalid_recursor");
  CHECK(unchanged("tutorial/good/062_eqRec.ndjson", "Eq").status == VerdictStatus::Ok);
}

TEST_CASE("every exported recursor field is compared with the derived recursor") {
  using Edit = std::function<void(Builder&, std::vector<ConstantInfo>&)>;
  struct Case {
    const char* what;
    const char* block;
    Edit edit;
    const char* message;
  };
  auto rec = [](Builder& b, std::vector<ConstantInfo>& cs, const char* n) -> ConstantInfo& { return b.in(cs, n); };
  std::vector<Case> cases = {
      {"numMinors", "Bool", [&](Builder& b, auto& cs) { rec(b, cs, "Bool.rec").num_minors = 3; }, "numMinors"},
      {"numMotives", "Bool", [&](Builder& b, auto& cs) { rec(b, cs, "Bool.rec").num_motives = 2; }, "numMotives"},
      {"numParams", "Bool", [&](Builder& b, auto& cs) { rec(b, cs, "Bool.rec").num_params = 1; }, "numParams"},
      {"numIndices", "Bool", [&](Builder& b, auto& cs) { rec(b, cs, "Bool.rec").num_indices = 1; }, "numIndices"},
      {"rule order", "Bool",
       [&](Builder& b, auto& cs) {
         auto& r = rec(b, cs, "Bool.rec").rules;
         std::swap(r[0], r[1]);
       },
       "constructor should be"},
      {"rule nfields", "RTree", [&](Builder& b, auto& cs) { rec(b, cs, "RTree.rec").rules[1].nfields = 2; }, "nfields"},
      {"rule right-hand side", "Bool",
       [&](Builder& b, auto& cs) {
         auto& r = rec(b, cs, "Bool.rec").rules;
         r[0].rhs = r[1].rhs;
       },
       "right-hand side differs"},
      {"missing rule", "Bool", [&](Builder& b, auto& cs) { rec(b, cs, "Bool.rec").rules.pop_back(); }, "rules"},
      {"recursor type", "Bool", [&](Builder& b, auto& cs) { rec(b, cs, "Bool.rec").type = b.c("Bool"); }, "type differs"},
      {"universe parameter names", "Bool",
       [&](Builder& b, auto& cs) { rec(b, cs, "Bool.rec").lparams = {b.n("u"), b.n("w")}; }, "universe parameters"},
      {"misnamed recursor", "Bool", [&](Builder& b, auto& cs) { rec(b, cs, "Bool.rec").name = b.n("Bool.not_rec"); },
       "not a recursor of this block"},
      {"missing recursor", "Bool",
       [&](Builder& b, auto& cs) {
         std::erase_if(cs, [&](const ConstantInfo& c) { return c.name == b.n("Bool.rec"); });
       },
       "missing recursor"},
      {"extra recursor", "Bool",
       [&](Builder& b, auto& cs) {
         ConstantInfo extra = rec(b, cs, "Bool.rec");
         extra.name = b.n("Bool.rec2");
         cs.push_back(extra);
       },
       "extra or misnamed"},
      {"recursor 'all'", "Bool", [&](Builder& b, auto& cs) { rec(b, cs, "Bool.rec").all = {b.n("RTree")}; }, "'all'"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    Outcome o = mutate(kRTree, c.block, c.edit);
    CHECK(o.kind == "invalid_recursor");
    CHECK(mentions(o, c.message));
  }
  // The Arena's BogusRecursor: a "recursor" whose type is False is caught (kiota version).
  CHECK(first_failure_kind(check_all(load("leanbatch/kiota-extra-rec-sole-false-typ.reject.ndjson"))) == "invalid_recursor");
  CHECK(first_failure_message(check_all(load("leanbatch/kiota-extra-rec-wrong-pi-type.reject.ndjson"))).find("type differs") !=
        std::string::npos);
}

TEST_CASE("every exported type info and constructor field is compared with the derived one") {
  using Edit = std::function<void(Builder&, std::vector<ConstantInfo>&)>;
  struct Case {
    const char* what;
    const char* block;
    Edit edit;
    const char* kind;
    const char* message;
  };
  std::vector<Case> cases = {
      {"isRec", "RTree", [](Builder& b, auto& cs) { b.in(cs, "RTree").is_rec = false; }, "invalid_recursor", "isRec"},
      {"isReflexive", "RTree", [](Builder& b, auto& cs) { b.in(cs, "RTree").is_reflexive = false; }, "invalid_recursor",
       "isReflexive"},
      {"isReflexive claimed", "Bool", [](Builder& b, auto& cs) { b.in(cs, "Bool").is_reflexive = true; },
       "invalid_recursor", "isReflexive"},
      {"numIndices", "Bool", [](Builder& b, auto& cs) { b.in(cs, "Bool").num_indices = 1; }, "invalid_recursor",
       "numIndices"},
      {"numNested", "Bool", [](Builder& b, auto& cs) { b.in(cs, "Bool").num_nested = 1; }, "invalid_recursor",
       "numNested"},
      {"type 'all'", "Bool", [](Builder& b, auto& cs) { b.in(cs, "Bool").all = {}; }, "invalid_recursor", "'all'"},
      {"cidx", "Bool", [](Builder& b, auto& cs) { b.in(cs, "Bool.true").cidx = 0; }, "invalid_recursor", "cidx"},
      {"numFields", "RTree", [](Builder& b, auto& cs) { b.in(cs, "RTree.node").num_fields = 2; }, "invalid_recursor",
       "numFields"},
      {"ctor numParams", "Bool", [](Builder& b, auto& cs) { b.in(cs, "Bool.true").num_params = 1; }, "invalid_recursor",
       "numParams"},
      {"induct", "Bool", [](Builder& b, auto& cs) { b.in(cs, "Bool.true").induct = b.n("RTree"); }, "invalid_recursor",
       "'induct'"},
      {"orphan constructor", "Bool", [](Builder& b, auto& cs) { b.in(cs, "Bool").ctors.pop_back(); },
       "invalid_inductive", "belongs to no type"},
      {"unknown constructor", "Bool", [](Builder& b, auto& cs) { b.in(cs, "Bool").ctors.push_back(b.n("Bool.maybe")); },
       "invalid_inductive", "does not declare"},
      {"constructor listed twice", "Bool",
       [](Builder& b, auto& cs) {
         auto& ctors = b.in(cs, "Bool").ctors;
         ctors[1] = ctors[0];
       },
       "invalid_inductive", "listed twice"},
      {"two constructors with one name", "Bool",  // the Arena's dup_ind_con_con
       [](Builder& b, auto& cs) {
         b.in(cs, "Bool.true").name = b.n("Bool.false");
         b.in(cs, "Bool").ctors[1] = b.n("Bool.false");
       },
       "already_declared", "twice"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    Outcome o = mutate(kRTree, c.block, c.edit);
    CHECK(o.kind == c.kind);
    CHECK(mentions(o, c.message));
  }
}

TEST_CASE("names: a constructor or recursor may not reuse a taken name") {
  for (auto [file, kind] : {std::pair{"tutorial/bad/121_dup_ind_def.ndjson", "already_declared"},
                            std::pair{"tutorial/bad/122_dup_ctor_def.ndjson", "already_declared"},
                            std::pair{"tutorial/bad/124_dup_rec_def2.ndjson", "invalid_recursor"},
                            std::pair{"tutorial/bad/125_dup_ctor_rec.ndjson", "already_declared"}}) {
    INFO(file);
    CHECK(first_failure_kind(check_all(load(file))) == kind);
  }
  // A definition named like the recursor of a later block (the Arena's dup_rec_def).
  Builder b(kRTree);
  b.drop("Bool");
  b.def("Bool.rec", b.type(), b.prop());
  b.raw(DeclKind::Inductive, b.decl_of("Bool"));
  auto env = b.build();
  auto vs = check_all(env);
  CHECK(status_for(*env, vs, "Bool.rec") == VerdictStatus::Ok);  // the definition came first
  CHECK(kind_of(*env, vs, "Bool") == "already_declared");
}

TEST_CASE("nested inductives: translated to an auxiliary block, numNested derived, positivity through the container") {
  const char* nested = "axeyum/fixtures/lean4export-v4.30-construct-matrix-nested.ndjson";
  CHECK(all_ok(check_all(load(nested))));
  Outcome inflated = mutate(nested, "AxeyumConstructMatrix.Rose", [](Builder& b, std::vector<ConstantInfo>& cs) {
    b.in(cs, "AxeyumConstructMatrix.Rose").num_nested = 2;
  });
  CHECK(inflated.kind == "invalid_recursor");
  CHECK(mentions(inflated, "numNested"));
  Outcome not_nested = mutate(nested, "AxeyumConstructMatrix.Rose", [](Builder& b, std::vector<ConstantInfo>& cs) {
    b.in(cs, "AxeyumConstructMatrix.Rose").num_nested = 0;
  });
  CHECK(not_nested.kind == "invalid_recursor");
  CHECK(first_failure_kind(check_all(load("kiota/inflated-numNested.reject.ndjson"))) == "invalid_recursor");
  // `Bad.mk : Neg Bad → Bad` where Neg α holds an `α → False`: negative through the container.
  auto vs = check_all(load("leanbatch/kiota-nested-neg-functor.reject.ndjson"));
  CHECK(first_failure_kind(vs) == "invalid_inductive");
  CHECK(first_failure_message(vs).find("non positive") != std::string::npos);
  CHECK(all_ok(check_all(load("axeyum/fixtures/lean4export-v4.30-nested-repeated-container-computation.ndjson"))));
}

TEST_CASE("a safe inductive may not nest an unsafe container") {
  const char* nested = "axeyum/fixtures/lean4export-v4.30-construct-matrix-nested.ndjson";
  Builder b(nested);
  std::vector<ConstantInfo> list = b.decl_of("AxeyumConstructMatrix.NestList");
  for (ConstantInfo& c : list) c.safety = Safety::Unsafe;
  b.replace("AxeyumConstructMatrix.NestList", list);
  auto env = b.build();
  CheckOptions allow;
  allow.allow_unsafe = true;
  auto vs = check_all(env, allow);
  CHECK(status_for(*env, vs, "AxeyumConstructMatrix.NestList") == VerdictStatus::Ok);
  CHECK(kind_of(*env, vs, "AxeyumConstructMatrix.Rose") == "unsafe_use");
  // Without --allow-unsafe the container is declined (not checked), and the safe block that
  // nests it is still rejected: Lean rejects it whatever became of the container.
  auto vs2 = check_all(env);
  CHECK(kind_of(*env, vs2, "AxeyumConstructMatrix.NestList") == "unsafe_declaration");
  CHECK(kind_of(*env, vs2, "AxeyumConstructMatrix.Rose") == "unsafe_use");
}
