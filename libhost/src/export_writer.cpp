#include "leanbatch/host/export_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_set>

#include "leanbatch/host/expr_ops.hpp"
#include "leanbatch/host/internal_error.hpp"
#include "leanbatch/host/json.hpp"

#ifndef LEANBATCH_VERSION
#define LEANBATCH_VERSION "0.0.0"
#endif

namespace leanbatch::host {

namespace {
constexpr size_t kFlushAt = 1 << 20;

uint32_t& slot(std::vector<uint32_t>& v, uint32_t id) {
  if (id >= v.size()) v.resize(std::max<size_t>(static_cast<size_t>(id) + 1, v.size() * 2), kNoId);
  return v[id];
}
}  // namespace

ExportWriter::ExportWriter(std::FILE* out, const TermStore& st) : out_(out), st_(st) { buf_.reserve(kFlushAt + 4096); }

ExportWriter::~ExportWriter() { flush(); }

void ExportWriter::put(std::string_view s) { buf_.append(s); }

void ExportWriter::put_u64(uint64_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) buf_.push_back(tmp[--n]);
}

void ExportWriter::put_json_string(std::string_view s) { json_append_string(buf_, s); }

void ExportWriter::end_line() {
  buf_.push_back('\n');
  ++lines_;
  if (buf_.size() >= kFlushAt) flush();
}

bool ExportWriter::flush() {
  if (!buf_.empty() && !io_error_) {
    if (std::fwrite(buf_.data(), 1, buf_.size(), out_) != buf_.size()) io_error_ = true;
    written_ += buf_.size();
  }
  buf_.clear();
  if (!io_error_ && std::fflush(out_) != 0) io_error_ = true;
  return !io_error_;
}

void ExportWriter::write_meta(const ExportMeta& m) {
  put(R"({"meta":{"exporter":{"name":"leanbatch","version":")");
  put(LEANBATCH_VERSION);
  put(R"("},"format":{"version":"3.1.0"},"lean":{"githash":)");
  put_json_string(m.lean_githash);
  put(R"(,"version":)");
  put_json_string(m.lean_version);
  put("}}}");
  end_line();
}

uint32_t ExportWriter::name(Name n) {
  if (n.is_anonymous()) return 0;
  uint32_t& s = slot(name_ids_, n.id);
  if (s != kNoId) return s;
  // Names are shallow; prefixes first.
  uint32_t pre = name(st_.name_prefix(n));
  uint32_t id = next_name_++;
  slot(name_ids_, n.id) = id;
  put(R"({"in":)");
  put_u64(id);
  if (st_.name_kind(n) == NameKind::Str) {
    put(R"(,"str":{"pre":)");
    put_u64(pre);
    put(R"(,"str":)");
    put_json_string(st_.name_string(n));
    put("}}");
  } else {
    put(R"(,"num":{"i":)");
    put_u64(st_.name_number(n));
    put(R"(,"pre":)");
    put_u64(pre);
    put("}}");
  }
  end_line();
  return id;
}

uint32_t ExportWriter::level(Level l) {
  if (l.id == 0) return 0;
  uint32_t& s = slot(level_ids_, l.id);
  if (s != kNoId) return s;
  uint32_t a = 0, b = 0;
  LevelKind k = st_.level_kind(l);
  switch (k) {
    case LevelKind::Succ: a = level(st_.level_pred(l)); break;
    case LevelKind::Max:
    case LevelKind::IMax:
      a = level(st_.level_lhs(l));
      b = level(st_.level_rhs(l));
      break;
    case LevelKind::Param: a = name(st_.level_param_name(l)); break;
    case LevelKind::Zero: break;
  }
  uint32_t id = next_level_++;
  slot(level_ids_, l.id) = id;
  put(R"({"il":)");
  put_u64(id);
  switch (k) {
    case LevelKind::Succ: put(R"(,"succ":)"); put_u64(a); break;
    case LevelKind::Max:
    case LevelKind::IMax:
      put(k == LevelKind::Max ? R"(,"max":[)" : R"(,"imax":[)");
      put_u64(a);
      put(",");
      put_u64(b);
      put("]");
      break;
    case LevelKind::Param: put(R"(,"param":)"); put_u64(a); break;
    case LevelKind::Zero: break;
  }
  put("}");
  end_line();
  return id;
}

uint32_t ExportWriter::expr(Expr root) {
  if (root.id < expr_ids_.size() && expr_ids_[root.id] != kNoId) return expr_ids_[root.id];
  // Iterative post-order: a node is written once all its children have ids.
  std::vector<std::pair<Expr, bool>> stack{{root, false}};
  auto known = [&](Expr e) { return e.id < expr_ids_.size() && expr_ids_[e.id] != kNoId; };
  auto id_of = [&](Expr e) { return expr_ids_[e.id]; };
  while (!stack.empty()) {
    auto [e, expanded] = stack.back();
    if (known(e)) {
      stack.pop_back();
      continue;
    }
    if (!expanded) {
      stack.back().second = true;
      auto push = [&](Expr c) {
        if (!known(c)) stack.push_back({c, false});
      };
      switch (st_.kind(e)) {
        case ExprKind::App: push(st_.app_arg(e)); push(st_.app_fn(e)); break;
        case ExprKind::Lam:
        case ExprKind::Pi: push(st_.binding_body(e)); push(st_.binding_domain(e)); break;
        case ExprKind::Let: push(st_.let_body(e)); push(st_.let_value(e)); push(st_.let_type(e)); break;
        case ExprKind::Proj: push(st_.proj_expr(e)); break;
        default: break;
      }
      continue;
    }
    stack.pop_back();
    // Names and levels first (they are shallow), then this node's line.
    switch (st_.kind(e)) {
      case ExprKind::BVar: {
        uint32_t id = next_expr_++;
        slot(expr_ids_, e.id) = id;
        put(R"({"bvar":)");
        put_u64(st_.bvar_idx(e));
        put(R"(,"ie":)");
        put_u64(id);
        put("}");
        break;
      }
      case ExprKind::Sort: {
        uint32_t l = level(st_.sort_level(e));
        uint32_t id = next_expr_++;
        slot(expr_ids_, e.id) = id;
        put(R"({"ie":)");
        put_u64(id);
        put(R"(,"sort":)");
        put_u64(l);
        put("}");
        break;
      }
      case ExprKind::Const: {
        uint32_t n = name(st_.const_name(e));
        std::vector<uint32_t> us;
        for (Level l : st_.levels(st_.const_levels(e))) us.push_back(level(l));
        uint32_t id = next_expr_++;
        slot(expr_ids_, e.id) = id;
        put(R"({"const":{"name":)");
        put_u64(n);
        put(R"(,"us":[)");
        for (size_t i = 0; i < us.size(); ++i) {
          if (i) put(",");
          put_u64(us[i]);
        }
        put(R"(]},"ie":)");
        put_u64(id);
        put("}");
        break;
      }
      case ExprKind::App: {
        uint32_t id = next_expr_++;
        slot(expr_ids_, e.id) = id;
        put(R"({"app":{"arg":)");
        put_u64(id_of(st_.app_arg(e)));
        put(R"(,"fn":)");
        put_u64(id_of(st_.app_fn(e)));
        put(R"(},"ie":)");
        put_u64(id);
        put("}");
        break;
      }
      case ExprKind::Lam:
      case ExprKind::Pi: {
        uint32_t n = name(st_.binding_name(e));
        uint32_t id = next_expr_++;
        slot(expr_ids_, e.id) = id;
        bool lam = st_.kind(e) == ExprKind::Lam;
        std::string_view bi = to_string(st_.binding_info(e));
        auto payload = [&] {
          put(R"({"binderInfo":")");
          put(bi);
          put(R"(","body":)");
          put_u64(id_of(st_.binding_body(e)));
          put(R"(,"name":)");
          put_u64(n);
          put(R"(,"type":)");
          put_u64(id_of(st_.binding_domain(e)));
          put("}");
        };
        if (lam) {
          put(R"({"ie":)");
          put_u64(id);
          put(R"(,"lam":)");
          payload();
          put("}");
        } else {
          put(R"({"forallE":)");
          payload();
          put(R"(,"ie":)");
          put_u64(id);
          put("}");
        }
        break;
      }
      case ExprKind::Let: {
        uint32_t n = name(st_.let_name(e));
        uint32_t id = next_expr_++;
        slot(expr_ids_, e.id) = id;
        put(R"({"ie":)");
        put_u64(id);
        put(R"(,"letE":{"body":)");
        put_u64(id_of(st_.let_body(e)));
        put(R"(,"name":)");
        put_u64(n);
        put(R"(,"nondep":)");
        put(st_.let_nondep(e) ? "true" : "false");
        put(R"(,"type":)");
        put_u64(id_of(st_.let_type(e)));
        put(R"(,"value":)");
        put_u64(id_of(st_.let_value(e)));
        put("}}");
        break;
      }
      case ExprKind::NatLit: {
        uint32_t id = next_expr_++;
        slot(expr_ids_, e.id) = id;
        put(R"({"ie":)");
        put_u64(id);
        put(R"(,"natVal":")");
        put(st_.nat_to_string(e));
        put("\"}");
        break;
      }
      case ExprKind::StrLit: {
        uint32_t id = next_expr_++;
        slot(expr_ids_, e.id) = id;
        put(R"({"ie":)");
        put_u64(id);
        put(R"(,"strVal":)");
        put_json_string(st_.str_value(e));
        put("}");
        break;
      }
      case ExprKind::Proj: {
        uint32_t n = name(st_.proj_struct(e));
        uint32_t id = next_expr_++;
        slot(expr_ids_, e.id) = id;
        put(R"({"ie":)");
        put_u64(id);
        put(R"(,"proj":{"idx":)");
        put_u64(st_.proj_idx(e));
        put(R"(,"struct":)");
        put_u64(id_of(st_.proj_expr(e)));
        put(R"(,"typeName":)");
        put_u64(n);
        put("}}");
        break;
      }
      case ExprKind::FVar:
        // Free variables never occur in declarations read from a file.
        LB_ASSERT(!"free variable in a declaration");
    }
    end_line();
  }
  return expr_ids_[root.id];
}

void ExportWriter::put_name_array(std::span<const Name> ns) {
  put("[");
  for (size_t i = 0; i < ns.size(); ++i) {
    if (i) put(",");
    put_u64(name_ids_[ns[i].id]);
  }
  put("]");
}

void ExportWriter::write_declaration(DeclKind kind, std::span<const ConstantInfo> consts) {
  // Emit every referenced name, level and expression first.
  for (const ConstantInfo& c : consts) {
    name(c.name);
    for (Name n : c.lparams) name(n);
    for (Name n : c.all) name(n);
    for (Name n : c.ctors) name(n);
    if (c.kind == ConstKind::Constructor) name(c.induct);
    expr(c.type);
    if (c.value.valid()) expr(c.value);
    for (const RecursorRule& r : c.rules) {
      name(r.ctor);
      expr(r.rhs);
    }
  }
  auto common = [&](const ConstantInfo& c) {  // "levelParams":[..],"name":n
    put(R"("levelParams":)");
    put_name_array(c.lparams);
    put(R"(,"name":)");
    put_u64(name_ids_[c.name.id]);
  };
  auto type_field = [&](const ConstantInfo& c) {
    put(R"(,"type":)");
    put_u64(expr_ids_[c.type.id]);
  };
  const ConstantInfo& c0 = consts.front();
  switch (kind) {
    case DeclKind::Axiom:
      put(R"({"axiom":{"isUnsafe":)");
      put(c0.is_unsafe() ? "true," : "false,");
      common(c0);
      type_field(c0);
      put("}}");
      break;
    case DeclKind::Definition:
      put(R"({"def":{"all":)");
      put_name_array(c0.all);
      put(R"(,"hints":)");
      if (c0.hints.kind == HintKind::Regular) {
        put(R"({"regular":)");
        put_u64(c0.hints.height);
        put("}");
      } else {
        put(c0.hints.kind == HintKind::Abbrev ? R"("abbrev")" : R"("opaque")");
      }
      put(",");
      common(c0);
      put(R"(,"safety":")");
      put(to_string(c0.safety));
      put("\"");
      type_field(c0);
      put(R"(,"value":)");
      put_u64(expr_ids_[c0.value.id]);
      put("}}");
      break;
    case DeclKind::Theorem:
      put(R"({"thm":{"all":)");
      put_name_array(c0.all);
      put(",");
      common(c0);
      type_field(c0);
      put(R"(,"value":)");
      put_u64(expr_ids_[c0.value.id]);
      put("}}");
      break;
    case DeclKind::Opaque:
      put(R"({"opaque":{"all":)");
      put_name_array(c0.all);
      put(R"(,"isUnsafe":)");
      put(c0.is_unsafe() ? "true," : "false,");
      common(c0);
      type_field(c0);
      put(R"(,"value":)");
      put_u64(expr_ids_[c0.value.id]);
      put("}}");
      break;
    case DeclKind::Quot:
      put(R"({"quot":{"kind":")");
      put(to_string(c0.quot_kind));
      put("\",");
      common(c0);
      type_field(c0);
      put("}}");
      break;
    case DeclKind::Inductive: {
      auto list = [&](ConstKind k, auto&& body) {
        bool first = true;
        put("[");
        for (const ConstantInfo& c : consts) {
          if (c.kind != k) continue;
          if (!first) put(",");
          first = false;
          body(c);
        }
        put("]");
      };
      put(R"({"inductive":{"ctors":)");
      list(ConstKind::Constructor, [&](const ConstantInfo& c) {
        put(R"({"cidx":)");
        put_u64(c.cidx);
        put(R"(,"induct":)");
        put_u64(name_ids_[c.induct.id]);
        put(R"(,"isUnsafe":)");
        put(c.is_unsafe() ? "true," : "false,");
        common(c);
        put(R"(,"numFields":)");
        put_u64(c.num_fields);
        put(R"(,"numParams":)");
        put_u64(c.num_params);
        type_field(c);
        put("}");
      });
      put(R"(,"recs":)");
      list(ConstKind::Recursor, [&](const ConstantInfo& c) {
        put(R"({"all":)");
        put_name_array(c.all);
        put(R"(,"isUnsafe":)");
        put(c.is_unsafe() ? "true" : "false");
        put(R"(,"k":)");
        put(c.k ? "true," : "false,");
        common(c);
        put(R"(,"numIndices":)");
        put_u64(c.num_indices);
        put(R"(,"numMinors":)");
        put_u64(c.num_minors);
        put(R"(,"numMotives":)");
        put_u64(c.num_motives);
        put(R"(,"numParams":)");
        put_u64(c.num_params);
        put(R"(,"rules":[)");
        for (size_t i = 0; i < c.rules.size(); ++i) {
          if (i) put(",");
          put(R"({"ctor":)");
          put_u64(name_ids_[c.rules[i].ctor.id]);
          put(R"(,"nfields":)");
          put_u64(c.rules[i].nfields);
          put(R"(,"rhs":)");
          put_u64(expr_ids_[c.rules[i].rhs.id]);
          put("}");
        }
        put("]");
        type_field(c);
        put("}");
      });
      put(R"(,"types":)");
      list(ConstKind::Inductive, [&](const ConstantInfo& c) {
        put(R"({"all":)");
        put_name_array(c.all);
        put(R"(,"ctors":)");
        put_name_array(c.ctors);
        put(R"(,"isRec":)");
        put(c.is_rec ? "true" : "false");
        put(R"(,"isReflexive":)");
        put(c.is_reflexive ? "true" : "false");
        put(R"(,"isUnsafe":)");
        put(c.is_unsafe() ? "true," : "false,");
        common(c);
        put(R"(,"numIndices":)");
        put_u64(c.num_indices);
        put(R"(,"numNested":)");
        put_u64(c.num_nested);
        put(R"(,"numParams":)");
        put_u64(c.num_params);
        type_field(c);
        put("}");
      });
      put("}}");
      break;
    }
  }
  end_line();
}

std::vector<uint32_t> dependency_closure(const Environment& env, std::span<const uint32_t> roots) {
  TermStore& st = env.store();
  std::vector<bool> in(env.declarations().size(), false);
  std::vector<uint32_t> work;
  auto add_decl = [&](uint32_t d) {
    if (d < in.size() && !in[d]) {
      in[d] = true;
      work.push_back(d);
    }
  };
  auto add_name = [&](Name n) {
    if (auto ci = env.find(n)) add_decl(env.constant(*ci).decl);
  };
  for (uint32_t r : roots) add_decl(r);
  std::unordered_set<uint32_t> seen_exprs;
  auto scan = [&](Expr e) {
    if (!e.valid()) return;
    for_each_subterm(st, e, [&](Expr m) {
      if (!seen_exprs.insert(m.id).second) return false;
      switch (st.kind(m)) {
        case ExprKind::Const: add_name(st.const_name(m)); break;
        case ExprKind::Proj: add_name(st.proj_struct(m)); break;
        case ExprKind::NatLit: add_name(st.name_from_dotted("Nat")); break;
        case ExprKind::StrLit:
          for (const char* n : {"String", "String.mk", "String.ofList", "Char", "Char.ofNat", "List", "Nat"})
            add_name(st.name_from_dotted(n));
          break;
        default: break;
      }
      return true;
    });
  };
  while (!work.empty()) {
    uint32_t d = work.back();
    work.pop_back();
    const Declaration& decl = env.declaration(d);
    if (decl.kind == DeclKind::Quot) {
      // The quotient constants are one package for the kernel (reduction needs all four),
      // and their types mention Eq.
      add_name(st.name_from_dotted("Eq"));
      for (const char* q : {"Quot", "Quot.mk", "Quot.lift", "Quot.ind"}) add_name(st.name_from_dotted(q));
    }
    for (uint32_t i = decl.first_const; i < decl.first_const + decl.num_consts; ++i) {
      const ConstantInfo& c = env.constant(i);
      scan(c.type);
      scan(c.value);
      for (const RecursorRule& r : c.rules) scan(r.rhs);
      if (c.kind == ConstKind::Constructor) add_name(c.induct);
    }
  }
  std::vector<uint32_t> out;
  for (uint32_t d = 0; d < in.size(); ++d)
    if (in[d]) out.push_back(d);
  return out;
}

std::expected<WriteStats, std::string> write_export_file(const Environment& env, std::span<const uint32_t> decls,
                                                         const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return std::unexpected("cannot open '" + path + "' for writing: " + std::strerror(errno));
  WriteStats stats;
  try {
    ExportWriter w(f, env.store());
    w.write_meta(env.meta);
    for (uint32_t d : decls) {
      const Declaration& decl = env.declaration(d);
      w.write_declaration(decl.kind, std::span<const ConstantInfo>(env.constants()).subspan(decl.first_const, decl.num_consts));
      ++stats.declarations;
    }
    bool ok = w.flush();
    stats.lines = w.lines_written();
    stats.bytes = w.bytes_written();
    if (!ok) {
      std::fclose(f);
      return std::unexpected("write error on '" + path + "': " + std::strerror(errno));
    }
  } catch (const InternalError& e) {
    std::fclose(f);
    return std::unexpected(std::string(e.what()));
  }
  if (std::fclose(f) != 0) return std::unexpected("write error on '" + path + "': " + std::strerror(errno));
  return stats;
}

}  // namespace leanbatch::host
