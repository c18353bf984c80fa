// Deep terms end with a verdict, never a stack overflow.
#include <stdexcept>
#include <thread>

#include "test_support.hpp"

using namespace lbtest;

namespace {
constexpr uint32_t kDepth = 1'000'000;

// Names 1..5: p f d x g; Prop is expression 0.
std::string prelude() {
  return R"({"in":1,"str":{"pre":0,"str":"p"}}
{"in":2,"str":{"pre":0,"str":"f"}}
{"in":3,"str":{"pre":0,"str":"d"}}
{"in":4,"str":{"pre":0,"str":"x"}}
{"in":5,"str":{"pre":0,"str":"g"}}
{"ie":0,"sort":0}
{"axiom":{"isUnsafe":false,"levelParams":[],"name":1,"type":0}}
{"ie":1,"forallE":{"binderInfo":"default","body":0,"name":4,"type":0}}
{"axiom":{"isUnsafe":false,"levelParams":[],"name":2,"type":1}}
{"ie":2,"const":{"name":1,"us":[]}}
{"ie":3,"const":{"name":2,"us":[]}}
)";
}

void expect_verdict(const std::string& text, const char* what) {
  auto r = read_export_buffer(text, what, std::make_shared<TermStore>());
  REQUIRE(r.has_value());
  auto vs = check_all(*r);
  REQUIRE(!vs.empty());
  const DeclVerdict& last = vs.back();
  INFO(what << ": " << last.kind << " " << last.message);
  CHECK((last.status == VerdictStatus::Ok || (last.status == VerdictStatus::Declined && last.kind == "kernel_limit")));
}
}  // namespace

TEST_CASE("a 1,000,000-deep nested application gets a verdict") {
  std::string t = std::string(kMeta) + "\n" + prelude();
  t.reserve(t.size() + 60ull * kDepth);
  uint32_t prev = 2;  // p
  for (uint32_t i = 0; i < kDepth; ++i) {
    uint32_t id = 4 + i;
    t += "{\"app\":{\"arg\":" + std::to_string(prev) + ",\"fn\":3},\"ie\":" + std::to_string(id) + "}\n";
    prev = id;
  }
  t += "{\"def\":{\"all\":[3],\"hints\":\"abbrev\",\"levelParams\":[],\"name\":3,\"safety\":\"safe\",\"type\":0,\"value\":" +
       std::to_string(prev) + "}}\n";
  expect_verdict(t, "nested application");
}

TEST_CASE("a 1,000,000-deep lambda chain gets a verdict") {
  std::string t = std::string(kMeta) + "\n" + prelude();
  t.reserve(t.size() + 160ull * kDepth);
  // type: Prop → Prop → … → Prop (kDepth arrows); value: fun x1 … xn => x1
  uint32_t next = 4;
  uint32_t ty = 0;
  for (uint32_t i = 0; i < kDepth; ++i) {
    t += "{\"forallE\":{\"binderInfo\":\"default\",\"body\":" + std::to_string(ty) + ",\"name\":4,\"type\":0},\"ie\":" +
         std::to_string(next) + "}\n";
    ty = next++;
  }
  uint32_t val = next++;
  t += "{\"bvar\":" + std::to_string(kDepth - 1) + ",\"ie\":" + std::to_string(val) + "}\n";
  for (uint32_t i = 0; i < kDepth; ++i) {
    t += "{\"ie\":" + std::to_string(next) + ",\"lam\":{\"binderInfo\":\"default\",\"body\":" + std::to_string(val) +
         ",\"name\":4,\"type\":0}}\n";
    val = next++;
  }
  t += "{\"def\":{\"all\":[3],\"hints\":\"abbrev\",\"levelParams\":[],\"name\":3,\"safety\":\"safe\",\"type\":" +
       std::to_string(ty) + ",\"value\":" + std::to_string(val) + "}}\n";
  expect_verdict(t, "lambda chain");
}

TEST_CASE("a 1,000,000-argument application spine gets a verdict") {
  std::string t = std::string(kMeta) + "\n" + prelude();
  t.reserve(t.size() + 120ull * kDepth);
  uint32_t next = 4;
  uint32_t ty = 0;
  for (uint32_t i = 0; i < kDepth; ++i) {
    t += "{\"forallE\":{\"binderInfo\":\"default\",\"body\":" + std::to_string(ty) + ",\"name\":4,\"type\":0},\"ie\":" +
         std::to_string(next) + "}\n";
    ty = next++;
  }
  t += "{\"axiom\":{\"isUnsafe\":false,\"levelParams\":[],\"name\":5,\"type\":" + std::to_string(ty) + "}}\n";
  uint32_t g = next++;
  t += "{\"const\":{\"name\":5,\"us\":[]},\"ie\":" + std::to_string(g) + "}\n";
  uint32_t val = g;
  for (uint32_t i = 0; i < kDepth; ++i) {
    t += "{\"app\":{\"arg\":2,\"fn\":" + std::to_string(val) + "},\"ie\":" + std::to_string(next) + "}\n";
    val = next++;
  }
  t += "{\"def\":{\"all\":[3],\"hints\":\"abbrev\",\"levelParams\":[],\"name\":3,\"safety\":\"safe\",\"type\":0,\"value\":" +
       std::to_string(val) + "}}\n";
  expect_verdict(t, "application spine");
}

namespace {
// A definition whose value nests 200,000 applications: deeper than a 24 MB stack allows.
std::string nesting_200k() {
  std::string t = std::string(kMeta) + "\n" + prelude();
  uint32_t prev = 2;
  for (uint32_t i = 0; i < 200000; ++i) {
    uint32_t id = 4 + i;
    t += "{\"app\":{\"arg\":" + std::to_string(prev) + ",\"fn\":3},\"ie\":" + std::to_string(id) + "}\n";
    prev = id;
  }
  t += "{\"def\":{\"all\":[3],\"hints\":\"abbrev\",\"levelParams\":[],\"name\":3,\"safety\":\"safe\",\"type\":0,\"value\":" +
       std::to_string(prev) + "}}\n";
  return t;
}
}  // namespace

TEST_CASE("a small stack turns runaway nesting into a kernel_limit verdict") {
  const std::string t = nesting_200k();
  auto r = read_export_buffer(t, "small-stack", std::make_shared<TermStore>());
  REQUIRE(r.has_value());
  CheckOptions o;
  o.stack_bytes = size_t{24} << 20;
  auto vs = check_all(*r, o);
  CHECK(vs.back().status == VerdictStatus::Declined);
  CHECK(vs.back().kind == "kernel_limit");
}

TEST_CASE("the large-stack thread is kept between checks and replaced for another stack size") {
  const size_t big = size_t{64} << 20, small = size_t{32} << 20;
  std::thread::id first, second, third;
  uintptr_t top_room = 0;
  REQUIRE(run_on_large_stack(big, [&](uintptr_t) { first = std::this_thread::get_id(); }));
  REQUIRE(run_on_large_stack(big, [&](uintptr_t) { second = std::this_thread::get_id(); }));
  CHECK(first == second);
  CHECK(first != std::this_thread::get_id());
  REQUIRE(run_on_large_stack(small, [&](uintptr_t limit) {
    third = std::this_thread::get_id();
    char here;
    top_room = reinterpret_cast<uintptr_t>(&here) - limit;
  }));
  // The guard follows this call's size, not the kept thread's earlier one.
  CHECK(top_room < small);
  CHECK(top_room > small / 2);
  // An exception comes back to the caller, and the thread stays usable.
  CHECK_THROWS_AS(run_on_large_stack(small, [](uintptr_t) { throw std::runtime_error("boom"); }), std::runtime_error);
  std::thread::id after;
  REQUIRE(run_on_large_stack(small, [&](uintptr_t) { after = std::this_thread::get_id(); }));
  CHECK(after == third);
  // A call from inside a job gets a thread of its own (no deadlock).
  bool inner_ran = false;
  REQUIRE(run_on_large_stack(small, [&](uintptr_t) {
    REQUIRE(run_on_large_stack(small, [&](uintptr_t) { inner_ran = std::this_thread::get_id() != after; }));
  }));
  CHECK(inner_ran);
}

TEST_CASE("a small stack still ends in kernel_limit right after a check on the default stack") {
  const std::string t = nesting_200k();
  auto r = read_export_buffer(t, "small-after-big", std::make_shared<TermStore>());
  REQUIRE(r.has_value());
  (void)check_all(*r, CheckOptions{});  // on the default stack: the kept thread is a big one now
  CheckOptions o;
  o.stack_bytes = size_t{24} << 20;
  auto vs = check_all(*r, o);
  CHECK(vs.back().status == VerdictStatus::Declined);
  CHECK(vs.back().kind == "kernel_limit");
}
