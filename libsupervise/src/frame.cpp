#include "leanbatch/supervise/frame.hpp"

#include <bit>
#include <cassert>
#include <cstring>
#include <limits>

namespace leanbatch::supervise {

static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big);

namespace {

// The wire is little-endian whatever the host is; memcpy keeps unaligned access legal.
template <class T>
void put(char* at, T value) {
  if constexpr (std::endian::native == std::endian::big) value = std::byteswap(value);
  std::memcpy(at, &value, sizeof value);
}

template <class T>
T get(const char* at) {
  T value;
  std::memcpy(&value, at, sizeof value);
  if constexpr (std::endian::native == std::endian::big) value = std::byteswap(value);
  return value;
}

}  // namespace

const char* to_string(FrameType t) {
  switch (t) {
    case FrameType::Hello: return "hello";
    case FrameType::Request: return "request";
    case FrameType::Row: return "row";
    case FrameType::Progress: return "progress";
    case FrameType::Stats: return "stats";
    case FrameType::Response: return "response";
    case FrameType::Error: return "error";
  }
  return "unknown";
}

const char* to_string(RequestKind k) {
  switch (k) {
    case RequestKind::Ping: return "ping";
    case RequestKind::Shutdown: return "shutdown";
    case RequestKind::Cycle: return "cycle";
    case RequestKind::Import: return "import";
    case RequestKind::Check: return "check";
    case RequestKind::Info: return "info";
  }
  return "unknown";
}

bool is_known(FrameType t) { return t >= FrameType::Hello && t <= FrameType::Error; }
bool is_known(RequestKind k) { return k >= RequestKind::Ping && k <= RequestKind::Info; }

std::array<char, kFrameHeaderSize> encode_header(const FrameHeader& h) {
  std::array<char, kFrameHeaderSize> out{};
  std::memcpy(out.data(), kFrameMagic.data(), kFrameMagic.size());
  put<std::uint8_t>(out.data() + 4, static_cast<std::uint8_t>(h.type));
  put<std::uint8_t>(out.data() + 5, h.kind);
  put<std::uint16_t>(out.data() + 6, h.flags);
  put<std::uint32_t>(out.data() + 8, h.generation);
  put<std::uint32_t>(out.data() + 12, h.length);
  put<std::uint64_t>(out.data() + 16, h.request_id);
  return out;
}

FrameHeader decode_header(const char* b) {
  FrameHeader h;
  h.type = static_cast<FrameType>(get<std::uint8_t>(b + 4));
  h.kind = get<std::uint8_t>(b + 5);
  h.flags = get<std::uint16_t>(b + 6);
  h.generation = get<std::uint32_t>(b + 8);
  h.length = get<std::uint32_t>(b + 12);
  h.request_id = get<std::uint64_t>(b + 16);
  return h;
}

bool has_magic(const char* bytes) { return std::memcmp(bytes, kFrameMagic.data(), kFrameMagic.size()) == 0; }

void append_frame(std::string& out, FrameHeader header, std::string_view payload) {
  assert(payload.size() <= std::numeric_limits<std::uint32_t>::max());
  header.length = static_cast<std::uint32_t>(payload.size());
  auto encoded = encode_header(header);
  out.append(encoded.data(), encoded.size());
  out.append(payload);
}

std::string encode_hello(const HelloPayload& hello) {
  std::string out(8, '\0');
  put<std::uint32_t>(out.data(), hello.protocol_version);
  put<std::uint32_t>(out.data() + 4, hello.pid);
  out += hello.worker_version;
  return out;
}

std::optional<HelloPayload> decode_hello(std::string_view payload) {
  if (payload.size() < 8) return std::nullopt;
  HelloPayload hello;
  hello.protocol_version = get<std::uint32_t>(payload.data());
  hello.pid = get<std::uint32_t>(payload.data() + 4);
  hello.worker_version.assign(payload.substr(8));
  return hello;
}

std::string encode_stats(const StatsPayload& stats) {
  std::string out(16, '\0');
  put<std::uint64_t>(out.data(), stats.retained_bytes);
  put<std::uint64_t>(out.data() + 8, stats.rss_bytes);
  out += stats.extra;
  return out;
}

std::optional<StatsPayload> decode_stats(std::string_view payload) {
  if (payload.size() < 16) return std::nullopt;
  StatsPayload stats;
  stats.retained_bytes = get<std::uint64_t>(payload.data());
  stats.rss_bytes = get<std::uint64_t>(payload.data() + 8);
  stats.extra.assign(payload.substr(16));
  return stats;
}

}  // namespace leanbatch::supervise
