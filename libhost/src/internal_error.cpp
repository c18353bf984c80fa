#include "leanbatch/host/internal_error.hpp"

namespace leanbatch::host {

void internal_error(const char* file, int line, const char* what) {
  throw InternalError(std::string("internal error: ") + what + " (" + file + ":" + std::to_string(line) + ")");
}

}  // namespace leanbatch::host
