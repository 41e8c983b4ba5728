// A hosted database is reached over TLS (sslmode=require) and asks for a SCRAM-SHA-256
// password, given by PGPASSWORD or ~/.pgpass: cora-migrate connects so, once per command, and
// the password appears in nothing it prints.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/secure_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

constexpr const char* kPassword = "Xq7-scram-pass-41f";

void check_no_password(const CliResult& r, const std::string& password) {
  CHECK(r.out.find(password) == std::string::npos);
  CHECK(r.err.find(password) == std::string::npos);
}

}  // namespace

TEST_CASE("cora-migrate over TLS (sslmode=require, self-signed) with a SCRAM password, connecting once") {
  SecureCluster cluster;
  cluster.execute(fmt::format("CREATE ROLE app LOGIN PASSWORD '{}'", kPassword));
  cluster.execute("CREATE DATABASE appdb OWNER app");
  ScratchDir dir;
  // What the server says about the session that applies the file.
  dir.write("migrations/001-seen.sql",
            "CREATE TABLE seen AS SELECT s.ssl, s.version, current_user AS who FROM pg_stat_ssl s "
            "WHERE s.pid = pg_backend_pid();\n");
  const std::string url = cluster.url("app", "appdb");
  const CliOptions with_env{dir.path(), {{"PGPASSWORD", std::string(kPassword)}, {"PGPASSFILE", std::nullopt}}};
  const auto authorized = [&] { return occurrences(cluster.log(), "connection authorized: user=app"); };

  const auto migrate = run_cli({"--database-url", url, "migrate"}, with_env);
  INFO(migrate.err);
  CHECK(migrate.exit_code == 0);
  CHECK(migrate.out.find("applied 001-seen.sql") != std::string::npos);
  check_no_password(migrate, kPassword);
  cluster.execute("SELECT 1", "appdb");
  const auto log = cluster.log();
  CHECK(log.find("connection authenticated: identity=\"app\" method=scram-sha-256") != std::string::npos);
  CHECK(log.find("connection authorized: user=app database=appdb application_name=cora-migrate SSL enabled") !=
        std::string::npos);
  CHECK(authorized() == 1);  // one connection for the whole run

  // The same password in a .pgpass file instead of the environment.
  const auto pgpass = dir.write("pgpass", fmt::format("127.0.0.1:{}:appdb:app:{}\n", cluster.port(), kPassword));
  std::filesystem::permissions(pgpass, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const CliOptions with_file{dir.path(), {{"PGPASSWORD", std::nullopt}, {"PGPASSFILE", pgpass.string()}}};
  const auto status = run_cli({"--database-url", url, "status", "--format", "json"}, with_file);
  CHECK_MESSAGE(status.exit_code == 0, status.err);
  CHECK(nlohmann::json::parse(status.out)["summary"]["applied"] == 1);
  check_no_password(status, kPassword);
  CHECK(authorized() == 2);
  const auto verify = run_cli({"--database-url", url, "verify"}, with_file);
  check_no_password(verify, kPassword);
  CHECK(authorized() == 3);

  // The session that applied the file was encrypted, as the app role.
  dir.write("migrations/002-check.sql",
            "DO $$ BEGIN IF NOT (SELECT ssl AND who = 'app' AND version LIKE 'TLS%' FROM seen) THEN "
            "RAISE EXCEPTION 'not over TLS'; END IF; END $$;\n");
  const auto check = run_cli({"--database-url", url, "migrate"}, with_file);
  CHECK_MESSAGE(check.exit_code == 0, check.err);

  // Refusals name the cause and never the password.
  const auto no_tls = run_cli({"--database-url", cluster.url("app", "appdb", "disable"), "status"}, with_env);
  CHECK(no_tls.exit_code == 5);
  check_no_password(no_tls, kPassword);
  const auto wrong =
      run_cli({"--database-url", url, "status"},
              CliOptions{dir.path(), {{"PGPASSWORD", std::string("not-") + kPassword}, {"PGPASSFILE", std::nullopt}}});
  CHECK(wrong.exit_code == 5);
  CHECK(wrong.err.find("password authentication failed for user \"app\"") != std::string::npos);
  check_no_password(wrong, kPassword);
  const auto none = run_cli({"--database-url", url, "status"},
                            CliOptions{dir.path(), {{"PGPASSWORD", std::nullopt}, {"PGPASSFILE", std::nullopt}}});
  CHECK(none.exit_code == 5);
  CHECK(none.err.find("the server wants a password") != std::string::npos);
  // Even written into the URL (which the docs advise against), it is not echoed back.
  const std::string in_url =
      fmt::format("postgresql://app:{}@127.0.0.1:{}/nodb?sslmode=require", kPassword, cluster.port());
  const auto echoed =
      run_cli({"--database-url", in_url, "status"}, CliOptions{dir.path(), {{"PGPASSWORD", std::nullopt}}});
  CHECK(echoed.exit_code == 5);
  CHECK(echoed.err.find("database \"nodb\" does not exist") != std::string::npos);
  check_no_password(echoed, kPassword);
}
