// `leanbatch check FILE…` and `leanbatch run MANIFEST`: build the work items, then check
// them in this process (--in-process) or through supervised workers (supervised_run.cpp).
#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <unordered_map>
#include <spdlog/spdlog.h>

#include "common/logging.hpp"
#include "common/rows.hpp"
#include "common/verified_cache.hpp"
#include "leanbatch/commands.hpp"
#include "leanbatch/host/checker.hpp"
#include "leanbatch/host/decl_digest.hpp"
#include "leanbatch/host/export_image.hpp"
#include "leanbatch/host/export_reader.hpp"
#include "leanbatch/host/json.hpp"
#include "leanbatch/file_cache.hpp"
#include "leanbatch/run_images.hpp"
#include "leanbatch/spool.hpp"
#include "leanbatch/work_items.hpp"

namespace leanbatch::tools {

int run_supervised(const std::vector<WorkItem>& items, const CheckCliOptions& opts, bool names_global, RunReport& report);

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

// In-process: one checker per export file, shared by the items that name it. With
// `names_global` (check --decl) a name missing from every file is one skipped row;
// otherwise (manifests) each item reports its own missing names.
// `cache`: the run's --cache (opened by dispatch), or null.
int run_in_process(const std::vector<WorkItem>& items, const CheckCliOptions& opts, bool names_global, RunReport& report,
                   VerifiedCache* cache) {
  auto t0 = std::chrono::steady_clock::now();
  // Several exports (a sweep): declarations verified once are reused (docs/kernel.md).
  std::shared_ptr<ReuseSet> reuse;
  {
    std::set<std::string> distinct;
    for (const WorkItem& it : items) distinct.insert(it.file);
    if (opts.reuse_on(distinct.size())) {
      reuse = std::make_shared<ReuseSet>();
      reuse->label = "process";
    }
  }
  // --cache: what earlier runs verified, and what this one verifies, by content key.
  if (reuse && cache) {
    cache->load(reuse->persisted);
    reuse->on_verified = [cache](const std::string& key) { cache->add(key); };
  }
  Outcomes oc;
  std::set<std::string> found;
  std::string loaded_path;
  std::shared_ptr<const Environment> env;
  std::unique_ptr<Checker> checker;
  std::optional<ReadError> load_error;
  // Interrupted: every item not reached (or whose export was being read) gets a `cancelled`
  // file row, so that nothing named on the command line or in the manifest goes unreported.
  size_t next = 0;
  auto cancel_rest = [&](size_t from) {
    for (size_t k = from; k < items.size(); ++k) {
      tally_file(oc, "cancelled");
      report.row(k, file_row(RowSource{items[k].display, items[k].module}, "cancelled", "cancelled",
                             "interrupted before this export was checked"));
      report.done(k);
    }
  };
  for (; next < items.size(); ++next) {
    const WorkItem& item = items[next];
    if (opts.cancel && opts.cancel->requested()) {
      oc.interrupted = true;
      cancel_rest(next);
      break;
    }
    // --cache: an unchanged export under the same options gets its stored rows.
    if (report.file_cache() && report.file_cache()->replay(next, item, report, oc)) continue;
    report.started(next);
    if (item.file != loaded_path) {
      loaded_path = item.file;
      // Prefix reuse with reuse on (several exports): the export this thread read last is
      // kept until the next one is read, which may start after the bytes they share, in its
      // store (ReadOptions::prefix_from; only this thread uses that store).
      std::shared_ptr<const Environment> prev = reuse ? std::move(env) : nullptr;
      std::unique_ptr<Checker> prev_checker = reuse ? std::move(checker) : nullptr;
      checker.reset();
      env.reset();
      load_error.reset();
      ReadOptions ro;
      ro.cancel = opts.cancel;
      ro.record_trail = reuse != nullptr;
      ro.prefix_from = prev;
      // --cache: rows are stored only with the digest of the bytes they came from
      // (FileCache::observed; the file may change after its key was taken).
      ro.hash_bytes = report.file_cache() != nullptr;
      // Kept images only (--image-dir, --cache): this process reads each export once, so it
      // keeps what it read (share = false) and a later run maps the image.
      ImageOptions io{opts.run_image_dir, opts.image_min_mb << 20, false};
      ImageReport image;
      auto r = load_export(item.file, ro, io, &image);
      log_image(item.file, to_string(image.use), image.seconds, image.note);
      if (r) {
        env = *r;
        CheckOptions ko = kernel_options(opts);
        ko.reuse = reuse;
        // Rows are written in batches (below); what is held goes out before any real check.
        ko.before_check = [&report] { report.out().flush(); };
        checker = std::make_unique<Checker>(env, std::move(ko));
        if (prev_checker && env->seeded_decls > 0) checker->seed_digests(*prev_checker);
      } else {
        load_error = r.error();
      }
    }
    if (env && report.file_cache())
      report.file_cache()->observed(next, env->bytes_sha256 ? host::to_hex(*env->bytes_sha256) : std::string());
    if (load_error) {
      if (load_error->kind == ReadErrorKind::Cancelled) {
        oc.interrupted = true;
        cancel_rest(next);
        break;
      }
      spdlog::warn("{}", load_error->describe());
      tally_file(oc, file_status(*load_error));
      report.row(next, file_error_row(RowSource{item.display, item.module}, *load_error));
      report.done(next);
      continue;
    }
    std::vector<uint32_t> selection;
    for (const std::string& name : item.decls) {
      auto hits = env->find_printed(name);
      if (hits.empty() && !names_global) {
        ++oc.skipped;
        report.row(next, skipped_row(item.display, name, "no declaration named '" + name + "'"));
      }
      if (!hits.empty()) found.insert(name);
      for (uint32_t ci : hits) selection.push_back(env->constant(ci).decl);
    }
    if (!item.decls.empty() && selection.empty()) {
      report.done(next);
      continue;
    }
    std::sort(selection.begin(), selection.end());
    selection.erase(std::unique(selection.begin(), selection.end()), selection.end());
    report.planned(next, selection.empty() ? env->declarations().size() : selection.size());
    RowWriter::Batch batch(report.out());  // rows decided together (reused ones) go out together
    checker->check(selection, [&](const DeclVerdict& v) {
      tally(oc, v.status);
      report.row(next, decl_row(RowSource{item.display, item.module}, *env, v, RowOrigin{}, opts.axioms));
    });
    report.done(next);
    if (cache) cache->flush();  // committed per export: an interrupted run keeps what it verified
    spdlog::info("'{}': done; extensions: {}", item.display, [&] {
      std::string s;
      for (const auto& e : checker->enabled_extensions()) s += (s.empty() ? "" : ", ") + e;
      return s.empty() ? std::string("none") : s;
    }());
    if (opts.cancel && opts.cancel->requested()) {
      oc.interrupted = true;
      cancel_rest(next + 1);
      break;
    }
    if (report.out().failed()) break;
  }
  return finish_run(items, names_global, found, oc, report, t0);
}

// `--shard I/N`: keeps the I-th of N disjoint shards of the work. The unit is the export
// file (in order of first mention, every N-th starting with the I-th), so that the shards of
// a sweep import disjoint files; when there are fewer files than shards (one export split
// into items by `leanbatch plan`), the unit is the item instead, so that every shard has
// work. Either way the shards together are exactly the unsharded run.
std::optional<std::vector<WorkItem>> apply_shard(std::vector<WorkItem> items, const std::string& spec) {
  if (spec.empty()) return items;
  unsigned long i = 0, n = 0;
  size_t slash = spec.find('/');
  try {
    if (slash == std::string::npos) return std::nullopt;
    size_t used = 0;
    i = std::stoul(spec.substr(0, slash), &used);
    if (used != slash) return std::nullopt;
    n = std::stoul(spec.substr(slash + 1), &used);
    if (used != spec.size() - slash - 1) return std::nullopt;
  } catch (const std::exception&) {  // stoul: not a number (the only exceptions it throws)
    return std::nullopt;
  }
  if (n == 0 || i == 0 || i > n) return std::nullopt;
  std::unordered_map<std::string, size_t> file_index;
  for (const WorkItem& item : items) file_index.try_emplace(item.file, file_index.size());
  bool by_file = file_index.size() >= n;
  std::vector<WorkItem> kept;
  for (size_t k = 0; k < items.size(); ++k) {
    size_t unit = by_file ? file_index[items[k].file] : k;
    if (unit % n == i - 1) kept.push_back(std::move(items[k]));
  }
  return kept;
}

int dispatch(std::vector<WorkItem> all, const CheckCliOptions& opts, bool names_global, RowWriter& out) {
  auto items = apply_shard(std::move(all), opts.shard);
  if (!items) {
    report_error("--shard: expected I/N with 1 <= I <= N, got '" + opts.shard + "'");
    return kExitUsage;
  }
  // Streams (`-`, pipes, `<(…)`) are copied once, so that workers can open them too.
  Spool spool;
  for (WorkItem& item : *items) {
    auto path = spool.resolve(item.file);
    if (path) {
      item.file = *path;
    } else {
      // Left as named: opening it fails, which gives the item its file row (exit 3).
      report_error("'" + item.display + "': " + path.error());
    }
  }
  ReportOptions ro = opts.report;
  // Test knob: a tiny bound on the rows held for --order input (exercises the backpressure).
  if (const char* b = std::getenv("LEANBATCH_MAX_BACKLOG_BYTES")) ro.max_backlog_bytes = std::strtoull(b, nullptr, 10);
  RunReport report(*items, ro, out);
  if (!report.setup_error().empty()) {
    report_error(report.setup_error());
    return kExitUsage;
  }
  // --cache: opened (created, validated) once here, so that a bad cache is said once; this
  // connection serves the whole-export layer, and the declaration keys in-process (workers
  // open their own, given the absolute directory as an argument).
  CheckCliOptions o2 = opts;
  std::unique_ptr<VerifiedCache> cache;
  std::unique_ptr<FileCache> file_cache;
  if (!o2.cache.empty() && !o2.no_reuse) {
    o2.cache = std::filesystem::absolute(o2.cache).lexically_normal().string();
    std::string warning;
    cache = VerifiedCache::open(o2.cache, warning);
    if (cache) {
      std::vector<std::string> allowed = o2.allow_axioms;
      std::sort(allowed.begin(), allowed.end());
      std::string options = std::string("unsafe=") + (o2.allow_unsafe ? "1" : "0") +
                            " strict=" + (o2.strict_axioms ? "1" : "0") + " axioms=" + (o2.axioms ? "1" : "0") +
                            " allow=";
      // Length-prefixed: `--allow-axiom 'a,b'` (one name) and `--allow-axiom a --allow-axiom b`
      // must not give the same key (a joined list did; soundness of the replay).
      for (const std::string& a : allowed) options += std::to_string(a.size()) + ":" + a + ";";
      file_cache = std::make_unique<FileCache>(*cache, options);
      report.set_file_cache(file_cache.get());
    } else {
      spdlog::warn("{}", warning);
      o2.cache.clear();
    }
  }
  std::vector<std::string> files;
  for (const WorkItem& it : *items) files.push_back(it.file);
  RunImages images(o2, !o2.in_process, files);
  o2.run_image_dir = images.dir();
  o2.run_image_private = images.temporary();
  if (o2.in_process) return run_in_process(*items, o2, names_global, report, cache.get());
  return run_supervised(*items, o2, names_global, report);
}

}  // namespace

int run_check(const CheckCliOptions& opts, RowWriter& out) {
  if (!opts.shard.empty() && !opts.decls.empty()) {
    // A name is missing only if no file has it, which one shard cannot tell.
    report_error("--shard and --decl do not combine on check; name the declarations per file in a manifest (run)");
    return kExitUsage;
  }
  std::vector<WorkItem> items;
  for (const std::string& f : opts.files) items.push_back(WorkItem{f, f, opts.decls, "", 0});
  return dispatch(std::move(items), opts, true, out);
}

int run_manifest(const CheckCliOptions& opts, RowWriter& out) {
  const std::string& path = opts.files.at(0);
  auto items = read_manifest(path);
  if (!items) {
    const ManifestError& e = items.error();
    report_error("'" + path + "': " + (e.line ? "line " + std::to_string(e.line) + ": " : "") + e.message);
    // Rows still end with a summary: the manifest itself is the malformed input.
    host::JsonObject err;
    err.field("kind", "manifest").field("message", e.message);
    if (e.line) err.field("line", e.line);
    host::JsonObject row;
    row.field("schema", kRowSchema).field("type", "file").field("file", path).field("status", "malformed");
    row.raw("error", err.str());
    out.write(row.str());
    Outcomes oc;
    oc.malformed = 1;
    out.write(summary_row(oc, 0, 0.0, oc.exit_code()));
    return oc.exit_code();
  }
  return dispatch(std::move(*items), opts, false, out);
}

}  // namespace leanbatch::tools
