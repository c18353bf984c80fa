#pragma once
// The engine behind run_supervised (supervised_run.cpp: admission, scheduling, outcomes;
// supervised_rows.cpp: the rows it prints or synthesizes). Internal to the leanbatch tool.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <spdlog/spdlog.h>
#include <unordered_map>

#include "common/logging.hpp"
#include "common/rows.hpp"
#include "common/worker_protocol.hpp"
#include "leanbatch/commands.hpp"
#include "leanbatch/host/json.hpp"
#include "leanbatch/supervise/interrupt_guard.hpp"
#include "leanbatch/supervise/pool.hpp"
#include "leanbatch/supervise/spawn.hpp"
#include "leanbatch/work_items.hpp"

namespace leanbatch::tools::supervised {

using namespace leanbatch::tools;

namespace sv = leanbatch::supervise;
namespace proto = leanbatch::tools::protocol;
using host::JsonObject;

inline constexpr size_t kFirstChunk = 8;
inline constexpr size_t kPartBlock = 256;  // declarations per block when one export is split (default)
// Chunks grow from kFirstChunk (rows appear early) towards kMaxChunk (or less under a lowered
// frame cap): x8 while a chunk takes less than kQuickChunk, else x2. Most declarations of a
// sweep's module are reused in a few microseconds each, and a round trip per 256 of them was
// a fifth of the supervised overhead per module (11 requests, each with its own check thread).
// The cap bounds what one crash sends back to be retried one by one.
inline constexpr size_t kMaxChunk = 4096;
inline constexpr std::chrono::milliseconds kQuickChunk{25};

/// A set of declaration indices of one export (dense ids): one bit each, where a tree set
/// took about 48 bytes per declaration (7 MB of the parent for 150k declarations).
class DeclSet {
 public:
  bool count(uint64_t d) const { return d < bits_.size() && bits_[d]; }
  /// False if `d` was already in.
  bool insert(uint64_t d) {
    if (d >= bits_.size()) bits_.resize(std::max<uint64_t>(d + 1, bits_.size() * 2), false);
    if (bits_[d]) return false;
    bits_[d] = true;
    return true;
  }
  void clear() { std::vector<bool>().swap(bits_); }

 private:
  std::vector<bool> bits_;
};

/// The `exit` object of an event row.
std::string exit_json(const sv::FatalExit& e);
/// The worker's command-line options for these check options.
std::vector<std::string> worker_arguments(const CheckCliOptions& o, bool reuse);
/// --cpu-affinity auto: when this process may run on more CPUs than there are workers, the
/// CPUs for workers 0..workers-1 (one each, from the allowed set), and this process (the
/// driver) is restricted to the others. Otherwise empty and nothing changes. Speed only.
std::vector<int> pin_workers(size_t workers);
/// Per-worker hard RSS ceiling in bytes (0: none).
uint64_t hard_rss_bytes(const CheckCliOptions& o, size_t workers);

class Engine final : public sv::JobSink {
 public:
  Engine(const std::vector<WorkItem>& items, const CheckCliOptions& opts, bool names_global, RunReport& report)
      : items_(items), opts_(opts), names_global_(names_global), report_(report), out_(report.out()) {}

  int run();

  void on_row(const sv::JobFrame&) override { stop_if_output_failed(); }  // rows are printed from the outcome

  // stdout failed (EPIPE, ENOSPC): nothing more can be reported, so the workers are stopped
  // now instead of checking everything for nobody (exit 3, said once on stderr).
  void stop_if_output_failed();

  void on_outcome(sv::JobOutcome&& o) override;

  void on_worker_event(const sv::WorkerEvent& e) override;

 private:
  struct FileState {
    std::string path;
    proto::ImportResponse info;
    std::unordered_map<std::string, std::vector<uint64_t>> by_name;
    std::vector<size_t> waiting;
    std::optional<proto::ErrorPayload> error;
    enum class State { None, Pending, Ok, Failed } state = State::None;
    std::optional<sv::FatalExit> failure;
    size_t open_items = 0;  // items of this file without their terminal row(s) yet
    // Declarations that timed out or killed a worker: sent with every later check of the
    // file, so no worker runs them again and their dependents are skipped, not blamed.
    std::vector<uint64_t> poison_timeout, poison_crashed;
    bool released = false;
    // Started from the count a warm import gave, before the main import's table arrived
    // (early_start): the table still fills `info` when it comes, and its failure is no
    // longer the file's (the export was loaded; only names for rows leanbatch writes itself
    // are then missing).
    bool early = false;
    // The copy of the export the first answer about it named; every answer's rows are used
    // only if it names the same (on_check). `changed`: an import answer named another.
    std::optional<proto::CopyIdentity> copy;
    bool changed = false;
    bool warned_changed = false;
    bool split = false;  // checked in parts (its serial rest is fingerprinted too)
  };
  struct ItemState {
    size_t file = 0;
    std::vector<uint64_t> planned;  // declarations to check, in file order
    size_t cursor = 0;              // next position of planned to schedule
    std::vector<uint64_t> requeue;  // left over from a failed chunk, scheduled first
    size_t chunk = kFirstChunk;
    DeclSet printed;                // declarations that have their row
    // Worker generations that already tried a declaration and died under it (in chunks that
    // were then split): a row's `attempt` counts every generation that tried it.
    std::unordered_map<uint64_t, uint32_t> tried;
    bool started = false;           // planned computed
    bool file_row = false;          // ended with a file row
    bool busy = false;
    bool finished = false;          // every planned declaration has its row
    // One export over several workers (docs/kernel.md): a whole-file item may be split into
    // parts, each a sub-item (origin = the item, part = 1, 2, …) whose rows are held until
    // every part is done, then joined.
    size_t origin = 0;              // the work item this state belongs to
    uint32_t part = 0;              // 0: serial; p: part p of its origin
    std::vector<size_t> subs;       // the origin's part sub-items
    size_t open_parts = 0;
    // Rows of the parts not printed yet, by declaration. A part's row is final once every
    // declaration before it (in file order) is accepted: its assumptions then hold. Rows are
    // printed up to that frontier as the parts progress.
    struct Held {
      host::VerdictStatus status;
      std::string row;
      std::string conditional_key;  // recorded in --cache once the row is final (accepted)
    };
    std::unordered_map<uint64_t, Held> held;
    size_t frontier = 0;            // position in `planned` of the first row not printed
    size_t next_block = 0;          // split item: position in `planned` of the first block no part took
    bool all_ok = true;             // no held row at the frontier is anything but ok
  };
  struct Job {
    enum class Kind { Import, Warm, Check } kind;
    size_t file = 0;
    size_t item = 0;
    std::vector<uint64_t> decls;
    bool fingerprint = false;  // the answer must name the bytes it came from
  };
  /// Records the copy an Import (or warm import) answer names (on_check compares with it).
  void note_copy(size_t f, const proto::ImportResponse& info);
  /// Whether a Check answer's rows come from the export's copy (supervised_copies.cpp).
  bool answer_from_export_copy(const Job& job, const sv::JobOutcome& o, ItemState& s);

  // Admission: at most one file per worker is open (imported and being checked) at a time,
  // in order of first mention. Submitting every import at once made all files compete for
  // the workers' few session slots: chunks of one file landed on workers that had evicted
  // it and re-read it whole, so a sweep's cost grew faster than its size. A file leaves when
  // every item on it has its rows; its tables are dropped then, so the driver's memory is
  // what is in flight, not what was printed.
  void admit_files();

  // Called when item i has all its rows (or its file row).
  void item_finished(size_t i);

  // Splits whole-file item i into parts, sub-items checked in part mode that draw blocks of
  // kPartBlock declarations from it as they need work (pull_blocks).
  void split(size_t i);
  void pull_blocks(size_t i);

  // The join, when every part is done. All rows final and printed: done. Otherwise the rows
  // from the first one that is not ok on rest on a false assumption: they are dropped and
  // that rest is checked serially, which gives exactly the serial rows (the serial checker
  // checks what they depend on first, without reporting it again).
  void part_finished(size_t i);

  void submit_import(size_t f);
  bool submit_chunk(size_t i);  // false: nothing left to submit for item i

  void on_import(const Job& job, const sv::JobOutcome& o);
  /// A warm import (no table) answered first: an export whose items all check it whole and
  /// will be split starts now, from the declaration count alone, instead of waiting for the
  /// table (which only names rows the driver writes itself, and --decl).
  void early_start(size_t f, const proto::ImportResponse& warm);

  void file_row(size_t i);

  void start_item(size_t i);

  void schedule(size_t i);

  /// Prints the rows of a check answer; a row for a declaration the job did not ask for is
  /// a protocol slip (dropped with a warning: the declaration keeps its own row).
  void print_rows(size_t i, const sv::JobOutcome& o, const std::vector<uint64_t>& requested);

  // A row the driver writes itself for a declaration the workers could not decide.
  void synthesized_row(size_t i, uint64_t d, const char* status, const std::string& kind, const std::string& message, const sv::FatalExit* failure, const sv::AttemptRef* ref);

  // A final row of state i: printed, or held when i is a part (until it is final).
  void emit(size_t i, host::VerdictStatus status, std::string row, const char* driver_status = nullptr, uint64_t decl = 0,
            std::string_view conditional_key = {});

  void advance_frontier(size_t i);

  void count(host::VerdictStatus status, const char* driver_status);
  /// Generations that died under declaration d of state i before the current attempt.
  uint32_t prior_attempts(size_t i, uint64_t d) const {
    auto it = states_[i].tried.find(d);
    return it == states_[i].tried.end() ? 0 : it->second;
  }

  void on_check(const Job& job, const sv::JobOutcome& o);

  // After the run: every item and declaration still without a terminal row gets one.
  void sweep();

  const std::vector<WorkItem>& items_;
  const CheckCliOptions& opts_;
  bool names_global_;
  RunReport& report_;
  RowWriter& out_;
  sv::Pool* pool_ = nullptr;
  std::vector<FileState> files_;
  std::unordered_map<std::string, size_t> file_index_;
  std::vector<ItemState> states_;
  std::unordered_map<uint64_t, Job> jobs_;
  uint64_t next_job_ = 1;
  // Chunk sizes: the most a Check request may carry under the frame cap, and where a new item
  // starts, which is where earlier items grew to while their chunks stayed quick (a sweep's
  // modules then cost one Check request each, not four); back to kFirstChunk after a crash.
  size_t max_chunk_ = kMaxChunk;
  size_t warm_chunk_ = kFirstChunk;
  size_t max_active_files_ = 1;
  size_t split_parts_ = 1;  // parts per whole-file item (1: no split)
  size_t part_block_ = kPartBlock;
  std::chrono::steady_clock::time_point t0_;
  size_t active_files_ = 0;
  size_t next_file_ = 0;
  bool stopping_ = false;
  bool output_stop_ = false;
  std::optional<sv::FatalExit> gave_up_;
  std::set<std::string> found_names_;
  std::set<size_t> warned_files_;  // exports whose read error was said on stderr
  Outcomes oc_;
};

}  // namespace leanbatch::tools::supervised
