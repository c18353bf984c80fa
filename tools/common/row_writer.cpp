#include "common/row_writer.hpp"

#include <cerrno>
#include <cstring>

#include "common/logging.hpp"

namespace leanbatch::tools {

bool RowWriter::write(std::string_view row) {
  if (failed_) return false;
  if (std::fwrite(row.data(), 1, row.size(), out_) != row.size() || std::fputc('\n', out_) == EOF ||
      (held_ == 0 && std::fflush(out_) != 0))
    return fail(errno);
  ++rows_;
  return true;
}

bool RowWriter::flush() {
  if (failed_) return false;
  if (std::fflush(out_) != 0) return fail(errno);
  return true;
}

bool RowWriter::fail(int err) {
  failed_ = true;
  // Said once, on stderr: the rows cannot reach anyone (a closed pipe, a full disk).
  report_error(std::string("cannot write rows to stdout: ") + (err ? std::strerror(err) : "write error") +
               "; stopping (exit 3)");
  if (on_failure_) on_failure_();
  return false;
}

}  // namespace leanbatch::tools
