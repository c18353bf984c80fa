#pragma once
/// The payloads leanbatch puts in libsupervise frames (libsupervise treats them as opaque
/// bytes). Requests and responses are JSON objects; a Row frame is a 4-byte little-endian
/// declaration index, one byte of verdict status (host::VerdictStatus), then the row's JSON
/// object without its closing brace, so that the driver can tally the verdict and append the
/// worker id and attempt without re-parsing. See docs/protocol.md, "leanbatch payloads".
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leanbatch/host/checker.hpp"

namespace leanbatch::tools::protocol {

/// Import: load an export into the worker's session.
struct ImportRequest {
  std::string file;
  /// Send the declaration table? A worker loading an export only to check parts of it
  /// (a "warm" import) answers with the counts alone.
  bool table = true;
  /// Hash the bytes read (host::ReadOptions::hash_bytes): the export will be split, and its
  /// answers say what they were read from (CopyIdentity::content).
  bool fingerprint = false;
};
/// The declaration table (names, lines, kinds) grows with the export, and no frame may: it
/// travels in table chunks, Row frames of at most table_chunk_bytes() each, sent before the
/// Response. The Response itself carries only the counts. assemble_import joins them.
struct ImportResponse {
  uint64_t declarations = 0;
  std::vector<std::string> names;  ///< first constant of each declaration
  std::vector<uint64_t> lines;
  std::vector<std::string> kinds;  ///< declaration kinds ("def", "inductive", …)
  /// The other constants of declarations that have several (an inductive block's
  /// constructors, recursors, …): (declaration, name), in declaration order. `--decl` may
  /// name any constant, as in-process.
  std::vector<std::pair<uint64_t, std::string>> others;
  double read_seconds = 0;
  uint64_t bytes = 0;
  std::string image;        ///< export image: "off", "mapped", "built", "failed"
  double image_seconds = 0; ///< time to map it, or to write it
  std::string image_note;   ///< what went wrong with the image (the load itself succeeded)
  std::string source;       ///< the copy's file identity (host::FileIdentity::str), empty if unknown
  std::string content;      ///< SHA-256 (hex) of its bytes, with ImportRequest::fingerprint
};
/// Payload budget of one table chunk for a frame cap of `max_payload` bytes.
size_t table_chunk_bytes(uint32_t max_payload);
/// Builds the table chunk by chunk as declarations are added, so that a worker never holds
/// the whole table (448k names for a 670 MB export): each chunk is at most `budget` bytes (a
/// single entry longer than that is cut at its own size: names are short). Binary, not JSON
/// (names are bytes here, and escaping and parsing them was 5 % of a sweep's worker time):
/// "LBT1", varint first declaration, varint count, then per declaration varint line, the kind,
/// the name, varint number of further constants and their names, each string as varint length
/// and bytes.
class ImportTableWriter {
 public:
  explicit ImportTableWriter(size_t budget) : budget_(budget) {}
  /// Adds declaration `d` (the next one) with the names of its further constants; returns a
  /// finished chunk payload when the budget is reached (empty string otherwise).
  std::string add(uint64_t d, std::string_view name, uint64_t line, std::string_view kind,
                  const std::vector<std::string>& others);
  /// The last chunk (empty string when there is none).
  std::string finish();

 private:
  size_t budget_;
  uint64_t first_ = 0, count_ = 0;
  std::string body_;  // the entries of the chunk being built
};
/// Fills the table of `r` (counts from the Response) from the chunk payloads, in order.
std::expected<void, std::string> assemble_import(ImportResponse& r, const std::vector<std::string>& chunks);

/// Check: these declarations (indices into the export, in file order), each after what it
/// depends on.
struct CheckRequest {
  std::string file;
  std::vector<uint64_t> decls;
  std::string label;   ///< "file" of the rows (the path as the user wrote it); empty: `file`
  std::string module;  ///< "module" of the rows; empty: none
  uint64_t part = 0;   ///< 0: the serial checker; p > 0: part p (assume what is not selected)
  /// Declarations that timed out / killed a worker earlier in this run: never checked
  /// again; their dependents are skipped (depends_on_timeout / depends_on_crashed).
  std::vector<uint64_t> poison_timeout, poison_crashed;
  /// Name the bytes the worker's copy was read from in the answer (CopyIdentity::content),
  /// hashing them if needed: asked for every check of a split export (its serial rest too)
  /// and under --cache. A part's answer always names them.
  bool fingerprint = false;
};

/// The copy a Check answer's rows come from: sent by the worker as the first Row frame of
/// every Check answer (declaration index kIdentityDecl), before any verdict. Soundness: the
/// driver uses an answer's rows only if this names the copy its Import answer named (the
/// same file identity and declaration count; with `fingerprint`, the same SHA-256), so that
/// the rows of one export all come from one version of it (docs/kernel.md, "parts").
inline constexpr uint32_t kIdentityDecl = 0xFFFFFFFFu;
struct CopyIdentity {
  std::string source;   ///< host::FileIdentity::str of the worker's copy
  std::string content;  ///< SHA-256 (hex) of its bytes, if hashed (fingerprint, or a part)
  uint64_t declarations = 0;
  bool operator==(const CopyIdentity&) const = default;
};
std::string encode_identity_frame(const CopyIdentity& c);
/// The identity in a Row frame, or nullopt if the frame is not an identity frame.
std::optional<CopyIdentity> decode_identity_frame(std::string_view payload);

/// Terminal Error payload: what went wrong (a malformed export, an I/O error, …).
struct ErrorPayload {
  std::string status;  ///< row status: "malformed", "declined", "crashed"
  std::string kind;
  std::string message;
  uint64_t line = 0;
  uint64_t offset = 0;
};

std::string encode(const ImportRequest& r);
std::string encode(const ImportResponse& r);
std::string encode(const CheckRequest& r);

std::string encode(const ErrorPayload& r);

std::expected<ImportRequest, std::string> decode_import_request(std::string_view payload);
std::expected<ImportResponse, std::string> decode_import_response(std::string_view payload);
std::expected<CheckRequest, std::string> decode_check_request(std::string_view payload);
std::expected<ErrorPayload, std::string> decode_error(std::string_view payload);

/// Row frames.
/// `conditional_key`: empty, or the 32-byte reuse key of a part's accepted declaration
/// (DeclVerdict::conditional_key), which the driver records only once the row is final.
std::string encode_row(uint32_t decl, host::VerdictStatus status, std::string_view row_json,
                       std::string_view conditional_key = {});
struct RowView {
  uint32_t decl = 0;
  host::VerdictStatus status = host::VerdictStatus::Error;
  std::string_view open_json;        ///< the row object without its closing brace
  std::string_view conditional_key;  ///< empty, or 32 bytes
};
std::expected<RowView, std::string> decode_row(std::string_view payload);
/// The final row: the worker's row with "worker" and "attempt" appended.
std::string finish_row(std::string_view open_json, int worker, int attempt);

}  // namespace leanbatch::tools::protocol
