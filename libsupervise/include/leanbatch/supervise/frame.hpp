#pragma once
/// Wire format of the supervisor <-> worker protocol (see docs/protocol.md).
///
/// Every message is one frame: a fixed 24-byte little-endian header followed by `length`
/// payload bytes. libsupervise gives meaning only to Hello, Stats and the Ping / Shutdown /
/// Cycle request kinds; every other payload is opaque bytes owned by the tool.
///
///   offset size field
///        0    4 magic       "LBF1" (the trailing digit is the framing version)
///        4    1 type        FrameType
///        5    1 kind        RequestKind for Request frames, 0 otherwise
///        6    2 flags       reserved, must be 0
///        8    4 generation  incarnation number the parent assigned (LBS_GENERATION)
///       12    4 length      payload bytes; checked against the cap before allocating
///       16    8 request id  0 for Hello; the parent-chosen id otherwise
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leanbatch::supervise {

inline constexpr std::array<char, 4> kFrameMagic{'L', 'B', 'F', '1'};
inline constexpr std::size_t kFrameHeaderSize = 24;
/// Version carried in Hello; bump when the meaning of a frame changes.
inline constexpr std::uint32_t kProtocolVersion = 1;
inline constexpr std::uint32_t kDefaultMaxPayload = 16u << 20;

/// Environment variables the parent sets for each child.
inline constexpr const char* kGenerationEnv = "LBS_GENERATION";
inline constexpr const char* kMaxPayloadEnv = "LBS_MAX_PAYLOAD";
inline constexpr const char* kWorkerIdEnv = "LBS_WORKER_ID";

enum class FrameType : std::uint8_t {
  Hello = 1,     ///< child -> parent, first frame, exactly once
  Request = 2,   ///< parent -> child
  Row = 3,       ///< child -> parent, tentative result row (opaque)
  Progress = 4,  ///< child -> parent, opaque progress note
  Stats = 5,     ///< child -> parent, resource report (StatsPayload + opaque tail)
  Response = 6,  ///< child -> parent, terminal success for a request (opaque)
  Error = 7,     ///< child -> parent, terminal failure for a request (opaque)
};

enum class RequestKind : std::uint8_t {
  Ping = 1,      ///< answered by ChildChannel itself with an empty Response
  Shutdown = 2,  ///< child answers, then exits 0
  Cycle = 3,     ///< like Shutdown; the payload names the restart cause (for the child's log)
  Import = 4,    ///< opaque to libsupervise
  Check = 5,     ///< opaque to libsupervise
  Info = 6,      ///< opaque to libsupervise
};

const char* to_string(FrameType t);
const char* to_string(RequestKind k);
bool is_known(FrameType t);
bool is_known(RequestKind k);
/// Response and Error end a request; nothing else does.
inline bool is_terminal(FrameType t) { return t == FrameType::Response || t == FrameType::Error; }

struct FrameHeader {
  FrameType type = FrameType::Hello;
  std::uint8_t kind = 0;
  std::uint16_t flags = 0;
  std::uint32_t generation = 0;
  std::uint32_t length = 0;
  std::uint64_t request_id = 0;
};

/// A decoded frame; `payload` points into the decoder's buffer and is valid until the
/// decoder is fed or asked for the next frame.
struct FrameView {
  FrameHeader header;
  std::string_view payload;
};

/// Appends one encoded frame (header with `length` set from `payload`) to `out`.
/// Precondition (asserted): payload.size() fits in u32.
void append_frame(std::string& out, FrameHeader header, std::string_view payload);

/// Serializes the header; does not check anything.
std::array<char, kFrameHeaderSize> encode_header(const FrameHeader& header);
/// Parses the fixed fields; does not validate magic, type or length (FrameDecoder does).
FrameHeader decode_header(const char* bytes);
bool has_magic(const char* bytes);

/// Hello payload: u32 protocol version, u32 pid, then the worker's version string.
struct HelloPayload {
  std::uint32_t protocol_version = kProtocolVersion;
  std::uint32_t pid = 0;
  std::string worker_version;
};
std::string encode_hello(const HelloPayload& hello);
std::optional<HelloPayload> decode_hello(std::string_view payload);

/// Stats payload: u64 retained bytes (what the child still holds after the request, used
/// by the retained-bytes restart policy), u64 the child's own RSS or 0, then opaque bytes.
struct StatsPayload {
  std::uint64_t retained_bytes = 0;
  std::uint64_t rss_bytes = 0;
  std::string extra;
};
std::string encode_stats(const StatsPayload& stats);
std::optional<StatsPayload> decode_stats(std::string_view payload);

}  // namespace leanbatch::supervise
