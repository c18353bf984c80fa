#pragma once
/// `--junit FILE`: JUnit XML for CI test reports (GitLab, Jenkins). A testsuite per export
/// (named after its module when the manifest gives one), a testcase per declaration:
/// rejected/malformed → <failure>, crashed/timeout → <error>, declined/cancelled/skipped →
/// <skipped>, with the error kind and message. A file that could not be read is one testcase
/// named after the file. Suites are spooled to FILE.tmp as their items finish (memory stays
/// bounded by one item), and FILE is written at the end with the totals, atomically.
#include <cstdio>
#include <string>
#include <vector>

#include "leanbatch/row_facts.hpp"

namespace leanbatch::tools {

class JUnitWriter {
 public:
  /// Opens FILE.tmp; on failure error() says why (the run then stops before checking).
  explicit JUnitWriter(std::string path);
  ~JUnitWriter();
  JUnitWriter(const JUnitWriter&) = delete;
  JUnitWriter& operator=(const JUnitWriter&) = delete;
  const std::string& error() const { return error_; }

  struct Case {
    RowFacts facts;
  };
  /// One testsuite (a work item): its name, the export file, its cases, its wall time.
  void suite(const std::string& name, const std::string& file, const std::vector<Case>& cases, double seconds);
  /// Writes FILE (totals, then the spooled suites) and removes FILE.tmp. False on failure.
  bool finish(double seconds);

  /// XML text/attribute escaping: markup characters as entities, characters XML 1.0 does not
  /// allow (most C0 controls) as U+FFFD.
  static std::string escape(std::string_view s);

 private:
  std::string path_, tmp_path_, error_;
  std::FILE* tmp_ = nullptr;
  unsigned long long tests_ = 0, failures_ = 0, errors_ = 0, skipped_ = 0;
  bool finished_ = false;
};

}  // namespace leanbatch::tools
