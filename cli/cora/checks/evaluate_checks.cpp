#include "cora/checks/evaluate_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "cora/sql/search_path.hpp"
#include "cora/util/join.hpp"

namespace cora {

namespace {

std::string yes_no(bool b) { return b ? "true" : "false"; }

// Type names as people write them, mapped to what format_type() prints.
std::string canonical_type(std::string type) {
  static const std::pair<const char*, const char*> aliases[] = {{"int", "integer"},
                                                                {"int4", "integer"},
                                                                {"int8", "bigint"},
                                                                {"int2", "smallint"},
                                                                {"bool", "boolean"},
                                                                {"timestamptz", "timestamp with time zone"},
                                                                {"timestamp", "timestamp without time zone"},
                                                                {"float8", "double precision"},
                                                                {"float4", "real"},
                                                                {"varchar", "character varying"},
                                                                {"char", "character"},
                                                                {"decimal", "numeric"}};
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto paren = type.find('(');
  const std::string base = type.substr(0, paren);
  for (const auto& [alias, canonical] : aliases) {
    if (base == alias) return canonical + (paren == std::string::npos ? "" : type.substr(paren));
  }
  return type;
}

std::string squeeze_spaces(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == ' ' || c == '\n' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

class Evaluator {
 public:
  Evaluator(const CatalogSnapshot& snapshot, const NormalisedExpressions& expressions, const FunctionAnalyses& analyses)
      : s_(snapshot), expressions_(expressions), analyses_(analyses) {}

  CheckOutcome table(const TableCheck& c) const {
    CheckOutcome out{"table", c.table, c.origin, {}};
    const auto it = s_.tables.find(c.table);
    if (it == s_.tables.end()) {
      out.findings.push_back({Severity::error, "table " + c.table + " exists", "no such table",
                              "create it in a migration, or fix the name in the check"});
      return out;
    }
    const TableFact& t = it->second;
    if (c.rls && *c.rls != t.rls) {
      out.findings.push_back(
          {Severity::error, "row level security " + std::string(*c.rls ? "enabled" : "disabled"),
           std::string(t.rls ? "enabled" : "disabled"),
           fmt::format("ALTER TABLE {} {} ROW LEVEL SECURITY;", c.table, *c.rls ? "ENABLE" : "DISABLE")});
    }
    if (c.force_rls && *c.force_rls != t.force_rls) {
      out.findings.push_back(
          {Severity::error, "force row level security " + yes_no(*c.force_rls), yes_no(t.force_rls),
           fmt::format("ALTER TABLE {} {}FORCE ROW LEVEL SECURITY;", c.table, *c.force_rls ? "" : "NO ")});
    }
    for (const auto& expected : c.columns) column(out, t, expected);
    return out;
  }

  CheckOutcome index(const IndexCheck& c) const {
    CheckOutcome out{"index", c.index, c.origin, {}};
    const auto it = std::find_if(s_.indexes.begin(), s_.indexes.end(),
                                 [&](const IndexFact& i) { return i.schema + "." + i.name == c.index; });
    if (it == s_.indexes.end()) {
      out.findings.push_back({Severity::error, "index " + c.index + " exists", "no such index",
                              "create it in a migration, or fix the name in the check"});
      return out;
    }
    const IndexFact& i = *it;
    if (c.table && *c.table != i.table) {
      out.findings.push_back({Severity::error, "on " + *c.table, "on " + i.table, "fix the index or the check"});
    }
    if (c.columns && *c.columns != i.columns) {
      out.findings.push_back({Severity::error, "columns (" + join(*c.columns) + ")",
                              "columns (" + join(i.columns) + ")", "recreate the index: " + i.definition});
    }
    if (c.unique && *c.unique != i.unique) {
      out.findings.push_back({Severity::error, std::string(*c.unique ? "unique" : "not unique"),
                              std::string(i.unique ? "unique" : "not unique"), "recreate the index"});
    }
    if (c.where) {
      const std::string expected = normalised(ExpressionToNormalise::Kind::index_predicate, c.index, *c.where);
      if (expected.rfind("error: ", 0) == 0) {
        out.findings.push_back({Severity::error, "WHERE " + *c.where,
                                "PostgreSQL cannot read that predicate (" + expected.substr(7) + ")",
                                "fix the check's where"});
      } else if (squeeze_spaces(expected) != squeeze_spaces(i.predicate)) {
        out.findings.push_back({Severity::error, "WHERE " + expected,
                                i.predicate.empty() ? "not a partial index" : "WHERE " + i.predicate,
                                "recreate the index with the intended predicate"});
      }
    }
    if (c.valid && !i.valid) {
      out.findings.push_back({Severity::error, "valid", "INVALID (a failed CREATE INDEX CONCURRENTLY?)",
                              fmt::format("DROP INDEX CONCURRENTLY {}; then create it again", c.index)});
    }
    return out;
  }

  CheckOutcome policy(const PolicyCheck& c) const {
    CheckOutcome out{"policy", c.table + " " + c.name, c.origin, {}};
    const auto it = std::find_if(s_.policies.begin(), s_.policies.end(), [&](const PolicyFact& p) {
      return p.schema + "." + p.table == c.table && p.name == c.name;
    });
    if (it == s_.policies.end()) {
      out.findings.push_back({Severity::error, "policy \"" + c.name + "\" on " + c.table, "no such policy",
                              "create it in a migration (DROP POLICY IF EXISTS, then CREATE POLICY)"});
      return out;
    }
    if (c.command && *c.command != it->command) {
      out.findings.push_back({Severity::error, "FOR " + *c.command, "FOR " + it->command, "recreate the policy"});
    }
    if (c.roles) {
      auto expected = *c.roles;
      auto found = it->roles;
      std::sort(expected.begin(), expected.end());
      std::sort(found.begin(), found.end());
      if (expected != found) {
        out.findings.push_back({Severity::error, "TO " + join(expected), "TO " + join(found), "recreate the policy"});
      }
    }
    if (c.permissive && *c.permissive != it->permissive) {
      out.findings.push_back({Severity::error, *c.permissive ? "PERMISSIVE" : "RESTRICTIVE",
                              it->permissive ? "PERMISSIVE" : "RESTRICTIVE", "recreate the policy"});
    }
    return out;
  }

  CheckOutcome function(const FunctionCheck& c) const {
    CheckOutcome out{"function", c.function + (c.arguments ? "(" + *c.arguments + ")" : ""), c.origin, {}};
    std::vector<const FunctionFact*> matches;
    for (const auto& f : s_.functions) {
      if (f.schema + "." + f.name == c.function &&
          (!c.arguments || squeeze_spaces(*c.arguments) == f.identity_arguments)) {
        matches.push_back(&f);
      }
    }
    if (matches.empty()) {
      std::vector<std::string> overloads;
      for (const auto& f : s_.functions) {
        if (f.schema + "." + f.name == c.function) overloads.push_back("(" + f.identity_arguments + ")");
      }
      out.findings.push_back({Severity::error, "function " + out.subject + " exists",
                              overloads.empty() ? "no such function" : "only " + join(overloads, " and "),
                              "create it in a migration, or fix the check's name or arguments"});
      return out;
    }
    if (matches.size() > 1) {
      std::vector<std::string> overloads;
      for (const auto* f : matches) overloads.push_back("(" + f->identity_arguments + ")");
      out.findings.push_back({Severity::error, "one function " + c.function, join(overloads, " and "),
                              "drop the stale overload, or name the arguments in the check"});
      return out;
    }
    const FunctionFact& f = *matches.front();
    if (c.language && *c.language != f.language) {
      out.findings.push_back(
          {Severity::error, "LANGUAGE " + *c.language, "LANGUAGE " + f.language, "recreate the function"});
    }
    if (c.security_definer && *c.security_definer != f.security_definer) {
      out.findings.push_back({Severity::error, *c.security_definer ? "SECURITY DEFINER" : "SECURITY INVOKER",
                              f.security_definer ? "SECURITY DEFINER" : "SECURITY INVOKER", "recreate the function"});
    }
    if (c.search_path_pinned && *c.search_path_pinned != f.search_path.has_value()) {
      out.findings.push_back(
          {Severity::error, *c.search_path_pinned ? "search_path pinned" : "search_path not pinned",
           f.search_path ? "search_path = " + *f.search_path : "search_path not pinned (mutable)",
           fmt::format("ALTER FUNCTION {}({}) SET search_path = '';", c.function, f.identity_arguments)});
    }
    if (!c.references.empty() || !c.must_not_reference.empty()) references(out, c, f);
    return out;
  }

  CheckOutcome role(const RoleCheck& c) const {
    CheckOutcome out{"role", c.role, c.origin, {}};
    const auto it = s_.roles.find(c.role);
    if (it == s_.roles.end()) {
      out.findings.push_back(
          {Severity::error, "role " + c.role + " exists", "no such role", "CREATE ROLE " + c.role + ";"});
      return out;
    }
    auto attribute = [&](const std::optional<bool>& expected, bool found, const char* name) {
      if (expected && *expected != found) {
        const std::string want = std::string(*expected ? "" : "NO") + name;
        out.findings.push_back({Severity::error, want, std::string(found ? "" : "NO") + name,
                                fmt::format("ALTER ROLE {} {};", c.role, want)});
      }
    };
    attribute(c.login, it->second.login, "LOGIN");
    attribute(c.bypassrls, it->second.bypassrls, "BYPASSRLS");
    attribute(c.superuser, it->second.superuser, "SUPERUSER");
    return out;
  }

 private:
  void column(CheckOutcome& out, const TableFact& t, const ColumnExpectation& e) const {
    const auto it =
        std::find_if(t.columns.begin(), t.columns.end(), [&](const ColumnFact& c) { return c.name == e.name; });
    const std::string where = out.subject + "." + e.name;
    if (it == t.columns.end()) {
      out.findings.push_back({Severity::error, "column " + where, "no such column", "add it in a migration"});
      return;
    }
    if (e.type && canonical_type(*e.type) != it->type) {
      out.findings.push_back({Severity::error, where + " of type " + canonical_type(*e.type), "type " + it->type,
                              "alter the column's type in a migration"});
    }
    if (e.nullable && *e.nullable == it->not_null) {
      out.findings.push_back({Severity::error, where + (*e.nullable ? " nullable" : " NOT NULL"),
                              it->not_null ? "NOT NULL" : "nullable",
                              fmt::format("ALTER TABLE {} ALTER COLUMN {} {} NOT NULL;", out.subject, e.name,
                                          *e.nullable ? "DROP" : "SET")});
    }
    if (e.default_expr) {
      const std::string expected = normalised(ExpressionToNormalise::Kind::column_default, where, *e.default_expr);
      if (expected.rfind("error: ", 0) == 0) {
        out.findings.push_back({Severity::error, where + " DEFAULT " + *e.default_expr,
                                "PostgreSQL cannot read that default (" + expected.substr(7) + ")", "fix the check"});
      } else if (squeeze_spaces(expected) != squeeze_spaces(it->default_expr)) {
        out.findings.push_back(
            {Severity::error, where + " DEFAULT " + expected,
             it->default_expr.empty() ? "no default" : "DEFAULT " + it->default_expr,
             fmt::format("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {};", out.subject, e.name, *e.default_expr)});
      }
    }
    if (e.generated && *e.generated != it->generated) {
      out.findings.push_back({Severity::error,
                              where + (*e.generated ? " GENERATED ALWAYS AS (...) STORED" : " not generated"),
                              it->generated ? "generated as " + it->generated_expr : "an ordinary column",
                              "recreate the column in a migration"});
    }
    if (e.generated_expr && it->generated) {
      const std::string expected = normalised(ExpressionToNormalise::Kind::generated_column, where, *e.generated_expr);
      if (expected.rfind("error: ", 0) == 0) {
        out.findings.push_back({Severity::error, where + " GENERATED ALWAYS AS (" + *e.generated_expr + ")",
                                "PostgreSQL cannot read that expression (" + expected.substr(7) + ")",
                                "fix the check"});
      } else if (squeeze_spaces(expected) != squeeze_spaces(it->generated_expr)) {
        out.findings.push_back({Severity::error, where + " GENERATED ALWAYS AS (" + expected + ") STORED",
                                "GENERATED ALWAYS AS (" + it->generated_expr + ") STORED",
                                "recreate the column in a migration"});
      }
    } else if (e.generated_expr) {
      out.findings.push_back({Severity::error, where + " GENERATED ALWAYS AS (" + *e.generated_expr + ") STORED",
                              "an ordinary column", "recreate the column in a migration"});
    }
  }

  // The server's normalised text of `expression`, or the expression itself when it was not
  // normalised (its table is missing: another finding says so).
  std::string normalised(ExpressionToNormalise::Kind kind, const std::string& subject,
                         const std::string& expression) const {
    const auto it = expressions_.find(expression_key(kind, subject));
    return it == expressions_.end() ? expression : it->second;
  }

  void references(CheckOutcome& out, const FunctionCheck& c, const FunctionFact& f) const {
    const auto found = analyses_.find(signature_of(f));
    if (found == analyses_.end()) {
      out.findings.push_back({Severity::error, "a PL/pgSQL or SQL body to analyse", "LANGUAGE " + f.language,
                              "drop references / must_not_reference from this check"});
      return;
    }
    const BodyAnalysis& analysis = found->second;
    if (analysis.parse_error) {
      out.findings.push_back(
          {Severity::error, "a body that PostgreSQL's parser reads", *analysis.parse_error, "fix the function's body"});
      return;
    }
    const auto path = function_search_path(f, s_.session_search_path);
    std::set<std::string> named;
    for (const auto& r : analysis.relations) {
      for (const auto& candidate : candidate_names(r.schema, r.name, path)) named.insert(candidate);
    }
    for (const auto& wanted : c.references) {
      if (!named.count(wanted)) {
        out.findings.push_back({Severity::error, "body references " + wanted,
                                "it does not (it names: " + describe(analysis.relations) + ")",
                                "re-apply the migration that defines " + c.function});
      }
    }
    for (const auto& banned : c.must_not_reference) {
      for (const auto& r : analysis.relations) {
        const auto candidates = candidate_names(r.schema, r.name, path);
        if (std::find(candidates.begin(), candidates.end(), banned) != candidates.end()) {
          out.findings.push_back(
              {Severity::error, "body does not reference " + banned,
               fmt::format("line {} of the body names {}", r.line, r.schema.empty() ? r.name : r.schema + "." + r.name),
               "re-apply the migration that defines " + c.function + " (e.g. `cora-migrate status` shows it changed)"});
        }
      }
    }
  }

  static std::string describe(const std::vector<RelationReference>& relations) {
    std::vector<std::string> names;
    for (const auto& r : relations) names.push_back(r.schema.empty() ? r.name : r.schema + "." + r.name);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names.empty() ? "no relation" : join(names);
  }

  const CatalogSnapshot& s_;
  const NormalisedExpressions& expressions_;
  const FunctionAnalyses& analyses_;
};

}  // namespace

std::vector<std::string> function_search_path(const FunctionFact& f, const std::string& session_search_path) {
  return parse_search_path(f.search_path.value_or(session_search_path));
}

std::string expression_key(ExpressionToNormalise::Kind kind, const std::string& subject) {
  switch (kind) {
    case ExpressionToNormalise::Kind::index_predicate: return "where:" + subject;
    case ExpressionToNormalise::Kind::column_default: return "default:" + subject;
    case ExpressionToNormalise::Kind::generated_column: return "generated:" + subject;
  }
  return subject;
}

std::vector<ExpressionToNormalise> expressions_to_normalise(const CheckSet& checks, const CatalogSnapshot& snapshot) {
  using Kind = ExpressionToNormalise::Kind;
  std::vector<ExpressionToNormalise> out;
  for (const auto& c : checks.indexes) {
    if (!c.where) continue;
    const auto live = std::find_if(snapshot.indexes.begin(), snapshot.indexes.end(),
                                   [&](const IndexFact& i) { return i.schema + "." + i.name == c.index; });
    const std::string table = c.table.value_or(live == snapshot.indexes.end() ? "" : live->table);
    if (!snapshot.tables.count(table)) continue;
    out.push_back({expression_key(Kind::index_predicate, c.index), Kind::index_predicate, table, "", *c.where});
  }
  for (const auto& c : checks.tables) {
    const auto table = snapshot.tables.find(c.table);
    if (table == snapshot.tables.end()) continue;
    for (const auto& column : c.columns) {
      const auto live = std::find_if(table->second.columns.begin(), table->second.columns.end(),
                                     [&](const ColumnFact& f) { return f.name == column.name; });
      if (live == table->second.columns.end()) continue;
      const std::string subject = c.table + "." + column.name;
      if (column.default_expr) {
        out.push_back({expression_key(Kind::column_default, subject), Kind::column_default, c.table, live->type,
                       *column.default_expr});
      }
      if (column.generated_expr) {
        out.push_back({expression_key(Kind::generated_column, subject), Kind::generated_column, c.table, live->type,
                       *column.generated_expr});
      }
    }
  }
  return out;
}

std::string signature_of(const FunctionFact& f) {
  return fmt::format("{}.{}({})", f.schema, f.name, f.identity_arguments);
}

FunctionAnalyses analyse_functions(const CatalogSnapshot& snapshot) {
  FunctionAnalyses out;
  for (const auto& f : snapshot.functions) {
    if (f.language != "plpgsql" && f.language != "sql") continue;
    out.emplace(signature_of(f), analyse_function_body(f.language, f.body, {f.arguments, f.result}));
  }
  return out;
}

std::vector<CheckOutcome> evaluate_checks(const CheckSet& checks, const CatalogSnapshot& snapshot,
                                          const NormalisedExpressions& expressions, const FunctionAnalyses& analyses) {
  const Evaluator e(snapshot, expressions, analyses);
  std::vector<CheckOutcome> out;
  out.reserve(checks.size());
  for (const auto& c : checks.tables) out.push_back(e.table(c));
  for (const auto& c : checks.indexes) out.push_back(e.index(c));
  for (const auto& c : checks.policies) out.push_back(e.policy(c));
  for (const auto& c : checks.functions) out.push_back(e.function(c));
  for (const auto& c : checks.roles) out.push_back(e.role(c));
  return out;
}

}  // namespace cora
