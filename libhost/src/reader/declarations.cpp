// The export reader's DOM path for declarations (axiom, def, thm, opaque, quot, inductive).
#include "reader.hpp"

namespace leanbatch::host::reader_detail {

bool Reader::read_hints(dom::element v, const Ctx& ctx, ReducibilityHints& out) {
  if (v.type() == dom::element_type::STRING) {
    std::string_view s(v);
    if (s == "opaque") out = {HintKind::Opaque, 0};
    else if (s == "abbrev") out = {HintKind::Abbrev, 0};
    else return fail(ReadErrorKind::InvalidValue, ctx.str() + ": unknown hint '" + std::string(s) + "'");
    return true;
  }
  if (v.type() != dom::element_type::OBJECT) return fail_type(v, ctx, "\"opaque\", \"abbrev\" or {\"regular\": n}");
  static constexpr std::array<std::string_view, 1> keys{"regular"};
  out.kind = HintKind::Regular;
  return fields(dom::object(v), ctx, keys, [&](size_t, dom::element fv, const Ctx& c) { return read_u32(fv, c, out.height); });
}

bool Reader::read_safety(dom::element v, const Ctx& ctx, Safety& out) {
  std::string_view s;
  if (!read_string(v, ctx, s)) return false;
  if (s == "safe") out = Safety::Safe;
  else if (s == "unsafe") out = Safety::Unsafe;
  else if (s == "partial") out = Safety::Partial;
  else return fail(ReadErrorKind::InvalidValue, ctx.str() + ": unknown safety '" + std::string(s) + "'");
  return true;
}

bool Reader::read_unsafe_flag(dom::element v, const Ctx& ctx, ConstantInfo& c) {
  bool u = false;
  if (!read_bool(v, ctx, u)) return false;
  c.safety = u ? Safety::Unsafe : Safety::Safe;
  return true;
}

bool Reader::parse_decl(Key k, std::string_view key, dom::element v) {
  Declaration d;
  d.line = line_;
  d.offset = offset_;
  std::vector<ConstantInfo> consts;
  dom::object obj;
  switch (k) {
    case Key::Axiom: {
      const Ctx ctx{key};
      if (!read_object(v, ctx, obj)) return false;
      ConstantInfo c;
      c.kind = ConstKind::Axiom;
      static constexpr std::array<std::string_view, 4> keys{"name", "levelParams", "type", "isUnsafe"};
      if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& cx) {
            switch (i) {
              case 0: return ref_name(fv, cx, c.name);
              case 1: return ref_names(fv, cx, c.lparams);
              case 2: return ref_expr(fv, cx, c.type);
              default: return read_unsafe_flag(fv, cx, c);
            }
          }))
        return false;
      d.kind = DeclKind::Axiom;
      consts.push_back(std::move(c));
      break;
    }
    case Key::Def: {
      const Ctx ctx{key};
      if (!read_object(v, ctx, obj)) return false;
      ConstantInfo c;
      c.kind = ConstKind::Definition;
      static constexpr std::array<std::string_view, 7> keys{"name", "levelParams", "type", "value", "hints", "safety", "all"};
      if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& cx) {
            switch (i) {
              case 0: return ref_name(fv, cx, c.name);
              case 1: return ref_names(fv, cx, c.lparams);
              case 2: return ref_expr(fv, cx, c.type);
              case 3: return ref_expr(fv, cx, c.value);
              case 4: return read_hints(fv, cx, c.hints);
              case 5: return read_safety(fv, cx, c.safety);
              default: return ref_names(fv, cx, c.all);
            }
          }))
        return false;
      d.kind = DeclKind::Definition;
      consts.push_back(std::move(c));
      break;
    }
    case Key::Thm: {
      const Ctx ctx{key};
      if (!read_object(v, ctx, obj)) return false;
      ConstantInfo c;
      c.kind = ConstKind::Theorem;
      static constexpr std::array<std::string_view, 5> keys{"name", "levelParams", "type", "value", "all"};
      if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& cx) {
            switch (i) {
              case 0: return ref_name(fv, cx, c.name);
              case 1: return ref_names(fv, cx, c.lparams);
              case 2: return ref_expr(fv, cx, c.type);
              case 3: return ref_expr(fv, cx, c.value);
              default: return ref_names(fv, cx, c.all);
            }
          }))
        return false;
      d.kind = DeclKind::Theorem;
      consts.push_back(std::move(c));
      break;
    }
    case Key::Opaque: {
      const Ctx ctx{key};
      if (!read_object(v, ctx, obj)) return false;
      ConstantInfo c;
      c.kind = ConstKind::Opaque;
      static constexpr std::array<std::string_view, 6> keys{"name", "levelParams", "type", "value", "isUnsafe", "all"};
      if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& cx) {
            switch (i) {
              case 0: return ref_name(fv, cx, c.name);
              case 1: return ref_names(fv, cx, c.lparams);
              case 2: return ref_expr(fv, cx, c.type);
              case 3: return ref_expr(fv, cx, c.value);
              case 4: return read_unsafe_flag(fv, cx, c);
              default: return ref_names(fv, cx, c.all);
            }
          }, v30_ ? 1u << 4 : 0u))
        return false;
      d.kind = DeclKind::Opaque;
      consts.push_back(std::move(c));
      break;
    }
    case Key::Quot: {
      const Ctx ctx{key};
      if (!read_object(v, ctx, obj)) return false;
      ConstantInfo c;
      c.kind = ConstKind::Quot;
      static constexpr std::array<std::string_view, 4> keys{"name", "levelParams", "type", "kind"};
      if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& cx) {
            switch (i) {
              case 0: return ref_name(fv, cx, c.name);
              case 1: return ref_names(fv, cx, c.lparams);
              case 2: return ref_expr(fv, cx, c.type);
              default: {
                std::string_view s;
                if (!read_string(fv, cx, s)) return false;
                if (s == "type") c.quot_kind = QuotKind::Type;
                else if (s == "ctor") c.quot_kind = QuotKind::Ctor;
                else if (s == "lift") c.quot_kind = QuotKind::Lift;
                else if (s == "ind") c.quot_kind = QuotKind::Ind;
                else return fail(ReadErrorKind::InvalidValue, cx.str() + ": unknown quotient kind '" + std::string(s) + "'");
                return true;
              }
            }
          }))
        return false;
      d.kind = DeclKind::Quot;
      consts.push_back(std::move(c));
      break;
    }
    case Key::Inductive: {
      const Ctx ctx{key};
      if (!read_object(v, ctx, obj)) return false;
      std::vector<ConstantInfo> types, ctors, recs;
      static constexpr std::array<std::string_view, 3> keys31{"types", "ctors", "recs"};
      static constexpr std::array<std::string_view, 3> keys30{"inductiveVals", "constructorVals", "recursorVals"};
      if (!fields(obj, ctx, v30_ ? keys30 : keys31, [&](size_t i, dom::element fv, const Ctx& cx) {
            return each_element(fv, cx, [&](dom::element ev, const Ctx& c2) {
              ConstantInfo c;
              bool ok = i == 0 ? parse_inductive_type(ev, c2, c) : i == 1 ? parse_ctor(ev, c2, c) : parse_rec(ev, c2, c);
              if (!ok) return false;
              (i == 0 ? types : i == 1 ? ctors : recs).push_back(std::move(c));
              return true;
            });
          }))
        return false;
      d.kind = DeclKind::Inductive;
      for (auto& c : types) consts.push_back(std::move(c));
      for (auto& c : ctors) consts.push_back(std::move(c));
      for (auto& c : recs) consts.push_back(std::move(c));
      break;
    }
    default: return fail(ReadErrorKind::UnknownKind, "unknown declaration kind");
  }
  env_.add(d, std::move(consts));
  return true;
}

bool Reader::parse_inductive_type(dom::element v, const Ctx& ctx, ConstantInfo& c) {
  dom::object obj;
  if (!read_object(v, ctx, obj)) return false;
  c.kind = ConstKind::Inductive;
  static constexpr std::array<std::string_view, 11> keys{"name", "levelParams", "type", "numParams", "numIndices", "all",
                                                         "ctors", "numNested", "isRec", "isUnsafe", "isReflexive"};
  return fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& cx) {
    switch (i) {
      case 0: return ref_name(fv, cx, c.name);
      case 1: return ref_names(fv, cx, c.lparams);
      case 2: return ref_expr(fv, cx, c.type);
      case 3: return read_u32(fv, cx, c.num_params);
      case 4: return read_u32(fv, cx, c.num_indices);
      case 5: return ref_names(fv, cx, c.all);
      case 6: return ref_names(fv, cx, c.ctors);
      case 7: return read_u32(fv, cx, c.num_nested);
      case 8: return read_bool(fv, cx, c.is_rec);
      case 9: return read_unsafe_flag(fv, cx, c);
      default: return read_bool(fv, cx, c.is_reflexive);
    }
  });
}

bool Reader::parse_ctor(dom::element v, const Ctx& ctx, ConstantInfo& c) {
  dom::object obj;
  if (!read_object(v, ctx, obj)) return false;
  c.kind = ConstKind::Constructor;
  static constexpr std::array<std::string_view, 8> keys{"name", "levelParams", "type", "induct", "cidx", "numParams",
                                                        "numFields", "isUnsafe"};
  return fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& cx) {
    switch (i) {
      case 0: return ref_name(fv, cx, c.name);
      case 1: return ref_names(fv, cx, c.lparams);
      case 2: return ref_expr(fv, cx, c.type);
      case 3: return ref_name(fv, cx, c.induct);
      case 4: return read_u32(fv, cx, c.cidx);
      case 5: return read_u32(fv, cx, c.num_params);
      case 6: return read_u32(fv, cx, c.num_fields);
      default: return read_unsafe_flag(fv, cx, c);
    }
  });
}

bool Reader::parse_rec(dom::element v, const Ctx& ctx, ConstantInfo& c) {
  dom::object obj;
  if (!read_object(v, ctx, obj)) return false;
  c.kind = ConstKind::Recursor;
  static constexpr std::array<std::string_view, 11> keys{"name", "levelParams", "type", "all", "numParams", "numIndices",
                                                         "numMotives", "numMinors", "rules", "k", "isUnsafe"};
  return fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& cx) {
    switch (i) {
      case 0: return ref_name(fv, cx, c.name);
      case 1: return ref_names(fv, cx, c.lparams);
      case 2: return ref_expr(fv, cx, c.type);
      case 3: return ref_names(fv, cx, c.all);
      case 4: return read_u32(fv, cx, c.num_params);
      case 5: return read_u32(fv, cx, c.num_indices);
      case 6: return read_u32(fv, cx, c.num_motives);
      case 7: return read_u32(fv, cx, c.num_minors);
      case 8:
        return each_element(fv, cx, [&](dom::element ev, const Ctx& c2) {
          dom::object ro;
          if (!read_object(ev, c2, ro)) return false;
          RecursorRule r;
          static constexpr std::array<std::string_view, 3> rkeys{"ctor", "nfields", "rhs"};
          if (!fields(ro, c2, rkeys, [&](size_t j, dom::element rv, const Ctx& c3) {
                switch (j) {
                  case 0: return ref_name(rv, c3, r.ctor);
                  case 1: return read_u32(rv, c3, r.nfields);
                  default: return ref_expr(rv, c3, r.rhs);
                }
              }))
            return false;
          c.rules.push_back(r);
          return true;
        });
      case 9: return read_bool(fv, cx, c.k);
      default: return read_unsafe_flag(fv, cx, c);
    }
  });
}

}  // namespace leanbatch::host::reader_detail
