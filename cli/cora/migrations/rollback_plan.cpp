#include "cora/migrations/rollback_plan.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cora/error.hpp"
#include "cora/sql/parse_tree.hpp"
#include "cora/sql/script.hpp"
#include "cora/util/text_position.hpp"

namespace cora {

namespace {

bool selects_nothing(const std::string& to) {
  return !to.empty() && std::all_of(to.begin(), to.end(), [](char c) { return c == '0'; });
}

// Why `entry`, after the target, cannot be undone; "" when it can.
std::string why_not_undone(const StatusEntry& entry) {
  if (entry.role == FileRole::snapshot || (entry.record && entry.record->action == "included")) {
    return "came with its module's schema/ snapshot: rollback undoes deltas applied one by one";
  }
  switch (entry.state) {
    case MigrationState::changed: return "changed since it was applied: what undoes the version that ran is not known";
    case MigrationState::dirty: return "dirty (it failed part-way outside a transaction): `cora-migrate repair` first";
    case MigrationState::conflict: return "its version is recorded from a file of another name";
    case MigrationState::missing: return "recorded as applied, but no file has it";
    default: return "";
  }
}

std::string entry_name(const StatusEntry& entry) {
  if (entry.file) return display_name(*entry.file);
  return fmt::format("{}{}version {} ({})", entry.module, entry.module.empty() ? "" : ":", entry.version, entry.name);
}

}  // namespace

std::vector<const StatusEntry*> select_rollback(const std::vector<StatusEntry>& status,
                                                const std::vector<MigrationFile>& files, const std::string& to) {
  std::size_t first = 0;  // the first entry after the target
  if (!selects_nothing(to)) {
    const MigrationFile& target = find_migration(files, to, "--to");
    const auto it = std::find_if(status.begin(), status.end(), [&](const StatusEntry& e) { return e.file == &target; });
    first = static_cast<std::size_t>(it - status.begin()) + 1;
  }
  std::vector<const StatusEntry*> undo;
  for (std::size_t i = first; i < status.size(); ++i) {
    const auto& entry = status[i];
    if (!entry.record) continue;  // pending: nothing to undo
    const std::string why = why_not_undone(entry);
    if (!why.empty()) {
      throw Error(ExitCode::history_conflict,
                  fmt::format("rollback --to {}: {} {}; nothing was undone", to, entry_name(entry), why),
                  "roll back to a later version, or undo it in a new migration (`cora-migrate new NAME`)");
    }
    undo.push_back(&entry);
  }
  std::reverse(undo.begin(), undo.end());
  return undo;
}

std::vector<DestructiveStatement> data_destroying_statements(const std::string& sql) {
  std::vector<DestructiveStatement> out;
  std::shared_ptr<const std::vector<ParsedStatement>> parsed;
  try {
    parsed = parse_statements(sql);
  } catch (const SqlParseFailure&) {
    return out;
  }
  for (const auto& statement : *parsed) {
    const int line = line_column_at(sql, skip_blanks_and_comments(sql, statement.offset)).line;
    if (const auto action = destructive_action(std::string(statement.type), statement.node); !action.empty()) {
      out.push_back({line, action});
      continue;
    }
    if (statement.type != "AlterTableStmt") continue;
    const auto& relation = statement.node.value("relation", nlohmann::json::object());
    const std::string table =
        relation.value("schemaname", std::string("public")) + "." + relation.value("relname", std::string());
    for (const auto& item : statement.node.value("cmds", nlohmann::json::array())) {
      const auto& cmd = item.value("AlterTableCmd", nlohmann::json::object());
      const std::string subtype = cmd.value("subtype", "");
      const std::string column = cmd.value("name", "");
      if (subtype == "AT_DropColumn") out.push_back({line, fmt::format("DROP COLUMN {}.{}", table, column)});
      if (subtype == "AT_AlterColumnType") out.push_back({line, fmt::format("ALTER COLUMN {}.{} TYPE", table, column)});
    }
  }
  return out;
}

}  // namespace cora
