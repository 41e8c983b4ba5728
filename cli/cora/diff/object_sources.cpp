#include "cora/diff/object_sources.hpp"

#include <set>

#include "cora/util/text_position.hpp"

namespace cora {

namespace {

// "public.log_auth_event(p_event_type text, ...)" -> "public.log_auth_event": files name a
// function without its arguments.
std::string without_arguments(const std::string& name) { return name.substr(0, name.find('(')); }

// The last_change() key of what a definition or a drop (SqlStatement::drops) is about: a column,
// constraint or row level security setting changes its table. Empty for what no finding cites.
std::string changed_key(const std::string& key) {
  const std::string kind = key.substr(0, key.find(':'));
  const std::string name = key.substr(key.find(':') + 1);
  if (kind == "changed") return name;
  if (kind == "table" || kind == "view" || kind == "sequence" || kind == "rls") return "relation:" + name;
  if (kind == "column" || kind == "constraint") return "relation:" + name.substr(0, name.rfind('.'));
  if (kind == "index" || kind == "policy" || kind == "function") return key;
  return "";
}

// A COMMENT ON, or an ALTER TABLE that only switches row level security: it changes nothing a
// finding is about, so a finding cites the statement that made the object (its CREATE, a GRANT),
// never such a line beside it.
bool cites_nothing(const SqlStatement& statement) {
  if (statement.node_type == "CommentStmt") return true;
  bool row_security = false;
  for (const auto& defined : statement.defines) {
    if (defined.key.rfind("rls:", 0) == 0) row_security = true;
    else if (defined.key.rfind("changed:", 0) != 0) return false;
  }
  return row_security;
}

}  // namespace

ObjectSources::ObjectSources(const std::vector<PreparedMigration>& migrations,
                             const std::set<const MigrationFile*>& never_ran) {
  for (const auto& m : migrations) {
    if (never_ran.count(m.file)) continue;
    std::set<std::string> dropped_if_exists;  // in this file so far
    std::set<std::string> recreated_here;     // last_change keys this file re-creates when it runs again
    for (const auto& statement : m.script.statements) {
      for (const auto& dropped : statement.drops) last_change_.erase(changed_key(dropped));
      for (const auto& defined : statement.defines) {
        const std::string renamed = "renamed:";
        if (defined.key.rfind(renamed, 0) == 0) {
          last_change_.erase(defined.key.substr(renamed.size()));
          continue;
        }
        const std::string prefix = "drop-if-exists:";
        const bool is_definition = defined.key.rfind("changed:", 0) != 0 && defined.key.rfind(prefix, 0) != 0;
        const bool recreated = is_definition && (defined.or_replace || dropped_if_exists.count(defined.key) > 0);
        if (const auto key = changed_key(defined.key); !key.empty() && !cites_nothing(statement)) {
          // The statement, not its clause; an ALTER after this file's CREATE OR REPLACE runs again
          // with it, so the file still puts the object back.
          if (recreated && recreatable_kind(defined.key.substr(0, defined.key.find(':')))) recreated_here.insert(key);
          last_change_[key] = {m.file, statement.first_line, recreated_here.count(key) > 0, false,
                               m.directives.rerunnable};
        }
        if (!is_definition) {
          if (defined.key.rfind(prefix, 0) == 0) dropped_if_exists.insert(defined.key.substr(prefix.size()));
          continue;
        }
        SourceLocation location{m.file, line_column_at(m.file->content, defined.offset).line, recreated,
                                recreated || defined.if_not_exists, m.directives.rerunnable};
        auto [it, inserted] = by_key_.try_emplace(defined.key, location);
        // The latest definition is the one that holds, but CREATE ... IF NOT EXISTS of something
        // an earlier file created does nothing.
        if (!inserted && !defined.if_not_exists) it->second = location;
      }
    }
  }
}

std::optional<SourceLocation> ObjectSources::last_change(const std::string& kind, const std::string& name) const {
  const auto it = last_change_.find(kind + ":" + without_arguments(name));
  if (it == last_change_.end()) return std::nullopt;
  return it->second;
}

std::optional<SourceLocation> ObjectSources::find_key(const std::string& key) const {
  const auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  return it->second;
}

std::optional<SourceLocation> ObjectSources::find(const SchemaObject& object, const std::string& attribute) const {
  if (object.kind == "table" && attribute.find("row level security") != std::string::npos) {
    if (auto found = find_key("rls:" + object.name)) return found;
  }
  if (object.kind == "grant") {
    const std::string on = without_arguments(object.parent.substr(object.parent.find(':') + 1));
    const std::string grantee = object.name.substr(object.name.rfind(" to ") + 4);
    if (auto found = find_key("grant:" + on + " to " + grantee)) return found;
    if (auto found = find_key("grant:" + on)) return found;
  }
  const std::string name = object.kind == "function" ? without_arguments(object.name) : object.name;
  if (auto found = find_key(object.kind + ":" + name)) return found;
  if (object.parent.empty()) return std::nullopt;
  // A part no statement names on its own (a constraint PostgreSQL named, a grant): its owner's.
  const std::string parent_kind = object.parent.substr(0, object.parent.find(':'));
  const std::string parent_name = object.parent.substr(object.parent.find(':') + 1);
  auto found = find_key(parent_kind + ":" + (parent_kind == "function" ? without_arguments(parent_name) : parent_name));
  if (found) found->restores_definition = found->restores_if_missing = false;
  return found;
}

}  // namespace cora
