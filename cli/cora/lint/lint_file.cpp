#include "cora/lint/lint_file.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cora/error.hpp"
#include "cora/sql/parse_tree.hpp"
#include "cora/sql/script.hpp"
#include "cora/util/text_position.hpp"

namespace cora::lint {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::size_t> line_starts(const std::string& text) {
  std::vector<std::size_t> starts{0};
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') starts.push_back(i + 1);
  }
  return starts;
}

std::string_view line_text(const std::string& text, const std::vector<std::size_t>& starts, std::size_t index) {
  const std::size_t begin = starts[index];
  const std::size_t end = index + 1 < starts.size() ? starts[index + 1] - 1 : text.size();
  return std::string_view(text).substr(begin, end - begin);
}

// Lines of the leading comment block, which parse_directives reads as the header.
std::size_t header_line_count(const std::string& text, const std::vector<std::size_t>& starts) {
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const auto line = trim(line_text(text, starts, i));
    if (!line.empty() && line.rfind("--", 0) != 0) return i;
  }
  return starts.size();
}

std::string known_rules() {
  std::string names;
  for (const auto& rule : offline_rules()) names += (names.empty() ? "" : ", ") + std::string(rule.name);
  return names;
}

void check_rule_names(const MigrationFile& file, const LintSilence& silence, std::vector<Finding>& errors) {
  for (const auto& rule : silence.rules) {
    if (is_offline_rule(rule)) continue;
    Finding error;
    error.rule = std::string(kInvalidSilence);
    error.severity = Severity::error;
    error.file = file.path.string();
    error.line = silence.line;
    error.message = fmt::format("ignore={} names no lint rule", rule);
    error.hint = "rules are: " + known_rules();
    errors.push_back(std::move(error));
  }
}

// The statement types some rule reads the tree of (table_rules, lock_timeout_rule, rename_rule,
// rerun_rules, schema_state, module_dependency_rule, copy_rule); the others are kept without one. A new rule
// adds its types here and to keeps_tree (sql/parse_tree.cpp).
bool reads_statement(std::string_view type) {
  static const char* const types[] = {
      "IndexStmt", "AlterTableStmt", "DropStmt", "RenameStmt", "CreateStmt", "CreateForeignTableStmt",
      "CreateTableAsStmt", "ViewStmt", "CreateFunctionStmt", "VariableSetStmt", "CreateTrigStmt", "CreatePolicyStmt",
      "AlterPolicyStmt", "TruncateStmt", "GrantStmt",
      // rerun_rules, and the relations schema_state keeps for unresolved_body_reference.
      "CreateSeqStmt", "CompositeTypeStmt", "CreateEnumStmt", "CreateDomainStmt", "CreateExtensionStmt",
      "CreateSchemaStmt", "DeleteStmt", "DropOwnedStmt",
      // copy_rule.
      "CopyStmt",
      // supabase_privilege_rule.
      "CommentStmt", "AlterRoleStmt", "CreateRoleStmt", "CreatePLangStmt"};
  for (const char* t : types) {
    if (type == t) return true;
  }
  return false;
}

}  // namespace

int LintFile::line_at(const nlohmann::json& node, int fallback) const {
  if (!node.is_object()) return fallback;
  const auto it = node.find("location");
  if (it == node.end() || !it->is_number_integer() || it->get<long long>() < 0) return fallback;
  const auto offset = static_cast<std::size_t>(it->get<long long>());
  if (offset >= file->content.size()) return fallback;
  return lines->line_of(offset);
}

Finding error_finding(const MigrationFile& file, std::string_view rule, const Error& e) {
  Finding error;
  error.rule = std::string(rule);
  error.severity = Severity::error;
  error.file = file.path.string();
  error.hint = e.hint();
  const auto& site = e.site();
  if (site && site->file == error.file) {
    // The finding names the file and place in fields of its own.
    error.line = site->line;
    error.column = site->column;
    error.message = e.message();
  } else {
    error.message = e.what();
  }
  return error;
}

LoadedFile load_lint_file(const MigrationFile& file, bool validate) {
  LoadedFile loaded;
  LintFile lint_file;
  lint_file.file = &file;
  try {
    if (validate) {
      lint_file.directives = validate_migration(file);
    } else {
      if (file.content.find('\0') != std::string::npos) return loaded;
      lint_file.directives = parse_directives(file);
    }
  } catch (const Error& e) {
    // The header's ignore=/reason= problems are reported under the silence rule, like the others.
    const bool about_silence = e.kind() == ErrorKind::silence;
    loaded.errors.push_back(error_finding(file, about_silence ? kInvalidSilence : kInvalidFile, e));
    return loaded;
  }

  lint_file.lines = std::make_shared<LineIndex>(file.content);
  std::shared_ptr<const std::vector<ParsedStatement>> parsed;
  try {
    // The parse prepare_migration made, when it ran: each file is parsed once per run.
    parsed = parse_statements(file.content);
  } catch (const SqlParseFailure& failure) {
    // Only reachable without `validate`: prepare_migration reports these itself.
    const auto& e = failure.error();
    Finding error;
    error.rule = std::string(kInvalidFile);
    error.severity = Severity::error;
    error.file = file.path.string();
    error.line = e.line;
    error.column = e.column;
    error.message = fmt::format("{}: {}", e.kind, e.message);
    error.hint = "fix the SQL";
    loaded.errors.push_back(std::move(error));
    return loaded;
  }
  lint_file.statements.reserve(parsed->size());
  for (const auto& p : *parsed) {
    LintStatement statement;
    statement.offset = p.offset;
    statement.end = p.offset + p.length;
    statement.start = skip_blanks_and_comments(file.content, statement.offset);
    statement.line = lint_file.lines->line_of(statement.start);
    statement.type = std::string(p.type);
    // Other readers' trees stay out: a rule walks every tree it is given.
    if (reads_statement(p.type)) statement.node = p.node;
    lint_file.statements.push_back(std::move(statement));
  }

  for (const auto& silence : lint_file.directives.silences) check_rule_names(file, silence, loaded.errors);
  const auto starts = line_starts(file.content);
  const std::size_t header_lines = header_line_count(file.content, starts);
  lint_file.statement_silences.resize(lint_file.statements.size());
  std::size_t line_index = header_lines;
  for (std::size_t i = 0; i < lint_file.statements.size(); ++i) {
    const auto& statement = lint_file.statements[i];
    while (line_index < starts.size() && starts[line_index] < statement.offset) ++line_index;
    for (; line_index < starts.size() && starts[line_index] < statement.start; ++line_index) {
      const auto text = directive_text(line_text(file.content, starts, line_index));
      if (!text) continue;
      const int line = static_cast<int>(line_index) + 1;
      MigrationDirectives scratch;
      try {
        parse_directive_line(file, line, *text, scratch, false);
      } catch (const Error& e) {
        loaded.errors.push_back(error_finding(file, kInvalidSilence, e));
        continue;
      }
      for (auto& silence : scratch.silences) {
        check_rule_names(file, silence, loaded.errors);
        lint_file.statement_silences[i].push_back(std::move(silence));
      }
    }
  }
  loaded.file = std::move(lint_file);
  return loaded;
}

}  // namespace cora::lint
