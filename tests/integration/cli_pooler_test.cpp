// Through a transaction-mode pooler (PgBouncer on port 6543, as Supabase's): transactional
// migrations work, including two runs at once; a transaction=false file is refused with the
// direct connection named.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
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
  CHECK(refused.err.find("port 6543 on 127.0.0.1 is a transaction pooler") != std::string::npos);
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
