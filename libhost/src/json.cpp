#include "leanbatch/host/json.hpp"

#include <cmath>
#include <cstdio>

namespace leanbatch::host {

// Length of the valid UTF-8 sequence starting at s[i] (0: invalid: a stray continuation
// byte, an overlong form, a surrogate, a code point above U+10FFFF or a cut sequence).
size_t utf8_sequence(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
  if (len == 0 || c > 0xf4 || c == 0xc0 || c == 0xc1 || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k)
    if ((b(i + k) & 0xc0) != 0x80) return 0;
  if (len == 3 && c == 0xe0 && b(i + 1) < 0xa0) return 0;   // overlong
  if (len == 3 && c == 0xed && b(i + 1) >= 0xa0) return 0;  // surrogate
  if (len == 4 && c == 0xf0 && b(i + 1) < 0x90) return 0;   // overlong
  if (len == 4 && c == 0xf4 && b(i + 1) >= 0x90) return 0;  // above U+10FFFF
  return len;
}

bool utf8_valid(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t n = utf8_sequence(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void json_append_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out.push_back('"');
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // Rows are always valid UTF-8: a byte that starts no valid sequence (a file name in
      // another encoding) becomes U+FFFD, the replacement character.
      size_t n = utf8_sequence(s, i);
      if (n > 0) {
        i += n - 1;
        continue;
      }
      out.append(s.data() + start, i - start);
      start = i + 1;
      out += "\\ufffd";
      continue;
    }
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
