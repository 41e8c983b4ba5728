#include "cora/checklist/checklist_report.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cora/output/terminal.hpp"

namespace cora {

namespace {

std::vector<std::string> nonblank_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    if (!line.empty()) out.push_back(line);
    start = end + 1;
  }
  return out;
}

std::string unwrapped(const std::string& text) {
  std::string out;
  for (const auto& line : nonblank_lines(text))
    out += (out.empty() ? "" : " ") + line.substr(line.find_first_not_of(' '));
  return out;
}

// Tool-written text inside Markdown: characters that would start markup are escaped.
std::string md_text(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\' || c == '`' || c == '*' || c == '<' || c == '>' || c == '[' || c == ']' || c == '|')
      out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// Verbatim text as a Markdown code span, whatever backticks it holds.
std::string md_code(const std::string& text) {
  std::size_t longest = 0, run = 0;
  for (const char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(longest + 1, '`');
  const bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
  return fence + (pad ? " " : "") + text + (pad ? " " : "") + fence;
}

// A ticked item's evidence in one line: what passed, and the first quote of each as code.
std::string md_ticked_line(const ItemResult& item) {
  std::string out;
  for (const auto& note : item.notes) {
    out += (out.empty() ? "" : " · ") + md_text(note.text);
    if (!note.quotes.empty()) out += ": " + md_code(note.quotes.front());
  }
  return out;
}

}  // namespace

std::string checklist_summary(const ChecklistResult& result) {
  const auto t = tally(result);
  std::string out = fmt::format("{} of {} items ticked: {} failed, {} manual, {} without evidence", t.ticked, t.items,
                                t.failed, t.manual, t.without_evidence);
  if (t.skipped > 0) out += fmt::format(", {} skipped (not a Supabase project)", t.skipped);
  if (result.strict && t.ticked + t.failed < t.items) out += " (--strict: unticked items fail the run)";
  return out;
}

std::string render_checklist_human(const ChecklistResult& result, bool color) {
  const Style style = color ? Style::for_stream(stdout) : Style::plain();
  std::string out = style.paint(result.title, Tone::bold) + "\n";
  out += style.paint(fmt::format("{} against {}", result.file, result.database), Tone::dim) + "\n";
  for (const auto& section : result.sections) {
    out += "\n" + style.paint(section.name, Tone::bold) + "\n";
    for (const auto& item : section.items) {
      const auto* i = item.item;
      switch (item.state) {
        case ItemState::ticked: out += "  " + style.paint("[x]", Tone::good) + " " + i->text + "\n"; break;
        case ItemState::failed:
          out += "  " + style.paint("[!]", Tone::bad) + " " + i->text + "  " + style.paint("FAILED", Tone::bad) + "\n";
          break;
        case ItemState::unticked:
          out +=
              "  [ ] " + i->text + (item.unticked == "manual" ? "  " + style.paint("(manual)", Tone::warn) : "") + "\n";
          break;
      }
      for (const auto& note : item.notes) {
        const std::string mark = note.ok ? style.paint("✓", Tone::good) : style.paint("✗", Tone::bad);
        out += fmt::format("      {} {}\n", mark, note.ok ? style.paint(note.text, Tone::dim) : note.text);
        for (const auto& quote : note.quotes) out += "          " + style.paint("│ ", Tone::dim) + quote + "\n";
        for (const auto& line : nonblank_lines(note.fix)) out += "          fix: " + line + "\n";
      }
      if (item.state == ItemState::ticked) continue;
      if (item.state == ItemState::unticked && item.unticked != "manual") {
        out += "      " + style.paint(item.unticked, Tone::warn) + "\n";
      }
      bool first = true;
      for (const auto& line : nonblank_lines(i->how)) {
        out += (first ? "      how: " : "           ") + line + "\n";
        first = false;
      }
      if (item.state == ItemState::unticked && i->kind == ItemKind::manual) {
        out += style.paint(fmt::format("      once checked, pass --confirm {}", i->id), Tone::dim) + "\n";
      }
    }
  }
  if (!result.figures.empty()) {
    out += "\n" + style.paint("Monitoring", Tone::bold) + "\n";
    for (const auto& f : result.figures) {
      out += fmt::format("  {}: {}\n", f.label,
                         f.value ? *f.value : style.paint("n/a (" + f.unavailable + ")", Tone::dim));
    }
  }
  const bool passed = checklist_passed(result);
  out += "\n" + style.paint(passed ? "ok" : "FAIL", passed ? Tone::good : Tone::bad) + " " + checklist_summary(result) +
         style.paint(fmt::format("; {} queries", result.queries), Tone::dim) + "\n";
  return out;
}

std::string render_checklist_markdown(const ChecklistResult& result) {
  std::string out = "## " + result.title + "\n\n";
  out += fmt::format("Checked by `cora-migrate checklist` ({}) against {}.\n", md_text(result.file),
                     md_text(result.database));
  for (const auto& section : result.sections) {
    out += "\n### " + section.name + "\n\n";
    for (const auto& item : section.items) {
      const auto* i = item.item;
      const bool ticked = item.state == ItemState::ticked;
      out += fmt::format("- [{}] {}{}\n", ticked ? "x" : " ", item.state == ItemState::failed ? "**FAILED** " : "",
                         i->text);
      if (ticked) {
        out += "  - ✓ " + md_ticked_line(item) + "\n";
        continue;
      }
      for (const auto& note : item.notes) {
        if (note.ok) {
          out += "  - ✓ " + md_text(note.text) + "\n";
          continue;
        }
        out += "  - ✗ " + md_text(note.text) +
               (note.fix.empty() ? "" : " (fix: " + md_text(unwrapped(note.fix)) + ")") + "\n";
        for (const auto& quote : note.quotes) out += "    - " + md_code(quote) + "\n";
      }
      if (item.state == ItemState::unticked) {
        out += "  - _" +
               md_text(item.unticked == "manual" ? "manual: check by hand, then run again with --confirm " + i->id
                                                 : item.unticked) +
               "_\n";
      }
      if (!i->how.empty()) out += "  - how: " + unwrapped(i->how) + "\n";
    }
  }
  if (!result.figures.empty()) {
    out += "\n### Monitoring\n\n| figure | value |\n|---|---|\n";
    for (const auto& f : result.figures) {
      out +=
          fmt::format("| {} | {} |\n", md_text(f.label), md_text(f.value ? *f.value : "n/a (" + f.unavailable + ")"));
    }
  }
  out += "\n**" + checklist_summary(result) + "**\n";
  return out;
}

}  // namespace cora
