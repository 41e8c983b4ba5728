#pragma once
// A validation checklist, as written in checks/checklists/*.toml: a guide's sections and items in
// its own words, each decided by the verify engine's checks (automatic), by a flow run in a
// transaction that is always rolled back (scenario), by a file the user passes (evidence), or by
// a person (manual).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cora/checks/check_model.hpp"

namespace cora {

enum class ItemKind { automatic, scenario, evidence, manual };

const char* to_string(ItemKind kind);

// One query run after a scenario step, as the connecting user, and the rows it must return.
struct ScenarioExpectation {
  CheckOrigin origin;
  std::string what;  // for people; the query's first line when the file gives none
  std::string sql;
  std::vector<std::vector<std::string>> rows;  // cells as PostgreSQL prints them, "NULL" for null
};

struct ScenarioStep {
  CheckOrigin origin;
  std::string name;
  std::optional<std::string> role;      // SET LOCAL ROLE; unset: the connecting user
  std::optional<std::string> claims;    // request.jwt.claims (JSON)
  std::vector<std::string> statements;  // one SQL statement each, split by PostgreSQL's parser
};

// A multi-step flow, run in one transaction that is always rolled back.
struct Scenario {
  CheckOrigin origin;
  std::string name;
  std::vector<ScenarioStep> steps;
};

struct ChecklistItem {
  CheckOrigin origin;
  std::string id;    // unique in the file; what --confirm names
  std::string text;  // the guide's words (Markdown)
  ItemKind kind = ItemKind::manual;
  std::string how;  // how a person checks or fixes it; shown while it is not ticked

  // automatic: "KIND SUBJECT" references to checks in checks/*.toml (resolved into `checks` by
  // resolve_check_references), and checks declared in the item itself.
  std::vector<std::string> check_references;
  int check_references_line = 0;
  CheckSet checks;

  // scenario: the expectations, run after step `after` (by index) of scenario `scenario`.
  std::string scenario;
  std::size_t after_step = 0;
  std::vector<ScenarioExpectation> expect;

  // evidence: the file passed as --evidence NAME=FILE, and what its lines must (not) contain.
  std::string evidence;
  std::vector<std::string> present;  // each must appear on some line
  std::vector<std::string> absent;   // none may appear on any line
  // app_calls = ["log_auth_event", ...]: without the file, the backend's calls of these
  // functions or tables, checked against the database ([app]), decide the item before deploying.
  std::vector<std::string> app_calls;
};

struct ChecklistSection {
  std::string name;
  std::vector<ChecklistItem> items;
};

// A number shown under the checklist, such as the count of active sessions: one query that
// returns one value, run read-only when every table it needs exists.
struct MonitoringFigure {
  CheckOrigin origin;
  std::string label;
  std::string sql;
  std::vector<std::string> tables;  // schema.name
};

struct Checklist {
  std::string file;
  std::string title;
  std::vector<ChecklistSection> sections;
  std::vector<Scenario> scenarios;
  std::vector<MonitoringFigure> figures;

  // The evidence names the items use, in order of first use.
  std::vector<std::string> evidence_names() const;
  // The item with this id, or nullptr.
  const ChecklistItem* find_item(const std::string& id) const;
};

// Parses a checklist file's text; `file_name` is used in messages. Throws cora::Error (config)
// naming the file, line and key for TOML errors, unknown keys, wrong types, keys that do not go
// with the item's kind, duplicate ids, unknown scenarios or steps, and SQL that does not parse
// or controls the transaction.
Checklist parse_checklist_text(const std::string& text, const std::string& file_name);

// Reads and parses a checklist file. Throws cora::Error (config) if it cannot be read.
Checklist load_checklist(const std::filesystem::path& file);

// Which file `cora-migrate checklist [NAME]` means: a path (with a '/' or ending in .toml) as
// given; otherwise CHECKS_DIR/checklists/NAME.toml; with no name, the only file in
// CHECKS_DIR/checklists. A name the project does not have, or no name when the project has no
// checklist, is looked up in `shipped` (the checklists installed with cora-migrate), so a project
// runs them without copying them. Throws cora::Error (usage) naming what exists when it cannot tell.
std::filesystem::path find_checklist(const std::filesystem::path& checks_dir, const std::string& name,
                                     const std::filesystem::path& shipped = {});

// Copies into each automatic item the checks its "KIND SUBJECT" references name in `declared`
// (the checks of checks/*.toml). KIND is table, index, policy, function, role or probe; SUBJECT
// is what verify reports: "public.user_sessions", "public.user_sessions user_sessions_service_role"
// for a policy, "public.end_user_session" or "public.end_user_session(p_session_id uuid)", a
// probe's name. Names without a schema mean public. Throws cora::Error (config) naming the item's
// file and line for a reference that matches nothing.
void resolve_check_references(Checklist& checklist, const CheckSet& declared);

}  // namespace cora
