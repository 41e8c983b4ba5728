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

}  // namespace

void NestingTracker::close_group() {
  const std::size_t inner = open_.back().bound();
  open_.pop_back();
  open_.back().deepest_inner = std::max(open_.back().deepest_inner, inner);
}

void NestingTracker::end_statement() {
  while (open_.size() > 1) close_group();  // unbalanced brackets: the parser reports them
  const NestingBound bound{open_.front().bound(), statement_start_};
  if (bound.levels > worst_.levels) worst_ = bound;
  if (bound.levels > kMaxNesting) too_deep_.push_back(bound);
  open_.front() = Group{};
}

void NestingTracker::add(const SqlToken& t, std::size_t base) {
  if (at_statement_start_) {
    statement_start_ = base + t.start;
    at_statement_start_ = false;
  }
  if (t.kind == token::open_paren || t.kind == token::open_bracket) {
    open_.emplace_back();
  } else if (t.kind == token::close_paren || t.kind == token::close_bracket) {
    if (open_.size() > 1) close_group();
  } else if (t.kind == token::semicolon) {
    // Inside brackets a semicolon is a syntax error, which the parser reports.
    if (open_.size() == 1) {
      end_statement();
      at_statement_start_ = true;
    }
  } else if (!adds_no_level(t.kind)) {
    ++open_.back().tokens;
  }
}

NestingBound NestingTracker::finish() {
  end_statement();
  return worst_;
}

NestingBound nesting_bound(const std::vector<SqlToken>& tokens) {
  NestingTracker tracker;
  for (const auto& t : tokens) tracker.add(t, 0);
  return tracker.finish();
}

}  // namespace cora
