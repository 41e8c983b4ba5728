#pragma once
// Clauses joined into one line of a finding ("fix: ...; last created or altered by ...; next: ...").

#include <string>
#include <string_view>

namespace cora {

// `text`, then `clause` after "; ". A text that already ends in ';' (a SQL statement) keeps it as
// the separator, and a final '.' gives way to it: never "A;; B" or "A.; B".
inline std::string then_clause(std::string text, std::string_view clause) {
  if (clause.empty()) return text;
  if (text.empty()) return std::string(clause);
  if (text.back() == '.') text.pop_back();
  text += text.back() == ';' ? " " : "; ";
  text += clause;
  return text;
}

}  // namespace cora
