// Through a transaction-mode pooler (PgBouncer on port 6543, as Supabase's, or on any other
// port): transactional migrations work, including two runs at once; a transaction=false file is
// refused with the direct connection named.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/text.hpp"
#include "support/test_cluster.hpp"
#include "support/transaction_pooler.hpp"

using namespace cora::test;

TEST_CASE("cora-migrate through a transaction pooler") {
  TransactionPooler pooler;
  TestDatabase db;
  const auto url = pooler.url(db.name());
  auto args = [&](std::vector<std::string> a) {
    a.insert(a.begin(), {"--database-url", url, "--migrations", (source_dir() / "migrations").string(), "--checks",
                         (source_dir() / "checks").string()});
    return a;
  };

  auto first = start_cli(args({"migrate"}));
  auto second = start_cli(args({"migrate"}));
  const auto a = wait_cli(first);
  const auto b = wait_cli(second);
  CHECK_MESSAGE(a.exit_code == 0, a.err);
  CHECK_MESSAGE(b.exit_code == 0, b.err);
  CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history") == "9");
  CHECK(db.scalar("SELECT count(DISTINCT version) FROM cora_migrate.schema_history") == "9");

  CHECK(run_cli(args({"status", "--exit-code"})).exit_code == 0);
  const auto verified = run_cli(args({"verify"}));
  CHECK_MESSAGE(verified.exit_code == 0, verified.out);

  ScratchDir dir;
  std::filesystem::copy(source_dir() / "migrations", dir.path() / "m");
  dir.write("m/009-index.sql",
            "-- cora-migrate: transaction=false\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON public.user_sessions "
            "(ip_address);\n");
  const auto refused = run_cli({"--database-url", url, "--migrations", (dir.path() / "m").string(), "migrate"});
  CHECK(refused.exit_code == 3);
  CHECK(refused.err.find("009-index.sql: runs outside a transaction") != std::string::npos);
  CHECK(refused.err.find("port 6543 on 127.0.0.1 is a transaction pooler (it lent this connection's server session "
                         "to another connection)") != std::string::npos);
  CHECK(refused.err.find("127.0.0.1 on port 5432") != std::string::npos);
  CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history") == "9");
}

// A whole run in one pipeline through the pooler, which may hand each file's transaction to
// another server session: two runs at once still apply each file once, and a failure in file
// 4, in a statement or at COMMIT, still stops the run there.
TEST_CASE("a run's files in one pipeline through a transaction pooler") {
  TransactionPooler pooler;
  auto write_files = [](const ScratchDir& dir, int count, int failing, const std::string& failure) {
    for (int i = 1; i <= count; ++i) {
      dir.write(fmt::format("m/{:03}-t.sql", i),
                fmt::format("CREATE TABLE t_{0:03} (id int);\nINSERT INTO t_{0:03} VALUES ({0});\n{1}", i,
                            i == failing ? failure : ""));
    }
  };
  auto migrate = [&](const TestDatabase& db, const ScratchDir& dir) {
    return std::vector<std::string>{"--database-url", pooler.url(db.name()), "--migrations",
                                    (dir.path() / "m").string(), "migrate"};
  };
  auto versions = [](const TestDatabase& db) {
    return db.scalar(
        "SELECT coalesce(string_agg(version::text, ',' ORDER BY version), '') FROM cora_migrate.schema_history");
  };

  SUBCASE("two runs at once, 60 files") {
    TestDatabase db;
    ScratchDir dir;
    write_files(dir, 60, 0, "");
    auto first = start_cli(migrate(db, dir));
    auto second = start_cli(migrate(db, dir));
    const auto a = wait_cli(first);
    const auto b = wait_cli(second);
    CHECK_MESSAGE(a.exit_code == 0, a.err);
    CHECK_MESSAGE(b.exit_code == 0, b.err);
    CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history") == "60");
    CHECK(db.scalar("SELECT count(DISTINCT version) FROM cora_migrate.schema_history") == "60");
    CHECK(db.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't\\_%'") == "60");
  }
  SUBCASE("a failure in file 4 of 7, in a statement or at COMMIT") {
    for (const char* failure : {"INSERT INTO no_such_table VALUES (1);\n",
                                "CREATE TABLE parent (id int PRIMARY KEY);\n"
                                "CREATE TABLE child (parent_id int REFERENCES parent DEFERRABLE INITIALLY DEFERRED);\n"
                                "INSERT INTO child VALUES (1);\n"}) {
      CAPTURE(failure);
      TestDatabase db;
      ScratchDir dir;
      write_files(dir, 7, 4, failure);
      const auto run = run_cli(migrate(db, dir));
      CHECK_MESSAGE(run.exit_code == 6, run.out, run.err);
      CHECK(versions(db) == "1,2,3");
      CHECK(db.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == "3");
      CHECK_MESSAGE(run.out.find("not run 005-t.sql") != std::string::npos, run.out);
      CHECK_MESSAGE(run.out.find("not run 007-t.sql") != std::string::npos, run.out);
    }
  }
}

// A pooler is told by how the server session behaves, not by its port: PgBouncer's own default
// is 6432, and either pooler may listen anywhere. Here PgBouncer listens on a free port.
TEST_CASE("a transaction=false file through a transaction pooler on another port is refused before anything runs") {
  TransactionPooler pooler(TransactionPooler::kAnyFreePort);
  REQUIRE(pooler.port() != 6543);
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/001-t.sql", "CREATE TABLE t (id int);\n");
  dir.write("m/002-index.sql", "-- cora-migrate: transaction=false\nCREATE INDEX CONCURRENTLY i ON t (id);\n");
  auto migrate = [&](const std::string& url) {
    return run_cli({"--database-url", url, "--migrations", (dir.path() / "m").string(), "migrate"});
  };
  const auto refused = migrate(pooler.url(db.name()));
  CHECK_MESSAGE(refused.exit_code == 3, refused.out, refused.err);
  CHECK_MESSAGE(contains(refused.err, "002-index.sql: runs outside a transaction"), refused.err);
  CHECK_MESSAGE(contains(refused.err, fmt::format("port {} on 127.0.0.1 is a transaction pooler", pooler.port())),
                refused.err);
  CHECK(db.scalar("SELECT to_regclass('cora_migrate.schema_history') IS NULL AND to_regclass('public.t') IS NULL") ==
        "t");
  // The same files over the direct connection: no pooler there, and the file runs.
  const auto direct = migrate(db.conninfo());
  CHECK_MESSAGE(direct.exit_code == 0, direct.err);
  CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE state = 'applied'") == "2");
}

// A "running" row whose server session a pooler keeps open after the run that wrote it died: the
// session sits idle in the pool, and repair (which the failure's message suggests) works on it.
TEST_CASE("repair clears a running row whose session a pooler keeps") {
  TransactionPooler pooler(TransactionPooler::kAnyFreePort);
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/001-a.sql", "-- cora-migrate: transaction=false\nCREATE TABLE a (id int);\nSELECT 1/0;\n");
  // As postgres, the role the pooler connects as: it owns the history table then, as on Supabase.
  const std::vector<std::string> direct{"--database-url", db.conninfo_as("postgres"), "--migrations",
                                        (dir.path() / "m").string()};
  auto with = [](std::vector<std::string> base, const std::vector<std::string>& rest) {
    base.insert(base.end(), rest.begin(), rest.end());
    return base;
  };
  REQUIRE(run_cli(with(direct, {"migrate"})).exit_code == 6);
  // The run is over: its row is dirty and names no session any more.
  CHECK(db.scalar("SELECT backend_pid IS NULL FROM cora_migrate.schema_history WHERE is_current") == "t");

  // As a run through the pooler leaves its row: owned by a server session the pooler keeps.
  {
    auto pooled = cora::Connection::open(pooler.url(db.name()), std::chrono::seconds(5));
    pooled->query(
        "UPDATE cora_migrate.schema_history SET backend_pid = pg_backend_pid(), backend_start = (SELECT backend_start "
        "FROM pg_stat_activity WHERE pid = pg_backend_pid()) WHERE is_current");
  }
  const std::string session_alive =
      "SELECT count(*) FROM pg_stat_activity a JOIN cora_migrate.schema_history h ON a.pid = h.backend_pid AND "
      "a.backend_start = h.backend_start WHERE h.is_current";
  REQUIRE(db.scalar(session_alive) == "1");
  // Idle in the pool for longer than a run ever leaves its session idle between statements.
  std::this_thread::sleep_for(std::chrono::seconds(6));
  CHECK(db.scalar(session_alive) == "1");
  CHECK_MESSAGE(contains(run_cli(with(direct, {"status"})).out, "dirty"), "the row still shows as running");
  const auto repaired = run_cli(with(direct, {"repair", "1"}));
  CHECK_MESSAGE(repaired.exit_code == 0, repaired.out, repaired.err);
  CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history WHERE is_current") == "0");
}
