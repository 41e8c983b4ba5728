#include "cora/diff/drift_render.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cora/output/plural.hpp"
#include "cora/output/machine_text.hpp"
#include "cora/output/terminal.hpp"

namespace cora {

namespace {

constexpr std::size_t kShortValue = 100;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = text.find('\n', start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string trim_blanks(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

std::string shortened(const std::string& s) { return s.size() <= kShortValue ? s : s.substr(0, kShortValue) + "…"; }

std::string none_if_empty(const std::string& s) { return s.empty() ? "(none)" : s; }

std::string file_line(const DriftEntry& e) {
  if (!e.source) return "";
  return fmt::format("{}:{}", e.source->file->path.string(), e.source->line);
}

// "function body differs", "missing", "extra": the difference in a few words.
std::string headline(const DriftEntry& e) {
  const auto& d = e.difference;
  if (d.kind == DifferenceKind::missing) return "the files create it; the database does not have it";
  if (d.kind == DifferenceKind::extra) return "the database has it; no file creates it";
  std::string names;
  for (const auto& a : d.attributes) names += (names.empty() ? "" : ", ") + a.attribute;
  return "differs in " + names;
}

std::string fix_text(const DriftEntry& e) { return e.command.empty() ? e.advice : e.command + "  (" + e.advice + ")"; }

// One table cell: a line break or control character in a name is shown escaped (printable_text),
// so it neither ends the row nor starts a line a CI log reads as a command.
std::string markdown_cell(const std::string& s) {
  std::string out;
  for (const char c : printable_text(s)) {
    if (c == '|') out += "\\|";
    else out.push_back(c);
  }
  return out;
}

std::string counts(const DriftReport& r) {
  return fmt::format("{} missing, {} extra, {} changed", r.count(DifferenceKind::missing),
                     r.count(DifferenceKind::extra), r.count(DifferenceKind::changed));
}

std::string schemas_text(const DriftReport& r) {
  std::string out;
  for (const auto& s : r.managed_schemas) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

ValueChange describe_change(const std::string& expected, const std::string& actual) {
  const auto e = split_lines(expected), a = split_lines(actual);
  if (e.size() <= 1 && a.size() <= 1) return {"", none_if_empty(shortened(expected)), none_if_empty(shortened(actual))};
  std::size_t i = 0;
  while (i < e.size() && i < a.size() && trim_blanks(e[i]) == trim_blanks(a[i])) ++i;
  const std::string want = i < e.size() ? shortened(trim_blanks(e[i])) : "(no more lines)";
  const std::string have = i < a.size() ? shortened(trim_blanks(a[i])) : "(no more lines)";
  if (want == have) {  // only blanks differ
    return {fmt::format("line {}", i + 1), "(blanks differ)", "(blanks differ)"};
  }
  return {fmt::format("line {}", i + 1), want, have};
}

std::string drift_summary_line(const DriftReport& report) {
  if (report.entries.empty()) return fmt::format("drift: none (schemas: {})", schemas_text(report));
  return fmt::format("drift: {} ({}) in schemas {}: run `cora-migrate diff`",
                     plural(report.entries.size(), "difference"), counts(report), schemas_text(report));
}

std::string render_drift_human(const DriftReport& report, const DriftHeader& header, bool color) {
  const Style style = color ? Style::for_stream(stdout) : Style::plain();
  std::string out = style.paint(fmt::format("Drift: {} against {} (schemas: {})", header.files, header.database,
                                            schemas_text(report)),
                                Tone::bold) +
                    "\n";
  for (const auto& n : report.notes) out += style.paint("note:", Tone::warn) + " " + n + "\n";
  for (const auto& e : report.entries) {
    const auto& d = e.difference;
    const auto& o = d.object();
    const Tone tone = d.kind == DifferenceKind::changed ? Tone::warn : Tone::bad;
    // Names come from the database and the file system: printable_text keeps a line break or a
    // control character in one from starting a line of its own (a CI log reads "::error::" there).
    out += fmt::format("\n{} {} {}: {}\n", style.paint(fmt::format("{:<7}", to_string(d.kind)), tone),
                       printable_text(o.kind), printable_text(o.name), printable_text(headline(e)));
    out += fmt::format("    defined at {}\n", e.source ? printable_text(file_line(e)) : "(no file creates it)");
    for (const auto& a : d.attributes) {
      const auto change = describe_change(a.expected, a.actual);
      out += fmt::format("    {}{}:\n      files:    {}\n      database: {}\n", printable_text(a.attribute),
                         change.where.empty() ? "" : ", " + printable_text(change.where),
                         printable_text(change.expected), printable_text(change.actual));
    }
    out += "    fix: " + printable_text(fix_text(e)) + "\n";
  }
  out += "\n";
  if (report.entries.empty()) {
    out += style.paint("No drift", Tone::good) + ": the database has what the files define.\n";
  } else {
    out += fmt::format("{}: {}. `cora-migrate diff --sql` prints the SQL that restores the files' version.\n",
                       plural(report.entries.size(), "difference"), counts(report));
  }
  out += fmt::format("Expected schema: {} ({} in {} ms); {} quer{} to the database.\n", report.expected_schema.database,
                     report.expected_schema.reused ? "reused" : "built", report.expected_schema.build_time.count(),
                     report.target_round_trips, report.target_round_trips == 1 ? "y" : "ies");
  return out;
}

std::string render_drift_json(const DriftReport& report, const DriftHeader& header) {
  nlohmann::json differences = nlohmann::json::array();
  for (const auto& e : report.entries) {
    const auto& d = e.difference;
    nlohmann::json attributes = nlohmann::json::array();
    for (const auto& a : d.attributes)
      attributes.push_back({{"name", a.attribute}, {"files", a.expected}, {"database", a.actual}});
    differences.push_back({{"kind", to_string(d.kind)},
                           {"object", d.object().kind},
                           {"name", d.object().name},
                           {"file", e.source ? nlohmann::json(e.source->file->path.string()) : nlohmann::json(nullptr)},
                           {"line", e.source ? nlohmann::json(e.source->line) : nlohmann::json(nullptr)},
                           {"attributes", attributes},
                           {"fix",
                            {{"command", e.command.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.command)},
                             {"advice", e.advice},
                             {"sql", e.sql}}}});
  }
  const nlohmann::json doc{{"command", "diff"},
                           {"database", header.database},
                           {"files", header.files},
                           {"schemas", report.managed_schemas},
                           {"server_version",
                            {{"files", report.expected.server_version}, {"database", report.actual.server_version}}},
                           {"expected_schema",
                            {{"database", report.expected_schema.database},
                             {"reused", report.expected_schema.reused},
                             {"build_ms", report.expected_schema.build_time.count()}}},
                           {"queries", report.target_round_trips},
                           {"notes", report.notes},
                           {"differences", differences},
                           {"summary",
                            {{"total", report.entries.size()},
                             {"missing", report.count(DifferenceKind::missing)},
                             {"extra", report.count(DifferenceKind::extra)},
                             {"changed", report.count(DifferenceKind::changed)}}}};
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_drift_markdown(const DriftReport& report, const DriftHeader& header) {
  std::string out =
      fmt::format("### Schema drift: {}\n\n",
                  report.entries.empty()
                      ? std::string("none")
                      : fmt::format("{} ({})", plural(report.entries.size(), "difference"), counts(report)));
  out += fmt::format("{} against `{}` (schemas: {}).\n\n", header.files, header.database, schemas_text(report));
  for (const auto& n : report.notes) out += "> " + printable_text(n) + "\n\n";
  if (report.entries.empty()) return out;
  out += "| | object | defined at | what differs | fix |\n|---|---|---|---|---|\n";
  for (const auto& e : report.entries) {
    std::string what = headline(e);
    for (const auto& a : e.difference.attributes) {
      const auto c = describe_change(a.expected, a.actual);
      what += fmt::format("<br>{}{}: files `{}`, database `{}`", a.attribute,
                          c.where.empty() ? "" : " (" + c.where + ")", c.expected, c.actual);
    }
    out += fmt::format("| {} | {} `{}` | {} | {} | {} |\n", to_string(e.difference.kind),
                       markdown_cell(e.difference.object().kind), markdown_cell(e.difference.object().name),
                       e.source ? "`" + markdown_cell(file_line(e)) + "`" : "no file", markdown_cell(what),
                       markdown_cell(e.command.empty() ? e.advice : "`" + e.command + "`"));
  }
  return out;
}

std::string render_drift_github(const DriftReport& report, const DriftHeader& header) {
  std::string out;
  for (const auto& e : report.entries) {
    const auto& d = e.difference;
    std::string message = headline(e);
    for (const auto& a : d.attributes) {
      const auto c = describe_change(a.expected, a.actual);
      message += fmt::format("\n{}{}: files: {}; database: {}", a.attribute,
                             c.where.empty() ? "" : " (" + c.where + ")", c.expected, c.actual);
    }
    message += "\nfix: " + fix_text(e);
    std::string properties;
    if (e.source) properties = " " + github_location(e.source->file->path.string(), e.source->line) + ",";
    else properties = " ";
    out += fmt::format("::error{}title={}::{}\n", properties,
                       github_title(header.target, fmt::format("drift: {} {} {}", to_string(d.kind), d.object().kind,
                                                               d.object().name)),
                       github_data(message));
  }
  out += fmt::format("{}: {} against {}\n", drift_summary_line(report), header.files, header.database);
  return out;
}

std::string render_drift_sql(const DriftReport& report, const DriftHeader& header) {
  std::string out = fmt::format("-- cora-migrate diff --sql: restores what {} define in {}\n",
                                sql_comment_text(header.files), sql_comment_text(header.database));
  if (report.entries.empty()) return out + "-- no drift: nothing to do\n";
  out += "-- Review it, then put it in a new migration (or run it once by hand for an urgent fix).\n";
  for (const auto& e : report.entries) {
    const auto& o = e.difference.object();
    out += fmt::format("\n-- {}\n", sql_comment_text(fmt::format("{} {} {}{}", to_string(e.difference.kind), o.kind,
                                                                 o.name, e.source ? " (" + file_line(e) + ")" : "")));
    if (!e.command.empty()) out += "-- or: " + sql_comment_text(e.command) + "\n";
    out += e.sql;
  }
  return out;
}

}  // namespace cora
