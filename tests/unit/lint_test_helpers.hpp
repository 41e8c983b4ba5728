#pragma once
// Helpers for the tests of the offline lint: migration files in memory, linted as `lint` does,
// and the findings as one printable string.

#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cora/lint/lint.hpp"
#include "cora/migrations/migration_file.hpp"

namespace cora::test {

using cora::MigrationFile;
using cora::lint::FileRole;
using cora::lint::lint_migrations;
using cora::lint::LintInput;
using cora::lint::LintOptions;
using cora::lint::LintReport;

inline MigrationFile migration(int version, const std::string& content) {
  MigrationFile f;
  f.version = version;
  f.name = "m";
  f.file_name = fmt::format("{:03}-m.sql", version);
  f.path = "migrations/" + f.file_name;
  f.content = content;
  f.checksum = "unused";
  return f;
}

inline LintReport lint(const std::vector<MigrationFile>& files, const LintOptions& options = {},
                       const std::vector<FileRole>& roles = {}) {
  std::vector<LintInput> inputs;
  for (std::size_t i = 0; i < files.size(); ++i)
    inputs.push_back({&files[i], i < roles.size() ? roles[i] : FileRole::check});
  return lint_migrations(inputs, options);
}

inline LintReport lint_one(const std::string& content, const LintOptions& options = {}) {
  return lint({migration(1, content)}, options);
}

// "001-m.sql:3 rule, ...": every finding that is left, in one printable string.
inline std::string found(const LintReport& report) {
  std::string out;
  for (const auto& f : report.findings) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{}:{} {}", std::filesystem::path(f.file).filename().string(), f.line, f.rule);
  }
  return out;
}

inline std::string silenced(const LintReport& report) {
  std::string out;
  for (const auto& s : report.silenced) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {} \"{}\"", s.finding.line, s.finding.rule, s.reason);
  }
  return out;
}

}  // namespace cora::test
