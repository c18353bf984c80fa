#pragma once
/// Minimal JSON output helpers: string escaping and an object builder for NDJSON rows.
#include <cstdint>
#include <string>
#include <string_view>

namespace leanbatch::host {

/// Appends `s` as a JSON string literal (quotes included). Bytes ≥ 0x80 are copied as they
/// are (inputs are valid UTF-8); control characters are escaped.
/// Is `s` valid UTF-8?
bool utf8_valid(std::string_view s);
void json_append_string(std::string& out, std::string_view s);

/// Builds one JSON object: `JsonObject o; o.field("a", 1).field("b", "x"); o.str()`.
class JsonObject {
 public:
  JsonObject() : buf_("{") {}
  JsonObject& field(std::string_view key, std::string_view value);
  JsonObject& field(std::string_view key, const char* value) { return field(key, std::string_view(value)); }
  JsonObject& field(std::string_view key, const std::string& value) { return field(key, std::string_view(value)); }
  JsonObject& field(std::string_view key, int64_t value);
  JsonObject& field(std::string_view key, uint64_t value);
  JsonObject& field(std::string_view key, int value) { return field(key, static_cast<int64_t>(value)); }
  JsonObject& field(std::string_view key, unsigned value) { return field(key, static_cast<uint64_t>(value)); }
  JsonObject& field(std::string_view key, double value);
  JsonObject& field(std::string_view key, bool value);
  /// Inserts already-serialised JSON (an array, an object).
  JsonObject& raw(std::string_view key, std::string_view json);
  JsonObject& null(std::string_view key);
  /// The object text, closed.
  std::string str() const { return buf_ + "}"; }

 private:
  void key(std::string_view k);
  std::string buf_;
  bool first_ = true;
};

/// Serialises a list of strings as a JSON array.
template <class Range>
std::string json_string_array(const Range& items) {
  std::string out = "[";
  bool first = true;
  for (const auto& s : items) {
    if (!first) out += ',';
    first = false;
    json_append_string(out, s);
  }
  return out + "]";
}

}  // namespace leanbatch::host
