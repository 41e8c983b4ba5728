#include "cora/verify/finding_sources.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

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

// The statement that defines what `o` is about, found as `diff` finds it (ObjectSources::find), so
// that verify's "made by" and diff's "defined at" name the same line. `kind` as object_of gives it.
std::optional<SourceLocation> definition_of(const ObjectSources& sources, const std::string& kind,
                                            const std::string& name) {
  const std::vector<std::string> kinds =
      kind == "relation" ? std::vector<std::string>{"table", "view", "sequence"} : std::vector<std::string>{kind};
  for (const auto& diff_kind : kinds) {
    SchemaObject object;
    object.kind = diff_kind;
    object.name = name;
    if (auto found = sources.find(object)) return found;
  }
  return std::nullopt;
}

// "user-sessions" for "public.user_sessions(uuid)": a file name's words (letters lower-cased, any
// other character a dash); "schema" when the name has none.
std::string name_words(const std::string& subject) {
  std::string name = subject.substr(0, subject.find('('));
  if (const auto space = name.rfind(' '); space != std::string::npos) name = name.substr(space + 1);
  if (const auto dot = name.rfind('.'); dot != std::string::npos) name = name.substr(dot + 1);
  std::string words;
  for (const char raw : name) {
    const char c = (raw >= 'A' && raw <= 'Z') ? static_cast<char>(raw - 'A' + 'a') : raw;
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep) words += c;
    else if (!words.empty() && words.back() != '-') words += '-';
  }
  while (!words.empty() && words.back() == '-') words.pop_back();
  return words.empty() ? "schema" : words;
}

// The name of a migration that fixes `subject`: "fix-user-sessions".
std::string fix_name(const std::string& subject) { return "fix-" + name_words(subject); }

}  // namespace

void attribute_outcomes(std::vector<CheckOutcome>& outcomes, const ObjectSources& sources, const SourceFiles* files,
                        const std::vector<HistoryRecord>* history) {
  std::map<const MigrationFile*, MigrationState> states;
  if (files && files->files && history) {
    for (const auto& entry : compute_status(*files->files, *history)) {
      if (entry.file) states[entry.file] = entry.state;
    }
  }
  for (auto& o : outcomes) {
    const auto [kind, name] = object_of(o);
    if (kind.empty()) continue;
    ObjectOrigin origin;
    origin.in_modules = files && files->has_modules;
    if (const auto found = sources.last_change(kind, name); found && found->file) {
      const MigrationFile* file = found->file;
      origin.module = file->module;
      origin.file = file->path.string();
      origin.line = found->line;
      if (const auto defined = definition_of(sources, kind, name); defined && defined->file) {
        origin.defined_file = defined->file->path.string();
        origin.defined_line = defined->line;
      }
      origin.selector = selector_of(*file);
      origin.snapshot = file->role == FileRole::snapshot;
      // Running it again would also undo a later file that changes what it defines: not an answer.
      const bool undoes_later = files && files->files && later_change(file, *files->files, files->touched);
      origin.rerunnable = found->file_rerunnable && !undoes_later;
      origin.recreates = found->restores_definition && !undoes_later;
      if (const auto it = states.find(file); it != states.end()) {
        origin.pending = it->second == MigrationState::pending || it->second == MigrationState::conflict;
        origin.dirty = it->second == MigrationState::dirty;
      }
    }
    o.source = origin;
  }
}

std::string fix_advice(const ObjectOrigin& origin, const std::string& subject) {
  const std::string module_option = !origin.module.empty() ? " --module " + origin.module
                                    : origin.in_modules    ? " --module MODULE"
                                                           : "";
  if (!origin.from_files()) {
    return fmt::format("write it in a new migration: cora-migrate new {}{}", name_words(subject), module_option);
  }
  const std::string at = fmt::format("{}:{}", origin.file, origin.line);
  if (origin.dirty) {
    return fmt::format(
        "{} stopped part-way (dirty): finish or undo its statements by hand, then run: cora-migrate "
        "repair {}",
        at, origin.selector);
  }
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
  return fmt::format("{} is applied and does not run twice: change it in a new migration: cora-migrate new {}{}", at,
                     fix_name(subject), module_option);
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
