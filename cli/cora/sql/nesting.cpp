#include "cora/sql/nesting.hpp"

#include <algorithm>

namespace cora {

namespace {

bool adds_no_level(int kind) {
  switch (kind) {
    case token::ident:
    case token::uident:
    case token::fconst:
    case token::sconst:
    case token::usconst:
    case token::bconst:
    case token::xconst:
    case token::iconst:
    case token::param:
    case token::comma:
    case token::dot:
    case token::and_kw:
    case token::or_kw: return true;
    default: return false;
  }
}

struct Group {
  std::size_t tokens = 0;         // level-adding tokens directly inside this bracket
  std::size_t deepest_inner = 0;  // the largest bound of a bracket inside it
  std::size_t bound() const { return tokens + deepest_inner + 1; }
};

}  // namespace

NestingBound nesting_bound(const std::vector<SqlToken>& tokens) {
  NestingBound worst;
  std::vector<Group> open{Group{}};  // open.front(): the statement itself
  std::size_t statement_start = tokens.empty() ? 0 : tokens.front().start;
  const auto close_group = [&open]() {
    const std::size_t inner = open.back().bound();
    open.pop_back();
    open.back().deepest_inner = std::max(open.back().deepest_inner, inner);
  };
  const auto end_statement = [&]() {
    while (open.size() > 1) close_group();  // unbalanced brackets: the parser reports them
    if (open.front().bound() > worst.levels) worst = {open.front().bound(), statement_start};
    open.front() = Group{};
  };
  bool at_statement_start = true;
  for (const auto& t : tokens) {
    if (at_statement_start) {
      statement_start = t.start;
      at_statement_start = false;
    }
    if (t.kind == token::open_paren || t.kind == token::open_bracket) {
      open.emplace_back();
    } else if (t.kind == token::close_paren || t.kind == token::close_bracket) {
      if (open.size() > 1) close_group();
    } else if (t.kind == token::semicolon) {
      // Inside brackets a semicolon is a syntax error, which the parser reports.
      if (open.size() == 1) {
        end_statement();
        at_statement_start = true;
      }
    } else if (!adds_no_level(t.kind)) {
      ++open.back().tokens;
    }
  }
  end_statement();
  return worst;
}

}  // namespace cora
