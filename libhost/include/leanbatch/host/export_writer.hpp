#pragma once
/// Writer for the export format (NDJSON 3.1.0) with dense ids.
///
/// Names, levels and expressions are emitted on first use, children first, so every id
/// refers to an earlier line. Keys are written in sorted order without spaces, as
/// lean4export does. Metadata (`mdata`) is transparent in leanbatch and never written.
#include <cstdint>
#include <cstdio>
#include <expected>
#include <span>
#include <string>
#include <vector>

#include "leanbatch/host/environment.hpp"

namespace leanbatch::host {

class ExportWriter {
 public:
  /// Writes to `out` (not owned; the caller closes it).
  ExportWriter(std::FILE* out, const TermStore& st);
  ~ExportWriter();
  ExportWriter(const ExportWriter&) = delete;
  ExportWriter& operator=(const ExportWriter&) = delete;

  void write_meta(const ExportMeta& source_meta);
  /// One declaration line made of `consts` (an inductive block: types, ctors, recs in order).
  void write_declaration(DeclKind kind, std::span<const ConstantInfo> consts);

  uint32_t name(Name n);
  uint32_t level(Level l);
  uint32_t expr(Expr e);

  /// Flushes buffered output; false on a write error.
  bool flush();
  uint64_t bytes_written() const { return written_ + buf_.size(); }
  uint64_t lines_written() const { return lines_; }

 private:
  void put(std::string_view s);
  void put_u64(uint64_t v);
  void put_json_string(std::string_view s);
  void put_name_array(std::span<const Name> ns);
  void end_line();

  std::FILE* out_;
  const TermStore& st_;
  std::string buf_;
  uint64_t written_ = 0;
  uint64_t lines_ = 0;
  bool io_error_ = false;
  std::vector<uint32_t> name_ids_, level_ids_, expr_ids_;  // store id → output id (kNoId: not yet)
  uint32_t next_name_ = 1, next_level_ = 1, next_expr_ = 0;
};

/// Declarations needed by `roots` (indices into env.declarations()), transitively: every
/// constant their terms mention, whole inductive blocks, Nat/String for literals, the whole
/// quotient package (and Eq) for any quotient constant. Sorted in file order.
std::vector<uint32_t> dependency_closure(const Environment& env, std::span<const uint32_t> roots);

struct WriteStats {
  uint64_t declarations = 0;
  uint64_t lines = 0;
  uint64_t bytes = 0;
};

/// Writes the given declarations (in the given order) to `path`. Error: a message.
std::expected<WriteStats, std::string> write_export_file(const Environment& env, std::span<const uint32_t> decls,
                                                         const std::string& path);

}  // namespace leanbatch::host
