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
  ReadError e = expect_error(
      R"({"meta":{"exporter":{"name":"lean4export","version":"2.0"},"format":{"version":"2.0.0"},"lean":{"githash":"","version":""}}})",
      false);
  CHECK(e.kind == ReadErrorKind::UnsupportedFormat);
  CHECK(e.is_decline());
  CHECK(e.message.find("2.0.0") != std::string::npos);
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
