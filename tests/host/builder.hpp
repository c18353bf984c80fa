#pragma once
// Builds test exports: a real base export plus hand-built declarations, written through the
// export writer and read back, so tests exercise exactly what a file on disk would.
#include <atomic>
#include <numeric>

#include "leanbatch/host/export_writer.hpp"
#include "test_support.hpp"

namespace lbtest {

class Builder {
 public:
  explicit Builder(const std::string& base_rel) : st_(std::make_shared<TermStore>()), base_(load(base_rel, st_)) {}

  TermStore& st() { return *st_; }
  Name n(const std::string& dotted) { return st_->name_from_dotted(dotted); }
  Level lvl(unsigned k) { return level_succ_n(k); }
  Level param(const char* p) { return st_->level_param(n(p)); }
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

  /// Writes base + added declarations, reads them back into a fresh store.
  std::shared_ptr<Environment> build() {
    static std::atomic<int> counter{0};
    std::string path = std::string(LB_BINARY_DIR) + "/builder-" + std::to_string(getpid()) + "-" +
                       std::to_string(counter++) + ".ndjson";
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    {
      ExportWriter w(f, *st_);
      w.write_meta(base_->meta);
      for (const Declaration& d : base_->declarations())
        w.write_declaration(d.kind, std::span<const ConstantInfo>(base_->constants()).subspan(d.first_const, d.num_consts));
      for (auto& [kind, c] : added_) w.write_declaration(kind, std::span<const ConstantInfo>(&c, 1));
      REQUIRE(w.flush());
    }
    std::fclose(f);
    auto r = read_export_file(path, std::make_shared<TermStore>());
    if (!r) FAIL(r.error().describe());
    std::remove(path.c_str());
    return *r;
  }

 private:
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
  void add(DeclKind k, ConstantInfo c) { added_.emplace_back(k, std::move(c)); }

  std::shared_ptr<TermStore> st_;
  std::shared_ptr<Environment> base_;
  std::vector<std::pair<DeclKind, ConstantInfo>> added_;
};

}  // namespace lbtest
