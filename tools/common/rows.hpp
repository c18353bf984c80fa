#pragma once
/// The NDJSON rows leanbatch prints (schema 1; see man/leanbatch.1 and docs/rows.md).
#include <string>
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

/// The row of one checked declaration.
std::string decl_row(const std::string& file, const host::Environment& env, const host::DeclVerdict& v,
                     const RowOrigin& origin, bool with_axioms);

/// The terminal row of a file that could not be read.
std::string malformed_file_row(const std::string& file, const host::ReadError& err);

/// A requested declaration that the file does not contain.
std::string skipped_row(const std::string& file, const std::string& name, const std::string& why);

/// The final summary row.
std::string summary_row(const Outcomes& o, unsigned long long files, double seconds, int exit_code);

/// Status string of a verdict, as in rows.
const char* row_status(host::VerdictStatus s);

/// Adds a verdict to the tallies.
void tally(Outcomes& o, host::VerdictStatus s);

}  // namespace leanbatch::tools
