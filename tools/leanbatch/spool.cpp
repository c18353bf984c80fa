#include "leanbatch/spool.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace leanbatch::tools {

std::string temp_root() {
  const char* t = std::getenv("TMPDIR");
  return (t && *t) ? t : "/tmp";
}

namespace {

// Copies everything readable from `in` to `out`; false with errno set on failure.
bool copy_all(int in, int out) {
  static constexpr size_t kBuf = 1 << 20;
  std::string buf(kBuf, '\0');
  for (;;) {
    ssize_t n = ::read(in, buf.data(), kBuf);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out, buf.data() + done, static_cast<size_t>(n - done));
      if (w < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      done += w;
    }
  }
}

}  // namespace

Spool::~Spool() {
  if (dir_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

bool Spool::is_stream(const std::string& path) {
  if (path == "-") return true;
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0) return false;
  return S_ISFIFO(sb.st_mode) || S_ISCHR(sb.st_mode) || S_ISSOCK(sb.st_mode);
}

std::expected<std::string, std::string> Spool::resolve(const std::string& path) {
  if (!is_stream(path)) return path;
  if (auto it = copies_.find(path); it != copies_.end()) return it->second;
  if (dir_.empty()) {
    std::string tmpl = temp_root() + "/leanbatch-spool-XXXXXX";
    if (!::mkdtemp(tmpl.data()))
      return std::unexpected("cannot create a temporary directory in " + temp_root() + ": " + std::strerror(errno));
    dir_ = tmpl;
  }
  std::string copy = dir_ + "/" + std::to_string(copies_.size()) + ".ndjson";
  int in = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return std::unexpected(std::string("cannot open: ") + std::strerror(errno));
  int out = ::open(copy.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) {
    int e = errno;
    if (in != STDIN_FILENO) ::close(in);
    return std::unexpected("cannot create " + copy + ": " + std::strerror(e));
  }
  bool ok = copy_all(in, out);
  int e = errno;
  if (::close(out) != 0 && ok) {
    ok = false;
    e = errno;
  }
  if (in != STDIN_FILENO) ::close(in);
  if (!ok) return std::unexpected("cannot copy the stream to " + copy + ": " + std::strerror(e));
  copies_.emplace(path, copy);
  return copy;
}

}  // namespace leanbatch::tools
