#include "leanbatch/supervise/spawn.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <boost/process/pipe.hpp>
#include <fmt/format.h>

namespace leanbatch::supervise {

namespace bp = boost::process;

namespace {

// Boost.Process extension: runs in the forked child just before execve.
struct ExecSetup : bp::extend::handler {
  HardeningOptions options;

  template <class Executor>
  void on_exec_setup(Executor& exec) const {
    const char* step = "hardening";
    if (int err = harden_current_process(options, &step); err != 0) {
      // set_error() reports through Boost's CLOEXEC error pipe; we must not go on to exec
      // an unhardened child, so leave right away.
      exec.set_error(std::error_code(err, std::system_category()), step);
      ::_exit(127);
    }
  }

  template <class Executor>
  void on_error(Executor& exec, const std::error_code&) const {
    // Boost reaps a child whose exec failed with waitpid(WNOHANG), which loses the race
    // against the child's _exit and leaves a zombie. Reap it for real (ECHILD if Boost won).
    if (exec.pid > 0) {
      int status = 0;
      while (::waitpid(exec.pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
};

std::unexpected<SpawnError> failure(std::error_code ec, std::string what) {
  return std::unexpected(SpawnError{ec, fmt::format("{}: {}", what, ec.message())});
}

// bp::pipe closes whatever ends it still owns; take the parent's end back out of it.
UniqueFd take_sink(bp::pipe& p) {
  UniqueFd fd(p.native_sink());
  p.assign_sink(-1);
  return fd;
}

UniqueFd take_source(bp::pipe& p) {
  UniqueFd fd(p.native_source());
  p.assign_source(-1);
  return fd;
}

}  // namespace

std::expected<SpawnedChild, SpawnError> spawn_child(const SpawnOptions& options) {
  auto in = make_pipe();
  if (!in) return failure(in.error(), "pipe");
  auto out = make_pipe();
  if (!out) return failure(out.error(), "pipe");
  auto err = make_pipe();
  if (!err) return failure(err.error(), "pipe");
  for (int fd : {in->write.get(), out->read.get(), err->read.get()}) {
    if (auto ec = set_nonblocking(fd)) return failure(ec, "fcntl(O_NONBLOCK)");
  }
  // The child's answers get a pipe of up to 1 MB (best effort: the system caps it with
  // /proc/sys/fs/pipe-max-size; failing to grow it is harmless). With Linux's default of
  // 64 KB, a child streaming rows stopped in write() whenever the parent was busy with the
  // previous answer for longer than a few hundred rows took: 11 % of a worker's wall time in a
  // 200-module sweep at -j1. Backpressure is unchanged, only later.
  (void)::fcntl(out->read.get(), F_SETPIPE_SZ, 1 << 20);

  ExecSetup setup;
  setup.options = options.hardening;
  setup.options.parent_pid = ::getpid();

  // The one place where Boost (and allocation) exceptions are turned into a value.
  try {
    bp::environment env = boost::this_process::environment();
    for (const auto& [key, value] : options.environment) env[key] = value;

    bp::pipe in_pipe(in->read.release(), in->write.release());
    bp::pipe out_pipe(out->read.release(), out->write.release());
    bp::pipe err_pipe(err->read.release(), err->write.release());
    std::error_code ec;
    bp::child child(bp::exe = options.executable.string(), bp::args = options.arguments, env,
                    bp::std_in < in_pipe, bp::std_out > out_pipe, bp::std_err > err_pipe, setup, ec);
    if (ec) return failure(ec, fmt::format("spawn '{}'", options.executable.string()));
    // From here on ChildProcess owns the pid; Boost's child must not wait for or kill it.
    pid_t pid = child.id();
    child.detach();
    return SpawnedChild{ChildProcess(pid), take_sink(in_pipe), take_source(out_pipe), take_source(err_pipe)};
  } catch (const std::system_error& e) {
    return failure(e.code(), fmt::format("spawn '{}'", options.executable.string()));
  } catch (const std::exception& e) {
    return std::unexpected(SpawnError{std::make_error_code(std::errc::resource_unavailable_try_again),
                                      fmt::format("spawn '{}': {}", options.executable.string(), e.what())});
  }
}

std::expected<std::filesystem::path, std::error_code> executable_beside_self(std::string_view name) {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::unexpected(ec);
  return self.parent_path() / name;
}

}  // namespace leanbatch::supervise
