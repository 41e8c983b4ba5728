#include "cora/util/nearest_name.hpp"

#include <doctest/doctest.h>

using cora::did_you_mean;
using cora::nearest_name;

TEST_CASE("nearest_name: a slip finds the name, another word does not") {
  const std::vector<std::string> commands{"new", "migrate", "status", "history", "verify", "diff", "local"};
  CHECK(nearest_name("migarte", commands) == "migrate");  // two neighbours swapped
  CHECK(nearest_name("mgrate", commands) == "migrate");   // one left out
  CHECK(nearest_name("statuss", commands) == "status");   // one too many
  CHECK(nearest_name("Verify", commands) == "verify");    // case
  CHECK(nearest_name("dif", commands) == "diff");
  CHECK_FALSE(nearest_name("deploy", commands));
  CHECK_FALSE(nearest_name("x", commands));
  CHECK_FALSE(nearest_name("migrate", commands));  // never the name itself
  CHECK_FALSE(nearest_name("anything", {}));
}

TEST_CASE("nearest_name: the nearest wins, the first of equals") {
  CHECK(nearest_name("lock_wiat", {"statement_timeout", "lock_wait", "connect"}) == "lock_wait");
  CHECK(nearest_name("stage", {"stag", "stages"}) == "stag");
  CHECK(nearest_name("producton", {"production", "preview"}) == "production");
}

TEST_CASE("did_you_mean: the clause, or nothing") {
  CHECK(did_you_mean("migarte", {"migrate"}) == "did you mean `migrate`? ");
  CHECK(did_you_mean("deploy", {"migrate"}).empty());
}
