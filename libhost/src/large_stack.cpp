// Checking on a large stack: deep terms recurse deeply, so every check runs on a thread with
// its own big stack (and a guard address that ends runaway nesting in a kernel_limit verdict).
#include <pthread.h>

#include <exception>
#include <functional>

#include "leanbatch/host/checker.hpp"

namespace leanbatch::host {

namespace {
struct ThreadArg {
  const std::function<void(uintptr_t)>* fn;
  size_t stack_bytes;
  std::exception_ptr error;
};

void* thread_main(void* p) {
  auto* arg = static_cast<ThreadArg*>(p);
  char top;
  // Leave a margin for the frames between a guard check and the next one.
  constexpr size_t kMargin = size_t{4} << 20;
  uintptr_t limit = reinterpret_cast<uintptr_t>(&top) - (arg->stack_bytes - kMargin);
  try {
    (*arg->fn)(limit);
  } catch (...) {
    arg->error = std::current_exception();
  }
  return nullptr;
}
}  // namespace

// The guard for running on the calling thread's own stack (when no large-stack thread can be
// made): its lowest address plus the same margin, so that runaway nesting still ends in a
// kernel_limit verdict instead of a stack overflow. 0 (unguarded) only if the bounds are
// unknown.
uintptr_t current_stack_limit() {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return 0;
  void* low = nullptr;
  size_t size = 0;
  int rc = pthread_attr_getstack(&attr, &low, &size);
  pthread_attr_destroy(&attr);
  constexpr size_t kMargin = size_t{4} << 20;
  if (rc != 0 || size <= 2 * kMargin) return 0;
  return reinterpret_cast<uintptr_t>(low) + kMargin;
}

bool run_on_large_stack(size_t stack_bytes, const std::function<void(uintptr_t)>& fn) {
  stack_bytes = std::max<size_t>(stack_bytes, size_t{16} << 20);
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return false;
  if (pthread_attr_setstacksize(&attr, stack_bytes) != 0) {
    pthread_attr_destroy(&attr);
    return false;
  }
  ThreadArg arg{&fn, stack_bytes, nullptr};
  pthread_t th;
  int rc = pthread_create(&th, &attr, thread_main, &arg);
  pthread_attr_destroy(&attr);
  if (rc != 0) return false;
  pthread_join(th, nullptr);
  if (arg.error) std::rethrow_exception(arg.error);
  return true;
}

}  // namespace leanbatch::host
