#pragma once
// ReaderCore: the export reader's state, shared by its fast path and its DOM path (store,
// environment, id maps, position, first error), error reporting, and the pipeline that
// interns the fast path's expressions and adds its declarations in file order.
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "leanbatch/host/environment.hpp"
#include "leanbatch/host/export_reader.hpp"
#include "leanbatch/host/term_store.hpp"
#include "id_map.hpp"
#include "keys.hpp"

namespace leanbatch::host::reader_detail {

namespace dom = simdjson::dom;

inline const char* json_type_name(dom::element v) {
  switch (v.type()) {
    case dom::element_type::ARRAY: return "an array";
    case dom::element_type::OBJECT: return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE: return "a number";
    case dom::element_type::STRING: return "a string";
    case dom::element_type::BOOL: return "a boolean";
    case dom::element_type::NULL_VALUE: return "null";
  }
  return "?";
}

class ReaderCore {
 protected:
  ReaderCore(TermStore& st, Environment& env, std::string file, const ReadOptions& opts, uint64_t size_hint)
      : st_(st), env_(env), file_(std::move(file)), opts_(opts), size_hint_(size_hint) {
    names_.set(0, 0);   // name 0 is anonymous
    levels_.set(0, 0);  // level 0 is zero
    parser_.threaded = false;  // one core: stage 1 runs inline
    exprs_at_start_ = st_.expr_count();
  }

  // ---- errors ----
  bool fail(ReadErrorKind k, std::string msg) {
    if (failed_) return false;
    failed_ = true;
    err_ = ReadError{k, file_, line_, offset_, std::move(msg)};
    return false;
  }
  bool fail_json(simdjson::error_code e, const Ctx& ctx) {
    if (e == simdjson::NUMBER_OUT_OF_RANGE)
      return fail(ReadErrorKind::OutOfRange, ctx.str() + ": a number does not fit in 64 bits");
    std::string m = ctx.str() + ": invalid JSON (" + simdjson::error_message(e) + ")";
    if (e == simdjson::INCOMPLETE_ARRAY_OR_OBJECT || e == simdjson::TAPE_ERROR || e == simdjson::UNCLOSED_STRING)
      m += "; the line may be truncated";
    return fail(ReadErrorKind::InvalidJson, std::move(m));
  }
  bool fail_type(dom::element v, const Ctx& ctx, const char* expected) {
    return fail(ReadErrorKind::WrongType, ctx.str() + ": expected " + expected + ", found " + json_type_name(v));
  }

  // ---- pipelined interning (speed only) ----
  // An expression line becomes a draft (hash, flags and range are derived from its
  // children's), its index slot is prefetched, and it is interned kRing expression lines
  // later, in file order, so store ids are the same as when interning at once. Meanwhile its
  // file id maps to kPending + ring slot; a later line that uses it takes the signature from
  // the ring and records the operand as a sequence number, resolved when interned. A
  // declaration of the fast path whose type or value is still pending waits (decl_q_); the
  // pipeline is flushed before the DOM path and at the end of input. Store ids must stay
  // below kPending: the fast path is off once the store holds kMaxPipelinedId expressions.
  static constexpr uint32_t kRing = 16;  // power of two
  static constexpr uint32_t kPending = 0xFFFFF000u;
  static constexpr uint32_t kMaxPipelinedId = 0xF0000000u;
  struct Pending {
    ExprDraft d;
    uint32_t fid;
    uint32_t pend;  // bit i: d.op[i] is (the low bits of) the sequence number of a pending entry
    uint64_t seq;
  };

  /// Resolves an expression reference of the fast path: the signature and operand of file
  /// id `fid`, or false if it is not defined (the DOM path reports it).
  [[gnu::always_inline]] bool ref_sig(uint32_t fid, ExprSig& sig, uint32_t& op, uint32_t& pend, uint32_t bit) const {
    uint32_t v = exprs_.get(fid);
    if (v == kNoId) return false;
    if (v >= kPending) {
      const Pending& p = ring_[v - kPending];
      sig = p.d.sig();
      op = static_cast<uint32_t>(p.seq);
      pend |= bit;
    } else {
      sig = st_.sig(Expr{v});
      op = v;
    }
    return true;
  }
  void push_draft(uint32_t fid, const ExprDraft& d, uint32_t pend) {
    if (tail_ - head_ == kRing) intern_oldest();
    uint32_t slot = static_cast<uint32_t>(tail_ & (kRing - 1));
    ring_[slot] = Pending{d, fid, pend, tail_};
    st_.prefetch(d);
    exprs_.set(fid, kPending + slot);
    ++tail_;
  }
  void intern_oldest() {
    Pending& p = ring_[head_ & (kRing - 1)];
    for (uint32_t i = 0; i < 4; ++i)
      if (p.pend & (1u << i)) p.d.op[i] = resolved_[p.d.op[i] & (2 * kRing - 1)];
    uint32_t id = st_.intern_draft(p.d).id;
    resolved_[p.seq & (2 * kRing - 1)] = id;
    exprs_.put(p.fid, id);
    ++head_;
    if (decl_head_ != decl_q_.size()) add_ready_decls();
  }
  void flush() {
    while (head_ != tail_) intern_oldest();
    add_ready_decls();
  }

  // ---- declarations of the fast path waiting for the pipeline ----
  // A declaration whose type or value is still in the pipeline waits in decl_q_ (in file
  // order) until both are interned, so that declarations do not flush the pipeline.
  struct PendingDecl {
    ConstantInfo c;
    DeclKind kind;
    uint64_t line, offset;
    uint32_t type_fid, value_fid;  // value_fid: kNoId if none
    uint64_t ready;                // the declaration can be added once head_ >= ready
  };
  const char* commit_decl(const char* e, DeclKind k, ConstantInfo& c, uint32_t type_fid, uint32_t value_fid) {
    uint64_t ready = 0;
    for (uint32_t f : {type_fid, value_fid}) {
      if (f == kNoId) continue;
      uint32_t v = exprs_.get(f);
      if (v >= kPending) ready = std::max(ready, ring_[v - kPending].seq + 1);
    }
    if (ready == 0 && decl_head_ == decl_q_.size()) {
      add_decl(k, c, line_, offset_, type_fid, value_fid);
    } else {
      decl_q_.push_back(PendingDecl{std::move(c), k, line_, offset_, type_fid, value_fid, ready});
      if (decl_q_.size() - decl_head_ > 256) flush();
    }
    ++env_.stats.decl_lines;
    return e;
  }
  void add_decl(DeclKind k, ConstantInfo& c, uint64_t line, uint64_t offset, uint32_t type_fid, uint32_t value_fid) {
    c.type = Expr{exprs_.get(type_fid)};
    if (value_fid != kNoId) c.value = Expr{exprs_.get(value_fid)};
    Declaration d;
    d.kind = k;
    d.line = line;
    d.offset = offset;
    env_.add(d, std::span<ConstantInfo>(&c, 1));
  }
  void add_ready_decls() {
    while (decl_head_ < decl_q_.size() && decl_q_[decl_head_].ready <= head_) {
      PendingDecl& p = decl_q_[decl_head_++];
      add_decl(p.kind, p.c, p.line, p.offset, p.type_fid, p.value_fid);
    }
    if (decl_head_ == decl_q_.size()) {
      decl_q_.clear();
      decl_head_ = 0;
    }
  }

  TermStore& st_;
  Environment& env_;
  std::string file_;
  const ReadOptions& opts_;
  dom::parser parser_;
  IdMap names_, levels_, exprs_;
  std::vector<Level> tmp_levels_;
  uint64_t size_hint_ = 0;     // file size, 0 if unknown
  uint32_t exprs_at_start_ = 0;
  std::vector<uint32_t> fids_, all_fids_;     // fast path: id arrays
  Pending ring_[kRing];
  uint32_t resolved_[2 * kRing] = {};
  uint64_t head_ = 0, tail_ = 0;              // sequence numbers: [head_, tail_) are pending
  std::vector<PendingDecl> decl_q_;
  size_t decl_head_ = 0;
  uint64_t line_ = 0;    // line of the document being processed (for errors and declarations)
  uint64_t offset_ = 0;  // its byte offset
  uint64_t lines_ = 0;   // lines fully consumed so far
  uint64_t bytes_ = 0;
  bool seen_meta_ = false;
  bool v30_ = false;  // the file declares format 3.0.x (see classify_v30_decl)
  bool failed_ = false;
  ReadError err_;
  struct {
    Family family = Family::None;
    uint32_t id = 0;
  } pending_;
};

}  // namespace leanbatch::host::reader_detail
