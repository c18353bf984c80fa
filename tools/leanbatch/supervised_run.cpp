// Checking through supervised leanbatch-worker processes (the default for check and run).
//
// Per export file, one Import job (affinity key = path) loads it into a worker's session and
// returns the declaration list. Each work item then checks its declarations in consecutive
// chunks on that worker (its kernel state carries from chunk to chunk): one chunk in flight
// per item, small at first so that rows appear early. A chunk's rows are printed when its
// terminal response arrives (rows are final then). If the worker dies for good under a
// chunk, the rows it finished are printed, the first undecided declaration gets a `crashed`
// (or `timeout`) row with the classification and stderr tail, and the rest is resubmitted:
// one bad declaration costs one row. On interruption every undecided item gets a
// `cancelled` row. Every item ends with exactly one terminal row.
#include "leanbatch/supervised_engine.hpp"
#include "leanbatch/file_cache.hpp"
#include "leanbatch/run_images.hpp"

#include <unistd.h>

#include <filesystem>

namespace leanbatch::tools {
namespace supervised {

int Engine::run() {
  auto t0 = std::chrono::steady_clock::now();
  t0_ = t0;
  // The worker: LEANBATCH_WORKER, else beside this binary (as `cmake --install` puts it).
  std::string worker;
  if (const char* w = std::getenv("LEANBATCH_WORKER"); w && *w) {
    worker = w;
  } else if (auto exe = sv::executable_beside_self("leanbatch-worker")) {
    worker = exe->string();
  }
  if (worker.empty() || ::access(worker.c_str(), X_OK) != 0) {
    // Said once, not once per restart attempt; every item still gets its row.
    std::string msg = "cannot run the worker '" + (worker.empty() ? std::string("leanbatch-worker") : worker) +
                      "': install leanbatch-worker beside leanbatch, set LEANBATCH_WORKER to its path, or use "
                      "--in-process";
    report_error(msg);
    for (size_t i = 0; i < items_.size(); ++i) {
      tally_file(oc_, "crashed");
      report_.row(i, tools::file_row(RowSource{items_[i].display, items_[i].module}, "crashed", "worker_missing", msg));
      report_.done(i);
    }
    return finish_run(items_, names_global_, found_names_, oc_, report_, t0);
  }
  std::optional<std::filesystem::path> exe = std::filesystem::path(worker);
  sv::PoolOptions po;
  po.worker.command.executable = *exe;
  std::set<std::string> distinct;
  for (const WorkItem& it : items_) distinct.insert(it.file);
  po.worker.command.arguments = worker_arguments(opts_, opts_.reuse_on(distinct.size()));
  po.worker.request_timeout = std::chrono::milliseconds(static_cast<int64_t>(opts_.request_timeout_s) * 1000);
  // The worker defaults LEAN_BACKTRACE=0 and LEAN_ABORT_ON_PANIC=1 give way to the user's
  // own settings of these variables.
  for (const char* var : {"LEAN_BACKTRACE", "LEAN_ABORT_ON_PANIC"})
    if (const char* v = std::getenv(var)) po.worker.command.environment.emplace_back(var, v);
  po.worker.address_space_limit = opts_.address_space_mb << 20;
  // Test knob: a lower frame cap (no payload that grows with the export may hit it).
  if (const char* cap = std::getenv("LEANBATCH_MAX_FRAME_BYTES")) {
    unsigned long v = std::strtoul(cap, nullptr, 10);
    if (v >= 4096 && v <= sv::kDefaultMaxPayload) po.worker.max_payload = static_cast<uint32_t>(v);
  }
  // A Check request lists its declaration indices (up to 8 digits and a comma each) beside
  // the path and display names: half the cap leaves room for those.
  max_chunk_ = std::clamp<size_t>(po.worker.max_payload / 2 / 9, 1, kMaxChunk);
  po.worker.restart.max_requests = opts_.max_requests;
  po.worker.restart.max_imports = opts_.max_imports;
  po.worker.restart.max_retained_bytes = opts_.max_retained_mb << 20;
  po.worker.restart.rss_soft_bytes = opts_.rss_soft_mb << 20;
  po.worker.restart.rss_hard_bytes = hard_rss_bytes(opts_, po.workers);
  po.worker.restart.idle_restart = std::chrono::milliseconds(static_cast<int64_t>(opts_.idle_restart_s) * 1000);
  po.workers = opts_.jobs ? opts_.jobs : std::max(1u, std::thread::hardware_concurrency());
  po.max_restarts = opts_.max_restarts;
  po.retain_rows = true;
  if (opts_.cpu_affinity == "auto") po.worker_cpus = pin_workers(po.workers);

  // Files in order of first mention; items wait for their file's import.
  for (size_t i = 0; i < items_.size(); ++i) {
    auto [it, fresh] = file_index_.try_emplace(items_[i].file, files_.size());
    if (fresh) files_.push_back(FileState{items_[i].file, {}, {}, {}, {}, FileState::State::None, {}});
    files_[it->second].waiting.push_back(i);
    states_.push_back(ItemState{});
    states_.back().file = it->second;
    states_.back().origin = i;
  }
  sv::InterruptGuard guard;
  sv::Pool pool(po, *this);
  pool_ = &pool;
  // Fewer files than workers: split each export over the workers (--no-split: never).
  if (!opts_.no_split && files_.size() < po.workers) split_parts_ = po.workers / files_.size();
  // One export more than workers is admitted when exports are not split, so that a worker
  // finishing one finds the next import queued (on_check hands it over before printing).
  max_active_files_ = po.workers + (split_parts_ > 1 ? 0 : 1);
  // Test knob: tiny blocks, so that even small exports are split.
  if (const char* b = std::getenv("LEANBATCH_PART_BLOCK")) part_block_ = std::max(1ul, std::strtoul(b, nullptr, 10));
  // --cache: unchanged exports get their stored rows now; their files are never imported.
  if (FileCache* fc = report_.file_cache()) {
    for (size_t i = 0; i < items_.size(); ++i) {
      if (!fc->replay(i, items_[i], report_, oc_)) continue;
      states_[i].finished = states_[i].file_row = true;
      auto& w = files_[states_[i].file].waiting;
      w.erase(std::remove(w.begin(), w.end(), i), w.end());
    }
  }
  admit_files();
  sv::RunResult rr = pool.run(&guard);
  if (rr.status == sv::RunStatus::Interrupted) oc_.interrupted = true;
  if (rr.status == sv::RunStatus::GaveUp) gave_up_ = rr.last_failure;
  if (rr.status != sv::RunStatus::Interrupted) pool.shutdown(&guard);
  pool_ = nullptr;
  sweep();
  return finish_run(items_, names_global_, found_names_, oc_, report_, t0);
}

void Engine::on_outcome(sv::JobOutcome&& o) {
  stop_if_output_failed();
  auto it = jobs_.find(o.ref.job_id);
  if (it == jobs_.end()) return;
  Job job = std::move(it->second);
  jobs_.erase(it);
  if (job.kind == Job::Kind::Import)
    on_import(job, o);
  else if (job.kind == Job::Kind::Check)
    on_check(job, o);
  else if (job.kind == Job::Kind::Warm && o.kind == sv::OutcomeKind::Response)
    // Warm: another worker loaded the export for the parts; the main import reports errors,
    // but what happened to the image here is said (it may have been this worker that found
    // a damaged image and rebuilt it).
    if (auto info = proto::decode_import_response(o.payload)) {
      note_copy(job.file, *info);
      log_image(files_[job.file].path, info->image, info->image_seconds, info->image_note,
                "by worker " + std::to_string(o.ref.worker_id));
      early_start(job.file, *info);
    }
}

// Admission: at most one file per worker is open (imported and being checked) at a time,
// plus one queued when exports are not split, in order of first mention. Submitting every
// import at once made all files compete for the workers' few session slots: chunks of one
// file landed on workers that had evicted it and re-read it whole, so a sweep's cost grew
// faster than its size. A file leaves when
// every item on it has its rows; its tables are dropped then, so the driver's memory is
// what is in flight, not what was printed.
void Engine::admit_files() {
  if (!pool_) return;  // the run is over (sweep)
  while (!stopping_ && active_files_ < max_active_files_ && next_file_ < files_.size()) {
    // --order input: while the held rows are over their bound, only the export of the
    // item whose rows are due is admitted (it makes the rows flow again).
    if (report_.backlog_full()) {
      size_t due = report_.next_in_order();
      if (due >= items_.size() || states_[due].file < next_file_) return;
    }
    size_t f = next_file_++;
    if (files_[f].waiting.empty()) continue;  // every item replayed from the cache
    files_[f].open_items = files_[f].waiting.size();
    for (size_t i : files_[f].waiting) report_.started(i);
    ++active_files_;
    submit_import(f);
    // An export that will be split is loaded by every worker at once (reading in
    // parallel instead of one worker after the other once the parts are known).
    if (split_parts_ > 1)
      for (size_t w = 1; w < split_parts_; ++w) {
        uint64_t id = next_job_++;
        jobs_[id] = Job{Job::Kind::Warm, f, 0, {}};
        pool_->submit(sv::Job{id, sv::RequestKind::Import, proto::encode(proto::ImportRequest{files_[f].path, false, true}),
                              files_[f].path, false, std::nullopt});
      }
  }
}

// Called when item i has all its rows (or its file row).
void Engine::item_finished(size_t i) {
  ItemState& s = states_[i];
  if (s.finished) return;
  s.finished = true;
  if (s.part != 0) return part_finished(s.origin);
  report_.done(i);
  s.printed.clear();
  s.planned.clear();
  s.planned.shrink_to_fit();
  FileState& f = files_[s.file];
  if (f.open_items > 0 && --f.open_items == 0 && !f.released) {
    f.released = true;
    f.info = proto::ImportResponse{};
    f.by_name.clear();
    if (active_files_ > 0) --active_files_;
  }
  // A released export, or rows no longer held (--order input), may let the next one in.
  admit_files();
}

void Engine::submit_import(size_t f) {
  files_[f].state = FileState::State::Pending;
  uint64_t id = next_job_++;
  jobs_[id] = Job{Job::Kind::Import, f, 0, {}};
  // An export that may be split, or whose rows go into --cache, is hashed as it is read (its
  // rows must all come from the same bytes, the cache's from those of its key).
  const bool fingerprint = split_parts_ > 1 || report_.file_cache() != nullptr;
  pool_->submit(sv::Job{id, sv::RequestKind::Import,
                        proto::encode(proto::ImportRequest{files_[f].path, true, fingerprint}), files_[f].path, false,
                        std::nullopt});
}

void Engine::on_import(const Job& job, const sv::JobOutcome& o) {
  FileState& f = files_[job.file];
  if (f.released) return;  // started early and already done: the table is not needed
  if (o.kind == sv::OutcomeKind::Response) {
    auto info = proto::decode_import_response(o.payload);
    if (info) {
      if (auto joined = proto::assemble_import(*info, o.rows); !joined) info = std::unexpected(joined.error());
    }
    if (info) note_copy(job.file, *info);
    if (info && f.early && info->declarations != f.info.declarations) {
      spdlog::warn("'{}': the import says {} declarations, the warm import said {}: the table is not used", f.path,
                   info->declarations, f.info.declarations);
      return;
    }
    if (info) {
      f.info = std::move(*info);
      f.state = FileState::State::Ok;
      if (f.info.image == "mapped")
        spdlog::info("'{}': {} declarations by worker {}", f.path, f.info.declarations, o.ref.worker_id);
      else
        spdlog::info("'{}': {} declarations, read in {:.3f}s by worker {}", f.path, f.info.declarations,
                     f.info.read_seconds, o.ref.worker_id);
      log_image(f.path, f.info.image, f.info.image_seconds, f.info.image_note,
                "by worker " + std::to_string(o.ref.worker_id));
      for (size_t i : f.waiting)
        if (!states_[i].started) start_item(i);
      return;
    }
    f.error = proto::ErrorPayload{"crashed", "protocol", "bad import response: " + info.error(), 0, 0};
  } else if (o.kind == sv::OutcomeKind::ErrorResponse) {
    auto err = proto::decode_error(o.payload);
    // A payload that is not ours (libsupervise's own "uncaught exception: …") still says
    // what happened: its text becomes the message.
    f.error = err ? *err : proto::ErrorPayload{"crashed", "worker_error", std::string(o.payload), 0, 0};
  } else {
    f.failure = o.failure;
    bool timed_out = o.failure && o.failure->kind == sv::ExitKind::Timeout;
    f.error = proto::ErrorPayload{o.kind == sv::OutcomeKind::Cancelled ? "cancelled" : timed_out ? "timeout" : "crashed",
                                  o.failure ? sv::to_string(o.failure->kind) : sv::to_string(o.kind),
                                  o.failure ? o.failure->describe() : "the worker pool gave up", 0, 0};
  }
  if (f.early) {
    // The items are being checked from the warm import's load: only the table is lost.
    spdlog::warn("'{}': the declaration table could not be loaded ({}); rows leanbatch writes itself carry no names",
                 f.path, f.error ? f.error->message : "unknown");
    f.error.reset();
    return;
  }
  f.state = FileState::State::Failed;
  for (size_t i : f.waiting) file_row(i);
}

void Engine::start_item(size_t i) {
  ItemState& s = states_[i];
  FileState& f = files_[s.file];
  s.started = true;
  // The name index is made only for items that name declarations (it costs memory in
  // proportion to the export: about 20 MB for 150k declarations).
  // Every constant's name leads to its declaration, as in-process (--decl Nat.succ).
  if (!items_[i].decls.empty() && f.by_name.empty()) {
    for (uint64_t d = 0; d < f.info.names.size(); ++d) f.by_name[f.info.names[d]].push_back(d);
    for (const auto& [d, name] : f.info.others) f.by_name[name].push_back(d);
  }
  if (items_[i].decls.empty()) {
    s.planned.resize(f.info.declarations);
    for (uint64_t d = 0; d < f.info.declarations; ++d) s.planned[d] = d;
    report_.planned(i, s.planned.size());
    if (split_parts_ > 1 && f.info.declarations >= 2 * part_block_) return split(i);
  } else {
    std::set<uint64_t> sel;
    for (const std::string& name : items_[i].decls) {
      auto it = f.by_name.find(name);
      if (it == f.by_name.end()) {
        if (!names_global_) {
          ++oc_.skipped;
          report_.row(i, skipped_row(items_[i].display, name, "no declaration named '" + name + "'"));
        }
        continue;
      }
      found_names_.insert(name);
      sel.insert(it->second.begin(), it->second.end());
    }
    s.planned.assign(sel.begin(), sel.end());
    report_.planned(i, s.planned.size());
  }
  s.chunk = std::min(warm_chunk_, max_chunk_);
  schedule(i);
}

void Engine::schedule(size_t i) {
  ItemState& s = states_[i];
  if (s.busy || stopping_) return;
  if (!submit_chunk(i)) item_finished(i);
}

bool Engine::submit_chunk(size_t i) {
  ItemState& s = states_[i];
  if (s.part != 0 && s.requeue.empty() && s.cursor == s.planned.size()) pull_blocks(i);
  std::vector<uint64_t> batch;
  while (!s.requeue.empty() && batch.size() < s.chunk) {
    batch.push_back(s.requeue.front());
    s.requeue.erase(s.requeue.begin());
  }
  while (s.cursor < s.planned.size() && batch.size() < s.chunk) batch.push_back(s.planned[s.cursor++]);
  if (batch.empty()) return false;
  s.busy = true;
  uint64_t id = next_job_++;
  const std::string& path = files_[s.file].path;
  // Split exports (parts and their serial rest) and --cache runs pin the bytes the rows come
  // from (on_check).
  const bool fingerprint = s.part != 0 || files_[s.file].split || report_.file_cache() != nullptr;
  jobs_[id] = Job{Job::Kind::Check, s.file, i, batch, fingerprint};
  const WorkItem& wi = items_[s.origin];
  proto::CheckRequest req{path, batch, wi.display, wi.module, s.part, files_[s.file].poison_timeout,
                          files_[s.file].poison_crashed, fingerprint};
  // A part sticks to the worker that checks it (its key): a part's checker and caches then
  // live in one worker, not in every worker a chunk of it happened to land on.
  std::string key = s.part ? path + "\n#part " + std::to_string(s.part) : path;
  pool_->submit(sv::Job{id, sv::RequestKind::Check, proto::encode(req), std::move(key), false, std::nullopt});
  return true;
}

void Engine::on_check(const Job& job, const sv::JobOutcome& o) {
  size_t i = job.item;
  ItemState& s = states_[i];
  s.busy = false;
  // Speed only: after a plain answer the item's next chunk (or, when it has none, the next
  // admitted export's import) goes to the worker before this job's rows are printed, so the
  // worker does not wait while the driver writes them (9 % of a -j1 sweep's worker time).
  // The printing order is unchanged: an item finishes only after its rows.
  bool next_sent = false;
  if (o.kind == sv::OutcomeKind::Response && !stopping_) {
    // Grow again only once the declarations of a failed chunk were all retried one by one
    // (so that the culprit is found with one more kill, not one per doubling).
    if (s.requeue.empty()) {
      const bool quick = o.elapsed < kQuickChunk;
      s.chunk = std::min(max_chunk_, s.chunk * (quick ? 8 : 2));
      if (quick) warm_chunk_ = std::max(warm_chunk_, s.chunk);
    }
    next_sent = submit_chunk(i);
    pool_->dispatch_now();
  }
  const bool other_bytes = !answer_from_export_copy(job, o, s);
  if (!other_bytes) print_rows(i, o, job.decls);
  std::vector<uint64_t> undecided;
  for (uint64_t d : job.decls)
    if (!s.printed.count(d)) undecided.push_back(d);
  switch (o.kind) {
    case sv::OutcomeKind::Response:
      // Every requested declaration has its row; anything else is a protocol slip. (A part
      // read from other bytes: held, never printed; they stop the frontier.)
      for (uint64_t d : undecided)
        synthesized_row(i, d, "crashed", other_bytes ? "export_changed" : "protocol",
                        other_bytes ? "checked from other bytes than the rest of this export (it changed during the run)"
                                    : "the worker answered without a row for this declaration",
                        nullptr, &o.ref);
      break;
    case sv::OutcomeKind::ErrorResponse: {
      auto err = proto::decode_error(o.payload);
      std::string msg = err ? err->message : std::string(o.payload);
      for (uint64_t d : undecided) synthesized_row(i, d, "crashed", err ? err->kind : "worker_error", msg, nullptr, &o.ref);
      break;
    }
    case sv::OutcomeKind::WorkerFailed: {
      // The worker died (on every attempt the pool allows) with `undecided` still open.
      // Rows are written in batches, so the first open declaration is not necessarily
      // the one that was running: a fast declaration's row may have died in the buffer.
      // Only a chunk of one says who is to blame; a bigger chunk is split into chunks of
      // one, which the pool again runs on fresh workers.
      const sv::FatalExit* fx = o.failure ? &*o.failure : nullptr;
      if (undecided.size() == 1) {
        bool timeout = fx && fx->kind == sv::ExitKind::Timeout;
        synthesized_row(i, undecided.front(), timeout ? "timeout" : "crashed", fx ? sv::to_string(fx->kind) : "crash",
                        fx ? fx->describe() : "the worker died", fx, &o.ref);
        (timeout ? files_[s.file].poison_timeout : files_[s.file].poison_crashed).push_back(undecided.front());
      } else {
        // Every attempt the pool made died with these open: counted in their rows' `attempt`.
        for (uint64_t d : undecided) s.tried[d] += o.ref.attempt;
        s.requeue.insert(s.requeue.begin(), undecided.begin(), undecided.end());
      }
      s.chunk = 1;
      warm_chunk_ = kFirstChunk;
      break;
    }
    case sv::OutcomeKind::NotRun:
    case sv::OutcomeKind::Cancelled: {
      const sv::FatalExit* fx = o.failure ? &*o.failure : nullptr;
      bool cancelled = o.kind == sv::OutcomeKind::Cancelled;
      for (uint64_t d : undecided)
        synthesized_row(i, d, cancelled ? "cancelled" : "crashed", cancelled ? "cancelled" : "gave_up",
                        cancelled ? "interrupted before this declaration was decided"
                                  : "the worker pool gave up (restart intensity exceeded)",
                        fx, &o.ref);
      stopping_ = true;
      break;
    }
  }
  if (stopping_) return;
  if (o.kind != sv::OutcomeKind::Response)
    schedule(i);
  else if (!next_sent)
    item_finished(i);
}

}  // namespace supervised

int run_supervised(const std::vector<WorkItem>& items, const CheckCliOptions& opts, bool names_global, RunReport& report) {
  supervised::Engine engine(items, opts, names_global, report);
  return engine.run();
}

}  // namespace leanbatch::tools
