// Content digests of declarations (see decl_digest.hpp). Soundness-relevant: a digest stands
// for a declaration's meaning wherever it is used as a trust anchor, so everything that can
// change the meaning is hashed, and fields are length-prefixed so no two serialisations
// collide.
#include "leanbatch/host/decl_digest.hpp"

// The one-block functions are deprecated in OpenSSL 3 (see sha256 below).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <algorithm>

#include "leanbatch/host/expr_ops.hpp"
#include "leanbatch/host/internal_error.hpp"

namespace leanbatch::host {

namespace {

// Speed only: OpenSSL's one-block SHA-256 functions, not EVP. Nodes are hashed one at a time
// and are small (one or two 64-byte blocks), so EVP's per-call provider dispatch cost more
// than the hashing (measured: 146 ns against 65 ns for a 40-byte node). Same algorithm, same
// library; these functions are deprecated in OpenSSL 3 only in favour of EVP, not unsafe.
Digest sha256(const std::string& bytes) {
  Digest d{};
  SHA256_CTX c;
  if (SHA256_Init(&c) != 1 || SHA256_Update(&c, bytes.data(), bytes.size()) != 1 || SHA256_Final(d.data(), &c) != 1)
    throw InternalError("SHA-256 failed");
  return d;
}

void put_u64(std::string& buf, uint64_t v) {
  for (int i = 0; i < 8; ++i) buf.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_str(std::string& buf, std::string_view s) {
  put_u64(buf, s.size());
  buf.append(s);
}
void put_digest(std::string& buf, const Digest& d) { buf.append(reinterpret_cast<const char*>(d.data()), d.size()); }

}  // namespace

Digest digest_with(const Digest& d, std::string_view extra) {
  std::string buf(reinterpret_cast<const char*>(d.data()), d.size());
  buf.append(extra);
  return sha256(buf);
}

std::string to_hex(const Digest& d) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s.push_back(hex[b >> 4]);
    s.push_back(hex[b & 15]);
  }
  return s;
}

DeclDigests::DeclDigests(const Environment& env, bool dense, bool with_proofs)
    : env_(env), dense_(dense), with_proofs_(with_proofs) {
  TermStore& st = env.store();
  nat_ = st.name_from_dotted("Nat");
  for (const char* n : {"String", "String.mk", "String.ofList", "Char", "Char.ofNat", "List", "Nat", "String.ofByteArray",
                        "List.utf8Encode", "ByteArray", "ByteArray.IsValidUTF8", "Eq"})
    string_deps_.push_back(st.name_from_dotted(n));
}

void DeclDigests::put_name(std::string& buf, Name n) const {
  const TermStore& st = env_.store();
  // Only persistent names are remembered: a scratch name's id is reused once the scratch
  // region is dropped, and would then stand for another name.
  const bool memo = st.name_is_persistent(n);
  const uint32_t key = n.id;  // (the loop below walks n up to the anonymous name)
  if (auto it = memo ? name_bytes_.find(key) : name_bytes_.end(); it != name_bytes_.end()) {
    buf.append(it->second);
    return;
  }
  const size_t start = buf.size();
  std::vector<Name> parts;
  for (; st.name_kind(n) != NameKind::Anonymous; n = st.name_prefix(n)) parts.push_back(n);
  put_u64(buf, parts.size());
  for (size_t i = parts.size(); i-- > 0;) {
    if (st.name_kind(parts[i]) == NameKind::Str) {
      buf.push_back('s');
      put_str(buf, st.name_string(parts[i]));
    } else {
      buf.push_back('n');
      put_u64(buf, st.name_number(parts[i]));
    }
  }
  if (memo) name_bytes_.emplace(key, buf.substr(start));
}

void DeclDigests::put_level(std::string& buf, Level l) const {
  const TermStore& st = env_.store();
  switch (st.level_kind(l)) {
    case LevelKind::Zero: buf.push_back('0'); break;
    case LevelKind::Succ:
      buf.push_back('S');
      put_level(buf, st.level_pred(l));
      break;
    case LevelKind::Max:
    case LevelKind::IMax:
      buf.push_back(st.level_kind(l) == LevelKind::Max ? 'M' : 'I');
      put_level(buf, st.level_lhs(l));
      put_level(buf, st.level_rhs(l));
      break;
    case LevelKind::Param:
      buf.push_back('P');
      put_name(buf, st.level_param_name(l));
      break;
  }
}

const Digest& DeclDigests::of_expr(Expr root) {
  if (known(root)) return digest(root);
  const TermStore& st = env_.store();
  // The dense memo is by id and kept for the store's life (and handed on by seed_prefix):
  // a scratch node's id is reused once its region is dropped, so it must never be memoised.
  if (dense_ && st.scratch_active()) throw InternalError("dense declaration digests asked in scratch mode");
  if (dense_ && exprs_.size() < st.expr_count()) {
    exprs_.resize(st.expr_count());
    have_.resize(st.expr_count(), 0);
  }
  // Post-order with an explicit stack: children first, then the node from their digests.
  auto& stack = expr_stack_;
  stack.assign(1, {root, false});
  std::string& buf = node_buf_;
  Expr kid[3];
  auto kids = [&](Expr e) -> int {
    switch (st.kind(e)) {
      case ExprKind::App: kid[0] = st.app_fn(e); kid[1] = st.app_arg(e); return 2;
      case ExprKind::Lam:
      case ExprKind::Pi: kid[0] = st.binding_domain(e); kid[1] = st.binding_body(e); return 2;
      case ExprKind::Let: kid[0] = st.let_type(e); kid[1] = st.let_value(e); kid[2] = st.let_body(e); return 3;
      case ExprKind::Proj: kid[0] = st.proj_expr(e); return 1;
      default: return 0;
    }
  };
  while (!stack.empty()) {
    auto [e, ready] = stack.back();
    if (known(e)) {
      stack.pop_back();
      continue;
    }
    if (!ready) {
      stack.back().second = true;
      int n = kids(e);
      for (int j = 0; j < n; ++j)
        if (!known(kid[j])) stack.emplace_back(kid[j], false);
      continue;
    }
    stack.pop_back();
    buf.clear();
    buf.push_back(static_cast<char>('a' + static_cast<int>(st.kind(e))));
    switch (st.kind(e)) {
      case ExprKind::BVar: put_u64(buf, st.bvar_idx(e)); break;
      case ExprKind::FVar: put_u64(buf, st.fvar_idx(e)); break;
      case ExprKind::Sort: put_level(buf, st.sort_level(e)); break;
      case ExprKind::Const: {
        put_name(buf, st.const_name(e));
        auto ls = st.levels(st.const_levels(e));
        put_u64(buf, ls.size());
        for (Level l : ls) put_level(buf, l);
        break;
      }
      case ExprKind::NatLit: put_str(buf, st.nat_value(e).get_str(16)); break;
      case ExprKind::StrLit: put_str(buf, st.str_value(e)); break;
      case ExprKind::Proj:
        put_name(buf, st.proj_struct(e));
        put_u64(buf, st.proj_idx(e));
        break;
      case ExprKind::Let: buf.push_back(st.let_nondep(e) ? 'n' : 'd'); break;
      default: break;  // binder names and info are not part of the meaning
    }
    int n = kids(e);
    for (int j = 0; j < n; ++j) put_digest(buf, digest(kid[j]));
    set_digest(e, sha256(buf));
  }
  return digest(root);
}

const std::vector<uint32_t>& DeclDigests::references(uint32_t decl) {
  if (auto it = refs_.find(decl); it != refs_.end()) return it->second;
  const TermStore& st = env_.store();
  const Declaration& d = env_.declaration(decl);
  if (dense_ && stamp_.size() < st.expr_count()) stamp_.resize(st.expr_count(), 0);
  ++stamp_now_;  // a fresh "seen" set for this declaration (each shared subterm once)
  std::vector<uint32_t> out;
  // Soundness: only declarations *before* `decl` count. Its verdict depends on the
  // environment it is checked in, which holds the declarations before it and nothing after
  // (a name declared later is an unknown constant to it, and its own name is its own). So
  // every dependency that can change the verdict is hashed, and the reference graph is
  // acyclic: every declaration's digest covers its whole content. (An earlier version also
  // followed references to later declarations, which a string literal's over-approximated
  // names can make; the cycles that followed were cut by a stand-in digest of the name
  // alone, so two declarations with different bodies could share a digest.)
  auto ref = [&](Name n) {
    if (auto ci = env_.find(n); ci && env_.constant(*ci).decl < decl) out.push_back(env_.constant(*ci).decl);
  };
  std::vector<Expr>& stack = scan_stack_;
  stack.clear();
  auto scan = [&](Expr root) {
    if (!root.valid()) return;
    stack.push_back(root);
    while (!stack.empty()) {
      Expr m = stack.back();
      stack.pop_back();
      if (seen_now(m)) continue;
      switch (st.kind(m)) {
        case ExprKind::Const: ref(st.const_name(m)); break;
        case ExprKind::Proj: ref(st.proj_struct(m)); break;
        // A literal stands for terms of these declarations (over-approximated for strings).
        case ExprKind::NatLit: ref(nat_); break;
        case ExprKind::StrLit:
          for (Name n : string_deps_) ref(n);
          break;
        default: break;
      }
      push_subterms(st, m, stack);  // the order does not matter: `out` is sorted below
    }
  };
  for (uint32_t i = d.first_const; i < d.first_const + d.num_consts; ++i) {
    const ConstantInfo& c = env_.constant(i);
    scan(c.type);
    if (c.kind != ConstKind::Theorem || with_proofs_) scan(c.value);
    for (const RecursorRule& r : c.rules) scan(r.rhs);
    if (c.kind == ConstKind::Constructor) ref(c.induct);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return refs_.emplace(decl, std::move(out)).first->second;
}

Digest DeclDigests::compute_decl(uint32_t decl) {
  const Declaration& d = env_.declaration(decl);
  // The verification digest is kept apart from the identity digest by its own prefix.
  std::string buf = with_proofs_ ? "leanbatch-decl-verify-1" : "leanbatch-decl-digest-1";
  buf.push_back(static_cast<char>(d.kind));
  put_u64(buf, d.num_consts);
  for (uint32_t i = d.first_const; i < d.first_const + d.num_consts; ++i) {
    const ConstantInfo& c = env_.constant(i);
    buf.push_back(static_cast<char>(c.kind));
    put_name(buf, c.name);
    put_u64(buf, c.lparams.size());
    for (Name p : c.lparams) put_name(buf, p);
    put_digest(buf, of_expr(c.type));
    // A theorem's proof is irrelevant to its meaning (identity digest), not to whether it
    // checks (verification digest).
    if (c.value.valid() && (c.kind != ConstKind::Theorem || with_proofs_)) put_digest(buf, of_expr(c.value));
    buf.push_back(static_cast<char>(c.safety));
    buf.push_back(static_cast<char>(c.quot_kind));
    for (uint64_t v : {uint64_t{c.num_params}, uint64_t{c.num_indices}, uint64_t{c.num_nested}, uint64_t{c.cidx},
                       uint64_t{c.num_fields}, uint64_t{c.num_motives}, uint64_t{c.num_minors}, uint64_t{c.is_rec},
                       uint64_t{c.is_reflexive}, uint64_t{c.k}})
      put_u64(buf, v);
    put_u64(buf, c.all.size());
    for (Name n : c.all) put_name(buf, n);
    put_u64(buf, c.ctors.size());
    for (Name n : c.ctors) put_name(buf, n);
    put_name(buf, c.induct);
    put_u64(buf, c.rules.size());
    for (const RecursorRule& r : c.rules) {
      put_name(buf, r.ctor);
      put_u64(buf, r.nfields);
      put_digest(buf, of_expr(r.rhs));
    }
  }
  // Merkle: the digests of what it refers to (computed first by of_decl).
  for (uint32_t r : references(decl)) put_digest(buf, decls_.at(r));
  return sha256(buf);
}

const Digest& DeclDigests::of_decl(uint32_t root) {
  if (auto it = decls_.find(root); it != decls_.end()) return it->second;
  // Iterative post-order over the references (deep dependency chains are fine). References
  // point only to earlier declarations (references()), so there is no cycle to cut: every
  // reference has its digest before the declaration that names it is hashed.
  std::vector<std::pair<uint32_t, bool>> stack{{root, false}};
  while (!stack.empty()) {
    auto [d, ready] = stack.back();
    if (decls_.count(d)) {
      stack.pop_back();
      continue;
    }
    if (!ready) {
      stack.back().second = true;
      for (uint32_t r : references(d)) {
        if (r >= d) throw InternalError("declaration digest: a reference to a later declaration");
        if (!decls_.count(r)) stack.emplace_back(r, false);
      }
      continue;
    }
    stack.pop_back();
    decls_[d] = compute_decl(d);
  }
  return decls_.at(root);
}

void DeclDigests::seed_prefix(const DeclDigests& from, uint32_t decls) {
  if (&from.env_.store() != &env_.store() || from.dense_ != dense_ || from.with_proofs_ != with_proofs_ || !dense_)
    return;
  if (decls > env_.declarations().size() || decls > from.env_.declarations().size()) return;
  // Expression digests are memoised by id for persistent nodes only (of_expr runs outside
  // scratch mode), and ids of persistent nodes never change in a store.
  // Room for the nodes this environment's own lines added, so that the first digest of one
  // of them does not reallocate (and fault in) the whole table again (speed only).
  const size_t want = std::max<size_t>(env_.store().expr_count(), from.exprs_.size()) + (1u << 12);
  exprs_.reserve(want);
  have_.reserve(want);
  exprs_.assign(from.exprs_.begin(), from.exprs_.end());
  have_.assign(from.have_.begin(), from.have_.end());
  name_bytes_ = from.name_bytes_;
  std::vector<uint8_t> ok(decls, 0);
  for (uint32_t d = 0; d < decls; ++d) {
    auto r = from.refs_.find(d);
    auto h = from.decls_.find(d);
    if (r == from.refs_.end() || h == from.decls_.end()) continue;
    bool all = true;
    for (uint32_t x : r->second) all = all && x < d && ok[x];
    if (!all) continue;
    ok[d] = 1;
    refs_.emplace(d, r->second);
    decls_.emplace(d, h->second);
  }
}

std::optional<Digest> DeclDigests::of_name(Name name) {
  auto ci = env_.find(name);
  if (!ci) return std::nullopt;
  return of_decl(env_.constant(*ci).decl);
}

}  // namespace leanbatch::host
