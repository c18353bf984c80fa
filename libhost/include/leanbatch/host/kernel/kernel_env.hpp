#pragma once
/// KernelEnv: the kernel's view of an Environment while it is being checked.
///
/// Only accepted declarations are visible to the type checker (plus, while an inductive
/// block is checked, an overlay of the block's own types and constructors). Declarations
/// are checked in file order, so a constant from a later line, a rejected one or a declined
/// one is simply not found; missing_constant_error says which case applies.
///
/// It also records which built-in extensions may be used. Literal and GMP arithmetic
/// support, string literal expansion and quotient reduction are enabled only after the
/// environment's own declarations of Nat, Bool, String, Quot … have been verified to be the
/// expected ones (see primitives.cpp and quot.cpp): an export that defines its own
/// `Nat.add` gets no false equations from the extension.
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "leanbatch/host/environment.hpp"
#include "leanbatch/host/expr_ops.hpp"
#include "leanbatch/host/kernel/kernel_error.hpp"

namespace leanbatch::host {

/// Names the kernel treats specially, interned (persistently) once.
struct KernelNames {
  explicit KernelNames(TermStore& st);
  Name nat, nat_zero, nat_succ, nat_pred;
  Name nat_add, nat_sub, nat_mul, nat_div, nat_mod, nat_gcd, nat_beq, nat_ble, nat_land, nat_lor, nat_xor,
      nat_shiftLeft, nat_shiftRight, nat_pow, nat_log2;
  Name bool_, bool_true, bool_false;
  Name string, string_mk, string_of_list, char_, char_of_nat, list, list_nil, list_cons;
  Name string_of_byte_array, byte_array, byte_array_is_valid_utf8, byte_array_is_valid_utf8_intro, list_utf8_encode;
  Name eq, eq_refl, quot, quot_mk, quot_lift, quot_ind;
  Name reduce_bool, reduce_nat;
  Name sorry_ax, trust_compiler, propext, quot_sound, classical_choice;
  Name opt_param, auto_param, out_param, semi_out_param;
  Name u, v, alpha, beta, r, a, b, f, q, mk, motive, t;
};

/// Nat operations the kernel may evaluate on literals with GMP.
enum class NatOp : uint8_t { Add, Sub, Mul, Div, Mod, Gcd, Beq, Ble, Land, Lor, Xor, ShiftLeft, ShiftRight, Pow, Count };
const char* to_string(NatOp op);

class KernelEnv {
 public:
  /// TimedOut / Crashed: the declaration's check ran out of time or killed a worker; its
  /// dependents are skipped (depends_on_timeout / depends_on_crashed).
  /// SkippedAfterTimeout / SkippedAfterCrash: skipped because something it depends on timed
  /// out or crashed; its own dependents are skipped the same way (undecided, exit 3), not
  /// labelled declined.
  enum class Status : uint8_t {
    Unchecked, Accepted, Rejected, Declined, TimedOut, Crashed, SkippedAfterTimeout, SkippedAfterCrash
  };

  /// Must be constructed while the store is not in scratch mode (it interns names).
  explicit KernelEnv(const Environment& env);

  const Environment& env() const { return env_; }
  TermStore& st() const { return env_.store(); }
  const KernelNames& names() const { return names_; }

  Status decl_status(uint32_t d) const { return status_[d]; }
  /// Records a verdict; accepting a declaration makes its constants visible.
  void set_decl_status(uint32_t d, Status s);

  /// A visible constant (overlay first), or nullptr.
  const ConstantInfo* find(Name n) const;
  /// Explains why `n` is not visible while checking declaration `current`.
  KernelError missing_constant_error(Name n, uint32_t current) const;
  /// Throws AlreadyDeclared if a declaration before `current` (in file order) introduced `n`,
  /// whatever its verdict (accepted, rejected, declined, or not checked in this run).
  void check_name_free(Name n, uint32_t current) const;
  /// The constant that owns `n` (its first declaration) if that declaration comes before
  /// `current`, whatever its verdict; nullptr otherwise.
  const ConstantInfo* earlier_owner(Name n, uint32_t current) const;

  /// Temporary constants of the inductive block being checked.
  void overlay_add(const ConstantInfo* c) { overlay_.push_back(c); }
  void overlay_clear() { overlay_.clear(); }

  // ---- extensions (soundness-critical flags; set only by the verifiers) ----
  bool nat_ok = false;     ///< `Nat` is the inductive with `Nat.zero`, `Nat.succ`
  bool bool_ok = false;    ///< `Bool` is the inductive with `Bool.false`, `Bool.true`
  bool string_ok = false;  ///< String literal expansion is well-typed here
  /// A closed term of type `String` was type-checked (implied by string_ok). Before the
  /// expansion is available, a string literal is then an opaque constant of an inhabited
  /// type, which cannot prove anything new (replace every literal by the witness).
  bool string_inhabited = false;
  bool string_uses_of_list = false;
  std::array<bool, static_cast<size_t>(NatOp::Count)> nat_op_ok{};
  bool eq_ok = false;       ///< `Eq` has the shape the quotient module needs
  std::array<bool, 4> quot_ok{};  ///< Quot, Quot.mk, Quot.lift, Quot.ind verified
  bool quot_ready() const { return quot_ok[0] && quot_ok[1] && quot_ok[2] && quot_ok[3]; }
  bool nat_op_enabled(NatOp op) const { return nat_ok && nat_op_ok[static_cast<size_t>(op)]; }

  /// The declarations a string literal stands for once literals are typed or expanded
  /// (String, its constructor, Char, Char.ofNat, List, Nat, or the constants of the checked
  /// inhabitant of String): a literal depends on their axioms (see axioms_of).
  std::vector<Name> string_literal_deps;

  /// Persistent constants used by the extensions.
  Expr nat_type, nat_zero, nat_succ, bool_type, bool_true, bool_false, string_type;

  /// Lean's consume_type_annotations: strips `optParam α d`, `autoParam α t`, `outParam α`,
  /// `semiOutParam α` (repeatedly, at the head) to `α`. A wrapper is stripped only if the
  /// environment's definition of it is the identity on its first argument, so that the
  /// stripped type is definitionally equal to the original one.
  Expr consume_type_annotations(Expr e);

  /// Names of the accepted axioms the constant depends on, transitively (sorted, deduplicated).
  /// The unit is its declaration: every constant of an inductive block gets the block's set
  /// (at least what Lean's collectAxioms reports for any of them). Dependencies are the
  /// constants its terms mention, the structures they project from, and
  /// what the kernel uses implicitly: a Nat literal stands for `Nat` terms, a String literal
  /// for the declarations in string_literal_deps (an axiom behind `String.ofList` or
  /// `Char.ofNat` is an axiom of every declaration that uses a literal).
  const std::vector<Name>& axioms_of(uint32_t const_index);
  /// Prefix reuse (speed only): takes over `from`'s axiom closures of the first `consts`
  /// constants, which this environment shares with `from`'s (same store; Environment::
  /// seeded_decls). Why that is exact: axioms_of is only ever asked for accepted constants
  /// (and, through them, visible ones), and the closure of an accepted constant is a function
  /// of its declaration's verification digest — its content and that of everything it
  /// reaches, which is all accepted and resolves by name to the same declarations in a
  /// shared prefix. The shared declarations have the same digests in both environments.
  void seed_axioms(const KernelEnv& from, uint32_t consts);

 private:
  const Environment& env_;
  KernelNames names_;
  std::vector<Status> status_;
  // Flat tables indexed by dense ids (names, constants): 4 bytes an entry, where hash maps
  // took about 40 (a worker holds one per export; docs/benchmarks.md, memory per worker).
  std::vector<uint32_t> visible_;  // name id → 1 + constant index; 0: not visible
  std::vector<const ConstantInfo*> overlay_;
  // Axiom closures: constant index → 1 + index into axiom_sets_ (0: not computed yet). Few
  // distinct closures exist, so each is stored once.
  std::vector<uint32_t> axioms_memo_;
  std::deque<std::vector<Name>> axiom_sets_;  // a deque: axioms_of returns references that must stay valid
  std::map<std::vector<uint32_t>, uint32_t> axiom_set_ids_;
  // Speed only: axioms_of's subterm walks reuse one visited bitset (one bit a node: a
  // worker's private memory counts; a 4-byte stamp per node cost 18 MB on Init.Prelude x100).
  SubtermWalk walk_;
  static constexpr uint32_t kNotVisible = UINT32_MAX;
  /// The visible constant named `n` (not the overlay), or kNotVisible.
  uint32_t visible_index(Name n) const {
    return n.id < visible_.size() && visible_[n.id] != 0 ? visible_[n.id] - 1 : kNotVisible;
  }
  bool wrapper_is_identity(Name n, unsigned arity);
};

}  // namespace leanbatch::host
