// The export reader's DOM path for one line: the meta line, and any line of another shape
// than the fast path's (which also reports every error in a line).
#include "reader.hpp"

namespace leanbatch::host::reader_detail {

bool Reader::process_doc(dom::element root) {
  if (root.type() != dom::element_type::OBJECT) return fail(ReadErrorKind::InvalidJson, "line is not a JSON object");
  dom::object obj(root);
  if (!seen_meta_) return process_meta(obj);

  Family id_family = Family::None;
  uint32_t id_value = 0;
  Key kind = Key::Unknown;
  std::string_view kind_name;
  Expr made_expr;
  Name made_name;
  Level made_level;
  for (dom::key_value_pair kv : obj) {
    Key kk = classify(kv.key);
    if (v30_ && is_single_decl(kk)) {
      return fail(ReadErrorKind::UnknownKind, "unknown kind '" + std::string(kv.key) +
                                                  "' (format 3.1 spelling; this file declares format " +
                                                  env_.meta.format_version + ")");
    }
    if (kk == Key::Unknown) {
      Key old_kind = classify_v30_decl(kv.key);
      if (old_kind != Key::Unknown && !v30_)
        return fail(ReadErrorKind::UnknownKind, "unknown kind '" + std::string(kv.key) +
                                                    "' (format 3.0 spelling; this file declares format " +
                                                    env_.meta.format_version + ")");
      kk = old_kind;
    }
    if (kk == Key::In || kk == Key::Il || kk == Key::Ie) {
      if (id_family != Family::None) return fail(ReadErrorKind::DuplicateKey, "line has more than one id key");
      id_family = kk == Key::In ? Family::Name : kk == Key::Il ? Family::Level : Family::Expr;
      if (!read_u32(kv.value, Ctx{kk == Key::In ? "in" : kk == Key::Il ? "il" : "ie"}, id_value)) return false;
      continue;
    }
    if (kk == Key::Unknown) return fail(ReadErrorKind::UnknownKind, "unknown kind '" + std::string(kv.key) + "'");
    if (kk == Key::Meta) return fail(ReadErrorKind::UnknownKind, "a second `meta` line");
    if (kind != Key::Unknown)
      return fail(ReadErrorKind::UnknownKind,
                  "line has two kinds, '" + std::string(kind_name) + "' and '" + std::string(kv.key) + "'");
    kind = kk;
    kind_name = kv.key;
    bool made = false;
    switch (family_of(kk)) {
      case Family::Name: made = parse_name(kk, kv.value, made_name); break;
      case Family::Level: made = parse_level(kk, kv.value, made_level); break;
      case Family::Expr: made = parse_expr(kk, kv.value, made_expr); break;
      case Family::Decl: made = parse_decl(kk, kv.key, kv.value); break;
      default: break;
    }
    if (!made) return false;
  }
  if (kind == Key::Unknown) {
    if (id_family == Family::None) return fail(ReadErrorKind::UnknownKind, "line has no kind");
    static const char* const expected[] = {"", "str or num", "succ, max, imax or param",
                                           "bvar, sort, const, app, lam, forallE, letE, proj, natVal, strVal or mdata"};
    return fail(ReadErrorKind::UnknownKind, std::string(family_noun(id_family)) + " " + std::to_string(id_value) +
                                                " has no kind (expected one of " +
                                                expected[static_cast<int>(id_family)] + ")");
  }
  Family fam = family_of(kind);
  if (fam == Family::Decl) {
    if (id_family != Family::None)
      return fail(ReadErrorKind::UnknownKey, "declaration '" + std::string(kind_name) + "' must not carry an id");
    ++env_.stats.decl_lines;
    return true;
  }
  if (id_family == Family::None)
    return fail(ReadErrorKind::MissingField, std::string(family_noun(fam)) + " '" + std::string(kind_name) +
                                                 "' has no id (expected key '" +
                                                 (fam == Family::Name ? "in" : fam == Family::Level ? "il" : "ie") + "')");
  if (id_family != fam)
    return fail(ReadErrorKind::UnknownKey, std::string(family_noun(fam)) + " '" + std::string(kind_name) + "' carries a " +
                                               family_noun(id_family) + " id");
  IdMap& map = fam == Family::Name ? names_ : fam == Family::Level ? levels_ : exprs_;
  if (map.defined(id_value)) {
    if (id_value == 0 && fam != Family::Expr)
      return fail(ReadErrorKind::DuplicateId, std::string(family_noun(fam)) + " id 0 is predefined (" +
                                                  (fam == Family::Name ? "the anonymous name" : "level zero") + ")");
    return fail(ReadErrorKind::DuplicateId, std::string(family_noun(fam)) + " id " + std::to_string(id_value) +
                                                " is defined twice");
  }
  switch (fam) {
    case Family::Name: map.set(id_value, made_name.id); ++env_.stats.name_lines; break;
    case Family::Level: map.set(id_value, made_level.id); ++env_.stats.level_lines; break;
    default: map.set(id_value, made_expr.id); ++env_.stats.expr_lines; break;
  }
  return true;
}

bool Reader::process_meta(dom::object obj) {
  bool has_meta = false;
  for (dom::key_value_pair kv : obj) {
    if (kv.key != "meta")
      return fail(ReadErrorKind::MissingMeta, "the first line must be the `meta` object, found key '" + std::string(kv.key) + "'");
    dom::object meta;
    if (!read_object(kv.value, Ctx{"meta"}, meta)) return false;
    has_meta = true;
    for (dom::key_value_pair mf : meta) {
      if (mf.key != "format" && mf.key != "exporter" && mf.key != "lean") continue;
      const Ctx meta_ctx{"meta"};
      const Ctx ctx{&meta_ctx, mf.key};
      dom::object sub;
      if (!read_object(mf.value, ctx, sub)) return false;
      for (dom::key_value_pair sf : sub) {
        std::string* dst = nullptr;
        if (mf.key == "format" && sf.key == "version") dst = &env_.meta.format_version;
        if (mf.key == "exporter" && sf.key == "name") dst = &env_.meta.exporter_name;
        if (mf.key == "exporter" && sf.key == "version") dst = &env_.meta.exporter_version;
        if (mf.key == "lean" && sf.key == "version") dst = &env_.meta.lean_version;
        if (mf.key == "lean" && sf.key == "githash") dst = &env_.meta.lean_githash;
        if (dst) {
          std::string_view sv;
          if (!read_string(sf.value, Ctx{&ctx, sf.key}, sv)) return false;
          *dst = std::string(sv);
        }
      }
    }
  }
  if (!has_meta) return fail(ReadErrorKind::MissingMeta, "the first line must be the `meta` object");
  // lean4export 3.0.0 wrote no `format` object: its format version was the exporter's.
  if (env_.meta.format_version.empty() && env_.meta.exporter_name == "lean4export" &&
      is_version(env_.meta.exporter_version, "3.0"))
    env_.meta.format_version = env_.meta.exporter_version;
  if (env_.meta.format_version.empty()) return fail(ReadErrorKind::MissingMeta, "meta: missing field 'format.version'");
  // Accept 3.1.x, and 3.0.x whose difference is only the spelling of declaration keys.
  // Other versions are declined, not misread.
  const std::string& fv = env_.meta.format_version;
  v30_ = is_version(fv, "3.0");
  if (!is_version(fv, "3.1") && !v30_)
    return fail(ReadErrorKind::UnsupportedFormat,
                "export format version " + fv + " is not supported (leanbatch reads formats 3.0.x and 3.1.x)");
  seen_meta_ = true;
  return true;
}

bool Reader::is_version(const std::string& v, std::string_view major_minor) {
  return v == major_minor || (v.size() > major_minor.size() && v.compare(0, major_minor.size(), major_minor) == 0 &&
                              v[major_minor.size()] == '.');
}

}  // namespace leanbatch::host::reader_detail
