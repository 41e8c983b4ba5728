#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "cora/checklist/checklist.hpp"
#include "cora/config/toml_reader.hpp"
#include "cora/sql/script.hpp"
#include "cora/checks/check_reader.hpp"

namespace cora {

namespace {

const char* const kKinds = "automatic, scenario, evidence or manual";

// Ids and evidence names are typed on the command line: keep them to what needs no quoting.
bool is_simple_name(const std::string& name) {
  if (name.empty() ||
      !(std::islower(static_cast<unsigned char>(name[0])) || std::isdigit(static_cast<unsigned char>(name[0])))) {
    return false;
  }
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return std::islower(c) || std::isdigit(c) || c == '-' || c == '_'; });
}

std::string trim_statement(std::string sql) {
  while (!sql.empty() && (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';')) sql.pop_back();
  return sql;
}

std::string first_line(const std::string& text) {
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return "";
  const auto end = text.find('\n', start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

class ChecklistReader {
 public:
  explicit ChecklistReader(const std::string& file_name) : toml_(file_name) {}

  Checklist read(const std::string& text) const {
    const toml::table root = toml_.parse(text);
    toml_.reject_unknown_keys(root, "", {"title", "section", "scenario", "figure"});
    Checklist out;
    out.file = toml_.file_name();
    out.title = toml_.required_string(root, "title", "");
    for (const auto* t : toml_.tables_at(root, "scenario", "")) out.scenarios.push_back(scenario(*t, out.scenarios));
    const auto sections = toml_.tables_at(root, "section", "");
    if (sections.empty()) toml_.fail(root, "section", "is required: at least one [[section]] with [[section.item]]s");
    std::set<std::string> ids;
    for (const auto* t : sections) out.sections.push_back(section(*t, out.scenarios, ids));
    for (const auto* t : toml_.tables_at(root, "figure", "")) out.figures.push_back(figure(*t));
    return out;
  }

 private:
  CheckOrigin origin(const toml::node& n) const { return {toml_.file_name(), TomlReader::line_of(n)}; }

  // One statement per element; a string may hold several, split by PostgreSQL's own parser.
  std::vector<std::string> statements(const toml::node& node, const std::string& key) const {
    std::vector<std::pair<const toml::node*, std::string>> texts;
    if (const auto* s = node.as_string()) {
      texts.emplace_back(&node, s->get());
    } else if (const auto* array = node.as_array()) {
      for (const auto& item : *array) {
        const auto* s2 = item.as_string();
        if (!s2) toml_.fail(item, key, fmt::format("must hold only strings, not {}", TomlReader::type_name(item)));
        texts.emplace_back(&item, s2->get());
      }
    } else {
      toml_.fail(node, key,
                 fmt::format("must be a string or an array of strings, not {}", TomlReader::type_name(node)));
    }
    std::vector<std::string> out;
    for (const auto& [where, sql] : texts) {
      SqlScript script;
      try {
        script = parse_sql_script(sql);
      } catch (const SqlParseFailure& e) {
        toml_.fail(*where, key,
                   fmt::format("line {} column {} of the SQL: {}", e.error().line, e.error().column,
                               e.error().message));
      }
      for (const auto& statement : script.statements) {
        if (statement.node_type == "TransactionStmt") {
          toml_.fail(*where, key,
                     "transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT) is not allowed: the checklist runs "
                     "each scenario in a transaction that it always rolls back");
        }
        const std::size_t start = skip_blanks_and_comments(sql, statement.offset);
        const std::size_t end = statement.offset + statement.length;
        if (start < end) out.push_back(trim_statement(sql.substr(start, end - start)));
      }
    }
    if (out.empty()) toml_.fail(node, key, "holds no SQL statement");
    return out;
  }

  std::string one_statement(const toml::table& t, const char* key, const std::string& prefix) const {
    const std::string full_key = prefix + key;
    toml_.required_string(t, key, prefix);
    const auto list = statements(*t.get(key), full_key);
    if (list.size() != 1) toml_.fail(*t.get(key), full_key, fmt::format("must be one statement, not {}", list.size()));
    return list.front();
  }

  Scenario scenario(const toml::table& t, const std::vector<Scenario>& earlier) const {
    toml_.reject_unknown_keys(t, "scenario.", {"name", "step"});
    Scenario out;
    out.origin = origin(t);
    out.name = toml_.required_string(t, "name", "scenario.");
    for (const auto& e : earlier) {
      if (e.name == out.name) {
        toml_.fail(t, "scenario.name", fmt::format("\"{}\" is already used at line {}", out.name, e.origin.line));
      }
    }
    const auto steps = toml_.tables_at(t, "step", "scenario.");
    if (steps.empty()) toml_.fail(t, "scenario.step", "is required: at least one [[scenario.step]]");
    for (const auto* s : steps) {
      toml_.reject_unknown_keys(*s, "scenario.step.", {"name", "role", "claims", "sql"});
      ScenarioStep step;
      step.origin = origin(*s);
      step.name = toml_.required_string(*s, "name", "scenario.step.");
      for (const auto& e : out.steps) {
        if (e.name == step.name) {
          toml_.fail(*s, "scenario.step.name",
                     fmt::format("\"{}\" is already used at line {}", step.name, e.origin.line));
        }
      }
      step.role = toml_.optional_string(*s, "role", "scenario.step.");
      if (const toml::node* claims = s->get("claims"))
        step.claims = read_claims(toml_, *claims, "scenario.step.claims");
      const toml::node* sql = s->get("sql");
      if (!sql) toml_.fail(*s, "scenario.step.sql", "is required");
      step.statements = statements(*sql, "scenario.step.sql");
      out.steps.push_back(std::move(step));
    }
    return out;
  }

  ChecklistSection section(const toml::table& t, const std::vector<Scenario>& scenarios,
                           std::set<std::string>& ids) const {
    toml_.reject_unknown_keys(t, "section.", {"name", "item"});
    ChecklistSection out;
    out.name = toml_.required_string(t, "name", "section.");
    const auto items = toml_.tables_at(t, "item", "section.");
    if (items.empty()) toml_.fail(t, "section.item", "is required: at least one [[section.item]]");
    for (const auto* i : items) {
      out.items.push_back(item(*i, scenarios));
      if (!ids.insert(out.items.back().id).second) {
        toml_.fail(*i->get("id"), "section.item.id",
                   fmt::format("\"{}\" is already used by another item", out.items.back().id));
      }
    }
    return out;
  }

  ChecklistItem item(const toml::table& t, const std::vector<Scenario>& scenarios) const {
    ChecklistItem out;
    out.origin = origin(t);
    const std::string kind = toml_.required_string(t, "kind", "section.item.");
    if (kind == "automatic") {
      out.kind = ItemKind::automatic;
      toml_.reject_unknown_keys(t, "section.item.",
                                {"id", "text", "kind", "how", "checks", "table", "index", "policy", "function", "role",
                                 "probe"});
    } else if (kind == "scenario") {
      out.kind = ItemKind::scenario;
      toml_.reject_unknown_keys(t, "section.item.", {"id", "text", "kind", "how", "scenario", "after", "expect"});
    } else if (kind == "evidence") {
      out.kind = ItemKind::evidence;
      toml_.reject_unknown_keys(t, "section.item.",
                                {"id", "text", "kind", "how", "evidence", "present", "absent", "app_calls"});
    } else if (kind == "manual") {
      out.kind = ItemKind::manual;
      toml_.reject_unknown_keys(t, "section.item.", {"id", "text", "kind", "how"});
    } else {
      toml_.fail(*t.get("kind"), "section.item.kind", fmt::format("must be {}, not \"{}\"", kKinds, kind));
    }
    out.id = toml_.required_string(t, "id", "section.item.");
    if (!is_simple_name(out.id)) {
      toml_.fail(*t.get("id"), "section.item.id",
                 "must be lower-case letters, digits, '-' and '_' (it is typed after --confirm)");
    }
    out.text = toml_.required_string(t, "text", "section.item.");
    out.how = toml_.optional_string(t, "how", "section.item.").value_or("");

    switch (out.kind) {
      case ItemKind::automatic: automatic(t, out); break;
      case ItemKind::scenario: scenario_item(t, out, scenarios); break;
      case ItemKind::evidence: evidence(t, out); break;
      case ItemKind::manual:
        if (out.how.empty())
          toml_.fail(t, "section.item.how", "is required for a manual item: say how a person checks it");
        break;
    }
    return out;
  }

  void automatic(const toml::table& t, ChecklistItem& out) const {
    out.check_references = toml_.optional_strings(t, "checks", "section.item.").value_or(std::vector<std::string>{});
    if (const toml::node* refs = t.get("checks")) out.check_references_line = TomlReader::line_of(*refs);
    read_checks(toml_, t, out.checks);
    if (out.check_references.empty() && out.checks.size() == 0) {
      toml_.fail(t, "section.item.checks",
                 "an automatic item needs checks = [\"KIND SUBJECT\", ...] or its own [[section.item.table]], "
                 "[[section.item.probe]], ... checks");
    }
  }

  void scenario_item(const toml::table& t, ChecklistItem& out, const std::vector<Scenario>& scenarios) const {
    out.scenario = toml_.required_string(t, "scenario", "section.item.");
    const auto it =
        std::find_if(scenarios.begin(), scenarios.end(), [&](const Scenario& s) { return s.name == out.scenario; });
    if (it == scenarios.end()) {
      std::string known;
      for (const auto& s : scenarios) known += (known.empty() ? "" : ", ") + s.name;
      toml_.fail(*t.get("scenario"), "section.item.scenario",
                 fmt::format("no [[scenario]] is named \"{}\" (declared: {}); declare scenarios before the sections "
                             "that use them",
                             out.scenario, known.empty() ? "none" : known));
    }
    out.after_step = it->steps.size() - 1;
    if (const auto after = toml_.optional_string(t, "after", "section.item.")) {
      const auto step =
          std::find_if(it->steps.begin(), it->steps.end(), [&](const ScenarioStep& s) { return s.name == *after; });
      if (step == it->steps.end()) {
        std::string known;
        for (const auto& s : it->steps) known += (known.empty() ? "\"" : ", \"") + s.name + "\"";
        toml_.fail(*t.get("after"), "section.item.after",
                   fmt::format("scenario \"{}\" has no step \"{}\" (its steps: {})", out.scenario, *after, known));
      }
      out.after_step = static_cast<std::size_t>(step - it->steps.begin());
    }
    const auto expectations = toml_.tables_at(t, "expect", "section.item.");
    if (expectations.empty()) {
      toml_.fail(t, "section.item.expect",
                 "is required: at least one { sql = \"...\", rows = [[...]] } for the scenario item");
    }
    for (const auto* e : expectations) {
      toml_.reject_unknown_keys(*e, "section.item.expect.", {"what", "sql", "rows"});
      ScenarioExpectation expectation;
      expectation.origin = origin(*e);
      expectation.sql = one_statement(*e, "sql", "section.item.expect.");
      expectation.what =
          toml_.optional_string(*e, "what", "section.item.expect.").value_or(first_line(expectation.sql));
      const toml::node* rows = e->get("rows");
      if (!rows)
        toml_.fail(*e, "section.item.expect.rows", "is required: the rows the query must return, e.g. [[\"1\"]]");
      expectation.rows = read_rows(toml_, *rows, "section.item.expect.rows");
      out.expect.push_back(std::move(expectation));
    }
  }

  void evidence(const toml::table& t, ChecklistItem& out) const {
    out.evidence = toml_.required_string(t, "evidence", "section.item.");
    if (!is_simple_name(out.evidence)) {
      toml_.fail(*t.get("evidence"), "section.item.evidence",
                 "must be lower-case letters, digits, '-' and '_' (it is typed as --evidence NAME=FILE)");
    }
    out.present = toml_.optional_strings(t, "present", "section.item.").value_or(std::vector<std::string>{});
    out.absent = toml_.optional_strings(t, "absent", "section.item.").value_or(std::vector<std::string>{});
    out.app_calls = toml_.optional_strings(t, "app_calls", "section.item.").value_or(std::vector<std::string>{});
    for (const auto& [key, texts] : {std::pair{"present", &out.present}, std::pair{"absent", &out.absent}}) {
      if (std::find(texts->begin(), texts->end(), "") != texts->end()) {
        toml_.fail(*t.get(key), std::string("section.item.") + key, "holds an empty string, which every line contains");
      }
    }
    if (out.present.empty() && out.absent.empty()) {
      toml_.fail(
          t, "section.item.present",
          "an evidence item needs present = [\"text a line must contain\"] or absent = [\"text no line may contain\"]");
    }
  }

  MonitoringFigure figure(const toml::table& t) const {
    toml_.reject_unknown_keys(t, "figure.", {"label", "sql", "tables"});
    MonitoringFigure out;
    out.origin = origin(t);
    out.label = toml_.required_string(t, "label", "figure.");
    out.sql = one_statement(t, "sql", "figure.");
    out.tables = toml_.optional_strings(t, "tables", "figure.").value_or(std::vector<std::string>{});
    for (auto& table : out.tables) table = qualified_name(table);
    return out;
  }

  TomlReader toml_;
};

// Adds to `into` every check of `declared` that `reference` ("KIND SUBJECT") names; returns how many.
std::size_t select_checks(const std::string& reference, const CheckSet& declared, CheckSet& into) {
  const auto space = reference.find(' ');
  const std::string kind = reference.substr(0, space);
  std::string subject = space == std::string::npos ? "" : reference.substr(space + 1);
  subject.erase(0, subject.find_first_not_of(' '));
  std::size_t found = 0;
  auto take = [&](auto& list, const auto& check) {
    list.push_back(check);
    ++found;
  };
  if (kind == "table") {
    for (const auto& c : declared.tables)
      if (c.table == qualified_name(subject)) take(into.tables, c);
  } else if (kind == "index") {
    for (const auto& c : declared.indexes)
      if (c.index == qualified_name(subject)) take(into.indexes, c);
  } else if (kind == "policy") {
    const auto gap = subject.find(' ');
    const std::string table = qualified_name(subject.substr(0, gap));
    const std::string name = gap == std::string::npos ? "" : subject.substr(gap + 1);
    for (const auto& c : declared.policies)
      if (c.table == table && c.name == name) take(into.policies, c);
  } else if (kind == "function") {
    const auto paren = subject.find('(');
    const std::string name = qualified_name(subject.substr(0, paren));
    for (const auto& c : declared.functions) {
      const bool same_arguments =
          paren == std::string::npos || (c.arguments && "(" + *c.arguments + ")" == subject.substr(paren));
      if (c.function == name && same_arguments) take(into.functions, c);
    }
  } else if (kind == "role") {
    for (const auto& c : declared.roles)
      if (c.role == subject) take(into.roles, c);
  } else if (kind == "probe") {
    for (const auto& c : declared.probes)
      if (c.name == subject) take(into.probes, c);
  }
  return found;
}

// What a reference of `kind` could have named, for the error message.
std::string known_subjects(const std::string& kind, const CheckSet& declared) {
  std::vector<std::string> names;
  if (kind == "table")
    for (const auto& c : declared.tables) names.push_back(c.table);
  if (kind == "index")
    for (const auto& c : declared.indexes) names.push_back(c.index);
  if (kind == "policy")
    for (const auto& c : declared.policies) names.push_back(c.table + " " + c.name);
  if (kind == "function") {
    for (const auto& c : declared.functions)
      names.push_back(c.function + (c.arguments ? "(" + *c.arguments + ")" : ""));
  }
  if (kind == "role")
    for (const auto& c : declared.roles) names.push_back(c.role);
  if (kind == "probe")
    for (const auto& c : declared.probes) names.push_back(c.name);
  if (names.empty()) return "none";
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < 8; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > 8) out += fmt::format(", … {} in all", names.size());
  return out;
}

}  // namespace

const char* to_string(ItemKind kind) {
  switch (kind) {
    case ItemKind::automatic: return "automatic";
    case ItemKind::scenario: return "scenario";
    case ItemKind::evidence: return "evidence";
    case ItemKind::manual: return "manual";
  }
  return "manual";
}

std::vector<std::string> Checklist::evidence_names() const {
  std::vector<std::string> names;
  for (const auto& section : sections) {
    for (const auto& item : section.items) {
      if (item.kind == ItemKind::evidence && std::find(names.begin(), names.end(), item.evidence) == names.end()) {
        names.push_back(item.evidence);
      }
    }
  }
  return names;
}

const ChecklistItem* Checklist::find_item(const std::string& id) const {
  for (const auto& section : sections) {
    for (const auto& item : section.items) {
      if (item.id == id) return &item;
    }
  }
  return nullptr;
}

Checklist parse_checklist_text(const std::string& text, const std::string& file_name) {
  return ChecklistReader(file_name).read(text);
}

Checklist load_checklist(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw Error(ExitCode::config, fmt::format("cannot read checklist file {}", file.string()),
                "check the path, or name a file in the checks folder's checklists/");
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_checklist_text(text.str(), file.string());
}

namespace {

// The checklist names (file stems) of the .toml files in `folder`, sorted; none when it is missing.
std::vector<std::string> checklist_names(const std::filesystem::path& folder) {
  std::vector<std::string> names;
  std::error_code ec;
  if (folder.empty() || !std::filesystem::is_directory(folder, ec)) return names;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".toml") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string joined_names(const std::vector<std::string>& names) {
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return list;
}

}  // namespace

std::filesystem::path find_checklist(const std::filesystem::path& checks_dir, const std::string& name,
                                     const std::filesystem::path& shipped) {
  namespace fs = std::filesystem;
  if (name.find('/') != std::string::npos || (name.size() > 5 && name.compare(name.size() - 5, 5, ".toml") == 0)) {
    return name;
  }
  const fs::path folder = checks_dir / "checklists";
  const auto available = checklist_names(folder);
  const auto installed = checklist_names(shipped);
  const auto has = [](const std::vector<std::string>& names, const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  const std::string list = joined_names(available);
  const std::string shipped_note = installed.empty() ? "" : "; shipped with cora-migrate: " + joined_names(installed);
  if (!name.empty()) {
    if (has(available, name)) return folder / (name + ".toml");
    if (has(installed, name)) return shipped / (name + ".toml");
    throw Error(ExitCode::usage, fmt::format("no checklist \"{}\" in {}", name, folder.string()),
                available.empty() && installed.empty()
                    ? "write one there (see docs/checks.md: checklist files), or pass a file's path"
                    : "the checklists there: " + (list.empty() ? "none" : list) + shipped_note);
  }
  if (available.size() == 1) return folder / (available.front() + ".toml");
  if (available.empty() && installed.size() == 1) return shipped / (installed.front() + ".toml");
  if (available.empty() && installed.empty()) {
    throw Error(ExitCode::usage, fmt::format("no checklist files in {}", folder.string()),
                "write one there (see docs/checks.md: checklist files), or pass a file's path");
  }
  if (available.empty()) {
    throw Error(ExitCode::usage,
                fmt::format("no checklist files in {}, and cora-migrate ships {}", folder.string(), installed.size()),
                "name one: cora-migrate checklist NAME, where NAME is one of " + joined_names(installed));
  }
  throw Error(ExitCode::usage, fmt::format("{} holds {} checklists", folder.string(), available.size()),
              "name one: cora-migrate checklist NAME, where NAME is one of " + list + shipped_note);
}

void resolve_check_references(Checklist& checklist, const CheckSet& declared) {
  static const char* const kinds[] = {"table", "index", "policy", "function", "role", "probe"};
  for (auto& section : checklist.sections) {
    for (auto& item : section.items) {
      for (const auto& reference : item.check_references) {
        const std::string kind = reference.substr(0, reference.find(' '));
        const auto where = fmt::format("{}:{}: section.item.checks", checklist.file, item.check_references_line);
        if (std::none_of(std::begin(kinds), std::end(kinds), [&](const char* k) { return kind == k; })) {
          throw Error(ExitCode::config,
                      fmt::format("{}: \"{}\" must start with table, index, policy, function, role or probe", where,
                                  reference),
                      "write \"KIND SUBJECT\", e.g. \"table public.user_sessions\"");
        }
        if (select_checks(reference, declared, item.checks) == 0) {
          throw Error(ExitCode::config,
                      fmt::format("{}: no {} check in the checks folder matches \"{}\" (declared: {})", where, kind,
                                  reference, known_subjects(kind, declared)),
                      "fix the reference, or declare the check in the item itself");
        }
      }
    }
  }
}

}  // namespace cora
