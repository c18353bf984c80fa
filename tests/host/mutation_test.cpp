// Property test: mutate statements and proofs of good files (swap subterms, shift bound
// variables, bump universe levels, wrap in a beta-redex). Every mutant must get a verdict (no crash, no hang, no
// internal error), and an accepted mutant must not prove a changed statement: if its
// statement was mutated, the new statement is definitionally equal to the original.
#include <map>
#include <random>

#include "leanbatch/host/export_writer.hpp"
#include "leanbatch/host/expr_ops.hpp"
#include "test_support.hpp"

using namespace lbtest;

namespace {

std::vector<Expr> subterms(const TermStore& st, Expr e) {
  std::vector<Expr> out;
  for_each_subterm(st, e, [&](Expr m) {
    out.push_back(m);
    return true;
  });
  return out;
}

Expr replace_node(TermStore& st, Expr e, Expr from, Expr to) {
  return replace_expr(st, e, [&](Expr m, uint32_t) { return m == from ? to : Expr{}; });
}

// One random mutation of `e`, or `e` itself when none applies.
Expr mutate(TermStore& st, Expr e, std::mt19937& rng) {
  std::vector<Expr> subs = subterms(st, e);
  if (subs.size() < 2) return e;
  auto pick = [&](const std::vector<Expr>& v) { return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)]; };
  switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
    case 3: {  // meaning-preserving: t ↦ (fun _ : Type => t) Prop
      Expr t = pick(subs);
      Expr type0 = st.mk_sort(st.level_succ(st.level_zero()));
      Expr redex = st.mk_app(st.mk_lambda(Name{}, BinderInfo::Default, type0, lift_loose_bvars(st, t, 0, 1)),
                             st.mk_sort(st.level_zero()));
      return replace_node(st, e, t, redex);
    }
    case 0: {  // swap two subterms
      Expr a = pick(subs), b = pick(subs);
      if (a == b) return e;
      Expr tmp = st.mk_const(st.name_str(Name{}, "__swap_marker__"), LevelList{});
      return replace_node(st, replace_node(st, replace_node(st, e, a, tmp), b, a), tmp, b);
    }
    case 1: {  // shift a bound variable
      std::vector<Expr> bvars;
      for (Expr m : subs)
        if (st.kind(m) == ExprKind::BVar) bvars.push_back(m);
      if (bvars.empty()) return e;
      Expr v = pick(bvars);
      uint32_t i = st.bvar_idx(v);
      uint32_t j = (i == 0 || std::uniform_int_distribution<int>(0, 1)(rng)) ? i + 1 : i - 1;
      return replace_node(st, e, v, st.mk_bvar(j));
    }
    default: {  // bump a universe level
      std::vector<Expr> lv;
      for (Expr m : subs)
        if (st.kind(m) == ExprKind::Sort || (st.kind(m) == ExprKind::Const && st.levels(st.const_levels(m)).size() > 0))
          lv.push_back(m);
      if (lv.empty()) return e;
      Expr m = pick(lv);
      if (st.kind(m) == ExprKind::Sort) return replace_node(st, e, m, st.mk_sort(st.level_succ(st.sort_level(m))));
      auto ls = st.levels(st.const_levels(m));
      std::vector<Level> nl(ls.begin(), ls.end());
      nl[0] = st.level_succ(nl[0]);
      return replace_node(st, e, m, st.mk_const(st.const_name(m), st.level_list(nl)));
    }
  }
}

}  // namespace

TEST_CASE("mutated theorems: a verdict for every mutant, and no accepted change of statement") {
  std::mt19937 rng(20261121);
  unsigned mutants = 0, accepted_type_mutants = 0, rejected = 0;
  std::map<std::string, unsigned> kinds;
  for (const char* f : {"lean4export/Nat.add_succ.ndjson", "axeyum/nat-le-refl.ndjson", "axeyum/nat-le-succ.ndjson",
                        "tutorial/good/073_RBTree.id_spec.ndjson", "tutorial/good/070_prodRecEqns.ndjson",
                        "tutorial/good/062_eqRec.ndjson", "tutorial/good/095_proofIrrelevance.ndjson",
                        "tutorial/good/118_quotLiftReduction.ndjson", "tutorial/good/074_And.right.ndjson",
                        "axeyum/fixtures/lean4export-v4.30-nat-literal.ndjson", "axeyum/classical-em.ndjson",
                        "axeyum/nat-add-comm.ndjson", "axeyum/bool-and-comm.ndjson", "axeyum/list-nil-append.ndjson",
                        "converted/Nat.gcd.ndjson", "kiota/080_RBTree.id_spec.accept.ndjson"}) {
    INFO(f);
    auto st = std::make_shared<TermStore>();
    auto env = load(f, st);
    unsigned theorems = 0;
    for (uint32_t d = 0; d < env->declarations().size() && theorems < 30; ++d) {
      const Declaration& decl = env->declaration(d);
      if (decl.kind != DeclKind::Theorem) continue;
      ++theorems;
      std::vector<uint32_t> roots{d};
      std::vector<uint32_t> closure = dependency_closure(*env, roots);
      const ConstantInfo& orig = env->constant(decl.first_const);
      for (int k = -1; k < 30; ++k) {
        bool mutate_type = k % 3 == 0;
        ConstantInfo m = orig;
        if (k >= 0) {
          if (mutate_type)
            m.type = mutate(*st, orig.type, rng);
          else
            m.value = mutate(*st, orig.value, rng);
          if (m.type == orig.type && m.value == orig.value) continue;
        }
        auto menv = std::make_shared<Environment>(st);
        for (uint32_t cd : closure) {
          const Declaration& dd = env->declaration(cd);
          std::vector<ConstantInfo> consts(env->constants().begin() + dd.first_const,
                                           env->constants().begin() + dd.first_const + dd.num_consts);
          if (cd == d) consts[0] = m;
          menv->add(Declaration{dd.kind, dd.line, dd.offset, 0, 0}, std::move(consts));
        }
        CheckOptions o;
        o.budget = std::chrono::milliseconds(3000);
        Checker ck(menv, o);
        std::vector<DeclVerdict> vs;
        ck.check({}, [&](const DeclVerdict& v) { vs.push_back(v); });
        REQUIRE(vs.size() == closure.size());
        const DeclVerdict& v = vs.back();
        INFO("mutant " << k << ": " << v.kind << " " << v.message);
        if (k < 0) {  // the unmutated copy is the control: it must be accepted
          CHECK(v.status == VerdictStatus::Ok);
          continue;
        }
        ++mutants;
        ++kinds[v.kind];
        CHECK(v.status != VerdictStatus::Error);
        if (v.status != VerdictStatus::Ok) {
          ++rejected;
          continue;
        }
        if (mutate_type) {
          ++accepted_type_mutants;
          auto same = ck.is_def_eq(orig.type, m.type, orig.lparams);
          CHECK(same.has_value());
          CHECK(same.value_or(false));
        }
      }
    }
  }
  for (auto& [k, n] : kinds) WARN(k << ": " << n);
  WARN(mutants << " mutants, " << rejected << " rejected, " << accepted_type_mutants << " accepted statement mutants");
  CHECK(mutants > 50);
  CHECK(rejected > mutants / 4);
  CHECK(accepted_type_mutants > 0);  // the meaning-preserving mutations do get accepted
}
