#include "leanbatch/work_items.hpp"

#include "leanbatch/run_report.hpp"

#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <iostream>

namespace leanbatch::tools {

namespace {

std::string resolve(const std::filesystem::path& base, const std::string& p) {
  std::filesystem::path q(p);
  return q.is_absolute() ? p : (base / q).lexically_normal().string();
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::expected<std::vector<WorkItem>, ManifestError> read_manifest(const std::string& path) {
  // `-`: the manifest is standard input; its relative paths resolve against the working
  // directory.
  std::ifstream file;
  if (path != "-") {
    file.open(path);
    if (!file) return std::unexpected(ManifestError{0, "cannot open the manifest"});
  }
  std::istream& in = path == "-" ? std::cin : file;
  std::filesystem::path base = path == "-" ? std::filesystem::path() : std::filesystem::path(path).parent_path();
  std::vector<WorkItem> items;
  simdjson::dom::parser parser;
  std::string raw;
  uint64_t line = 0;
  int format = 0;  // 0 unknown, 1 NDJSON, 2 text
  while (std::getline(in, raw)) {
    ++line;
    // A UTF-8 byte order mark (editors on some systems write one) is not part of the text.
    if (line == 1 && raw.rfind("\xEF\xBB\xBF", 0) == 0) raw.erase(0, 3);
    std::string s = trim(raw);
    // `#` starts a comment line in both formats (a JSON line never starts with it).
    if (s.empty() || s[0] == '#') continue;
    if (format == 0) format = s[0] == '{' ? 1 : 2;
    WorkItem item;
    item.manifest_line = line;
    if (format == 1) {
      simdjson::dom::element root;
      if (auto e = parser.parse(s).get(root); e != simdjson::SUCCESS)
        return std::unexpected(ManifestError{line, std::string("invalid JSON (") + simdjson::error_message(e) + ")"});
      simdjson::dom::object obj;
      if (root.get(obj) != simdjson::SUCCESS) return std::unexpected(ManifestError{line, "expected a JSON object"});
      for (auto [key, value] : obj) {
        if (key == "file") {
          std::string_view f;
          if (value.get(f) != simdjson::SUCCESS) return std::unexpected(ManifestError{line, "'file' must be a string"});
          item.display = std::string(f);
        } else if (key == "decls") {
          simdjson::dom::array arr;
          if (value.get(arr) != simdjson::SUCCESS)
            return std::unexpected(ManifestError{line, "'decls' must be an array of names"});
          for (auto d : arr) {
            std::string_view n;
            if (d.get(n) != simdjson::SUCCESS)
              return std::unexpected(ManifestError{line, "'decls' must be an array of names"});
            item.decls.emplace_back(n);
          }
        } else if (key == "module") {
          std::string_view m;
          if (value.get(m) != simdjson::SUCCESS) return std::unexpected(ManifestError{line, "'module' must be a string"});
          item.module = std::string(m);
        } else {
          return std::unexpected(ManifestError{line, "unknown key '" + std::string(key) + "'"});
        }
      }
      if (item.display.empty()) return std::unexpected(ManifestError{line, "missing 'file'"});
    } else {
      if (s[0] == '{') return std::unexpected(ManifestError{line, "a JSON line in a plain-text manifest"});
      // `path#Decl` names a declaration; `path  # note` (a blank before '#') is a comment.
      size_t hash = s.find('#');
      if (hash != std::string::npos && hash > 0 && (s[hash - 1] == ' ' || s[hash - 1] == '\t')) {
        s = trim(s.substr(0, hash));
        hash = std::string::npos;
      }
      item.display = trim(s.substr(0, hash));
      if (hash != std::string::npos) {
        std::string d = trim(s.substr(hash + 1));
        if (d.empty()) return std::unexpected(ManifestError{line, "empty declaration name after '#'"});
        item.decls.push_back(d);
      }
      if (item.display.empty()) return std::unexpected(ManifestError{line, "missing file path"});
    }
    item.file = resolve(base, item.display);
    items.push_back(std::move(item));
  }
  if (items.empty()) return std::unexpected(ManifestError{0, "the manifest lists no items"});
  return items;
}

int finish_run(const std::vector<WorkItem>& items, bool names_global, const std::set<std::string>& found, Outcomes& oc,
               RunReport& report, std::chrono::steady_clock::time_point started) {
  if (names_global) {
    std::set<std::string> reported;
    for (const WorkItem& item : items)
      for (const std::string& name : item.decls)
        if (!found.count(name) && reported.insert(name).second) {
          ++oc.skipped;
          report.row(RunReport::kNoItem, skipped_row(items.size() == 1 ? items[0].display : "", name,
                                                     "no declaration named '" + name + "'"));
        }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!report.finish(secs)) oc.io_error = true;  // the JUnit file the run was asked for is missing
  if (report.out().failed()) oc.io_error = true;
  int rc = oc.exit_code();
  std::set<std::string> files;  // distinct export files (several items may name one)
  for (const WorkItem& item : items) files.insert(item.file);
  report.out().write(summary_row(oc, files.size(), secs, rc));
  return rc;
}

}  // namespace leanbatch::tools
