// `leanbatch make-scale-corpus IN N -o OUT`: N renamed copies of an export, for benchmarks.
//
// Every declaration is copied N times under a fresh root namespace (`_s0.`, `_s1.`, …), and
// every reference to a copied constant is renamed consistently, so each copy type-checks
// on its own. The names the kernel treats specially (Nat and its accelerated operations,
// String, Char, List, Bool, Eq, the quotient constants, the type-annotation wrappers …)
// and everything they depend on are kept once, unrenamed, because the kernel recognises
// them by name.
#include <chrono>
#include <filesystem>
#include <cstdio>
#include <unordered_map>

#include "common/exit_codes.hpp"
#include "common/logging.hpp"
#include "leanbatch/commands.hpp"
#include "leanbatch/host/export_reader.hpp"
#include "leanbatch/host/export_writer.hpp"
#include "leanbatch/host/expr_ops.hpp"
#include "leanbatch/host/json.hpp"

namespace leanbatch::tools {

using namespace host;

namespace {

const char* const kSpecial[] = {
    "Nat", "Nat.zero", "Nat.succ", "Nat.pred", "Nat.add", "Nat.sub", "Nat.mul", "Nat.div", "Nat.mod", "Nat.gcd",
    "Nat.beq", "Nat.ble", "Nat.land", "Nat.lor", "Nat.xor", "Nat.shiftLeft", "Nat.shiftRight", "Nat.pow", "Nat.log2",
    "Bool", "Bool.true", "Bool.false", "String", "String.mk", "String.ofList", "Char", "Char.ofNat", "List",
    "List.nil", "List.cons", "Eq", "Eq.refl", "Quot", "Quot.mk", "Quot.lift", "Quot.ind", "optParam", "autoParam",
    "outParam", "semiOutParam", "Lean.reduceBool", "Lean.reduceNat", "sorryAx", "Lean.trustCompiler"};

class Renamer {
 public:
  Renamer(TermStore& st, const std::unordered_map<uint32_t, bool>& renamed, unsigned copy)
      : st_(st), renamed_(renamed), root_(st.name_str(Name{}, "_s" + std::to_string(copy))) {}

  Name name(Name n) {
    if (!renamed_.count(n.id)) return n;
    return prepend(n);
  }
  // Renames constants and the structure names of projections (binders are irrelevant).
  Expr full(Expr e) {
    if (!e.valid()) return e;
    return replace_expr(st_, e, [&](Expr m, uint32_t) -> Expr {
      if (st_.kind(m) == ExprKind::Const) return st_.mk_const(name(st_.const_name(m)), st_.const_levels(m));
      if (st_.kind(m) == ExprKind::Proj)
        return st_.mk_proj(name(st_.proj_struct(m)), st_.proj_idx(m), full(st_.proj_expr(m)));
      return Expr{};
    });
  }
  std::vector<Name> names(const std::vector<Name>& ns) {
    std::vector<Name> out;
    for (Name n : ns) out.push_back(name(n));
    return out;
  }

 private:
  Name prepend(Name n) {
    if (n.is_anonymous()) return root_;
    Name p = prepend(st_.name_prefix(n));
    return st_.name_kind(n) == NameKind::Str ? st_.name_str(p, st_.name_string(n)) : st_.name_num(p, st_.name_number(n));
  }
  TermStore& st_;
  const std::unordered_map<uint32_t, bool>& renamed_;
  Name root_;
};

}  // namespace

namespace {

// A copy of declaration `decl` renamed by `rn` (when `rename`).
std::vector<ConstantInfo> copy_decl(const Environment& env, const Declaration& decl, Renamer& rn, bool rename) {
  std::vector<ConstantInfo> consts;
  for (uint32_t i = decl.first_const; i < decl.first_const + decl.num_consts; ++i) {
    ConstantInfo c = env.constant(i);
    if (rename) {
      c.name = rn.name(c.name);
      c.type = rn.full(c.type);
      c.value = rn.full(c.value);
      c.all = rn.names(c.all);
      c.ctors = rn.names(c.ctors);
      c.induct = rn.name(c.induct);
      for (RecursorRule& rule : c.rules) {
        rule.ctor = rn.name(rule.ctor);
        rule.rhs = rn.full(rule.rhs);
      }
    }
    consts.push_back(std::move(c));
  }
  return consts;
}

// `--modules M --shared-fraction F`: M closed module exports in the directory OUT, each the
// shared base (the first F of the declarations, closed under dependencies, unrenamed) plus
// its own renamed copy of the rest, and OUT/manifest.ndjson naming them (module "M0001", …):
// the shape of an import sweep, where every module's export repeats its imports.
int write_modules(const ScaleOptions& opts, const Environment& env, TermStore& st, const std::vector<bool>& is_kept,
                  RowWriter& out, std::chrono::steady_clock::time_point t0) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(opts.output, ec);
  if (ec) {
    report_error("cannot create the directory '" + opts.output + "': " + ec.message());
    return kExitUndecided;
  }
  size_t n = env.declarations().size();
  std::vector<uint32_t> roots;
  for (uint32_t d = 0; d < static_cast<uint32_t>(n * opts.shared_fraction + 0.5) && d < n; ++d) roots.push_back(d);
  for (uint32_t d = 0; d < n; ++d)
    if (is_kept[d]) roots.push_back(d);
  std::vector<bool> in_base(n, false);
  for (uint32_t d : dependency_closure(env, roots)) in_base[d] = true;
  std::unordered_map<uint32_t, bool> renamed;
  size_t base = 0;
  for (uint32_t d = 0; d < n; ++d) base += in_base[d];
  for (const ConstantInfo& c : env.constants())
    if (!in_base[c.decl]) renamed[c.name.id] = true;
  std::FILE* manifest = std::fopen((fs::path(opts.output) / "manifest.ndjson").c_str(), "wb");
  if (!manifest) {
    report_error("cannot write the manifest in '" + opts.output + "'");
    return kExitUndecided;
  }
  uint64_t bytes = 0;
  bool ok = true;
  char label[32];
  for (unsigned k = 0; k < opts.modules && ok; ++k) {
    std::snprintf(label, sizeof label, "M%04u", k + 1);
    std::string file = std::string(label) + ".ndjson";
    std::FILE* f = std::fopen((fs::path(opts.output) / file).c_str(), "wb");
    if (!f) {
      ok = false;
      break;
    }
    Renamer rn(st, renamed, k);
    ExportWriter w(f, st);
    w.write_meta(env.meta);
    for (uint32_t d = 0; d < n; ++d) w.write_declaration(env.declaration(d).kind, copy_decl(env, env.declaration(d), rn, !in_base[d]));
    ok = w.flush() && ok;
    bytes += w.bytes_written();
    ok = std::fclose(f) == 0 && ok;
    JsonObject item;
    item.field("file", file).field("module", label);
    std::fprintf(manifest, "%s\n", item.str().c_str());
  }
  ok = std::fclose(manifest) == 0 && ok;
  if (!ok) {
    report_error("write error in '" + opts.output + "'");
    return kExitUndecided;
  }
  JsonObject o;
  o.field("schema", kRowSchema)
      .field("type", "scale_corpus")
      .field("input", opts.input)
      .field("output", opts.output)
      .field("modules", opts.modules)
      .field("shared_declarations", static_cast<uint64_t>(base))
      .field("own_declarations", static_cast<uint64_t>(n - base))
      .field("bytes", bytes)
      .field("seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  out.write(o.str());
  return kExitAccepted;
}

}  // namespace

int run_make_scale_corpus(const ScaleOptions& opts, RowWriter& out) {
  auto t0 = std::chrono::steady_clock::now();
  if ((opts.modules == 0) == (opts.copies == 0)) {
    report_error("make-scale-corpus: give either a number of copies or --modules M");
    return kExitUsage;
  }
  auto store = std::make_shared<TermStore>();
  auto r = read_export_file(opts.input, store);
  if (!r) {
    report_error(r.error().describe());
    return kExitRejected;
  }
  const Environment& env = **r;
  TermStore& st = *store;
  std::vector<uint32_t> special_roots;
  for (const char* s : kSpecial)
    if (auto ci = env.find(st.name_from_dotted(s))) special_roots.push_back(env.constant(*ci).decl);
  std::vector<uint32_t> kept = dependency_closure(env, special_roots);
  std::vector<bool> is_kept(env.declarations().size(), false);
  for (uint32_t d : kept) is_kept[d] = true;
  std::unordered_map<uint32_t, bool> renamed;
  for (const ConstantInfo& c : env.constants())
    if (!is_kept[c.decl]) renamed[c.name.id] = true;

  if (opts.modules) return write_modules(opts, env, st, is_kept, out, t0);

  std::FILE* f = std::fopen(opts.output.c_str(), "wb");
  if (!f) {
    report_error("cannot open '" + opts.output + "' for writing");
    return kExitUndecided;
  }
  uint64_t decls_written = 0;
  bool ok = true;
  {
    ExportWriter w(f, st);
    w.write_meta(env.meta);
    for (unsigned k = 0; k < opts.copies; ++k) {
      Renamer rn(st, renamed, k);
      for (uint32_t d = 0; d < env.declarations().size(); ++d) {
        const Declaration& decl = env.declaration(d);
        if (is_kept[d] && k > 0) continue;
        w.write_declaration(decl.kind, copy_decl(env, decl, rn, !is_kept[d]));
        ++decls_written;
      }
    }
    ok = w.flush();
    JsonObject o;
    o.field("schema", kRowSchema)
        .field("type", "scale_corpus")
        .field("input", opts.input)
        .field("output", opts.output)
        .field("copies", opts.copies)
        .field("kept_declarations", static_cast<uint64_t>(kept.size()))
        .field("declarations", decls_written)
        .field("lines", w.lines_written())
        .field("bytes", w.bytes_written())
        .field("seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (ok) out.write(o.str());
  }
  if (std::fclose(f) != 0 || !ok) {
    report_error("write error on '" + opts.output + "'");
    return kExitUndecided;
  }
  return kExitAccepted;
}

}  // namespace leanbatch::tools
