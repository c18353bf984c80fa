#include "common/row_writer.hpp"

namespace leanbatch::tools {

bool RowWriter::write(std::string_view row) {
  if (failed_) return false;
  if (std::fwrite(row.data(), 1, row.size(), out_) != row.size() || std::fputc('\n', out_) == EOF ||
      std::fflush(out_) != 0) {
    failed_ = true;
    return false;
  }
  ++rows_;
  return true;
}

}  // namespace leanbatch::tools
