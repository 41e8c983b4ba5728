#pragma once
// What a checklist run decided, item by item: what the terminal and Markdown reports show.

#include <optional>
#include <string>
#include <vector>

#include "cora/checklist/checklist.hpp"

namespace cora {

enum class ItemState { ticked, failed, unticked };

// One line of an item's evidence: a check that passed or failed, an expectation, a rule.
struct ItemNote {
  bool ok = true;
  std::string text;                 // one line
  std::vector<std::string> quotes;  // verbatim: log lines, the server's error, the statement
  std::string fix;                  // what to do about a failed note; may be empty
};

struct ItemResult {
  const ChecklistItem* item = nullptr;
  ItemState state = ItemState::unticked;
  std::string unticked;  // why an unticked item is: "manual", or "no evidence given: pass ..."
  std::vector<ItemNote> notes;
};

struct SectionResult {
  std::string name;
  std::vector<ItemResult> items;
};

struct FigureResult {
  std::string label;
  std::optional<std::string> value;  // "none" for NULL or no rows
  std::string unavailable;           // why there is no value, e.g. "public.user_sessions does not exist"
};

struct ChecklistResult {
  std::string title;
  std::string file;
  std::string database;  // redacted, for people
  bool strict = false;
  std::vector<SectionResult> sections;
  std::vector<FigureResult> figures;
  std::size_t queries = 0;  // round trips to the server
  // Why Supabase's items were skipped (verify's note), said once; empty on a Supabase target.
  std::string supabase_skipped;
};

struct ChecklistTally {
  std::size_t items = 0, ticked = 0, failed = 0, manual = 0, without_evidence = 0;
  std::size_t skipped = 0;  // automatic and scenario items left unticked: they need Supabase
};

ChecklistTally tally(const ChecklistResult& result);

// True when no item failed and, with --strict, none is left unticked (a skipped item is unticked).
bool checklist_passed(const ChecklistResult& result);

}  // namespace cora
