// Universe levels: normalisation, equivalence, ≥ (Lean's algorithm, including its traps).
#include "leanbatch/host/level.hpp"
#include "test_support.hpp"

using namespace leanbatch::host;

namespace {
struct L {
  TermStore st;
  Level zero() { return st.level_zero(); }
  Level n(unsigned k) { return level_succ_n(st, zero(), k); }
  Level p(const char* s) { return st.level_param(st.name_str(Name{}, s)); }
  Level succ(Level l) { return st.level_succ(l); }
  Level max(Level a, Level b) { return st.level_max_core(a, b); }
  Level imax(Level a, Level b) { return st.level_imax_core(a, b); }
  bool eqv(Level a, Level b) { return level_is_equivalent(st, a, b); }
  bool geq(Level a, Level b) { return level_is_geq(st, a, b); }
};
}  // namespace

TEST_CASE("level equivalence by normalisation") {
  L l;
  Level u = l.p("u"), v = l.p("v");
  CHECK(l.eqv(l.max(u, v), l.max(v, u)));
  CHECK(l.eqv(l.max(u, u), u));
  CHECK(l.eqv(l.max(l.succ(u), u), l.succ(u)));
  CHECK(l.eqv(l.max(l.n(1), l.succ(u)), l.succ(u)));  // explicit level subsumed
  CHECK(l.eqv(l.max(l.max(u, v), l.n(0)), l.max(v, u)));
  CHECK(l.eqv(l.imax(u, l.zero()), l.zero()));       // imax u 0 = 0
  CHECK(l.eqv(l.imax(l.zero(), u), u));              // imax 0 u = u
  CHECK(l.eqv(l.imax(l.n(1), u), u));                // imax 1 u = u
  CHECK(l.eqv(l.imax(u, l.succ(v)), l.max(u, l.succ(v))));
  CHECK(l.eqv(l.succ(l.max(u, v)), l.max(l.succ(v), l.succ(u))));
  CHECK_FALSE(l.eqv(u, v));
  CHECK_FALSE(l.eqv(l.imax(u, v), l.max(u, v)));     // differ when v = 0
  CHECK_FALSE(l.eqv(l.succ(u), u));
  CHECK_FALSE(l.eqv(l.max(u, l.n(1)), u));           // differ when u = 0
}

TEST_CASE("level >= is Lean's sound syntactic test") {
  L l;
  Level u = l.p("u"), v = l.p("v");
  CHECK(l.geq(l.succ(u), u));
  CHECK(l.geq(l.max(u, v), u));
  CHECK(l.geq(l.max(u, v), l.imax(u, v)));
  CHECK(l.geq(u, l.zero()));
  CHECK(l.geq(l.succ(u), l.n(1)));
  CHECK(l.geq(l.imax(u, v), v));
  CHECK_FALSE(l.geq(u, l.succ(u)));
  CHECK_FALSE(l.geq(u, v));
  CHECK_FALSE(l.geq(l.n(1), l.succ(u)));  // 1 ≥ u+1 fails for u ≥ 1
  CHECK_FALSE(l.geq(u, l.n(1)));          // u may be 0
  // Arena trap: imax(u,v)+1 ≤ imax(u,v) is false.
  CHECK_FALSE(l.geq(l.imax(u, v), l.succ(l.imax(u, v))));
  // Lean's test is incomplete: it cannot see imax(u,v)+1 ≥ imax(u,v) (we must not either),
  // but it does see max(u,v)+1 ≥ max(u,v).
  CHECK_FALSE(l.geq(l.succ(l.imax(u, v)), l.imax(u, v)));
  CHECK(l.geq(l.succ(l.max(u, v)), l.max(u, v)));
}

TEST_CASE("level instantiation simplifies as it rebuilds") {
  L l;
  Level u = l.p("u"), v = l.p("v");
  std::vector<Name> ps{l.st.name_str(Name{}, "u"), l.st.name_str(Name{}, "v")};
  std::vector<Level> vs{l.zero(), l.n(2)};
  CHECK(level_instantiate(l.st, l.imax(u, v), ps, vs) == l.n(2));
  std::vector<Level> vs2{l.n(1), l.zero()};
  CHECK(level_instantiate(l.st, l.imax(u, v), ps, vs2) == l.zero());
  CHECK(level_undefined_param(l.st, l.max(u, l.p("w")), ps).has_value());
  CHECK_FALSE(level_undefined_param(l.st, l.max(u, v), ps).has_value());
}

TEST_CASE("levels print as Lean writes them") {
  L l;
  Level u = l.p("u");
  CHECK(level_to_string(l.st, l.n(3)) == "3");
  CHECK(level_to_string(l.st, l.succ(u)) == "u+1");
  CHECK(level_to_string(l.st, l.max(u, l.succ(u))) == "max u (u+1)");
}
