// `leanbatch plan EXPORT --parts K`: one export split into K manifest items, to spread its
// checking over machines (`leanbatch run` on each item, anywhere).
//
// Each item lists the declarations of one contiguous range of the file; `run` checks an
// item's declarations after their dependency closure (checked, not reported), so every
// item's rows are exactly the rows of those declarations in a serial check of the whole file
// and no join is needed: concatenating the K outputs gives the serial row set. The ranges
// are balanced by cost, estimated by the number of export lines a declaration's terms take
// (the lines since the previous declaration), because term size is what checking costs.
#include <algorithm>

#include "common/exit_codes.hpp"
#include "common/logging.hpp"
#include "leanbatch/commands.hpp"
#include "leanbatch/host/export_reader.hpp"
#include "leanbatch/host/json.hpp"

namespace leanbatch::tools {

using namespace host;

int run_plan(const PlanOptions& opts, RowWriter& out) {
  auto r = read_export_file(opts.file, std::make_shared<TermStore>());
  if (!r) {
    report_error(r.error().describe());
    return r.error().is_decline() ? kExitDeclined : kExitRejected;
  }
  const Environment& env = **r;
  const size_t n = env.declarations().size();
  const size_t k = std::max<size_t>(1, std::min<size_t>(opts.parts, std::max<size_t>(n, 1)));
  std::vector<uint64_t> cost(n);
  uint64_t total = 0, prev_line = 1;
  for (size_t d = 0; d < n; ++d) {
    uint64_t line = env.declaration(static_cast<uint32_t>(d)).line;
    cost[d] = line > prev_line ? line - prev_line : 1;
    prev_line = line;
    total += cost[d];
  }
  size_t d = 0;
  uint64_t done = 0;
  for (size_t p = 0; p < k; ++p) {
    // Cut where the cumulative cost reaches the next k-th of the total (at least one
    // declaration per part while declarations remain).
    uint64_t target = total * (p + 1) / k;
    std::vector<std::string> names;
    while (d < n && (names.empty() || done + cost[d] <= target || p + 1 == k)) {
      names.push_back(env.store().name_to_string(env.constant(env.declaration(static_cast<uint32_t>(d)).first_const).name));
      done += cost[d];
      ++d;
    }
    JsonObject o;
    o.field("file", opts.file)
        .field("module", "part " + std::to_string(p + 1) + "/" + std::to_string(k))
        .raw("decls", json_string_array(names));
    out.write(o.str());
  }
  return kExitAccepted;
}

}  // namespace leanbatch::tools
