#pragma once
// What the application's calls are checked against: the functions with their named parameters,
// the tables and views with their columns, and what the backend's role may do with each. Built
// from the migration files (offline_app_schema.hpp) or from the catalog (verify).

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cora/config/app_settings.hpp"

namespace cora::app {

// Where a migration file defines an object: FILE:LINE, or "" when no file does (the catalog has it).
struct DefinedAt {
  std::string file;
  int line = 0;
  std::string text() const { return file.empty() ? std::string() : file + ":" + std::to_string(line); }
};

struct AppParameter {
  std::string name;  // "" for an unnamed one (it cannot be passed by name)
  bool has_default = false;
};

struct AppFunction {
  std::string name;                  // "schema.name"
  std::vector<AppParameter> inputs;  // IN, INOUT and VARIADIC parameters, in order
  DefinedAt at;
  std::optional<bool> role_may_execute;  // nullopt: not known
};

struct AppRelation {
  std::string name;  // "schema.name"
  std::string kind;  // "table" or "view" (materialized and foreign ones count as such)
  // Nullopt when not known (a view whose select list the files do not name plainly).
  std::optional<std::vector<std::string>> columns;
  DefinedAt at;
  std::map<AppAccess, bool> role_may;  // select, insert, update, delete; absent: not known
};

struct AppSchema {
  std::map<std::string, std::vector<AppFunction>> functions;  // by "schema.name": its overloads
  std::map<std::string, AppRelation> relations;               // by "schema.name"
  std::map<std::string, DefinedAt> renamed;                   // "schema.old" -> where it was renamed, while gone
  // Where the definitions come from, for messages: "the migration files" or "the database".
  std::string source = "the migration files";
  // The role does not exist (live): the privileges are not checked, one finding says so.
  bool role_missing = false;
};

}  // namespace cora::app
