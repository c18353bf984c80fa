#pragma once
/// Internal invariants. A violated invariant is a leanbatch bug: it throws InternalError,
/// which the public entry points turn into an error value (libhost never aborts the
/// process; a kernel bug must cost one verdict, not the run).
#include <stdexcept>
#include <string>

namespace leanbatch::host {

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

[[noreturn]] void internal_error(const char* file, int line, const char* what);

}  // namespace leanbatch::host

#define LB_ASSERT(cond)                                                    \
  do {                                                                     \
    if (!(cond)) ::leanbatch::host::internal_error(__FILE__, __LINE__, #cond); \
  } while (0)
