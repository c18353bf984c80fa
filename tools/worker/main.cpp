// leanbatch-worker: a supervised child. Reads framed requests on stdin, answers on stdout
// through libsupervise's ChildChannel, checks with libhost. Started by `leanbatch`.
#include <malloc.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <CLI/CLI.hpp>
#include <chrono>

#include "common/logging.hpp"
#include "common/rows.hpp"
#include "common/verified_cache.hpp"
#include "common/worker_protocol.hpp"
#include "leanbatch/host/decl_digest.hpp"
#include "leanbatch/host/session.hpp"
#include "leanbatch/supervise/child_channel.hpp"

#ifndef LEANBATCH_VERSION
#define LEANBATCH_VERSION "0.0.0"
#endif

namespace {

using namespace leanbatch;
namespace proto = leanbatch::tools::protocol;
namespace sv = leanbatch::supervise;

struct WorkerOptions {
  host::SessionOptions session;
  bool axioms = false;
  tools::VerifiedCache* cache = nullptr;  ///< --cache: flushed after every check request
};

/// Gives freed heap back to the system when much (64 MB) is free, asking the heap at a bounded
/// cost. `mallinfo2` walks every free chunk of every arena, so on a fragmented heap it costs
/// milliseconds, and asked after every request it grew to 5 % of a 100-module sweep's worker
/// time (perf, 2026-12-07). It is asked only once the worker has been busy for 200x what the
/// last answer cost since the last ask, which bounds the cost near 0.5 % (50x still left 1.5 %
/// of a -j1 sweep's worker time in it) and still asks after every long request (a part's check,
/// a large import). Memory only: verdicts never depend on it.
class HeapTrimmer {
 public:
  void after_request(std::chrono::steady_clock::duration busy) {
    busy_since_ask_ += busy;
    if (busy_since_ask_ < 200 * last_ask_cost_) return;
    const auto t0 = std::chrono::steady_clock::now();
    const size_t free_bytes = ::mallinfo2().fordblks;
    last_ask_cost_ = std::chrono::steady_clock::now() - t0;  // the question only, not the trim
    busy_since_ask_ = {};
    if (free_bytes > (size_t{64} << 20)) ::malloc_trim(0);
  }

 private:
  std::chrono::steady_clock::duration busy_since_ask_{};
  std::chrono::steady_clock::duration last_ask_cost_{};
};

void fail_with(sv::RequestContext& ctx, const std::string& status, const std::string& kind, const std::string& message,
               uint64_t line = 0, uint64_t offset = 0) {
  ctx.fail(proto::encode(proto::ErrorPayload{status, kind, message, line, offset}));
}

void fail_read(sv::RequestContext& ctx, const host::ReadError& e) {
  fail_with(ctx, tools::file_status(e), host::to_string(e.kind), e.message, e.line, e.offset);
}

void handle_import(host::Session& session, sv::RequestContext& ctx, uint32_t max_payload) {
  auto req = proto::decode_import_request(ctx.request().payload);
  if (!req) return fail_with(ctx, "crashed", "protocol", req.error());
  host::ReadOptions ro;
  ro.hash_bytes = req->fingerprint;
  auto ex = session.import(req->file, ro);
  if (!ex) return fail_read(ctx, ex.error());
  const host::Environment& env = *(*ex)->env;
  proto::ImportResponse resp;
  resp.declarations = env.declarations().size();
  resp.read_seconds = env.stats.seconds;
  resp.bytes = env.stats.bytes;
  const host::ImageReport& img = (*ex)->image;
  resp.image = host::to_string(img.use);
  resp.image_seconds = img.seconds;
  resp.image_note = img.note;
  if (env.source_file) resp.source = env.source_file->str();
  if (req->fingerprint && env.bytes_sha256) resp.content = host::to_hex(*env.bytes_sha256);
  // The table first, in bounded Row frames made as it goes (never the whole table in
  // memory); then the counts.
  proto::ImportTableWriter table(proto::table_chunk_bytes(max_payload));
  const host::TermStore& st = env.store();
  std::string name;
  std::vector<std::string> others;
  for (uint64_t d = 0; req->table && d < env.declarations().size(); ++d) {
    const host::Declaration& decl = env.declaration(static_cast<uint32_t>(d));
    others.resize(decl.num_consts > 0 ? decl.num_consts - 1 : 0);
    for (uint32_t i = 1; i < decl.num_consts; ++i) {
      others[i - 1].clear();
      st.append_name(others[i - 1], env.constant(decl.first_const + i).name, false);
    }
    name.clear();
    st.append_name(name, env.constant(decl.first_const).name, false);
    std::string chunk = table.add(d, name, decl.line, host::to_string(decl.kind), others);
    if (!chunk.empty() && !ctx.row(chunk)) return;  // the parent is gone
  }
  if (std::string chunk = table.finish(); !chunk.empty() && !ctx.row(chunk)) return;
  ctx.stats(sv::StatsPayload{session.retained_bytes()});
  ctx.respond(proto::encode(resp));
}

/// Test hooks: a misbehaving worker, from LEANBATCH_WORKER_TEST_FORGE (tests/cli):
/// - "lie": every row with the status byte of an accepted declaration ("a worker's forged rows
///   never make a declaration ok");
/// - "dup": a second, accepted row for the first declaration asked for (same test);
/// - "stray": also a row for the export's last declaration, rejected ("a row for a
///   declaration the check did not ask for is dropped");
/// - "other-bytes:N": worker slot N's parts name other bytes, as if the export had changed
///   between two workers' reads ("parts read from other bytes are not joined").
struct Forge {
  bool lie = false, dup = false, stray = false, other_bytes = false;
  static const Forge& get() {
    static const Forge f = [] {
      Forge r;
      const char* v = std::getenv("LEANBATCH_WORKER_TEST_FORGE");
      if (!v) return r;
      const std::string_view s(v);
      r.lie = s == "lie";
      r.dup = s == "dup";
      r.stray = s == "stray";
      const char* slot = std::getenv("LBS_WORKER_ID");
      r.other_bytes = slot && s == "other-bytes:" + std::string(slot);
      return r;
    }();
    return f;
  }
};

void handle_check(host::Session& session, const WorkerOptions& opts, sv::RequestContext& ctx) {
  const Forge& forge = Forge::get();
  auto req = proto::decode_check_request(ctx.request().payload);
  if (!req) return fail_with(ctx, "crashed", "protocol", req.error());
  // A part's verdicts rest on what the other parts check, so its copy must be read from the
  // same bytes as theirs: the answer names them (CopyIdentity).
  host::ReadOptions ro;
  ro.hash_bytes = req->part != 0 || req->fingerprint;
  auto ex = session.import(req->file, ro);
  if (!ex) return fail_read(ctx, ex.error());
  host::LoadedExport& le = **ex;
  // Which copy the rows come from, before any row (CopyIdentity).
  proto::CopyIdentity copy;
  if (le.env->source_file) copy.source = le.env->source_file->str();
  if (ro.hash_bytes && le.env->bytes_sha256) copy.content = host::to_hex(*le.env->bytes_sha256);
  copy.declarations = le.env->declarations().size();
  if (forge.other_bytes && req->part != 0 && !copy.content.empty()) copy.content.assign(64, '0');
  if (!ctx.row(proto::encode_identity_frame(copy))) return;  // the parent is gone
  std::vector<uint32_t> selection;
  for (uint64_t d : req->decls) {
    if (d >= le.env->declarations().size()) return fail_with(ctx, "crashed", "protocol", "declaration index out of range");
    selection.push_back(static_cast<uint32_t>(d));
  }
  if (selection.empty()) {
    ctx.respond("{}");
    return;
  }
  const auto part = static_cast<uint32_t>(req->part);
  for (uint64_t d : req->poison_timeout)
    if (d < le.env->declarations().size()) session.poison(le, static_cast<uint32_t>(d), true, part);
  for (uint64_t d : req->poison_crashed)
    if (d < le.env->declarations().size()) session.poison(le, static_cast<uint32_t>(d), false, part);
  bool parent_gone = false;
  const tools::RowSource src{req->label.empty() ? req->file : req->label, req->module};
  session.check(
      le, selection,
      [&](const host::DeclVerdict& v) {
        if (parent_gone) return;
        std::string row = tools::decl_row(src, *le.env, v, tools::RowOrigin{-1, 0}, opts.axioms);
        if (!ctx.row(proto::encode_row(v.decl, forge.lie ? host::VerdictStatus::Ok : v.status, row, v.conditional_key)))
          parent_gone = true;
      },
      part);
  if (forge.dup && !parent_gone)
    ctx.row(proto::encode_row(selection.front(), host::VerdictStatus::Ok,
                              R"({"schema":1,"type":"decl","name":"forged","status":"ok")"));
  if (forge.stray && !parent_gone) {
    const auto last = static_cast<uint32_t>(le.env->declarations().size() - 1);
    if (std::find(selection.begin(), selection.end(), last) == selection.end())
      ctx.row(proto::encode_row(last, host::VerdictStatus::Rejected,
                                R"({"schema":1,"type":"decl","name":"stray","status":"rejected"})"));
  }
  // Committed every few thousand keys or seconds (and at exit): a worker killed in between
  // loses only its latest keys, which costs a re-check, never a false hit.
  if (opts.cache) opts.cache->flush_if_due();
  ctx.stats(sv::StatsPayload{session.retained_bytes()});
  ctx.respond("{}");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"leanbatch-worker: the checking process that `leanbatch` starts and supervises (one per -j).\n"
               "It reads framed requests on standard input and answers on standard output (versioned binary\n"
               "protocol, not for people); logs go to standard error. Run it by hand only to test it:\n"
               "`leanbatch check` passes the options below itself.",
               "leanbatch-worker"};
  app.set_version_flag("--version", std::string("leanbatch-worker ") + LEANBATCH_VERSION + " (protocol " +
                                        std::to_string(sv::kProtocolVersion) + ")");
  WorkerOptions opts;
  host::CheckOptions& k = opts.session.check;
  std::vector<std::string> extra_axioms;
  unsigned budget_ms = 0;
  app.add_flag("--allow-unsafe", k.allow_unsafe, "check unsafe and partial declarations instead of declining them");
  app.add_flag("--axioms", opts.axioms, "list the axioms each declaration depends on in its row");
  app.add_flag("--strict-axioms", k.strict_axioms, "reject declarations that depend on axioms outside the allowlist");
  app.add_option("--allow-axiom", extra_axioms, "add an axiom to the allowlist; repeatable")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--budget-ms", budget_ms, "time budget per declaration in milliseconds (0: none)")->default_val(0);
  app.add_option("--max-environments", opts.session.max_environments,
                 "exports kept loaded, least recently used dropped first")
      ->default_val(opts.session.max_environments);
  app.add_option("--max-retained-bytes", opts.session.max_retained_bytes,
                 "drop loaded exports beyond this many retained bytes (0: no limit)")
      ->default_val(opts.session.max_retained_bytes);
  bool reuse = false;
  app.add_flag("--reuse", reuse, "reuse declarations this process verified in earlier exports");
  std::string cache_dir;
  app.add_option("--cache", cache_dir, "with --reuse: also reuse and record verified declarations in this cache");
  app.add_option("--image-dir", opts.session.images.dir,
                 "map exports from their images in this directory, and write the image of an export read "
                 "(docs/kernel.md, \"Export images\"); empty: no images");
  app.add_option("--image-min-bytes", opts.session.images.min_bytes, "exports smaller than this are read, never imaged");
  app.add_flag("--image-dir-private", opts.session.images.private_dir,
               "the image directory is this run's own: exports are keyed by their file state, not hashed");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 64;
  }
  k.collect_axioms = opts.axioms;
  for (const auto& a : extra_axioms) k.allowed_axioms.push_back(a);
  k.budget = std::chrono::milliseconds(budget_ms);
  // Declarations verified by this worker generation are reused across exports (sweeps).
  if (reuse) k.reuse = std::make_shared<host::ReuseSet>();
  std::unique_ptr<tools::VerifiedCache> cache;
  if (reuse && !cache_dir.empty()) {
    std::string warning;
    cache = tools::VerifiedCache::open(cache_dir, warning);
    if (cache) {
      cache->load(k.reuse->persisted);
      k.reuse->on_verified = [c = cache.get()](const std::string& key) { c->add(key); };
      opts.cache = cache.get();
    } else {
      tools::report_error("worker: " + warning);
    }
  }
  tools::setup_logging(0, "leanbatch-worker");
  // Crashes must not leave core files behind (the supervisor reports them itself).
  struct rlimit no_core {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  // If the machine runs out of memory anyway, the kernel's OOM killer should take a worker
  // (the supervisor reports it and goes on), not the driver or another program.
  if (std::FILE* adj = std::fopen("/proc/self/oom_score_adj", "w")) {
    std::fputs("500", adj);
    std::fclose(adj);
  }

  auto channel = sv::ChildChannel::open({.worker_version = std::string("leanbatch-worker ") + LEANBATCH_VERSION});
  if (!channel) {
    tools::report_error("worker: " + channel.error().message);
    return 2;
  }
  host::Session session(opts.session);
  const uint32_t max_payload = channel->max_payload();
  HeapTrimmer trimmer;
  return channel->serve([&](sv::RequestContext& ctx) {
    const auto started = std::chrono::steady_clock::now();
    // Every failure leaves as a structured Error payload the driver decodes (never a bare
    // exception text): out of memory (e.g. under --address-space-mb) and library errors.
    try {
      switch (ctx.request().kind) {
        case sv::RequestKind::Import: handle_import(session, ctx, max_payload); break;
        case sv::RequestKind::Check: handle_check(session, opts, ctx); break;
        case sv::RequestKind::Info: handle_import(session, ctx, max_payload); break;
        default: fail_with(ctx, "crashed", "protocol", "unexpected request kind"); break;
      }
      // What a request freed (a replaced export, an import's table) goes back to the system
      // when it is much (64 MB): N workers then cost their live memory, not each one's
      // high-water mark. Not after every request: the next one faulted the pages in again
      // (measured: trimming after every check chunk was 25% of the wall time of `check -j1`
      // on Init.Prelude x100; after every import, 1 s of system time in a 200-module sweep).
      // (Asked after checks too: a part's check frees its scratch, and trimming then is what
      // keeps N workers' summed PSS near one export's; asking only after imports raised the
      // PSS ratio of Init.Prelude x100 at -j2 from 1.29 to 1.34 in bench-parallel.)
      trimmer.after_request(std::chrono::steady_clock::now() - started);
    } catch (const std::bad_alloc&) {
      session.clear();  // give the memory back before answering
      if (!ctx.answered()) fail_with(ctx, "crashed", "out_of_memory", "the worker ran out of memory");
    } catch (const std::exception& e) {
      if (!ctx.answered()) fail_with(ctx, "crashed", "worker_error", std::string("worker error: ") + e.what());
    }
  });
}
