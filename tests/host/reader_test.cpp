// The export reader: valid input, and a typed error for every kind of malformed input.
#include "test_support.hpp"

using namespace lbtest;

namespace {
ReadError expect_error(const std::string& body, bool with_meta = true) {
  auto r = read_text(body, with_meta);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}
}  // namespace

TEST_CASE("a minimal valid export is read") {
  auto r = read_text(R"({"in":1,"str":{"pre":0,"str":"basicDef"}}
{"il":1,"succ":0}
{"ie":0,"sort":1}
{"ie":1,"sort":0}
{"def":{"all":[1],"hints":"opaque","levelParams":[],"name":1,"safety":"safe","type":0,"value":1}})");
  REQUIRE(r.has_value());
  const Environment& env = **r;
  REQUIRE(env.declarations().size() == 1);
  CHECK(env.store().name_to_string(env.constant(0).name) == "basicDef");
  CHECK(env.constant(0).kind == ConstKind::Definition);
  CHECK(env.meta.format_version == "3.1.0");
  CHECK(env.declaration(0).line == 6);
}

TEST_CASE("sparse and out-of-order ids are accepted") {
  auto r = read_text(R"({"in":700,"str":{"pre":0,"str":"a"}}
{"il":4000000000,"succ":0}
{"ie":5,"sort":4000000000}
{"ie":2,"sort":0}
{"ie":99999999,"app":{"fn":5,"arg":2}}
{"axiom":{"isUnsafe":false,"levelParams":[],"name":700,"type":5}})");
  REQUIRE(r.has_value());
  CHECK((*r)->constants().size() == 1);
}

TEST_CASE("keys may come in any order and metadata is transparent") {
  auto r = read_text(R"({"str":{"str":"a","pre":0},"in":1}
{"ie":0,"sort":0}
{"mdata":{"data":{"k":[1,{"x":null}]},"expr":0},"ie":1}
{"axiom":{"type":1,"name":1,"levelParams":[],"isUnsafe":false}})");
  REQUIRE(r.has_value());
  const Environment& env = **r;
  CHECK(env.store().kind(env.constant(0).type) == ExprKind::Sort);
}

TEST_CASE("literals: big naturals and escaped strings") {
  auto r = read_text(R"({"in":1,"str":{"pre":0,"str":"s\u00e9\"q\\n"}}
{"ie":0,"natVal":"340282366920938463463374607431768211456"}
{"ie":1,"strVal":"h\u00e9llo\n\u0000end"})");
  REQUIRE(r.has_value());
  const TermStore& st = (*r)->store();
  Expr big{0};
  // ids are dense in a fresh store: find the literal nodes by kind
  bool found_nat = false, found_str = false;
  for (uint32_t i = 0; i < st.expr_count(); ++i) {
    Expr e{i};
    if (st.kind(e) == ExprKind::NatLit) {
      CHECK(st.nat_to_string(e) == "340282366920938463463374607431768211456");
      found_nat = true;
    }
    if (st.kind(e) == ExprKind::StrLit) {
      CHECK(st.str_value(e) == std::string_view("h\xc3\xa9llo\n\0end", 11));
      found_str = true;
    }
  }
  (void)big;
  CHECK(found_nat);
  CHECK(found_str);
}

TEST_CASE("a missing meta line is an error") {
  ReadError e = expect_error(R"({"ie":0,"sort":0})", false);
  CHECK(e.kind == ReadErrorKind::MissingMeta);
  CHECK(e.line == 1);
  CHECK(expect_error("", false).kind == ReadErrorKind::MissingMeta);
}

TEST_CASE("an unsupported format version is declined") {
  for (std::string v : {"2.0.0", "3.2.0", "4.0.0", "3", "3.10.0"}) {
    ReadError e = expect_error(R"({"meta":{"exporter":{"name":"lean4export","version":")" + v +
                                   R"("},"format":{"version":")" + v + R"("},"lean":{"githash":"","version":""}}})",
                               false);
    INFO(v);
    CHECK(e.kind == ReadErrorKind::UnsupportedFormat);
    CHECK(e.is_decline());
    CHECK(e.message.find(v) != std::string::npos);
  }
}

namespace {
const std::string kMeta30 =
    R"({"meta":{"exporter":{"name":"lean4export","version":"3.0.0"},"lean":{"githash":"","version":"4.27.0"}}})";
std::vector<std::pair<std::string, ConstKind>> constants_of(const Environment& env) {
  std::vector<std::pair<std::string, ConstKind>> out;
  for (size_t i = 0; i < env.constants().size(); ++i)
    out.emplace_back(env.store().name_to_string(env.constant(i).name), env.constant(i).kind);
  return out;
}
}  // namespace

TEST_CASE("format 3.0.0 is read: the same declarations as its 3.1 twin") {
  // corpora/leanbatch/format-3.0-Nat.gcd.accept.ndjson is converted/Nat.gcd.ndjson respelled by
  // scripts/lib/to-format-3.0.py (declaration keys, inductive groups, meta without `format`).
  auto v31 = read_export_file(corpus_path("converted/Nat.gcd.ndjson"), std::make_shared<TermStore>());
  auto v30 = read_export_file(corpus_path("leanbatch/format-3.0-Nat.gcd.accept.ndjson"), std::make_shared<TermStore>());
  REQUIRE(v31.has_value());
  REQUIRE(v30.has_value());
  CHECK((*v30)->meta.format_version == "3.0.0");
  CHECK((*v30)->declarations().size() == (*v31)->declarations().size());
  CHECK(constants_of(**v30) == constants_of(**v31));
  CHECK((*v30)->constants().size() > 300);
}

TEST_CASE("format 3.0 declarations of every kind, and mixed spellings are errors") {
  const std::string prefix = R"({"in":1,"str":{"pre":0,"str":"A"}}
{"in":2,"str":{"pre":0,"str":"B"}}
{"in":3,"str":{"pre":0,"str":"C"}}
{"in":4,"str":{"pre":0,"str":"D"}}
{"in":5,"str":{"pre":0,"str":"Q"}}
{"in":6,"str":{"pre":5,"str":"mk"}}
{"in":7,"str":{"pre":5,"str":"rec"}}
{"il":1,"succ":0}
{"ie":0,"sort":1}
{"ie":1,"sort":0}
)";
  const std::string decls = R"({"axiomInfo":{"isUnsafe":false,"levelParams":[],"name":1,"type":0}}
{"defnInfo":{"all":[2],"hints":"abbrev","levelParams":[],"name":2,"safety":"safe","type":0,"value":1}}
{"thmInfo":{"all":[3],"levelParams":[],"name":3,"type":1,"value":1}}
{"opaqueInfo":{"all":[4],"levelParams":[],"name":4,"type":0,"value":1}}
{"inductive":{"constructorVals":[],"inductiveVals":[{"all":[5],"ctors":[],"isRec":false,"isReflexive":false,"isUnsafe":false,"levelParams":[],"name":5,"numIndices":0,"numNested":0,"numParams":0,"type":0}],"recursorVals":[]}}
{"quotInfo":{"kind":"type","levelParams":[],"name":6,"type":0}})";
  auto r = read_text(kMeta30 + "\n" + prefix + decls, false);
  REQUIRE(r.has_value());
  const Environment& env = **r;
  CHECK(env.meta.format_version == "3.0.0");
  std::vector<std::pair<std::string, ConstKind>> want{{"A", ConstKind::Axiom},    {"B", ConstKind::Definition},
                                                      {"C", ConstKind::Theorem},  {"D", ConstKind::Opaque},
                                                      {"Q", ConstKind::Inductive}, {"Q.mk", ConstKind::Quot}};
  CHECK(constants_of(env) == want);

  SECTION("a 3.1 spelling in a 3.0 file") {
    auto e = read_text(kMeta30 + "\n" + prefix + R"({"def":{"all":[2],"hints":"abbrev","levelParams":[],"name":2,"safety":"safe","type":0,"value":1}})", false);
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().kind == ReadErrorKind::UnknownKind);
    CHECK(e.error().message.find("format 3.1 spelling") != std::string::npos);
    CHECK(e.error().line == 12);
  }
  SECTION("a 3.0 spelling in a 3.1 file") {
    auto e = read_text(prefix + R"({"defnInfo":{"all":[2],"hints":"abbrev","levelParams":[],"name":2,"safety":"safe","type":0,"value":1}})");
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().kind == ReadErrorKind::UnknownKind);
    CHECK(e.error().message.find("format 3.0 spelling") != std::string::npos);
  }
  SECTION("3.1 inductive group keys in a 3.0 file") {
    auto e = read_text(kMeta30 + "\n" + prefix + R"({"inductive":{"types":[],"ctors":[],"recs":[]}})", false);
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().kind == ReadErrorKind::UnknownKey);
  }
  SECTION("an explicit format.version 3.0.1 is read the same way") {
    auto e = read_text(R"({"meta":{"exporter":{"name":"x","version":"9"},"format":{"version":"3.0.1"},"lean":{"githash":"","version":""}}})" +
                           std::string("\n") + prefix + decls,
                       false);
    CHECK(e.has_value());
  }
  SECTION("another exporter without format.version is still an error") {
    auto e = read_text(R"({"meta":{"exporter":{"name":"x","version":"3.0.0"},"lean":{"githash":"","version":""}}})" +
                           std::string("\n") + prefix + decls,
                       false);
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().kind == ReadErrorKind::MissingMeta);
  }
}

TEST_CASE("a truncated line is invalid JSON") {
  ReadError e = expect_error("{\"ie\":0,\"sort\":0}\n{\"ie\":1,\"app\":{\"fn\":0,\"ar");
  CHECK(e.kind == ReadErrorKind::InvalidJson);
  CHECK(e.line == 3);
  CHECK(e.offset > 0);
}

TEST_CASE("trailing content after the object is invalid") {
  ReadError e = expect_error(R"({"ie":0,"sort":0} {"ie":1,"sort":0})");
  CHECK(e.kind == ReadErrorKind::InvalidJson);
}

TEST_CASE("a forward reference names the line that defines the id") {
  ReadError e = expect_error(R"({"ie":0,"app":{"fn":1,"arg":1}}
{"ie":1,"sort":0})");
  CHECK(e.kind == ReadErrorKind::ForwardReference);
  CHECK(e.line == 2);
  CHECK(e.message.find("line 3") != std::string::npos);
}

TEST_CASE("a dangling reference is never defined") {
  ReadError e = expect_error(R"({"ie":0,"sort":77})");
  CHECK(e.kind == ReadErrorKind::DanglingReference);
  CHECK(e.message.find("level 77") != std::string::npos);
  CHECK(expect_error(R"({"in":1,"str":{"pre":5,"str":"a"}})").kind == ReadErrorKind::DanglingReference);
}

TEST_CASE("duplicate ids are rejected, including the predefined ones") {
  CHECK(expect_error("{\"ie\":0,\"sort\":0}\n{\"ie\":0,\"sort\":0}").kind == ReadErrorKind::DuplicateId);
  ReadError e = expect_error(R"({"in":0,"str":{"pre":0,"str":"a"}})");
  CHECK(e.kind == ReadErrorKind::DuplicateId);
  CHECK(e.message.find("anonymous") != std::string::npos);
  CHECK(expect_error(R"({"il":0,"succ":0})").kind == ReadErrorKind::DuplicateId);
}

TEST_CASE("numbers must be unsigned 32-bit integers where ids and counts are expected") {
  CHECK(expect_error(R"({"ie":4294967296,"sort":0})").kind == ReadErrorKind::OutOfRange);
  CHECK(expect_error(R"({"ie":0,"bvar":-1})").kind == ReadErrorKind::OutOfRange);
  CHECK(expect_error(R"({"ie":0,"bvar":1.5})").kind == ReadErrorKind::OutOfRange);
  CHECK(expect_error(R"({"ie":0,"bvar":1e3})").kind == ReadErrorKind::OutOfRange);
  CHECK(expect_error(R"({"ie":0,"bvar":0012})").kind == ReadErrorKind::InvalidJson);
}

TEST_CASE("wrong JSON types are reported with what was found") {
  ReadError e = expect_error("{\"ie\":0,\"sort\":0}\n{\"ie\":1,\"app\":{\"fn\":\"0\",\"arg\":0}}");
  CHECK(e.kind == ReadErrorKind::WrongType);
  CHECK(e.message.find("expr.app.fn") != std::string::npos);
  CHECK(e.message.find("a string") != std::string::npos);
  CHECK(expect_error(R"({"ie":0,"strVal":3})").kind == ReadErrorKind::WrongType);
  CHECK(expect_error(R"({"ie":0,"const":{"name":0,"us":{}}})").kind == ReadErrorKind::WrongType);
}

TEST_CASE("missing fields, unknown keys and unknown kinds") {
  CHECK(expect_error("{\"ie\":0,\"sort\":0}\n{\"ie\":1,\"app\":{\"fn\":0}}").kind == ReadErrorKind::MissingField);
  CHECK(expect_error("{\"ie\":0,\"sort\":0}\n{\"ie\":1,\"app\":{\"fn\":0,\"arg\":0,\"x\":1}}").kind ==
        ReadErrorKind::UnknownKey);
  CHECK(expect_error(R"({"ie":0,"sort":0,"extra":1})").kind == ReadErrorKind::UnknownKind);
  CHECK(expect_error(R"({"ie":1})").kind == ReadErrorKind::UnknownKind);
  CHECK(expect_error(R"({"ie":0,"frob":{}})").kind == ReadErrorKind::UnknownKind);
  CHECK(expect_error(R"({"ie":0,"str":{"pre":0,"str":"a"}})").kind == ReadErrorKind::UnknownKey);
  CHECK(expect_error(R"({"ie":0,"sort":0,"sort":0})").kind == ReadErrorKind::UnknownKind);
  CHECK(expect_error("{\"ie\":0,\"sort\":0}\n{\"ie\":1,\"lam\":{\"name\":0,\"type\":0,\"body\":0,\"binderInfo\":\"weird\"}}")
            .kind == ReadErrorKind::InvalidValue);
  CHECK(expect_error(R"({"ie":0,"natVal":"12a"})").kind == ReadErrorKind::InvalidValue);
}

TEST_CASE("the kiota malformed files give the matching error") {
  struct Case {
    const char* file;
    ReadErrorKind kind;
    const char* field;
  };
  for (Case c : {Case{"kiota/missing-ctor-num-fields.reject.ndjson", ReadErrorKind::MissingField, "numFields"},
                 Case{"kiota/missing-decl-name.reject.ndjson", ReadErrorKind::MissingField, "'name'"},
                 Case{"kiota/missing-decl-type.reject.ndjson", ReadErrorKind::MissingField, "'type'"},
                 Case{"kiota/missing-hints-unfolds.reject.ndjson", ReadErrorKind::MissingField, "hints"},
                 Case{"kiota/missing-isRec.reject.ndjson", ReadErrorKind::MissingField, "isRec"},
                 Case{"kiota/missing-rec-num-minors.reject.ndjson", ReadErrorKind::MissingField, "numMinors"},
                 Case{"kiota/missing-rec-rule-ctor.reject.ndjson", ReadErrorKind::MissingField, "'ctor'"},
                 Case{"kiota/missing-rec-rule-nfields.reject.ndjson", ReadErrorKind::MissingField, "nfields"},
                 Case{"kiota/missing-rec-rule-rhs.reject.ndjson", ReadErrorKind::MissingField, "rhs"},
                 Case{"kiota/missing-required-u32.reject.ndjson", ReadErrorKind::MissingField, "numParams"},
                 Case{"kiota/non-u32-num-params.reject.ndjson", ReadErrorKind::WrongType, "numParams"},
                 Case{"kiota/quot-wrong-kind.reject.ndjson", ReadErrorKind::InvalidValue, "nope"},
                 Case{"kiota/unknown-expr-kind.reject.ndjson", ReadErrorKind::UnknownKind, "no kind"}}) {
    INFO(c.file);
    auto r = read_export_file(corpus_path(c.file), std::make_shared<TermStore>());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == c.kind);
    CHECK(r.error().message.find(c.field) != std::string::npos);
    CHECK(r.error().line > 0);
    CHECK(r.error().describe().find(c.file) != std::string::npos);
  }
}

TEST_CASE("a missing file is an I/O error") {
  auto r = read_export_file("/nonexistent/x.ndjson", std::make_shared<TermStore>());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ReadErrorKind::Io);
}

TEST_CASE("lines longer than the read buffer are handled") {
  std::string body = R"({"in":1,"str":{"pre":0,"str":")" + std::string(5'000'000, 'x') + R"("}})";
  ReadOptions o;
  o.buffer_bytes = 4096;
  std::string text = std::string(kMeta) + "\n" + body + "\n";
  auto r = read_export_buffer(text, "long.ndjson", std::make_shared<TermStore>(), o);
  REQUIRE(r.has_value());
}

TEST_CASE("every valid shared corpus file is read") {
  for (const std::string& f : expected_files("")) {
    if (f.find("missing-") != std::string::npos || f.find("non-u32") != std::string::npos ||
        f.find("unknown-expr-kind") != std::string::npos || f.find("quot-wrong-kind") != std::string::npos)
      continue;
    INFO(f);
    auto r = read_export_file(corpus_path(f), std::make_shared<TermStore>());
    CHECK(r.has_value());
  }
}

TEST_CASE("error lines stay exact across many chunk boundaries and blank lines") {
  for (size_t buffer : {size_t{1024}, size_t{4096}, size_t{1} << 20}) {
    for (uint32_t bad_at : {3u, 500u, 20000u}) {
      std::string t = std::string(kMeta) + "\n";
      uint32_t line = 1;
      for (uint32_t i = 0; i < 30000; ++i) {
        if (i % 97 == 0) {
          t += "\n";  // blank lines are allowed
          ++line;
        }
        ++line;
        if (i == bad_at) {
          t += "{\"ie\":" + std::to_string(i) + ",\"sort\":12345}\n";  // level 12345 is undefined
          uint32_t expect_line = line;
          ReadOptions o;
          o.buffer_bytes = buffer;
          auto r = read_export_buffer(t + "{\"ie\":999999,\"sort\":0}\n", "lines.ndjson", std::make_shared<TermStore>(), o);
          REQUIRE_FALSE(r.has_value());
          INFO("buffer " << buffer << ", bad line " << expect_line);
          CHECK(r.error().kind == ReadErrorKind::DanglingReference);
          CHECK(r.error().line == expect_line);
          CHECK(r.error().offset == t.size() - t.substr(0, t.size() - 1).size() + t.substr(0, t.size() - 1).rfind('\n'));
          break;
        }
        t += "{\"ie\":" + std::to_string(i) + ",\"sort\":0}\n";
      }
    }
  }
}

TEST_CASE("declarations record their line across chunks") {
  std::string t = std::string(kMeta) + "\n{\"in\":1,\"str\":{\"pre\":0,\"str\":\"a\"}}\n{\"ie\":0,\"sort\":0}\n";
  for (int i = 0; i < 5000; ++i) t += "{\"ie\":" + std::to_string(i + 1) + ",\"sort\":0}\n\n";
  t += R"({"axiom":{"isUnsafe":false,"levelParams":[],"name":1,"type":0}})";  // no final newline
  ReadOptions o;
  o.buffer_bytes = 2048;
  auto r = read_export_buffer(t, "decl-line.ndjson", std::make_shared<TermStore>(), o);
  REQUIRE(r.has_value());
  CHECK((*r)->declaration(0).line == 3 + 2 * 5000 + 1);
  CHECK((*r)->stats.lines == 3 + 2 * 5000 + 1);
}

TEST_CASE("an object spanning two lines is rejected") {
  ReadError e = expect_error("{\"ie\":0,\n\"sort\":0}");
  CHECK(e.kind == ReadErrorKind::InvalidJson);
  CHECK(e.line == 2);
}

// ---- the fast path (byte-matched usual lines) against the DOM path ----
// A space after the opening brace of every line keeps the JSON the same but sends every
// line through the DOM path: both must give the same store (node for node, same ids), the
// same environment and the same errors.
namespace {
std::string via_dom(const std::string& text) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string::npos ? text.size() : nl;
    std::string_view line(text.data() + pos, end - pos);
    if (line.size() >= 2 && line[0] == '{' && line[1] == '"') {
      out += "{ ";
      out += line.substr(1);
    } else {
      out += line;
    }
    if (nl != std::string::npos) out += '\n';
    pos = end + 1;
  }
  return out;
}

void same_store(const TermStore& a, const TermStore& b) {
  REQUIRE(a.name_count() == b.name_count());
  for (uint32_t i = 0; i < a.name_count(); ++i) {
    Name n{i};
    REQUIRE(a.name_kind(n) == b.name_kind(n));
    REQUIRE(a.name_prefix(n) == b.name_prefix(n));
    REQUIRE(a.name_hash(n) == b.name_hash(n));
    if (a.name_kind(n) == NameKind::Str) REQUIRE(a.name_string(n) == b.name_string(n));
    if (a.name_kind(n) == NameKind::Num) REQUIRE(a.name_number(n) == b.name_number(n));
  }
  REQUIRE(a.level_count() == b.level_count());
  for (uint32_t i = 0; i < a.level_count(); ++i) {
    Level l{i};
    REQUIRE(a.level_kind(l) == b.level_kind(l));
    REQUIRE(a.level_hash(l) == b.level_hash(l));
    REQUIRE(a.level_lhs(l) == b.level_lhs(l));
    if (a.level_kind(l) == LevelKind::Max || a.level_kind(l) == LevelKind::IMax) REQUIRE(a.level_rhs(l) == b.level_rhs(l));
  }
  REQUIRE(a.expr_count() == b.expr_count());
  for (uint32_t i = 0; i < a.expr_count(); ++i) {
    Expr e{i};
    INFO("expression " << i);
    REQUIRE(a.kind(e) == b.kind(e));
    REQUIRE(a.hash(e) == b.hash(e));
    REQUIRE(a.loose_bvar_range(e) == b.loose_bvar_range(e));
    REQUIRE(a.has_fvar(e) == b.has_fvar(e));
    REQUIRE(a.has_lparam(e) == b.has_lparam(e));
    switch (a.kind(e)) {
      case ExprKind::BVar: REQUIRE(a.bvar_idx(e) == b.bvar_idx(e)); break;
      case ExprKind::FVar: REQUIRE(a.fvar_idx(e) == b.fvar_idx(e)); break;
      case ExprKind::Sort: REQUIRE(a.sort_level(e) == b.sort_level(e)); break;
      case ExprKind::Const: {
        REQUIRE(a.const_name(e) == b.const_name(e));
        auto la = a.levels(a.const_levels(e)), lb = b.levels(b.const_levels(e));
        REQUIRE(std::equal(la.begin(), la.end(), lb.begin(), lb.end()));
        break;
      }
      case ExprKind::App:
        REQUIRE(a.app_fn(e) == b.app_fn(e));
        REQUIRE(a.app_arg(e) == b.app_arg(e));
        break;
      case ExprKind::Lam:
      case ExprKind::Pi:
        REQUIRE(a.binding_name(e) == b.binding_name(e));
        REQUIRE(a.binding_domain(e) == b.binding_domain(e));
        REQUIRE(a.binding_body(e) == b.binding_body(e));
        REQUIRE(a.binding_info(e) == b.binding_info(e));
        break;
      case ExprKind::Let:
        REQUIRE(a.let_name(e) == b.let_name(e));
        REQUIRE(a.let_type(e) == b.let_type(e));
        REQUIRE(a.let_value(e) == b.let_value(e));
        REQUIRE(a.let_body(e) == b.let_body(e));
        REQUIRE(a.let_nondep(e) == b.let_nondep(e));
        break;
      case ExprKind::NatLit: REQUIRE(a.nat_to_string(e) == b.nat_to_string(e)); break;
      case ExprKind::StrLit: REQUIRE(a.str_value(e) == b.str_value(e)); break;
      case ExprKind::Proj:
        REQUIRE(a.proj_struct(e) == b.proj_struct(e));
        REQUIRE(a.proj_idx(e) == b.proj_idx(e));
        REQUIRE(a.proj_expr(e) == b.proj_expr(e));
        break;
    }
  }
}

void same_constant(const ConstantInfo& a, const ConstantInfo& b) {
  REQUIRE(a.rules.size() == b.rules.size());
  for (size_t i = 0; i < a.rules.size(); ++i) {
    CHECK(a.rules[i].ctor == b.rules[i].ctor);
    CHECK(a.rules[i].nfields == b.rules[i].nfields);
    CHECK(a.rules[i].rhs == b.rules[i].rhs);
  }
  CHECK(a.name == b.name);
  CHECK(a.kind == b.kind);
  CHECK(a.lparams == b.lparams);
  CHECK(a.type == b.type);
  CHECK(a.value == b.value);
  CHECK(a.hints.kind == b.hints.kind);
  CHECK(a.hints.height == b.hints.height);
  CHECK(a.safety == b.safety);
  CHECK(a.all == b.all);
  CHECK(a.ctors == b.ctors);
  CHECK(a.induct == b.induct);
  CHECK(a.quot_kind == b.quot_kind);
  CHECK((a.num_params == b.num_params && a.num_indices == b.num_indices && a.num_nested == b.num_nested &&
         a.is_rec == b.is_rec && a.is_reflexive == b.is_reflexive && a.cidx == b.cidx && a.num_fields == b.num_fields &&
         a.num_motives == b.num_motives && a.num_minors == b.num_minors && a.k == b.k && a.decl == b.decl));
}

// Reads `text` as it is and through the DOM path (and, as it is, with a small read buffer)
// and requires the same outcome.
void fast_equals_dom(const std::string& text) {
  ReadOptions small;
  small.buffer_bytes = 1024;
  auto fast = read_export_buffer(text, "t.ndjson", std::make_shared<TermStore>());
  auto fast_small = read_export_buffer(text, "t.ndjson", std::make_shared<TermStore>(), small);
  auto dom = read_export_buffer(via_dom(text), "t.ndjson", std::make_shared<TermStore>());
  REQUIRE(fast.has_value() == dom.has_value());
  REQUIRE(fast_small.has_value() == dom.has_value());
  if (!dom) {
    INFO(dom.error().describe() << " / " << fast.error().describe());
    CHECK(fast.error().kind == dom.error().kind);
    CHECK(fast.error().line == dom.error().line);
    CHECK(fast.error().message == dom.error().message);
    CHECK(fast_small.error().kind == dom.error().kind);
    CHECK(fast_small.error().line == dom.error().line);
    CHECK(fast_small.error().offset == fast.error().offset);
    CHECK(fast_small.error().message == dom.error().message);
    return;
  }
  for (const auto* r : {&fast, &fast_small}) {
    const Environment& a = ***r;
    const Environment& b = **dom;
    same_store(a.store(), b.store());
    REQUIRE(a.declarations().size() == b.declarations().size());
    for (size_t i = 0; i < a.declarations().size(); ++i) {
      CHECK(a.declaration(i).kind == b.declaration(i).kind);
      CHECK(a.declaration(i).line == b.declaration(i).line);
      CHECK(a.declaration(i).first_const == b.declaration(i).first_const);
      CHECK(a.declaration(i).num_consts == b.declaration(i).num_consts);
    }
    REQUIRE(a.constants().size() == b.constants().size());
    for (size_t i = 0; i < a.constants().size(); ++i) same_constant(a.constant(i), b.constant(i));
    for (const ConstantInfo& c : a.constants()) CHECK(a.find(c.name) == b.find(c.name));
    CHECK(a.stats.lines == b.stats.lines);
    CHECK(a.stats.name_lines == b.stats.name_lines);
    CHECK(a.stats.level_lines == b.stats.level_lines);
    CHECK(a.stats.expr_lines == b.stats.expr_lines);
    CHECK(a.stats.decl_lines == b.stats.decl_lines);
  }
}

}  // namespace

TEST_CASE("the fast path reads every corpus file exactly as the DOM path") {
  int files = 0;
  for (const std::string& f : expected_files("")) {
    INFO(f);
    fast_equals_dom(slurp_corpus(f));
    ++files;
  }
  CHECK(files > 140);
}

TEST_CASE("the fast path agrees with the DOM path on unusual and malformed lines") {
  // Names 1-2, levels 1-2, expressions 0-4 and an axiom, then one line under test.
  const std::string prelude = std::string(kMeta) + R"(
{"in":1,"str":{"pre":0,"str":"a"}}
{"in":2,"num":{"i":7,"pre":1}}
{"il":1,"param":1}
{"il":2,"succ":1}
{"ie":0,"sort":0}
{"ie":1,"sort":2}
{"bvar":0,"ie":2}
{"app":{"arg":2,"fn":1},"ie":3}
{"forallE":{"binderInfo":"default","body":0,"name":1,"type":0},"ie":4}
{"axiom":{"isUnsafe":false,"levelParams":[],"name":2,"type":0}}
)";
  const char* lines[] = {
      // strings: escapes, surrogate pairs, UTF-8, bad escapes, lone surrogates, control bytes
      R"({"in":9,"str":{"pre":1,"str":"\u03b1\ud83d\ude00\n\"\\\/\b\f\r\t\u0000x"}})",
      R"({"in":9,"str":{"pre":1,"str":"é→ℕ"}})",
      R"({"in":9,"str":{"pre":1,"str":"\ud800"}})",
      R"({"in":9,"str":{"pre":1,"str":"\udc00x"}})",
      R"({"in":9,"str":{"pre":1,"str":"\ud800\u0041"}})",
      R"({"in":9,"str":{"pre":1,"str":"\x"}})",
      R"({"in":9,"str":{"pre":1,"str":"\u12G4"}})",
      "{\"in\":9,\"str\":{\"pre\":1,\"str\":\"\xff\"}}",
      "{\"in\":9,\"str\":{\"pre\":1,\"str\":\"\xc3\"}}",
      "{\"in\":9,\"str\":{\"pre\":1,\"str\":\"\xed\xa0\x80\"}}",
      "{\"in\":9,\"str\":{\"pre\":1,\"str\":\"a\tb\"}}",
      R"({"ie":9,"strVal":"h\u00e9llo\n\u0000end"})",
      R"({"ie":9,"strVal":""})",
      R"({"in":9,"str":{"pre":1,"str":""}})",
      // numbers
      R"({"in":9,"num":{"i":18446744073709551615,"pre":1}})",
      R"({"in":9,"num":{"i":18446744073709551616,"pre":1}})",
      R"({"in":9,"num":{"i":0,"pre":1}})",
      R"({"in":9,"num":{"i":01,"pre":1}})",
      R"({"in":9,"num":{"i":-1,"pre":1}})",
      R"({"ie":4294967295,"sort":0})",
      R"({"ie":4294967296,"sort":0})",
      R"({"ie":09,"sort":0})",
      R"({"ie":9,"sort":1.0})",
      R"({"ie":9,"sort":1e0})",
      R"({"bvar":4294967295,"ie":9})",
      R"({"bvar":70000,"ie":9})",
      R"({"bvar":99999999999,"ie":9})",
      R"({"ie":9,"natVal":"0"})",
      R"({"ie":9,"natVal":"00"})",
      R"({"ie":9,"natVal":"0123"})",
      R"({"ie":9,"natVal":"9999999999999999999"})",
      R"({"ie":9,"natVal":"18446744073709551615"})",
      R"({"ie":9,"natVal":"18446744073709551616"})",
      R"({"ie":9,"natVal":"12a"})",
      R"({"ie":9,"natVal":""})",
      R"({"ie":9,"natVal":"\u0031"})",
      // references, duplicates, forward references
      R"({"ie":3,"sort":0})",
      R"({"in":1,"str":{"pre":0,"str":"b"}})",
      R"({"in":0,"str":{"pre":0,"str":"b"}})",
      R"({"il":2,"succ":0})",
      R"({"il":0,"succ":0})",
      R"({"ie":9,"sort":7})",
      R"({"app":{"arg":2,"fn":77},"ie":9})",
      R"({"app":{"arg":2,"fn":10},"ie":9})",
      R"({"thm":{"all":[2],"levelParams":[],"name":1,"type":0,"value":10}})",
      R"({"ie":9,"lam":{"binderInfo":"default","body":10,"name":1,"type":0}})",
      R"({"app":{"arg":3,"fn":3},"ie":3})",
      R"({"in":9,"str":{"pre":8,"str":"b"}})",
      R"({"in":9,"num":{"i":1,"pre":8}})",
      R"({"il":9,"param":8})",
      R"({"il":9,"max":[1,8]})",
      R"({"il":9,"max":[1,2]})",
      R"({"il":9,"imax":[2,1]})",
      R"({"il":9,"max":[1]})",
      R"({"il":9,"max":[1,2,0]})",
      R"({"il":9,"succ":2})",
      R"({"ie":9,"sort":-0})",
      // expressions of every kind, keys in the usual and in other orders
      R"({"const":{"name":2,"us":[1,2,0]},"ie":9})",
      R"({"const":{"name":2,"us":[]},"ie":9})",
      R"({"const":{"name":2,"us":[1,]},"ie":9})",
      R"({"const":{"name":2,"us":[9]},"ie":9})",
      R"({"const":{"us":[],"name":2},"ie":9})",
      R"({"ie":9,"const":{"name":2,"us":[]}})",
      R"({"ie":9,"lam":{"binderInfo":"implicit","body":3,"name":1,"type":0}})",
      R"({"ie":9,"lam":{"binderInfo":"strictImplicit","body":3,"name":0,"type":4}})",
      R"({"forallE":{"binderInfo":"instImplicit","body":2,"name":2,"type":3},"ie":9})",
      R"({"forallE":{"binderInfo":"weird","body":2,"name":2,"type":3},"ie":9})",
      R"({"forallE":{"binderInfo":"\u0064efault","body":2,"name":2,"type":3},"ie":9})",
      R"({"forallE":{"binderInfo":"default","body":2,"name":9,"type":3},"ie":9})",
      R"({"forallE":{"binderInfo":"default","body":9,"name":2,"type":3},"ie":9})",
      R"({"forallE":{"body":2,"binderInfo":"default","name":2,"type":3},"ie":9})",
      R"({"ie":9,"letE":{"body":2,"name":1,"nondep":true,"type":0,"value":4}})",
      R"({"ie":9,"letE":{"body":3,"name":1,"nondep":false,"type":0,"value":2}})",
      R"({"ie":9,"letE":{"body":3,"name":1,"nondep":0,"type":0,"value":2}})",
      R"({"ie":9,"proj":{"idx":3,"struct":3,"typeName":2}})",
      R"({"ie":9,"proj":{"idx":3,"struct":3,"typeName":9}})",
      R"({"ie":9,"mdata":{"data":{},"expr":3}})",
      R"({"bvar":5,"ie":9,"x":1})",
      R"({"bvar":5})",
      R"({"bvar":5,"ie":9,"ie":10})",
      // declarations
      R"({"def":{"all":[2],"hints":"opaque","levelParams":[],"name":2,"safety":"safe","type":0,"value":4}})",
      R"({"def":{"all":[2,1],"hints":"abbrev","levelParams":[1],"name":1,"safety":"unsafe","type":4,"value":3}})",
      R"({"def":{"all":[],"hints":{"regular":4294967295},"levelParams":[1,2],"name":1,"safety":"partial","type":0,"value":0}})",
      R"({"def":{"all":[2],"hints":{"regular":4294967296},"levelParams":[],"name":2,"safety":"safe","type":0,"value":4}})",
      R"({"def":{"all":[2],"hints":"sometimes","levelParams":[],"name":2,"safety":"safe","type":0,"value":4}})",
      R"({"def":{"all":[2],"hints":"opaque","levelParams":[],"name":2,"safety":"maybe","type":0,"value":4}})",
      R"({"def":{"all":[2],"hints":"opaque","levelParams":[],"name":2,"safety":"safe","type":0,"value":9}})",
      R"({"def":{"all":[9],"hints":"opaque","levelParams":[],"name":2,"safety":"safe","type":0,"value":4}})",
      R"({"def":{"all":[2],"hints":"opaque","levelParams":[9],"name":2,"safety":"safe","type":0,"value":4}})",
      R"({"thm":{"all":[2],"levelParams":[],"name":1,"type":0,"value":2}})",
      R"({"thm":{"all":[2],"levelParams":[],"name":1,"type":9,"value":2}})",
      R"({"opaque":{"all":[1],"isUnsafe":true,"levelParams":[],"name":1,"type":0,"value":3}})",
      R"({"opaque":{"all":[1],"isUnsafe":"no","levelParams":[],"name":1,"type":0,"value":3}})",
      R"({"axiom":{"isUnsafe":true,"levelParams":[1],"name":1,"type":3}})",
      R"({"axiom":{"isUnsafe":false,"levelParams":[],"name":1,"type":3},"ie":9})",
      R"({"axiom":{"isUnsafe":false,"levelParams":[],"name":1,"type":3,"x":0}})",
      // what follows the object
      R"({"ie":9,"sort":0}   )",
      "{\"ie\":9,\"sort\":0}\r",
      R"({"ie":9,"sort":0}x)",
      R"({"ie":9,"sort":0}{"ie":10,"sort":0})",
      R"({"ie":9,"sort":0} {"ie":10,"sort":0})",
      R"({"ie":9,"sort":0)",
      R"({"ie":9,"sort":0}})",
      R"({"ie":9,"sort":)",
      R"({"ie":9,)",
      R"({"ie")",
      R"({)",
      R"([1,2])",
      R"({})",
      R"({"app":{"arg":2,"fn":1},"ie":9}})",
  };
  for (const char* l : lines) {
    INFO(l);
    for (const char* next : {"", "\n", "\n{\"ie\":10,\"sort\":0}\n", "\n{\"ie\":10,\"app\":{\"arg\":9,\"fn\":9}}\n"}) {
      fast_equals_dom(prelude + l + next);
    }
  }
  // A NUL byte after the object, then the next line.
  fast_equals_dom(prelude + "{\"ie\":9,\"sort\":0}" + '\0' + "\n{\"ie\":10,\"sort\":0}\n");
  fast_equals_dom(prelude + "{\"ie\":9,\"sort\":0}" + '\0');
  // Forward references name the line that defines the id, from the fast path too.
  auto r = read_export_buffer(prelude + "{\"app\":{\"arg\":2,\"fn\":10},\"ie\":9}\n{\"ie\":10,\"sort\":0}\n", "fwd.ndjson",
                              std::make_shared<TermStore>());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ReadErrorKind::ForwardReference);
  CHECK(r.error().line == 12);
  CHECK(r.error().message.find("line 13") != std::string::npos);
}

TEST_CASE("pipelined expressions: long chains, mdata and declarations in between") {
  std::string t = std::string(kMeta) + "\n{\"in\":1,\"str\":{\"pre\":0,\"str\":\"a\"}}\n{\"ie\":0,\"sort\":0}\n";
  uint32_t next = 1;
  for (int i = 0; i < 3000; ++i) {
    uint32_t id = next++;
    t += "{\"app\":{\"arg\":" + std::to_string(id - 1) + ",\"fn\":" + std::to_string(i % 7 == 0 ? 0 : id - 1) +
         "},\"ie\":" + std::to_string(id) + "}\n";
    if (i % 5 == 0) {
      uint32_t m = next++;
      t += "{\"ie\":" + std::to_string(m) + ",\"mdata\":{\"data\":{},\"expr\":" + std::to_string(id) + "}}\n";
    }
    if (i % 11 == 0) {
      uint32_t lam = next++;
      t += "{\"ie\":" + std::to_string(lam) + ",\"lam\":{\"binderInfo\":\"default\",\"body\":" + std::to_string(next - 2) +
           ",\"name\":1,\"type\":" + std::to_string(id) + "}}\n";
    }
    if (i % 13 == 0)
      t += "{\"thm\":{\"all\":[1],\"levelParams\":[],\"name\":1,\"type\":" + std::to_string(next - 1) +
           ",\"value\":" + std::to_string(id) + "}}\n";
    if (i % 17 == 0)
      t += "{\"axiom\":{\"isUnsafe\":false,\"levelParams\":[],\"name\":1,\"type\":" + std::to_string(next - 1) + "}}\n";
    if (i % 19 == 0)  // the same node again under another id: interned once
      t += "{\"app\":{\"arg\":" + std::to_string(id - 1) + ",\"fn\":" + std::to_string(i % 7 == 0 ? 0 : id - 1) +
           "},\"ie\":" + std::to_string(next++) + "}\n";
    if (i % 23 == 0)
      t += "{\"inductive\":{\"ctors\":[],\"recs\":[],\"types\":[]}}\n";
  }
  fast_equals_dom(t);
  auto r = read_export_buffer(t, "chain.ndjson", std::make_shared<TermStore>());
  REQUIRE(r.has_value());
  CHECK((*r)->stats.expr_lines == next);
  CHECK((*r)->store().expr_count() < next);
}
