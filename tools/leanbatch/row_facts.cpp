#include "leanbatch/row_facts.hpp"

namespace leanbatch::tools {

namespace {
std::string str(simdjson::dom::element e, const char* key) {
  std::string_view s;
  return e[key].get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}
}  // namespace

bool RowReader::read(std::string_view row, RowFacts& out) {
  simdjson::dom::element doc;
  if (parser_.parse(row.data(), row.size()).get(doc) != simdjson::SUCCESS || !doc.is_object()) return false;
  out = RowFacts{};
  out.type = str(doc, "type");
  out.status = str(doc, "status");
  out.name = str(doc, "name");
  uint64_t u = 0;
  if (doc["line"].get(u) == simdjson::SUCCESS) out.line = u;
  if (doc["micros"].get(u) == simdjson::SUCCESS) out.seconds = static_cast<double>(u) / 1e6;
  simdjson::dom::element err;
  if (doc["error"].get(err) == simdjson::SUCCESS) {
    out.kind = str(err, "kind");
    out.message = str(err, "message");
    if (out.line == 0 && err["line"].get(u) == simdjson::SUCCESS) out.line = u;
  }
  return true;
}

int status_rank(std::string_view s) {
  if (s == "malformed") return 8;
  if (s == "rejected") return 7;
  if (s == "skipped") return 6;
  if (s == "crashed") return 5;
  if (s == "timeout") return 4;
  if (s == "cancelled") return 3;
  if (s == "declined") return 2;
  if (s == "ok") return 1;
  return 0;
}

}  // namespace leanbatch::tools
