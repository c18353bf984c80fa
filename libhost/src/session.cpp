#include "leanbatch/host/session.hpp"

#include <sys/stat.h>

#include <algorithm>

namespace leanbatch::host {

Session::Session(SessionOptions opts) : opts_(std::move(opts)) {
  if (opts_.max_environments == 0) opts_.max_environments = 1;
}

std::expected<LoadedExport*, ReadError> Session::import(const std::string& path, const ReadOptions& ro) {
  struct stat sb {};
  uint64_t size = 0;
  int64_t mtime = 0;
  if (::stat(path.c_str(), &sb) == 0) {
    size = static_cast<uint64_t>(sb.st_size);
    mtime = static_cast<int64_t>(sb.st_mtim.tv_sec) * 1000000000 + sb.st_mtim.tv_nsec;
  }
  for (auto it = lru_.begin(); it != lru_.end(); ++it) {
    if (it->path != path) continue;
    // Asked for the bytes' digest (a split export's part), a copy read without it is read again.
    if (it->size == size && it->mtime_ns == mtime && (!ro.hash_bytes || it->env->bytes_sha256)) {
      lru_.splice(lru_.begin(), lru_, it);  // most recently used
      return &lru_.front();
    }
    lru_.erase(it);  // the file changed: reload
    break;
  }
  // Each export gets its own store, so that dropping it frees its memory (a mapped image is
  // its own store, likewise) — except with prefix reuse: a file that begins with the bytes
  // of the most recently used export read here is read into that export's store, starting
  // after the shared part (export_reader.hpp; the chain of shared stores is bounded there).
  ReadOptions with_prefix = ro;
  const LoadedExport* from = nullptr;
  if (opts_.prefix_reuse && opts_.check.reuse && !ro.hash_bytes) {
    with_prefix.record_trail = true;
    for (const LoadedExport& e : lru_)
      if (e.env && e.env->trail) {
        from = &e;
        break;
      }
    if (from) with_prefix.prefix_from = from->env;
  }
  ImageReport image;
  auto r = load_export(path, with_prefix, opts_.images, &image);
  if (!r) return std::unexpected(r.error());
  LoadedExport ex;
  ex.image = std::move(image);
  ex.path = path;
  ex.env = *r;
  ex.size = size;
  ex.mtime_ns = mtime;
  if (from && ex.env->seeded_decls > 0 && from->checker) {
    // The shared declarations' content digests carry over (Checker::seed_digests).
    ex.checker = std::make_unique<Checker>(ex.env, opts_.check);
    ex.checker->seed_digests(*from->checker);
  }
  lru_.push_front(std::move(ex));
  if (from && lru_.front().env->shared_prefix) {
    // The export the new one continues is superseded: its store lives on in the new one (or,
    // when that store was full, is let go), and its own state (checker, digests, trail) would
    // only add up along a sweep (4 held exports doubled a worker's memory). A sweep does not
    // come back to it; if a request does, it is read again, from the new one's prefix.
    for (auto it = std::next(lru_.begin()); it != lru_.end(); ++it)
      if (&*it == from) {
        lru_.erase(it);
        break;
      }
  }
  ++imports_;
  enforce_limits(&lru_.front());
  return &lru_.front();
}

std::vector<uint32_t> Session::resolve(const LoadedExport& ex, const std::vector<std::string>& names,
                                       std::vector<std::string>& missing) const {
  std::vector<uint32_t> out;
  for (const std::string& n : names) {
    auto hits = ex.env->find_printed(n);
    if (hits.empty()) missing.push_back(n);
    for (uint32_t ci : hits) out.push_back(ex.env->constant(ci).decl);
  }
  return out;
}

Checker& Session::checker_for(LoadedExport& ex, uint32_t part) {
  if (part == 0) {
    // Made on first use: a worker that only checks parts of this export never needs it
    // (each checker holds per-declaration state).
    if (!ex.checker) ex.checker = std::make_unique<Checker>(ex.env, opts_.check);
    return *ex.checker;
  }
  auto& slot = ex.parts[part];
  if (!slot) {
    CheckOptions o = opts_.check;
    o.assume_unselected = true;
    slot = std::make_unique<Checker>(ex.env, std::move(o));
  }
  return *slot;
}

void Session::poison(LoadedExport& ex, uint32_t decl, bool timeout, uint32_t part) {
  checker_for(ex, part).poison(decl, timeout);
}

CheckSummary Session::check(LoadedExport& ex, const std::vector<uint32_t>& selection,
                            const std::function<void(const DeclVerdict&)>& on_verdict, uint32_t part) {
  CheckSummary s = checker_for(ex, part).check(selection, on_verdict);
  enforce_limits(&ex);
  return s;
}

size_t Session::retained_bytes() const {
  // A store shared by several exports (prefix reuse) counts once.
  size_t b = 0;
  std::vector<const TermStore*> seen;
  for (const LoadedExport& ex : lru_) {
    if (!ex.env) continue;
    const TermStore* s = &ex.env->store();
    if (std::find(seen.begin(), seen.end(), s) != seen.end()) continue;
    seen.push_back(s);
    b += ex.bytes();
  }
  return b;
}

void Session::enforce_limits(const LoadedExport* keep) {
  // Drop least recently used exports (never the one in use) beyond the limits.
  while (lru_.size() > 1) {
    bool over = lru_.size() > opts_.max_environments ||
                (opts_.max_retained_bytes != 0 && retained_bytes() > opts_.max_retained_bytes);
    if (!over || &lru_.back() == keep) break;
    lru_.pop_back();
  }
}

}  // namespace leanbatch::host
