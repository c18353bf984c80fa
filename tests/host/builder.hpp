#pragma once
// Builds test exports: a real base export plus hand-built declarations, written through the
// export writer and read back, so tests exercise exactly what a file on disk would.
#include <atomic>
#include <functional>
#include <map>
#include <numeric>
#include <unordered_set>

#include "leanbatch/host/export_writer.hpp"
#include "leanbatch/host/expr_ops.hpp"
#include "test_support.hpp"

namespace lbtest {

class Builder {
 public:
  explicit Builder(const std::string& base_rel) : st_(std::make_shared<TermStore>()), base_(load(base_rel, st_)) {}

  TermStore& st() { return *st_; }
  Name n(const std::string& dotted) { return st_->name_from_dotted(dotted); }
  Level lvl(unsigned k) { return level_succ_n(k); }
  Level param(const char* p) { return st_->level_param(n(p)); }
  // Raw (unsimplified) level nodes, to exercise normalisation.
  Level lsucc(Level l) { return st_->level_succ(l); }
  Level lmax(Level a, Level b) { return st_->level_max_core(a, b); }
  Level limax(Level a, Level b) { return st_->level_imax_core(a, b); }
  Expr c(const std::string& name, std::vector<Level> ls = {}) { return st_->mk_const(n(name), st_->level_list(ls)); }
  Expr app(Expr f, std::initializer_list<Expr> args) { return st_->mk_app(f, args); }
  Expr nat(uint64_t v) { return st_->mk_nat(v); }
  Expr bv(uint32_t i) { return st_->mk_bvar(i); }
  Expr sort(Level l) { return st_->mk_sort(l); }
  Expr prop() { return sort(st_->level_zero()); }
  Expr type() { return sort(lvl(1)); }
  Expr pi(const char* x, Expr dom, Expr body, BinderInfo bi = BinderInfo::Default) { return st_->mk_pi(n(x), bi, dom, body); }
  Expr lam(const char* x, Expr dom, Expr body, BinderInfo bi = BinderInfo::Default) {
    return st_->mk_lambda(n(x), bi, dom, body);
  }
  Expr arrow(Expr a, Expr b) { return st_->mk_pi(Name{}, BinderInfo::Default, a, b); }
  /// Binders with named variables: `Pi("x", T, [&](Expr x) { return body mentioning x; })`.
  Expr Pi(const char* x, Expr dom, const std::function<Expr(Expr)>& body, BinderInfo bi = BinderInfo::Default) {
    return bind(false, x, dom, body, bi);
  }
  Expr Lam(const char* x, Expr dom, const std::function<Expr(Expr)>& body, BinderInfo bi = BinderInfo::Default) {
    return bind(true, x, dom, body, bi);
  }
  /// A λ (lambda = true) or a Π: the same telescope serves as a statement and its proof.
  Expr bnd(bool lambda, const char* x, Expr dom, const std::function<Expr(Expr)>& body) {
    return bind(lambda, x, dom, body, BinderInfo::Default);
  }
  Expr proj(const std::string& s, uint32_t i, Expr e) { return st_->mk_proj(n(s), i, e); }
  Expr let(const char* x, Expr type, Expr value, const std::function<Expr(Expr)>& body) {
    Expr fv = st_->mk_fvar(next_fvar_++);
    return st_->mk_let(n(x), type, value, abstract_fvars(*st_, body(fv), std::span<const Expr>(&fv, 1)), false);
  }
  /// `@Eq.{u} T a b` with u the level of T (default: 1, for T : Type).
  Expr eq(Expr T, Expr a, Expr b, unsigned u = 1) { return app(c("Eq", {lvl(u)}), {T, a, b}); }
  Expr refl(Expr T, Expr a, unsigned u = 1) { return app(c("Eq.refl", {lvl(u)}), {T, a}); }

  void def(const std::string& name, Expr type, Expr value, Safety s = Safety::Safe, std::vector<std::string> lps = {},
           ReducibilityHints h = {HintKind::Regular, 1}) {
    ConstantInfo ci = base(name, ConstKind::Definition, type, lps);
    ci.value = value;
    ci.safety = s;
    ci.hints = h;
    ci.all = {ci.name};
    add(DeclKind::Definition, ci);
  }
  void thm(const std::string& name, Expr type, Expr value, std::vector<std::string> lps = {}) {
    ConstantInfo ci = base(name, ConstKind::Theorem, type, lps);
    ci.value = value;
    ci.all = {ci.name};
    add(DeclKind::Theorem, ci);
  }
  void opaque(const std::string& name, Expr type, Expr value) {
    ConstantInfo ci = base(name, ConstKind::Opaque, type, {});
    ci.value = value;
    ci.all = {ci.name};
    add(DeclKind::Opaque, ci);
  }
  void axiom(const std::string& name, Expr type, std::vector<std::string> lps = {}, bool unsafe = false) {
    ConstantInfo ci = base(name, ConstKind::Axiom, type, lps);
    ci.safety = unsafe ? Safety::Unsafe : Safety::Safe;
    add(DeclKind::Axiom, ci);
  }

  /// Appends the declarations of another corpus file (read into the same store) whose
  /// names the base does not have yet: `Builder b(A); b.also(B);` checks A's and B's.
  void also(const std::string& rel) {
    auto other = load(rel, st_);
    others_.push_back(other);
    for (const Declaration& d : other->declarations()) {
      Name first = other->constant(d.first_const).name;
      if (base_->find(first) || added_names_.count(first.id)) continue;
      added_names_.insert(first.id);
      added_.emplace_back(d.kind, std::vector<ConstantInfo>(other->constants().begin() + d.first_const,
                                                            other->constants().begin() + d.first_const + d.num_consts));
    }
  }

  /// A constant of the base export (the test fails if there is none).
  const ConstantInfo& get(const std::string& name) {
    auto i = base_->find(n(name));
    if (!i) FAIL("base export has no constant " << name);
    return base_->constant(*i);
  }
  /// Copies of the constants of the base declaration that introduces `name` (for an
  /// inductive block: its types, constructors and recursors).
  std::vector<ConstantInfo> decl_of(const std::string& name) {
    const Declaration& d = base_->declaration(get(name).decl);
    return std::vector<ConstantInfo>(base_->constants().begin() + d.first_const,
                                     base_->constants().begin() + d.first_const + d.num_consts);
  }
  /// Copies of the constants of the declaration introducing `name` in another corpus file
  /// (read into this builder's store).
  std::vector<ConstantInfo> decl_from(const std::string& rel, const std::string& name) {
    auto other = load(rel, st_);
    others_.push_back(other);
    auto i = other->find(n(name));
    if (!i) FAIL(rel << " has no constant " << name);
    const Declaration& d = other->declaration(other->constant(*i).decl);
    return std::vector<ConstantInfo>(other->constants().begin() + d.first_const,
                                     other->constants().begin() + d.first_const + d.num_consts);
  }
  /// Writes `consts` in place of the base declaration that introduces `name`.
  void replace(const std::string& name, std::vector<ConstantInfo> consts) { replaced_[get(name).decl] = std::move(consts); }
  /// The same, as a declaration of another kind (e.g. a definition made an axiom).
  void replace(const std::string& name, std::vector<ConstantInfo> consts, DeclKind kind) {
    uint32_t d = get(name).decl;
    replaced_[d] = std::move(consts);
    replaced_kind_[d] = kind;
  }
  /// Leaves out the base declaration that introduces `name`.
  void drop(const std::string& name) { replaced_[get(name).decl] = {}; }
  /// Appends a declaration made of `consts` (an inductive block: types, ctors, recursors).
  void raw(DeclKind k, std::vector<ConstantInfo> consts) { added_.emplace_back(k, std::move(consts)); }
  /// A mutable reference to the constant `name` inside `consts`.
  ConstantInfo& in(std::vector<ConstantInfo>& consts, const std::string& name) {
    for (ConstantInfo& c : consts)
      if (c.name == n(name)) return c;
    FAIL("no constant " << name << " in the block");
    return consts.front();
  }
  /// Renames every name `from` or `from.…` to `to` / `to.…` (constants, their types, values,
  /// constructor lists, recursor rules): a fresh copy of a base block.
  std::vector<ConstantInfo> renamed(std::vector<ConstantInfo> consts, const std::string& from, const std::string& to) {
    auto rn = [&](Name x) {
      std::string s = st_->name_to_string(x);
      if (s == from) return n(to);
      if (s.rfind(from + ".", 0) == 0) return n(to + s.substr(from.size()));
      return x;
    };
    auto re = [&](Expr e) {
      if (!e.valid()) return e;
      return replace_expr(*st_, e, [&](Expr m, uint32_t) -> Expr {
        if (!st_->is_const(m)) return Expr{};
        return st_->mk_const(rn(st_->const_name(m)), st_->const_levels(m));
      });
    };
    for (ConstantInfo& c : consts) {
      c.name = rn(c.name);
      c.type = re(c.type);
      c.value = re(c.value);
      for (Name& x : c.all) x = rn(x);
      for (Name& x : c.ctors) x = rn(x);
      if (!c.induct.is_anonymous()) c.induct = rn(c.induct);
      for (RecursorRule& r : c.rules) {
        r.ctor = rn(r.ctor);
        r.rhs = re(r.rhs);
      }
    }
    return consts;
  }

  /// Writes base + added declarations, reads them back into a fresh store.
  std::shared_ptr<Environment> build() {
    static std::atomic<int> counter{0};
    std::string path = std::string(LB_BINARY_DIR) + "/builder-" + std::to_string(getpid()) + "-" +
                       std::to_string(counter++) + ".ndjson";
    write(path);
    auto r = read_export_file(path, std::make_shared<TermStore>());
    if (!r) FAIL(r.error().describe());
    std::remove(path.c_str());
    return *r;
  }

  /// Writes the export to `path`.
  void write_to(const std::string& path) { write(path); }

  /// With LB_WRITE_CORPUS=1 in the environment, also writes the export to
  /// corpora/leanbatch/NAME (how the regression exports there were made; their verdicts are
  /// rows of corpora/EXPECTED.tsv).
  void save_corpus(const std::string& name) {
    const char* w = std::getenv("LB_WRITE_CORPUS");
    if (w && std::string(w) == "1") write(corpus_path("leanbatch/" + name));
  }

 private:
  void write(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    {
      ExportWriter w(f, *st_);
      w.write_meta(base_->meta);
      for (uint32_t i = 0; i < base_->declarations().size(); ++i) {
        const Declaration& d = base_->declaration(i);
        if (auto it = replaced_.find(i); it != replaced_.end()) {
          auto k = replaced_kind_.find(i);
          if (!it->second.empty()) w.write_declaration(k != replaced_kind_.end() ? k->second : d.kind, it->second);
          continue;
        }
        w.write_declaration(d.kind, std::span<const ConstantInfo>(base_->constants()).subspan(d.first_const, d.num_consts));
      }
      for (auto& [kind, cs] : added_) w.write_declaration(kind, cs);
      REQUIRE(w.flush());
    }
    std::fclose(f);
  }

  Level level_succ_n(unsigned k) {
    Level l = st_->level_zero();
    while (k-- > 0) l = st_->level_succ(l);
    return l;
  }
  ConstantInfo base(const std::string& name, ConstKind k, Expr type, const std::vector<std::string>& lps) {
    ConstantInfo ci;
    ci.name = n(name);
    ci.kind = k;
    ci.type = type;
    for (const auto& p : lps) ci.lparams.push_back(n(p));
    return ci;
  }
  void add(DeclKind k, ConstantInfo c) { added_.emplace_back(k, std::vector<ConstantInfo>{std::move(c)}); }
  Expr bind(bool lambda, const char* x, Expr dom, const std::function<Expr(Expr)>& body, BinderInfo bi) {
    // A free variable that never reaches the file: it is abstracted right away.
    Expr fv = st_->mk_fvar(next_fvar_++);
    Expr b = abstract_fvars(*st_, body(fv), std::span<const Expr>(&fv, 1));
    return lambda ? st_->mk_lambda(n(x), bi, dom, b) : st_->mk_pi(n(x), bi, dom, b);
  }

  std::shared_ptr<TermStore> st_;
  std::shared_ptr<Environment> base_;
  std::vector<std::pair<DeclKind, std::vector<ConstantInfo>>> added_;
  std::map<uint32_t, std::vector<ConstantInfo>> replaced_;  // base declaration → its replacement
  std::map<uint32_t, DeclKind> replaced_kind_;              // … when its kind changes
  std::vector<std::shared_ptr<Environment>> others_;         // files read by also()
  std::unordered_set<uint32_t> added_names_;
  uint32_t next_fvar_ = 1u << 30;
};

// Constants of an inductive block, as an export states them.
inline ConstantInfo mk_ind(Builder& b, const std::string& name, Expr type, uint32_t nparams, std::vector<std::string> ctors,
                    uint32_t nnested = 0, bool is_rec = false, std::vector<std::string> lps = {}) {
  ConstantInfo c;
  c.name = b.n(name);
  c.kind = ConstKind::Inductive;
  c.type = type;
  c.num_params = nparams;
  c.all = {c.name};
  for (auto& s : ctors) c.ctors.push_back(b.n(s));
  c.num_nested = nnested;
  c.is_rec = is_rec;
  for (auto& p : lps) c.lparams.push_back(b.n(p));
  return c;
}

inline ConstantInfo mk_ctor(Builder& b, const std::string& name, const std::string& induct, Expr type, uint32_t cidx,
                     uint32_t nparams, uint32_t nfields, std::vector<std::string> lps = {}) {
  ConstantInfo c;
  c.name = b.n(name);
  c.kind = ConstKind::Constructor;
  c.type = type;
  c.induct = b.n(induct);
  c.cidx = cidx;
  c.num_params = nparams;
  c.num_fields = nfields;
  for (auto& p : lps) c.lparams.push_back(b.n(p));
  return c;
}

inline ConstantInfo mk_rec(Builder& b, const std::string& name, const std::string& all, Expr type, uint32_t nparams,
                    uint32_t nmotives, uint32_t nminors, std::vector<RecursorRule> rules,
                    std::vector<std::string> lps = {"u"}) {
  ConstantInfo c;
  c.name = b.n(name);
  c.kind = ConstKind::Recursor;
  c.type = type;
  c.all = {b.n(all)};
  c.num_params = nparams;
  c.num_motives = nmotives;
  c.num_minors = nminors;
  c.rules = std::move(rules);
  for (auto& p : lps) c.lparams.push_back(b.n(p));
  return c;
}

/// Bool, its constructors, `@Eq.{1} Bool` and pairs of Bools, for the Arena base files that
/// declare them (Bool, Eq, Prod).
struct BoolEnv {
  Builder& b;
  Expr B() { return b.c("Bool"); }
  Expr tt() { return b.c("Bool.true"); }
  Expr ff() { return b.c("Bool.false"); }
  Expr eqB(Expr x, Expr y) { return b.eq(B(), x, y); }
  Expr reflB(Expr x) { return b.refl(B(), x); }
  Expr BB() { return b.arrow(B(), B()); }
  Expr PBB() { return b.app(b.c("Prod", {b.lvl(0), b.lvl(0)}), {B(), B()}); }
  Expr pair(Expr x, Expr y) { return b.app(b.c("Prod.mk", {b.lvl(0), b.lvl(0)}), {B(), B(), x, y}); }
};

}  // namespace lbtest
