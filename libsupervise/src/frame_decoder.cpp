#include "leanbatch/supervise/frame_decoder.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

#include <fmt/format.h>

namespace leanbatch::supervise {

const char* to_string(Violation v) {
  switch (v) {
    case Violation::BadMagic: return "bad magic";
    case Violation::UnknownType: return "unknown frame type";
    case Violation::WrongDirection: return "frame type not allowed in this direction";
    case Violation::ReservedFlags: return "reserved flags set";
    case Violation::Oversized: return "oversized frame";
    case Violation::WrongGeneration: return "wrong generation";
    case Violation::TruncatedFrame: return "truncated frame";
    case Violation::OutputBeforeHello: return "output before hello";
    case Violation::BadHello: return "bad hello";
    case Violation::UnaskedRequestId: return "frame for a request not in flight";
    case Violation::SecondTerminal: return "second terminal response";
    case Violation::OutputWhileIdle: return "output while idle";
    case Violation::MalformedPayload: return "malformed payload";
    case Violation::StdoutClosed: return "stdout closed";
  }
  return "unknown violation";
}

std::string ProtocolError::describe() const {
  if (message.empty()) return fmt::format("{} at byte {}", to_string(kind), offset);
  return fmt::format("{} at byte {}: {}", to_string(kind), offset, message);
}

FrameDecoder::FrameDecoder(DecoderOptions options) : options_(options) {}

std::span<char> FrameDecoder::prepare(std::size_t min_free) {
  std::size_t pending = end_ - begin_;
  // A frame whose header is known needs exactly its size; reserve for it up front so a big
  // payload is read in few syscalls. need_ is already bounded by the validated cap.
  std::size_t want = std::max(min_free, need_ > pending ? need_ - pending : 0);
  if (capacity_ - end_ < want) {
    if (begin_ > 0) {
      std::memmove(buf_.get(), buf_.get() + begin_, pending);
      begin_ = 0;
      end_ = pending;
    }
    if (capacity_ - end_ < want) {
      std::size_t grown = std::max(end_ + want, capacity_ * 2);
      auto bigger = std::make_unique_for_overwrite<char[]>(grown);
      if (pending > 0) std::memcpy(bigger.get(), buf_.get(), pending);
      buf_ = std::move(bigger);
      capacity_ = grown;
    }
  }
  return {buf_.get() + end_, capacity_ - end_};
}

void FrameDecoder::commit(std::size_t n) {
  assert(end_ + n <= capacity_);
  end_ += n;
}

std::optional<ProtocolError> FrameDecoder::validate(const FrameHeader& h) const {
  auto fail = [&](Violation v, std::string msg) { return ProtocolError{v, consumed_, std::move(msg)}; };
  if (!is_known(h.type)) return fail(Violation::UnknownType, fmt::format("type {}", static_cast<unsigned>(h.type)));
  if ((h.type == FrameType::Request) == options_.from_child)
    return fail(Violation::WrongDirection, to_string(h.type));
  if (h.flags != 0) return fail(Violation::ReservedFlags, fmt::format("flags {:#x}", h.flags));
  if (h.length > options_.max_payload)
    return fail(Violation::Oversized, fmt::format("{} bytes > cap {}", h.length, options_.max_payload));
  if (h.generation != options_.generation)
    return fail(Violation::WrongGeneration, fmt::format("got {}, expected {}", h.generation, options_.generation));
  return std::nullopt;
}

std::expected<std::optional<FrameView>, ProtocolError> FrameDecoder::next() {
  if (error_) return std::unexpected(*error_);
  std::size_t pending = end_ - begin_;
  if (pending < kFrameHeaderSize) return std::nullopt;
  const char* at = buf_.get() + begin_;
  if (!has_magic(at)) {
    error_ = ProtocolError{Violation::BadMagic, consumed_, {}};
    return std::unexpected(*error_);
  }
  FrameHeader header = decode_header(at);
  if (auto bad = validate(header)) {
    error_ = std::move(bad);
    return std::unexpected(*error_);
  }
  std::size_t total = kFrameHeaderSize + header.length;
  if (pending < total) {
    need_ = total;
    return std::nullopt;
  }
  need_ = 0;
  FrameView view{header, std::string_view(at + kFrameHeaderSize, header.length)};
  begin_ += total;
  consumed_ += total;
  if (begin_ == end_) begin_ = end_ = 0;  // the common case: every read ends on a frame boundary
  return view;
}

std::optional<ProtocolError> FrameDecoder::finish() const {
  if (error_) return error_;
  if (buffered() == 0) return std::nullopt;
  return ProtocolError{Violation::TruncatedFrame, consumed_, fmt::format("{} bytes pending at end of stream", buffered())};
}

}  // namespace leanbatch::supervise
