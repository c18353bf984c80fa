// `leanbatch info FILE [--decl NAME]… [--extract NAME… -o OUT]`
#include <sys/resource.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/exit_codes.hpp"
#include "common/logging.hpp"
#include "leanbatch/commands.hpp"
#include "leanbatch/host/decl_digest.hpp"
#include "leanbatch/host/export_reader.hpp"
#include "leanbatch/host/export_writer.hpp"
#include "leanbatch/host/expr_ops.hpp"
#include "leanbatch/host/json.hpp"
#include "leanbatch/host/level.hpp"
#include "leanbatch/host/pretty.hpp"

namespace leanbatch::tools {

using namespace host;

namespace {

uint64_t peak_rss_bytes() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<uint64_t>(ru.ru_maxrss) * 1024;
}

std::string summary(const Environment& env) {
  std::map<std::string, uint64_t> decls, consts;
  for (const Declaration& d : env.declarations()) ++decls[to_string(d.kind)];
  for (const ConstantInfo& c : env.constants()) ++consts[to_string(c.kind)];
  JsonObject dj, cj;
  dj.field("total", static_cast<uint64_t>(env.declarations().size()));
  for (const char* k : {"axiom", "def", "thm", "opaque", "quot", "inductive"}) dj.field(k, decls[k]);
  cj.field("total", static_cast<uint64_t>(env.constants().size()));
  for (const char* k : {"inductive", "ctor", "rec"}) cj.field(k, consts[k]);
  const ReadStats& s = env.stats;
  JsonObject o;
  o.field("schema", kRowSchema)
      .field("type", "info")
      .field("file", env.source)
      .field("format", env.meta.format_version)
      .field("exporter", env.meta.exporter_name + " " + env.meta.exporter_version)
      .field("lean", env.meta.lean_version)
      .raw("declarations", dj.str())
      .raw("constants", cj.str())
      .field("names", s.name_lines)
      .field("levels", s.level_lines)
      .field("exprs", s.expr_lines)
      .field("lines", s.lines)
      .field("bytes", s.bytes)
      .field("read_seconds", s.seconds)
      .field("mb_per_s", s.seconds > 0 ? static_cast<double>(s.bytes) / 1e6 / s.seconds : 0.0)
      .field("store_nodes", static_cast<uint64_t>(env.store().expr_count()))
      .field("store_bytes", static_cast<uint64_t>(env.store().bytes()))
      .field("peak_rss_bytes", peak_rss_bytes());
  return o.str();
}

// Constants the declaration's terms mention (excluding its own), sorted by name.
std::vector<std::string> direct_dependencies(const Environment& env, uint32_t decl_index) {
  const TermStore& st = env.store();
  const Declaration& d = env.declaration(decl_index);
  std::set<uint32_t> own;
  for (uint32_t i = d.first_const; i < d.first_const + d.num_consts; ++i) own.insert(env.constant(i).name.id);
  std::set<std::string> deps;
  auto scan = [&](Expr e) {
    if (!e.valid()) return;
    for_each_subterm(st, e, [&](Expr m) {
      if (st.kind(m) == ExprKind::Const && !own.count(st.const_name(m).id)) deps.insert(st.name_to_string(st.const_name(m)));
      return true;
    });
  };
  for (uint32_t i = d.first_const; i < d.first_const + d.num_consts; ++i) {
    scan(env.constant(i).type);
    scan(env.constant(i).value);
    for (const RecursorRule& r : env.constant(i).rules) scan(r.rhs);
  }
  return {deps.begin(), deps.end()};
}

std::string decl_info_row(const Environment& env, uint32_t ci, DeclDigests& digests) {
  const TermStore& st = env.store();
  const ConstantInfo& c = env.constant(ci);
  const Declaration& d = env.declaration(c.decl);
  std::vector<std::string> lps;
  for (Name n : c.lparams) lps.push_back(st.name_to_string(n));
  PrettyOptions po;
  po.max_chars = 4000;
  JsonObject o;
  o.field("schema", kRowSchema)
      .field("type", "decl_info")
      .field("name", st.name_to_string(c.name))
      .field("kind", to_string(c.kind))
      .field("line", static_cast<uint64_t>(d.line))
      .raw("level_params", json_string_array(lps))
      .field("type_pretty", pretty(st, c.type, po));
  if (c.kind == ConstKind::Definition) {
    std::string h = c.hints.kind == HintKind::Regular ? "regular " + std::to_string(c.hints.height)
                                                      : (c.hints.kind == HintKind::Abbrev ? "abbrev" : "opaque");
    o.field("hints", h).field("safety", to_string(c.safety));
  }
  if (c.kind != ConstKind::Definition && c.is_unsafe()) o.field("unsafe", true);
  if (c.kind == ConstKind::Inductive) {
    std::vector<std::string> ctors;
    for (Name n : c.ctors) ctors.push_back(st.name_to_string(n));
    o.field("num_params", c.num_params).field("num_indices", c.num_indices).raw("ctors", json_string_array(ctors));
  }
  o.raw("dependencies", json_string_array(direct_dependencies(env, c.decl)));
  // Content digest of the declaration and everything it depends on (decl_digest.hpp).
  o.field("digest", to_hex(digests.of_decl(c.decl)));
  return o.str();
}

}  // namespace

int run_info(const InfoOptions& opts, RowWriter& out) {
  auto store = std::make_shared<TermStore>();
  auto r = read_export_file(opts.file, store);
  if (!r) {
    report_error(r.error().describe());
    return r.error().is_decline() ? kExitDeclined : kExitRejected;
  }
  const Environment& env = **r;
  out.write(summary(env));
  int rc = kExitAccepted;
  for (const std::string& name : opts.decls) {
    auto hits = env.find_printed(name);
    if (hits.empty()) {
      report_error("'" + opts.file + "': no declaration named '" + name + "'");
      rc = kExitRejected;
      continue;
    }
    DeclDigests digests(env);
    for (uint32_t ci : hits) out.write(decl_info_row(env, ci, digests));
  }
  if (!opts.extract.empty()) {
    if (opts.output.empty()) {
      report_error("--extract needs -o OUT");
      return kExitUsage;
    }
    std::vector<uint32_t> roots;
    for (const std::string& name : opts.extract) {
      auto hits = env.find_printed(name);
      if (hits.empty()) {
        report_error("'" + opts.file + "': no declaration named '" + name + "'");
        return kExitRejected;
      }
      for (uint32_t ci : hits) roots.push_back(env.constant(ci).decl);
    }
    std::vector<uint32_t> closure = dependency_closure(env, roots);
    auto w = write_export_file(env, closure, opts.output);
    if (!w) {
      report_error(w.error());
      return kExitUndecided;
    }
    JsonObject o;
    o.field("schema", kRowSchema)
        .field("type", "extract")
        .field("file", opts.file)
        .field("output", opts.output)
        .field("declarations", w->declarations)
        .field("lines", w->lines)
        .field("bytes", w->bytes);
    out.write(o.str());
  }
  if (out.failed()) return kExitUndecided;
  return rc;
}

}  // namespace leanbatch::tools
