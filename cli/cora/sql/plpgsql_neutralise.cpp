#include "cora/sql/plpgsql_neutralise.hpp"

#include <cstddef>
#include <set>
#include <string_view>
#include <vector>

#include "cora/sql/body_text.hpp"
#include "cora/sql/tokens.hpp"

namespace cora::body {

namespace {

struct Token {
  std::size_t start = 0;
  std::size_t end = 0;
  int kind = 0;
};

// The SQL scanner's tokens (PL/pgSQL uses the same scanner), comments left out.
std::optional<std::vector<Token>> scan_tokens(const std::string& text) {
  const auto scanned = scan_sql_tokens(text);
  if (!scanned) return std::nullopt;
  std::vector<Token> tokens;
  tokens.reserve(scanned->size());
  for (const auto& t : *scanned) tokens.push_back({t.start, t.end, t.kind});
  return tokens;
}

}  // namespace

std::optional<std::string> neutralise_unsupported(const std::string& body) {
  const auto tokens = scan_tokens(body);
  if (!tokens) return std::nullopt;
  const auto& t = *tokens;
  const auto text = [&](std::size_t i) -> std::string_view {
    if (i >= t.size()) return {};
    return std::string_view(body).substr(t[i].start, t[i].end - t[i].start);
  };
  const auto word = [&](std::size_t i) { return lower_ascii(text(i)); };
  const auto name = [&](std::size_t i) {
    const auto parts = split_qualified_name(text(i));
    return parts.size() == 1 ? parts[0] : std::string();
  };

  std::string out = body;
  bool changed = false;
  const auto blank = [&](std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to && k < out.size(); ++k) {
      if (out[k] != '\n') out[k] = ' ';
    }
    changed = true;
  };

  std::set<std::string> cursors;  // DECLARE c [NO] [SCROLL] CURSOR ...
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    std::size_t k = i + 1;
    if (word(k) == "no") ++k;
    if (word(k) == "scroll") ++k;
    if (word(k) == "cursor" && !name(i).empty()) cursors.insert(name(i));
  }

  const auto statement_start = [&](std::size_t i) {
    if (i == 0) return true;
    const auto previous = word(i - 1);
    return previous == ";" || previous == "begin" || previous == "loop" || previous == "then" || previous == "else";
  };
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto w = word(i);
    if ((w == "open" || w == "fetch" || w == "move" || w == "close") && statement_start(i)) {
      std::size_t semicolon = i + 1;
      for (int depth = 0; semicolon < t.size(); ++semicolon) {
        const auto s = text(semicolon);
        if (s == "(") ++depth;
        if (s == ")") --depth;
        if (s == ";" && depth <= 0) break;
      }
      if (semicolon >= t.size()) continue;
      if (w == "open") {
        std::size_t k = i + 2;
        if (word(k) == "no") ++k;
        if (word(k) == "scroll") ++k;
        if (word(k) == "for" && k < semicolon) {  // keep the query (or EXECUTE ...) after FOR
          blank(t[i].start, t[k].end);
          i = k;
          continue;
        }
      }
      out.replace(t[i].start, 4, "NULL");
      blank(t[i].start + 4, t[semicolon].start);
      i = semicolon;
    } else if (w == "for" && word(i + 2) == "in" && cursors.count(name(i + 3)) != 0) {
      std::size_t k = i + 4;
      if (text(k) == "(") {
        for (int depth = 0; k < t.size(); ++k) {
          if (text(k) == "(") ++depth;
          if (text(k) == ")" && --depth == 0) break;
        }
        ++k;
      }
      if (word(k) == "loop") blank(t[i].start, t[k].start);
    } else if (w == "return" && word(i + 1) == "next" && text(i + 2) == ";") {
      blank(t[i + 1].start, t[i + 1].end);
    }
  }
  if (!changed) return std::nullopt;
  return out;
}

}  // namespace cora::body
