// The worker protocol's payloads (tools/common/worker_protocol.hpp) round-trip, and bytes that
// are not a well-formed payload are an error, never a crash or a wrong table: the driver reads
// what a worker sends, and a worker may be broken.
#include <catch2/catch.hpp>

#include "common/worker_protocol.hpp"

namespace proto = leanbatch::tools::protocol;

namespace {

proto::ImportResponse table_of(size_t n) {
  proto::ImportResponse r;
  r.declarations = n;
  for (size_t d = 0; d < n; ++d) {
    r.names.push_back(d % 7 == 3 ? "n\xc2\xab" + std::to_string(d) + "\"q\\\n" : "Decl." + std::to_string(d));
    r.lines.push_back(d * 3 + 2);
    r.kinds.push_back(d % 5 == 0 ? "inductive" : "def");
    if (d % 5 == 0) {
      r.others.emplace_back(d, "Decl." + std::to_string(d) + ".mk");
      r.others.emplace_back(d, "Decl." + std::to_string(d) + ".rec");
    }
  }
  return r;
}

std::vector<std::string> chunks_of(const proto::ImportResponse& r, size_t budget) {
  proto::ImportTableWriter w(budget);
  std::vector<std::string> out;
  size_t o = 0;
  for (uint64_t d = 0; d < r.names.size(); ++d) {
    std::vector<std::string> others;
    while (o < r.others.size() && r.others[o].first == d) others.push_back(r.others[o++].second);
    if (std::string c = w.add(d, r.names[d], r.lines[d], r.kinds[d], others); !c.empty()) out.push_back(c);
  }
  if (std::string c = w.finish(); !c.empty()) out.push_back(c);
  return out;
}

}  // namespace

TEST_CASE("protocol: the import table round-trips through bounded binary chunks") {
  const proto::ImportResponse want = table_of(1000);
  for (size_t budget : {size_t{64}, size_t{1024}, size_t{256 * 1024}}) {
    INFO(budget);
    std::vector<std::string> chunks = chunks_of(want, budget);
    for (const std::string& c : chunks) CHECK((c.size() <= budget || c.size() < 200));
    proto::ImportResponse got;
    got.declarations = want.declarations;
    REQUIRE(proto::assemble_import(got, chunks));
    CHECK(got.names == want.names);
    CHECK(got.lines == want.lines);
    CHECK(got.kinds == want.kinds);
    CHECK(got.others == want.others);
  }
}

TEST_CASE("protocol: a malformed import table is an error") {
  const proto::ImportResponse want = table_of(50);
  std::vector<std::string> chunks = chunks_of(want, 512);
  REQUIRE(chunks.size() > 2);
  auto fails = [&](std::vector<std::string> cs, uint64_t declarations = 50) {
    proto::ImportResponse r;
    r.declarations = declarations;
    return !proto::assemble_import(r, cs).has_value();
  };
  CHECK_FALSE(fails(chunks));
  CHECK(fails(chunks, 51));                                                    // too few entries
  CHECK(fails({chunks[1], chunks[0]}));                                        // out of order
  CHECK(fails({"{\"first\":0}"}));                                             // not a table chunk
  for (size_t cut = 0; cut < chunks[0].size(); ++cut) {                        // every truncation
    std::vector<std::string> cs = chunks;
    cs[0].resize(cut);
    CHECK(fails(cs));
  }
  std::vector<std::string> extra = chunks;
  extra[0] += '\0';  // trailing bytes
  CHECK(fails(extra));
  std::vector<std::string> huge = chunks;
  huge[0] = std::string("LBT1") + '\0' + "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01";  // absurd count
  CHECK(fails(huge));
}

TEST_CASE("protocol: a row frame carries a part's conditional key only behind its flag, and an identity frame its copy") {
  const std::string key(32, '\x07');
  // A RowView points into its payload: the payloads outlive the views.
  const std::string plain_frame = proto::encode_row(9, leanbatch::host::VerdictStatus::Ok, "{\"a\":1}");
  auto plain = proto::decode_row(plain_frame);
  REQUIRE(plain);
  CHECK(plain->decl == 9);
  CHECK(plain->conditional_key.empty());
  CHECK(plain->open_json == "{\"a\":1");
  const std::string frame = proto::encode_row(9, leanbatch::host::VerdictStatus::Ok, "{\"a\":1}", key);
  auto keyed = proto::decode_row(frame);
  REQUIRE(keyed);
  CHECK(keyed->status == leanbatch::host::VerdictStatus::Ok);
  CHECK(keyed->conditional_key == key);
  CHECK(keyed->open_json == "{\"a\":1");
  for (size_t cut = 0; cut < 5 + 32 + 2; ++cut) CHECK_FALSE(proto::decode_row(frame.substr(0, cut)));
  // The identity frame: which copy of the export an answer's rows come from.
  const proto::CopyIdentity id{"1:2:3:4:5", "ab12", 7};
  auto back = proto::decode_identity_frame(proto::encode_identity_frame(id));
  REQUIRE(back);
  CHECK(*back == id);
  CHECK_FALSE(proto::decode_identity_frame(plain_frame));  // a verdict row is not one
  CHECK_FALSE(proto::decode_identity_frame("garbage"));
}
