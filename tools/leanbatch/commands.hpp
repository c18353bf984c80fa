#pragma once
/// The subcommands of `leanbatch`. Each takes its options struct (no globals) and returns
/// the process exit code; rows go through the RowWriter, diagnostics to stderr.
#include <cstdint>
#include <string>
#include <vector>

#include "common/row_writer.hpp"
#include "leanbatch/host/host_context.hpp"
#include "leanbatch/run_report.hpp"

namespace leanbatch::tools {

struct InfoOptions {
  std::string file;
  std::vector<std::string> decls;    ///< --decl NAME: a row per declaration
  std::vector<std::string> extract;  ///< --extract NAME…: write their closure
  std::string output;                ///< -o OUT for --extract
};
int run_info(const InfoOptions& opts, RowWriter& out);

struct CheckCliOptions {
  std::vector<std::string> files;  ///< check: export files; run: the manifest
  std::vector<std::string> decls;
  std::vector<std::string> allow_axioms;
  bool allow_unsafe = false;
  bool axioms = false;
  bool strict_axioms = false;
  unsigned budget_ms = 0;
  bool in_process = false;
  bool no_split = false;  ///< never split one export over several workers
  bool no_reuse = false;  ///< never reuse verified declarations across exports
  bool reuse = false;     ///< reuse them (the default for `run` with several exports)
  bool is_run = false;    ///< the command is `run` (a manifest: a sweep)
  /// Reuse verified declarations across the exports of this run? (Costs a content digest of
  /// every declaration, about half a check of a cheap one: worth it when modules share.)
  bool reuse_on(size_t distinct_files) const {
    if (no_reuse) return false;
    if (!cache.empty()) return true;  // a cache is reuse across runs
    if (distinct_files < 2) return false;
    return reuse || is_run;
  }
  std::string cache;  ///< --cache DIR (LEANBATCH_CACHE): verified keys kept between runs
  // Export images (run_images.hpp).
  std::string image_dir;        ///< --image-dir DIR: keep images here
  bool no_images = false;       ///< --no-images
  uint64_t image_min_mb = 64;   ///< --image-min-mb: smaller exports are only read
  std::string run_image_dir;    ///< the run's image directory (set by dispatch); empty: none
  bool run_image_private = false;  ///< run_image_dir is this run's temporary directory
  unsigned jobs = 0;
  std::string cpu_affinity = "auto";  ///< --cpu-affinity auto|off (supervised runs)
  bool events = false;
  std::string shard;  ///< "I/N": only the I-th of N shards (by export file), empty: all
  // Supervision (worker mode).
  unsigned request_timeout_s = 3600;  ///< watchdog per request (import or chunk), 0: none
  unsigned max_requests = 0;
  unsigned max_imports = 0;
  uint64_t max_retained_mb = 0;
  uint64_t rss_soft_mb = 0;
  /// Per-worker hard RSS ceiling; kAutoRss: derived from the available memory and -j.
  static constexpr uint64_t kAutoRss = ~uint64_t{0};
  uint64_t rss_hard_mb = kAutoRss;
  unsigned idle_restart_s = 0;
  unsigned max_restarts = 16;
  uint64_t address_space_mb = 0;  ///< RLIMIT_AS of each worker, 0: inherit
  unsigned max_environments = 4;  ///< exports a worker keeps loaded (LRU)
  host::CancelToken* cancel = nullptr;  ///< in-process mode
  ReportOptions report;                 ///< --rows, --order, --junit, --progress
};
/// `check FILE…`
int run_check(const CheckCliOptions& opts, RowWriter& out);
/// `run MANIFEST`
int run_manifest(const CheckCliOptions& opts, RowWriter& out);

struct ScaleOptions {
  std::string input;
  unsigned copies = 0;
  std::string output;
  unsigned modules = 0;          ///< --modules M: M module exports in the directory OUT
  double shared_fraction = 0.9;  ///< --shared-fraction F: the base they share
};
int run_make_scale_corpus(const ScaleOptions& opts, RowWriter& out);

struct CacheOptions {
  std::string dir;     ///< the cache directory (default: LEANBATCH_CACHE)
  bool clear = false;  ///< `cache clear` (else `cache stats`)
};
/// `cache stats|clear [DIR]`
int run_cache(const CacheOptions& opts, RowWriter& out);

struct PlanOptions {
  std::string file;
  unsigned parts = 2;
};
/// `plan EXPORT --parts K`: K manifest items (contiguous, cost-balanced declaration ranges).
int run_plan(const PlanOptions& opts, RowWriter& out);

}  // namespace leanbatch::tools
