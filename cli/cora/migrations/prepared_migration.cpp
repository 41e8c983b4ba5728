#include "cora/migrations/prepared_migration.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "cora/config/duration.hpp"
#include "cora/error.hpp"
#include "cora/sql/parse_tree.hpp"
#include "cora/util/blank.hpp"
#include "cora/util/text_position.hpp"

namespace cora {

namespace {

constexpr std::string_view kDirectivePrefix = "-- cora-migrate:";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

[[noreturn]] void directive_error(const MigrationFile& file, int line, const std::string& what,
                                  ErrorKind kind = ErrorKind::other) {
  throw Error(ExitCode::migration_files, what,
              "directives are: transaction=true|false, lock_timeout=DURATION, statement_timeout=DURATION, "
              "rerunnable=true|false, ignore=RULE[,RULE] reason=\"WHY\"")
      .at({file.path.string(), line})
      .of_kind(kind);
}

// An ignore=/reason= pair that is not one: the lint reports these under its silence rule.
[[noreturn]] void silence_error(const MigrationFile& file, int line, const std::string& what) {
  directive_error(file, line, what, ErrorKind::silence);
}

// "--cora-migrate:", "-- CORA-MIGRATE:", "-- cora_migrate :" and the like: meant as a directive,
// yet not one, so it would be ignored silently (a transaction=false that never takes effect).
bool is_misspelled_directive(std::string_view comment) {
  if (comment.rfind(kDirectivePrefix, 0) == 0 || comment.rfind("--", 0) != 0) return false;
  std::size_t i = 2;
  while (i < comment.size() && is_blank(comment[i])) ++i;
  constexpr std::string_view name = "cora-migrate";
  if (comment.size() < i + name.size()) return false;
  for (std::size_t k = 0; k < name.size(); ++k) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(comment[i + k])));
    if (c != name[k] && !(name[k] == '-' && c == '_')) return false;
  }
  i += name.size();
  while (i < comment.size() && is_blank(comment[i])) ++i;
  return i < comment.size() && comment[i] == ':';
}

// key=value words; a "double quoted" part may hold blanks (the quotes are dropped).
std::vector<std::string> directive_words(const MigrationFile& file, int line, std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (true) {
    while (i < text.size() && is_blank(text[i])) ++i;
    if (i == text.size()) return words;
    std::string word;
    bool quoted = false;
    for (; i < text.size() && (quoted || !is_blank(text[i])); ++i) {
      if (text[i] == '"') {
        quoted = !quoted;
      } else {
        word += text[i];
      }
    }
    if (quoted) directive_error(file, line, "a quoted value has no closing \"");
    words.push_back(std::move(word));
  }
}

std::vector<std::string> rule_names(const MigrationFile& file, int line, std::string_view value) {
  std::vector<std::string> rules;
  std::size_t start = 0;
  while (true) {
    const auto comma = value.find(',', start);
    const auto name = value.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (name.empty()) {
      silence_error(file, line, "ignore= needs rule names separated by commas, e.g. ignore=drop_column");
    }
    rules.emplace_back(name);
    if (comma == std::string_view::npos) return rules;
    start = comma + 1;
  }
}

std::chrono::milliseconds directive_duration(const MigrationFile& file, int line, std::string_view key,
                                             std::string_view value) {
  const auto parsed = parse_duration(value);
  if (!parsed)
    directive_error(file, line, fmt::format("{}={} is not a duration (e.g. 0, 500ms, 1.5s, 2min)", key, value));
  return *parsed;
}

void apply_directive(const MigrationFile& file, int line, std::string_view word, MigrationDirectives& d) {
  const auto eq = word.find('=');
  if (eq == std::string_view::npos) directive_error(file, line, fmt::format("\"{}\" is not key=value", word));
  const auto key = word.substr(0, eq);
  const auto value = word.substr(eq + 1);
  if (key == "transaction") {
    if (value != "true" && value != "false") directive_error(file, line, "transaction must be true or false");
    d.transaction = value == "true";
  } else if (key == "lock_timeout") {
    d.lock_timeout = directive_duration(file, line, key, value);
  } else if (key == "statement_timeout") {
    d.statement_timeout = directive_duration(file, line, key, value);
  } else if (key == "rerunnable") {
    if (value != "true" && value != "false") directive_error(file, line, "rerunnable must be true or false");
    d.rerunnable = value == "true";
  } else {
    directive_error(file, line, fmt::format("unknown directive \"{}\"", key));
  }
}

}  // namespace

MigrationDirectives parse_directives(const MigrationFile& file) {
  MigrationDirectives directives;
  std::istringstream lines(file.content);
  std::string raw;
  int line = 0;
  while (std::getline(lines, raw)) {
    ++line;
    const auto text = trim(raw);
    if (text.empty()) continue;
    if (text.rfind("--", 0) != 0) break;  // directives live only in the leading comment block
    if (is_misspelled_directive(text)) {
      directive_error(file, line,
                      fmt::format("\"{}\" is not a directive: write it exactly as \"-- cora-migrate: ...\" "
                                  "(two dashes, one space, lower case)",
                                  text.substr(0, std::min<std::size_t>(text.size(), 40))));
    }
    if (text.rfind(kDirectivePrefix, 0) != 0) continue;
    parse_directive_line(file, line, text.substr(kDirectivePrefix.size()), directives, true);
  }
  return directives;
}

std::optional<std::string_view> directive_text(std::string_view line) {
  const auto text = trim(line);
  if (text.rfind(kDirectivePrefix, 0) != 0) return std::nullopt;
  return text.substr(kDirectivePrefix.size());
}

void parse_directive_line(const MigrationFile& file, int line, std::string_view text, MigrationDirectives& directives,
                          bool in_header) {
  std::optional<LintSilence> silence;
  std::optional<std::string> reason;
  for (const auto& word : directive_words(file, line, text)) {
    const auto eq = word.find('=');
    const std::string_view key =
        eq == std::string::npos ? std::string_view(word) : std::string_view(word).substr(0, eq);
    const std::string_view value = eq == std::string::npos ? std::string_view() : std::string_view(word).substr(eq + 1);
    if (key == "ignore" && eq != std::string::npos) {
      silence.emplace();
      silence->rules = rule_names(file, line, value);
    } else if (key == "reason" && eq != std::string::npos) {
      if (trim(value).empty()) silence_error(file, line, "reason= is empty: say why the warning does not apply");
      reason = std::string(value);
    } else if (!in_header) {
      silence_error(file, line,
                    fmt::format("\"{}\" cannot be set here: only ignore=RULE reason=\"WHY\" may precede a "
                                "statement; other directives belong in the file's leading comment block",
                                word));
    } else {
      apply_directive(file, line, word, directives);
    }
  }
  if (silence && !reason) {
    silence_error(file, line,
                  "ignore= without a reason: add reason=\"...\" saying why the warning does not apply here");
  }
  if (reason && !silence) silence_error(file, line, "reason= without ignore=RULE");
  if (silence) {
    silence->reason = std::move(*reason);
    silence->line = line;
    directives.silences.push_back(std::move(*silence));
  }
}

namespace {

// A delta written for psql as "BEGIN; ...; COMMIT;" (the toolkit has some): the outer pair is
// what cora-migrate does anyway, so it is dropped and the rest runs in the file's own
// transaction. Only that exact shape: any other transaction control stays an error.
bool is_outer_transaction_pair(const std::string& first, const std::string& last, bool inner_control) {
  return (first == "TRANS_STMT_BEGIN" || first == "TRANS_STMT_START") && last == "TRANS_STMT_COMMIT" && !inner_control;
}

void unwrap_outer_transaction(SqlScript& script) {
  auto& s = script.statements;
  if (s.size() < 2) return;
  const bool inner_control =
      std::any_of(s.begin() + 1, s.end() - 1, [](const SqlStatement& st) { return st.node_type == "TransactionStmt"; });
  if (!is_outer_transaction_pair(s.front().transaction_kind, s.back().transaction_kind, inner_control)) return;
  s.erase(s.end() - 1);
  s.erase(s.begin());
}

// What prepare_migration checks before parsing: NUL bytes; then the directives.
MigrationDirectives checked_directives(const MigrationFile& file) {
  // libpg_query reads a C string: whatever follows a NUL would silently not run.
  if (const auto nul = file.content.find('\0'); nul != std::string::npos) {
    const auto at = line_column_at(file.content, nul);
    throw Error(ExitCode::migration_files, "contains a NUL byte", "remove it; nothing was applied")
        .at({file.path.string(), at.line, at.column});
  }
  return parse_directives(file);
}

[[noreturn]] void syntax_error(const MigrationFile& file, const SqlParseFailure& failure) {
  const auto& e = failure.error();
  throw Error(ExitCode::migration_files, fmt::format("{}: {}", e.kind, e.message), "fix the SQL; nothing was applied")
      .at({file.path.string(), e.line, e.column});
}

[[noreturn]] void no_statement_error(const MigrationFile& file) {
  throw Error(ExitCode::migration_files, "holds no SQL statement, only comments",
              "write the migration's SQL, or delete the file")
      .at({file.path.string()});
}

// One statement of the file as it will run (the outer BEGIN/COMMIT pair left out).
void check_statement(const MigrationFile& file, const MigrationDirectives& directives, const SqlStatement& statement) {
  if (directives.transaction && statement.node_type == "TransactionStmt") {
    throw Error(ExitCode::migration_files,
                "transaction control (BEGIN/COMMIT/ROLLBACK) in a migration that cora-migrate runs in its own "
                "transaction",
                "remove it (each file already runs in one transaction), or add "
                "\"-- cora-migrate: transaction=false\" at the top")
        .at({file.path.string(), statement.first_line});
  }
  if (statement.copy_from_stdin) {
    throw Error(ExitCode::migration_files, "COPY ... FROM STDIN needs psql to feed it data",
                "use INSERT statements instead")
        .at({file.path.string(), statement.first_line});
  }
}

}  // namespace

std::optional<DestructiveStatement> first_destructive_statement(const MigrationFile& file) {
  std::optional<DestructiveStatement> first;
  try {
    for_each_sql_statement(file.content, [&first](SqlStatement&& statement) {
      if (!first && !statement.destructive.empty())
        first = DestructiveStatement{statement.first_line, statement.destructive};
    });
  } catch (const SqlParseFailure&) {
    // prepare_migration reports the syntax error with its place.
  }
  return first;
}

PreparedMigration prepare_migration(const MigrationFile& file) {
  PreparedMigration prepared;
  prepared.file = &file;
  prepared.directives = checked_directives(file);
  try {
    prepared.script = parse_sql_script(file.content);
  } catch (const SqlParseFailure& failure) {
    syntax_error(file, failure);
  }
  if (prepared.script.statements.empty()) no_statement_error(file);
  unwrap_outer_transaction(prepared.script);
  for (const auto& statement : prepared.script.statements) check_statement(file, prepared.directives, statement);
  return prepared;
}

MigrationDirectives validate_migration(const MigrationFile& file) {
  MigrationDirectives directives = checked_directives(file);
  std::shared_ptr<const std::vector<ParsedStatement>> parsed;
  try {
    parsed = parse_statements(file.content);
  } catch (const SqlParseFailure& failure) {
    syntax_error(file, failure);
  }
  const auto& p = *parsed;
  if (p.empty()) no_statement_error(file);
  // The outer pair, as unwrap_outer_transaction finds it, from the parse alone.
  const auto kind_of = [](const ParsedStatement& s) {
    return s.type == "TransactionStmt" && s.node.is_object() ? s.node.value("kind", "") : std::string();
  };
  const bool inner_control = p.size() > 2 && std::any_of(p.begin() + 1, p.end() - 1, [](const ParsedStatement& s) {
                               return s.type == "TransactionStmt";
                             });
  const bool unwrapped =
      p.size() >= 2 && is_outer_transaction_pair(kind_of(p.front()), kind_of(p.back()), inner_control);
  std::size_t index = 0;
  const std::size_t count = p.size();
  for_each_sql_statement(file.content, [&](SqlStatement&& statement) {
    const bool outer = unwrapped && (index == 0 || index + 1 == count);
    ++index;
    if (!outer) check_statement(file, directives, statement);
  });
  return directives;
}

}  // namespace cora
