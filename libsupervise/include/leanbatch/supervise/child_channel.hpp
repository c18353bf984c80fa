#pragma once
/// The worker's end of the protocol: blocking reads of Request frames from stdin, buffered
/// writes of Hello/Row/Progress/Stats/Response/Error frames to stdout.
///
/// Typical worker main:
///   auto channel = ChildChannel::open({.worker_version = "leanbatch-worker 0.1"});
///   if (!channel) return 2;
///   return channel->serve([&](RequestContext& ctx) { ...ctx.row(...); ctx.respond(...); });
///
/// Rules it enforces on the child side: Hello first (open() sends it), every frame stamped
/// with the generation from LBS_GENERATION, exactly one terminal frame per request (a
/// handler that forgets, or throws, becomes an Error frame: exceptions never cross the
/// pipe), stdin EOF = clean exit, failed stdout write = parent gone = stop.
#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "leanbatch/supervise/frame.hpp"
#include "leanbatch/supervise/frame_decoder.hpp"
#include "leanbatch/supervise/unique_fd.hpp"

namespace leanbatch::supervise {

struct ChildChannelOptions {
  std::string worker_version;
  /// Move the frame streams off fds 0/1 (to private descriptors) and point fd 0 at
  /// /dev/null and fd 1 at stderr, so a library printing to stdout lands in the parent's
  /// stderr ring instead of corrupting the frame stream.
  bool isolate_stdio = true;
  /// Buffered frames are written once this many bytes are pending...
  std::size_t flush_bytes = 64u << 10;
  /// ...or when a frame is added this long after the last write, and always on Progress,
  /// Response, Error and before blocking for the next request.
  std::chrono::milliseconds flush_interval{20};
  /// Before blocking for the next request, poll this long without sleeping (speed only;
  /// 0 = never): the parent's next request then costs no wake-up of this process.
  std::chrono::microseconds spin{50};
};

enum class ChannelEnd : std::uint8_t {
  ParentClosed,  ///< stdin EOF: the parent is done with us; exit 0
  ParentGone,    ///< a write failed (EPIPE): nobody is listening; exit
  Protocol,      ///< the parent sent something invalid
  Io,            ///< unexpected read/setup error
};

struct ChannelError {
  ChannelEnd kind = ChannelEnd::Io;
  std::string message;
};

struct IncomingRequest {
  std::uint64_t id = 0;
  RequestKind kind = RequestKind::Ping;
  std::string payload;
};

class ChildChannel;

/// One request being answered. Every method returns false once the parent is gone; the
/// handler should then return promptly.
class RequestContext {
 public:
  RequestContext(ChildChannel& channel, const IncomingRequest& request) : channel_(channel), request_(request) {}
  const IncomingRequest& request() const { return request_; }
  bool row(std::string_view payload);
  bool progress(std::string_view payload);
  bool stats(const StatsPayload& stats);
  /// Terminal. Asserts that no terminal frame was sent before.
  bool respond(std::string_view payload);
  /// Terminal error (the tool defines the payload). Asserts as respond().
  bool fail(std::string_view payload);
  bool answered() const { return answered_; }

 private:
  bool send(FrameType type, std::string_view payload, bool flush_now);
  ChildChannel& channel_;
  const IncomingRequest& request_;
  bool answered_ = false;
};

class ChildChannel {
 public:
  using Handler = std::function<void(RequestContext&)>;

  /// Reads LBS_GENERATION / LBS_MAX_PAYLOAD, isolates stdio, sends Hello.
  static std::expected<ChildChannel, ChannelError> open(ChildChannelOptions options);

  /// Blocks for the next request (flushing pending frames first).
  std::expected<IncomingRequest, ChannelError> next_request();
  /// Request loop: answers Ping itself, answers Shutdown/Cycle and returns 0, passes the
  /// rest to `handler`. Returns the exit status for main(): 0 after Shutdown/Cycle or stdin
  /// EOF, 1 when the parent is gone, 2 on a protocol or I/O error.
  int serve(const Handler& handler);

  /// Queues one frame for the current generation; writes when the flush policy says so.
  bool send_frame(FrameType type, std::uint64_t request_id, std::string_view payload, bool flush_now);
  /// Writes everything pending; false when the parent is gone.
  bool flush();

  std::uint32_t generation() const { return generation_; }
  std::uint32_t max_payload() const { return max_payload_; }
  /// The descriptor frames are written to. Exposed for fault-injection tests only.
  int frame_fd() const { return out_.get(); }
  /// Closes the frame stream (fault-injection tests; a real worker just returns from main).
  void close_frame_stream() { out_.reset(); }

 private:
  ChildChannel(ChildChannelOptions options, UniqueFd in, UniqueFd out, std::uint32_t generation,
               std::uint32_t max_payload);

  ChildChannelOptions options_;
  UniqueFd in_;
  UniqueFd out_;
  std::uint32_t generation_;
  std::uint32_t max_payload_;
  FrameDecoder decoder_;
  std::string pending_;
  std::chrono::steady_clock::time_point last_flush_;
  bool parent_gone_ = false;
  bool spin_next_ = true;  // the last wait for input ended within options_.spin
};

}  // namespace leanbatch::supervise
