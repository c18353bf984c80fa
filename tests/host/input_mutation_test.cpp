// Property test on raw input: mutate the text of real exports (flip bytes, drop, repeat or
// swap lines, change numbers, truncate) and feed every mutant to the reader and, when it
// reads, to the kernel. Whatever the mutant, the reader returns an environment or a typed
// error that names the file, a line inside the input and a message; the kernel gives every
// declaration exactly one verdict, and never an internal error. A crash or a hang fails the
// test run itself.
#include <algorithm>
#include <cstdlib>
#include <random>

#include "test_support.hpp"

using namespace lbtest;

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// One random textual mutation. The meta line (line 1) is kept most of the time so that the
// mutation reaches the body.
std::string mutate_text(const std::string& text, std::mt19937& rng) {
  auto lines = split_lines(text);
  if (lines.empty()) return text + "{}";  // an emptied input (after truncation) gets a stray object
  auto idx = [&](size_t lo, size_t n) { return std::uniform_int_distribution<size_t>(lo, n - 1)(rng); };
  const size_t lo = lines.size() > 1 ? 1 : 0;
  switch (std::uniform_int_distribution<int>(0, 6)(rng)) {
    case 0: {  // overwrite one byte
      std::string t = text;
      if (t.empty()) return t;
      static const char kChars[] = "{}[]\":,0123456789-aez \\\n\t";
      t[idx(0, t.size())] = kChars[idx(0, sizeof(kChars) - 1)];
      return t;
    }
    case 1:  // drop a line
      if (lines.size() > 1) lines.erase(lines.begin() + static_cast<long>(idx(lo, lines.size())));
      return join_lines(lines);
    case 2: {  // repeat a line (duplicate ids, duplicate declarations)
      size_t i = idx(lo, lines.size());
      lines.insert(lines.begin() + static_cast<long>(idx(lo, lines.size())), lines[i]);
      return join_lines(lines);
    }
    case 3:  // swap two lines (forward references, declarations out of order)
      std::swap(lines[idx(lo, lines.size())], lines[idx(lo, lines.size())]);
      return join_lines(lines);
    case 4: {  // change a number: an id, an index, a count
      size_t i = idx(lo, lines.size());
      std::string& l = lines[i];
      std::vector<size_t> digits;
      for (size_t k = 0; k < l.size(); ++k)
        if (l[k] >= '0' && l[k] <= '9' && (k == 0 || l[k - 1] < '0' || l[k - 1] > '9')) digits.push_back(k);
      if (digits.empty()) return join_lines(lines);
      size_t at = digits[idx(0, digits.size())];
      size_t end = at;
      while (end < l.size() && l[end] >= '0' && l[end] <= '9') ++end;
      static const char* kNums[] = {"0", "1", "2", "3", "7", "4294967295", "4294967296", "18446744073709551616", "-1"};
      l.replace(at, end - at, kNums[idx(0, std::size(kNums))]);
      return join_lines(lines);
    }
    case 5:  // truncate anywhere
      return text.substr(0, idx(0, text.size() + 1));
    default: {  // move a declaration line earlier (use before declaration)
      size_t i = idx(lo, lines.size());
      size_t j = idx(lo, lines.size());
      if (i > j) std::swap(i, j);
      std::string moved = lines[j];
      lines.erase(lines.begin() + static_cast<long>(j));
      lines.insert(lines.begin() + static_cast<long>(i), moved);
      return join_lines(lines);
    }
  }
}

}  // namespace

TEST_CASE("mutated input text: a typed error with a line, or one verdict per declaration") {
  const std::vector<std::string> files = {
      "tutorial/good/001_basicDef.ndjson",
      "axeyum/nat-le-succ.ndjson",
      "axeyum/fixtures/lean4export-v4.30-construct-matrix-nested.ndjson",
      "axeyum/fixtures/lean4export-v4.30-construct-matrix-mutual.ndjson",
      "axeyum/fixtures/lean4export-v4.30-quotient.ndjson",
      "axeyum/fixtures/lean4export-v4.30-nat-literal.ndjson",
      "axeyum/fixtures/lean4export-v4.30-projection.ndjson",
      "tutorial/bad/092_ruleKAcc.ndjson",
  };
  // A fixed seed keeps ctest repeatable; scripts/soak-mutations varies it (LB_MUTATION_SEED)
  // and raises the count (LB_MUTATIONS) for long runs.
  const char* seed_env = std::getenv("LB_MUTATION_SEED");
  const char* count_env = std::getenv("LB_MUTATIONS");
  std::mt19937 rng(seed_env ? static_cast<unsigned>(std::stoul(seed_env)) : 20261201u);
  const int kMutantsPerFile = count_env ? std::stoi(count_env) : 150;
  size_t read_ok = 0, read_err = 0, verdicts = 0;
  for (const std::string& f : files) {
    std::string text = slurp_corpus(f);
    REQUIRE(!text.empty());
    uint64_t total_lines = static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n')) + 2;
    for (int m = 0; m < kMutantsPerFile; ++m) {
      std::string mutant = mutate_text(text, rng);
      // Up to three stacked mutations.
      int extra = std::uniform_int_distribution<int>(0, 3)(rng) - 1;  // mostly a single mutation
      for (int k = 0; k < extra; ++k) mutant = mutate_text(mutant, rng);
      INFO(f << " mutant " << m);
      ReadResult r = std::unexpected(ReadError{});
      try {
        r = read_export_buffer(mutant, "mutant.ndjson", std::make_shared<TermStore>());
      } catch (const std::exception& e) {
        std::ofstream("/tmp/mutant-crash.ndjson") << mutant;
        FAIL("the reader threw: " << e.what() << " (mutant in /tmp/mutant-crash.ndjson)");
      }
      if (!r) {
        ++read_err;
        CHECK(r.error().file == "mutant.ndjson");
        CHECK(!r.error().message.empty());
        CHECK(r.error().line <= total_lines + 3);
        CHECK(r.error().offset <= mutant.size());
        continue;
      }
      ++read_ok;
      CheckOptions opts;
      opts.budget = std::chrono::milliseconds(2000);
      std::vector<DeclVerdict> vs = check_all(*r, opts);
      CHECK(vs.size() == (*r)->declarations().size());
      std::vector<bool> seen((*r)->declarations().size(), false);
      for (const DeclVerdict& v : vs) {
        REQUIRE(v.decl < seen.size());
        CHECK_FALSE(seen[v.decl]);
        seen[v.decl] = true;
        INFO(v.kind << ": " << v.message);
        CHECK(v.status != VerdictStatus::Error);
        if (v.status != VerdictStatus::Ok) CHECK(!v.kind.empty());
        ++verdicts;
      }
    }
  }
  // The mutations must exercise both paths, or the test proves nothing.
  CHECK(read_ok > 20);
  CHECK(read_err > 20);
  CHECK(verdicts > 100);
}
