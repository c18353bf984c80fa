// Checking through supervised workers: which copy of an export each answer's rows come from
// (soundness: docs/kernel.md, "One export over several workers"; docs/protocol.md, "Which
// copy"). The rest of the engine: supervised_run.cpp, supervised_parts.cpp, supervised_rows.cpp.
#include "leanbatch/supervised_engine.hpp"
#include "leanbatch/file_cache.hpp"

namespace leanbatch::tools {
namespace supervised {

namespace {
// One rule for "the same copy of the export" (import answers and check answers alike): the
// same file identity (never empty) and declaration count, and the same SHA-256 where both
// answers hashed the bytes. `need_content`: this answer must have hashed them (split exports
// and --cache ask for it) and match the export's digest.
bool same_copy(const proto::CopyIdentity& first, const proto::CopyIdentity& c, bool need_content) {
  if (c.source.empty() || c.source != first.source || c.declarations != first.declarations) return false;
  if (need_content) return !c.content.empty() && c.content == first.content;
  return c.content.empty() || first.content.empty() || c.content == first.content;
}

// The export's digest, from the first answer that hashed the bytes of its first copy (the
// first answer may not have hashed them: an import for a run that was not split).
void adopt_content(proto::CopyIdentity& first, const proto::CopyIdentity& c) {
  if (first.content.empty() && !c.content.empty() && c.source == first.source && c.declarations == first.declarations)
    first.content = c.content;
}
}  // namespace

// The first copy of an export a worker answered for is the export's; an import answer for
// another copy (the file changed between two workers' reads) means no answer about it can be
// trusted to match the others: every later check answer is then not used (on_check).
void Engine::note_copy(size_t f, const proto::ImportResponse& info) {
  FileState& fs = files_[f];
  proto::CopyIdentity c{info.source, info.content, info.declarations};
  if (!fs.copy) {
    fs.copy = c;
    return;
  }
  adopt_content(*fs.copy, c);
  if (!same_copy(*fs.copy, c, false)) fs.changed = true;
}

// Whether answer `o` to `job` (of item state `s`) may be used: its rows come from the copy of
// the export that the export's first answer named.
bool Engine::answer_from_export_copy(const Job& job, const sv::JobOutcome& o, ItemState& s) {
  // Soundness: the rows of one export must all come from one copy of it. Workers read it
  // separately (parts; a restarted worker reads it again; the serial rest of a split export),
  // and a file changed in between gave rows of two versions: a part assuming what another
  // part checked in the other version, rows of no version that passes (exit 0), a table of
  // one version and checks of another (declarations never checked), --cache rows stored
  // under another version's key. So every answer's rows are used only if its first frame
  // names the copy the export's first import answer named: the same file identity (fstat of
  // what the worker read: a rename, a write or a touch gives another; a path that is made to
  // point elsewhere and back does not matter) and declaration count, and, where the bytes were
  // hashed (split exports, --cache: this also catches writes through a shared mapping), the
  // same SHA-256. Otherwise a part's rows stop the frontier (never printed) and any other
  // request's declarations get `crashed` rows (`export_changed`, exit 3).
  FileState& fs = files_[s.file];
  std::optional<proto::CopyIdentity> copy;
  if (!o.rows.empty()) copy = proto::decode_identity_frame(o.rows.front());
  bool other_bytes = false;
  if (copy) {
    if (!fs.copy) fs.copy = *copy;  // no import answer yet (an early start): the first copy
    adopt_content(*fs.copy, *copy);
    other_bytes = fs.changed || !same_copy(*fs.copy, *copy, job.fingerprint);
    if (!other_bytes && job.fingerprint)
      if (FileCache* fc = report_.file_cache()) fc->observed(s.origin, copy->content);
  } else {
    // No rows at all (a worker that failed before it answered anything), or a Response without
    // the frame (not a worker of this build).
    other_bytes = o.kind == sv::OutcomeKind::Response;
  }
  if (other_bytes && !fs.warned_changed) {
    fs.warned_changed = true;
    spdlog::warn("'{}': checked from different copies by different workers (the file changed during the run?): "
                 "those rows are not used",
                 items_[s.origin].display);
  }
  return !other_bytes;
}

}  // namespace supervised
}  // namespace leanbatch::tools
