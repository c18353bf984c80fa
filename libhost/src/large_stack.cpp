// Checking on a large stack: deep terms recurse deeply, so every check runs on a thread with
// its own big stack (and a guard address that ends runaway nesting in a kernel_limit verdict).
//
// The thread is kept between checks, one per calling thread. Speed only: a supervised sweep
// sends about ten check requests per module, and a fresh 1 GB thread for each one cost a
// clone, a stack mmap/mprotect/munmap and the TLB shootdowns of tearing the stack down (1,100
// threads and 1,800 munmap calls for 100 modules, measured with strace -c). Handing a job to a
// waiting thread costs two wake-ups. The check itself is the same function on the same kind of
// stack with the same guard, so verdicts cannot differ.
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>

#include "leanbatch/host/checker.hpp"

namespace leanbatch::host {

namespace {

// Leave a margin for the frames between a guard check and the next one.
constexpr size_t kMargin = size_t{4} << 20;
// A job that went deeper than this leaves its stack pages resident; they are given back after
// the job (memory only), so one deep declaration does not keep a large RSS for the worker's life.
constexpr size_t kKeepResident = size_t{8} << 20;

// The guard of a thread whose stack of `stack_bytes` starts (at its top) at `top`: the lowest
// address a check may use, a margin above the real end.
uintptr_t guard_below(uintptr_t top, size_t stack_bytes) { return top - (stack_bytes - kMargin); }

thread_local bool t_on_kept_thread = false;

// Starts `entry(arg)` on a new thread with a stack of `stack_bytes`.
bool create_thread(pthread_t& th, size_t stack_bytes, void* (*entry)(void*), void* arg) {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return false;
  bool ok = pthread_attr_setstacksize(&attr, stack_bytes) == 0 && pthread_create(&th, &attr, entry, arg) == 0;
  pthread_attr_destroy(&attr);
  return ok;
}

class KeptThread {
 public:
  explicit KeptThread(size_t stack_bytes) : stack_bytes_(stack_bytes) {}
  KeptThread(const KeptThread&) = delete;
  KeptThread& operator=(const KeptThread&) = delete;

  bool start() { return started_ = create_thread(th_, stack_bytes_, &entry, this); }

  ~KeptThread() {
    if (!started_) return;
    {
      std::lock_guard lock(m_);
      stop_ = true;
    }
    cv_.notify_all();
    pthread_join(th_, nullptr);
  }

  size_t stack_bytes() const { return stack_bytes_; }

  void run(const std::function<void(uintptr_t)>& fn) {
    std::unique_lock lock(m_);
    job_ = &fn;
    error_ = nullptr;
    cv_.notify_all();
    cv_.wait(lock, [&] { return job_ == nullptr; });
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  static void* entry(void* self) {
    static_cast<KeptThread*>(self)->loop();
    return nullptr;
  }

  void loop() {
    t_on_kept_thread = true;
    char top;
    const uintptr_t top_addr = reinterpret_cast<uintptr_t>(&top);
    const uintptr_t limit = guard_below(top_addr, stack_bytes_);
    std::unique_lock lock(m_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || job_ != nullptr; });
      if (stop_) return;
      const auto* fn = job_;
      lock.unlock();
      std::exception_ptr error;
      try {
        (*fn)(limit);
      } catch (...) {
        error = std::current_exception();
      }
      release_deep_pages(top_addr);
      lock.lock();
      error_ = error;
      job_ = nullptr;
      cv_.notify_all();
    }
  }

  // Memory only: if the job touched the stack deeper than kKeepResident below the top, give
  // the pages below that point back (they are zero-filled again if a later job needs them).
  void release_deep_pages(uintptr_t top_addr) const {
    const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    if (stack_bytes_ <= kKeepResident + kMargin) return;
    const uintptr_t probe = (top_addr - kKeepResident) & ~(page - 1);
    unsigned char resident = 0;
    if (::mincore(reinterpret_cast<void*>(probe), page, &resident) != 0 || !(resident & 1)) return;
    const uintptr_t low = (top_addr - stack_bytes_ + kMargin / 2) & ~(page - 1);
    if (low < probe) ::madvise(reinterpret_cast<void*>(low), probe - low, MADV_DONTNEED);
  }

  const size_t stack_bytes_;
  pthread_t th_{};
  bool started_ = false;
  std::mutex m_;
  std::condition_variable cv_;
  const std::function<void(uintptr_t)>* job_ = nullptr;
  std::exception_ptr error_;
  bool stop_ = false;
};

thread_local std::unique_ptr<KeptThread> t_kept;

struct ThreadArg {
  const std::function<void(uintptr_t)>* fn;
  size_t stack_bytes;
  std::exception_ptr error;
};

void* fresh_thread_main(void* p) {
  auto* arg = static_cast<ThreadArg*>(p);
  char top;
  const uintptr_t limit = guard_below(reinterpret_cast<uintptr_t>(&top), arg->stack_bytes);
  try {
    (*arg->fn)(limit);
  } catch (...) {
    arg->error = std::current_exception();
  }
  return nullptr;
}

// A nested call from a kept thread's own job gets a thread of its own for that call.
bool run_on_fresh_thread(size_t stack_bytes, const std::function<void(uintptr_t)>& fn) {
  ThreadArg arg{&fn, stack_bytes, nullptr};
  pthread_t th;
  if (!create_thread(th, stack_bytes, fresh_thread_main, &arg)) return false;
  pthread_join(th, nullptr);
  if (arg.error) std::rethrow_exception(arg.error);
  return true;
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
  if (rc != 0 || size <= 2 * kMargin) return 0;
  return reinterpret_cast<uintptr_t>(low) + kMargin;
}

bool run_on_large_stack(size_t stack_bytes, const std::function<void(uintptr_t)>& fn) {
  stack_bytes = std::max<size_t>(stack_bytes, size_t{16} << 20);
  if (t_on_kept_thread) return run_on_fresh_thread(stack_bytes, fn);
  // A kept thread of another stack size is replaced: the guard, and so where runaway nesting
  // ends in kernel_limit, must depend on the options of this check only, not on earlier ones.
  if (!t_kept || t_kept->stack_bytes() != stack_bytes) {
    t_kept.reset();
    auto kept = std::make_unique<KeptThread>(stack_bytes);
    if (!kept->start()) return false;
    t_kept = std::move(kept);
  }
  t_kept->run(fn);
  return true;
}

}  // namespace leanbatch::host
