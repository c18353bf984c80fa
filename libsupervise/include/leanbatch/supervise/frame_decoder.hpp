#pragma once
/// Incremental frame decoder and the protocol-violation vocabulary.
///
/// Bytes are read straight into the decoder's buffer (prepare/commit) and frames are handed
/// out as views, so a row costs no copy between the pipe and the consumer. Each header is
/// validated (magic, type, direction, reserved flags, generation, length cap) before any
/// space for its payload is reserved: a hostile length cannot make the parent allocate.
/// The first violation is sticky; after it the stream is garbage by definition.
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "leanbatch/supervise/frame.hpp"

namespace leanbatch::supervise {

/// Everything a peer can do wrong on the wire. The first group is detected by
/// FrameDecoder, the second by the request state machine (Worker / ChildChannel).
enum class Violation : std::uint8_t {
  BadMagic,
  UnknownType,
  WrongDirection,     ///< e.g. a child sending a Request frame
  ReservedFlags,
  Oversized,          ///< length above the cap (refused before allocation)
  WrongGeneration,
  TruncatedFrame,     ///< end of stream inside a frame
  OutputBeforeHello,
  BadHello,           ///< second Hello, short payload or protocol version mismatch
  UnaskedRequestId,   ///< frame for a request that is not in flight
  SecondTerminal,     ///< a second Response/Error for the same request
  OutputWhileIdle,    ///< any frame while no request is in flight
  MalformedPayload,   ///< a payload libsupervise interprets (Stats) is too short
  StdoutClosed,       ///< the child closed its frame stream but did not exit
};

const char* to_string(Violation v);

struct ProtocolError {
  Violation kind = Violation::BadMagic;
  std::uint64_t offset = 0;  ///< byte offset of the offending frame in the stream
  std::string message;

  /// "bad magic at byte 48: ..." — for logs and FatalExit::detail.
  std::string describe() const;
};

struct DecoderOptions {
  std::uint32_t max_payload = kDefaultMaxPayload;
  std::uint32_t generation = 0;  ///< every frame must carry exactly this generation
  bool from_child = true;        ///< true: parent side (no Request frames); false: child side (only Request)
};

class FrameDecoder {
 public:
  explicit FrameDecoder(DecoderOptions options);

  /// Writable space of at least `min_free` bytes (more when a frame whose header was seen
  /// needs it) at the end of the buffered data. Invalidates earlier FrameViews.
  std::span<char> prepare(std::size_t min_free = 64u << 10);
  /// Marks `n` bytes of the last prepare() span as filled.
  void commit(std::size_t n);

  /// The next complete frame, nullopt when more bytes are needed, or the (sticky) first
  /// violation. The view stays valid until the next prepare().
  std::expected<std::optional<FrameView>, ProtocolError> next();

  /// Bytes received but not yet returned as frames (non-zero at end of stream = truncated).
  std::size_t buffered() const { return end_ - begin_; }
  /// Bytes currently reserved for the buffer (a bounded quantity: at most the payload cap
  /// plus a header plus one read's worth).
  std::size_t capacity() const { return capacity_; }
  /// Stream offset of the first unconsumed byte.
  std::uint64_t offset() const { return consumed_; }
  /// Reports end of stream: a TruncatedFrame error if bytes are pending, else nothing.
  std::optional<ProtocolError> finish() const;

 private:
  std::optional<ProtocolError> validate(const FrameHeader& h) const;

  DecoderOptions options_;
  std::unique_ptr<char[]> buf_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t need_ = 0;        ///< size of the frame whose header is buffered, 0 if unknown
  std::uint64_t consumed_ = 0;  ///< stream offset of buf_[begin_]
  std::optional<ProtocolError> error_;
};

}  // namespace leanbatch::supervise
