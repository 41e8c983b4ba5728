#include "cora/verify/finding_sources.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cora/config/lint_rules.hpp"
#include "cora/migrations/plan.hpp"
#include "cora/sql/names.hpp"

namespace cora {

namespace {

// (ObjectSources::last_change kind, name) of what `o` is about; kind empty when nothing.
std::pair<std::string, std::string> object_of(const CheckOutcome& o) {
  std::string kind = o.kind;
  if (kind.rfind("lint:", 0) == 0) {
    const LintRule* rule = find_lint_rule(kind.substr(5));
    kind = rule ? rule->subject_kind : "";
  }
  if (kind == "table") return {"relation", lint::public_qualified(o.subject)};
  if (kind == "index") return {"index", lint::public_qualified(o.subject)};
  if (kind == "function") return {"function", lint::public_qualified(o.subject.substr(0, o.subject.find('(')))};
  // A policy rule may speak about a view (user_metadata_referenced): "schema.view", no policy name.
  if (kind == "policy")
    return {o.subject.find(' ') == std::string::npos ? "relation" : "policy", lint::public_qualified(o.subject)};
  return {"", ""};
}

bool recorded(const MigrationFile& file, const std::vector<HistoryRecord>& history) {
  return std::any_of(history.begin(), history.end(),
                     [&file](const HistoryRecord& r) { return r.module == file.module && r.version == file.version; });
}

// "user-sessions" for "public.user_sessions(uuid)": a file name's words.
std::string name_words(const std::string& subject) {
  std::string name = subject.substr(0, subject.find('('));
  if (const auto space = name.rfind(' '); space != std::string::npos) name = name.substr(space + 1);
  if (const auto dot = name.rfind('.'); dot != std::string::npos) name = name.substr(dot + 1);
  std::string words;
  for (const char c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep) words += c;
    else if (!words.empty() && words.back() != '-') words += '-';
  }
  while (!words.empty() && words.back() == '-') words.pop_back();
  return words.empty() ? "fix-schema" : words;
}

}  // namespace

void attribute_outcomes(std::vector<CheckOutcome>& outcomes, const ObjectSources& sources,
                        const std::vector<HistoryRecord>* history) {
  for (auto& o : outcomes) {
    const auto [kind, name] = object_of(o);
    if (kind.empty()) continue;
    ObjectOrigin origin;
    if (const auto found = sources.last_change(kind, name); found && found->file) {
      origin.module = found->file->module;
      origin.file = found->file->path.string();
      origin.line = found->line;
      origin.selector = selector_of(*found->file);
      origin.snapshot = found->file->role == FileRole::snapshot;
      origin.rerunnable = found->file_rerunnable;
      origin.recreates = found->restores_definition;
      origin.pending = history && !recorded(*found->file, *history);
    }
    o.source = origin;
  }
}

std::string fix_advice(const ObjectOrigin& origin, const std::string& subject) {
  const std::string module_option = origin.module.empty() ? "" : " --module " + origin.module;
  if (!origin.from_files()) {
    return fmt::format("write it in a new migration: cora-migrate new {}{}", name_words(subject), module_option);
  }
  const std::string at = fmt::format("{}:{}", origin.file, origin.line);
  if (origin.pending) return fmt::format("{} has not run on this database: cora-migrate migrate", at);
  if (origin.snapshot)
    return fmt::format("edit {}, then run: cora-migrate migrate (a changed schema file runs again)", at);
  if (origin.rerunnable)
    return fmt::format("edit {}, then run: cora-migrate migrate --reapply {}", at, origin.selector);
  if (origin.recreates) {
    return fmt::format(
        "{} re-creates it: edit the file, then run: cora-migrate migrate --reapply {} (if the file is "
        "right, add --force)",
        at, origin.selector);
  }
  return fmt::format("{} is applied and does not run twice: change it in a new migration: cora-migrate new fix-{}{}",
                     at, name_words(subject), module_option);
}

std::string describe_origin(const ObjectOrigin& origin) {
  return fmt::format("{}{}:{}", origin.module.empty() ? "" : origin.module + ": ", origin.file, origin.line);
}

std::string no_file_creates(const std::string& subject) {
  return fmt::format(
      "no migration file creates {}: if the database has it, it was made outside the migrations "
      "(drift); `cora-migrate diff` lists it",
      subject);
}

}  // namespace cora
