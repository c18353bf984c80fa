#pragma once
/// Exports read from a stream (`-` for standard input, a pipe, `<(…)`, a FIFO, a character
/// device) are copied once into a private temporary directory, so that every mode reads them:
/// a worker cannot read the driver's standard input or its /dev/fd/N, and the reader needs a
/// file it can size and revisit. Rows keep the name the user wrote. The copies are removed
/// when the Spool is destroyed (also after an interrupted run: the driver always returns).
#include <expected>
#include <map>
#include <string>

namespace leanbatch::tools {

/// Where temporary files go: $TMPDIR, else /tmp.
std::string temp_root();

class Spool {
 public:
  Spool() = default;
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;
  ~Spool();

  /// Does `path` name a stream rather than a file that can be opened again?
  static bool is_stream(const std::string& path);

  /// The path to open for `path`: itself for an ordinary file (or one that does not exist:
  /// its error is reported where it is opened), else the copy, made on first use (the same
  /// stream named twice is read once). An error names the stream and what failed.
  std::expected<std::string, std::string> resolve(const std::string& path);

 private:
  std::string dir_;
  std::map<std::string, std::string> copies_;
};

}  // namespace leanbatch::tools
