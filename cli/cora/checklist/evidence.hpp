#pragma once
// Evidence for checklist items: files the user passes (Lambda logs saved with `aws logs tail`,
// a browser console, a source file) and the text their lines must or must not contain. Pure.

#include <string>
#include <vector>

#include "cora/checklist/checklist.hpp"

namespace cora {

struct EvidenceFile {
  std::string name;         // as the items name it, e.g. "lambda-log"
  std::string source;       // the path as given, or "stdin"; what quoted lines start with
  bool from_stdin = false;  // given as NAME=-
  std::string text;
};

// Splits "NAME=FILE" (FILE "-" means standard input). Throws cora::Error (usage).
std::pair<std::string, std::string> parse_evidence_argument(const std::string& argument);

struct EvidenceLine {
  std::size_t number = 0;  // 1-based
  std::string text;        // without the line ending
};

struct EvidenceRuleResult {
  bool must_be_present = true;  // present = [...]; false for absent = [...]
  std::string needle;
  std::vector<EvidenceLine> matches;  // every line containing it
  std::size_t lines_read = 0;

  bool passed() const { return must_be_present ? !matches.empty() : matches.empty(); }
};

// Each of the item's present and absent rules over `text`, line by line (plain text, case
// sensitive, not a regular expression; a trailing CR is ignored).
std::vector<EvidenceRuleResult> check_evidence(const ChecklistItem& item, const std::string& text);

}  // namespace cora
