#pragma once
// Running the leanbatch binary from tests: argv (no shell), optional standard input and
// extra environment, stdout and stderr captured separately.
#include <filesystem>
#include <fstream>
#include <catch2/catch.hpp>
#include <simdjson.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace lbcli {

struct Proc {
  int exit = -1;
  std::string out, err;
  std::vector<std::string> rows() const {
    std::vector<std::string> r;
    for (size_t pos = 0; pos < out.size();) {
      size_t nl = out.find('\n', pos);
      if (nl == std::string::npos) nl = out.size();
      if (nl > pos) r.push_back(out.substr(pos, nl - pos));
      pos = nl + 1;
    }
    return r;
  }
  /// The rows whose "type" is `type`.
  std::vector<std::string> rows_of(const std::string& type) const;
};

inline std::string corpus(const std::string& rel) { return std::string(LB_SOURCE_DIR) + "/corpora/" + rel; }

/// A row's field as text: strings without quotes, anything else as JSON ("" if absent).
inline std::string field(const std::string& row, const char* key) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(row).get(doc) != simdjson::SUCCESS) return "";
  simdjson::dom::element v;
  if (doc[key].get(v) != simdjson::SUCCESS) return "";
  if (v.type() == simdjson::dom::element_type::STRING) return std::string(std::string_view(v));
  return simdjson::to_string(v);
}

inline std::vector<std::string> Proc::rows_of(const std::string& type) const {
  std::vector<std::string> r;
  for (const std::string& row : rows())
    if (field(row, "type") == type) r.push_back(row);
  return r;
}

/// Runs `leanbatch args…` (or `bin` when given) with `input` on its standard input and
/// `env` ("NAME=value") added to the environment.
inline Proc run(const std::vector<std::string>& args, const std::string& input = {},
                const std::vector<std::string>& env = {}, const char* bin = LEANBATCH_BIN,
                std::chrono::milliseconds interrupt_after = {}, int sig = SIGINT) {
  signal(SIGPIPE, SIG_IGN);  // a child that never reads its input must not kill the test
  int in_pipe[2], out_pipe[2], err_pipe[2];
  REQUIRE(pipe(in_pipe) == 0);
  REQUIRE(pipe(out_pipe) == 0);
  REQUIRE(pipe(err_pipe) == 0);
  // Everything the child needs is built before fork(): the test process has threads, and a
  // forked child of a threaded process may only make async-signal-safe calls (an allocation
  // could wait forever on a lock another thread held at the fork).
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) {
    std::string_view var(*e);
    bool overridden = false;
    for (const std::string& o : env)
      overridden |= o.find('=') != std::string::npos && var.substr(0, o.find('=') + 1) == o.substr(0, o.find('=') + 1);
    if (!overridden) envs.emplace_back(var);
  }
  envs.insert(envs.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (std::string& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<char*> argv{const_cast<char*>(bin)};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    execve(bin, argv.data(), envp.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  std::thread writer([fd = in_pipe[1], &input] {
    for (size_t done = 0; done < input.size();) {
      ssize_t n = write(fd, input.data() + done, input.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    close(fd);
  });
  Proc r;
  // Optionally a signal (SIGINT: an interrupted run) after a delay.
  std::thread killer;
  if (interrupt_after.count() > 0)
    killer = std::thread([=] {
      std::this_thread::sleep_for(interrupt_after);
      kill(pid, sig);
    });
  std::thread err_reader([&] {
    char buf[4096];
    ssize_t n;
    while ((n = read(err_pipe[0], buf, sizeof buf)) > 0) r.err.append(buf, static_cast<size_t>(n));
  });
  char buf[65536];
  ssize_t n;
  while ((n = read(out_pipe[0], buf, sizeof buf)) > 0) r.out.append(buf, static_cast<size_t>(n));
  err_reader.join();
  writer.join();
  if (killer.joinable()) killer.join();
  int st = 0;
  waitpid(pid, &st, 0);
  close(out_pipe[0]);
  close(err_pipe[0]);
  r.exit = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

inline std::string slurp(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  REQUIRE(f != nullptr);
  std::string s;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  std::fclose(f);
  return s;
}

/// The three ways a check runs, for tests that must hold in every mode.
inline const std::vector<std::vector<std::string>> kModes{{"--in-process"}, {"-j1"}, {"-j2"}};

/// `args` followed by `more`.
inline std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

/// An empty path under the build directory, unique to this test process: PREFIX-PID-NAME.
inline std::string fresh_dir(const std::string& prefix, const std::string& name) {
  std::string d = std::string(LB_BINARY_DIR) + "/" + prefix + "-" + std::to_string(getpid()) + "-" + name;
  std::filesystem::remove_all(d);
  return d;
}

/// Writes an executable shell script at `path` that runs `before` and then the real
/// leanbatch-worker with its arguments (for LEANBATCH_WORKER: a worker whose start does
/// something first, e.g. changes the export it is about to read). Returns `path`.
inline std::string worker_wrapper(const std::string& path, const std::string& before) {
  std::ofstream(path) << "#!/bin/sh\n" << before << "\nexec '"
                      << (std::filesystem::path(LEANBATCH_BIN).parent_path() / "leanbatch-worker").string()
                      << "' \"$@\"\n";
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path;
}

}  // namespace lbcli
