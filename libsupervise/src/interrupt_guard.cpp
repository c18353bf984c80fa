#include "leanbatch/supervise/interrupt_guard.hpp"

#include <cassert>
#include <ctime>
#include <initializer_list>

namespace leanbatch::supervise {

namespace {

volatile sig_atomic_t g_interrupt_signal = 0;
bool g_guard_alive = false;

// Async-signal-safe by construction: it only stores the first signal number.
void record_signal(int sig) {
  if (g_interrupt_signal == 0) g_interrupt_signal = sig;
}

sigset_t interrupt_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

InterruptGuard::InterruptGuard() {
  assert(!g_guard_alive && "only one InterruptGuard at a time");
  g_guard_alive = true;
  g_interrupt_signal = 0;
  sigset_t set = interrupt_set();
  [[maybe_unused]] int rc = ::sigprocmask(SIG_BLOCK, &set, &old_mask_);
  assert(rc == 0);
  struct sigaction act {};
  act.sa_handler = record_signal;
  sigemptyset(&act.sa_mask);
  ::sigaction(SIGINT, &act, &old_int_);
  ::sigaction(SIGTERM, &act, &old_term_);
  ::sigaction(SIGHUP, &act, &old_hup_);
  // A signal unblocked only inside ppoll must not be blocked in the wait mask either.
  wait_mask_ = old_mask_;
  sigdelset(&wait_mask_, SIGINT);
  sigdelset(&wait_mask_, SIGTERM);
  sigdelset(&wait_mask_, SIGHUP);
}

InterruptGuard::~InterruptGuard() {
  // A signal still pending would hit the restored handler (usually: kill us) the moment
  // the mask is restored, which is what the user asked for when nobody consumed it.
  ::sigaction(SIGINT, &old_int_, nullptr);
  ::sigaction(SIGTERM, &old_term_, nullptr);
  ::sigaction(SIGHUP, &old_hup_, nullptr);
  ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
  g_guard_alive = false;
}

int InterruptGuard::interrupted() const {
  if (g_interrupt_signal != 0) return g_interrupt_signal;
  // A signal raised while blocked (outside ppoll) is pending, not delivered. Consume it
  // here: it has been handled, and it must not fire the restored handler (default action:
  // die) when the guard goes away.
  sigset_t set = interrupt_set();
  timespec zero{0, 0};
  int sig = ::sigtimedwait(&set, nullptr, &zero);
  if (sig > 0) record_signal(sig);
  return g_interrupt_signal;
}

void InterruptGuard::clear() { g_interrupt_signal = 0; }

}  // namespace leanbatch::supervise
