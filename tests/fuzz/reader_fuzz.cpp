// libFuzzer harness: the export reader, and the kernel on whatever it accepts (with a time
// and memory budget per declaration). Any crash, sanitizer report or hang is a bug: bad
// input must end as a typed read error or as verdicts. Seeds: corpora/ (scripts/fuzz).
#include <cstdint>
#include <string_view>

#include "leanbatch/host/checker.hpp"
#include "leanbatch/host/export_reader.hpp"

using namespace leanbatch::host;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = read_export_buffer(text, "fuzz.ndjson", std::make_shared<TermStore>());
  if (!r) return 0;
  CheckOptions o;
  o.budget = std::chrono::milliseconds(200);
  o.max_scratch_exprs = 2'000'000;
  o.stack_bytes = size_t{64} << 20;
  Checker ck(*r, o);
  ck.check({}, [](const DeclVerdict&) {});
  return 0;
}
