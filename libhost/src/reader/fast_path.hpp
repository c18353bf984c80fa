#pragma once
// FastPath: the export reader's fast path — the usual lines matched byte by byte and
// processed without a JSON DOM (names, levels, expressions, declarations).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core.hpp"
#include "fast_scan.hpp"

namespace leanbatch::host::reader_detail {

// The lines lean4export and leanbatch write — keys in sorted order, no whitespace, plain
// non-negative integers — are matched byte by byte and processed without a JSON DOM.
// fast_line either processes the whole line, with exactly the effect the DOM path would
// have, and returns where the line ends (its newline, or the end of the chunk), or changes
// nothing and returns nullptr: any other shape, and any line that would be an error, goes
// to the DOM path, which reports errors exactly. Matching never runs past the line: every
// byte is checked against what may come next, a newline never may, and the chunk is
// followed by zero bytes (simdjson padding), which never match either.
class FastPath : protected ReaderCore, protected FastScan {
 protected:
  FastPath(TermStore& st, Environment& env, std::string file, const ReadOptions& opts, uint64_t size_hint)
      : ReaderCore(st, env, std::move(file), opts, size_hint) {}

  bool names_of(const std::vector<uint32_t>& fids, std::vector<Name>& out) const {
    out.clear();
    out.reserve(fids.size());
    for (uint32_t f : fids) {
      uint32_t id = names_.get(f);
      if (id == kNoId) return false;
      out.push_back(Name{id});
    }
    return true;
  }

  const char* fast_line(const char* p) {
    // A 3.0 file's declarations go through process_doc, which checks their spelling.
    if (v30_ && ((p[2] == 'a' && p[3] == 'x') || p[2] == 'd' || p[2] == 't' || p[2] == 'o')) return nullptr;
    switch (p[2]) {
      case 'i':
        if (lit(p, "{\"in\":")) return fast_name(p);
        if (lit(p, "{\"ie\":")) return fast_ie(p);
        if (lit(p, "{\"il\":")) return fast_level(p);
        return nullptr;
      case 'a':
        if (lit(p, "{\"app\":{\"arg\":")) return fast_app(p);
        if (lit(p, "{\"axiom\":{\"isUnsafe\":")) return fast_axiom(p);
        return nullptr;
      case 'f':
        if (lit(p, "{\"forallE\":{\"binderInfo\":")) return fast_forall(p);
        return nullptr;
      case 'b':
        if (lit(p, "{\"bvar\":")) return fast_bvar(p);
        return nullptr;
      case 'c':
        if (lit(p, "{\"const\":{\"name\":")) return fast_const(p);
        return nullptr;
      case 'd':
        if (lit(p, "{\"def\":{\"all\":")) return fast_def(p);
        return nullptr;
      case 't':
        if (lit(p, "{\"thm\":{\"all\":")) return fast_thm(p);
        return nullptr;
      case 'o':
        if (lit(p, "{\"opaque\":{\"all\":")) return fast_opaque(p);
        return nullptr;
      default: return nullptr;
    }
  }

  // {"in":N,"str":{"pre":N,"str":S}} and {"in":N,"num":{"i":N,"pre":N}}
  const char* fast_name(const char* p) {
    uint32_t fid, pre;
    if (!num_u32(p, fid)) return nullptr;
    std::string_view s;
    uint64_t num = 0;
    bool is_str;
    if (lit(p, ",\"str\":{\"pre\":")) {
      if (!num_u32(p, pre) || !lit(p, ",\"str\":") || !str(p, s) || !lit(p, "}}")) return nullptr;
      is_str = true;
    } else if (lit(p, ",\"num\":{\"i\":")) {
      if (!num_u64(p, num) || !lit(p, ",\"pre\":") || !num_u32(p, pre) || !lit(p, "}}")) return nullptr;
      is_str = false;
    } else {
      return nullptr;
    }
    const char* e = line_end(p);
    if (!e) return nullptr;
    uint32_t pid = names_.get(pre);
    if (pid == kNoId || names_.defined(fid)) return nullptr;
    Name n = is_str ? st_.name_str(Name{pid}, s) : st_.name_num(Name{pid}, num);
    names_.set(fid, n.id);
    ++env_.stats.name_lines;
    return e;
  }

  // {"il":N,"succ":N}, {"il":N,"max":[N,N]}, {"il":N,"imax":[N,N]}, {"il":N,"param":N}
  const char* fast_level(const char* p) {
    uint32_t fid, x, y = 0;
    if (!num_u32(p, fid)) return nullptr;
    Key k;
    if (lit(p, ",\"succ\":")) k = Key::Succ;
    else if (lit(p, ",\"max\":[")) k = Key::Max;
    else if (lit(p, ",\"imax\":[")) k = Key::IMax;
    else if (lit(p, ",\"param\":")) k = Key::Param;
    else return nullptr;
    if (!num_u32(p, x)) return nullptr;
    if (k == Key::Max || k == Key::IMax) {
      if (!lit(p, ",") || !num_u32(p, y) || !lit(p, "]")) return nullptr;
    }
    if (!lit(p, "}")) return nullptr;
    const char* e = line_end(p);
    if (!e || levels_.defined(fid)) return nullptr;
    Level l;
    if (k == Key::Param) {
      uint32_t n = names_.get(x);
      if (n == kNoId) return nullptr;
      l = st_.level_param(Name{n});
    } else {
      uint32_t a = levels_.get(x);
      if (a == kNoId) return nullptr;
      if (k == Key::Succ) {
        l = st_.level_succ(Level{a});
      } else {
        uint32_t b = levels_.get(y);
        if (b == kNoId) return nullptr;
        l = k == Key::Max ? st_.level_max_core(Level{a}, Level{b}) : st_.level_imax_core(Level{a}, Level{b});
      }
    }
    levels_.set(fid, l.id);
    ++env_.stats.level_lines;
    return e;
  }

  const char* commit_expr(const char* e, uint32_t fid, const ExprDraft& d, uint32_t pend) {
    push_draft(fid, d, pend);
    ++env_.stats.expr_lines;
    return e;
  }

  // {"bvar":N,"ie":N}
  const char* fast_bvar(const char* p) {
    uint32_t i, fid;
    if (!num_u32(p, i) || !lit(p, ",\"ie\":") || !num_u32(p, fid) || !lit(p, "}")) return nullptr;
    const char* e = line_end(p);
    if (!e || exprs_.defined(fid)) return nullptr;
    return commit_expr(e, fid, TermStore::draft_bvar(i), 0);
  }

  // {"app":{"arg":N,"fn":N},"ie":N}
  const char* fast_app(const char* p) {
    uint32_t arg, fn, fid;
    if (!num_u32(p, arg) || !lit(p, ",\"fn\":") || !num_u32(p, fn) || !lit(p, "},\"ie\":") || !num_u32(p, fid) ||
        !lit(p, "}"))
      return nullptr;
    const char* e = line_end(p);
    if (!e) return nullptr;
    ExprSig fs, as;
    uint32_t fo, ao, pend = 0;
    if (!ref_sig(fn, fs, fo, pend, 1) || !ref_sig(arg, as, ao, pend, 2) || exprs_.defined(fid)) return nullptr;
    return commit_expr(e, fid, TermStore::draft_app(fs, fo, as, ao), pend);
  }

  // {"binderInfo":S,"body":N,"name":N,"type":N}  (after the opening brace)
  bool binder_fields(const char*& p, BinderInfo& bi, uint32_t& body, uint32_t& name, uint32_t& type) {
    std::string_view s;
    return plain_str(p, s) && binder_info(s, bi) && lit(p, ",\"body\":") && num_u32(p, body) &&
           lit(p, ",\"name\":") && num_u32(p, name) && lit(p, ",\"type\":") && num_u32(p, type) && lit(p, "}");
  }
  const char* binder_commit(const char* e, ExprKind k, uint32_t fid, BinderInfo bi, uint32_t body, uint32_t name,
                            uint32_t type) {
    uint32_t n = names_.get(name);
    ExprSig ts, bs;
    uint32_t to, bo, pend = 0;
    if (n == kNoId || !ref_sig(type, ts, to, pend, 2) || !ref_sig(body, bs, bo, pend, 4) || exprs_.defined(fid))
      return nullptr;
    return commit_expr(e, fid, TermStore::draft_binder(k, Name{n}, bi, ts, to, bs, bo), pend);
  }
  // {"forallE":{"binderInfo":S,"body":N,"name":N,"type":N},"ie":N}
  const char* fast_forall(const char* p) {
    BinderInfo bi;
    uint32_t body, name, type, fid;
    if (!binder_fields(p, bi, body, name, type) || !lit(p, ",\"ie\":") || !num_u32(p, fid) || !lit(p, "}"))
      return nullptr;
    const char* e = line_end(p);
    if (!e) return nullptr;
    return binder_commit(e, ExprKind::Pi, fid, bi, body, name, type);
  }

  // {"const":{"name":N,"us":[N,...]},"ie":N}
  const char* fast_const(const char* p) {
    uint32_t name, fid;
    if (!num_u32(p, name) || !lit(p, ",\"us\":") || !u32_array(p, fids_) || !lit(p, "},\"ie\":") || !num_u32(p, fid) ||
        !lit(p, "}"))
      return nullptr;
    const char* e = line_end(p);
    if (!e) return nullptr;
    uint32_t n = names_.get(name);
    if (n == kNoId) return nullptr;
    tmp_levels_.clear();
    for (uint32_t f : fids_) {
      uint32_t l = levels_.get(f);
      if (l == kNoId) return nullptr;
      tmp_levels_.push_back(Level{l});
    }
    if (exprs_.defined(fid)) return nullptr;
    return commit_expr(e, fid, st_.draft_const(Name{n}, st_.level_list(tmp_levels_)), 0);
  }

  // {"ie":N,"sort":N}, {"ie":N,"lam":{...}}, {"ie":N,"letE":{...}}, {"ie":N,"proj":{...}},
  // {"ie":N,"natVal":S}, {"ie":N,"strVal":S}
  const char* fast_ie(const char* p) {
    uint32_t fid;
    if (!num_u32(p, fid) || !lit(p, ",\"")) return nullptr;
    switch (*p) {
      case 's': {
        if (lit(p, "sort\":")) {
          uint32_t l;
          if (!num_u32(p, l) || !lit(p, "}")) return nullptr;
          const char* e = line_end(p);
          if (!e) return nullptr;
          uint32_t lid = levels_.get(l);
          if (lid == kNoId || exprs_.defined(fid)) return nullptr;
          return commit_expr(e, fid, st_.draft_sort(Level{lid}), 0);
        }
        if (lit(p, "strVal\":")) {
          std::string_view s;
          if (!str(p, s) || !lit(p, "}")) return nullptr;
          const char* e = line_end(p);
          if (!e || exprs_.defined(fid)) return nullptr;
          return commit_expr(e, fid, st_.draft_str(s), 0);
        }
        return nullptr;
      }
      case 'l': {
        if (lit(p, "lam\":{\"binderInfo\":")) {
          BinderInfo bi;
          uint32_t body, name, type;
          if (!binder_fields(p, bi, body, name, type) || !lit(p, "}")) return nullptr;
          const char* e = line_end(p);
          if (!e) return nullptr;
          return binder_commit(e, ExprKind::Lam, fid, bi, body, name, type);
        }
        if (lit(p, "letE\":{\"body\":")) {
          uint32_t body, name, type, value;
          bool nondep;
          if (!num_u32(p, body) || !lit(p, ",\"name\":") || !num_u32(p, name) || !lit(p, ",\"nondep\":") ||
              !boolean(p, nondep) || !lit(p, ",\"type\":") || !num_u32(p, type) || !lit(p, ",\"value\":") ||
              !num_u32(p, value) || !lit(p, "}}"))
            return nullptr;
          const char* e = line_end(p);
          if (!e) return nullptr;
          uint32_t n = names_.get(name);
          ExprSig ts, vs, bs;
          uint32_t to, vo, bo, pend = 0;
          if (n == kNoId || !ref_sig(type, ts, to, pend, 2) || !ref_sig(value, vs, vo, pend, 4) ||
              !ref_sig(body, bs, bo, pend, 8) || exprs_.defined(fid))
            return nullptr;
          return commit_expr(e, fid, TermStore::draft_let(Name{n}, ts, to, vs, vo, bs, bo, nondep), pend);
        }
        return nullptr;
      }
      case 'p': {
        uint32_t idx, strct, tname;
        if (!lit(p, "proj\":{\"idx\":") || !num_u32(p, idx) || !lit(p, ",\"struct\":") || !num_u32(p, strct) ||
            !lit(p, ",\"typeName\":") || !num_u32(p, tname) || !lit(p, "}}"))
          return nullptr;
        const char* e = line_end(p);
        if (!e) return nullptr;
        uint32_t n = names_.get(tname);
        ExprSig ss;
        uint32_t so, pend = 0;
        if (n == kNoId || !ref_sig(strct, ss, so, pend, 4) || exprs_.defined(fid)) return nullptr;
        return commit_expr(e, fid, st_.draft_proj(Name{n}, idx, ss, so), pend);
      }
      case 'n': {
        // Canonical decimal numerals of up to 19 digits (bigger ones take the DOM path).
        if (!lit(p, "natVal\":\"")) return nullptr;
        const char* d = p;
        uint64_t v = 0;
        while (is_digit(*p) && p - d < 20) v = v * 10 + static_cast<uint64_t>(*p++ - '0');
        size_t len = static_cast<size_t>(p - d);
        if (len == 0 || len > 19 || (len > 1 && *d == '0') || !lit(p, "\"}")) return nullptr;
        const char* e = line_end(p);
        if (!e || exprs_.defined(fid)) return nullptr;
        return commit_expr(e, fid, TermStore::draft_nat(v), 0);
      }
      default: return nullptr;
    }
  }

  // ---- declarations (fast path) ----
  const char* fast_decl_tail(const char* p) {
    if (!lit(p, "}}")) return nullptr;
    return line_end(p);
  }
  bool decl_refs(ConstantInfo& c, uint32_t name, uint32_t type) {
    uint32_t n = names_.get(name);
    if (n == kNoId || !names_of(fids_, c.lparams) || !exprs_.defined(type)) return false;
    c.name = Name{n};
    return true;
  }

  // {"axiom":{"isUnsafe":B,"levelParams":[..],"name":N,"type":N}}
  const char* fast_axiom(const char* p) {
    bool unsafe;
    uint32_t name, type;
    if (!boolean(p, unsafe) || !lit(p, ",\"levelParams\":") || !u32_array(p, fids_) || !lit(p, ",\"name\":") ||
        !num_u32(p, name) || !lit(p, ",\"type\":") || !num_u32(p, type))
      return nullptr;
    const char* e = fast_decl_tail(p);
    if (!e) return nullptr;
    ConstantInfo c;
    c.kind = ConstKind::Axiom;
    c.safety = unsafe ? Safety::Unsafe : Safety::Safe;
    if (!decl_refs(c, name, type)) return nullptr;
    return commit_decl(e, DeclKind::Axiom, c, type, kNoId);
  }

  // {"def":{"all":[..],"hints":H,"levelParams":[..],"name":N,"safety":S,"type":N,"value":N}}
  const char* fast_def(const char* p) {
    ReducibilityHints hints;
    std::string_view safety;
    uint32_t name, type, value;
    if (!u32_array(p, all_fids_) || !lit(p, ",\"hints\":")) return nullptr;
    if (lit(p, "\"opaque\"")) {
      hints = {HintKind::Opaque, 0};
    } else if (lit(p, "\"abbrev\"")) {
      hints = {HintKind::Abbrev, 0};
    } else {
      if (!lit(p, "{\"regular\":") || !num_u32(p, hints.height) || !lit(p, "}")) return nullptr;
      hints.kind = HintKind::Regular;
    }
    if (!lit(p, ",\"levelParams\":") || !u32_array(p, fids_) || !lit(p, ",\"name\":") || !num_u32(p, name) ||
        !lit(p, ",\"safety\":") || !plain_str(p, safety) || !lit(p, ",\"type\":") || !num_u32(p, type) ||
        !lit(p, ",\"value\":") || !num_u32(p, value))
      return nullptr;
    const char* e = fast_decl_tail(p);
    if (!e) return nullptr;
    ConstantInfo c;
    c.kind = ConstKind::Definition;
    c.hints = hints;
    if (safety == "safe") c.safety = Safety::Safe;
    else if (safety == "unsafe") c.safety = Safety::Unsafe;
    else if (safety == "partial") c.safety = Safety::Partial;
    else return nullptr;
    if (!decl_refs(c, name, type) || !exprs_.defined(value) || !names_of(all_fids_, c.all)) return nullptr;
    return commit_decl(e, DeclKind::Definition, c, type, value);
  }

  // {"thm":{"all":[..],"levelParams":[..],"name":N,"type":N,"value":N}}
  const char* fast_thm(const char* p) {
    uint32_t name, type, value;
    if (!u32_array(p, all_fids_) || !lit(p, ",\"levelParams\":") || !u32_array(p, fids_) || !lit(p, ",\"name\":") ||
        !num_u32(p, name) || !lit(p, ",\"type\":") || !num_u32(p, type) || !lit(p, ",\"value\":") || !num_u32(p, value))
      return nullptr;
    const char* e = fast_decl_tail(p);
    if (!e) return nullptr;
    ConstantInfo c;
    c.kind = ConstKind::Theorem;
    if (!decl_refs(c, name, type) || !exprs_.defined(value) || !names_of(all_fids_, c.all)) return nullptr;
    return commit_decl(e, DeclKind::Theorem, c, type, value);
  }

  // {"opaque":{"all":[..],"isUnsafe":B,"levelParams":[..],"name":N,"type":N,"value":N}}
  const char* fast_opaque(const char* p) {
    bool unsafe;
    uint32_t name, type, value;
    if (!u32_array(p, all_fids_) || !lit(p, ",\"isUnsafe\":") || !boolean(p, unsafe) || !lit(p, ",\"levelParams\":") ||
        !u32_array(p, fids_) || !lit(p, ",\"name\":") || !num_u32(p, name) || !lit(p, ",\"type\":") ||
        !num_u32(p, type) || !lit(p, ",\"value\":") || !num_u32(p, value))
      return nullptr;
    const char* e = fast_decl_tail(p);
    if (!e) return nullptr;
    ConstantInfo c;
    c.kind = ConstKind::Opaque;
    c.safety = unsafe ? Safety::Unsafe : Safety::Safe;
    if (!decl_refs(c, name, type) || !exprs_.defined(value) || !names_of(all_fids_, c.all)) return nullptr;
    return commit_decl(e, DeclKind::Opaque, c, type, value);
  }
};

}  // namespace leanbatch::host::reader_detail
