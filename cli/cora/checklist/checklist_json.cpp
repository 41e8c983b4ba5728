#include "cora/checklist/checklist_json.hpp"

#include <nlohmann/json.hpp>

namespace cora {

namespace {

const char* state_text(ItemState state) {
  switch (state) {
    case ItemState::ticked: return "ticked";
    case ItemState::failed: return "failed";
    case ItemState::unticked: return "unticked";
  }
  return "unticked";
}

nlohmann::json text_or_null(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

nlohmann::json item_json(const ItemResult& r) {
  nlohmann::json notes = nlohmann::json::array();
  for (const auto& n : r.notes) {
    notes.push_back({{"ok", n.ok}, {"text", n.text}, {"quotes", n.quotes}, {"fix", text_or_null(n.fix)}});
  }
  const auto& item = *r.item;
  return {{"id", item.id},
          {"kind", to_string(item.kind)},
          {"text", item.text},
          {"file", text_or_null(item.origin.file)},
          {"line", item.origin.line > 0 ? nlohmann::json(item.origin.line) : nlohmann::json(nullptr)},
          {"state", state_text(r.state)},
          {"unticked", text_or_null(r.unticked)},
          {"notes", notes}};
}

}  // namespace

std::string render_checklist_json(const ChecklistResult& result) {
  nlohmann::json sections = nlohmann::json::array();
  for (const auto& section : result.sections) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& item : section.items) items.push_back(item_json(item));
    sections.push_back({{"name", section.name}, {"items", items}});
  }
  nlohmann::json figures = nlohmann::json::array();
  for (const auto& f : result.figures) {
    figures.push_back({{"label", f.label},
                       {"value", f.value ? nlohmann::json(*f.value) : nlohmann::json(nullptr)},
                       {"unavailable", text_or_null(f.unavailable)}});
  }
  const auto t = tally(result);
  const nlohmann::json doc{{"command", "checklist"},
                           {"database", result.database},
                           {"title", result.title},
                           {"file", result.file},
                           {"strict", result.strict},
                           {"passed", checklist_passed(result)},
                           {"sections", sections},
                           {"figures", figures},
                           {"queries", result.queries},
                           {"summary",
                            {{"items", t.items},
                             {"ticked", t.ticked},
                             {"failed", t.failed},
                             {"manual", t.manual},
                             {"without_evidence", t.without_evidence},
                             {"skipped", t.skipped}}}};
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace cora
