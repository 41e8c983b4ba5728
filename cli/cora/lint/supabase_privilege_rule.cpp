#include "cora/lint/supabase_privilege_rule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "cora/sql/names.hpp"

namespace cora::lint {

namespace {

using nlohmann::json;

constexpr const char* kRule = "not_allowed_on_supabase";

// Schemas whose objects Supabase's own roles own (supabase_auth_admin, supabase_storage_admin,
// supabase_realtime_admin) and where postgres may not create.
bool platform_schema(const std::string& schema) {
  return schema == "auth" || schema == "storage" || schema == "realtime";
}

// Languages PostgreSQL lets only a superuser use.
bool untrusted_language(const std::string& language) {
  static const char* const names[] = {"plpythonu", "plpython2u", "plpython3u", "plperlu", "pltclu", "c", "internal"};
  return std::find(std::begin(names), std::end(names), language) != std::end(names);
}

Finding supabase_finding(const LintFile& file, const LintStatement& s, std::string message, std::string hint) {
  Finding f;
  f.rule = kRule;
  f.file = file.file->path.string();
  f.line = s.line;
  f.message = std::move(message);
  f.hint = std::move(hint);
  return f;
}

std::string def_string(const json& def) {
  return def.value("arg", json::object()).value("String", json::object()).value("sval", "");
}

bool grants_superuser(const json& node) {
  for (const auto& item : node.value("options", json::array())) {
    const auto& def = item.value("DefElem", json::object());
    if (def.value("defname", "") == "superuser" &&
        def.value("arg", json::object()).value("Boolean", json::object()).value("boolval", false)) {
      return true;
    }
  }
  return false;
}

std::string owner_of(const std::string& schema) {
  if (schema == "auth") return "supabase_auth_admin";
  if (schema == "storage") return "supabase_storage_admin";
  return "supabase_realtime_admin";
}

std::optional<Finding> on_platform_relation(const LintFile& file, const LintStatement& s, const QualifiedName& table,
                                            const std::string& what) {
  if (!platform_schema(table.schema)) return std::nullopt;
  return supabase_finding(
      file, s,
      fmt::format("{} {}: on Supabase the table belongs to {}, and postgres fails with \"must be owner of table {}\" "
                  "(42501)",
                  what, table.text(), owner_of(table.schema), table.name),
      table.schema == "storage" && what == "ENABLE ROW LEVEL SECURITY on"
          ? "leave it out: row level security is on already"
          : "leave it out of the migrations, or do it the platform's way (the dashboard, or the service's own API)");
}

// COMMENT ON's object: the names of a TABLE / COLUMN / POLICY / FUNCTION, schema first.
std::optional<QualifiedName> commented_relation(const json& node) {
  const std::string type = node.value("objtype", "");
  const auto& object = node.value("object", json::object());
  std::vector<std::string> parts;
  if (object.contains("List")) parts = string_list(object["List"].value("items", json::array()));
  if (type == "OBJECT_TABLE" || type == "OBJECT_VIEW") {
    if (parts.size() < 2) return std::nullopt;
    return QualifiedName{parts[parts.size() - 2], parts.back()};
  }
  if (type == "OBJECT_COLUMN" || type == "OBJECT_POLICY" || type == "OBJECT_TRIGGER") {
    if (parts.size() < 3) return std::nullopt;
    return QualifiedName{parts[parts.size() - 3], parts[parts.size() - 2]};
  }
  return std::nullopt;
}

}  // namespace

std::optional<Finding> check_supabase_privileges(const LintFile& file, const LintStatement& s) {
  const auto& node = s.node;
  if (s.type == "AlterSystemStmt") {
    return supabase_finding(file, s, "ALTER SYSTEM needs a superuser, and postgres is none on Supabase (42501)",
                            "set it in the project's database settings, or with ALTER ROLE / ALTER DATABASE ... SET");
  }
  if (s.type == "CreatePLangStmt") {
    const std::string language = node.value("plname", "");
    if (!untrusted_language(language)) return std::nullopt;
    return supabase_finding(file, s,
                            fmt::format("CREATE LANGUAGE {}: an untrusted language needs a superuser (42501)",
                                        language),
                            "use a trusted language (plpgsql, sql, plv8)");
  }
  if (s.type == "CreateFunctionStmt") {
    for (const auto& item : node.value("options", json::array())) {
      const auto& def = item.value("DefElem", json::object());
      if (def.value("defname", "") == "language" && untrusted_language(def_string(def))) {
        return supabase_finding(
            file, s,
            fmt::format("a function in the untrusted language {} needs a superuser, and postgres is none on Supabase "
                        "(42501)",
                        def_string(def)),
            "write it in plpgsql or sql");
      }
    }
    const QualifiedName name = list_name(node.value("funcname", json::array()));
    if (platform_schema(name.schema)) {
      return supabase_finding(
          file, s,
          fmt::format("function {}: on Supabase postgres may not create in schema {} (\"permission denied for schema "
                      "{}\", 42501)",
                      name.text(), name.schema, name.schema),
          "create it in public or a schema of your own");
    }
    return std::nullopt;
  }
  if ((s.type == "AlterRoleStmt" || s.type == "CreateRoleStmt") && grants_superuser(node)) {
    return supabase_finding(file, s,
                            "only a superuser makes a role SUPERUSER, and postgres is none on Supabase (42501)",
                            "grant the privileges the role needs instead");
  }
  if (s.type == "AlterTableStmt") {
    const auto table = relation_name(node.value("relation", json::object()));
    bool enables_rls = false;
    for (const auto& cmd : node.value("cmds", json::array())) {
      if (cmd.value("AlterTableCmd", json::object()).value("subtype", "") == "AT_EnableRowSecurity") enables_rls = true;
    }
    return on_platform_relation(file, s, table, enables_rls ? "ENABLE ROW LEVEL SECURITY on" : "ALTER TABLE");
  }
  if (s.type == "IndexStmt") {
    return on_platform_relation(file, s, relation_name(node.value("relation", json::object())), "CREATE INDEX on");
  }
  if (s.type == "CreatePolicyStmt" || s.type == "AlterPolicyStmt") {
    return on_platform_relation(file, s, relation_name(node.value("table", json::object())),
                                s.type == "CreatePolicyStmt" ? "CREATE POLICY on" : "ALTER POLICY on");
  }
  if (s.type == "CommentStmt") {
    if (const auto table = commented_relation(node)) return on_platform_relation(file, s, *table, "COMMENT ON");
  }
  return std::nullopt;
}

}  // namespace cora::lint
