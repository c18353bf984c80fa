#pragma once
// FileIdentity (environment.hpp) from a stat result: the one conversion, used by the reader
// (what the descriptor it read saw) and the image directory (the state an image is keyed by).
#include <sys/stat.h>

#include "leanbatch/host/environment.hpp"

namespace leanbatch::host {

inline FileIdentity file_identity(const struct stat& sb) {
  return FileIdentity{static_cast<uint64_t>(sb.st_dev), static_cast<uint64_t>(sb.st_ino),
                      static_cast<uint64_t>(sb.st_size),
                      static_cast<int64_t>(sb.st_mtim.tv_sec) * 1000000000 + sb.st_mtim.tv_nsec,
                      static_cast<int64_t>(sb.st_ctim.tv_sec) * 1000000000 + sb.st_ctim.tv_nsec};
}

}  // namespace leanbatch::host
