// The embedded cluster opens no door (issue classes 1, 2, 3, 6 and 7), tried through the built
// binary as another local user, a planted link and a hostile data_dir would try it. The tests that
// act as another user need root (the CI machine runs as root) and say so when skipped.

#include <doctest/doctest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "cora/util/process.hpp"
#include "cora/util/sha256.hpp"
#include "cora/util/subprocess.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"

using namespace cora::test;

namespace {

constexpr const char* kPsql = "/usr/lib/postgresql/15/bin/psql";

// A project with one migration and its cluster in `data_dir`, in `folder`.
void write_small_project(const std::filesystem::path& folder, const std::string& data_dir) {
  std::filesystem::create_directories(folder / "migrations");
  std::ofstream(folder / "cora-migrate.toml") << "[local]\ndata_dir = \"" << data_dir << "\"\n";
  std::ofstream(folder / "migrations" / "001-notes.sql") << "CREATE TABLE notes (id int PRIMARY KEY);\n";
}

struct stat stat_of(const std::filesystem::path& path) {
  struct stat info {};
  REQUIRE(::lstat(path.c_str(), &info) == 0);
  return info;
}

unsigned mode_of(const std::filesystem::path& path) { return stat_of(path).st_mode & 07777; }

uid_t uid_of(const char* name) {
  const passwd* entry = getpwnam(name);
  REQUIRE(entry != nullptr);
  return entry->pw_uid;
}

// Runs argv as the unprivileged user `nobody` (group nogroup, no other groups).
CliResult run_as_nobody(std::vector<std::string> argv, const std::filesystem::path& cwd = "/") {
  argv.insert(argv.begin(), {"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"});
  return wait_cli(start_program(argv, {cwd, {}}));
}

// What the cluster of `project` runs as: postgres when we are root, else us.
uid_t cluster_uid() { return geteuid() == 0 ? uid_of("postgres") : geteuid(); }

std::string read_whole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The socket folder the binary uses, in /tmp, for a cluster folder too long for sun_path.
std::filesystem::path tmp_socket_folder_for(const std::filesystem::path& cluster_root) {
  return std::filesystem::path("/tmp") / ("cora-migrate-" + cora::sha256_hex(cluster_root.string()).substr(0, 16));
}

bool one_line(const std::string& text) {
  const auto end = text.find_last_not_of('\n');
  return end != std::string::npos && text.find('\n') >= end;
}

}  // namespace

TEST_CASE("class 1: only the project's owner reaches the local cluster's socket") {
  ScratchDir dir;
  const auto project = dir.path() / "project";
  write_small_project(project, "local-pg");
  const CliOptions here{project, {}};
  REQUIRE(run_cli({"migrate", "--local"}, here).exit_code == 0);

  const auto socket_folder = project / "local-pg" / "run";
  CHECK(mode_of(socket_folder) == 0700);
  CHECK(stat_of(socket_folder).st_uid == cluster_uid());
  CHECK(mode_of(socket_folder / ".s.PGSQL.5432") == 0700);
  CHECK(mode_of(project / "local-pg") == 0700);
  CHECK(mode_of(project / "local-pg" / "postgres.log") == 0600);
  // Only the socket is trusted: no TCP line a changed listen_addresses could open.
  const auto hba = read_whole(project / "local-pg" / "data" / "pg_hba.conf");
  CHECK(hba.find("\nhost") == std::string::npos);
  CHECK(hba.find("local all all trust") != std::string::npos);

  // The owner connects, as the superuser and as another login role (what a non-superuser
  // `postgres` of a Supabase-shaped cluster needs).
  const std::string conninfo = "host=" + socket_folder.string() + " port=5432 dbname=postgres";
  const auto as_owner = wait_cli(
      start_program({kPsql, "-X", "-At", "-d", conninfo + " user=postgres", "-c", "CREATE ROLE cora_probe_login LOGIN"},
                    {}));
  REQUIRE_MESSAGE(as_owner.exit_code == 0, as_owner.err);
  const auto as_other_role =
      wait_cli(start_program({kPsql, "-X", "-At", "-d", conninfo + " user=cora_probe_login", "-c", "SELECT 1"}, {}));
  CHECK_MESSAGE(as_other_role.out == "1\n", as_other_role.err);

  if (geteuid() != 0) {
    MESSAGE("not root: the part as another local user is skipped");
  } else {
    // Another local user can neither list the socket folder nor connect, as any role.
    CHECK(run_as_nobody({"/bin/ls", socket_folder.string()}).exit_code != 0);
    for (const char* role : {"postgres", "cora_probe_login"}) {
      const auto intruder = run_as_nobody(
          {kPsql, "-X", "-At", "-d", conninfo + " user=" + role + " connect_timeout=5", "-c", "SELECT 1"});
      CHECK(intruder.exit_code != 0);
      CHECK(intruder.out.find('1') == std::string::npos);
      CHECK_MESSAGE(intruder.err.find("Permission denied") != std::string::npos, intruder.err);
    }
  }
  CHECK(run_cli({"local", "stop"}, here).exit_code == 0);
}

TEST_CASE("class 2: a link planted in /tmp where the socket folder goes is not followed") {
  if (geteuid() != 0) {
    MESSAGE("not root: skipped (the attack is on a root run)");
    return;
  }
  ScratchDir dir;
  // A project deep enough that its socket path would not fit sun_path: the socket goes to /tmp.
  const auto project = dir.path() / "a-project-folder-with-a-name-long-enough-to-move-the-socket-out-of-it-into-tmp";
  write_small_project(project, "local-pg");
  const auto socket_folder = tmp_socket_folder_for(std::filesystem::canonical(project) / "local-pg");
  const auto victim = dir.path() / "victim";
  std::filesystem::create_directories(victim);
  REQUIRE(chown(victim.c_str(), uid_of("nobody"), stat_of(victim).st_gid) == 0);
  std::filesystem::permissions(victim, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                           std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                                           std::filesystem::perms::others_exec);
  const CliOptions here{project, {}};

  SUBCASE("a symbolic link") {
    REQUIRE(run_as_nobody({"/bin/ln", "-s", victim.string(), socket_folder.string()}).exit_code == 0);
    const auto r = run_cli({"local", "start"}, here);
    CHECK(r.exit_code == 9);
    CHECK(one_line(r.err));
    CHECK_MESSAGE(r.err.find(socket_folder.string() + ": it is a symbolic link or not a folder") != std::string::npos,
                  r.err);
  }
  SUBCASE("a folder of another user") {
    REQUIRE(run_as_nobody({"/bin/mkdir", "-m", "0777", socket_folder.string()}).exit_code == 0);
    const auto r = run_cli({"local", "start"}, here);
    CHECK(r.exit_code == 9);
    CHECK_MESSAGE(r.err.find(socket_folder.string() + ": it belongs to another user") != std::string::npos, r.err);
    CHECK(stat_of(socket_folder).st_uid == uid_of("nobody"));
    CHECK(mode_of(socket_folder) == 0777);
    CHECK(std::filesystem::is_empty(socket_folder));
  }
  // Neither followed nor taken over: the victim keeps its owner, mode and (empty) contents.
  CHECK(stat_of(victim).st_uid == uid_of("nobody"));
  CHECK(mode_of(victim) == 0755);
  CHECK(std::filesystem::is_empty(victim));
  std::filesystem::remove_all(socket_folder);
  run_cli({"local", "stop"}, here);

  SUBCASE("with nothing planted, the socket folder in /tmp is private to the cluster's user") {
    REQUIRE(run_cli({"local", "start"}, here).exit_code == 0);
    CHECK(mode_of(socket_folder) == 0700);
    CHECK(stat_of(socket_folder).st_uid == uid_of("postgres"));
    CHECK(run_cli({"local", "reset"}, here).exit_code == 0);
    CHECK(run_cli({"local", "stop"}, here).exit_code == 0);
    std::filesystem::remove_all(socket_folder);
  }
}

TEST_CASE("class 2: as root, /var/tmp/cora-migrate planted by another user is refused") {
  if (geteuid() != 0 || wait_cli(start_program({"/usr/bin/unshare", "-m", "/bin/true"}, {})).exit_code != 0) {
    MESSAGE("not root, or no mount namespaces here: skipped");
    return;
  }
  ScratchDir dir;
  // A /var/tmp of our own (sticky, world-writable, as the real one), seen at /var/tmp by the
  // binary in a mount namespace of its own: the real one is shared with everything else.
  const auto var_tmp = dir.path() / "var-tmp";
  std::filesystem::create_directories(var_tmp);
  REQUIRE(::chmod(var_tmp.c_str(), 01777) == 0);
  // A checkout the postgres user cannot enter (mode 0700): the cluster moves to /var/tmp.
  const auto closed = dir.path() / "closed";
  std::filesystem::create_directories(closed);
  std::filesystem::permissions(closed, std::filesystem::perms::owner_all);
  const auto project = closed / "project";
  write_small_project(project, "local-pg");
  const auto victim = var_tmp / "victim";
  REQUIRE(run_as_nobody({"/bin/mkdir", "-m", "0755", victim.string()}).exit_code == 0);
  auto in_namespace = [&](const std::string& command) {
    return wait_cli(start_program({"/usr/bin/unshare", "-m", "/bin/sh", "-c",
                                   "mount --bind \"$1\" /var/tmp && exec \"$2\" local " + command, "sh",
                                   var_tmp.string(), CORA_MIGRATE_BINARY},
                                  {project, {}}));
  };

  SUBCASE("a link to another user's folder") {
    REQUIRE(run_as_nobody({"/bin/ln", "-s", "/var/tmp/victim", (var_tmp / "cora-migrate").string()}).exit_code == 0);
    const auto r = in_namespace("start");
    CHECK(r.exit_code == 9);
    CHECK_MESSAGE(r.err.find("/var/tmp/cora-migrate: it is a symbolic link or not a folder") != std::string::npos,
                  r.err);
  }
  SUBCASE("a folder of another user") {
    REQUIRE(run_as_nobody({"/bin/mkdir", "-m", "0777", (var_tmp / "cora-migrate").string()}).exit_code == 0);
    const auto r = in_namespace("start");
    CHECK(r.exit_code == 9);
    CHECK_MESSAGE(r.err.find("/var/tmp/cora-migrate: it belongs to another user") != std::string::npos, r.err);
    CHECK(std::filesystem::is_empty(var_tmp / "cora-migrate"));
  }
  SUBCASE("nothing planted: root's own folder, the cluster's private to postgres") {
    const auto r = in_namespace("start");
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(stat_of(var_tmp / "cora-migrate").st_uid == 0);
    CHECK(mode_of(var_tmp / "cora-migrate") == 0755);
    const auto hashed = var_tmp / "cora-migrate" / cora::sha256_hex((project / "local-pg").string()).substr(0, 16);
    CHECK(stat_of(hashed).st_uid == uid_of("postgres"));
    CHECK(mode_of(hashed) == 0700);
    CHECK(mode_of(hashed / "run") == 0700);
    CHECK(in_namespace("reset").exit_code == 0);
    CHECK(in_namespace("stop").exit_code == 0);
  }
  CHECK(stat_of(victim).st_uid == uid_of("nobody"));
  CHECK(std::filesystem::is_empty(victim));
}

TEST_CASE("class 3: the local server keeps none of the secrets of the command that started it") {
  ScratchDir dir;
  const auto project = dir.path() / "project";
  write_small_project(project, "local-pg");
  const std::string secret = "cora-env-secret-7f3a";
  const CliOptions with_secrets{project,
                                {{"PGPASSWORD", secret},
                                 {"DATABASE_URL", "postgresql://app:" + secret + "@db.example.com/app"},
                                 {"PGUSER", "app-" + secret},
                                 {"CORA_TEST_TOKEN", secret}}};
  const auto migrated = run_cli({"migrate", "--local"}, with_secrets);
  REQUIRE_MESSAGE(migrated.exit_code == 0, migrated.err);

  const auto pid_file = read_whole(project / "local-pg" / "data" / "postmaster.pid");
  const std::string pid = pid_file.substr(0, pid_file.find('\n'));
  REQUIRE(!pid.empty());
  const auto environ_text = read_whole(std::filesystem::path("/proc") / pid / "environ");
  REQUIRE(!environ_text.empty());
  CHECK(environ_text.find(secret) == std::string::npos);
  CHECK(environ_text.find("PGPASSWORD") == std::string::npos);
  CHECK(environ_text.find("DATABASE_URL") == std::string::npos);
  // What it has instead: a fixed, small environment.
  CHECK(environ_text.find(std::string("LC_ALL=C") + '\0') != std::string::npos);
  CHECK(environ_text.find("PATH=/usr/local/bin:/usr/bin:/bin") != std::string::npos);
  CHECK(run_cli({"local", "stop"}, {project, {}}).exit_code == 0);
}

TEST_CASE("class 6: a data_dir holding other files is neither used nor deleted") {
  ScratchDir dir;
  const auto project = dir.path() / "project";

  SUBCASE("the project itself") {
    write_small_project(project, ".");
    const CliOptions here{project, {}};
    for (const auto& command :
         {std::vector<std::string>{"migrate", "--local"}, std::vector<std::string>{"local", "reset"},
          std::vector<std::string>{"local", "start"}}) {
      const auto r = run_cli(command, here);
      CHECK(r.exit_code == 9);
      CHECK_MESSAGE(one_line(r.err), r.err);
      CHECK_MESSAGE(r.err.find("[local] data_dir holds files cora-migrate did not make ('cora-migrate.toml')") !=
                        std::string::npos,
                    r.err);
      CHECK(std::filesystem::exists(project / "cora-migrate.toml"));
      CHECK(std::filesystem::exists(project / "migrations" / "001-notes.sql"));
      CHECK(!std::filesystem::exists(project / "data"));
      CHECK(!std::filesystem::exists(project / "cora-migrate-cluster"));
    }
    CHECK(run_cli({"local", "stop"}, here).exit_code == 0);
    CHECK(run_cli({"local", "status"}, here).out.find("state:      not created") != std::string::npos);
  }

  SUBCASE("a shared folder others may write to keeps its mode and owner") {
    write_small_project(project, "shared");
    std::filesystem::create_directories(project / "shared");
    REQUIRE(::chmod((project / "shared").c_str(), 01777) == 0);
    const auto r = run_cli({"local", "start"}, {project, {}});
    CHECK(r.exit_code == 9);
    CHECK_MESSAGE(r.err.find("[local] data_dir may be written to by others (mode 1777)") != std::string::npos, r.err);
    CHECK(mode_of(project / "shared") == 01777);
    CHECK(stat_of(project / "shared").st_uid == geteuid());
    CHECK(std::filesystem::is_empty(project / "shared"));
  }

  SUBCASE("an empty folder of ours is used as it is, and reset leaves what it did not make") {
    write_small_project(project, "given");
    std::filesystem::create_directories(project / "given");
    REQUIRE(::chmod((project / "given").c_str(), 0755) == 0);
    const CliOptions here{project, {}};
    const auto started = run_cli({"local", "start"}, here);
    REQUIRE_MESSAGE(started.exit_code == 0, started.err);
    // Not handed to the postgres user, not made private: it is not ours to change.
    CHECK(stat_of(project / "given").st_uid == geteuid());
    CHECK(mode_of(project / "given") == 0755);
    std::ofstream(project / "given" / "notes.txt") << "mine\n";
    const auto reset = run_cli({"local", "reset"}, here);
    CHECK_MESSAGE(reset.exit_code == 0, reset.err);
    CHECK(read_whole(project / "given" / "notes.txt") == "mine\n");
    CHECK(std::filesystem::exists(project / "given" / "data" / "PG_VERSION"));
    CHECK(run_cli({"local", "stop"}, here).exit_code == 0);
  }
}

TEST_CASE("class 7: a project under a folder named with a quote and a backslash") {
  ScratchDir dir;
  const auto project = dir.path() / "o'brien" / "back\\slash";
  write_small_project(project, "local-pg");
  const CliOptions here{project, {}};
  const auto migrated = run_cli({"migrate", "--local"}, here);
  REQUIRE_MESSAGE(migrated.exit_code == 0, migrated.err);
  CHECK(migrated.out.find("applied 001-notes.sql") != std::string::npos);
  const auto conf = read_whole(project / "local-pg" / "data" / "postgresql.conf");
  CHECK(conf.find("o''brien/back\\\\slash/local-pg/run'") != std::string::npos);
  const auto status = run_cli({"status", "--exit-code"}, here);
  CHECK_MESSAGE(status.exit_code == 0, status.err);
  CHECK(run_cli({"local", "stop"}, here).exit_code == 0);
}

TEST_CASE("class 1: the tests' own cluster is as private as the product's") {
  const auto& cluster = test_cluster();
  CHECK(mode_of(cluster.socket_dir()) == 0700);
  CHECK(stat_of(cluster.socket_dir()).st_uid == cluster_uid());
  CHECK(mode_of(cluster.root()) == 0700);
}

TEST_CASE("class 7: a data_dir the shell pg_ctl uses would read is refused, not run") {
  ScratchDir dir;
  const auto project = dir.path() / "project";
  const auto witness = dir.path() / "witness-of-a-command-run-by-the-shell";
  write_small_project(project, "pg$(touch " + witness.string() + ")");
  const auto r = run_cli({"migrate", "--local"}, {project, {}});
  CHECK(r.exit_code == 9);
  CHECK_MESSAGE(r.err.find("[local] data_dir contains '$'") != std::string::npos, r.err);
  CHECK(!std::filesystem::exists(witness));
  run_cli({"local", "stop"}, {project, {}});
}

TEST_CASE("class 1: run by an unprivileged user, the cluster is that user's alone") {
  if (geteuid() != 0) {
    MESSAGE("not root: skipped (it needs two other users)");
    return;
  }
  ScratchDir dir;
  const auto project = dir.path() / "project";
  write_small_project(project, "local-pg");
  for (const auto& path :
       {project, project / "migrations", project / "migrations" / "001-notes.sql", project / "cora-migrate.toml"}) {
    REQUIRE(chown(path.c_str(), uid_of("nobody"), static_cast<gid_t>(-1)) == 0);
  }
  const auto started = run_as_nobody({CORA_MIGRATE_BINARY, "migrate", "--local"}, project);
  REQUIRE_MESSAGE(started.exit_code == 0, started.err);
  const auto socket_folder = project / "local-pg" / "run";
  CHECK(stat_of(socket_folder).st_uid == uid_of("nobody"));
  CHECK(mode_of(socket_folder) == 0700);

  const std::string conninfo = "host=" + socket_folder.string() + " port=5432 dbname=postgres user=postgres";
  CHECK(run_as_nobody({kPsql, "-X", "-At", "-d", conninfo, "-c", "SELECT 1"}).out == "1\n");
  const auto intruder = wait_cli(start_program({"/usr/bin/setpriv", "--reuid=daemon", "--regid=daemon",
                                                "--clear-groups", kPsql, "-X", "-At", "-d", conninfo, "-c", "SELECT 1"},
                                               {"/", {}}));
  CHECK(intruder.exit_code != 0);
  CHECK_MESSAGE(intruder.err.find("Permission denied") != std::string::npos, intruder.err);
  CHECK(run_as_nobody({CORA_MIGRATE_BINARY, "local", "stop"}, project).exit_code == 0);
}

TEST_CASE("class 2: .cora/ keeps itself out of git, never through a planted link") {
  ScratchDir dir;
  const auto project = dir.path() / "project";
  write_small_project(project, ".cora/local");
  const CliOptions here{project, {}};

  SUBCASE("a new .cora/ gets a .gitignore of *") {
    const auto started = run_cli({"local", "start"}, here);
    REQUIRE_MESSAGE(started.exit_code == 0, started.err);
    CHECK(read_whole(project / ".cora" / ".gitignore") == "*\n");
    CHECK(S_ISREG(stat_of(project / ".cora" / ".gitignore").st_mode));
    if (std::filesystem::exists("/usr/bin/git")) {
      REQUIRE(cora::Subprocess::run({"/usr/bin/git", "init", "-q", project.string()}).exit_code == 0);
      const auto ignored =
          cora::Subprocess::run({"/usr/bin/git", "-C", project.string(), "status", "--porcelain", "--ignored"});
      CHECK_MESSAGE(ignored.out.find("!! .cora/") != std::string::npos, ignored.out);
    }
  }
  SUBCASE("the user's own .gitignore there is left as it is") {
    std::filesystem::create_directories(project / ".cora");
    std::ofstream(project / ".cora" / ".gitignore") << "local/\n";
    const auto started = run_cli({"local", "start"}, here);
    REQUIRE_MESSAGE(started.exit_code == 0, started.err);
    CHECK(read_whole(project / ".cora" / ".gitignore") == "local/\n");
  }
  SUBCASE("a link planted as .cora/.gitignore is not followed") {
    const auto victim = dir.path() / "victim.txt";
    std::ofstream(victim) << "keep me\n";
    std::filesystem::create_directories(project / ".cora");
    std::filesystem::create_symlink(victim, project / ".cora" / ".gitignore");
    const auto started = run_cli({"local", "start"}, here);
    REQUIRE_MESSAGE(started.exit_code == 0, started.err);
    CHECK(std::filesystem::is_symlink(project / ".cora" / ".gitignore"));
    CHECK(read_whole(victim) == "keep me\n");
  }
  CHECK(run_cli({"local", "stop"}, here).exit_code == 0);
}
