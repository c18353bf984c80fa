// The image directory: content keys (SHA-256 of the bytes, or the file state in a run's private directory), image names, and load_export,
// which maps a valid image or reads the export and builds one, one builder per image.
#include <dirent.h>
#include <fcntl.h>
#include <malloc.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <type_traits>
#include <thread>

#include "../file_identity.hpp"
#include "image_format.hpp"
#include "leanbatch/host/export_image.hpp"

namespace leanbatch::host {

const char* to_string(ImageUse u) {
  switch (u) {
    case ImageUse::Off: return "off";
    case ImageUse::Mapped: return "mapped";
    case ImageUse::Built: return "built";
    case ImageUse::Failed: return "failed";
  }
  return "?";
}

namespace {

/// What identifies one state of a file's contents without reading them.
using FileState = FileIdentity;
// Hashed as bytes (state keys): no padding may carry garbage.
static_assert(std::has_unique_object_representations_v<FileState>);

std::string hex(const uint8_t* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

ContentKey sha256(const void* data, size_t n) {
  ContentKey k{};
  unsigned len = 0;
  EVP_Digest(data, n, k.data(), &len, EVP_sha256(), nullptr);
  return k;
}

std::string errno_text() { return std::strerror(errno); }

std::expected<ContentKey, std::string> hash_file(int fd) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    return std::unexpected("SHA-256 unavailable");
  }
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t r = ::read(fd, buf.data(), buf.size());
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      EVP_MD_CTX_free(ctx);
      return std::unexpected("cannot read: " + errno_text());
    }
    if (r == 0) break;
    EVP_DigestUpdate(ctx, buf.data(), static_cast<size_t>(r));
  }
  ContentKey k{};
  unsigned len = 0;
  EVP_DigestFinal_ex(ctx, k.data(), &len);
  EVP_MD_CTX_free(ctx);
  return k;
}

// The content key and the file state it belongs to.
// `state_keyed`, if given, says whether the key is the state (else the bytes' SHA-256).
std::expected<ContentKey, std::string> keyed(const std::string& path, FileState& state, bool by_state = false,
                                             bool* state_keyed = nullptr) {
  if (state_keyed) *state_keyed = false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected("cannot open '" + path + "': " + errno_text());
  struct stat sb {};
  if (::fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    ::close(fd);
    return std::unexpected("'" + path + "' is not a regular file");
  }
  state = file_identity(sb);
  // In a run's private directory (speed only, never seen by another run) a state older than
  // now by a margin far above the timestamp granularity is the key itself: the image then
  // stands for the bytes its builder read under that state, and every worker of the run
  // checks those same bytes (docs/kernel.md, "Export images").
  const int64_t now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const bool old_enough = std::max(state.mtime_ns, state.ctime_ns) < now_ns - 2'000'000'000LL;
  if (by_state && old_enough) {
    if (state_keyed) *state_keyed = true;
    ::close(fd);
    std::string id = "leanbatch-state-key-1\n" + path + '\n';
    id.append(reinterpret_cast<const char*>(&state), sizeof state);
    return sha256(id.data(), id.size());
  }
  // Soundness: the bytes are hashed every time. A memo of the digest by file state (device,
  // inode, size, mtime, ctime) was trusted here until 2026-12-08, on the belief that every
  // write sets ctime; a store through a shared writable mapping into a page that is already
  // dirty sets neither, so a kept image or a whole export's stored rows stood for bytes the
  // file no longer held (a false theorem replayed as accepted).
  auto k = hash_file(fd);
  struct stat after {};
  bool same = ::fstat(fd, &after) == 0 && file_identity(after) == state;
  ::close(fd);
  if (!k) return k;
  if (!same) return std::unexpected("'" + path + "' changed while it was hashed");
  return k;
}

bool current_state(const std::string& path, FileState& s) {
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0) return false;
  s = file_identity(sb);
  return true;
}

/// An exclusive lock on `path` (created if needed), polled so that cancellation is seen.
class BuildLock {
 public:
  /// Waits for the lock (polling, so that a cancelled read stops waiting).
  bool acquire(const std::string& path, const CancelToken* cancel, std::string& err) {
    if (fd_ < 0) fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      err = "cannot create the lock '" + path + "': " + errno_text();
      return false;
    }
    for (;;) {
      if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return true;
      if (errno != EWOULDBLOCK && errno != EINTR) {
        err = "cannot lock '" + path + "': " + errno_text();
        return false;
      }
      if (cancel && cancel->requested()) {
        err = "cancelled";
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~BuildLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }

 private:
  int fd_ = -1;
};

// Removes IMAGE.tmp.* in `dir` (write_image's temporary files of this image).
void remove_leftovers(const std::string& dir, const std::string& image) {
  const std::string prefix = image.substr(image.find_last_of('/') + 1) + ".tmp.";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (const dirent* e = ::readdir(d))
    if (std::strncmp(e->d_name, prefix.c_str(), prefix.size()) == 0) ::unlinkat(::dirfd(d), e->d_name, 0);
  ::closedir(d);
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::expected<ContentKey, std::string> content_key(const std::string& path) {
  FileState s;
  return keyed(path, s);
}

std::string image_file_name(const ContentKey& key) {
  std::string id = "leanbatch-image\n" + std::to_string(image::kFormatVersion) + '\n' + image::build_version() + '\n' +
                   image::build_fingerprint() + '\n';
  id.append(reinterpret_cast<const char*>(key.data()), key.size());
  ContentKey h = sha256(id.data(), id.size());
  return hex(h.data(), 20) + ".lbimage";
}

ReadResult load_export(const std::string& path, const ReadOptions& ro, const ImageOptions& io, ImageReport* report) {
  ImageReport local;
  ImageReport& rep = report ? *report : local;
  rep = ImageReport{};
  auto plain = [&] { return read_export_file(path, std::make_shared<TermStore>(), ro); };
  FileState st;
  if (io.dir.empty() || !current_state(path, st) || st.size < io.min_bytes) return plain();
  auto failed = [&](std::string why) {
    rep.use = ImageUse::Failed;
    rep.note = std::move(why);
    return plain();
  };
  ::mkdir(io.dir.c_str(), 0755);
  bool state_keyed = false;
  auto key = keyed(path, st, io.private_dir, &state_keyed);
  if (!key) return failed(key.error());
  rep.image = io.dir + "/" + image_file_name(*key);
  const auto t0 = std::chrono::steady_clock::now();
  auto try_map = [&](std::string& why) -> std::shared_ptr<Environment> {
    struct stat sb {};
    if (::stat(rep.image.c_str(), &sb) != 0) return nullptr;  // none yet
    auto env = map_image(rep.image, *key, path);
    if (env) {
      // The file as keyed: the image holds the bytes read under this state (the builder
      // checked that its read saw this identity), and bytes with the key's digest unless the key is the state.
      (*env)->source_file = st;
      return *env;
    }
    why = "image '" + rep.image + "' not used: " + env.error();
    return nullptr;
  };
  std::string why;
  if (auto env = try_map(why)) {
    rep.use = ImageUse::Mapped;
    rep.seconds = since(t0);
    return env;
  }
  // Build it, once: whoever holds the lock builds; the others wait and map what it wrote
  // (one parse for N workers, and one copy in memory: reading in parallel as well was
  // measured no faster on 2 cores, since the builder writes while the others would wait
  // anyway, and it doubled the peak memory; docs/benchmarks.md).
  BuildLock lock;
  std::string err;
  if (!lock.acquire(rep.image + ".lock", ro.cancel, err)) {
    if (ro.cancel && ro.cancel->requested())
      return std::unexpected(ReadError{ReadErrorKind::Cancelled, path, 0, 0, "cancelled"});
    return failed(err);
  }
  // Holding the lock, no one else writes this image: temporary files of it are left by a
  // builder that died (killed mid-write), and go.
  remove_leftovers(io.dir, rep.image);
  why.clear();
  if (auto env = try_map(why)) {
    rep.use = ImageUse::Mapped;
    rep.seconds = since(t0);
    return env;
  }
  if (!why.empty()) ::unlink(rep.image.c_str());  // damaged, foreign or stale: rebuilt below
  // An image holds its export alone: never read into another export's store (prefix reuse).
  // The bytes parsed are hashed (the image records them, for the parts of a split export),
  // and in a kept directory they must be the bytes the key was made from: the file may have
  // changed between the two reads, even without new times (through a shared mapping).
  ReadOptions alone = ro;
  alone.prefix_from = nullptr;
  alone.record_trail = false;
  alone.hash_bytes = true;
  if (io.around_read) io.around_read(false);
  auto read = read_export_file(path, std::make_shared<TermStore>(), alone);
  if (io.around_read) io.around_read(true);
  if (!read) return read;
  rep.note = why.empty() ? "" : why + "; rebuilt";
  FileState now;
  // Soundness: the image is filed under the key and mapped with the keyed file's identity, so
  // the read must have seen that very file (the descriptor it read, not the path: a symlink
  // on the path re-pointed around the read gave one file's bytes under another's identity,
  // review 6) and, unless the key is the state itself, bytes with the key's digest.
  const bool same_file = (*read)->source_file && *(*read)->source_file == st;
  const bool same_bytes = state_keyed || ((*read)->bytes_sha256 && *(*read)->bytes_sha256 == *key);
  if (!current_state(path, now) || !(now == st) || !same_file || !same_bytes) {
    rep.use = ImageUse::Failed;
    rep.note = "'" + path + "' changed while it was read; no image written";
    return read;
  }
  const auto t1 = std::chrono::steady_clock::now();
  auto w = write_image(**read, *key, rep.image);
  if (!w) {
    rep.use = ImageUse::Failed;
    rep.note = w.error();
    return read;
  }
  rep.use = ImageUse::Built;
  if (io.share) {
    // The heap copy goes first, and its pages go back to the system (else they stay
    // resident): holding it while mapping (which reads every page to check it) was this
    // process's peak, heap and image at once (measured: 310 MB for Init.Prelude x100,
    // against 150 after). If the mapping then fails, the export is read again.
    const double read_seconds = (*read)->stats.seconds;
    const std::optional<FileIdentity> source = (*read)->source_file;
    read = ReadResult{};
    ::malloc_trim(0);
    auto mapped = map_image(rep.image, *key, path);
    if (mapped) {
      (*mapped)->stats.seconds = read_seconds;
      (*mapped)->source_file = source;
      rep.seconds = since(t1);
      return *mapped;
    }
    rep.use = ImageUse::Failed;
    rep.note = "image '" + rep.image + "' written but not mapped: " + mapped.error();
    return plain();
  }
  rep.seconds = since(t1);
  return read;
}

}  // namespace leanbatch::host
