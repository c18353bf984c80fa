#pragma once
/// Work items: an export file and, optionally, the declarations to check in it. `check`
/// makes one per file (with the --decl names); `run` reads them from a manifest.
#include <cstdint>
#include <chrono>
#include <expected>
#include <set>
#include <string>
#include <vector>

#include "common/row_writer.hpp"
#include "common/rows.hpp"

namespace leanbatch::tools {

struct WorkItem {
  std::string file;                ///< path to open
  std::string display;             ///< path as the user wrote it (rows use this)
  std::vector<std::string> decls;  ///< empty: every declaration
  std::string module;              ///< optional, reported in rows
  uint64_t manifest_line = 0;      ///< 0 for command-line items
};

struct ManifestError {
  uint64_t line = 0;
  std::string message;
};

/// Parses a manifest: NDJSON (`{"file": "...", "decls": [...], "module": "..."}` per line)
/// or plain text (`path` or `path#Decl.name` per line; `#` at the start of a line comments).
/// Relative paths resolve against the manifest's folder.
std::expected<std::vector<WorkItem>, ManifestError> read_manifest(const std::string& path);

/// Ends a check run, the same way in both modes: with `names_global` (check --decl) one
/// skipped row per requested name that no file had (`found` holds those that were found),
/// then the summary row. Returns the exit code.
class RunReport;
int finish_run(const std::vector<WorkItem>& items, bool names_global, const std::set<std::string>& found, Outcomes& oc,
               RunReport& report, std::chrono::steady_clock::time_point started);

}  // namespace leanbatch::tools
