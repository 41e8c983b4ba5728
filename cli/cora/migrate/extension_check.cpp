#include "cora/migrate/extension_check.hpp"

#include <fmt/format.h>

#include <map>
#include <set>
#include <sstream>

#include "cora/migrate/privileged_extensions.hpp"

namespace cora {

namespace {

struct OfferedExtension {
  bool installed = false;
  bool trusted = false;  // PostgreSQL lets a role with CREATE on the database install it
};

// supautils.privileged_extensions on a real Supabase server: "a, b, c"; empty when unset.
std::set<std::string> supautils_allow_list(Connection& db) {
  std::set<std::string> out;
  const auto result = db.query("SELECT pg_catalog.current_setting('supautils.privileged_extensions', true)");
  if (result.rows.empty() || !result.rows[0].at(0)) return out;
  std::stringstream list(*result.rows[0].at(0));
  for (std::string name; std::getline(list, name, ',');) {
    const auto first = name.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    out.insert(name.substr(first, name.find_last_not_of(" \t") - first + 1));
  }
  return out;
}

}  // namespace

std::string missing_extension_reason(const MissingExtension& missing) {
  if (!missing.not_allow_listed) return "which this server does not offer (pg_available_extensions)";
  return "which the server offers but Supabase does not let the migrations' role create: it is not on the "
         "allow-list (supautils.privileged_extensions) nor trusted by PostgreSQL";
}

std::string missing_extension_fix(const MissingExtension& missing) {
  if (!missing.not_allow_listed) return "install the extension's package on the server";
  return "use an allow-listed extension instead, or have the project's administrator create it";
}

std::vector<MissingExtension> find_missing_extensions(Connection& db, const std::vector<PreparedMigration>& migrations,
                                                      const std::function<bool()>& is_supabase) {
  std::vector<MissingExtension> wanted;
  constexpr std::string_view kPrefix = "extension:";
  for (const auto& migration : migrations) {
    for (const auto& statement : migration.script.statements) {
      if (statement.node_type != "CreateExtensionStmt") continue;
      for (const auto& defined : statement.defines) {
        if (defined.key.rfind(kPrefix, 0) != 0) continue;
        wanted.push_back({defined.key.substr(kPrefix.size()), migration.file, statement.first_line});
      }
    }
  }
  if (wanted.empty()) return wanted;
  std::map<std::string, OfferedExtension> offered;
  const auto result = db.query(
      "SELECT a.name, a.installed_version IS NOT NULL, EXISTS (SELECT 1 FROM "
      "pg_catalog.pg_available_extension_versions v WHERE v.name = a.name AND v.version = a.default_version AND "
      "v.trusted), (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) "
      "FROM pg_catalog.pg_available_extensions a");
  bool superuser = false;
  for (const auto& row : result.rows) {
    if (!row.at(0)) continue;
    offered[*row.at(0)] = {row.at(1).value_or("f") == "t", row.at(2).value_or("f") == "t"};
    superuser = row.at(3).value_or("f") == "t";
  }
  // The allow-list matters only where the role is no superuser, as `postgres` on Supabase.
  std::set<std::string> allowed;
  const bool check_allow_list = !superuser && is_supabase();
  if (check_allow_list) {
    allowed = read_privileged_extensions(db);
    if (allowed.empty()) allowed = supautils_allow_list(db);
  }
  std::vector<MissingExtension> missing;
  for (auto& w : wanted) {
    const auto it = offered.find(w.name);
    if (it == offered.end()) {
      missing.push_back(std::move(w));
      continue;
    }
    if (!check_allow_list || allowed.empty()) continue;  // no allow-list to read: availability only
    if (it->second.installed || it->second.trusted || allowed.count(w.name)) continue;
    w.not_allow_listed = true;
    missing.push_back(std::move(w));
  }
  return missing;
}

}  // namespace cora
