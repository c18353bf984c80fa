// libFuzzer harness: the manifest parser (NDJSON and plain text) on arbitrary files. It must
// return items or a typed error with a line, never crash.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "leanbatch/work_items.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::string path = "/tmp/leanbatch-manifest-fuzz-" + std::to_string(getpid());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  auto items = leanbatch::tools::read_manifest(path);
  (void)items;
  return 0;
}
