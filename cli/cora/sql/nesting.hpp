#pragma once
// How deeply a statement's parse tree can nest, bounded from its tokens before it is parsed.
//
// libpg_query prints its parse tree, and we read and walk it, by recursion: one stack frame or
// more per level. 50,000 `+` terms or 100,000 UNION ALL branches nest that deep and used to
// overflow the stack (SIGSEGV). PostgreSQL itself guards its recursion with max_stack_depth; we
// refuse a statement whose bound exceeds kMaxNesting, and run the commands on a stack sized for
// that bound (util/large_stack.hpp).

#include <cstddef>
#include <vector>

#include "cora/sql/tokens.hpp"

namespace cora {

// Far beyond any hand-written or generated migration (a 1,600-column CREATE TABLE bounds at
// about 10,000), well within the stack we run on.
constexpr std::size_t kMaxNesting = 100'000;

struct NestingBound {
  std::size_t levels = 0;  // the largest bound of any statement
  std::size_t offset = 0;  // byte offset of that statement's first token
};

// Each level of a parse tree needs a bracket or a token that can start one (an operator, a
// keyword such as UNION or NOT). Names, constants, commas, AND and OR (PostgreSQL flattens
// "a AND b AND c" into one node) add none. So a statement nests at most as deep as the largest
// count, along any chain of brackets, of such tokens in each bracket.
NestingBound nesting_bound(const std::vector<SqlToken>& tokens);

// nesting_bound over a text's tokens given in order, a piece at a time (as the text is scanned
// in windows): each statement's bound as it ends.
class NestingTracker {
 public:
  // `base`: the byte offset in the whole text of the piece whose token this is.
  void add(const SqlToken& token, std::size_t base);
  // Ends the text's last statement; the largest bound of any statement.
  NestingBound finish();
  // Every statement, so far, whose bound exceeds kMaxNesting.
  const std::vector<NestingBound>& too_deep() const { return too_deep_; }

 private:
  struct Group {
    std::size_t tokens = 0;         // level-adding tokens directly inside this bracket
    std::size_t deepest_inner = 0;  // the largest bound of a bracket inside it
    std::size_t bound() const { return tokens + deepest_inner + 1; }
  };
  void close_group();
  void end_statement();

  std::vector<Group> open_{Group{}};  // open_.front(): the statement itself
  std::size_t statement_start_ = 0;
  bool at_statement_start_ = true;
  NestingBound worst_;
  std::vector<NestingBound> too_deep_;
};

}  // namespace cora
