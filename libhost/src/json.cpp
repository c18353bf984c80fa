#include "leanbatch/host/json.hpp"

#include <cmath>
#include <cstdio>

namespace leanbatch::host {

void json_append_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out.push_back('"');
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + start, i - start);
    start = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
    }
  }
  out.append(s.data() + start, s.size() - start);
  out.push_back('"');
}

void JsonObject::key(std::string_view k) {
  if (!first_) buf_ += ',';
  first_ = false;
  json_append_string(buf_, k);
  buf_ += ':';
}

JsonObject& JsonObject::field(std::string_view k, std::string_view value) {
  key(k);
  json_append_string(buf_, value);
  return *this;
}
JsonObject& JsonObject::field(std::string_view k, int64_t value) {
  key(k);
  buf_ += std::to_string(value);
  return *this;
}
JsonObject& JsonObject::field(std::string_view k, uint64_t value) {
  key(k);
  buf_ += std::to_string(value);
  return *this;
}
JsonObject& JsonObject::field(std::string_view k, double value) {
  key(k);
  if (!std::isfinite(value)) {
    buf_ += "null";
    return *this;
  }
  char tmp[32];
  std::snprintf(tmp, sizeof tmp, "%.6g", value);
  buf_ += tmp;
  return *this;
}
JsonObject& JsonObject::field(std::string_view k, bool value) {
  key(k);
  buf_ += value ? "true" : "false";
  return *this;
}
JsonObject& JsonObject::raw(std::string_view k, std::string_view json) {
  key(k);
  buf_ += json;
  return *this;
}
JsonObject& JsonObject::null(std::string_view k) {
  key(k);
  buf_ += "null";
  return *this;
}

}  // namespace leanbatch::host
