#include "common/worker_protocol.hpp"

#include <simdjson.h>

#include <cstring>

#include "leanbatch/host/json.hpp"

namespace leanbatch::tools::protocol {

namespace dom = simdjson::dom;
using host::JsonObject;

namespace {

std::string u64_array(const std::vector<uint64_t>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(v[i]);
  }
  return out + "]";
}

// Parses `payload` as one JSON object; the parser must outlive the returned element.
std::expected<dom::object, std::string> parse_object(dom::parser& parser, std::string_view payload) {
  dom::element root;
  if (auto e = parser.parse(payload.data(), payload.size()).get(root); e != simdjson::SUCCESS)
    return std::unexpected(std::string("invalid payload: ") + simdjson::error_message(e));
  dom::object obj;
  if (root.get(obj) != simdjson::SUCCESS) return std::unexpected(std::string("payload is not an object"));
  return obj;
}

template <class T>
bool get(dom::object obj, const char* key, T& out) {
  return obj[key].get(out) == simdjson::SUCCESS;
}

bool get_string(dom::object obj, const char* key, std::string& out) {
  std::string_view s;
  if (obj[key].get(s) != simdjson::SUCCESS) return false;
  out = std::string(s);
  return true;
}

}  // namespace

std::string encode(const ImportRequest& r) { return JsonObject().field("file", r.file).str(); }

std::string encode(const ImportResponse& r) {
  return JsonObject()
      .field("declarations", r.declarations)
      .raw("names", host::json_string_array(r.names))
      .raw("lines", u64_array(r.lines))
      .raw("kinds", host::json_string_array(r.kinds))
      .field("read_seconds", r.read_seconds)
      .field("bytes", r.bytes)
      .str();
}

std::string encode(const CheckRequest& r) {
  JsonObject o;
  o.field("file", r.file).raw("decls", u64_array(r.decls));
  if (!r.label.empty()) o.field("label", r.label);
  if (!r.module.empty()) o.field("module", r.module);
  return o.str();
}

std::string encode(const ErrorPayload& r) {
  return JsonObject()
      .field("status", r.status)
      .field("kind", r.kind)
      .field("message", r.message)
      .field("line", r.line)
      .field("offset", r.offset)
      .str();
}

std::expected<ImportRequest, std::string> decode_import_request(std::string_view payload) {
  dom::parser parser;
  auto obj = parse_object(parser, payload);
  if (!obj) return std::unexpected(obj.error());
  ImportRequest r;
  if (!get_string(*obj, "file", r.file)) return std::unexpected(std::string("import request without 'file'"));
  return r;
}

std::expected<ImportResponse, std::string> decode_import_response(std::string_view payload) {
  dom::parser parser;
  auto obj = parse_object(parser, payload);
  if (!obj) return std::unexpected(obj.error());
  ImportResponse r;
  dom::array names, lines, kinds;
  if (!get(*obj, "declarations", r.declarations) || !get(*obj, "names", names) || !get(*obj, "lines", lines) ||
      !get(*obj, "kinds", kinds))
    return std::unexpected(std::string("incomplete import response"));
  for (dom::element n : names) r.names.emplace_back(std::string_view(n));
  for (dom::element l : lines) r.lines.push_back(uint64_t(l));
  for (dom::element k : kinds) r.kinds.emplace_back(std::string_view(k));
  get(*obj, "read_seconds", r.read_seconds);
  get(*obj, "bytes", r.bytes);
  if (r.names.size() != r.declarations || r.lines.size() != r.declarations || r.kinds.size() != r.declarations)
    return std::unexpected(std::string("inconsistent import response"));
  return r;
}

std::expected<CheckRequest, std::string> decode_check_request(std::string_view payload) {
  dom::parser parser;
  auto obj = parse_object(parser, payload);
  if (!obj) return std::unexpected(obj.error());
  CheckRequest r;
  dom::array decls;
  if (!get_string(*obj, "file", r.file) || !get(*obj, "decls", decls))
    return std::unexpected(std::string("incomplete check request"));
  for (dom::element d : decls) {
    uint64_t x;
    if (d.get(x) != simdjson::SUCCESS) return std::unexpected(std::string("bad declaration index"));
    r.decls.push_back(x);
  }
  get_string(*obj, "label", r.label);
  get_string(*obj, "module", r.module);
  return r;
}

std::expected<ErrorPayload, std::string> decode_error(std::string_view payload) {
  dom::parser parser;
  auto obj = parse_object(parser, payload);
  if (!obj) return std::unexpected(obj.error());
  ErrorPayload r;
  if (!get_string(*obj, "status", r.status) || !get_string(*obj, "kind", r.kind) ||
      !get_string(*obj, "message", r.message))
    return std::unexpected(std::string("incomplete error payload"));
  get(*obj, "line", r.line);
  get(*obj, "offset", r.offset);
  return r;
}

std::string encode_row(uint32_t decl, host::VerdictStatus status, std::string_view row_json) {
  std::string out(5, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((decl >> (8 * i)) & 0xFF);
  out[4] = static_cast<char>(status);
  // Drop the closing brace: the driver appends fields and closes it.
  if (!row_json.empty() && row_json.back() == '}') row_json.remove_suffix(1);
  out.append(row_json);
  return out;
}

std::expected<RowView, std::string> decode_row(std::string_view payload) {
  if (payload.size() < 7 || payload[5] != '{') return std::unexpected(std::string("malformed row frame"));
  RowView v;
  for (int i = 0; i < 4; ++i) v.decl |= static_cast<uint32_t>(static_cast<unsigned char>(payload[i])) << (8 * i);
  auto st = static_cast<unsigned char>(payload[4]);
  if (st > static_cast<unsigned char>(host::VerdictStatus::Error))
    return std::unexpected("row frame with unknown verdict status " + std::to_string(st));
  v.status = static_cast<host::VerdictStatus>(st);
  v.open_json = payload.substr(5);
  return v;
}

std::string finish_row(std::string_view open_json, int worker, int attempt) {
  std::string out(open_json);
  out += ",\"worker\":" + std::to_string(worker) + ",\"attempt\":" + std::to_string(attempt) + "}";
  return out;
}

}  // namespace leanbatch::tools::protocol
