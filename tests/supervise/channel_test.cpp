// The child side (ChildChannel inside lbs-fake-worker) driven by hand through spawn_child:
// handshake contents, stdin EOF, a parent that stops reading, and a request with the
// wrong generation.
#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/wait.h>

#include "leanbatch/supervise/frame_decoder.hpp"
#include "leanbatch/supervise/spawn.hpp"
#include "support.hpp"

namespace {

lbs::SpawnedChild spawn_fake(std::uint32_t generation = 1) {
  lbs::SpawnOptions o;
  o.executable = fake_worker_path();
  o.environment = {{lbs::kGenerationEnv, std::to_string(generation)}};
  auto child = lbs::spawn_child(o);
  REQUIRE(child);
  return std::move(*child);
}

bool wait_readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) == 1;
}

// Reads until one complete frame is decoded (2 s at most).
lbs::FrameHeader read_frame(lbs::SpawnedChild& child, lbs::FrameDecoder& decoder, std::string& payload) {
  for (;;) {
    auto next = decoder.next();
    REQUIRE(next.has_value());
    if (*next) {
      payload.assign((*next)->payload);
      return (*next)->header;
    }
    REQUIRE(wait_readable(child.stdout_pipe.get(), 2000));
    auto space = decoder.prepare();
    ssize_t n = ::read(child.stdout_pipe.get(), space.data(), space.size());
    REQUIRE(n > 0);
    decoder.commit(static_cast<std::size_t>(n));
  }
}

// Waits (2 s at most) for the child to exit on its own, then reaps it.
int wait_exit(lbs::SpawnedChild& child) {
  REQUIRE(child.process.pidfd() >= 0);
  REQUIRE(wait_readable(child.process.pidfd(), 2000));
  return child.process.reap();
}

void send(lbs::SpawnedChild& child, std::uint32_t generation, std::uint64_t id, std::string_view payload) {
  std::string bytes;
  lbs::FrameHeader h;
  h.type = lbs::FrameType::Request;
  h.kind = static_cast<std::uint8_t>(lbs::RequestKind::Check);
  h.generation = generation;
  h.request_id = id;
  lbs::append_frame(bytes, h, payload);
  REQUIRE(lbs::write_no_sigpipe(child.stdin_pipe.get(), bytes.data(), bytes.size()) ==
          static_cast<long>(bytes.size()));
}

}  // namespace

TEST_CASE("the hello carries protocol version, pid, worker version and the generation") {
  auto child = spawn_fake(7);
  lbs::FrameDecoder decoder({lbs::kDefaultMaxPayload, 7, true});
  std::string payload;
  auto header = read_frame(child, decoder, payload);
  CHECK(header.type == lbs::FrameType::Hello);
  CHECK(header.generation == 7);
  auto hello = lbs::decode_hello(payload);
  REQUIRE(hello);
  CHECK(hello->protocol_version == lbs::kProtocolVersion);
  CHECK(static_cast<pid_t>(hello->pid) == child.process.pid());
  CHECK(hello->worker_version == "fake-worker 1");
}

TEST_CASE("a worker exits cleanly when its stdin closes") {
  auto child = spawn_fake();
  lbs::FrameDecoder decoder({lbs::kDefaultMaxPayload, 1, true});
  std::string payload;
  read_frame(child, decoder, payload);
  child.stdin_pipe.reset();
  int status = wait_exit(child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a worker whose parent stops reading exits instead of dying of SIGPIPE") {
  auto child = spawn_fake();
  lbs::FrameDecoder decoder({lbs::kDefaultMaxPayload, 1, true});
  std::string payload;
  read_frame(child, decoder, payload);
  child.stdout_pipe.reset();
  send(child, 1, 1, "rows 100000 100");
  int status = wait_exit(child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
}

TEST_CASE("a worker refuses a request stamped with another generation") {
  auto child = spawn_fake(3);
  lbs::FrameDecoder decoder({lbs::kDefaultMaxPayload, 3, true});
  std::string payload;
  read_frame(child, decoder, payload);
  send(child, 2, 1, "echo stale");
  int status = wait_exit(child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);  // protocol error: serve() gives up
}

TEST_CASE("a worker answers rows and a response in order") {
  auto child = spawn_fake();
  lbs::FrameDecoder decoder({lbs::kDefaultMaxPayload, 1, true});
  std::string payload;
  read_frame(child, decoder, payload);
  send(child, 1, 42, "rows 3 5");
  for (int i = 0; i < 3; ++i) {
    auto h = read_frame(child, decoder, payload);
    CHECK(h.type == lbs::FrameType::Row);
    CHECK(h.request_id == 42);
    CHECK(payload == "rrrrr");
  }
  auto h = read_frame(child, decoder, payload);
  CHECK(h.type == lbs::FrameType::Response);
  CHECK(payload == "done 3");
  child.stdin_pipe.reset();
  CHECK(wait_exit(child) == 0);
}

TEST_CASE("a worker binary is found beside the running executable") {
  auto path = lbs::executable_beside_self("lbs-fake-worker");
  REQUIRE(path);
  CHECK(std::filesystem::equivalent(*path, fake_worker_path()));
}
