// Writing an export image file atomically, and mapping one after validating all of it.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>

#include "env_image.hpp"
#include "image_io.hpp"
#include "leanbatch/host/export_image.hpp"
#include "store_image.hpp"

#ifndef LEANBATCH_VERSION
#define LEANBATCH_VERSION "0.0.0"
#endif
#ifndef LEANBATCH_IMAGE_FINGERPRINT
#error "LEANBATCH_IMAGE_FINGERPRINT must name the reader and store sources (libhost/CMakeLists.txt)"
#endif

namespace leanbatch::host {

namespace image {
const char* build_version() { return LEANBATCH_VERSION; }
const char* build_fingerprint() { return LEANBATCH_IMAGE_FINGERPRINT; }
}  // namespace image

namespace {

using image::Header;
using image::kPage;

void copy_field(char* dst, size_t cap, const char* src) {
  std::memset(dst, 0, cap);
  std::strncpy(dst, src, cap - 1);
}

bool same_field(const char* field, size_t cap, const char* want) {
  return ::strnlen(field, cap) < cap && std::strcmp(field, want) == 0;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

struct Mapping {
  void* p = MAP_FAILED;
  size_t n = 0;
  ~Mapping() {
    if (p != MAP_FAILED) ::munmap(p, n);
  }
};

std::string errno_text() { return std::strerror(errno); }

}  // namespace

std::expected<void, std::string> write_image(const Environment& env, const ContentKey& key, const std::string& path) {
  if (env.store().scratch_active()) return std::unexpected("the store is in scratch mode");
  static std::atomic<uint64_t> counter{0};
  const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  Fd f;
  f.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (f.fd < 0) return std::unexpected("cannot create '" + tmp + "': " + errno_text());
  auto fail = [&](std::string why) -> std::expected<void, std::string> {
    ::unlink(tmp.c_str());
    return std::unexpected(std::move(why));
  };
  image::SectionWriter w(f.fd);
  StoreImage::write(env.store(), w);
  std::vector<char> blob = encode_environment(env);
  w.add(image::Env, blob.data(), blob.size(), blob.size());
  if (!w.error.empty()) return fail("cannot write '" + tmp + "': " + w.error);

  Header h{};
  std::memcpy(h.magic, image::kMagic, sizeof h.magic);
  h.format_version = image::kFormatVersion;
  h.endian = image::kEndianMarker;
  copy_field(h.leanbatch_version, sizeof h.leanbatch_version, image::build_version());
  copy_field(h.fingerprint, sizeof h.fingerprint, image::build_fingerprint());
  std::memcpy(h.content_key, key.data(), key.size());
  if (env.bytes_sha256) {
    std::memcpy(h.bytes_sha256, env.bytes_sha256->data(), 32);
    h.has_bytes_sha256 = 1;
  }
  h.export_bytes = env.stats.bytes;
  h.image_bytes = w.size();
  h.nsections = static_cast<uint32_t>(w.sections.size());
  for (size_t i = 0; i < w.sections.size(); ++i) h.sections[i] = w.sections[i];
  h.header_checksum = image::checksum(&h, offsetof(Header, header_checksum));
  // The whole reserved extent must exist (holes are fine): mappings never pass the end.
  if (::ftruncate(f.fd, static_cast<off_t>(h.image_bytes)) != 0) return fail("cannot size '" + tmp + "': " + errno_text());
  if (::pwrite(f.fd, &h, sizeof h, 0) != static_cast<ssize_t>(sizeof h)) return fail("cannot write '" + tmp + "': " + errno_text());
  if (::close(f.fd) != 0) {
    f.fd = -1;
    return fail("cannot write '" + tmp + "': " + errno_text());
  }
  f.fd = -1;
  // Readers see either no image or a complete one. No fsync: after a power loss a renamed
  // but unwritten image fails its checksums and is rebuilt.
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename to '" + path + "': " + errno_text());
  return {};
}

std::expected<std::shared_ptr<Environment>, std::string> map_image(const std::string& path, const ContentKey& key,
                                                                   const std::string& source) {
  const auto t0 = std::chrono::steady_clock::now();
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) return std::unexpected("cannot open: " + errno_text());
  struct stat sb {};
  if (::fstat(f.fd, &sb) != 0) return std::unexpected("cannot stat: " + errno_text());
  const auto size = static_cast<uint64_t>(sb.st_size);
  if (size < kPage) return std::unexpected("truncated (" + std::to_string(size) + " bytes)");
  Mapping m;
  m.n = size;
  m.p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, f.fd, 0);
  if (m.p == MAP_FAILED) return std::unexpected("cannot map: " + errno_text());
  const auto* h = static_cast<const Header*>(m.p);
  if (std::memcmp(h->magic, image::kMagic, sizeof h->magic) != 0) return std::unexpected("not an export image");
  if (h->endian != image::kEndianMarker) return std::unexpected("made on another architecture");
  if (h->header_checksum != image::checksum(h, offsetof(Header, header_checksum)))
    return std::unexpected("damaged header (checksum mismatch)");
  if (h->format_version != image::kFormatVersion)
    return std::unexpected("image format " + std::to_string(h->format_version) + ", this build reads " +
                           std::to_string(image::kFormatVersion));
  if (!same_field(h->leanbatch_version, sizeof h->leanbatch_version, image::build_version()) ||
      !same_field(h->fingerprint, sizeof h->fingerprint, image::build_fingerprint()))
    return std::unexpected("made by another leanbatch build");
  if (std::memcmp(h->content_key, key.data(), key.size()) != 0) return std::unexpected("made from other content");
  if (h->image_bytes != size)
    return std::unexpected("truncated or extended (" + std::to_string(size) + " bytes, header says " +
                           std::to_string(h->image_bytes) + ")");
  if (h->nsections > image::kMaxSections) return std::unexpected("damaged section table");
  image::ImageView v{static_cast<const uint8_t*>(m.p), size, h, f.fd};
  for (uint32_t i = 0; i < h->nsections; ++i) {
    const image::SectionEntry& s = h->sections[i];
    if (s.offset % kPage != 0 || s.offset < kPage || s.reserved < s.bytes || s.offset > size ||
        s.reserved > size - s.offset)
      return std::unexpected("damaged section table");
    if (image::checksum(v.base + s.offset, s.bytes) != s.checksum)
      return std::unexpected("damaged section " + std::to_string(s.id) + " (checksum mismatch)");
  }
  auto store = std::make_shared<TermStore>();
  std::string err;
  if (!StoreImage::load(*store, v, err)) return std::unexpected(err);
  auto env = std::make_shared<Environment>(store);
  const image::SectionEntry* es = v.find(image::Env);
  if (!es) return std::unexpected("environment section missing");
  if (!decode_environment(v.data<char>(*es), es->bytes, *env, err)) return std::unexpected(err);
  env->source = source;
  if (h->has_bytes_sha256) {
    std::array<uint8_t, 32> d{};
    std::memcpy(d.data(), h->bytes_sha256, 32);
    env->bytes_sha256 = d;
  }
  env->stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return env;
}

}  // namespace leanbatch::host
