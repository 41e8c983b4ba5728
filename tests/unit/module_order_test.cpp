// Modules in dependency order, and versions in the toolkit's mixed styles: pure functions.

#include <doctest/doctest.h>

#include "cora/migrations/migration_file.hpp"
#include "cora/project/module_order.hpp"
#include "unit_helpers.hpp"

using cora::compare_versions;
using cora::ModuleNode;
using cora::order_modules;
using cora::test::error_from;

TEST_CASE("compare_versions: numbers first, then dates as timestamps compared left-aligned") {
  CHECK(compare_versions("001", "002") < 0);
  CHECK(compare_versions("007", "7") == 0);
  CHECK(compare_versions("10", "9") > 0);
  CHECK(compare_versions("999", "20250101") < 0);  // a number before any date
  // Sorted as numbers 20260113 < 20251220103900; as timestamps 2025-12-20 comes first.
  CHECK(compare_versions("20251220103900", "20260113") < 0);
  CHECK(compare_versions("20260113", "20260113000000") == 0);  // a date is that day at 00:00:00
  CHECK(compare_versions("20260113", "20260113090000") < 0);
  CHECK(compare_versions("20260208", "20260208") == 0);
}

TEST_CASE("order_modules: dependencies first, ties in the given order") {
  const std::vector<ModuleNode> modules{{"module-access", {}},
                                        {"module-chat", {"module-access", "module-mgmt"}},
                                        {"module-mgmt", {"module-access"}},
                                        {"module-ws", {"module-access"}}};
  CHECK(order_modules(modules) == std::vector<std::string>{"module-access", "module-mgmt", "module-chat", "module-ws"});
  SUBCASE("no dependencies: the given order") {
    CHECK(order_modules({{"b", {}}, {"a", {}}}) == std::vector<std::string>{"b", "a"});
  }
  SUBCASE("a dependency outside the list is the caller's to report") {
    CHECK(order_modules({{"a", {"elsewhere"}}}) == std::vector<std::string>{"a"});
  }
}

TEST_CASE("order_modules: a cycle is an error naming it") {
  const auto error = error_from([] { order_modules({{"x", {}}, {"a", {"b"}}, {"b", {"c"}}, {"c", {"a"}}}); });
  REQUIRE(error.has_value());
  CHECK(error->code() == cora::ExitCode::config);
  CHECK_CONTAINS(error->what(), "a -> b -> c -> a");
  const auto self = error_from([] { order_modules({{"a", {"a"}}}); });
  REQUIRE(self.has_value());
  CHECK_CONTAINS(self->what(), "a -> a");
}
