#pragma once
// Everything `diff` compares about the managed schemas of one database, as PostgreSQL itself
// prints it (format_type, pg_get_expr, pg_get_*def), read in one round trip.

#include <map>
#include <string>
#include <vector>

namespace cora {

class Connection;

struct SchemaObject {
  std::string kind;    // table, column, constraint, index, policy, function, trigger, view, sequence, type,
                       // extension, grant
  std::string name;    // e.g. "public.user_sessions.ended_at", "public.user_sessions user_sessions_select_own"
  std::string parent;  // "KIND:NAME" of the object it belongs to (a column's table, a grant's object), or ""
  int order = 0;       // a column's position, for CREATE TABLE
  // What is compared, by attribute name; "" when the attribute does not apply (no default, say).
  std::map<std::string, std::string> attributes;
  std::string create_sql;  // the statement that creates it as it is here (for the fix), "" if none

  std::string key() const { return kind + ":" + name; }
};

struct SchemaSnapshot {
  int server_version = 0;                       // e.g. 150004
  std::map<std::string, SchemaObject> objects;  // by key()
};

// Reads every object in `schemas` (and every extension). Objects that belong to an extension
// are left out: the extension is compared instead. One round trip. Throws QueryFailed / ConnectionLost.
SchemaSnapshot read_schema_snapshot(Connection& db, const std::vector<std::string>& schemas);

// Attributes printed by PostgreSQL's deparser (expressions and definitions): their text can
// differ between major versions for the same object.
bool is_deparsed_attribute(const std::string& attribute);

}  // namespace cora
