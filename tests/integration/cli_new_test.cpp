// `cora-migrate new NAME`, run through the built binary: the file it creates, in the folder's
// style, is the one the next migrate applies.

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "support/run_cli.hpp"
#include "support/run_in.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"

using namespace cora::test;

namespace {

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("cora-migrate new: the next numbered file, refused twice, applied by migrate") {
  ScratchDir dir;
  dir.write("migrations/001-orgs.sql", "CREATE TABLE orgs (id int PRIMARY KEY);\n");
  const auto r = run_in(dir, {"new", "add-teams"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "migrations/002-add-teams.sql\n");
  const auto created = dir.path() / "migrations/002-add-teams.sql";
  REQUIRE(std::filesystem::exists(created));
  CHECK(read(created).rfind("-- 002-add-teams: ", 0) == 0);

  const auto again = run_in(dir, {"new", "add_teams"});
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("a migration named add_teams exists: 002-add-teams.sql") != std::string::npos);
  CHECK(!std::filesystem::exists(dir.path() / "migrations/003-add_teams.sql"));

  TestDatabase db;
  // Header only: migrate refuses it rather than recording an empty migration.
  const auto empty = run_in(dir, {"migrate", "--database-url", db.conninfo()});
  CHECK(empty.exit_code == 4);
  CHECK(empty.err.find("002-add-teams.sql: holds no SQL statement") != std::string::npos);

  std::ofstream(created, std::ios::app) << "CREATE TABLE teams (id int PRIMARY KEY, org int REFERENCES orgs);\n";
  const auto migrated = run_in(dir, {"migrate", "--database-url", db.conninfo()});
  CHECK(migrated.exit_code == 0);
  CHECK(db.scalar("SELECT name FROM cora_migrate.schema_history WHERE version = 2") == "add-teams");
}

TEST_CASE("cora-migrate new: a folder of timestamps gets a UTC timestamp; a fresh folder gets 001") {
  ScratchDir dir;
  dir.write("supabase/migrations/20240101120000_create_users.sql", "CREATE TABLE users (id int);\n");
  const auto r = run_in(dir, {"new", "add_teams", "--migrations", "supabase/migrations"});
  CHECK(r.exit_code == 0);
  REQUIRE(r.out.size() == std::string("supabase/migrations/YYYYMMDDHHMMSS_add_teams.sql\n").size());
  CHECK(r.out.rfind("supabase/migrations/20", 0) == 0);
  CHECK(r.out.find("_add_teams.sql\n") == r.out.size() - 15);
  CHECK(r.out.substr(20, 14) > "20240101120000");

  ScratchDir fresh;
  const auto first = run_in(fresh, {"new", "init"});
  CHECK(first.exit_code == 0);
  CHECK(first.out == "migrations/001-init.sql\n");
  CHECK(first.err.find("created folder migrations") != std::string::npos);

  const auto bad = run_in(fresh, {"new", "add teams"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("\"add teams\" is not a migration name") != std::string::npos);
}

TEST_CASE("cora-migrate new --module: the module's db/migrations folder") {
  ScratchDir dir;
  dir.write("cora-migrate.toml", "modules = [\"packages/*\"]\n");
  dir.write("packages/module-a/db/schema/001-a.sql", "CREATE TABLE a (id int);\n");
  dir.write("packages/module-a/db/migrations/001-a-more.sql", "ALTER TABLE a ADD COLUMN b int;\n");
  dir.write("packages/module-b/db/schema/001-b.sql", "CREATE TABLE b (id int);\n");

  const auto unnamed = run_in(dir, {"new", "x"});
  CHECK(unnamed.exit_code == 2);
  CHECK(unnamed.err.find("name the module the migration belongs to (modules: module-a, module-b)") !=
        std::string::npos);

  const auto a = run_in(dir, {"new", "add-c", "--module", "module-a"});
  CHECK(a.exit_code == 0);
  CHECK(a.out.find("packages/module-a/db/migrations/002-add-c.sql\n") != std::string::npos);
  // A module with only schema/ gets its db/migrations/ folder.
  const auto b = run_in(dir, {"new", "add-d", "--module", "module-b"});
  CHECK(b.exit_code == 0);
  CHECK(b.out.find("packages/module-b/db/migrations/001-add-d.sql\n") != std::string::npos);

  const auto unknown = run_in(dir, {"new", "x", "--module", "module-z"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("--module module-z: no such module") != std::string::npos);
}

TEST_CASE("cora-migrate: an unknown or missing command says so and lists the commands") {
  ScratchDir dir;
  const auto r = run_in(dir, {"--quiet", "--config", "nothing.toml", "frobnicate"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("unknown command \"frobnicate\" (commands: new, migrate, status,") != std::string::npos);
  const auto none = run_in(dir, {});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("no command given (commands: new, migrate,") != std::string::npos);
  // A known command's own mistakes keep CLI11's message.
  const auto option = run_in(dir, {"migrate", "--bogus"});
  CHECK(option.exit_code == 2);
  CHECK(option.err.find("unknown command") == std::string::npos);
}
