#include "cora/checklist/supabase_needs.hpp"

#include <array>
#include <vector>
#include <cctype>

namespace cora {

namespace {

constexpr std::array<const char*, 4> kSupabaseRoles{"anon", "authenticated", "service_role", "authenticator"};
constexpr std::array<const char*, 3> kSupabaseSchemas{"auth", "storage", "realtime"};

bool is_sql_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

// The first of several texts that names something of Supabase.
template <typename Texts>
std::optional<std::string> first_supabase_name(const Texts& texts) {
  for (const auto& text : texts) {
    if (auto found = supabase_name_in(text)) return found;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> supabase_name_in(const std::string& sql) {
  std::size_t i = 0;
  while (i < sql.size()) {
    if (!is_sql_word_char(sql[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < sql.size() && is_sql_word_char(sql[i])) ++i;
    std::string word = sql.substr(start, i - start);
    for (auto& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* role : kSupabaseRoles) {
      if (word == role) return "role " + word;
    }
    // A schema only as a qualifier: auth.users or "auth".users, not a column named storage.
    std::size_t after = i;
    if (after < sql.size() && sql[after] == '"') ++after;
    if (after < sql.size() && sql[after] == '.') {
      for (const char* schema : kSupabaseSchemas) {
        if (word == schema) return "schema " + word;
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> supabase_need_of_checks(const CheckSet& checks) {
  std::vector<std::string> texts;
  for (const auto& t : checks.tables) texts.push_back(t.table);
  for (const auto& i : checks.indexes) texts.push_back(i.index + " " + i.table.value_or(""));
  for (const auto& p : checks.policies) {
    texts.push_back(p.table);
    for (const auto& role : p.roles.value_or(std::vector<std::string>{})) texts.push_back(role);
  }
  for (const auto& f : checks.functions) texts.push_back(f.function);
  for (const auto& r : checks.roles) texts.push_back(r.role);
  for (const auto& p : checks.probes) {
    texts.push_back(p.role);
    texts.push_back(p.claims.value_or(""));
    texts.insert(texts.end(), p.setup.begin(), p.setup.end());
    texts.push_back(p.sql);
  }
  return first_supabase_name(texts);
}

std::optional<std::string> supabase_need_of_scenario(const Scenario& scenario) {
  std::vector<std::string> texts;
  for (const auto& step : scenario.steps) {
    texts.push_back(step.role.value_or(""));
    texts.push_back(step.claims.value_or(""));
    texts.insert(texts.end(), step.statements.begin(), step.statements.end());
  }
  return first_supabase_name(texts);
}

std::optional<std::string> supabase_need_of_expectations(const ChecklistItem& item) {
  std::vector<std::string> texts;
  for (const auto& e : item.expect) texts.push_back(e.sql);
  return first_supabase_name(texts);
}

}  // namespace cora
