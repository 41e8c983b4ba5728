#include "commands/dry_run_sql.hpp"

#include <fmt/format.h>

#include "cora/migrations/migration_file.hpp"
#include "cora/output/machine_text.hpp"
#include "cora/output/plural.hpp"

namespace cora::cli {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// E'...' reads the same whatever standard_conforming_strings says.
std::string literal(const Param& value) {
  if (!value) return "NULL";
  std::string out = "E'";
  for (const char c : *value) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  return out + "'";
}

// A statement whose last line is a -- comment would swallow a ';' written after it.
std::string terminated(const std::string& sql) {
  const auto last_line = sql.rfind('\n');
  const bool comment_at_end = sql.find("--", last_line == std::string::npos ? 0 : last_line) != std::string::npos;
  return sql + (comment_at_end ? "\n;\n" : ";\n");
}

constexpr const char* kFoldedReset =
    "-- + the session reset (RESET ALL, RESET ROLE, DISCARD TEMP, ...: nothing the file set reaches the next "
    "file; --verbose shows it)\n";

// The steps [from, to) of one file; unless `verbose`, its session reset is the one comment line
// kFoldedReset where it starts: the script still runs, only what a file sets then reaches the next.
void append_steps(std::string& out, const std::vector<PipelineStep>& steps, bool verbose, std::size_t from = 0,
                  std::size_t to = std::string::npos) {
  bool reset_told = false;
  for (std::size_t i = from; i < steps.size() && i < to; ++i) {
    if (!verbose && Migrator::is_session_reset(steps[i])) {
      if (!reset_told) out += kFoldedReset;
      reset_told = true;
      continue;
    }
    // A file's statement starts with the line break after the previous one's ';', which
    // terminated() already wrote: one blank line per statement otherwise.
    auto sql = with_literal_params(steps[i].sql, steps[i].params);
    if (!sql.empty() && sql.front() == '\n') sql.erase(0, 1);
    out += terminated(sql);
  }
}

}  // namespace

std::string with_literal_params(const std::string& sql, const std::vector<Param>& params) {
  if (params.empty()) return sql;
  std::string out;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] != '$' || i + 1 == sql.size() || !is_digit(sql[i + 1])) {
      out += sql[i];
      continue;
    }
    std::size_t end = i + 1;
    std::size_t n = 0;
    while (end < sql.size() && is_digit(sql[end])) n = n * 10 + static_cast<std::size_t>(sql[end++] - '0');
    if (n == 0 || n > params.size()) {
      out.append(sql, i, end - i);
    } else {
      out += literal(params[n - 1]);
    }
    i = end - 1;
  }
  return out;
}

std::string dry_run_script(const Migrator& migrator, const PreparedPlan& prepared, const std::string& target,
                           bool verbose) {
  std::string out = fmt::format(
      "-- cora-migrate migrate --dry-run --format sql: {} for {}\n"
      "-- Run it with psql (psql -f FILE, or a pipe): each transactional file is one transaction with its history "
      "row.\n"
      "\\set ON_ERROR_STOP on\n",
      plural(prepared.migrations.size(), "migration"), sql_comment_text(target));
  // Written out even without --verbose: once per script, and without it the history writes
  // below fail, so the script would not run.
  if (prepared.history_needs_setup && !prepared.migrations.empty()) {
    out += "\n-- the history table and its helper functions, in one transaction\nBEGIN;\n";
    append_steps(out, migrator.history_setup_steps(), verbose);
    out += "COMMIT;\n";
  }
  for (const auto& m : prepared.migrations) {
    const bool tx = m.directives.transaction;
    out += fmt::format("\n-- {}{} (version {}, sha256 {}): {}\n", m.replaces_checksum ? "re-apply " : "",
                       sql_comment_text(display_name(*m.file)), m.file->version_digits, m.file->checksum,
                       tx ? "one transaction" : "no transaction: each statement commits on its own");
    if (tx) {
      append_steps(out, migrator.transactional_steps(m), verbose);
      continue;
    }
    // As migrate does: the lock, the checks and the "running" row commit first, together.
    const auto steps = migrator.non_transactional_steps(m);
    out += "BEGIN;\n";
    append_steps(out, steps, verbose, 0, 2);
    out += "COMMIT;\n";
    append_steps(out, steps, verbose, 2);
  }
  return out;
}

}  // namespace cora::cli
