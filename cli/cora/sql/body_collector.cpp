#include "cora/sql/body_collector.hpp"

#include <algorithm>

namespace cora::body {

BodyAnalysis Collector::finish() && {
  BodyAnalysis result;
  std::stable_sort(relations_.begin(), relations_.end(), [](const Ordered& a, const Ordered& b) {
    return std::tie(a.reference.line, a.order) < std::tie(b.reference.line, b.order);
  });
  for (auto& entry : relations_) {
    auto& reference = entry.reference;
    const bool created_here = std::any_of(created_.begin(), created_.end(), [&](const auto& created) {
      return created.second == reference.name && (reference.schema.empty() || reference.schema == created.first);
    });
    if (!created_here) result.relations.push_back(std::move(reference));
  }
  std::stable_sort(calls_.begin(), calls_.end(), [](const OrderedCall& a, const OrderedCall& b) {
    return std::tie(a.call.line, a.order) < std::tie(b.call.line, b.order);
  });
  for (auto& entry : calls_) result.calls.push_back(std::move(entry.call));
  for (const int line : dynamic_lines_) result.dynamic_sql.push_back(DynamicSql{line});
  result.parse_error = std::move(error_);
  return result;
}

}  // namespace cora::body
