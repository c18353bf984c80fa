#include "leanbatch/supervise/child_channel.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "spin_wait.hpp"

namespace leanbatch::supervise {

namespace {

std::uint32_t env_u32(const char* name, std::uint32_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr) return fallback;
  std::uint32_t value = 0;
  auto [end, ec] = std::from_chars(text, text + std::strlen(text), value);
  return (ec == std::errc{} && *end == '\0') ? value : fallback;
}

std::unexpected<ChannelError> io_error(std::string what) {
  return std::unexpected(ChannelError{ChannelEnd::Io, fmt::format("{}: {}", what, std::strerror(errno))});
}

}  // namespace

bool RequestContext::send(FrameType type, std::string_view payload, bool flush_now) {
  assert(!answered_ && "a frame after the terminal response");
  if (is_terminal(type)) answered_ = true;
  return channel_.send_frame(type, request_.id, payload, flush_now);
}

bool RequestContext::row(std::string_view payload) { return send(FrameType::Row, payload, false); }
bool RequestContext::progress(std::string_view payload) { return send(FrameType::Progress, payload, true); }
bool RequestContext::stats(const StatsPayload& stats) { return send(FrameType::Stats, encode_stats(stats), false); }
bool RequestContext::respond(std::string_view payload) { return send(FrameType::Response, payload, true); }
bool RequestContext::fail(std::string_view payload) { return send(FrameType::Error, payload, true); }

ChildChannel::ChildChannel(ChildChannelOptions options, UniqueFd in, UniqueFd out, std::uint32_t generation,
                           std::uint32_t max_payload)
    : options_(std::move(options)), in_(std::move(in)), out_(std::move(out)), generation_(generation),
      max_payload_(max_payload), decoder_(DecoderOptions{max_payload, generation, false}),
      last_flush_(std::chrono::steady_clock::now()) {}

std::expected<ChildChannel, ChannelError> ChildChannel::open(ChildChannelOptions options) {
  std::uint32_t generation = env_u32(kGenerationEnv, 0);
  std::uint32_t max_payload = env_u32(kMaxPayloadEnv, kDefaultMaxPayload);
  UniqueFd in, out;
  if (options.isolate_stdio) {
    in.reset(::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3));
    out.reset(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3));
    if (!in || !out) return io_error("dup stdio");
    UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!null || ::dup2(null.get(), STDIN_FILENO) < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
      return io_error("redirect stdio");
  } else {
    in.reset(::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0));
    out.reset(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0));
    if (!in || !out) return io_error("dup stdio");
  }
  std::string version = options.worker_version;
  ChildChannel channel(std::move(options), std::move(in), std::move(out), generation, max_payload);
  HelloPayload hello{kProtocolVersion, static_cast<std::uint32_t>(::getpid()), std::move(version)};
  if (!channel.send_frame(FrameType::Hello, 0, encode_hello(hello), true))
    return std::unexpected(ChannelError{ChannelEnd::ParentGone, "cannot write hello"});
  return channel;
}

bool ChildChannel::send_frame(FrameType type, std::uint64_t request_id, std::string_view payload, bool flush_now) {
  if (parent_gone_) return false;
  FrameHeader header;
  header.type = type;
  header.generation = generation_;
  header.request_id = request_id;
  append_frame(pending_, header, payload);
  if (flush_now || pending_.size() >= options_.flush_bytes) return flush();
  auto now = std::chrono::steady_clock::now();
  if (now - last_flush_ >= options_.flush_interval) return flush();
  return true;
}

bool ChildChannel::flush() {
  if (parent_gone_) return false;
  if (!pending_.empty()) {
    if (!out_ || write_all(out_.get(), pending_.data(), pending_.size())) {
      parent_gone_ = true;  // EPIPE (or a closed stream): nobody reads our frames any more
      pending_.clear();
      return false;
    }
    pending_.clear();
  }
  last_flush_ = std::chrono::steady_clock::now();
  return true;
}

std::expected<IncomingRequest, ChannelError> ChildChannel::next_request() {
  if (!flush()) return std::unexpected(ChannelError{ChannelEnd::ParentGone, "stdout closed"});
  for (;;) {
    auto frame = decoder_.next();
    if (!frame) return std::unexpected(ChannelError{ChannelEnd::Protocol, frame.error().describe()});
    if (*frame) {
      const FrameView& view = **frame;
      return IncomingRequest{view.header.request_id, static_cast<RequestKind>(view.header.kind), std::string(view.payload)};
    }
    // Speed only (see ChildChannelOptions::spin); adaptive: only while requests have been
    // following each other within the window.
    const auto wait_start = std::chrono::steady_clock::now();
    if (spin_next_ && options_.spin.count() > 0) {
      pollfd p{in_.get(), POLLIN, 0};
      detail::spin_until_ready(&p, 1, wait_start, options_.spin);
    }
    std::span<char> space = decoder_.prepare();
    ssize_t n = ::read(in_.get(), space.data(), space.size());
    spin_next_ = std::chrono::steady_clock::now() - wait_start <= options_.spin;
    if (n > 0) {
      decoder_.commit(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("read stdin");
    if (auto truncated = decoder_.finish())
      return std::unexpected(ChannelError{ChannelEnd::Protocol, truncated->describe()});
    return std::unexpected(ChannelError{ChannelEnd::ParentClosed, "stdin closed"});
  }
}

int ChildChannel::serve(const Handler& handler) {
  for (;;) {
    auto request = next_request();
    if (!request) {
      switch (request.error().kind) {
        case ChannelEnd::ParentClosed: return 0;
        case ChannelEnd::ParentGone: return 1;
        case ChannelEnd::Protocol:
        case ChannelEnd::Io: return 2;
      }
    }
    RequestContext ctx(*this, *request);
    switch (request->kind) {
      case RequestKind::Ping: ctx.respond({}); break;
      case RequestKind::Shutdown:
      case RequestKind::Cycle: ctx.respond({}); return flush() ? 0 : 1;
      default:
        if (!is_known(request->kind)) {
          ctx.fail(fmt::format("unknown request kind {}", static_cast<unsigned>(request->kind)));
          break;
        }
        // The one place a worker's exception becomes a value: an Error frame.
        try {
          handler(ctx);
        } catch (const std::exception& e) {
          if (!ctx.answered()) ctx.fail(fmt::format("uncaught exception: {}", e.what()));
        }
        if (!ctx.answered()) ctx.fail("handler returned without a terminal response");
        break;
    }
    if (parent_gone_) return 1;
  }
}

}  // namespace leanbatch::supervise
