#pragma once
/// Logging for the tools: spdlog to stderr only (stdout is reserved for rows).
#include <string>

namespace leanbatch::tools {

/// verbosity: 0 warnings and errors, 1 info, 2 debug, 3 trace; -1 errors only.
void setup_logging(int verbosity, const std::string& name);

/// `leanbatch: error: <message>` on stderr (LLVM style), independent of the log level.
void report_error(const std::string& message);

}  // namespace leanbatch::tools
