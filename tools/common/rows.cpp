#include "common/rows.hpp"

#include "common/row_writer.hpp"
#include "leanbatch/host/json.hpp"

namespace leanbatch::tools {

using host::JsonObject;

const char* row_status(host::VerdictStatus s) {
  switch (s) {
    case host::VerdictStatus::Ok: return "ok";
    case host::VerdictStatus::Rejected: return "rejected";
    case host::VerdictStatus::Declined: return "declined";
    case host::VerdictStatus::Timeout: return "timeout";
    case host::VerdictStatus::Cancelled: return "cancelled";
    case host::VerdictStatus::Error: return "crashed";  // an internal error: could not decide
    case host::VerdictStatus::Skipped: return "skipped";  // a dependency timed out or crashed
  }
  return "crashed";
}

void tally(Outcomes& o, host::VerdictStatus s) {
  switch (s) {
    case host::VerdictStatus::Ok: ++o.ok; break;
    case host::VerdictStatus::Rejected: ++o.rejected; break;
    case host::VerdictStatus::Declined: ++o.declined; break;
    case host::VerdictStatus::Timeout: ++o.timeout; break;
    case host::VerdictStatus::Cancelled: ++o.cancelled; break;
    case host::VerdictStatus::Error: ++o.crashed; break;
    case host::VerdictStatus::Skipped: ++o.skipped_dependents; break;
  }
}

std::string decl_row(const RowSource& src, const host::Environment& env, const host::DeclVerdict& v,
                     const RowOrigin& origin, bool with_axioms) {
  const host::Declaration& d = env.declaration(v.decl);
  const host::ConstantInfo& c = env.constant(d.first_const);
  JsonObject o;
  o.field("schema", kRowSchema).field("type", "decl").field("file", src.file);
  if (!src.module.empty()) o.field("module", src.module);
  o.field("name", env.store().name_to_string(c.name))
      .field("kind", host::to_string(d.kind))
      .field("line", static_cast<uint64_t>(d.line))
      .field("status", row_status(v.status));
  if (v.status != host::VerdictStatus::Ok) {
    JsonObject err;
    err.field("kind", v.kind).field("message", v.message);
    if (!v.terms.empty()) {
      JsonObject terms;
      for (const auto& [label, text] : v.terms) terms.field(label, text);
      err.raw("terms", terms.str());
    }
    o.raw("error", err.str());
  }
  o.field("micros", static_cast<uint64_t>(v.micros));
  if (!v.reused.empty()) o.field("reused", v.reused);
  if (with_axioms) o.raw("axioms", host::json_string_array(v.axioms));
  if (v.uses_sorry) o.field("uses_sorry", true);
  if (v.uses_trust_compiler) o.field("uses_trust_compiler", true);
  if (origin.worker >= 0) o.field("worker", origin.worker);
  if (origin.attempt > 0) o.field("attempt", origin.attempt);
  return o.str();
}

const char* file_status(const host::ReadError& err) {
  if (err.is_decline()) return "declined";
  if (err.kind == host::ReadErrorKind::Io || err.kind == host::ReadErrorKind::Cancelled ||
      err.kind == host::ReadErrorKind::OutOfMemory)
    return "crashed";
  return "malformed";
}

std::string file_error_row(const RowSource& src, const host::ReadError& err) {
  JsonObject e;
  e.field("kind", host::to_string(err.kind)).field("message", err.message);
  if (err.line > 0) e.field("line", static_cast<uint64_t>(err.line)).field("offset", static_cast<uint64_t>(err.offset));
  JsonObject o;
  o.field("schema", kRowSchema).field("type", "file").field("file", src.file);
  if (!src.module.empty()) o.field("module", src.module);
  o.field("status", file_status(err)).raw("error", e.str());
  return o.str();
}

std::string file_row(const RowSource& src, std::string_view status, std::string_view kind, std::string_view message) {
  JsonObject err;
  err.field("kind", kind).field("message", message);
  JsonObject row;
  row.field("schema", kRowSchema).field("type", "file").field("file", src.file);
  if (!src.module.empty()) row.field("module", src.module);
  row.field("status", status).raw("error", err.str());
  return row.str();
}

void tally_file(Outcomes& o, std::string_view status) {
  if (status == "malformed") ++o.malformed;
  else if (status == "declined") ++o.file_declined;
  else if (status == "cancelled") ++o.file_cancelled;
  else if (status == "timeout") ++o.file_timeout;
  else ++o.file_crashed;
}

std::string skipped_row(const std::string& file, const std::string& name, const std::string& why) {
  JsonObject e;
  e.field("kind", "not_found").field("message", why);
  JsonObject o;
  o.field("schema", kRowSchema)
      .field("type", "decl")
      .field("file", file)
      .field("name", name)
      .field("status", "skipped")
      .raw("error", e.str());
  return o.str();
}

std::string summary_row(const Outcomes& oc, unsigned long long files, double seconds, int exit_code) {
  JsonObject o;
  o.field("schema", kRowSchema)
      .field("type", "summary")
      .field("files", static_cast<uint64_t>(files))
      .field("declarations", static_cast<uint64_t>(oc.declarations()))
      .field("ok", static_cast<uint64_t>(oc.ok))
      .field("rejected", static_cast<uint64_t>(oc.rejected))
      .field("declined", static_cast<uint64_t>(oc.declined))
      .field("malformed", static_cast<uint64_t>(oc.malformed))
      .field("timeout", static_cast<uint64_t>(oc.timeout + oc.file_timeout))  // a timed-out import too
      .field("crashed", static_cast<uint64_t>(oc.crashed))
      .field("cancelled", static_cast<uint64_t>(oc.cancelled))
      .field("skipped", static_cast<uint64_t>(oc.skipped + oc.skipped_dependents))
      .field("file_errors", static_cast<uint64_t>(oc.file_errors()))
      .field("seconds", seconds)
      .field("exit", exit_code);
  return o.str();
}

}  // namespace leanbatch::tools
