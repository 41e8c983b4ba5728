// Connection::run_segments: independent reads in one round trip. A failure in one segment must
// not skip the others, each segment must be bounded by lock_wait (not only the first), and each
// outcome must number its steps and results as the caller gave them.

#include <doctest/doctest.h>

#include <chrono>

#include "cora/db/connection.hpp"
#include "support/test_cluster.hpp"

using namespace cora::test;

TEST_CASE("run_segments: a failed segment leaves the next one to run, in the same round trip") {
  TestDatabase db;
  auto conn = cora::Connection::open(db.conninfo(), std::chrono::seconds(5));
  conn->set_lock_wait(std::chrono::milliseconds(1234));
  const auto before = conn->round_trips();
  const auto outcomes = conn->run_segments({
      {{"SELECT 1", {}}, {"SELECT * FROM no_such_table", {}}, {"SELECT 3", {}}},
      {{"SELECT 'second'", {}}, {"SHOW lock_timeout", {}}},
  });
  CHECK(conn->round_trips() - before == 1);
  REQUIRE(outcomes.size() == 2);
  REQUIRE(outcomes[0].error);
  CHECK(outcomes[0].error->sqlstate == "42P01");
  REQUIRE(outcomes[0].failed_step);
  CHECK(*outcomes[0].failed_step == 1);
  REQUIRE(outcomes[0].results.size() == 1);
  CHECK(outcomes[0].results[0].text(0, "?column?") == "1");
  CHECK_FALSE(outcomes[1].error);
  REQUIRE(outcomes[1].results.size() == 2);  // the lock-wait prelude's own result is not reported
  CHECK(outcomes[1].results[0].text(0, "?column?") == "second");
  CHECK(outcomes[1].results[1].text(0, "lock_timeout") == "1234ms");
}
