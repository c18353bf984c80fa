#include "leanbatch/host/checker.hpp"

#include <pthread.h>

#include <algorithm>
#include <exception>
#include <new>
#include <unordered_map>
#include <unordered_set>

#include "leanbatch/host/decl_digest.hpp"
#include "leanbatch/host/export_writer.hpp"
#include "leanbatch/host/internal_error.hpp"
#include "leanbatch/host/kernel/builtin_axioms.hpp"
#include "leanbatch/host/kernel/check_constant.hpp"
#include "leanbatch/host/kernel/inductive.hpp"
#include "leanbatch/host/kernel/primitives.hpp"
#include "leanbatch/host/kernel/quot.hpp"
#include "leanbatch/host/kernel/type_checker.hpp"

namespace leanbatch::host {

const char* to_string(VerdictStatus s) {
  switch (s) {
    case VerdictStatus::Ok: return "ok";
    case VerdictStatus::Rejected: return "rejected";
    case VerdictStatus::Declined: return "declined";
    case VerdictStatus::Timeout: return "timeout";
    case VerdictStatus::Cancelled: return "cancelled";
    case VerdictStatus::Error: return "error";
    case VerdictStatus::Skipped: return "skipped";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------

struct Checker::State {
  explicit State(const Environment& env) : kenv(env) {}
  KernelEnv kenv;
  // Verdicts of decided declarations. Most are a plain "ok": those keep only their time
  // (8 bytes a declaration instead of a whole DeclVerdict, which made every checker of a
  // 150k-declaration export cost 25 MB before it checked anything); the rest are kept whole.
  std::vector<uint64_t> ok_micros;
  std::unordered_map<uint32_t, DeclVerdict> other_verdicts;
  void keep(uint32_t d, DeclVerdict v) {
    bool plain = v.status == VerdictStatus::Ok && v.kind.empty() && v.message.empty() && v.terms.empty() &&
                 v.axioms.empty() && !v.uses_sorry && !v.uses_trust_compiler && v.reused.empty();
    if (plain) {
      ok_micros[d] = v.micros;
      other_verdicts.erase(d);
    } else {
      other_verdicts[d] = std::move(v);
    }
  }
  // The verdict of `d`: the one kept whole, or a plain "ok" made in `plain`.
  const DeclVerdict& verdict(uint32_t d, DeclVerdict& plain) const {
    if (auto it = other_verdicts.find(d); it != other_verdicts.end()) return it->second;
    plain = DeclVerdict{};
    plain.decl = d;
    plain.micros = ok_micros[d];
    return plain;
  }
  std::vector<bool> decided;
  uint32_t first_undecided = 0;  // every declaration before it is decided
  std::unordered_map<uint32_t, bool> builtin_canonical;  // built-in axiom name → is Lean's
  std::vector<bool> assumed;  // part mode: accepted without being checked
  std::unique_ptr<DeclDigests> digests;  // reuse: content digests (made on first use)
  std::string reuse_options;             // reuse: the verdict-affecting part of every key

  // Skips the decided prefix of the file; returns the first undecided declaration.
  uint32_t advance_first_undecided() {
    while (first_undecided < decided.size() && decided[first_undecided]) ++first_undecided;
    return first_undecided;
  }
};

Checker::Checker(std::shared_ptr<const Environment> env, CheckOptions opts)
    : env_(std::move(env)), opts_(std::move(opts)), state_(std::make_unique<State>(*env_)) {
  state_->ok_micros.resize(env_->declarations().size());
  state_->decided.resize(env_->declarations().size(), false);
  state_->assumed.resize(env_->declarations().size(), false);
}

Checker::~Checker() = default;

std::vector<std::string> Checker::enabled_extensions() const {
  std::vector<std::string> out;
  const KernelEnv& k = state_->kenv;
  if (k.nat_ok) out.push_back("Nat.literals");
  for (size_t i = 0; i < static_cast<size_t>(NatOp::Count); ++i)
    if (k.nat_op_enabled(static_cast<NatOp>(i))) out.push_back(to_string(static_cast<NatOp>(i)));
  if (k.string_ok) out.push_back("String.literals");
  if (k.quot_ready()) out.push_back("Quot");
  return out;
}

std::optional<bool> Checker::is_def_eq(Expr a, Expr b, std::span<const Name> lparams) {
  std::optional<bool> result;
  TermStore& st = env_->store();
  auto body = [&](uintptr_t stack_limit) {
    CheckControl control;
    control.cancel = opts_.cancel;
    control.budget = opts_.budget;
    control.stack_limit = stack_limit;
    st.begin_scratch();
    try {
      TypeChecker tc(state_->kenv, control, static_cast<uint32_t>(env_->declarations().size()), lparams, Safety::Safe);
      result = tc.is_def_eq(a, b);
    } catch (const KernelError&) {
    } catch (const InternalError&) {
    }
    st.drop_scratch();
  };
  if (!run_on_large_stack(opts_.stack_bytes, body)) body(current_stack_limit());
  return result;
}

namespace {

VerdictStatus status_of(KernelErrorKind k) {
  switch (k) {
    case KernelErrorKind::UnsafeDeclaration:
    case KernelErrorKind::PartialDeclaration:
    case KernelErrorKind::NativeReduction:
    case KernelErrorKind::UnsupportedLiteral:
    case KernelErrorKind::DependsOnDeclined:
    case KernelErrorKind::KernelLimit: return VerdictStatus::Declined;
    case KernelErrorKind::Budget: return VerdictStatus::Timeout;
    case KernelErrorKind::Cancelled: return VerdictStatus::Cancelled;
    case KernelErrorKind::Internal: return VerdictStatus::Error;
    case KernelErrorKind::DependsOnTimeout:
    case KernelErrorKind::DependsOnCrashed: return VerdictStatus::Skipped;
    default: return VerdictStatus::Rejected;
  }
}

}  // namespace

// Speed only: when every undecided declaration before the last selected one is itself
// selected (a worker checking a file chunk by chunk, in order), the selection sorted is
// exactly the undecided part of its dependency closure, and walking the terms for the
// closure is wasted work. Otherwise the closure decides.
std::vector<uint32_t> Checker::selection_order(std::span<const uint32_t> selection, const std::vector<bool>& selected) {
  uint32_t last = *std::max_element(selection.begin(), selection.end());
  for (uint32_t i = state_->advance_first_undecided(); i < last; ++i)
    if (!state_->decided[i] && !selected[i]) return dependency_closure(*env_, selection);
  std::vector<uint32_t> order(selection.begin(), selection.end());
  std::sort(order.begin(), order.end());
  order.erase(std::unique(order.begin(), order.end()), order.end());
  return order;
}

void Checker::poison(uint32_t d, bool timeout) {
  if (d >= state_->decided.size() || state_->decided[d]) return;
  state_->kenv.set_decl_status(d, timeout ? KernelEnv::Status::TimedOut : KernelEnv::Status::Crashed);
  state_->decided[d] = true;
  DeclVerdict v;
  v.decl = d;
  v.status = timeout ? VerdictStatus::Timeout : VerdictStatus::Error;
  v.kind = timeout ? "timeout" : "crashed";
  v.message = "decided by the supervisor";
  state_->keep(d, std::move(v));
}

// Reuse (docs/kernel.md, "Reuse"): accept declaration `d` without checking it when an
// identical declaration over identical dependencies was accepted by a checker of this process
// under the same verdict-affecting options, its names are free here, and its direct
// dependencies are accepted here. Sets `key` (the content key) whenever reuse is on, so that
// a miss can be remembered once `d` is accepted. Speed only: a miss checks as usual.
void Checker::make_digests() {
  if (state_->digests) return;
  // The verification digest: a theorem's proof, and those of the theorems it uses, are
  // part of what must be identical for a hit.
  state_->digests = std::make_unique<DeclDigests>(*env_, /*dense=*/true, /*with_proofs=*/true);
  state_->reuse_options = std::string("leanbatch ") + LEANBATCH_VERSION + (opts_.allow_unsafe ? " unsafe" : " safe");
}

void Checker::seed_digests(const Checker& from) {
  if (!opts_.reuse || !from.state_->digests || env_->seeded_decls == 0) return;
  make_digests();
  state_->digests->seed_prefix(*from.state_->digests, env_->seeded_decls);
  const uint32_t d = env_->seeded_decls - 1;
  state_->kenv.seed_axioms(from.state_->kenv, env_->declaration(d).first_const + env_->declaration(d).num_consts);
}

bool Checker::try_reuse(uint32_t d, std::string& key, bool& from_cache) {
  KernelEnv& kenv = state_->kenv;
  make_digests();
  Digest k = digest_with(state_->digests->of_decl(d), state_->reuse_options);
  key.assign(reinterpret_cast<const char*>(k.data()), k.size());
  from_cache = false;
  if (!opts_.reuse->keys.contains(key)) {
    if (!opts_.reuse->persisted.contains(key)) return false;
    from_cache = true;  // the same argument: the cache holds only keys a kernel accepted
  }
  const Declaration& decl = env_->declaration(d);
  try {
    for (uint32_t i = decl.first_const; i < decl.first_const + decl.num_consts; ++i)
      kenv.check_name_free(env_->constant(i).name, d);
  } catch (const KernelError&) {
    return false;  // a name taken by an earlier declaration of this file: check (and reject)
  }
  for (uint32_t r : state_->digests->references(d))
    if (kenv.decl_status(r) != KernelEnv::Status::Accepted) return false;
  return true;
}

CheckSummary Checker::check(std::span<const uint32_t> selection,
                            const std::function<void(const DeclVerdict&)>& on_verdict) {
  CheckSummary sum;
  auto t0 = std::chrono::steady_clock::now();
  const Environment& env = *env_;
  // What to check: the selection with its dependencies, in file order.
  std::vector<uint32_t> order;
  std::vector<bool> report(env.declarations().size(), selection.empty());
  if (selection.empty()) {
    order.resize(env.declarations().size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  } else {
    for (uint32_t d : selection) report[d] = true;
    if (opts_.assume_unselected) {
      // Part mode: everything up to the last selected declaration, in file order; the
      // unselected ones are assumed below.
      uint32_t last = *std::max_element(selection.begin(), selection.end());
      for (uint32_t d = state_->advance_first_undecided(); d <= last; ++d)
        if (!state_->decided[d]) order.push_back(d);
      for (uint32_t d : selection)
        if (state_->decided[d] && !report[d]) order.push_back(d);
    } else {
      order = selection_order(selection, report);
    }
  }
  KernelEnv& kenv = state_->kenv;
  TermStore& st = env.store();
  const KernelNames& names = kenv.names();
  // The allowlist as Names, compared by identity (soundness: printed names are ambiguous,
  // name_syntax.cpp). An entry that does not parse allows nothing (the CLI rejects it first).
  // Interned outside scratch mode only, so that no id here is dropped and then reused by
  // another name (check() is never entered in scratch mode; if it were, nothing is allowed:
  // failing closed).
  std::unordered_set<uint32_t> allowed;
  if (!st.scratch_active())
    for (const std::string& a : opts_.allowed_axioms)
      if (auto n = st.name_from_lean_syntax(a)) allowed.insert(n->id);
  bool axioms_needed = opts_.collect_axioms || opts_.strict_axioms || env.find(names.sorry_ax) ||
                       env.find(names.trust_compiler);

  // Is the visible axiom named `ax_name` (a built-in name) Lean's own? Memoised by name: a name
  // belongs to its first declaration, so the answer never changes within a run.
  auto builtin_axiom_canonical = [&](Name ax_name, const CheckControl& control, uint32_t d) {
    if (auto it = state_->builtin_canonical.find(ax_name.id); it != state_->builtin_canonical.end()) return it->second;
    bool ok = false;
    if (const ConstantInfo* c = kenv.find(ax_name)) {
      st.begin_scratch();
      try {
        ok = builtin_axiom_is_canonical(kenv, control, d, *c);
      } catch (const std::exception&) {
        ok = false;
      }
      st.drop_scratch();
    }
    state_->builtin_canonical[ax_name.id] = ok;
    return ok;
  };

  auto body = [&](uintptr_t stack_limit) {
    CheckControl control;
    control.cancel = opts_.cancel;
    control.budget = opts_.budget;
    control.max_scratch_exprs = opts_.max_scratch_exprs;
    control.nat_max_bytes = opts_.nat_max_bytes;
    control.stack_limit = stack_limit;
    control.test_corrupt_derived_recursor = opts_.test_corrupt_derived_recursor;
    uint64_t done = 0;
    // One declaration. Running out of memory anywhere in it (not only in the kernel) gives
    // it an out_of_memory verdict: exceptions never cross the libhost API.
    uint32_t reported_last = UINT32_MAX;  // the declaration whose verdict went out last
    auto step = [&](uint32_t d) {
      std::string conditional_key;  // DeclVerdict::conditional_key of d, if checked here
      if (opts_.assume_unselected && !report[d] && !state_->decided[d]) {
        state_->decided[d] = true;
        state_->assumed[d] = true;
        // Soundness: a declaration whose name an earlier one owns is rejected by the serial
        // run (already_declared) whatever else it is, so it is not assumed: made visible it
        // would re-point the name for this part (a duplicate `axiom x : False` standing in
        // for an earlier `def x`), and extensions would see it (a second `Nat`).
        try {
          const Declaration& decl = env.declaration(d);
          for (uint32_t i = decl.first_const; i < decl.first_const + decl.num_consts; ++i)
            kenv.check_name_free(env.constant(i).name, d);
        } catch (const KernelError&) {
          kenv.set_decl_status(d, KernelEnv::Status::Rejected);
          return;
        }
        // Assumed, not checked: visible to what follows, and the extensions see it as the
        // serial run would once it is accepted there.
        kenv.set_decl_status(d, KernelEnv::Status::Accepted);
        st.begin_scratch();
        try {
          update_primitives(kenv, control, d);
        } catch (const std::exception&) {
        }
        st.drop_scratch();
        return;
      }
      if (report[d] && state_->assumed[d]) {
        // A declaration this checker assumed is never reported as checked.
        DeclVerdict v;
        v.decl = d;
        v.status = VerdictStatus::Error;
        v.kind = "internal_error";
        v.message = "this part assumed the declaration earlier; it cannot check it";
        ++sum.error;
        on_verdict(v);
        return;
      }
      if (!state_->decided[d]) {
        DeclVerdict v;
        v.decl = d;
        auto start = std::chrono::steady_clock::now();
        const Declaration& decl = env.declaration(d);
        std::string reuse_key;
        bool from_cache = false;
        if (opts_.reuse && try_reuse(d, reuse_key, from_cache)) {
          v.reused = from_cache ? "cache" : opts_.reuse->label;
          ++(from_cache ? opts_.reuse->cache_hits : opts_.reuse->hits);
        } else {
        if (opts_.before_check) opts_.before_check();
        st.begin_scratch();
        try {
          if (opts_.cancel && opts_.cancel->requested())
            throw KernelError{KernelErrorKind::Cancelled, "cancelled before checking", {}};
          // Declined up front: unsafe and partial declarations, unless allowed.
          for (uint32_t i = decl.first_const; i < decl.first_const + decl.num_consts && !opts_.allow_unsafe; ++i) {
            const ConstantInfo& c = env.constant(i);
            if (c.safety == Safety::Unsafe)
              throw KernelError{KernelErrorKind::UnsafeDeclaration,
                                "'" + st.name_to_string(c.name) + "' is unsafe; unsafe declarations are declined (use --allow-unsafe to check them)", {}};
            if (c.safety == Safety::Partial)
              throw KernelError{KernelErrorKind::PartialDeclaration,
                                "'" + st.name_to_string(c.name) + "' is partial; partial definitions are declined (use --allow-unsafe to check them)", {}};
          }
          if (decl.kind == DeclKind::Inductive) {
            check_inductive_block(kenv, control, d);
          } else {
            const ConstantInfo& c = env.constant(decl.first_const);
            if (st.has_loose_bvars(c.type) || (c.value.valid() && st.has_loose_bvars(c.value)))
              throw KernelError{KernelErrorKind::LooseBVar, "a loose bound variable occurs in the declaration", {}};
            check_constant(kenv, control, d, c);
          }
        } catch (const KernelError& e) {
          v.status = status_of(e.kind);
          v.kind = to_string(e.kind);
          v.message = e.message;
          v.terms = e.terms;
        } catch (const InternalError& e) {
          v.status = VerdictStatus::Error;
          v.kind = "internal_error";
          v.message = e.what();
        } catch (const std::bad_alloc&) {
          // Undecided, like a worker killed by its memory ceiling (same kind in both modes).
          v.status = VerdictStatus::Error;
          v.kind = "out_of_memory";
          v.message = "out of memory while checking this declaration";
        } catch (const std::exception& e) {
          // A library exception (a bug of ours, e.g. an out-of-range access) is an internal
          // error of this declaration: it must not cross the libhost API.
          v.status = VerdictStatus::Error;
          v.kind = "internal_error";
          v.message = std::string("unexpected exception: ") + e.what();
        }
        st.drop_scratch();
        // Kernel-accepted (before the axiom policy, which is applied to every row below):
        // remembered for reuse. Soundness: never by a part's checker. Its verdicts hold only
        // if everything it assumed is accepted where it is checked (the driver's frontier
        // decides that for the rows), while a key, once in the set or the --cache, is taken
        // as unconditional by every later checker and run.
        if (v.status == VerdictStatus::Ok && !reuse_key.empty() && opts_.assume_unselected)
          v.conditional_key = reuse_key;
        else if (v.status == VerdictStatus::Ok && !reuse_key.empty() && opts_.reuse->keys.insert(reuse_key) &&
                 opts_.reuse->on_verified)
          opts_.reuse->on_verified(reuse_key);
        }
        if (v.status == VerdictStatus::Ok) {
          kenv.set_decl_status(d, KernelEnv::Status::Accepted);
          st.begin_scratch();
          try {
            update_primitives(kenv, control, d, state_->digests.get());
          } catch (const KernelError&) {
            // A failed verification leaves the extension disabled; the declaration stands.
          } catch (const std::exception&) {
            // Out of memory (or a bug) while verifying: the extension stays disabled too.
          }
          st.drop_scratch();
        } else {
          // A timed-out declaration poisons its dependents (skipped, depends_on_timeout):
          // they are not re-run into the same budget, nor labelled as if it were declined.
          // An internal error or running out of memory is undecided: its dependents are
          // skipped as depends_on_crashed (exit 3), not labelled declined (exit 2).
          // A skipped declaration passes its reason on to its own dependents.
          kenv.set_decl_status(d, v.status == VerdictStatus::Rejected  ? KernelEnv::Status::Rejected
                                  : v.status == VerdictStatus::Timeout ? KernelEnv::Status::TimedOut
                                  : v.status == VerdictStatus::Error   ? KernelEnv::Status::Crashed
                                  : v.status == VerdictStatus::Skipped
                                      ? (v.kind == "depends_on_timeout" ? KernelEnv::Status::SkippedAfterTimeout
                                                                        : KernelEnv::Status::SkippedAfterCrash)
                                      : KernelEnv::Status::Declined);
        }
        // Axioms: reported on request, enforced with --strict-axioms, sorry always flagged.
        if (v.status == VerdictStatus::Ok && axioms_needed) {
          // Each axiom once, in the order of its name in Lean's syntax (formatted once).
          std::vector<Name> ids;
          for (uint32_t i = decl.first_const; i < decl.first_const + decl.num_consts; ++i)
            for (Name a : kenv.axioms_of(i)) ids.push_back(a);
          std::sort(ids.begin(), ids.end(), [](Name a, Name b) { return a.id < b.id; });
          ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
          std::vector<std::pair<std::string, Name>> ax;
          for (Name a : ids) ax.emplace_back(st.name_to_lean_syntax(a), a);
          std::sort(ax.begin(), ax.end(), [](const auto& x, const auto& y) {
            return x.first != y.first ? x.first < y.first : x.second.id < y.second.id;
          });
          std::string bad, bad_why;
          for (const auto& [s, a] : ax) {
            if (a == names.sorry_ax) v.uses_sorry = true;
            if (a == names.trust_compiler) v.uses_trust_compiler = true;
            // Soundness of the policy: a built-in name counts only with Lean's statement.
            bool foreign = is_builtin_axiom_name(names, a) && !builtin_axiom_canonical(a, control, d);
            if (opts_.collect_axioms) v.axioms.push_back(foreign ? s + " (foreign)" : s);
            if (bad.empty() && (foreign || !allowed.count(a.id))) {
              bad = s;
              bad_why = foreign ? "', which has the name of Lean's axiom but not its statement (a foreign axiom is "
                                  "never allowed)"
                                : "', which is not in the allowlist (--allow-axiom adds one)";
            }
          }
          if (opts_.strict_axioms && !bad.empty()) {
            v.status = VerdictStatus::Rejected;
            v.kind = "axiom_not_allowed";
            v.message = "depends on the axiom '" + bad + bad_why;
          }
        }
        v.micros = static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count());
        // A plain "ok" is kept without its key (memory): the key goes out with the row below.
        conditional_key = v.conditional_key;
        state_->keep(d, std::move(v));
        state_->decided[d] = true;
        ++sum.checked;
      }
      if (report[d]) {
        DeclVerdict plain;
        const DeclVerdict& v = state_->verdict(d, plain);
        if (&v == &plain) plain.conditional_key = std::move(conditional_key);
        switch (v.status) {
          case VerdictStatus::Ok: ++sum.ok; break;
          case VerdictStatus::Rejected: ++sum.rejected; break;
          case VerdictStatus::Declined: ++sum.declined; break;
          case VerdictStatus::Timeout: ++sum.timeout; break;
          case VerdictStatus::Cancelled: ++sum.cancelled; break;
          case VerdictStatus::Error: ++sum.error; break;
          case VerdictStatus::Skipped: ++sum.skipped; break;
        }
        on_verdict(v);
        reported_last = d;
      }
      if (opts_.progress && (++done & 1023) == 0) opts_.progress(Progress{"check", done, order.size()});
    };
    for (uint32_t d : order) {
      try {
        step(d);
      } catch (const std::bad_alloc&) {
        st.drop_scratch();  // give the memory back before reporting
        if ((state_->decided[d] && !report[d]) || reported_last == d) continue;
        DeclVerdict v;
        v.decl = d;
        v.status = VerdictStatus::Error;
        v.kind = "out_of_memory";
        v.message = "out of memory while checking this declaration";
        if (!state_->decided[d]) {
          kenv.set_decl_status(d, KernelEnv::Status::Crashed);
          state_->keep(d, v);
          state_->decided[d] = true;
        }
        if (report[d]) {
          ++sum.error;
          on_verdict(v);
        }
      }
    }
  };
  if (!run_on_large_stack(opts_.stack_bytes, body)) body(current_stack_limit());  // no thread: run here
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum;
}

}  // namespace leanbatch::host
