#include "cora/diff/restore_sql.hpp"
#include "cora/db/sql_text.hpp"
#include "cora/output/machine_text.hpp"
#include "cora/util/join.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

namespace cora {

namespace {

// "s.t.c" -> "s"."t"."c", quoted where needed. Names with a dot inside an identifier are not
// told apart: the snapshot's names join parts with dots.
std::string quoted_path(const std::string& dotted, std::size_t parts) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  for (std::size_t i = 1; i < parts; ++i) {
    const auto dot = dotted.find('.', start);
    if (dot == std::string::npos) break;
    pieces.push_back(dotted.substr(start, dot - start));
    start = dot + 1;
  }
  pieces.push_back(dotted.substr(start));
  std::string out;
  for (std::size_t i = 0; i < pieces.size(); ++i) out += (i ? "." : "") + quote_identifier_if_needed(pieces[i]);
  return out;
}

std::string table_of(const std::string& dotted_part) {
  return quoted_path(dotted_part.substr(0, dotted_part.rfind('.')), 2);
}
std::string last_part(const std::string& dotted) {
  return quote_identifier_if_needed(dotted.substr(dotted.rfind('.') + 1));
}

// A note to the reader of the script: names in it come from the files and the database.
std::string sql_comment_line(const std::string& text) { return "-- " + sql_comment_text(text) + "\n"; }

std::string statement(const std::string& sql) {
  std::string s = sql;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == ';')) s.pop_back();
  return s + ";\n";
}

const std::string& attribute(const SchemaObject& o, const std::string& name) {
  static const std::string none;
  const auto it = o.attributes.find(name);
  return it == o.attributes.end() ? none : it->second;
}

// "public.user_sessions user_sessions_select_own" -> ("public.user_sessions", "user_sessions_select_own")
std::pair<std::string, std::string> policy_parts(const std::string& name) {
  const auto blank = name.find(' ');
  return {quoted_path(name.substr(0, blank), 2), quote_identifier_if_needed(name.substr(blank + 1))};
}

std::string grantee_of(const std::string& grant_name) { return grant_name.substr(grant_name.rfind(" to ") + 4); }

struct Privilege {
  std::string name;
  bool grantable = false;
};

std::vector<Privilege> privileges(const std::string& list) {
  std::vector<Privilege> out;
  std::size_t start = 0;
  while (start < list.size()) {
    auto end = list.find(", ", start);
    if (end == std::string::npos) end = list.size();
    std::string item = list.substr(start, end - start);
    const std::string option = " WITH GRANT OPTION";
    const bool grantable =
        item.size() > option.size() && item.compare(item.size() - option.size(), option.size(), option) == 0;
    if (grantable) item.resize(item.size() - option.size());
    out.push_back({item, grantable});
    start = end + 2;
  }
  return out;
}

std::string grant_sql(const SchemaObject* expected, const SchemaObject* actual) {
  const SchemaObject& any = expected ? *expected : *actual;
  const std::string target = any.create_sql;  // "TABLE public.x", "FUNCTION public.f(args)"
  const std::string grantee = grantee_of(any.name);
  const auto want = privileges(expected ? attribute(*expected, "privileges") : "");
  const auto have = privileges(actual ? attribute(*actual, "privileges") : "");
  const auto find = [](const std::vector<Privilege>& list, const std::string& name) {
    return std::find_if(list.begin(), list.end(), [&](const Privilege& p) { return p.name == name; });
  };
  std::vector<std::string> revoke, revoke_option, grant, grant_with_option;
  for (const auto& h : have) {
    const auto w = find(want, h.name);
    if (w == want.end()) revoke.push_back(h.name);
    else if (h.grantable && !w->grantable) revoke_option.push_back(h.name);
  }
  for (const auto& w : want) {
    const auto h = find(have, w.name);
    if (h == have.end() || (w.grantable && !h->grantable)) (w.grantable ? grant_with_option : grant).push_back(w.name);
  }
  std::string out;
  if (!revoke.empty()) out += statement(fmt::format("REVOKE {} ON {} FROM {}", join(revoke), target, grantee));
  if (!revoke_option.empty()) {
    out += statement(fmt::format("REVOKE GRANT OPTION FOR {} ON {} FROM {}", join(revoke_option), target, grantee));
  }
  if (!grant.empty()) out += statement(fmt::format("GRANT {} ON {} TO {}", join(grant), target, grantee));
  if (!grant_with_option.empty()) {
    out += statement(fmt::format("GRANT {} ON {} TO {} WITH GRANT OPTION", join(grant_with_option), target, grantee));
  }
  return out;
}

std::string column_definition(const SchemaObject& c) {
  std::string out = last_part(c.name) + " " + attribute(c, "type");
  if (!attribute(c, "generated").empty()) out += " GENERATED ALWAYS AS (" + attribute(c, "generated") + ") STORED";
  if (!attribute(c, "identity").empty()) out += " " + attribute(c, "identity");
  if (!attribute(c, "default").empty()) out += " DEFAULT " + attribute(c, "default");
  if (attribute(c, "nullable") == "NOT NULL") out += " NOT NULL";
  return out;
}

std::string table_attribute_sql(const std::string& table, const AttributeDifference& a) {
  if (a.attribute == "row level security") {
    return statement(
        fmt::format("ALTER TABLE {} {} ROW LEVEL SECURITY", table, a.expected == "enabled" ? "ENABLE" : "DISABLE"));
  }
  if (a.attribute == "force row level security") {
    return statement(
        fmt::format("ALTER TABLE {} {} ROW LEVEL SECURITY", table, a.expected == "forced" ? "FORCE" : "NO FORCE"));
  }
  return sql_comment_line(fmt::format("{}: the files make it a {}, the database has a {}: re-create it by hand", table,
                                      a.expected, a.actual));
}

std::string column_attribute_sql(const SchemaObject& column, const AttributeDifference& a) {
  const std::string alter =
      fmt::format("ALTER TABLE {} ALTER COLUMN {}", table_of(column.name), last_part(column.name));
  if (a.attribute == "type") return statement(fmt::format("{} TYPE {}", alter, a.expected));
  if (a.attribute == "nullable")
    return statement(alter + (a.expected == "NOT NULL" ? " SET NOT NULL" : " DROP NOT NULL"));
  if (a.attribute == "default") {
    return statement(a.expected.empty() ? alter + " DROP DEFAULT" : alter + " SET DEFAULT " + a.expected);
  }
  if (a.attribute == "identity") {
    if (a.expected.empty()) return statement(alter + " DROP IDENTITY");
    if (a.actual.empty()) return statement(fmt::format("{} ADD {}", alter, a.expected));
    return statement(fmt::format("{} SET GENERATED {}", alter,
                                 a.expected.find("ALWAYS") != std::string::npos ? "ALWAYS" : "BY DEFAULT"));
  }
  return sql_comment_line(
      fmt::format("{}.{}: PostgreSQL cannot change a generated column in place: drop it and add it again as {}",
                  table_of(column.name), last_part(column.name), column_definition(column)));
}

std::string create_table_sql(const SchemaObject& table, const SchemaSnapshot& expected) {
  std::vector<const SchemaObject*> columns, parts;
  const std::string key = table.key();
  for (const auto& [k, o] : expected.objects) {
    if (o.parent != key) continue;
    (o.kind == "column" ? columns : parts).push_back(&o);
  }
  std::sort(columns.begin(), columns.end(),
            [](const SchemaObject* a, const SchemaObject* b) { return a->order < b->order; });
  // A serial column's sequence must exist before the column's default names it, and can be
  // owned by the column only once the table exists.
  std::string out, owned_by;
  for (const auto* p : parts) {
    if (p->kind != "sequence") continue;
    const auto split = p->create_sql.find("; ALTER SEQUENCE");
    out += statement(p->create_sql.substr(0, split));
    if (split != std::string::npos) owned_by += statement(p->create_sql.substr(split + 2));
  }
  parts.erase(std::remove_if(parts.begin(), parts.end(), [](const SchemaObject* p) { return p->kind == "sequence"; }),
              parts.end());
  out += "CREATE TABLE " + quoted_path(table.name, 2) + " (\n";
  for (std::size_t i = 0; i < columns.size(); ++i)
    out += "    " + column_definition(*columns[i]) + (i + 1 < columns.size() ? ",\n" : "\n");
  out += ");\n" + owned_by;
  for (const auto& a : table.attributes) {
    if ((a.first == "row level security" && a.second == "enabled") ||
        (a.first == "force row level security" && a.second == "forced")) {
      out += table_attribute_sql(quoted_path(table.name, 2), {a.first, a.second, ""});
    }
  }
  // Constraints before indexes, triggers and policies, as compare_schemas orders kinds.
  std::stable_sort(parts.begin(), parts.end(), [](const SchemaObject* a, const SchemaObject* b) {
    return (a->kind == "constraint") > (b->kind == "constraint");
  });
  for (const auto* p : parts) {
    if (p->kind == "grant") out += grant_sql(p, nullptr);
    else if (!p->create_sql.empty()) out += statement(p->create_sql);
  }
  return out;
}

// IF EXISTS throughout: a fix saved as a migration also runs on a fresh build, where the
// object no file creates was never there.
std::string drop_sql(const SchemaObject& o) {
  const std::string& k = o.kind;
  if (k == "table") return statement("DROP TABLE IF EXISTS " + quoted_path(o.name, 2));
  if (k == "view") {
    return statement(
        (attribute(o, "kind") == "materialized view" ? "DROP MATERIALIZED VIEW IF EXISTS " : "DROP VIEW IF EXISTS ") +
        quoted_path(o.name, 2));
  }
  if (k == "column")
    return statement(fmt::format("ALTER TABLE {} DROP COLUMN IF EXISTS {}", table_of(o.name), last_part(o.name)));
  if (k == "constraint") {
    return statement(fmt::format("ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}", table_of(o.name), last_part(o.name)));
  }
  if (k == "index") return statement("DROP INDEX IF EXISTS " + quoted_path(o.name, 2));
  if (k == "policy") {
    const auto [table, name] = policy_parts(o.name);
    return statement(fmt::format("DROP POLICY IF EXISTS {} ON {}", name, table));
  }
  if (k == "trigger")
    return statement(fmt::format("DROP TRIGGER IF EXISTS {} ON {}", last_part(o.name), table_of(o.name)));
  if (k == "function") {
    const auto paren = o.name.find('(');
    return statement(fmt::format("DROP {} IF EXISTS {}{}",
                                 attribute(o, "kind") == "procedure" ? "PROCEDURE" : "FUNCTION",
                                 quoted_path(o.name.substr(0, paren), 2), o.name.substr(paren)));
  }
  if (k == "sequence") return statement("DROP SEQUENCE IF EXISTS " + quoted_path(o.name, 2));
  if (k == "type")
    return statement(std::string(attribute(o, "kind") == "domain" ? "DROP DOMAIN IF EXISTS " : "DROP TYPE IF EXISTS ") +
                     quoted_path(o.name, 2));
  if (k == "extension") return statement("DROP EXTENSION IF EXISTS " + quote_identifier_if_needed(o.name));
  return sql_comment_line(o.kind + " " + o.name + ": drop it by hand");
}

bool differs_in(const SchemaDifference& d, const std::string& name) {
  return std::any_of(d.attributes.begin(), d.attributes.end(),
                     [&](const AttributeDifference& a) { return a.attribute == name; });
}

std::string changed_sql(const SchemaDifference& d) {
  const SchemaObject& e = *d.expected;
  const std::string& k = e.kind;
  if (k == "grant") return grant_sql(d.expected, d.actual);
  if (k == "function") {
    // CREATE OR REPLACE cannot change the result type or the kind: drop the database's first.
    const bool recreate = differs_in(d, "returns") || differs_in(d, "kind");
    return (recreate ? drop_sql(*d.actual) : "") + statement(e.create_sql);
  }
  if (k == "policy") {
    const auto [table, name] = policy_parts(e.name);
    return statement(fmt::format("DROP POLICY IF EXISTS {} ON {}", name, table)) + statement(e.create_sql);
  }
  if (k == "trigger") {
    return statement(fmt::format("DROP TRIGGER IF EXISTS {} ON {}", last_part(e.name), table_of(e.name))) +
           statement(e.create_sql);
  }
  if (k == "index") return statement("DROP INDEX IF EXISTS " + quoted_path(e.name, 2)) + statement(e.create_sql);
  if (k == "constraint") {
    return statement(fmt::format("ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}", table_of(e.name), last_part(e.name))) +
           statement(e.create_sql);
  }
  if (k == "view") {
    if (attribute(e, "kind") == "materialized view" || differs_in(d, "kind"))
      return drop_sql(*d.actual) + statement(e.create_sql);
    return statement(e.create_sql);
  }
  std::string out;
  for (const auto& a : d.attributes) {
    if (k == "column") out += column_attribute_sql(e, a);
    else if (k == "table") out += table_attribute_sql(quoted_path(e.name, 2), a);
    else if (k == "sequence" && a.attribute == "owned by") {
      out += statement(fmt::format("ALTER SEQUENCE {} OWNED BY {}", quoted_path(e.name, 2),
                                   a.expected.empty() ? "NONE" : quoted_path(a.expected, 3)));
    } else if (k == "sequence") {
      const std::map<std::string, std::string> clause{{"type", "AS"},
                                                      {"start", "START WITH"},
                                                      {"increment", "INCREMENT BY"},
                                                      {"minimum", "MINVALUE"},
                                                      {"maximum", "MAXVALUE"}};
      const auto it = clause.find(a.attribute);
      out += statement(fmt::format("ALTER SEQUENCE {} {}", quoted_path(e.name, 2),
                                   it == clause.end() ? a.expected : it->second + " " + a.expected));
    } else if (k == "extension" && a.attribute == "schema") {
      out += statement(fmt::format("ALTER EXTENSION {} SET SCHEMA {}", quote_identifier_if_needed(e.name),
                                   quote_identifier_if_needed(a.expected)));
    } else if (k == "type" && a.attribute == "labels" && attribute(e, "kind") == "enum") {
      const auto want = privileges(a.expected), have = privileges(a.actual);  // both are ", "-separated lists
      for (const auto& label : want) {
        const bool present =
            std::any_of(have.begin(), have.end(), [&](const Privilege& p) { return p.name == label.name; });
        if (!present)
          out += statement(fmt::format("ALTER TYPE {} ADD VALUE IF NOT EXISTS {}", quoted_path(e.name, 2), label.name));
      }
      for (const auto& label : have) {
        const bool wanted =
            std::any_of(want.begin(), want.end(), [&](const Privilege& p) { return p.name == label.name; });
        if (!wanted)
          out +=
              sql_comment_line(fmt::format("{}: PostgreSQL cannot remove the enum label {}: re-create the type by hand",
                                           e.name, label.name));
      }
    } else {
      out += sql_comment_line(fmt::format("{} {}: {} differs ({} in the files): re-create it by hand: {}", k, e.name,
                                          a.attribute, a.expected.empty() ? "none" : a.expected, e.create_sql));
    }
  }
  return out;
}

}  // namespace

std::string restore_sql(const SchemaDifference& difference, const SchemaSnapshot& expected) {
  switch (difference.kind) {
    case DifferenceKind::missing: {
      const std::string& kind = difference.expected->kind;
      if (kind == "table") return create_table_sql(*difference.expected, expected);
      // On a fresh build the files already made it: drop it if there, then create it, as for a
      // changed one, so the fix runs both on the drifted database and after the files.
      if (kind == "index" || kind == "policy" || kind == "trigger" || kind == "constraint")
        return changed_sql(difference);
      // Its grants are not listed on their own (see compare_schemas): they come with it.
      std::string out = statement(difference.expected->create_sql);
      for (const auto& [key, o] : expected.objects) {
        if (o.kind == "grant" && o.parent == difference.expected->key()) out += grant_sql(&o, nullptr);
      }
      return out;
    }
    case DifferenceKind::extra: return drop_sql(*difference.actual);
    case DifferenceKind::changed:
      if (!difference.expected) return grant_sql(nullptr, difference.actual);
      return changed_sql(difference);
  }
  return "";
}

}  // namespace cora
