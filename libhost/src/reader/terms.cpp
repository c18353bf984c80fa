// The export reader's DOM path for names, levels and expressions.
#include "reader.hpp"

#include <gmpxx.h>

namespace leanbatch::host::reader_detail {

bool Reader::parse_name(Key k, dom::element v, Name& out) {
  dom::object obj;
  const Ctx ctx{k == Key::Str ? "name.str" : "name.num"};
  if (!read_object(v, ctx, obj)) return false;
  Name pre;
  std::string_view s;
  uint64_t num = 0;
  if (k == Key::Str) {
    static constexpr std::array<std::string_view, 2> keys{"pre", "str"};
    if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& c) {
          return i == 0 ? ref_name(fv, c, pre) : read_string(fv, c, s);
        }))
      return false;
    out = st_.name_str(pre, s);
  } else {
    static constexpr std::array<std::string_view, 2> keys{"pre", "i"};
    if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& c) {
          return i == 0 ? ref_name(fv, c, pre) : read_uint(fv, c, UINT64_MAX, num);
        }))
      return false;
    out = st_.name_num(pre, num);
  }
  return true;
}

bool Reader::parse_level(Key k, dom::element v, Level& out) {
  switch (k) {
    case Key::Succ: {
      Level l;
      if (!ref_level(v, Ctx{"level.succ"}, l)) return false;
      out = st_.level_succ(l);
      return true;
    }
    case Key::Param: {
      Name n;
      if (!ref_name(v, Ctx{"level.param"}, n)) return false;
      out = st_.level_param(n);
      return true;
    }
    default: {
      const Ctx ctx{k == Key::Max ? "level.max" : "level.imax"};
      Level ab[2];
      size_t count = 0;
      if (!each_element(v, ctx, [&](dom::element ev, const Ctx& c) {
            if (count >= 2) return fail(ReadErrorKind::InvalidValue, ctx.str() + ": expected exactly 2 levels");
            return ref_level(ev, c, ab[count++]);
          }))
        return false;
      if (count != 2)
        return fail(ReadErrorKind::InvalidValue, ctx.str() + ": expected exactly 2 levels, found " + std::to_string(count));
      out = k == Key::Max ? st_.level_max_core(ab[0], ab[1]) : st_.level_imax_core(ab[0], ab[1]);
      return true;
    }
  }
}

bool Reader::read_binder_info(dom::element v, const Ctx& ctx, BinderInfo& out) {
  std::string_view s;
  if (!read_string(v, ctx, s)) return false;
  if (s == "default") out = BinderInfo::Default;
  else if (s == "implicit") out = BinderInfo::Implicit;
  else if (s == "strictImplicit") out = BinderInfo::StrictImplicit;
  else if (s == "instImplicit") out = BinderInfo::InstImplicit;
  else return fail(ReadErrorKind::InvalidValue, ctx.str() + ": unknown binder info '" + std::string(s) + "'");
  return true;
}

bool Reader::parse_expr(Key k, dom::element v, Expr& out) {
  switch (k) {
    case Key::BVar: {
      uint32_t i;
      if (!read_u32(v, Ctx{"expr.bvar"}, i)) return false;
      out = st_.mk_bvar(i);
      return true;
    }
    case Key::Sort: {
      Level l;
      if (!ref_level(v, Ctx{"expr.sort"}, l)) return false;
      out = st_.mk_sort(l);
      return true;
    }
    case Key::Const: {
      const Ctx ctx{"expr.const"};
      dom::object obj;
      if (!read_object(v, ctx, obj)) return false;
      Name n;
      tmp_levels_.clear();
      static constexpr std::array<std::string_view, 2> keys{"name", "us"};
      if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& c) {
            if (i == 0) return ref_name(fv, c, n);
            return each_element(fv, c, [&](dom::element ev, const Ctx& cc) {
              Level l;
              if (!ref_level(ev, cc, l)) return false;
              tmp_levels_.push_back(l);
              return true;
            });
          }))
        return false;
      out = st_.mk_const(n, st_.level_list(tmp_levels_));
      return true;
    }
    case Key::App: {
      const Ctx ctx{"expr.app"};
      dom::object obj;
      if (!read_object(v, ctx, obj)) return false;
      Expr f, a;
      static constexpr std::array<std::string_view, 2> keys{"fn", "arg"};
      if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& c) { return ref_expr(fv, c, i == 0 ? f : a); }))
        return false;
      out = st_.mk_app(f, a);
      return true;
    }
    case Key::Lam:
    case Key::ForallE: {
      const Ctx ctx{k == Key::Lam ? "expr.lam" : "expr.forallE"};
      dom::object obj;
      if (!read_object(v, ctx, obj)) return false;
      Name n;
      Expr ty, body;
      BinderInfo bi = BinderInfo::Default;
      static constexpr std::array<std::string_view, 4> keys{"name", "type", "body", "binderInfo"};
      if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& c) {
            switch (i) {
              case 0: return ref_name(fv, c, n);
              case 1: return ref_expr(fv, c, ty);
              case 2: return ref_expr(fv, c, body);
              default: return read_binder_info(fv, c, bi);
            }
          }))
        return false;
      out = k == Key::Lam ? st_.mk_lambda(n, bi, ty, body) : st_.mk_pi(n, bi, ty, body);
      return true;
    }
    case Key::LetE: {
      const Ctx ctx{"expr.letE"};
      dom::object obj;
      if (!read_object(v, ctx, obj)) return false;
      Name n;
      Expr ty, val, body;
      bool nondep = false;
      static constexpr std::array<std::string_view, 5> keys{"name", "type", "value", "body", "nondep"};
      if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& c) {
            switch (i) {
              case 0: return ref_name(fv, c, n);
              case 1: return ref_expr(fv, c, ty);
              case 2: return ref_expr(fv, c, val);
              case 3: return ref_expr(fv, c, body);
              default: return read_bool(fv, c, nondep);
            }
          }))
        return false;
      out = st_.mk_let(n, ty, val, body, nondep);
      return true;
    }
    case Key::Proj: {
      const Ctx ctx{"expr.proj"};
      dom::object obj;
      if (!read_object(v, ctx, obj)) return false;
      Name n;
      uint32_t idx = 0;
      Expr s;
      static constexpr std::array<std::string_view, 3> keys{"typeName", "idx", "struct"};
      if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& c) {
            switch (i) {
              case 0: return ref_name(fv, c, n);
              case 1: return read_u32(fv, c, idx);
              default: return ref_expr(fv, c, s);
            }
          }))
        return false;
      out = st_.mk_proj(n, idx, s);
      return true;
    }
    case Key::NatVal: {
      const Ctx ctx{"expr.natVal"};
      std::string_view s;
      if (!read_string(v, ctx, s)) return false;
      if (s.empty() || (s.size() > 1 && s[0] == '0'))
        return fail(ReadErrorKind::InvalidValue, ctx.str() + ": '" + std::string(s) + "' is not a canonical decimal numeral");
      uint64_t x = 0;
      bool small = s.size() <= 19;
      for (char ch : s) {
        if (ch < '0' || ch > '9')
          return fail(ReadErrorKind::InvalidValue, ctx.str() + ": '" + std::string(s) + "' is not a decimal numeral");
        if (small) x = x * 10 + static_cast<unsigned>(ch - '0');
      }
      out = small ? st_.mk_nat(x) : st_.mk_nat(mpz_class(std::string(s), 10));
      return true;
    }
    case Key::StrVal: {
      std::string_view s;
      if (!read_string(v, Ctx{"expr.strVal"}, s)) return false;
      out = st_.mk_str(s);
      return true;
    }
    case Key::MData: {
      // Metadata is transparent: the line's id denotes the inner expression.
      const Ctx ctx{"expr.mdata"};
      dom::object obj;
      if (!read_object(v, ctx, obj)) return false;
      Expr inner;
      static constexpr std::array<std::string_view, 2> keys{"expr", "data"};
      if (!fields(obj, ctx, keys, [&](size_t i, dom::element fv, const Ctx& c) {
            if (i == 0) return ref_expr(fv, c, inner);
            if (fv.type() != dom::element_type::OBJECT) return fail_type(fv, c, "an object");
            return true;
          }))
        return false;
      out = inner;
      return true;
    }
    default: return fail(ReadErrorKind::UnknownKind, "unknown expression kind");
  }
}

}  // namespace leanbatch::host::reader_detail
