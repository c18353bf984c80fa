#include "common/worker_protocol.hpp"

#include <simdjson.h>

#include <algorithm>

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

// Paths travel as bytes: a path that is not valid UTF-8 (JSON strings must be) goes as hex
// in "file_hex" instead of "file".
void put_path(JsonObject& o, const std::string& path) {
  if (host::utf8_valid(path)) {
    o.field("file", path);
    return;
  }
  static const char* hex = "0123456789abcdef";
  std::string h;
  for (unsigned char c : path) {
    h.push_back(hex[c >> 4]);
    h.push_back(hex[c & 15]);
  }
  o.field("file_hex", h);
}

bool get_path(dom::object obj, std::string& out) {
  std::string h;
  if (get_string(obj, "file_hex", h)) {
    if (h.size() % 2) return false;
    auto val = [](char c) { return c >= 'a' ? c - 'a' + 10 : c - '0'; };
    out.clear();
    for (size_t i = 0; i < h.size(); i += 2) out.push_back(static_cast<char>(val(h[i]) * 16 + val(h[i + 1])));
    return true;
  }
  return get_string(obj, "file", out);
}

}  // namespace

std::string encode(const ImportRequest& r) {
  JsonObject o;
  put_path(o, r.file);
  if (!r.table) o.field("table", false);
  if (r.fingerprint) o.field("fingerprint", true);
  return o.str();
}

std::string encode_identity_frame(const CopyIdentity& c) {
  JsonObject o;
  o.field("source", c.source).field("declarations", c.declarations);
  if (!c.content.empty()) o.field("content", c.content);
  return encode_row(kIdentityDecl, host::VerdictStatus::Ok, o.str());
}

std::optional<CopyIdentity> decode_identity_frame(std::string_view payload) {
  auto row = decode_row(payload);
  if (!row || row->decl != kIdentityDecl) return std::nullopt;
  std::string json(row->open_json);
  json += '}';
  dom::parser parser;
  auto obj = parse_object(parser, json);
  if (!obj) return std::nullopt;
  CopyIdentity c;
  if (!get_string(*obj, "source", c.source) || !get(*obj, "declarations", c.declarations)) return std::nullopt;
  get_string(*obj, "content", c.content);
  return c;
}

std::string encode(const ImportResponse& r) {
  // Counts only: the table travels in chunks (encode_import_table).
  JsonObject o;
  o.field("declarations", r.declarations).field("read_seconds", r.read_seconds).field("bytes", r.bytes);
  if (!r.image.empty()) o.field("image", r.image).field("image_seconds", r.image_seconds);
  if (!r.image_note.empty()) o.field("image_note", r.image_note);
  if (!r.source.empty()) o.field("source", r.source);
  if (!r.content.empty()) o.field("content", r.content);
  return o.str();
}

size_t table_chunk_bytes(uint32_t max_payload) { return std::max<size_t>(1024, std::min<size_t>(max_payload / 2, 256 * 1024)); }

namespace {

constexpr std::string_view kTableMagic = "LBT1";

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_bytes(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

// Reads the table format back; every read is bounds-checked (a worker's bytes are not trusted
// to be well formed).
struct TableReader {
  std::string_view in;
  size_t at = 0;
  bool varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at >= in.size()) return false;
      auto b = static_cast<uint8_t>(in[at++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool bytes(std::string_view& s) {
    uint64_t n;
    if (!varint(n) || n > in.size() - at) return false;
    s = in.substr(at, n);
    at += n;
    return true;
  }
};

}  // namespace

std::string ImportTableWriter::add(uint64_t d, std::string_view name, uint64_t line, std::string_view kind,
                                   const std::vector<std::string>& others) {
  size_t entry = name.size() + kind.size() + 32;
  for (const std::string& o : others) entry += o.size() + 10;
  std::string done;
  if (count_ > 0 && body_.size() + entry + 32 > budget_) done = finish();
  if (count_ == 0) first_ = d;
  ++count_;
  put_varint(body_, line);
  put_bytes(body_, kind);
  put_bytes(body_, name);
  put_varint(body_, others.size());
  for (const std::string& o : others) put_bytes(body_, o);
  return done;
}

std::string ImportTableWriter::finish() {
  if (count_ == 0) return {};
  std::string done(kTableMagic);
  put_varint(done, first_);
  put_varint(done, count_);
  done += body_;
  body_.clear();
  count_ = 0;
  return done;
}

std::expected<void, std::string> assemble_import(ImportResponse& r, const std::vector<std::string>& chunks) {
  r.names.clear();
  r.lines.clear();
  r.kinds.clear();
  r.others.clear();
  const std::string bad = "malformed import table chunk";
  for (const std::string& payload : chunks) {
    if (payload.compare(0, kTableMagic.size(), kTableMagic) != 0) return std::unexpected(bad);
    TableReader t{payload, kTableMagic.size()};
    uint64_t first, count;
    if (!t.varint(first) || !t.varint(count)) return std::unexpected(bad);
    if (first != r.names.size()) return std::unexpected(std::string("import table chunks out of order"));
    if (count > payload.size()) return std::unexpected(bad);  // each entry takes bytes
    for (uint64_t k = 0; k < count; ++k) {
      uint64_t line, nothers;
      std::string_view kind, name;
      if (!t.varint(line) || !t.bytes(kind) || !t.bytes(name) || !t.varint(nothers) || nothers > payload.size())
        return std::unexpected(bad);
      const uint64_t d = r.names.size();
      r.lines.push_back(line);
      r.kinds.emplace_back(kind);
      r.names.emplace_back(name);
      for (uint64_t o = 0; o < nothers; ++o) {
        std::string_view other;
        if (!t.bytes(other)) return std::unexpected(bad);
        r.others.emplace_back(d, std::string(other));
      }
    }
    if (t.at != payload.size()) return std::unexpected(bad);
  }
  if (r.names.size() != r.declarations)
    return std::unexpected("import table has " + std::to_string(r.names.size()) + " entries for " +
                           std::to_string(r.declarations) + " declarations");
  return {};
}

std::string encode(const CheckRequest& r) {
  JsonObject o;
  put_path(o, r.file);
  o.raw("decls", u64_array(r.decls));
  if (!r.label.empty()) o.field("label", r.label);
  if (!r.module.empty()) o.field("module", r.module);
  if (r.part) o.field("part", r.part);
  if (!r.poison_timeout.empty()) o.raw("poison_timeout", u64_array(r.poison_timeout));
  if (!r.poison_crashed.empty()) o.raw("poison_crashed", u64_array(r.poison_crashed));
  if (r.fingerprint) o.field("fingerprint", true);
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
  if (!get_path(*obj, r.file)) return std::unexpected(std::string("import request without 'file'"));
  get(*obj, "table", r.table);
  get(*obj, "fingerprint", r.fingerprint);
  return r;
}

std::expected<ImportResponse, std::string> decode_import_response(std::string_view payload) {
  dom::parser parser;
  auto obj = parse_object(parser, payload);
  if (!obj) return std::unexpected(obj.error());
  ImportResponse r;
  if (!get(*obj, "declarations", r.declarations)) return std::unexpected(std::string("incomplete import response"));
  get(*obj, "read_seconds", r.read_seconds);
  get(*obj, "bytes", r.bytes);
  get_string(*obj, "image", r.image);
  get(*obj, "image_seconds", r.image_seconds);
  get_string(*obj, "image_note", r.image_note);
  get_string(*obj, "source", r.source);
  get_string(*obj, "content", r.content);
  return r;
}

std::expected<CheckRequest, std::string> decode_check_request(std::string_view payload) {
  dom::parser parser;
  auto obj = parse_object(parser, payload);
  if (!obj) return std::unexpected(obj.error());
  CheckRequest r;
  dom::array decls;
  if (!get_path(*obj, r.file) || !get(*obj, "decls", decls))
    return std::unexpected(std::string("incomplete check request"));
  for (dom::element d : decls) {
    uint64_t x;
    if (d.get(x) != simdjson::SUCCESS) return std::unexpected(std::string("bad declaration index"));
    r.decls.push_back(x);
  }
  get_string(*obj, "label", r.label);
  get_string(*obj, "module", r.module);
  get(*obj, "part", r.part);
  for (auto [key, list] : {std::pair{"poison_timeout", &r.poison_timeout}, std::pair{"poison_crashed", &r.poison_crashed}}) {
    dom::array arr;
    if (!get(*obj, key, arr)) continue;
    for (dom::element d : arr) {
      uint64_t x;
      if (d.get(x) != simdjson::SUCCESS) return std::unexpected(std::string("bad poisoned declaration index"));
      list->push_back(x);
    }
  }
  get(*obj, "fingerprint", r.fingerprint);
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

namespace {
constexpr unsigned char kKeyFlag = 0x80;  // the status byte's high bit: a 32-byte key follows it
constexpr size_t kKeyBytes = 32;
}  // namespace

std::string encode_row(uint32_t decl, host::VerdictStatus status, std::string_view row_json,
                       std::string_view conditional_key) {
  std::string out(5, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((decl >> (8 * i)) & 0xFF);
  const bool keyed = conditional_key.size() == kKeyBytes;
  out[4] = static_cast<char>(static_cast<unsigned char>(status) | (keyed ? kKeyFlag : 0));
  if (keyed) out.append(conditional_key);
  // Drop the closing brace: the driver appends fields and closes it.
  if (!row_json.empty() && row_json.back() == '}') row_json.remove_suffix(1);
  out.append(row_json);
  return out;
}

std::expected<RowView, std::string> decode_row(std::string_view payload) {
  if (payload.size() < 5) return std::unexpected(std::string("malformed row frame"));
  RowView v;
  for (int i = 0; i < 4; ++i) v.decl |= static_cast<uint32_t>(static_cast<unsigned char>(payload[i])) << (8 * i);
  auto st = static_cast<unsigned char>(payload[4]);
  size_t json_at = 5;
  if (st & kKeyFlag) {
    st &= static_cast<unsigned char>(~kKeyFlag);
    if (payload.size() < 5 + kKeyBytes) return std::unexpected(std::string("malformed row frame (short key)"));
    v.conditional_key = payload.substr(5, kKeyBytes);
    json_at += kKeyBytes;
  }
  if (payload.size() < json_at + 2 || payload[json_at] != '{') return std::unexpected(std::string("malformed row frame"));
  if (st > static_cast<unsigned char>(host::VerdictStatus::Skipped))
    return std::unexpected("row frame with unknown verdict status " + std::to_string(st));
  v.status = static_cast<host::VerdictStatus>(st);
  v.open_json = payload.substr(json_at);
  return v;
}

std::string finish_row(std::string_view open_json, int worker, int attempt) {
  std::string out(open_json);
  out += ",\"worker\":" + std::to_string(worker) + ",\"attempt\":" + std::to_string(attempt) + "}";
  return out;
}

}  // namespace leanbatch::tools::protocol
