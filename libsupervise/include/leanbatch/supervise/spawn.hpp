#pragma once
/// Starting one child with its three standard streams on pipes (Boost.Process v1, no shell).
///
/// The child's stdin/stdout/stderr are pipes whose parent ends come back as UniqueFds
/// (close-on-exec, nonblocking); the child is hardened in its exec setup
/// (child_hardening.hpp). Spawn failures, including exec failures such as a missing
/// executable, are values: nothing throws out of spawn_child().
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "leanbatch/supervise/child_hardening.hpp"
#include "leanbatch/supervise/child_process.hpp"
#include "leanbatch/supervise/unique_fd.hpp"

namespace leanbatch::supervise {

using EnvironmentVars = std::vector<std::pair<std::string, std::string>>;

struct SpawnOptions {
  /// Executed directly with execve (no PATH search, no shell).
  std::filesystem::path executable;
  std::vector<std::string> arguments;
  /// Set on top of the inherited environment; later entries win over earlier ones.
  EnvironmentVars environment;
  /// parent_pid is filled in by spawn_child().
  HardeningOptions hardening;
};

struct SpawnedChild {
  ChildProcess process;
  UniqueFd stdin_pipe;   ///< write end, nonblocking
  UniqueFd stdout_pipe;  ///< read end, nonblocking
  UniqueFd stderr_pipe;  ///< read end, nonblocking
};

struct SpawnError {
  std::error_code code;
  std::string message;  ///< e.g. "execve failed: No such file or directory"
};

std::expected<SpawnedChild, SpawnError> spawn_child(const SpawnOptions& options);

/// `name` in the directory of the running executable (/proc/self/exe): how a tool finds
/// its worker binary installed next to it, without consulting PATH.
std::expected<std::filesystem::path, std::error_code> executable_beside_self(std::string_view name);

}  // namespace leanbatch::supervise
