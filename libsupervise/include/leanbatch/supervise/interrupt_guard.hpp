#pragma once
/// SIGINT/SIGTERM/SIGHUP handling the ninja way.
///
/// While an InterruptGuard lives, those signals are blocked; the pool's ppoll() unblocks
/// them atomically for the duration of the wait only (wait_mask()), so a signal can never
/// arrive between "check the flag" and "go to sleep". The handler only records the signal
/// number. Pool::run() then stops dispatching, kills the children, reports every unfinished
/// job as cancelled and returns Interrupted; the tool exits with 130.
///
/// At most one guard may exist at a time (asserted). Not for use from several threads.
#include <csignal>

namespace leanbatch::supervise {

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  /// The signal mask to wait with: the one in force before the guard, with SIGINT, SIGTERM
  /// and SIGHUP unblocked.
  const sigset_t* wait_mask() const { return &wait_mask_; }
  /// The first interrupting signal received (SIGINT, SIGTERM or SIGHUP), or 0. Also
  /// consumes a signal that is pending because it arrived while blocked.
  int interrupted() const;
  /// Forgets a received signal (e.g. after the tool handled it).
  void clear();

 private:
  sigset_t old_mask_;
  sigset_t wait_mask_;
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
  struct sigaction old_hup_ {};
};

}  // namespace leanbatch::supervise
