// `leanbatch check FILE… [--decl NAME]… [--allow-axiom NAME]… [--allow-unsafe] [--axioms]`
// In-process path: read each file, check it with libhost, one row per declaration.
#include <chrono>
#include <set>

#include "common/logging.hpp"
#include "common/rows.hpp"
#include "leanbatch/commands.hpp"
#include "leanbatch/host/checker.hpp"
#include "leanbatch/host/export_reader.hpp"
#include <spdlog/spdlog.h>

namespace leanbatch::tools {

using namespace host;

namespace {

CheckOptions kernel_options(const CheckCliOptions& opts) {
  CheckOptions k;
  k.allow_unsafe = opts.allow_unsafe;
  k.collect_axioms = opts.axioms;
  k.strict_axioms = opts.strict_axioms;
  for (const std::string& a : opts.allow_axioms) k.allowed_axioms.push_back(a);
  k.budget = std::chrono::milliseconds(opts.budget_ms);
  k.cancel = opts.cancel;
  return k;
}

}  // namespace

int run_check_in_process(const CheckCliOptions& opts, RowWriter& out) {
  auto t0 = std::chrono::steady_clock::now();
  Outcomes oc;
  std::set<std::string> found_decls;
  for (const std::string& file : opts.files) {
    auto store = std::make_shared<TermStore>();
    ReadOptions ro;
    ro.cancel = opts.cancel;
    auto r = read_export_file(file, store, ro);
    if (!r) {
      if (r.error().kind == ReadErrorKind::Cancelled) {
        oc.interrupted = true;
        break;
      }
      spdlog::warn("{}", r.error().describe());
      if (r.error().is_decline())
        ++oc.declined;
      else
        ++oc.malformed;
      out.write(malformed_file_row(file, r.error()));
      continue;
    }
    std::shared_ptr<const Environment> env = *r;
    std::vector<uint32_t> selection;
    for (const std::string& name : opts.decls)
      for (uint32_t ci : env->find_printed(name)) {
        selection.push_back(env->constant(ci).decl);
        found_decls.insert(name);
      }
    if (!opts.decls.empty() && selection.empty()) continue;  // nothing requested lives here
    Checker checker(env, kernel_options(opts));
    checker.check(selection, [&](const DeclVerdict& v) {
      tally(oc, v.status);
      out.write(decl_row(file, *env, v, RowOrigin{}, opts.axioms));
    });
    spdlog::info("'{}': checked in {:.3f}s; extensions: {}", file,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                 [&] {
                   std::string s;
                   for (const auto& e : checker.enabled_extensions()) s += (s.empty() ? "" : ", ") + e;
                   return s.empty() ? std::string("none") : s;
                 }());
    if (opts.cancel && opts.cancel->requested()) oc.interrupted = true;
    if (out.failed()) break;
  }
  for (const std::string& name : opts.decls)
    if (!found_decls.count(name)) {
      ++oc.skipped;
      out.write(skipped_row(opts.files.size() == 1 ? opts.files[0] : "", name, "no declaration named '" + name + "'"));
    }
  if (out.failed()) oc.io_error = true;
  int rc = oc.exit_code();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.write(summary_row(oc, opts.files.size(), secs, rc));
  return rc;
}

}  // namespace leanbatch::tools

namespace leanbatch::tools {

int run_check(const CheckCliOptions& opts, RowWriter& out) { return run_check_in_process(opts, out); }

}  // namespace leanbatch::tools
