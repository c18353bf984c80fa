#pragma once
/// Content digests of declarations (SHA-256, Merkle over the dependency graph).
///
/// The digest of a declaration covers everything that gives it its meaning: for each of its
/// constants the kind, name, universe parameter names, type, value, safety and the inductive
/// data (parameters, indices, constructors, recursor rules, flags), and the digests of every
/// declaration it refers to (constants, projected structures, the declarations a literal
/// stands for). Two declarations with equal digests are the same declaration over the same
/// dependencies, whatever the file, the line or the ids.
///
/// Deliberately left out, because they cannot change what a declaration means: binder names
/// and binder info, and reducibility hints. The proofs of theorems are left out of the
/// *identity* digest (`with_proofs` false: what a definition computes does not depend on
/// which proofs it carries, and its dependencies are accepted anyway before it is used), but
/// they are part of the *verification* digest (`with_proofs` true), the key of reuse and of
/// the --cache: whether a declaration checks depends on its proof, and on the proofs of the
/// theorems it uses (the kernel may unfold them). SHA-256 makes a forged declaration with a
/// chosen digest infeasible, so a digest can serve as a trust anchor (native Nat arithmetic
/// is enabled only for declarations whose identity digest is that of Lean's own).
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <unordered_map>
#include <vector>

#include "leanbatch/host/environment.hpp"

namespace leanbatch::host {

using Digest = std::array<uint8_t, 32>;
std::string to_hex(const Digest& d);
/// SHA-256 of a digest followed by `extra` (e.g. a key of a digest under some options).
Digest digest_with(const Digest& d, std::string_view extra);

class DeclDigests {
 public:
  /// Interns a few names: construct it outside the store's scratch mode. `dense`: tables
  /// indexed by expression id, sized to the whole store (fast when most declarations will be
  /// hashed, as for reuse); otherwise hash maps (a few declarations' closures).
  explicit DeclDigests(const Environment& env, bool dense = false, bool with_proofs = false);
  /// Digest of declaration `decl` (memoised; iterative, so deep dependency chains are fine).
  const Digest& of_decl(uint32_t decl);
  /// Digest of the declaration introducing constant `name`, if any.
  std::optional<Digest> of_name(Name name);
  /// The earlier declarations `decl` refers to directly (sorted; a name declared after it is
  /// an unknown constant to it, and does not count; through theorem
  /// proofs too when `with_proofs`).
  /// (A reference into a memo: valid as long as this object.)
  const std::vector<uint32_t>& references(uint32_t decl);
  /// Prefix reuse (speed only): takes over what `from` computed for an environment in the
  /// same store whose first `decls` declarations this environment shares (Environment::
  /// seeded_decls): every expression digest (a function of the node alone), and the digests
  /// and references of those declarations whose references all lie, transitively, among
  /// earlier ones (names resolve to the first declaration, so within a shared prefix they
  /// resolve alike). Nothing is taken when the options or the store differ.
  void seed_prefix(const DeclDigests& from, uint32_t decls);
  /// The digest of `decl` if already computed (never computes: safe in scratch mode).
  const Digest* computed(uint32_t decl) const {
    auto it = decls_.find(decl);
    return it == decls_.end() ? nullptr : &it->second;
  }
  bool with_proofs() const { return with_proofs_; }

 private:
  const Digest& of_expr(Expr e);
  Digest compute_decl(uint32_t decl);
  void put_name(std::string& buf, Name n) const;
  void put_level(std::string& buf, Level l) const;

  const Environment& env_;
  Name nat_;
  std::vector<Name> string_deps_;
  std::unordered_map<uint32_t, Digest> decls_;
  // Speed only: dense tables indexed by expression id (persistent ids are dense), or hash
  // maps when only a few closures are hashed (dense tables would cost 37 bytes per node of
  // the whole store).
  bool dense_;
  bool with_proofs_;  // theorem proofs in the digest and in the references (verification digest)
  std::vector<Digest> exprs_;
  std::vector<uint8_t> have_;
  std::unordered_map<uint32_t, Digest> sparse_;
  std::vector<uint32_t> stamp_;  // references(): expression already seen for this stamp
  std::unordered_map<uint32_t, uint32_t> sparse_stamp_;
  uint32_t stamp_now_ = 0;
  std::unordered_map<uint32_t, std::vector<uint32_t>> refs_;  // references(), memoised
  // Speed only: scratch reused across calls, and each name's serialisation made once.
  std::vector<std::pair<Expr, bool>> expr_stack_;
  std::vector<Expr> scan_stack_;
  std::string node_buf_;
  mutable std::unordered_map<uint32_t, std::string> name_bytes_;
  bool known(Expr e) const { return dense_ ? e.id < have_.size() && have_[e.id] : sparse_.count(e.id) > 0; }
  const Digest& digest(Expr e) const { return dense_ ? exprs_[e.id] : sparse_.at(e.id); }
  void set_digest(Expr e, const Digest& d) {
    if (!dense_) {
      sparse_[e.id] = d;
      return;
    }
    exprs_[e.id] = d;
    have_[e.id] = 1;
  }
  bool seen_now(Expr e) {  // marks e seen for the current stamp; true if it already was
    if (dense_) {
      if (e.id >= stamp_.size()) return false;
      if (stamp_[e.id] == stamp_now_) return true;
      stamp_[e.id] = stamp_now_;
      return false;
    }
    uint32_t& s = sparse_stamp_[e.id];
    if (s == stamp_now_) return true;
    s = stamp_now_;
    return false;
  }
};

}  // namespace leanbatch::host
