// `cora-migrate rollback --to VERSION` through the built binary: down files, SQL computed from the
// files (proven on a copy), the destructive guard, --dry-run and --yes, the migration lock, history
// rows that make the files pending again for `status` and `migrate`, and a project with modules.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "cora/db/history_table.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

// A project of its own in a scratch folder, migrated into a database of the test's own; the
// computed undo builds the files on the test's cluster, as diff does.
struct RollbackProject {
  TestDatabase db;
  ScratchDir dir;
  explicit RollbackProject(const std::string& extra_config = "") { configure(extra_config); }
  void configure(const std::string& extra_config) const {
    const auto& cluster = test_cluster();
    dir.write("cora-migrate.toml", extra_config + "[local]\ndata_dir = \"" +
                                       cluster.requested_root().value_or(cluster.root()).string() + "\"\n");
  }
  std::vector<std::string> args(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--config", (dir.path() / "cora-migrate.toml").string(), "--database-url", db.conninfo(),
                               "--checks", (dir.path() / "checks").string()});
    return args;
  }
  CliResult run(std::vector<std::string> a) const { return run_cli(args(std::move(a)), {dir.path(), {}}); }
  std::string history(int version, const std::string& module = "") const {
    return db.scalar(
        fmt::format("SELECT string_agg(action || ':' || is_current, ',' ORDER BY id) FROM "
                    "cora_migrate.schema_history WHERE version = {} AND module = '{}'",
                    version, module));
  }
  bool exists(const std::string& regclass) const {
    return db.scalar("SELECT to_regclass('" + regclass + "') IS NOT NULL") == "t";
  }
};

}  // namespace

TEST_CASE("cora-migrate rollback: down files, newest first, then migrate applies them again") {
  RollbackProject p;
  p.dir.write("migrations/001-base.sql", "CREATE TABLE public.base (id int PRIMARY KEY, label text);\n");
  p.dir.write("migrations/002-label-index.sql", "CREATE INDEX base_label_idx ON public.base (label);\n");
  // Outside a transaction, as an up file with this directive runs: DROP INDEX CONCURRENTLY refuses
  // a transaction block.
  p.dir.write("migrations/002-label-index.down.sql",
              "-- cora-migrate: transaction=false\nDROP INDEX CONCURRENTLY public.base_label_idx;\n");
  p.dir.write("migrations/003-base-view.sql", "CREATE VIEW public.base_labels AS SELECT label FROM public.base;\n");
  p.dir.write("migrations/003-base-view.down.sql", "DROP VIEW public.base_labels;\n");
  const auto migrated = p.run({"migrate"});
  INFO(migrated.err);
  REQUIRE(migrated.exit_code == 0);
  // The down files are no migrations: three applied, and lint reads the three migrations only.
  CHECK(contains(migrated.out, "3 migrations applied"));
  const auto lint = p.run({"lint"});
  CHECK(lint.exit_code == 13);  // the index without CONCURRENTLY: a warning about 002-label-index.sql
  CHECK(contains(lint.out, "002-label-index.sql"));
  CHECK_FALSE(contains(lint.out + lint.err, ".down.sql"));

  // Without --yes: the plan, exit 2, nothing undone.
  const auto asked = p.run({"rollback", "--to", "1"});
  INFO(asked.out);
  INFO(asked.err);
  CHECK(asked.exit_code == 2);
  CHECK(contains(asked.out, "2 migrations to undo, newest first"));
  CHECK(contains(asked.err, "nothing was run: the plan above runs with --yes"));
  CHECK(p.exists("public.base_labels"));
  CHECK(p.exists("public.base_label_idx"));

  // --dry-run: the plan and the SQL, exit 0, nothing undone.
  const auto dry = p.run({"rollback", "--to", "1", "--dry-run"});
  INFO(dry.out);
  CHECK(dry.exit_code == 0);
  CHECK(
      contains(dry.out, "003-base-view.sql: with its down file 003-base-view.down.sql, in the rollback's transaction"));
  CHECK(contains(dry.out, "002-label-index.sql: with its down file 002-label-index.down.sql, outside a transaction"));
  CHECK(dry.out.find("-- 003-base-view.down.sql") < dry.out.find("-- 002-label-index.down.sql"));
  CHECK(contains(dry.out, "DROP VIEW public.base_labels;"));
  CHECK(p.exists("public.base_labels"));
  CHECK(p.history(3) == "apply:true");

  const auto done = p.run({"rollback", "--to", "1", "--yes"});
  INFO(done.out);
  INFO(done.err);
  REQUIRE(done.exit_code == 0);
  CHECK(done.out.find("rolled back 003-base-view.sql") < done.out.find("rolled back 002-label-index.sql"));
  CHECK(contains(done.out, "2 migrations rolled back"));
  CHECK_FALSE(p.exists("public.base_labels"));
  CHECK_FALSE(p.exists("public.base_label_idx"));
  CHECK(p.exists("public.base"));
  CHECK(p.history(2) == "apply:false,rollback:false");
  CHECK(p.history(1) == "apply:true");

  // status: pending again; history says what happened.
  const auto status = p.run({"status", "--exit-code"});
  INFO(status.out);
  CHECK(status.exit_code == 10);
  CHECK(contains(squeezed(status.out), "002 label-index pending"));
  CHECK(contains(squeezed(status.out), "003 base-view pending"));
  CHECK(contains(p.run({"history"}).out, "rolled back"));
  // Nothing left after version 1.
  const auto nothing = p.run({"rollback", "--to", "1", "--yes"});
  CHECK(nothing.exit_code == 0);
  CHECK(contains(nothing.out, "Nothing to roll back"));

  const auto again = p.run({"migrate"});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(contains(again.out, "applied 002-label-index.sql"));
  CHECK(contains(again.out, "applied 003-base-view.sql"));
  CHECK(p.exists("public.base_labels"));
  CHECK(p.history(2) == "apply:false,rollback:false,apply:true");
  CHECK(p.run({"status", "--exit-code"}).exit_code == 0);
}

TEST_CASE("cora-migrate rollback: without down files, SQL computed from the files; data-destroying steps refused") {
  RollbackProject p;
  p.dir.write("migrations/001-base.sql", "CREATE TABLE public.base (id int PRIMARY KEY, label text);\n");
  p.dir.write("migrations/002-label-index.sql", "CREATE INDEX base_label_idx ON public.base (label);\n");
  p.dir.write("migrations/003-label-function.sql",
              "CREATE FUNCTION public.label_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(label) FROM "
              "public.base $$;\n");
  REQUIRE(p.run({"migrate"}).exit_code == 0);

  const auto dry = p.run({"rollback", "--to", "1", "--dry-run"});
  INFO(dry.out);
  INFO(dry.err);
  CHECK(dry.exit_code == 0);
  CHECK(contains(dry.out,
                 "003-label-function.sql, 002-label-index.sql: with SQL computed from what the files before "
                 "002-label-index.sql create"));
  CHECK(contains(dry.out, "checked: run on a copy of what the files create now"));
  CHECK(contains(dry.out, "DROP INDEX"));
  CHECK(contains(dry.out, "DROP FUNCTION"));
  CHECK(p.exists("public.base_label_idx"));

  const auto done = p.run({"rollback", "--to", "1", "--yes"});
  INFO(done.out);
  INFO(done.err);
  REQUIRE(done.exit_code == 0);
  CHECK_FALSE(p.exists("public.base_label_idx"));
  CHECK(p.db.scalar("SELECT count(*) FROM pg_proc WHERE proname = 'label_count'") == "0");
  CHECK(p.history(3) == "apply:false,rollback:false");
  CHECK(p.run({"status", "--exit-code"}).exit_code == 10);
  REQUIRE(p.run({"migrate"}).exit_code == 0);
  CHECK(p.exists("public.base_label_idx"));
  CHECK(p.history(3) == "apply:false,rollback:false,apply:true");

  // A table and a column: undoing them destroys data.
  p.dir.write("migrations/004-notes.sql", "CREATE TABLE public.notes (id int PRIMARY KEY, body text);\n");
  p.dir.write("migrations/005-base-colour.sql", "ALTER TABLE public.base ADD COLUMN colour text;\n");
  REQUIRE(p.run({"migrate"}).exit_code == 0);
  p.db.connect()->execute_script("INSERT INTO public.notes VALUES (1, 'kept until allowed')");
  const auto refused = p.run({"rollback", "--to", "3", "--yes"});
  INFO(refused.out);
  INFO(refused.err);
  CHECK(refused.exit_code == 8);
  CHECK(contains(refused.err, "would destroy data; nothing was undone"));
  CHECK(contains(refused.err, "--allow-destructive"));
  CHECK(contains(refused.out, "destroys data: line"));
  CHECK(p.exists("public.notes"));
  CHECK(p.db.scalar("SELECT count(*) FROM information_schema.columns WHERE column_name = 'colour'") == "1");

  const auto allowed = p.run({"rollback", "--to", "3", "--yes", "--allow-destructive"});
  INFO(allowed.out);
  INFO(allowed.err);
  CHECK(allowed.exit_code == 0);
  CHECK_FALSE(p.exists("public.notes"));
  CHECK(p.db.scalar("SELECT count(*) FROM information_schema.columns WHERE column_name = 'colour'") == "0");
  CHECK(p.history(5) == "apply:false,rollback:false");
  CHECK(p.history(3) == "apply:false,rollback:false,apply:true");
  const auto again = p.run({"migrate"});
  CHECK(again.exit_code == 0);
  CHECK(contains(again.out, "2 migrations applied"));
  CHECK(p.exists("public.notes"));
}

TEST_CASE("cora-migrate rollback: waits for the migration lock another run holds") {
  RollbackProject p;
  p.dir.write("migrations/001-base.sql", "CREATE TABLE public.base (id int PRIMARY KEY);\n");
  p.dir.write("migrations/002-more.sql", "CREATE TABLE public.more (id int);\n");
  p.dir.write("migrations/002-more.down.sql", "DROP TABLE public.more;\n");
  REQUIRE(p.run({"migrate"}).exit_code == 0);
  auto other = p.db.connect();
  other->execute_script(fmt::format("BEGIN; SELECT pg_advisory_xact_lock({})",
                                    cora::HistoryTable("cora_migrate.schema_history").lock_key()));
  auto running = start_cli(p.args({"rollback", "--to", "1", "--yes", "--allow-destructive"}), {p.dir.path(), {}});
  bool waiting = false;
  for (int i = 0; i < 400 && !waiting; ++i) {
    waiting = p.db.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == "1";
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  CHECK(waiting);
  CHECK(p.exists("public.more"));  // nothing undone while it waits
  other->execute_script("COMMIT");
  const auto result = wait_cli(running);
  INFO(result.out);
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK_FALSE(p.exists("public.more"));

  // Held for longer than lock_wait: exit 7, nothing undone.
  REQUIRE(p.run({"migrate"}).exit_code == 0);
  other->execute_script(fmt::format("BEGIN; SELECT pg_advisory_xact_lock({})",
                                    cora::HistoryTable("cora_migrate.schema_history").lock_key()));
  p.configure("[timeouts]\nlock_wait = \"1s\"\n");
  const auto timed_out = p.run({"rollback", "--to", "1", "--yes", "--allow-destructive"});
  INFO(timed_out.err);
  CHECK(timed_out.exit_code == 7);
  CHECK(p.exists("public.more"));
  other->execute_script("ROLLBACK");
}

// The plan is read before the lock: a migration another run applies while rollback waits is
// seen under the lock, and nothing is undone beneath it.
TEST_CASE("cora-migrate rollback: a newer migration applied while it waited for the lock: refused, nothing undone") {
  RollbackProject p;
  p.dir.write("migrations/001-base.sql", "CREATE TABLE public.base (id int PRIMARY KEY);\n");
  p.dir.write("migrations/002-more.sql", "CREATE TABLE public.more (id int);\n");
  p.dir.write("migrations/002-more.down.sql", "DROP TABLE public.more;\n");
  REQUIRE(p.run({"migrate"}).exit_code == 0);
  auto other = p.db.connect();
  other->execute_script(fmt::format("BEGIN; SELECT pg_advisory_xact_lock({})",
                                    cora::HistoryTable("cora_migrate.schema_history").lock_key()));
  auto running = start_cli(p.args({"rollback", "--to", "1", "--yes", "--allow-destructive"}), {p.dir.path(), {}});
  bool waiting = false;
  for (int i = 0; i < 400 && !waiting; ++i) {
    waiting = p.db.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == "1";
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  REQUIRE(waiting);
  // What a migrate of a newer checkout does meanwhile: 003 applied on top of 002.
  other->execute_script(
      "CREATE TABLE public.newer (more_id int); "
      "INSERT INTO cora_migrate.schema_history (version, name, checksum, state, action, tool_version) "
      "VALUES (3, 'newer', 'x', 'applied', 'apply', 'other'); COMMIT");
  const auto result = wait_cli(running);
  CHECK_MESSAGE(result.exit_code == 8, result.out, result.err);
  CHECK_MESSAGE(contains(result.err, "a migration newer than 002-more.sql was applied meanwhile"), result.err);
  CHECK(p.exists("public.more"));
  CHECK(p.history(2) == "apply:true");
}

TEST_CASE("cora-migrate rollback: a project with modules rolls back one module, named by --module") {
  RollbackProject p("modules = [\"packages/*\"]\n");
  p.dir.write("packages/module-a/db/migrations/001-a.sql", "CREATE TABLE public.a (id int PRIMARY KEY, n int);\n");
  p.dir.write("packages/module-a/db/migrations/002-a-index.sql", "CREATE INDEX a_n_idx ON public.a (n);\n");
  p.dir.write("packages/module-a/db/migrations/002-a-index.down.sql", "DROP INDEX public.a_n_idx;\n");
  p.dir.write("packages/module-b/db/migrations/001-b.sql", "CREATE TABLE public.b (id int PRIMARY KEY, n int);\n");
  p.dir.write("packages/module-b/db/migrations/002-b-index.sql", "CREATE INDEX b_n_idx ON public.b (n);\n");
  const auto migrated = p.run({"migrate"});
  INFO(migrated.err);
  REQUIRE(migrated.exit_code == 0);

  const auto unnamed = p.run({"rollback", "--to", "1", "--yes"});
  CHECK(unnamed.exit_code == 2);
  CHECK(contains(unnamed.err, "this project has modules: name the one to roll back with --module NAME"));
  CHECK(p.exists("public.a_n_idx"));

  const auto b = p.run({"--module", "module-b", "rollback", "--to", "1", "--yes"});
  INFO(b.out);
  INFO(b.err);
  CHECK(b.exit_code == 0);
  CHECK(contains(b.out, "rolled back module-b:002-b-index.sql"));
  CHECK_FALSE(p.exists("public.b_n_idx"));
  CHECK(p.exists("public.a_n_idx"));  // the other module is untouched
  CHECK(p.history(2, "module-b") == "apply:false,rollback:false");
  CHECK(p.history(2, "module-a") == "apply:true");

  const auto a = p.run({"--module", "module-a", "rollback", "--to", "1", "--yes"});
  INFO(a.err);
  CHECK(a.exit_code == 0);
  CHECK_FALSE(p.exists("public.a_n_idx"));
  const auto status = p.run({"status", "--exit-code"});
  CHECK(status.exit_code == 10);
  REQUIRE(p.run({"migrate"}).exit_code == 0);
  CHECK(p.exists("public.a_n_idx"));
  CHECK(p.exists("public.b_n_idx"));
}

TEST_CASE("cora-migrate rollback: computed SQL that a copy does not prove is refused, and a down file is the way") {
  RollbackProject p;
  p.dir.write("migrations/001-mood.sql", "CREATE TYPE public.mood AS ENUM ('calm');\n");
  p.dir.write("migrations/002-mood-angry.sql", "ALTER TYPE public.mood ADD VALUE 'angry';\n");
  REQUIRE(p.run({"migrate"}).exit_code == 0);
  // PostgreSQL cannot remove an enum label: the computed undo is a comment, which leaves it.
  const auto refused = p.run({"rollback", "--to", "1", "--yes"});
  INFO(refused.out);
  INFO(refused.err);
  CHECK(refused.exit_code == 8);
  CHECK(contains(refused.out, "NOT proven"));
  CHECK(contains(refused.err, "the SQL computed to undo 002-mood-angry.sql is not proven"));
  CHECK(contains(refused.err, "002-mood-angry.down.sql"));
  CHECK(p.history(2) == "apply:true");

  p.dir.write("migrations/002-mood-angry.down.sql",
              "DROP TYPE public.mood;\nCREATE TYPE public.mood AS ENUM ('calm');\n");
  const auto done = p.run({"rollback", "--to", "1", "--yes"});
  INFO(done.err);
  CHECK(done.exit_code == 0);
  CHECK(p.db.scalar("SELECT string_agg(enumlabel, ',') FROM pg_enum WHERE enumtypid = 'public.mood'::regtype") ==
        "calm");
  CHECK(p.history(2) == "apply:false,rollback:false");
}
