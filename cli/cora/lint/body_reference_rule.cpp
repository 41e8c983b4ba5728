#include "cora/lint/body_reference_rule.hpp"

#include <fmt/format.h>

#include "cora/util/supabase_schemas.hpp"
#include "cora/sql/search_path.hpp"

namespace cora::lint {

namespace {

constexpr const char* kRule = "unresolved_body_reference";

// Whatever a schema the files cannot see into holds is taken to exist. Extensions bring
// functions (gen_random_bytes, uuid_generate_v4) and hardly ever tables, so the schemas they are
// installed in (public, often) only excuse function calls.
bool opaque_schema(const std::string& schema, const SchemaState& state, bool for_function) {
  if (schema == "pg_catalog") return false;
  return is_supabase_schema(schema) || (for_function && state.extension_schemas.count(schema) > 0);
}

// `qualified`: the body wrote the schema. An unqualified name is looked for among the files' own
// relations only: a schema such as extensions on the search_path would otherwise excuse any name.
bool relation_exists(const std::string& schema, const std::string& name, bool qualified, const SchemaState& state) {
  if (schema == "pg_catalog") return name.rfind("pg_", 0) == 0;  // every catalog table and view
  return (qualified && opaque_schema(schema, state, false)) || state.relations.count({schema, name}) > 0;
}

std::string shown(const std::string& schema, const std::string& name) {
  return schema.empty() ? name : schema + "." + name;
}

std::string search_path_text(const FunctionDefinition& f) {
  return f.search_path ? "SET search_path = " + *f.search_path : std::string("no search_path of its own (public)");
}

Finding finding_at(const FunctionDefinition& f, int body_line, std::string message, std::string hint) {
  Finding finding;
  finding.rule = kRule;
  finding.severity = Severity::error;
  finding.file = f.file;
  finding.line = file_line(f, body_line);
  finding.message = std::move(message);
  finding.hint = std::move(hint);
  return finding;
}

}  // namespace

std::vector<Finding> check_body_references(const FunctionDefinition& f, const SchemaState& state,
                                           FunctionReferences& references) {
  std::vector<Finding> findings;
  const auto& analysis = references.analysis(f);
  const auto path = parse_search_path(f.search_path.value_or("\"$user\", public"));
  for (const auto& relation : analysis.relations) {
    bool found = false;
    for (const auto& candidate : relation.schema.empty() ? path : std::vector<std::string>{relation.schema}) {
      found = found || relation_exists(candidate, relation.name, !relation.schema.empty(), state);
    }
    if (found) continue;
    const QualifiedName meant{relation.schema.empty() ? std::string("public") : relation.schema, relation.name};
    std::string why = "which no migration creates";
    std::string hint = "create it in a migration, or name the relation the function means";
    if (const auto renamed = state.renamed.find(meant); renamed != state.renamed.end()) {
      why =
          fmt::format("which {}:{} renamed to {}", renamed->second.file, renamed->second.line, renamed->second.to.name);
      hint = fmt::format("re-create {} naming {} (CREATE OR REPLACE FUNCTION in a migration after the rename)",
                         f.name.text(), renamed->second.to.text());
    } else if (relation.schema.empty() && state.relations.count(meant) > 0) {
      why = fmt::format("which is {}, a schema its {} does not include", meant.text(), search_path_text(f));
      hint = fmt::format("write {} in the body", meant.text());
    }
    findings.push_back(
        finding_at(f, relation.line,
                   fmt::format("function {} names {}, {}: every call that reaches this statement fails with \"relation "
                               "does not exist\" [SQLSTATE 42P01]",
                               f.name.text(), shown(relation.schema, relation.name), why),
                   hint));
  }
  for (const auto& call : analysis.calls) {
    if (!call.schema.empty()) {
      if (call.schema == "pg_catalog" || opaque_schema(call.schema, state, true) ||
          state.defines_function(call.schema, call.name))
        continue;
      findings.push_back(finding_at(
          f, call.line,
          fmt::format("function {} calls {}.{}(), which no migration creates: every call that reaches this statement "
                      "fails with \"function does not exist\" [SQLSTATE 42883]",
                      f.name.text(), call.schema, call.name),
          "create it in a migration, or call the function the body means"));
      continue;
    }
    bool on_path = false;
    for (const auto& schema : path) {
      on_path = on_path || opaque_schema(schema, state, true) || state.defines_function(schema, call.name);
    }
    if (on_path) continue;
    std::string elsewhere;
    for (const auto& [key, defined] : state.functions) {
      if (defined.name.name == call.name) elsewhere = defined.name.text();
    }
    if (elsewhere.empty()) continue;  // PostgreSQL's own, as far as the files can tell
    findings.push_back(finding_at(
        f, call.line,
        fmt::format("function {} calls {}(), which the migrations define only as {}, in a schema its {} does not "
                    "include: every call that reaches this statement fails with 42883",
                    f.name.text(), call.name, elsewhere, search_path_text(f)),
        fmt::format("write {}() in the body", elsewhere)));
  }
  return findings;
}

}  // namespace cora::lint
