// An unknown command, config key, lint, environment or module is answered with the nearest known
// name, through the built binary. None of these needs a database: they fail before connecting.

#include <doctest/doctest.h>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"

using namespace cora::test;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("cora-migrate: did you mean, for every name a user types") {
  ScratchDir dir;
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int);\n");
  const CliOptions here{dir.path(), {}};

  SUBCASE("a command") {
    const auto r = run_cli({"migarte"}, here);
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, "unknown command \"migarte\" (did you mean `migrate`? commands: "));
  }
  SUBCASE("a command too far from any gets the list alone") {
    const auto r = run_cli({"deploy"}, here);
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, "unknown command \"deploy\" (commands: "));
  }
  SUBCASE("a config key") {
    dir.write("cora-migrate.toml", "migrations_dri = \"migrations\"\n");
    const auto r = run_cli({"lint"}, here);
    CHECK(r.exit_code == 3);
    CHECK(has(r.err, "cora-migrate.toml:1"));
    CHECK(has(r.err, "migrations_dri: unknown key (did you mean `migrations_dir`? known here: "));
  }
  SUBCASE("a lint in [lints]") {
    dir.write("cora-migrate.toml", "[lints]\nrerun_destroy_data = \"error\"\n");
    const auto r = run_cli({"lint"}, here);
    CHECK(r.exit_code == 3);
    CHECK(has(r.err, "unknown lint (did you mean `rerun_destroys_data`?"));
  }
  SUBCASE("an environment") {
    dir.write("cora-migrate.toml", "[environments.production]\ndatabase_url = \"postgresql://u@h/db\"\n");
    const auto r = run_cli({"--env", "producton", "status"}, here);
    CHECK(r.exit_code == 3);
    CHECK(has(r.err, "no [environments.producton] (did you mean `production`? configured: production)"));
  }
  SUBCASE("a module") {
    dir.write("cora-migrate.toml", "modules = [\"packages/*\"]\n");
    dir.write("packages/module-access/db/schema/001-a.sql", "CREATE TABLE a (id int);\n");
    const auto r = run_cli({"--module", "module-acess", "lint"}, here);
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, "--module module-acess: no such module (did you mean `module-access`? modules: module-access)"));
  }
}
