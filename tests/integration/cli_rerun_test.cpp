// Running files a second time: `verify --scratch --rerun` builds a scratch database from every
// file, runs each re-runnable one again on a copy, and reports what that second run breaks;
// `migrate --reapply` of a file that destroys data refuses without --allow-destructive.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"

using namespace cora::test;

namespace {

// The line of `file` where `text` first appears.
int line_of(const std::string& content, const std::string& text) {
  const auto at = content.find(text);
  REQUIRE(at != std::string::npos);
  return 1 + static_cast<int>(std::count(content.begin(), content.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

// A project in a scratch folder whose local cluster is the tests' own (no second initdb).
struct RerunProject {
  ScratchDir dir;
  RerunProject() {
    const auto& cluster = test_cluster();
    dir.write("cora-migrate.toml",
              "[local]\ndata_dir = \"" + cluster.requested_root().value_or(cluster.root()).string() + "\"\n");
  }
  CliResult run(std::vector<std::string> args, const std::string& migrations = "m") const {
    args.insert(args.begin(), {"--config", (dir.path() / "cora-migrate.toml").string(), "--migrations",
                               (dir.path() / migrations).string(), "--checks", (dir.path() / "checks").string()});
    return run_cli(args);
  }
  // The rerun outcomes of `verify --scratch --rerun --format json`, by file name.
  std::vector<nlohmann::json> reruns(const nlohmann::json& report) const {
    std::vector<nlohmann::json> out;
    for (const auto& c : report["checks"]) {
      if (c["kind"] == "rerun") out.push_back(c);
    }
    return out;
  }
};

// Files written the way a toolkit's voice module and a seed file are, each with row level
// security on so that only the re-runs find anything.
const std::string kTables =
    "CREATE TABLE IF NOT EXISTS public.voice_calls (id int PRIMARY KEY, owner uuid);\n"
    "CREATE TABLE IF NOT EXISTS public.voice_notes (id int PRIMARY KEY, call_id int);\n"
    "ALTER TABLE public.voice_notes ENABLE ROW LEVEL SECURITY;\n";
const std::string kReset =
    "-- Starts the calls table over: fine once, a disaster the second time.\n"
    "DROP TABLE IF EXISTS public.voice_calls CASCADE;\n"
    "CREATE TABLE public.voice_calls (id int PRIMARY KEY, owner uuid);\n";
const std::string kLinks =
    "ALTER TABLE public.voice_notes DROP CONSTRAINT IF EXISTS voice_notes_call_fk;\n"
    "ALTER TABLE public.voice_notes ADD CONSTRAINT voice_notes_call_fk FOREIGN KEY (call_id) REFERENCES "
    "public.voice_calls (id);\n"
    "CREATE INDEX IF NOT EXISTS voice_notes_call_id ON public.voice_notes (call_id);\n";
const std::string kPolicies =
    "ALTER TABLE public.voice_calls ENABLE ROW LEVEL SECURITY;\n"
    "CREATE POLICY voice_calls_owner ON public.voice_calls FOR SELECT TO authenticated\n"
    "  USING (owner = (SELECT auth.uid()));\n";
const std::string kSeed =
    "CREATE TABLE IF NOT EXISTS public.voice_codecs (name text);\n"
    "ALTER TABLE public.voice_codecs ENABLE ROW LEVEL SECURITY;\n"
    "INSERT INTO public.voice_codecs (name) VALUES ('opus');\n";

void write_voice_files(const RerunProject& p) {
  p.dir.write("m/001-voice-tables.sql", kTables);
  p.dir.write("m/002-voice-reset.sql", kReset);
  p.dir.write("m/003-voice-links.sql", kLinks);
  p.dir.write("m/004-voice-policies.sql", kPolicies);
  p.dir.write("m/005-voice-seed.sql", kSeed);
  std::filesystem::create_directories(p.dir.path() / "checks");
}

}  // namespace

TEST_CASE("verify --scratch --rerun: the module-access schema runs twice without a change") {
  RerunProject p;
  std::vector<std::string> args{"--config",     (p.dir.path() / "cora-migrate.toml").string(),
                                "--migrations", (source_dir() / "migrations").string(),
                                "--checks",     (source_dir() / "checks").string(),
                                "verify",       "--scratch",
                                "--rerun",      "--format",
                                "json"};
  const auto r = run_cli(args);
  INFO(r.err);
  INFO(r.out);
  CHECK(r.exit_code == 0);
  // 002, 003, 004 and 006 define policies or an index 008 drops or re-creates: running them again
  // would undo 008, so they are not re-runnable (diff never proposes it either).
  CHECK(contains(r.err, "Ran 5 files a second time"));
  CHECK(contains(r.err,
                 "Not run again, since a later file changes what they define: 002-orgs.sql, 003-profiles.sql, "
                 "004-org-members.sql, 006-user-provisioning.sql"));
  const auto reruns = p.reruns(nlohmann::json::parse(r.out));
  CHECK(reruns.size() == 9);
  std::size_t skipped = 0;
  for (const auto& o : reruns) {
    CHECK_MESSAGE(o["passed"] == true, o.dump());
    if (o.contains("silenced")) {
      ++skipped;
      CHECK(contains(o["silenced"].get<std::string>(), "it would undo 008-lint-fixes.sql"));
    }
  }
  CHECK(skipped == 4);

  // Named, such a file is run again anyway, and what it undoes is reported.
  args.insert(args.end(), {"--rerun-only", "2"});
  const auto named = run_cli(args);
  CHECK(named.exit_code == 11);
  CHECK_MESSAGE(contains(named.out, "policy public.orgs orgs_select_owner: appears only after the second run"),
                named.out);
}

TEST_CASE(
    "verify --scratch --rerun: a second run that fails, drops what later files made, re-creates a table or adds rows") {
  RerunProject p;
  write_voice_files(p);
  const auto r = p.run({"verify", "--scratch", "--rerun", "--format", "json"});
  INFO(r.err);
  INFO(r.out);
  CHECK(r.exit_code == 11);
  CHECK(contains(r.err, "Ran 4 files a second time"));
  const auto reruns = p.reruns(nlohmann::json::parse(r.out));
  std::map<std::string, std::vector<nlohmann::json>> by_file;
  for (const auto& o : reruns) by_file[o["subject"].get<std::string>()].push_back(o);
  REQUIRE(by_file.size() == 5);

  // Safe to run twice: nothing to say.
  REQUIRE(by_file["003-voice-links.sql"].size() == 1);
  CHECK(by_file["003-voice-links.sql"][0]["passed"] == true);
  // 002 re-creates the table 001 creates: 001's re-run would undo 002, so it is not re-runnable.
  REQUIRE(by_file["001-voice-tables.sql"].size() == 1);
  CHECK(by_file["001-voice-tables.sql"][0]["passed"] == true);
  CHECK(
      contains(by_file["001-voice-tables.sql"][0]["silenced"].get<std::string>(), "it would undo 002-voice-reset.sql"));

  // DROP ... CASCADE took 003's foreign key and 004's row level security and policy with it,
  // and the table's rows would be gone: every finding points at the DROP.
  const auto& reset = by_file["002-voice-reset.sql"];
  std::string found;
  for (const auto& o : reset) {
    CHECK(o["passed"] == false);
    CHECK(o["file"].get<std::string>().find("002-voice-reset.sql") != std::string::npos);
    CHECK(o["line"] == line_of(kReset, "DROP TABLE"));
    for (const auto& f : o["findings"]) found += f["found"].get<std::string>() + "\n";
  }
  CHECK_MESSAGE(contains(found, "constraint public.voice_notes.voice_notes_call_fk: gone after the second run"), found);
  CHECK_MESSAGE(contains(found, "table public.voice_calls: row level security was enabled, is now disabled"), found);
  CHECK_MESSAGE(contains(found, "policy public.voice_calls voice_calls_owner: gone after the second run"), found);
  CHECK_MESSAGE(contains(found, "table public.voice_calls was dropped and created again"), found);

  // CREATE POLICY without DROP POLICY IF EXISTS before it: the second run fails, at its line.
  const auto& policies = by_file["004-voice-policies.sql"];
  REQUIRE(policies.size() == 1);
  CHECK(policies[0]["line"] == line_of(kPolicies, "CREATE POLICY"));
  const auto failure = policies[0]["findings"][0]["found"].get<std::string>();
  CHECK_MESSAGE(contains(failure, "the second run fails"), failure);
  CHECK_MESSAGE(contains(failure, "already exists [SQLSTATE 42710]"), failure);

  // A seed INSERT without ON CONFLICT: one more row each time.
  const auto& seed = by_file["005-voice-seed.sql"];
  REQUIRE(seed.size() == 1);
  CHECK_MESSAGE(contains(seed[0]["findings"][0]["found"].get<std::string>(),
                         "table public.voice_codecs has 2 rows after the second run"),
                seed[0].dump());

  // The same in the other formats: each on its file and line.
  const auto github = p.run({"verify", "--scratch", "--rerun", "--format", "github"});
  CHECK(github.exit_code == 11);
  CHECK_MESSAGE(contains(github.out,
                         "004-voice-policies.sql,line=" + std::to_string(line_of(kPolicies, "CREATE POLICY"))),
                github.out);
  const auto human = p.run({"verify", "--scratch", "--rerun"});
  CHECK(human.exit_code == 11);
  CHECK(contains(human.out, "rerun 005-voice-seed.sql"));
}

TEST_CASE("verify --scratch --rerun-only: the files named, and nothing without --scratch") {
  RerunProject p;
  write_voice_files(p);
  const auto clean =
      p.run({"verify", "--scratch", "--rerun-only", "1", "--rerun-only", "003-voice-links", "--format", "json"});
  INFO(clean.err);
  CHECK(clean.exit_code == 0);
  const auto reruns = p.reruns(nlohmann::json::parse(clean.out));
  REQUIRE(reruns.size() == 2);
  CHECK(reruns[0]["subject"] == "001-voice-tables.sql");
  CHECK(reruns[1]["subject"] == "003-voice-links.sql");

  const auto failing = p.run({"verify", "--scratch", "--rerun-only", "4"});
  CHECK(failing.exit_code == 11);

  const auto unknown = p.run({"verify", "--scratch", "--rerun-only", "42"});
  CHECK(unknown.exit_code == 2);
  CHECK_MESSAGE(contains(unknown.err, "--rerun-only"), unknown.err);

  const auto live = p.run({"verify", "--rerun"});
  CHECK(live.exit_code == 2);
  CHECK(contains(live.err, "only on a scratch database"));
}

TEST_CASE("verify --scratch --rerun in a CORA project: every module's schema files, named by module") {
  RerunProject p;
  std::filesystem::copy(source_dir() / "tests/fixtures/cora-project", p.dir.path() / "project",
                        std::filesystem::copy_options::recursive);
  // module-ws's snapshot starts its table over: what its second run does to the rows.
  {
    std::ofstream ws(p.dir.path() / "project/packages/module-ws/db/schema/001-ws.sql");
    ws << "DROP TABLE IF EXISTS public.ws_members;\n"
          "CREATE TABLE public.ws_members (ws bigint, user_id bigint REFERENCES public.app_users (id));\n";
  }
  const auto& cluster = test_cluster();
  {
    std::ofstream config(p.dir.path() / "project/cora-migrate.toml", std::ios::app);
    config << "\n[local]\ndata_dir = \"" << cluster.requested_root().value_or(cluster.root()).string() << "\"\n";
  }
  CliOptions here;
  here.cwd = p.dir.path() / "project";
  const auto r = run_cli({"verify", "--scratch", "--rerun", "--format", "json"}, here);
  INFO(r.err);
  CHECK(r.exit_code == 11);  // also the fixture's lints (tables without row level security)
  CHECK(contains(r.err, "Ran 7 files a second time"));
  std::map<std::string, nlohmann::json> by_file;
  for (const auto& o : p.reruns(nlohmann::json::parse(r.out))) by_file[o["subject"].get<std::string>()] = o;
  CHECK(by_file.size() == 7);
  CHECK(by_file["module-access:000-base.sql"]["passed"] == true);
  CHECK(by_file["module-chat:001-chat.sql"]["passed"] == true);
  const auto& ws = by_file["module-ws:001-ws.sql"];
  CHECK(ws["passed"] == false);
  CHECK(ws["line"] == 1);
  CHECK(
      contains(ws["findings"][0]["found"].get<std::string>(), "table public.ws_members was dropped and created again"));
}

TEST_CASE("migrate --reapply of a file that destroys data refuses without --allow-destructive") {
  TestDatabase db;
  ScratchDir dir;
  dir.write("m/001-notes.sql",
            "CREATE TABLE IF NOT EXISTS public.notes (id int PRIMARY KEY);\n"
            "INSERT INTO public.notes VALUES (1), (2) ON CONFLICT DO NOTHING;\n");
  const std::string reset = "-- clears the scratch table\nSELECT 1;\nTRUNCATE public.notes;\n";
  dir.write("m/002-reset.sql", reset);
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--database-url", db.conninfo(), "--migrations", (dir.path() / "m").string()});
    return run_cli(args);
  };
  REQUIRE(run({"migrate"}).exit_code == 0);                             // 002 emptied the table once: fine
  db.connect()->execute_script("INSERT INTO public.notes VALUES (3)");  // the data since
  const std::string history =
      "SELECT string_agg(version || ':' || action || ':' || is_current, ',' ORDER BY id) "
      "FROM cora_migrate.schema_history";
  const auto history_before = db.scalar(history);

  const std::string expected = (dir.path() / "m/002-reset.sql").string() + ":" +
                               std::to_string(line_of(reset, "TRUNCATE")) +
                               ": TRUNCATE: running this file again (--reapply) would destroy data";
  auto refused_with = [&](std::vector<std::string> args) {
    const auto r = run(args);
    CHECK(r.exit_code == 8);
    CHECK_MESSAGE(contains(r.err, "cora-migrate: error: " + expected), r.err);
    CHECK(contains(r.err, "--allow-destructive"));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one line
    CHECK(db.scalar("SELECT count(*) FROM public.notes") == "1");
    CHECK(db.scalar(history) == history_before);
  };
  SUBCASE("unchanged, with --force") {
    refused_with({"migrate", "--reapply", "2", "--force"});
    refused_with({"migrate", "--reapply", "2", "--force", "--dry-run"});
    const auto allowed = run({"migrate", "--reapply", "2", "--force", "--allow-destructive"});
    CHECK_MESSAGE(allowed.exit_code == 0, allowed.err);
    CHECK(db.scalar("SELECT count(*) FROM public.notes") == "0");
  }
  SUBCASE("changed, with --reapply and --reapply-changed") {
    dir.write("m/002-reset.sql", reset + "-- reviewed\n");
    refused_with({"migrate", "--reapply", "2"});
    refused_with({"migrate", "--reapply-changed"});
    CHECK(run({"migrate", "--reapply-changed", "--allow-destructive"}).exit_code == 0);
  }
  SUBCASE("a file that destroys nothing re-runs as before") {
    CHECK(run({"migrate", "--reapply", "1", "--force"}).exit_code == 0);
    CHECK(db.scalar("SELECT count(*) FROM public.notes") == "3");
  }
}
