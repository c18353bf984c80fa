#pragma once
/// What the reporters (item rows, JUnit, progress) need to know about a row the checker
/// printed: read back from the row itself, so that every path that makes rows (in-process,
/// worker, driver-synthesized) is reported the same way.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace leanbatch::tools {

struct RowFacts {
  std::string type;     ///< decl, file, event, …
  std::string status;   ///< ok, rejected, declined, malformed, timeout, crashed, cancelled, skipped
  std::string name;     ///< declaration name (decl rows)
  std::string kind;     ///< error.kind, if any
  std::string message;  ///< error.message, if any
  uint64_t line = 0;    ///< declaration line (decl rows) or error line (file rows)
  double seconds = 0;   ///< micros / 1e6 (decl rows)
};

class RowReader {
 public:
  /// False if the row is not a JSON object (never the case for rows leanbatch makes).
  bool read(std::string_view row, RowFacts& out);

 private:
  simdjson::dom::parser parser_;
};

/// Severity of a row status for an item's overall status (higher is worse): malformed and
/// rejected (exit 1) over undecided (exit 3) over declined (exit 2) over ok.
int status_rank(std::string_view status);

}  // namespace leanbatch::tools
