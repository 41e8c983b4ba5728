// libFuzzer: the offline lint of one migration file (lint_migrations, validating as `lint` does):
// directives and silences, the SQL parsed and read into each rule, DROP COLUMN found from the
// scanner's tokens, the nesting bound.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "cora/lint/lint.hpp"
#include "cora/migrations/migration_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cora::fuzz::require;
  cora::MigrationFile file;
  file.version = 1;
  file.name = "fuzz";
  file.file_name = "001-fuzz.sql";
  file.path = "migrations/001-fuzz.sql";
  file.content = cora::fuzz::text_of(data, size);
  // discover_migrations turns empty files and files that are not UTF-8 away before this.
  if (file.content.find_first_not_of(" \t\r\n") == std::string::npos || cora::find_invalid_utf8(file.content)) return 0;
  int lines = 1;
  for (const char c : file.content) lines += c == '\n' ? 1 : 0;

  cora::lint::LintOptions options;
  options.default_lock_timeout = std::chrono::milliseconds(size % 2 == 0 ? 0 : 10'000);
  const auto report = cora::lint::lint_migrations({{&file, cora::lint::FileRole::check}}, options);
  require(report.files == 1, "one file checked");
  for (const auto& finding : report.findings) {
    require(finding.file == "migrations/001-fuzz.sql", "every finding names the file");
    require(finding.line >= 0 && finding.line <= lines, "a finding's line is in the file");
    require(!finding.message.empty() && !finding.rule.empty(), "every finding says what and which rule");
  }
  for (const auto& silenced : report.silenced) {
    require(silenced.finding.line >= 0 && silenced.finding.line <= lines, "a silenced finding's line is in the file");
  }
  return 0;
}
