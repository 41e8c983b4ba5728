// Through a transaction-mode pooler (PgBouncer on port 6543, as Supabase's): transactional
// migrations work, including two runs at once; a transaction=false file is refused with the
// direct connection named.

#include <doctest/doctest.h>

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
            "-- cora-migrate: transaction=false\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON public.user_sessions (ip_address);\n");
  const auto refused = run_cli({"--database-url", url, "--migrations", (dir.path() / "m").string(), "migrate"});
  CHECK(refused.exit_code == 3);
  CHECK(refused.err.find("009-index.sql: runs outside a transaction") != std::string::npos);
  CHECK(refused.err.find("port 6543 on 127.0.0.1 is a transaction pooler") != std::string::npos);
  CHECK(refused.err.find("127.0.0.1 on port 5432") != std::string::npos);
  CHECK(db.scalar("SELECT count(*) FROM cora_migrate.schema_history") == "9");
}
