#include "leanbatch/junit_writer.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace leanbatch::tools {

namespace {

std::string fmt_seconds(double s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", s < 0 ? 0.0 : s);
  return buf;
}

std::string now_iso8601() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

enum class Outcome { Pass, Failure, Error, Skipped };
Outcome outcome_of(const std::string& status) {
  if (status == "ok") return Outcome::Pass;
  if (status == "rejected" || status == "malformed") return Outcome::Failure;
  if (status == "crashed" || status == "timeout") return Outcome::Error;
  return Outcome::Skipped;  // declined, cancelled, skipped
}

}  // namespace

std::string JUnitWriter::escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n': out += "&#10;"; break;  // kept inside attributes too
      case '\t': out += "&#9;"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (c < 0x20) out += "\xEF\xBF\xBD";  // not allowed in XML 1.0
        else out += static_cast<char>(c);
    }
  }
  return out;
}

JUnitWriter::JUnitWriter(std::string path) : path_(std::move(path)), tmp_path_(path_ + ".tmp") {
  tmp_ = std::fopen(tmp_path_.c_str(), "wb");
  if (!tmp_) error_ = "cannot write '" + tmp_path_ + "': " + std::strerror(errno);
}

JUnitWriter::~JUnitWriter() {
  if (tmp_) std::fclose(tmp_);
  if (!finished_) std::remove(tmp_path_.c_str());
}

void JUnitWriter::suite(const std::string& name, const std::string& file, const std::vector<Case>& cases,
                        double seconds) {
  if (!tmp_) return;
  unsigned long long f = 0, e = 0, sk = 0;
  for (const Case& c : cases) {
    switch (outcome_of(c.facts.status)) {
      case Outcome::Failure: ++f; break;
      case Outcome::Error: ++e; break;
      case Outcome::Skipped: ++sk; break;
      default: break;
    }
  }
  tests_ += cases.size();
  failures_ += f;
  errors_ += e;
  skipped_ += sk;
  std::string x;
  x += "  <testsuite name=\"" + escape(name) + "\" tests=\"" + std::to_string(cases.size()) + "\" failures=\"" +
       std::to_string(f) + "\" errors=\"" + std::to_string(e) + "\" skipped=\"" + std::to_string(sk) + "\" time=\"" +
       fmt_seconds(seconds) + "\" timestamp=\"" + now_iso8601() + "\">\n";
  x += "    <properties><property name=\"file\" value=\"" + escape(file) + "\"/></properties>\n";
  for (const Case& c : cases) {
    const RowFacts& r = c.facts;
    std::string case_name = r.type == "file" ? file : r.name;
    x += "    <testcase name=\"" + escape(case_name) + "\" classname=\"" + escape(name) + "\" file=\"" + escape(file) +
         "\" time=\"" + fmt_seconds(r.seconds) + "\"";
    Outcome o = outcome_of(r.status);
    if (o == Outcome::Pass) {
      x += "/>\n";
      continue;
    }
    x += ">\n";
    std::string where = r.line ? "line " + std::to_string(r.line) + ": " : "";
    std::string summary = r.status + (r.kind.empty() ? "" : ": " + r.kind);
    std::string detail = where + r.message;
    if (o == Outcome::Skipped) {
      x += "      <skipped message=\"" + escape(summary + (r.message.empty() ? "" : ": " + r.message)) + "\"/>\n";
    } else {
      const char* tag = o == Outcome::Failure ? "failure" : "error";
      x += std::string("      <") + tag + " type=\"" + escape(r.kind.empty() ? r.status : r.kind) + "\" message=\"" +
           escape(summary) + "\">" + escape(detail) + "</" + tag + ">\n";
    }
    x += "    </testcase>\n";
  }
  x += "  </testsuite>\n";
  if (std::fwrite(x.data(), 1, x.size(), tmp_) != x.size() && error_.empty())
    error_ = "cannot write '" + tmp_path_ + "': " + std::strerror(errno);
}

bool JUnitWriter::finish(double seconds) {
  if (!tmp_) return false;
  if (std::fflush(tmp_) != 0 && error_.empty()) error_ = "cannot write '" + tmp_path_ + "': " + std::strerror(errno);
  std::fclose(tmp_);
  tmp_ = nullptr;
  if (!error_.empty()) return false;
  std::string out_tmp = path_ + ".part";
  std::FILE* out = std::fopen(out_tmp.c_str(), "wb");
  std::FILE* in = std::fopen(tmp_path_.c_str(), "rb");
  bool ok = out && in;
  if (ok) {
    std::string head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"leanbatch\" tests=\"" +
                       std::to_string(tests_) + "\" failures=\"" + std::to_string(failures_) + "\" errors=\"" +
                       std::to_string(errors_) + "\" skipped=\"" + std::to_string(skipped_) + "\" time=\"" +
                       fmt_seconds(seconds) + "\">\n";
    ok = std::fwrite(head.data(), 1, head.size(), out) == head.size();
    char buf[1 << 16];
    size_t n;
    while (ok && (n = std::fread(buf, 1, sizeof buf, in)) > 0) ok = std::fwrite(buf, 1, n, out) == n;
    static const char tail[] = "</testsuites>\n";
    ok = ok && std::fwrite(tail, 1, sizeof tail - 1, out) == sizeof tail - 1;
  }
  if (in) std::fclose(in);
  if (out && std::fclose(out) != 0) ok = false;
  if (ok && std::rename(out_tmp.c_str(), path_.c_str()) != 0) ok = false;
  if (!ok) {
    error_ = "cannot write '" + path_ + "': " + std::strerror(errno);
    std::remove(out_tmp.c_str());
  }
  std::remove(tmp_path_.c_str());
  finished_ = true;
  return ok;
}

}  // namespace leanbatch::tools
