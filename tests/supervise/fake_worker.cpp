// lbs-fake-worker: a test-only child that speaks the frame protocol through ChildChannel
// and misbehaves on request, so every failure class of libsupervise can be provoked.
//
// Startup faults come from argv (they happen before any request can be read):
//   --die-before-hello         print to stderr, exit 3 before the handshake
//   --sleep-before-hello=MS    sleep MS before the handshake (startup timeout)
//   --garbage-before-hello     write a Row frame instead of Hello (output before Hello)
//   --ignore-shutdown          ignore Shutdown/Cycle requests and stdin EOF
//   --version=TEXT             worker version in Hello
// Everything else is a command in the request payload (one line, space separated):
//   echo TEXT | error TEXT | rows N [SIZE] | sleep MS | stats BYTES | stderr TEXT
//   abort | segv | stack | loop | balloon MB | balloon-keep MB | map-keep MB | exit CODE
//   garbage | oversize | wrong-gen | unasked | double | unknown-type
//   rows-crash N | close-stdout | crash-once PATH | throw TEXT | noanswer
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "leanbatch/supervise/child_channel.hpp"

namespace lbs = leanbatch::supervise;

namespace {

struct Args {
  bool die_before_hello = false;
  int sleep_before_hello_ms = 0;
  bool garbage_before_hello = false;
  bool ignore_shutdown = false;
  std::string version = "fake-worker 1";
};

void say(std::string_view text) {
  std::string line(text);
  line += '\n';
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

[[noreturn]] void sleep_forever() {
  for (;;) ::pause();
}

std::string_view word(std::string_view& rest) {
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  std::size_t end = rest.find(' ');
  std::string_view w = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return w;
}

long number(std::string_view text, long fallback) {
  if (text.empty()) return fallback;
  return std::strtol(std::string(text).c_str(), nullptr, 10);
}

void write_raw(lbs::ChildChannel& channel, const std::string& bytes) {
  channel.flush();
  (void)!::write(channel.frame_fd(), bytes.data(), bytes.size());
}

// Touch every page so the memory is resident, not just reserved.
std::vector<char*> balloon(long mib) {
  std::vector<char*> chunks;
  for (long i = 0; i < mib; ++i) {
    auto* chunk = static_cast<char*>(std::malloc(1u << 20));
    if (chunk == nullptr) break;
    std::memset(chunk, static_cast<int>(i), 1u << 20);
    chunks.push_back(chunk);
  }
  return chunks;
}

volatile bool g_keep_recursing = true;  // never cleared; hides the recursion from -Winfinite-recursion

int recurse(int depth) {
  if (!g_keep_recursing) return 0;
  volatile char frame[1024];
  frame[0] = static_cast<char>(depth);
  return recurse(depth + 1) + frame[0];  // not a tail call: the frame stays live
}

// Returns false when the worker must stop reading requests.
bool handle(lbs::ChildChannel& channel, lbs::RequestContext& ctx) {
  std::string_view rest = ctx.request().payload;
  std::string_view cmd = word(rest);
  lbs::FrameHeader h;
  h.generation = channel.generation();
  h.request_id = ctx.request().id;

  if (cmd == "echo") return ctx.respond(rest);
  if (cmd == "error") return ctx.fail(rest);
  if (cmd == "rows" || cmd == "rows-crash") {
    long n = number(word(rest), 1);
    long size = number(word(rest), 32);
    std::string row(static_cast<std::size_t>(size), 'r');
    for (long i = 0; i < n; ++i) {
      if (!ctx.row(row)) return false;
    }
    if (cmd == "rows-crash") {
      channel.flush();
      say("fake: crashing after rows");
      std::raise(SIGSEGV);
    }
    return ctx.respond("done " + std::to_string(n));
  }
  if (cmd == "sleep") {
    ctx.progress("sleeping");
    std::this_thread::sleep_for(std::chrono::milliseconds(number(word(rest), 100)));
    return ctx.respond("slept");
  }
  if (cmd == "stats") {
    ctx.stats(lbs::StatsPayload{static_cast<std::uint64_t>(number(word(rest), 0)), 0, {}});
    return ctx.respond("stats");
  }
  if (cmd == "stderr") {
    say(rest);
    return ctx.respond("said");
  }
  if (cmd == "abort") {
    say("fake: panic! aborting");
    std::abort();
  }
  if (cmd == "segv") {
    say("fake: about to segfault");
    volatile std::uintptr_t address = 16;  // volatile: the compiler must not prove it bad
    *reinterpret_cast<volatile int*>(address) = 1;
    return false;
  }
  if (cmd == "stack") {
    say("fake: recursing forever");
    return recurse(0) != 0;
  }
  if (cmd == "loop") {
    say("fake: spinning");
    for (;;) asm volatile("");  // a side effect the optimizer must keep
  }
  if (cmd == "balloon" || cmd == "balloon-keep") {
    long mib = number(word(rest), 64);
    say("fake: ballooning");
    static std::vector<std::vector<char*>> kept;  // never freed: the point is to grow
    kept.push_back(balloon(mib));
    if (cmd == "balloon") sleep_forever();
    return ctx.respond("ballooned");
  }
  if (cmd == "map-keep") {
    // A file of MB MiB mapped privately and read through (resident, file-backed, clean):
    // what a worker mapping an export image holds. Kept mapped.
    long mib = number(word(rest), 64);
    char path[] = "/tmp/lbs-fake-map-XXXXXX";
    int fd = ::mkstemp(path);
    if (fd < 0 || ::ftruncate(fd, mib << 20) != 0) return ctx.fail("cannot make the file");
    ::unlink(path);
    std::vector<char> block(1 << 20, 'x');
    for (long i = 0; i < mib; ++i) (void)!::write(fd, block.data(), block.size());
    void* p = ::mmap(nullptr, static_cast<size_t>(mib) << 20, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED) return ctx.fail("cannot map");
    long sum = 0;
    for (long off = 0; off < (mib << 20); off += 4096) sum += static_cast<const volatile char*>(p)[off];
    if (sum < 0) say("fake: impossible");
    return ctx.respond("mapped");
  }
  if (cmd == "exit") {
    say("fake: exiting mid-request");
    channel.flush();
    std::_Exit(static_cast<int>(number(word(rest), 0)));
  }
  if (cmd == "garbage") {
    say("fake: writing garbage");
    write_raw(channel, "this is certainly not a frame header");
    sleep_forever();
  }
  if (cmd == "oversize") {
    say("fake: writing an oversized frame");
    h.type = lbs::FrameType::Row;
    h.length = 0xFFFF'FFF0u;  // a header only: the parent must refuse before allocating
    auto bytes = lbs::encode_header(h);
    write_raw(channel, std::string(bytes.data(), bytes.size()));
    sleep_forever();
  }
  if (cmd == "wrong-gen" || cmd == "unasked" || cmd == "unknown-type") {
    say("fake: sending a bad frame: " + std::string(cmd));
    std::string bytes;
    h.type = lbs::FrameType::Response;
    if (cmd == "wrong-gen") h.generation += 1;
    if (cmd == "unasked") h.request_id += 1000;
    if (cmd == "unknown-type") h.type = static_cast<lbs::FrameType>(99);
    lbs::append_frame(bytes, h, "bad");
    write_raw(channel, bytes);
    sleep_forever();
  }
  if (cmd == "double") {
    say("fake: answering twice");
    std::string bytes;
    h.type = lbs::FrameType::Response;
    lbs::append_frame(bytes, h, "one");
    lbs::append_frame(bytes, h, "two");
    write_raw(channel, bytes);
    sleep_forever();
  }
  if (cmd == "close-stdout") {
    say("fake: closing stdout");
    channel.close_frame_stream();
    sleep_forever();
  }
  if (cmd == "crash-once") {
    std::string path(rest);
    if (::access(path.c_str(), F_OK) != 0) {
      int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      if (fd >= 0) ::close(fd);
      say("fake: first attempt crashes");
      std::raise(SIGSEGV);
    }
    return ctx.respond("recovered");
  }
  if (cmd == "throw") throw std::runtime_error(std::string(rest));
  if (cmd == "noanswer") return true;
  return ctx.fail("unknown command: " + std::string(cmd));
}

Args parse(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--die-before-hello") args.die_before_hello = true;
    else if (a.starts_with("--sleep-before-hello=")) args.sleep_before_hello_ms = static_cast<int>(number(a.substr(21), 0));
    else if (a == "--garbage-before-hello") args.garbage_before_hello = true;
    else if (a == "--ignore-shutdown") args.ignore_shutdown = true;
    else if (a.starts_with("--version=")) args.version = std::string(a.substr(10));
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  Args args = parse(argc, argv);
  if (args.die_before_hello) {
    say("fake: dying before hello");
    return 3;
  }
  if (args.sleep_before_hello_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(args.sleep_before_hello_ms));
  if (args.garbage_before_hello) {
    std::string bytes;
    lbs::FrameHeader h;
    h.type = lbs::FrameType::Row;
    const char* generation = std::getenv(lbs::kGenerationEnv);
    h.generation = generation != nullptr ? static_cast<std::uint32_t>(std::strtoul(generation, nullptr, 10)) : 0;
    lbs::append_frame(bytes, h, "too early");
    (void)!::write(STDOUT_FILENO, bytes.data(), bytes.size());
    sleep_forever();
  }
  auto channel = lbs::ChildChannel::open({.worker_version = args.version});
  if (!channel) {
    say("fake: cannot open channel: " + channel.error().message);
    return 2;
  }
  if (!args.ignore_shutdown) {
    return channel->serve([&](lbs::RequestContext& ctx) { handle(*channel, ctx); });
  }
  // Hand-rolled loop: Ping and work as usual, but Shutdown/Cycle and EOF are ignored.
  for (;;) {
    auto request = channel->next_request();
    if (!request) sleep_forever();
    lbs::RequestContext ctx(*channel, *request);
    if (request->kind == lbs::RequestKind::Ping) {
      ctx.respond({});
    } else if (request->kind == lbs::RequestKind::Shutdown || request->kind == lbs::RequestKind::Cycle) {
      say("fake: ignoring shutdown");
    } else if (!handle(*channel, ctx)) {
      return 1;
    }
  }
}
