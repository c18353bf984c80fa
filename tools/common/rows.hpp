#pragma once
/// The NDJSON rows leanbatch prints (schema 1; see man/leanbatch.1 and docs/rows.md).
#include <string>
#include <string_view>
#include <vector>

#include "common/exit_codes.hpp"
#include "leanbatch/host/checker.hpp"
#include "leanbatch/host/export_reader.hpp"

namespace leanbatch::tools {

/// Where a row came from. In-process rows carry attempt 1 and no worker; a worker leaves
/// both out (worker -1, attempt 0) and the driver appends them.
struct RowOrigin {
  int worker = -1;
  int attempt = 1;
};

/// What a row says about where its declaration lives: the file as the user wrote it (the
/// command line or the manifest line) and the manifest's optional module name.
struct RowSource {
  std::string file;
  std::string module;  ///< empty: no "module" field
};

/// The row of one checked declaration.
std::string decl_row(const RowSource& src, const host::Environment& env, const host::DeclVerdict& v,
                     const RowOrigin& origin, bool with_axioms);

/// Row status of a file that could not be read: "declined" (unsupported format version),
/// "crashed" (I/O error: could not decide) or "malformed" (bad input). Both the in-process
/// path and the worker use this, so the two modes agree.
const char* file_status(const host::ReadError& err);

/// The terminal row of a file that could not be read.
std::string file_error_row(const RowSource& src, const host::ReadError& err);

/// A file row with the given status and error (e.g. "cancelled" for an item never reached).
std::string file_row(const RowSource& src, std::string_view status, std::string_view kind, std::string_view message);

/// Adds a file row's status to the tallies.
void tally_file(Outcomes& o, std::string_view status);

/// A requested declaration that the file does not contain.
std::string skipped_row(const std::string& file, const std::string& name, const std::string& why);

/// The final summary row.
std::string summary_row(const Outcomes& o, unsigned long long files, double seconds, int exit_code);

/// Status string of a verdict, as in rows.
const char* row_status(host::VerdictStatus s);

/// Adds a verdict to the tallies.
void tally(Outcomes& o, host::VerdictStatus s);

}  // namespace leanbatch::tools
