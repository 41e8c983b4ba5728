#include "cora/migrations/checksum_change.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <sstream>
#include <vector>

#include "cora/migrations/prepared_migration.hpp"
#include "cora/sql/parser.hpp"

namespace cora {

namespace {

// Drops what records where a node stood in the text: all that a comment or a blank changes.
void drop_positions(nlohmann::json& node) {
  if (node.is_object()) {
    for (const char* key : {"location", "stmt_location", "stmt_len"}) node.erase(key);
    for (auto& [key, value] : node.items()) drop_positions(value);
  } else if (node.is_array()) {
    for (auto& value : node) drop_positions(value);
  }
}

std::optional<nlohmann::json> tree_without_positions(const std::string& sql) {
  const SqlParseResult parsed(sql);
  if (parsed.error()) return std::nullopt;
  auto tree = nlohmann::json::parse(parsed.json().empty() ? std::string_view("{}") : parsed.json(), nullptr, false);
  if (tree.is_discarded()) return std::nullopt;
  drop_positions(tree);
  return tree;
}

std::vector<std::string> directive_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (const auto directive = directive_text(line)) out.emplace_back(*directive);
  }
  return out;
}

}  // namespace

ChecksumChange compare_applied_text(const std::string& applied, const std::string& current) {
  const auto before = tree_without_positions(applied);
  const auto after = tree_without_positions(current);
  if (!before || !after) return ChecksumChange::unparseable;
  if (*before != *after) return ChecksumChange::statements;
  if (directive_lines(applied) != directive_lines(current)) return ChecksumChange::directives;
  return ChecksumChange::layout_only;
}

const char* describe(ChecksumChange change) {
  switch (change) {
    case ChecksumChange::layout_only: return "only comments and whitespace differ; the statements are the same";
    case ChecksumChange::statements: return "the statements differ, not only comments and whitespace";
    case ChecksumChange::directives: return "a -- cora-migrate: directive line differs";
    case ChecksumChange::unparseable: return "one of the two texts does not parse, so they cannot be compared";
  }
  return "";
}

}  // namespace cora
