#include "cora/verify/finding_sources.hpp"

#include <fmt/format.h>

#include "cora/config/lint_rules.hpp"

namespace cora {

namespace {

std::string qualified(const std::string& name) { return name.find('.') == std::string::npos ? "public." + name : name; }

// (ObjectSources::last_change kind, name) of what `o` is about; kind empty when nothing.
std::pair<std::string, std::string> object_of(const CheckOutcome& o) {
  std::string kind = o.kind;
  if (kind.rfind("lint:", 0) == 0) {
    const LintRule* rule = find_lint_rule(kind.substr(5));
    kind = rule ? rule->subject_kind : "";
  }
  if (kind == "table") return {"relation", qualified(o.subject)};
  if (kind == "index") return {"index", qualified(o.subject)};
  if (kind == "function") return {"function", qualified(o.subject.substr(0, o.subject.find('(')))};
  // A policy rule may speak about a view (user_metadata_referenced): "schema.view", no policy name.
  if (kind == "policy") return {o.subject.find(' ') == std::string::npos ? "relation" : "policy", qualified(o.subject)};
  return {"", ""};
}

}  // namespace

void attribute_outcomes(std::vector<CheckOutcome>& outcomes, const ObjectSources& sources) {
  for (auto& o : outcomes) {
    const auto [kind, name] = object_of(o);
    if (kind.empty()) continue;
    ObjectOrigin origin;
    if (const auto found = sources.last_change(kind, name); found && found->file) {
      origin.module = found->file->module;
      origin.file = found->file->path.string();
      origin.line = found->line;
    }
    o.source = origin;
  }
}

std::string describe_origin(const ObjectOrigin& origin) {
  return fmt::format("{}{}:{}", origin.module.empty() ? "" : origin.module + ": ", origin.file, origin.line);
}

std::string no_file_creates(const std::string& subject) {
  return fmt::format("no migration file creates {}: if the database has it, it was made outside the migrations "
                     "(drift); `cora-migrate diff` lists it",
                     subject);
}

}  // namespace cora
