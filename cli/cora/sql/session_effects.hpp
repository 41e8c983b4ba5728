#pragma once
// Whether running a statement can leave anything in the session after its transaction commits
// (a setting, the role, a temporary object, a prepared statement, a cursor, a LISTEN, a session
// advisory lock): migrate resets the session after each file unless no statement of it can.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace cora {

// True only for statements known to run no code that could touch the session: DDL that creates,
// alters, renames, comments on, grants on or drops permanent objects without evaluating any
// expression over existing rows (CREATE TABLE, VIEW, SEQUENCE, TYPE, DOMAIN, POLICY, TRIGGER,
// SCHEMA without elements, FUNCTION in sql or plpgsql without SET; ALTER TABLE's RLS, owner,
// default, drop column/constraint/not null and trigger switches; GRANT, COMMENT, DROP, RENAME).
// Everything else keeps the reset: SET and RESET, DO, SELECT and other DML (they may call
// functions), CREATE INDEX and ALTER TABLE ... ADD (they evaluate over existing rows), CREATE
// EXTENSION (its script), a function with SET, anything temporary or naming pg_temp. Event
// triggers run code on any DDL: the caller checks there are none. `node` is the statement's parse
// tree (parse_tree.hpp keeps it for the types read here), `text` the statement's SQL.
bool leaves_session_unchanged(const std::string& type, const nlohmann::json& node, std::string_view text);

}  // namespace cora
