// diff's pure parts: where files define objects, comparing snapshots, the SQL back, rendering.

#include <doctest/doctest.h>

#include <tuple>

#include "cora/config/settings.hpp"
#include "cora/diff/compare_schemas.hpp"
#include "cora/diff/drift_render.hpp"
#include "cora/diff/object_sources.hpp"
#include "cora/diff/restore_sql.hpp"
#include "cora/migrations/prepared_migration.hpp"
#include "cora/sql/script.hpp"

using cora::compare_schemas;
using cora::describe_change;
using cora::DifferenceKind;
using cora::glob_matches;
using cora::is_deparsed_attribute;
using cora::MigrationFile;
using cora::ObjectSources;
using cora::prepare_migration;
using cora::PreparedMigration;
using cora::restore_sql;
using cora::SchemaDifference;
using cora::SchemaObject;
using cora::SchemaSnapshot;

namespace {

SchemaObject object(const std::string& kind, const std::string& name, std::map<std::string, std::string> attributes,
                    const std::string& parent = "", const std::string& create_sql = "") {
  SchemaObject o;
  o.kind = kind;
  o.name = name;
  o.parent = parent;
  o.attributes = std::move(attributes);
  o.create_sql = create_sql;
  return o;
}

void add(SchemaSnapshot& s, SchemaObject o) { s.objects.emplace(o.key(), std::move(o)); }

MigrationFile diff_migration(std::int64_t version, const std::string& content) {
  MigrationFile f;
  f.version = version;
  f.name = "m" + std::to_string(version);
  f.file_name = std::to_string(version) + "-" + f.name + ".sql";
  f.path = "migrations/" + f.file_name;
  f.content = content;
  return f;
}

}  // namespace

TEST_CASE("glob_matches: * and ? only, anchored at both ends") {
  CHECK(glob_matches("public.legacy_*", "public.legacy_notes"));
  CHECK(glob_matches("*", ""));
  CHECK(glob_matches("public.t?", "public.t1"));
  CHECK_FALSE(glob_matches("public.t?", "public.t12"));
  CHECK_FALSE(glob_matches("legacy_*", "public.legacy_notes"));
  CHECK(glob_matches("*.*_log", "public.user_auth_log"));
  CHECK_FALSE(glob_matches("a*b*c", "aXbXd"));
}

TEST_CASE("parse_sql_script: defines names each object with the line of its definition") {
  const std::string sql =
      "CREATE TABLE IF NOT EXISTS t (\n"
      "  id int PRIMARY KEY,\n"
      "  note text NOT NULL,\n"
      "  CONSTRAINT t_note_check CHECK (note <> '')\n"
      ");\n"
      "DROP POLICY IF EXISTS p ON public.t;\n"
      "CREATE POLICY p ON t FOR SELECT TO authenticated USING (true);\n"
      "GRANT SELECT ON TABLE t TO anon, PUBLIC;\n"
      "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
      "ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n";
  const auto file = diff_migration(1, sql);
  std::vector<PreparedMigration> prepared{prepare_migration(file)};
  const ObjectSources sources(prepared);

  const auto line = [&](const SchemaObject& o, const std::string& attribute = "") {
    const auto found = sources.find(o, attribute);
    return found ? found->line : 0;
  };
  CHECK(line(object("table", "public.t", {})) == 1);
  CHECK(line(object("column", "public.t.note", {}, "table:public.t")) == 3);
  CHECK(line(object("constraint", "public.t.t_note_check", {}, "table:public.t")) == 4);
  // A constraint PostgreSQL named: its table's definition.
  CHECK(line(object("constraint", "public.t.t_pkey", {}, "table:public.t")) == 1);
  CHECK(line(object("grant", "table public.t to anon", {}, "table:public.t")) == 8);
  CHECK(line(object("table", "public.t", {}), "row level security") == 10);

  const auto policy = sources.find(object("policy", "public.t p", {}, "table:public.t"));
  REQUIRE(policy);
  CHECK(policy->line == 7);
  CHECK(policy->restores_definition);  // DROP POLICY IF EXISTS came first

  const auto function = sources.find(object("function", "public.f()", {}));
  REQUIRE(function);
  CHECK(function->line == 9);
  CHECK(function->restores_definition);

  const auto table = sources.find(object("table", "public.t", {}));
  CHECK_FALSE(table->restores_definition);
  CHECK(table->restores_if_missing);  // IF NOT EXISTS
  CHECK_FALSE(sources.find(object("table", "public.other", {})));
}

TEST_CASE("ObjectSources: the latest definition holds, but IF NOT EXISTS of an existing object does not move it") {
  const auto first =
      diff_migration(1, "CREATE TABLE t (id int);\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n");
  const auto second =
      diff_migration(2,
                     "CREATE TABLE IF NOT EXISTS t (id int);\nCREATE OR REPLACE FUNCTION f() RETURNS int "
                     "LANGUAGE sql AS 'SELECT 2';\n");
  std::vector<PreparedMigration> prepared{prepare_migration(first), prepare_migration(second)};
  const ObjectSources sources(prepared);
  CHECK(sources.find(object("table", "public.t", {}))->file->version == 1);
  CHECK(sources.find(object("function", "public.f()", {}))->file->version == 2);
}

TEST_CASE("compare_schemas: missing, extra and changed; parts of a whole object are not listed again") {
  SchemaSnapshot expected, actual;
  add(expected, object("table", "public.a", {{"row level security", "enabled"}}));
  add(expected,
      object("column", "public.a.id", {{"nullable", "NOT NULL"}, {"default", "gen_random_uuid()"}}, "table:public.a"));
  add(expected, object("index", "public.a_idx", {{"definition", "CREATE INDEX a_idx ON public.a USING btree (id)"}},
                       "table:public.a"));
  add(expected, object("table", "public.gone", {}));
  add(expected, object("column", "public.gone.id", {}, "table:public.gone"));
  add(actual, object("table", "public.a", {{"row level security", "enabled"}}));
  add(actual,
      object("column", "public.a.id", {{"nullable", "NULL"}, {"default", "gen_random_uuid()"}}, "table:public.a"));
  add(actual, object("table", "public.extra", {}));
  add(actual, object("column", "public.extra.id", {}, "table:public.extra"));
  add(actual, object("grant", "table public.a to anon", {{"privileges", "INSERT"}}, "table:public.a"));

  const auto diffs = compare_schemas(expected, actual, {{"public"}, {}, true});
  REQUIRE(diffs.size() == 5);
  // Tables before columns before indexes before grants: the order their fixes can run in; extra
  // objects last.
  CHECK(diffs[0].object().name == "public.gone");
  CHECK(diffs[0].kind == DifferenceKind::missing);
  CHECK(diffs[1].object().name == "public.a.id");
  REQUIRE(diffs[1].attributes.size() == 1);
  CHECK(diffs[1].attributes[0].attribute == "nullable");
  CHECK(diffs[1].attributes[0].expected == "NOT NULL");
  CHECK(diffs[1].attributes[0].actual == "NULL");
  CHECK(diffs[2].object().name == "public.a_idx");
  CHECK(diffs[2].kind == DifferenceKind::missing);
  // A grant no file makes is a change of privileges, not an extra object.
  CHECK(diffs[3].kind == DifferenceKind::changed);
  CHECK(diffs[3].attributes[0].expected == "");
  CHECK(diffs[3].attributes[0].actual == "INSERT");
  CHECK(diffs[4].object().name == "public.extra");
  CHECK(diffs[4].kind == DifferenceKind::extra);

  const auto ignoring = compare_schemas(expected, actual, {{"public"}, {"public.extra", "public.a_idx"}, true});
  CHECK(ignoring.size() == 3);
}

TEST_CASE("compare_schemas: extra objects are dropped dependents first") {
  SchemaSnapshot expected, actual;
  add(actual, object("type", "public.mood", {{"kind", "enum"}}));
  add(actual, object("table", "public.t", {}));
  add(actual, object("view", "public.v", {}));
  const auto diffs = compare_schemas(expected, actual, {{"public"}, {}, true});
  REQUIRE(diffs.size() == 3);
  CHECK(diffs[0].object().name == "public.v");
  CHECK(diffs[1].object().name == "public.t");
  CHECK(diffs[2].object().name == "public.mood");
}

TEST_CASE("compare_schemas: across major versions deparsed text is not compared") {
  SchemaSnapshot expected, actual;
  add(expected, object("column", "public.a.at", {{"default", "now()"}, {"type", "timestamp with time zone"}}));
  add(actual,
      object("column", "public.a.at", {{"default", "CURRENT_TIMESTAMP"}, {"type", "timestamp with time zone"}}));
  CHECK(compare_schemas(expected, actual, {{"public"}, {}, true}).size() == 1);
  CHECK(compare_schemas(expected, actual, {{"public"}, {}, false}).empty());
  actual.objects.begin()->second.attributes["type"] = "timestamp without time zone";
  CHECK(compare_schemas(expected, actual, {{"public"}, {}, false}).size() == 1);
}

TEST_CASE("compare_schemas: across major versions, each deparsed attribute is left out and the rest compared") {
  // Attribute by attribute, as the snapshot names them: (kind, attribute, deparsed by PostgreSQL).
  const std::vector<std::tuple<std::string, std::string, bool>> attributes{
      {"column", "default", true},        {"column", "generated", true},
      {"constraint", "definition", true}, {"index", "definition", true},
      {"trigger", "definition", true},    {"view", "definition", true},
      {"policy", "using", true},          {"policy", "with check", true},
      {"type", "constraints", true},      {"column", "type", false},
      {"column", "nullable", false},      {"policy", "roles", false},
      {"policy", "command", false},       {"function", "body", false},
      {"function", "settings", false},    {"table", "row level security", false},
      {"index", "valid", false},          {"grant", "privileges", false},
      {"type", "labels", false},          {"sequence", "increment", false},
      {"view", "options", false}};
  for (const auto& [kind, attribute, deparsed] : attributes) {
    CAPTURE(kind);
    CAPTURE(attribute);
    CHECK(is_deparsed_attribute(attribute) == deparsed);
    SchemaSnapshot expected, actual;
    add(expected, object(kind, "public.x", {{attribute, "as PostgreSQL 15 prints it"}}));
    add(actual, object(kind, "public.x", {{attribute, "as another version prints it"}}));
    CHECK(compare_schemas(expected, actual, {{"public"}, {}, true}).size() == 1);
    CHECK(compare_schemas(expected, actual, {{"public"}, {}, false}).size() == (deparsed ? 0U : 1U));
  }
}

TEST_CASE("compare_schemas: extensions outside the managed schemas count only when the files create them") {
  SchemaSnapshot expected, actual;
  add(expected, object("extension", "pgcrypto", {{"schema", "extensions"}}));
  add(actual, object("extension", "pg_graphql", {{"schema", "graphql"}}));
  add(actual, object("extension", "citext", {{"schema", "public"}}));
  const auto diffs = compare_schemas(expected, actual, {{"public"}, {}, true});
  REQUIRE(diffs.size() == 2);
  CHECK(diffs[0].object().name == "pgcrypto");
  CHECK(diffs[0].kind == DifferenceKind::missing);
  CHECK(diffs[1].object().name == "citext");
  CHECK(diffs[1].kind == DifferenceKind::extra);
}

TEST_CASE("restore_sql: grants, columns and extra objects") {
  SchemaSnapshot expected;
  const auto want = object("grant", "table public.t to authenticated",
                           {{"privileges", "SELECT, UPDATE WITH GRANT OPTION"}}, "table:public.t", "TABLE public.t");
  const auto have = object("grant", "table public.t to authenticated",
                           {{"privileges", "DELETE, SELECT WITH GRANT OPTION"}}, "table:public.t", "TABLE public.t");
  const SchemaDifference grant{DifferenceKind::changed, &want, &have, {}};
  CHECK(restore_sql(grant, expected) ==
        "REVOKE DELETE ON TABLE public.t FROM authenticated;\n"
        "REVOKE GRANT OPTION FOR SELECT ON TABLE public.t FROM authenticated;\n"
        "GRANT UPDATE ON TABLE public.t TO authenticated WITH GRANT OPTION;\n");

  const auto column = object("column", "public.t.Note", {{"nullable", "NOT NULL"}}, "table:public.t");
  const SchemaDifference nullable{DifferenceKind::changed, &column, &column, {{"nullable", "NOT NULL", "NULL"}}};
  CHECK(restore_sql(nullable, expected) == "ALTER TABLE public.t ALTER COLUMN \"Note\" SET NOT NULL;\n");

  const auto policy = object("policy", "public.t own rows", {}, "table:public.t");
  const SchemaDifference extra{DifferenceKind::extra, nullptr, &policy, {}};
  CHECK(restore_sql(extra, expected) == "DROP POLICY IF EXISTS \"own rows\" ON public.t;\n");

  // What no file creates is dropped only if there: on a fresh build it never was.
  const auto index = object("index", "public.extra_idx", {}, "table:public.t");
  CHECK(restore_sql({DifferenceKind::extra, nullptr, &index, {}}, expected) ==
        "DROP INDEX IF EXISTS public.extra_idx;\n");
  const auto table = object("table", "public.scratch", {});
  CHECK(restore_sql({DifferenceKind::extra, nullptr, &table, {}}, expected) ==
        "DROP TABLE IF EXISTS public.scratch;\n");

  // What the files create and the database lost is dropped if there, then created: the files
  // made it on a fresh build.
  const auto lost = object("policy", "public.t own rows", {}, "table:public.t",
                           "CREATE POLICY \"own rows\" ON public.t AS PERMISSIVE FOR SELECT TO public USING (true)");
  CHECK(restore_sql({DifferenceKind::missing, &lost, nullptr, {}}, expected) ==
        "DROP POLICY IF EXISTS \"own rows\" ON public.t;\n"
        "CREATE POLICY \"own rows\" ON public.t AS PERMISSIVE FOR SELECT TO public USING (true);\n");
}

TEST_CASE("describe_change: a body is shown by its first differing line") {
  const auto c = describe_change("BEGIN\n  INSERT INTO public.user_auth_log;\nEND",
                                 "BEGIN\n  INSERT INTO public.auth_event_log;\nEND");
  CHECK(c.where == "line 2");
  CHECK(c.expected == "INSERT INTO public.user_auth_log;");
  CHECK(c.actual == "INSERT INTO public.auth_event_log;");
  const auto one = describe_change("", "INSERT");
  CHECK(one.where.empty());
  CHECK(one.expected == "(none)");
}
