// Frame encoding, the incremental decoder, and the stderr ring: pure, no processes.
#include <catch2/catch.hpp>

#include <string>

#include "leanbatch/supervise/frame.hpp"
#include "leanbatch/supervise/frame_decoder.hpp"
#include "leanbatch/supervise/stderr_ring.hpp"

namespace lbs = leanbatch::supervise;

namespace {

std::string frame(lbs::FrameType type, std::uint32_t generation, std::uint64_t id, std::string_view payload) {
  std::string out;
  lbs::FrameHeader h;
  h.type = type;
  h.generation = generation;
  h.request_id = id;
  lbs::append_frame(out, h, payload);
  return out;
}

void feed(lbs::FrameDecoder& d, std::string_view bytes) {
  auto space = d.prepare(bytes.size());
  std::copy(bytes.begin(), bytes.end(), space.begin());
  d.commit(bytes.size());
}

lbs::ProtocolError decode_error(lbs::DecoderOptions options, std::string_view bytes) {
  lbs::FrameDecoder d(options);
  feed(d, bytes);
  auto next = d.next();
  REQUIRE_FALSE(next.has_value());
  return next.error();
}

}  // namespace

TEST_CASE("frame header is 24 little-endian bytes starting with LBF1") {
  std::string bytes = frame(lbs::FrameType::Row, 0x01020304, 0x1122334455667788ull, "abc");
  REQUIRE(bytes.size() == lbs::kFrameHeaderSize + 3);
  CHECK(bytes.substr(0, 4) == "LBF1");
  CHECK(bytes[4] == static_cast<char>(lbs::FrameType::Row));
  CHECK(bytes[8] == 0x04);   // generation, low byte first
  CHECK(bytes[12] == 3);     // length
  CHECK(bytes[16] == static_cast<char>(0x88));
  lbs::FrameHeader h = lbs::decode_header(bytes.data());
  CHECK(h.generation == 0x01020304);
  CHECK(h.request_id == 0x1122334455667788ull);
  CHECK(h.length == 3);
}

TEST_CASE("hello and stats payloads round-trip") {
  auto hello = lbs::decode_hello(lbs::encode_hello({lbs::kProtocolVersion, 4242, "worker 9"}));
  REQUIRE(hello);
  CHECK(hello->pid == 4242);
  CHECK(hello->worker_version == "worker 9");
  CHECK_FALSE(lbs::decode_hello("short"));
  auto stats = lbs::decode_stats(lbs::encode_stats({123456789, 42, "tail"}));
  REQUIRE(stats);
  CHECK(stats->retained_bytes == 123456789);
  CHECK(stats->rss_bytes == 42);
  CHECK(stats->extra == "tail");
}

TEST_CASE("decoder reassembles frames fed one byte at a time") {
  std::string stream = frame(lbs::FrameType::Hello, 7, 0, "hi") + frame(lbs::FrameType::Row, 7, 1, "row one") +
                       frame(lbs::FrameType::Response, 7, 1, "");
  lbs::FrameDecoder d({1024, 7, true});
  std::vector<std::string> payloads;
  for (char c : stream) {
    feed(d, std::string_view(&c, 1));
    for (;;) {
      auto next = d.next();
      REQUIRE(next.has_value());
      if (!*next) break;
      payloads.emplace_back((*next)->payload);
    }
  }
  CHECK(payloads == std::vector<std::string>{"hi", "row one", ""});
  CHECK(d.buffered() == 0);
  CHECK_FALSE(d.finish());
}

TEST_CASE("decoder hands out many frames from one read") {
  std::string stream;
  for (int i = 0; i < 1000; ++i) stream += frame(lbs::FrameType::Row, 1, 5, std::to_string(i));
  lbs::FrameDecoder d({1024, 1, true});
  feed(d, stream);
  int count = 0;
  while (auto next = d.next()) {
    if (!*next) break;
    CHECK((*next)->payload == std::to_string(count));
    ++count;
  }
  CHECK(count == 1000);
}

TEST_CASE("oversized frame is refused before allocation") {
  lbs::FrameHeader h;
  h.type = lbs::FrameType::Row;
  h.generation = 1;
  h.length = 0xFFFF'FFF0u;
  auto header = lbs::encode_header(h);
  lbs::FrameDecoder d({16u << 20, 1, true});
  feed(d, std::string_view(header.data(), header.size()));
  auto next = d.next();
  REQUIRE_FALSE(next.has_value());
  CHECK(next.error().kind == lbs::Violation::Oversized);
  CHECK(d.capacity() < (1u << 20));  // nothing near 4 GiB was reserved
  // The violation is sticky: more bytes do not resurrect the stream.
  CHECK_FALSE(d.next().has_value());
}

TEST_CASE("payload cap is configurable and inclusive") {
  lbs::FrameDecoder d({8, 1, true});
  feed(d, frame(lbs::FrameType::Row, 1, 1, "12345678"));
  auto ok = d.next();
  REQUIRE(ok.has_value());
  REQUIRE(ok->has_value());
  CHECK(decode_error({7, 1, true}, frame(lbs::FrameType::Row, 1, 1, "12345678")).kind == lbs::Violation::Oversized);
}

TEST_CASE("bad magic is a protocol violation") {
  auto e = decode_error({1024, 1, true}, "this is certainly not a frame header");
  CHECK(e.kind == lbs::Violation::BadMagic);
  CHECK(e.describe().find("bad magic at byte 0") == 0);
}

TEST_CASE("a frame from another generation is rejected") {
  auto e = decode_error({1024, 2, true}, frame(lbs::FrameType::Row, 1, 1, "stale"));
  CHECK(e.kind == lbs::Violation::WrongGeneration);
  CHECK(e.message == "got 1, expected 2");
}

TEST_CASE("unknown frame types, reserved flags and wrong directions are rejected") {
  std::string unknown = frame(lbs::FrameType::Row, 1, 1, "x");
  unknown[4] = 99;
  CHECK(decode_error({1024, 1, true}, unknown).kind == lbs::Violation::UnknownType);
  std::string flagged = frame(lbs::FrameType::Row, 1, 1, "x");
  flagged[6] = 1;
  CHECK(decode_error({1024, 1, true}, flagged).kind == lbs::Violation::ReservedFlags);
  CHECK(decode_error({1024, 1, true}, frame(lbs::FrameType::Request, 1, 1, "x")).kind ==
        lbs::Violation::WrongDirection);
  CHECK(decode_error({1024, 1, false}, frame(lbs::FrameType::Row, 1, 1, "x")).kind == lbs::Violation::WrongDirection);
}

TEST_CASE("end of stream inside a frame is reported as truncated") {
  std::string whole = frame(lbs::FrameType::Row, 1, 1, "payload");
  lbs::FrameDecoder d({1024, 1, true});
  feed(d, std::string_view(whole).substr(0, whole.size() - 2));
  auto next = d.next();
  REQUIRE(next.has_value());
  CHECK_FALSE(next->has_value());
  auto end = d.finish();
  REQUIRE(end);
  CHECK(end->kind == lbs::Violation::TruncatedFrame);
}

TEST_CASE("stderr ring keeps only the newest bytes") {
  lbs::StderrRing ring(16);
  ring.append("0123456789");
  CHECK(ring.tail() == "0123456789");
  ring.append("abcdefghij");
  CHECK(ring.tail() == "456789abcdefghij");
  CHECK(ring.total_bytes() == 20);
  ring.append(std::string(100, 'z') + "END");
  CHECK(ring.tail().size() == 16);
  CHECK(ring.tail().ends_with("zzzEND"));
  ring.clear();
  CHECK(ring.tail().empty());
}

TEST_CASE("stderr ring tail prefers to start at a line boundary") {
  lbs::StderrRing ring(1024);
  ring.append(std::string(32, 'x') + "\nline two\nline three\n");
  CHECK(ring.tail(22) == "line two\nline three\n");
}
