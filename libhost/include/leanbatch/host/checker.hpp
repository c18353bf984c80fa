#pragma once
/// Checking an environment: the public entry point of the kernel.
///
/// Declarations are checked in file order against the declarations accepted before them.
/// Each gets a DeclVerdict; kernel errors become verdict values here and nowhere else. The
/// kernel runs on a dedicated thread with a large stack, and a stack guard turns runaway
/// nesting into a `kernel_limit` verdict instead of a crash.
#include <chrono>
#include <cstdint>
#include <functional>
#include <unordered_set>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "leanbatch/host/digest_set.hpp"
#include "leanbatch/host/environment.hpp"
#include "leanbatch/host/host_context.hpp"

namespace leanbatch::host {

/// Skipped: not checked because a declaration it depends on timed out or killed a worker
/// (kind depends_on_timeout / depends_on_crashed): undecided, like its dependency.
enum class VerdictStatus : uint8_t { Ok, Rejected, Declined, Timeout, Cancelled, Error, Skipped };
const char* to_string(VerdictStatus s);

struct DeclVerdict {
  uint32_t decl = 0;
  VerdictStatus status = VerdictStatus::Ok;
  std::string kind;     ///< error kind, empty when ok
  std::string message;  ///< human explanation, empty when ok
  std::vector<std::pair<std::string, std::string>> terms;  ///< labelled pretty-printed terms
  uint64_t micros = 0;
  std::vector<std::string> axioms;  ///< axioms depended on (when collected)
  bool uses_sorry = false;          ///< depends on sorryAx
  bool uses_trust_compiler = false; ///< depends on Lean.trustCompiler
  std::string reused;               ///< "" (checked), or where an identical verified copy was found
  /// Set only by a part's checker (CheckOptions::assume_unselected) on a kernel-accepted
  /// declaration: its reuse key, which the part did not record because the verdict holds
  /// only if every declaration it assumed is accepted where it is checked. The caller may
  /// record it once that is established (the driver's frontier), never before.
  std::string conditional_key;
};

/// Declarations the kernel accepted, by content key (decl_digest.hpp: the declaration's
/// Merkle digest with the verdict-affecting options and leanbatch's version). Shared by the
/// checkers of one process (a worker, or an in-process run over many exports): a declaration
/// whose key is here, whose names are free and whose direct dependencies are accepted is
/// accepted again without being checked (docs/kernel.md, "Reuse").
struct ReuseSet {
  std::string label = "worker";  ///< the rows' "reused" value
  DigestSet keys;
  /// Keys verified by earlier runs (a --cache): the same rule applies, rows say "cache".
  /// Filled by the tools from a store they own; libhost only reads it.
  DigestSet persisted;
  /// Called once for each key newly accepted here (e.g. to persist it), or empty.
  std::function<void(const std::string& key)> on_verified;
  uint64_t hits = 0, cache_hits = 0;
};

struct CheckOptions {
  bool allow_unsafe = false;    ///< check unsafe/partial declarations instead of declining them
  bool strict_axioms = false;   ///< reject dependencies on axioms outside the allowlist
  bool collect_axioms = false;  ///< fill DeclVerdict::axioms
  std::vector<std::string> allowed_axioms{"propext", "Quot.sound", "Classical.choice"};
  std::chrono::milliseconds budget{0};  ///< per declaration, 0: none
  uint64_t max_scratch_exprs = 0;       ///< per declaration memory budget in terms, 0: none
  /// Largest Nat numeral accepted or computed (bytes of 64-bit limbs; lean4 #14849's
  /// default). Larger ones are declined (`kernel_limit`).
  uint64_t nat_max_bytes = uint64_t{128} << 20;
#ifdef LB_SANITIZE
  // AddressSanitizer does not unpoison stacks above 64 MiB when an exception unwinds them
  // (false positives follow), so sanitizer builds check on a smaller stack.
  size_t stack_bytes = size_t{56} << 20;
#else
  size_t stack_bytes = size_t{1} << 30;
#endif
  const CancelToken* cancel = nullptr;
  ProgressSink progress;
  /// Part mode (one export split over several checkers): every unselected declaration
  /// before a selected one is *assumed* accepted (made visible, extensions updated, never
  /// checked or reported) instead of being checked. Verdicts are then conditional on those
  /// assumptions; the caller accepts them only if every assumed declaration is accepted in
  /// its own part (see docs/kernel.md, "One export over several workers").
  bool assume_unselected = false;
  /// Reuse of verified declarations across exports (nullptr: off).
  std::shared_ptr<ReuseSet> reuse;
  /// Called before a declaration is actually checked (not when it is reused or skipped), so
  /// that a caller holding rows back (to write several at once) lets them out before
  /// something that may take long. Empty: nothing.
  std::function<void()> before_check;
  /// Test-only fault injection: corrupts the recursors the kernel derives for an inductive
  /// block before they are type-checked (see CheckControl). Never set it outside tests (it
  /// changes verdicts that reuse keys do not know about).
  std::function<void(TermStore&, ConstantInfo&)> test_corrupt_derived_recursor;
};

struct CheckSummary {
  uint64_t ok = 0, rejected = 0, declined = 0, timeout = 0, cancelled = 0, error = 0, skipped = 0;
  uint64_t checked = 0;  ///< declarations checked, dependencies included
  double seconds = 0;
};

/// Holds the kernel state for one environment across calls (a session keeps one per loaded
/// export). Not thread-safe; the environment must outlive it.
class Checker {
 public:
  Checker(std::shared_ptr<const Environment> env, CheckOptions opts);
  ~Checker();
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;

  /// Checks `selection` (declaration indices; empty: all), each after the declarations it
  /// depends on. Calls `on_verdict` for every selected declaration in file order.
  CheckSummary check(std::span<const uint32_t> selection, const std::function<void(const DeclVerdict&)>& on_verdict);

  /// Marks declaration `decl` as decided by someone else: it timed out or killed a worker
  /// (`timeout` false). It is never checked here, and its dependents are skipped.
  void poison(uint32_t decl, bool timeout);

  /// Are closed terms `a` and `b` definitionally equal, given the declarations accepted so
  /// far and universe parameters `lparams`? nullopt when the kernel gives up (a limit).
  std::optional<bool> is_def_eq(Expr a, Expr b, std::span<const Name> lparams);

  const Environment& env() const { return *env_; }
  /// Prefix reuse (speed only): with reuse on, takes over the content digests and axiom
  /// closures `from` computed for the declarations this environment shares with its
  /// environment (Environment::seeded_decls; DeclDigests::seed_prefix and
  /// KernelEnv::seed_axioms say what is taken and why). Verdicts are not taken: each
  /// declaration is still accepted here by reuse or by checking.
  void seed_digests(const Checker& from);

  /// Names of the Nat operations currently accelerated (for info/diagnostics).
  std::vector<std::string> enabled_extensions() const;

 private:
  struct State;
  std::vector<uint32_t> selection_order(std::span<const uint32_t> selection, const std::vector<bool>& selected);
  bool try_reuse(uint32_t decl, std::string& key, bool& from_cache);
  void make_digests();
  std::shared_ptr<const Environment> env_;
  CheckOptions opts_;
  std::unique_ptr<State> state_;
};

/// Runs `fn` on a thread whose stack has at least `stack_bytes` (kept between calls, one per
/// calling thread); passes the lowest address the
/// function may safely use (a margin above the real end of the stack). Returns false if the
/// thread could not be created (then `fn` did not run).
bool run_on_large_stack(size_t stack_bytes, const std::function<void(uintptr_t stack_limit)>& fn);
/// The stack guard for checking on the calling thread itself (when no large-stack thread can
/// be made): its lowest address plus a margin; 0 when unknown.
uintptr_t current_stack_limit();

}  // namespace leanbatch::host
