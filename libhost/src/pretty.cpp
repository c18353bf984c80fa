#include "leanbatch/host/pretty.hpp"

#include <vector>

#include "leanbatch/host/expr_ops.hpp"
#include "leanbatch/host/level.hpp"

namespace leanbatch::host {

std::string pretty_name(const TermStore& st, Name n) {
  if (n.is_anonymous()) return "_";
  // Hygienic names carry a `_@` component: keep what precedes it and mark it like Lean.
  std::vector<Name> comps;
  for (Name c = n; !c.is_anonymous(); c = st.name_prefix(c)) comps.push_back(c);
  std::string out;
  for (size_t i = comps.size(); i-- > 0;) {
    Name c = comps[i];
    if (st.name_kind(c) == NameKind::Str && st.name_string(c) == "_@") return (out.empty() ? "x" : out) + "✝";
    if (!out.empty()) out += '.';
    if (st.name_kind(c) == NameKind::Str)
      out += st.name_string(c);
    else
      out += std::to_string(st.name_number(c));
  }
  return out;
}

namespace {

constexpr int kPrecMax = 1024;
constexpr int kPrecArrow = 25;

class Printer {
 public:
  Printer(const TermStore& st, const PrettyOptions& o) : st_(st), o_(o) {}

  std::string run(Expr e) {
    print(e, 0, 0);
    if (truncated_) out_ += "…";
    return out_;
  }

 private:
  bool full() {
    if (out_.size() >= o_.max_chars) truncated_ = true;
    return truncated_;
  }
  void put(std::string_view s) {
    if (!full()) out_ += s;
  }

  std::string sort_text(Level l) {
    if (l.id == 0) return "Prop";
    if (st_.level_kind(l) == LevelKind::Succ) {
      Level p = st_.level_pred(l);
      if (p.id == 0) return "Type";
      std::string s = level_to_string(st_, p);
      bool simple = st_.level_kind(p) == LevelKind::Param || level_is_explicit(st_, p);
      return "Type " + (simple ? s : "(" + s + ")");
    }
    std::string s = level_to_string(st_, l);
    bool simple = st_.level_kind(l) == LevelKind::Param || level_is_explicit(st_, l);
    return "Sort " + (simple ? s : "(" + s + ")");
  }

  std::string binder_name(Name n) {
    std::string base = n.is_anonymous() ? "x" : pretty_name(st_, n);
    std::string s = base;
    // Disambiguate shadowing so that the printed term reads correctly.
    for (unsigned k = 1;; ++k) {
      bool clash = false;
      for (const auto& b : scope_)
        if (b == s) clash = true;
      if (!clash) break;
      s = base + "_" + std::to_string(k);
    }
    return s;
  }

  // Is `e` the numeral `@OfNat.ofNat T (lit n) inst`? Returns the literal.
  Expr numeral(Expr e) {
    if (st_.app_num_args(e) != 3) return Expr{};
    Expr h = st_.app_head(e);
    if (!st_.is_const(h) || st_.name_to_string(st_.const_name(h)) != "OfNat.ofNat") return Expr{};
    Expr lit = st_.app_arg(st_.app_fn(e));
    return st_.kind(lit) == ExprKind::NatLit ? lit : Expr{};
  }

  void print(Expr e, int prec, unsigned depth) {
    if (full()) return;
    if (depth > o_.max_depth) {
      put("…");
      return;
    }
    switch (st_.kind(e)) {
      case ExprKind::BVar: {
        uint32_t i = st_.bvar_idx(e);
        if (i < scope_.size())
          put(scope_[scope_.size() - 1 - i]);
        else
          put("#" + std::to_string(i));
        return;
      }
      case ExprKind::FVar:
        put(o_.fvar_name ? o_.fvar_name(st_.fvar_idx(e)) : "_fvar." + std::to_string(st_.fvar_idx(e)));
        return;
      case ExprKind::Sort: {
        std::string s = sort_text(st_.sort_level(e));
        bool paren = prec >= kPrecMax && s.find(' ') != std::string::npos;
        if (paren) put("(");
        put(s);
        if (paren) put(")");
        return;
      }
      case ExprKind::Const: {
        put(st_.name_to_string(st_.const_name(e)));
        auto ls = st_.levels(st_.const_levels(e));
        if (o_.show_universes && !ls.empty()) {
          put(".{");
          for (size_t i = 0; i < ls.size(); ++i) {
            if (i) put(", ");
            put(level_to_string(st_, ls[i]));
          }
          put("}");
        }
        return;
      }
      case ExprKind::NatLit: put(st_.nat_to_string(e)); return;
      case ExprKind::StrLit: {
        std::string s = "\"";
        for (char c : st_.str_value(e)) {
          if (c == '"' || c == '\\') {
            s += '\\';
            s += c;
          } else if (c == '\n') {
            s += "\\n";
          } else {
            s += c;
          }
          if (s.size() > o_.max_chars) break;
        }
        put(s + "\"");
        return;
      }
      case ExprKind::Proj: {
        print(st_.proj_expr(e), kPrecMax + 1, depth + 1);
        put("." + std::to_string(st_.proj_idx(e) + 1));
        return;
      }
      case ExprKind::App: {
        if (Expr lit = numeral(e); lit.valid()) {
          put(st_.nat_to_string(lit));
          return;
        }
        std::vector<Expr> args;
        Expr f = st_.app_args(e, args);
        bool paren = prec > kPrecMax;
        if (paren) put("(");
        print(f, kPrecMax, depth + 1);
        for (Expr a : args) {
          put(" ");
          print(a, kPrecMax + 1, depth + 1);
          if (full()) break;
        }
        if (paren) put(")");
        return;
      }
      case ExprKind::Lam: {
        bool paren = prec > 0;
        if (paren) put("(");
        put("fun");
        size_t pushed = 0;
        Expr b = e;
        while (st_.is_lambda(b) && !full()) {
          put(" ");
          binder(b, depth);
          ++pushed;
          b = st_.binding_body(b);
        }
        put(" => ");
        print(b, 0, depth + 1);
        scope_.resize(scope_.size() - pushed);
        if (paren) put(")");
        return;
      }
      case ExprKind::Pi: {
        Expr body = st_.binding_body(e);
        bool arrow = !has_loose_bvar(st_, body, 0) && st_.binding_info(e) == BinderInfo::Default;
        if (arrow) {
          bool paren = prec > kPrecArrow;
          if (paren) put("(");
          print(st_.binding_domain(e), kPrecArrow + 1, depth + 1);
          put(" → ");
          scope_.push_back("_");  // the body still has the binder in its de Bruijn context
          print(body, kPrecArrow, depth + 1);
          scope_.pop_back();
          if (paren) put(")");
          return;
        }
        bool paren = prec > 0;
        if (paren) put("(");
        binder(e, depth);
        put(" → ");
        print(body, 0, depth + 1);
        scope_.pop_back();
        if (paren) put(")");
        return;
      }
      case ExprKind::Let: {
        bool paren = prec > 0;
        if (paren) put("(");
        std::string n = binder_name(st_.let_name(e));
        put("let " + n + " : ");
        print(st_.let_type(e), 0, depth + 1);
        put(" := ");
        print(st_.let_value(e), 0, depth + 1);
        put("; ");
        scope_.push_back(n);
        print(st_.let_body(e), 0, depth + 1);
        scope_.pop_back();
        if (paren) put(")");
        return;
      }
    }
  }

  // Prints `(x : A)` with the bracket of its binder info and pushes x on the scope.
  void binder(Expr b, unsigned depth) {
    std::string n = binder_name(st_.binding_name(b));
    const char* open = "(";
    const char* close = ")";
    switch (st_.binding_info(b)) {
      case BinderInfo::Implicit: open = "{"; close = "}"; break;
      case BinderInfo::StrictImplicit: open = "⦃"; close = "⦄"; break;
      case BinderInfo::InstImplicit: open = "["; close = "]"; break;
      default: break;
    }
    put(open);
    put(n + " : ");
    print(st_.binding_domain(b), 0, depth + 1);
    put(close);
    scope_.push_back(n);
  }

  const TermStore& st_;
  const PrettyOptions& o_;
  std::string out_;
  bool truncated_ = false;
  std::vector<std::string> scope_;
};

}  // namespace

std::string pretty(const TermStore& st, Expr e, const PrettyOptions& opts) {
  if (!e.valid()) return "<none>";
  Printer p(st, opts);
  return p.run(e);
}

}  // namespace leanbatch::host
