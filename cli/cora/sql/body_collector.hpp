#pragma once
// What the function body analysis found, gathered as it is found and put in order at the end.

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cora/sql/function_references.hpp"

namespace cora::body {

class Collector {
 public:
  // `order`: byte offset in the body, to order names on one line as they are written.
  void add_reference(std::string schema, std::string name, int line, std::size_t order) {
    if (line < 1) line = 1;
    if (seen_.emplace(schema, name, line).second) {
      relations_.push_back({RelationReference{std::move(schema), std::move(name), line}, order});
    }
  }
  void add_call(std::string schema, std::string name, int line, std::size_t order) {
    if (line < 1) line = 1;
    if (seen_calls_.emplace(schema, name, line).second) {
      calls_.push_back({FunctionCall{std::move(schema), std::move(name), line}, order});
    }
  }
  void add_created(std::string schema, std::string name) { created_.emplace_back(std::move(schema), std::move(name)); }
  void add_dynamic(int line) { dynamic_lines_.insert(line < 1 ? 1 : line); }
  void add_error(std::string message) {
    if (!error_) error_ = std::move(message);
  }

  // Relations ordered by line and place, less those the body creates; calls likewise.
  BodyAnalysis finish() &&;

 private:
  struct Ordered {
    RelationReference reference;
    std::size_t order = 0;
  };
  struct OrderedCall {
    FunctionCall call;
    std::size_t order = 0;
  };
  std::vector<Ordered> relations_;
  std::set<std::tuple<std::string, std::string, int>> seen_;
  std::vector<OrderedCall> calls_;
  std::set<std::tuple<std::string, std::string, int>> seen_calls_;
  std::vector<std::pair<std::string, std::string>> created_;
  std::set<int> dynamic_lines_;
  std::optional<std::string> error_;
};

}  // namespace cora::body
