// libFuzzer harness: the frame decoder on arbitrary byte streams, in random read sizes, on
// both sides of the pipe. It must return frames or a typed violation, never crash, and
// never reserve more than the payload cap allows.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "leanbatch/supervise/frame_decoder.hpp"

using namespace leanbatch::supervise;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  bool from_child = data[0] & 1;
  size_t step = 1 + data[1] % 97;
  data += 2;
  size -= 2;
  FrameDecoder dec(DecoderOptions{1u << 16, 1, from_child});
  size_t pos = 0;
  while (pos < size) {
    size_t n = std::min(step, size - pos);
    auto span = dec.prepare(n);
    std::memcpy(span.data(), data + pos, n);
    dec.commit(n);
    pos += n;
    for (;;) {
      auto f = dec.next();
      if (!f) return 0;          // a typed violation (sticky)
      if (!f->has_value()) break;  // more bytes needed
    }
    if (dec.capacity() > (1u << 16) + (1u << 17) + 1024) __builtin_trap();  // bounded buffer
  }
  (void)dec.finish();
  return 0;
}
