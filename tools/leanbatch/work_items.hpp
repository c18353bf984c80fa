#pragma once
/// Work items: an export file and, optionally, the declarations to check in it. `check`
/// makes one per file (with the --decl names); `run` reads them from a manifest.
#include <cstdint>
#include <expected>
#include <string>
#include <vector>

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

}  // namespace leanbatch::tools
