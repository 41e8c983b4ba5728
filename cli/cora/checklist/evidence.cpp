#include "cora/checklist/evidence.hpp"

#include <fmt/format.h>

#include "cora/error.hpp"

namespace cora {

std::pair<std::string, std::string> parse_evidence_argument(const std::string& argument) {
  const auto equals = argument.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == argument.size()) {
    throw Error(ExitCode::usage, fmt::format("--evidence {}: expected NAME=FILE", argument),
                "e.g. --evidence lambda-log=lambda.log, or --evidence lambda-log=- to read standard input");
  }
  return {argument.substr(0, equals), argument.substr(equals + 1)};
}

std::vector<EvidenceRuleResult> check_evidence(const ChecklistItem& item, const std::string& text) {
  std::vector<EvidenceRuleResult> rules;
  for (const auto& needle : item.present) rules.push_back({true, needle, {}, 0});
  for (const auto& needle : item.absent) rules.push_back({false, needle, {}, 0});
  std::size_t number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    ++number;
    for (auto& rule : rules) {
      if (line.find(rule.needle) != std::string::npos) rule.matches.push_back({number, line});
    }
    start = end + 1;
  }
  for (auto& rule : rules) rule.lines_read = number;
  return rules;
}

}  // namespace cora
