// The bad input corpus (tests/corpus/, one folder per case, see tests/corpus/README.md): each
// case's inputs are copied to a scratch folder and the built binary is run on them against a
// fresh database. Every case must give its documented exit code and, on stderr's last line,
// the one-line error naming the file/line or setting; never crash; leave the database as it
// was; and never print a password, though every run has one in its URL and in PGPASSWORD.

#include <doctest/doctest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <toml++/toml.h>
#include <vector>

#include "cora/migrations/migration_file.hpp"
#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_cluster.hpp"
#include "support/text.hpp"
#include "cora/util/process.hpp"

using namespace cora::test;

namespace {

// The passwords every case runs with: in the URL (with characters that need percent-encoding),
// in PGPASSWORD, and the real one of the password-protected cluster.
const std::string kUrlSecret = "Corpus/p@ss:W0rd-url-4e1f";
const std::string kEnvSecret = "Corpus-Env-S3cret-5b1c";
const std::string kAuthSecret = "Corpus-Auth-S3cret-77ad";

std::string percent_encode(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      static const char* hex = "0123456789ABCDEF";
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 0xF];
    }
  }
  return out;
}

std::string percent_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::vector<std::string> all_secret_spellings() {
  std::vector<std::string> out;
  for (const auto& s : {kUrlSecret, kEnvSecret, kAuthSecret}) {
    out.push_back(s);
    out.push_back(percent_encode(s));
  }
  return out;
}

// The first secret found in `text`, or "".
std::string leaked_secret(const std::string& text) {
  for (const auto& s : all_secret_spellings()) {
    if (text.find(s) != std::string::npos) return s;
  }
  return "";
}

// A loopback TCP socket bound to a free port. Listening, it accepts connections (in the
// kernel) and never answers: a server that hangs. Not listening, connections are refused.
class LoopbackSocket {
 public:
  explicit LoopbackSocket(bool listening) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    if (listening) REQUIRE(listen(fd_, 64) == 0);
    socklen_t length = sizeof address;
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
  }
  ~LoopbackSocket() { close(fd_); }
  LoopbackSocket(const LoopbackSocket&) = delete;
  LoopbackSocket& operator=(const LoopbackSocket&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

int free_port() { return LoopbackSocket(false).port(); }

// A second, small PostgreSQL 15 that asks for a password (scram-sha-256) on 127.0.0.1, for
// the wrong-password cases. Started on first use, stopped at exit.
class PasswordCluster {
 public:
  PasswordCluster() : port_(free_port()) {
    if (geteuid() == 0) run_as_ = cora::find_system_user("postgres");
    const auto root = dir_.path() / "pg";
    std::filesystem::create_directories(root / "run");
    if (run_as_) {
      for (const auto& p : {root, root / "run"}) REQUIRE(chown(p.c_str(), run_as_->uid, run_as_->gid) == 0);
    }
    const auto password_file = root / "password";
    std::ofstream(password_file) << kAuthSecret << "\n";
    if (run_as_) REQUIRE(chown(password_file.c_str(), run_as_->uid, run_as_->gid) == 0);
    const auto init =
        run(bin("initdb"), {"-D", data().string(), "-U", "postgres", "--auth=scram-sha-256",
                            "--pwfile=" + password_file.string(), "--encoding=UTF8", "--no-locale", "--no-sync"});
    REQUIRE_MESSAGE(init.exit_code == 0, init.output);
    std::ofstream(data() / "postgresql.conf", std::ios::app)
        << "\nlisten_addresses = '127.0.0.1'\nport = " << port_ << "\nunix_socket_directories = '"
        << (root / "run").string() << "'\nfsync = off\nsynchronous_commit = off\nmax_connections = 20\n"
        << "shared_buffers = 16MB\nlog_connections = on\n";
    const auto started =
        run(bin("pg_ctl"), {"start", "-D", data().string(), "-l", log().string(), "-w", "-t", "60", "-s"});
    REQUIRE_MESSAGE(started.exit_code == 0, started.output);
  }
  ~PasswordCluster() { run(bin("pg_ctl"), {"stop", "-D", data().string(), "-m", "immediate", "-w", "-s"}); }
  PasswordCluster(const PasswordCluster&) = delete;
  PasswordCluster& operator=(const PasswordCluster&) = delete;

  int port() const { return port_; }
  std::filesystem::path log() const { return dir_.path() / "pg" / "postgres.log"; }
  std::string url(const std::string& dbname) const {
    return "postgresql://postgres:" + percent_encode(kAuthSecret) + "@127.0.0.1:" + std::to_string(port_) + "/" +
           dbname;
  }

 private:
  std::filesystem::path data() const { return dir_.path() / "pg" / "data"; }
  static std::string bin(const std::string& tool) { return "/usr/lib/postgresql/15/bin/" + tool; }
  cora::ProcessResult run(const std::string& program, std::vector<std::string> args) const {
    args.insert(args.begin(), program);
    return cora::run_process(args, run_as_);
  }

  ScratchDir dir_{"cora-corpus-auth"};
  int port_;
  std::optional<cora::SystemUser> run_as_;
};

PasswordCluster& password_cluster() {
  static PasswordCluster cluster;
  return cluster;
}

// Everything a database holds that a bad input must not change: schemas, relations, columns,
// row counts, functions, policies, roles; and the history table's rows, in full.
struct DatabaseState {
  std::string catalog;
  std::string history;
  bool operator==(const DatabaseState& o) const { return catalog == o.catalog && history == o.history; }
};

DatabaseState database_state(const TestDatabase& db) {
  static const char* const kCatalog = R"sql(
    WITH ns AS (
      SELECT oid, nspname FROM pg_namespace
       WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname !~ '^pg_(toast_)?temp_'
    ), items AS (
      SELECT 'namespace ' || nspname AS item FROM ns
      UNION ALL
      SELECT format('relation %s.%s kind=%s rls=%s', ns.nspname, c.relname, c.relkind, c.relrowsecurity)
        FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
      UNION ALL
      SELECT format('column %s.%s.%s %s not_null=%s', ns.nspname, c.relname, a.attname,
                    format_type(a.atttypid, a.atttypmod), a.attnotnull)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace
       WHERE a.attnum > 0 AND NOT a.attisdropped
      UNION ALL
      SELECT format('rows %s.%s %s', ns.nspname, c.relname,
                    (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', ns.nspname, c.relname),
                                                         false, true, '')))[1]::text)
        FROM pg_class c JOIN ns ON ns.oid = c.relnamespace WHERE c.relkind = 'r'
      UNION ALL
      SELECT format('function %s.%s(%s) %s', ns.nspname, p.proname, pg_get_function_identity_arguments(p.oid), md5(p.prosrc))
        FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
      UNION ALL
      SELECT format('policy %s %s', pol.polrelid::regclass, pol.polname) FROM pg_policy pol
      UNION ALL
      SELECT 'role ' || rolname FROM pg_roles
    )
    SELECT count(*) || ' items, md5 ' || md5(string_agg(item, E'\n' ORDER BY item)) FROM items)sql";
  DatabaseState state;
  state.catalog = db.scalar(kCatalog);
  if (db.scalar("SELECT to_regclass('cora_migrate.schema_history') IS NOT NULL") == "t") {
    state.history = db.scalar(
        "SELECT coalesce(string_agg(row_to_json(h)::text, E'\\n' ORDER BY id), 'no rows') FROM "
        "cora_migrate.schema_history h");
  }
  return state;
}

// ---- one case -------------------------------------------------------------------------------

struct Case {
  std::string name;
  std::filesystem::path dir;
  std::vector<std::string> global;  // global options, e.g. --config FILE
  std::vector<std::string> args;    // the command and its options
  std::vector<std::string> setup;   // run first (with the same database), must succeed
  int exit = 0;
  std::string error;          // a substring of the one-line error
  std::string stdout_has;     // a substring of stdout (verify findings)
  bool with_database = true;  // pass --database-url (a password-bearing URL of the fresh database)
  std::map<std::string, std::optional<std::string>> env;
};

std::vector<std::string> strings_at(const toml::table& t, const char* key) {
  std::vector<std::string> out;
  if (const auto* array = t[key].as_array()) {
    for (const auto& item : *array) out.push_back(item.value_or(std::string()));
  }
  return out;
}

Case load_case(const std::filesystem::path& dir) {
  const toml::table t = toml::parse_file((dir / "case.toml").string());
  Case c;
  c.name = dir.filename().string();
  c.dir = dir;
  c.global = strings_at(t, "global");
  c.args = strings_at(t, "args");
  c.setup = strings_at(t, "setup");
  c.exit = static_cast<int>(t["exit"].value_or(int64_t{-1}));
  c.error = t["error"].value_or(std::string());
  c.stdout_has = t["stdout"].value_or(std::string());
  c.with_database = t["database"].value_or(std::string("test")) == "test";
  if (const auto* env = t["env"].as_table()) {
    for (const auto& [key, value] : *env) c.env[std::string(key.str())] = value.value_or(std::string());
  }
  for (const auto& name : strings_at(t, "unset_env")) c.env[name] = std::nullopt;
  return c;
}

// CORA_CORPUS_ONLY=connect- runs only the cases whose folder name contains it, for a quick
// run while working on a few cases; CI leaves it unset.
std::vector<Case> load_corpus() {
  const char* only = std::getenv("CORA_CORPUS_ONLY");
  std::vector<Case> cases;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir() / "tests" / "corpus")) {
    if (!entry.is_directory()) continue;
    if (only && entry.path().filename().string().find(only) == std::string::npos) continue;
    cases.push_back(load_case(entry.path()));
  }
  std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
  return cases;
}

using Vars = std::map<std::string, std::string>;

std::string substitute(std::string text, const Vars& vars) {
  for (const auto& [key, value] : vars) {
    for (auto pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos + value.size())) {
      text.replace(pos, key.size(), value);
    }
  }
  return text;
}

std::vector<std::string> substitute(std::vector<std::string> list, const Vars& vars) {
  for (auto& s : list) s = substitute(s, vars);
  return list;
}

bool uses(const Case& c, const std::string& placeholder) {
  std::string everything;
  for (const auto* list : {&c.global, &c.args, &c.setup}) {
    for (const auto& s : *list) everything += s + "\n";
  }
  for (const auto& [name, value] : c.env) everything += value.value_or("") + "\n";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(c.dir)) {
    if (entry.is_regular_file()) everything += read_text(entry.path());
  }
  return everything.find(placeholder) != std::string::npos;
}

// The case's inputs (all but case.toml) with placeholders replaced; %XX in file names is
// decoded, for names git should not hold (bytes that are not UTF-8, a newline).
void copy_inputs(const Case& c, const std::filesystem::path& to, const Vars& vars) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(c.dir)) {
    const auto relative = std::filesystem::relative(entry.path(), c.dir);
    if (relative == "case.toml" || !entry.is_regular_file()) continue;
    const auto target = to / percent_decode(relative.string());
    std::filesystem::create_directories(target.parent_path());
    std::ofstream(target, std::ios::binary) << substitute(read_text(entry.path()), vars);
  }
}

std::string last_line(const std::string& text) {
  if (text.empty()) return "";
  const auto end = text.back() == '\n' ? text.size() - 1 : text.size();
  const auto start = text.rfind('\n', end == 0 ? 0 : end - 1);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1));
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

// No signal, no "internal error", no sanitizer report.
void check_no_crash(const CliResult& r) {
  CHECK(r.exit_code >= 0);
  CHECK(r.exit_code < 128);
  CHECK(r.exit_code != 1);
  CHECK(r.err.find("internal error") == std::string::npos);
  CHECK(r.err.find("Sanitizer") == std::string::npos);
  CHECK(r.err.find("runtime error:") == std::string::npos);
}

void check_no_secret(const CliResult& r) {
  const auto leaked = leaked_secret(r.out + r.err);
  CHECK_MESSAGE(leaked.empty(), "password \"", leaked, "\" printed in:\n", r.out, r.err);
}

// stderr's last line is the only error, printable, on one line.
void check_one_line_error(const CliResult& r, const std::string& expected) {
  const std::string line = last_line(r.err);
  INFO("stderr: ", r.err);
  CHECK(line.rfind("cora-migrate: error: ", 0) == 0);
  CHECK(count_of(r.err, "cora-migrate: error:") == 1);
  CHECK(r.err.back() == '\n');
  CHECK(std::none_of(line.begin(), line.end(),
                     [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F; }));
  CHECK(!cora::find_invalid_utf8(line));
  CHECK_MESSAGE(line.find(expected) != std::string::npos, "expected the error to contain: ", expected);
}

class CorpusRunner {
 public:
  CorpusRunner() : hanging_(true), refused_(false) {}

  void run(std::size_t index, const Case& c) {
    INFO("corpus case ", c.name);
    TestDatabase db;
    ScratchDir dir("cora-corpus");
    const auto socket = test_cluster().socket_dir().string();
    const auto conninfo = db.conninfo();
    std::smatch port_match;
    REQUIRE(std::regex_search(conninfo, port_match, std::regex("port=([0-9]+)")));
    const std::string pg_port = port_match[1];
    const std::string url = "postgresql://postgres:" + percent_encode(kUrlSecret) + "@/" + db.name() +
                            "?host=" + percent_encode(socket) + "&port=" + pg_port;
    // Half the cases pass the password in key=value form instead.
    const std::string key_value = conninfo + " password='" + kUrlSecret + "'";
    Vars vars{{"@DB_URL@", url},
              {"@DB_NAME@", db.name()},
              {"@SOCKET@", percent_encode(socket)},
              {"@SOCKET_RAW@", socket},
              {"@PG_PORT@", pg_port},
              {"@SECRET@", percent_encode(kUrlSecret)},
              {"@SECRET_RAW@", kUrlSecret},
              {"@REFUSED_PORT@", std::to_string(refused_.port())},
              {"@HANG_PORT@", std::to_string(hanging_.port())}};
    if (uses(c, "@AUTH_PORT@")) vars["@AUTH_PORT@"] = std::to_string(password_cluster().port());
    copy_inputs(c, dir.path(), vars);

    CliOptions options;
    options.cwd = dir.path();
    options.env = {{"PGPASSWORD", kEnvSecret}, {"PGPASSFILE", (dir.path() / "no-pgpass").string()}};
    for (const auto& [name, value] : c.env)
      options.env[name] = value ? std::optional(substitute(*value, vars)) : std::nullopt;

    std::vector<std::string> prefix;
    if (c.with_database) prefix = {"--database-url", index % 2 == 0 ? url : key_value};
    const auto global = substitute(c.global, vars);
    prefix.insert(prefix.end(), global.begin(), global.end());
    auto command = [&](const std::vector<std::string>& args) {
      auto full = prefix;
      full.insert(full.end(), args.begin(), args.end());
      return full;
    };

    if (!c.setup.empty()) {
      const auto setup = run_cli(command(substitute(c.setup, vars)), options);
      REQUIRE_MESSAGE(setup.exit_code == 0, "setup failed: ", setup.err);
    }
    const auto before = database_state(db);

    const auto r = run_cli(command(substitute(c.args, vars)), options);
    INFO("exit ", r.exit_code, "\nstdout: ", r.out, "\nstderr: ", r.err);
    CHECK(r.exit_code == c.exit);
    check_no_crash(r);
    check_no_secret(r);
    if (!c.error.empty()) check_one_line_error(r, substitute(c.error, vars));
    if (c.exit == 11) CHECK(r.err.find("cora-migrate: error:") == std::string::npos);
    if (!c.stdout_has.empty()) CHECK(r.out.find(substitute(c.stdout_has, vars)) != std::string::npos);

    // Where the case reaches for the database, the other commands that print a database
    // (and JSON) must not show the password either; they run side by side.
    if (c.exit == 5 || c.exit == 6 || c.exit == 8 || c.exit == 11 || c.exit == 14) {
      std::vector<RunningCli> running;
      for (const auto& args : std::vector<std::vector<std::string>>{
               {"status", "--format", "json"}, {"verify", "--format", "json"}, {"migrate", "--dry-run"}, {"status"}}) {
        running.push_back(start_cli(command(args), options));
      }
      for (auto& process : running) {
        const auto other = wait_cli(process);
        INFO("also: stdout: ", other.out, "\nstderr: ", other.err);
        check_no_crash(other);
        check_no_secret(other);
        if (other.exit_code == 0 && other.out.rfind("{", 0) == 0) CHECK(nlohmann::json::accept(other.out));
      }
    }
    CHECK(database_state(db) == before);
    // Nothing fell back to the embedded cluster (it would be left running).
    CHECK(!std::filesystem::exists(dir.path() / ".cora"));
    ++ran_;
  }

  std::size_t ran() const { return ran_; }

 private:
  LoopbackSocket hanging_;
  LoopbackSocket refused_;
  std::size_t ran_ = 0;
};

}  // namespace

TEST_CASE("bad input corpus: documented exit code, one-line error, no crash, database unchanged, no password") {
  const auto cases = load_corpus();
  REQUIRE(cases.size() >= (std::getenv("CORA_CORPUS_ONLY") ? 1 : 40));
  CorpusRunner runner;
  for (std::size_t i = 0; i < cases.size(); ++i) runner.run(i, cases[i]);
  CHECK(runner.ran() == cases.size());
  // Nor in the servers' logs.
  CHECK(leaked_secret(read_text(test_cluster().log_file())).empty());
  CHECK(leaked_secret(read_text(password_cluster().log())).empty());
}

TEST_CASE("secrets: a password in the URL and in PGPASSWORD is never printed on success either") {
  auto& cluster = password_cluster();
  const std::string dbname = "corpus_secrets_" + std::to_string(getpid());
  cora::Connection::open(cluster.url("postgres"), std::chrono::seconds(10))
      ->execute_script("CREATE DATABASE " + dbname);
  const std::string url = cluster.url(dbname);
  ScratchDir dir("cora-corpus-secrets");
  dir.write("migrations/001-a.sql", "CREATE TABLE a (id int PRIMARY KEY);\nALTER TABLE a ENABLE ROW LEVEL SECURITY;\n");
  dir.write("checks/a.toml", "[[table]]\nname = \"public.a\"\nrls = true\n");
  dir.write("cora-migrate.toml", "database_url = \"${APP_DATABASE_URL}\"\n[local]\ndata_dir = \"local\"\n");
  CliOptions options;
  options.cwd = dir.path();
  options.env = {{"PGPASSWORD", kAuthSecret},
                 {"APP_DATABASE_URL", url},
                 {"PGPASSFILE", (dir.path() / "none").string()}};
  const std::string key_value = "host=127.0.0.1 port=" + std::to_string(cluster.port()) +
                                " user=postgres dbname=" + dbname + " password=" + kAuthSecret;
  const std::string without_password =
      "postgresql://postgres@127.0.0.1:" + std::to_string(cluster.port()) + "/" + dbname;

  auto run = [&](const std::vector<std::string>& args, int expected_exit) {
    const auto r = run_cli(args, options);
    INFO("args: ", args.back(), "\nstdout: ", r.out, "\nstderr: ", r.err);
    CHECK(r.exit_code == expected_exit);
    check_no_secret(r);
    return r;
  };
  run({"--database-url", url, "migrate", "--dry-run"}, 0);
  run({"migrate"}, 0);  // the URL from the config file, its password from ${APP_DATABASE_URL}
  run({"--database-url", key_value, "migrate", "--dry-run"}, 0);
  run({"--database-url", without_password, "migrate"}, 0);  // PGPASSWORD
  const auto status = run({"--database-url", url, "status", "--format", "json"}, 0);
  CHECK(nlohmann::json::parse(status.out).at("database") ==
        "postgresql://postgres:***@127.0.0.1:" + std::to_string(cluster.port()) + "/" + dbname);
  run({"--database-url", key_value, "status"}, 0);
  run({"--database-url", without_password, "status", "--format", "json"}, 0);
  const auto verify = run({"--database-url", url, "verify", "--format", "json"}, 0);
  CHECK(nlohmann::json::accept(verify.out));
  run({"--database-url", key_value, "verify", "--format", "junit"}, 0);
  run({"verify", "--format", "github"}, 0);
  run({"verify"}, 0);
  const auto local = run({"local", "status"}, 0);
  CHECK(local.out.find("state:") != std::string::npos);
  CliOptions env_url = options;
  env_url.env["CORA_DATABASE_URL"] = url;
  env_url.env["DATABASE_URL"] = url;
  const auto local_env = run_cli({"local", "status"}, env_url);
  CHECK(local_env.exit_code == 0);
  check_no_secret(local_env);

  // The history table: the client column says who ran it, not how they connected.
  auto db = cora::Connection::open(url, std::chrono::seconds(10));
  const auto history = db->query("SELECT client, row_to_json(h)::text FROM cora_migrate.schema_history h");
  REQUIRE(history.rows.size() == 1);
  CHECK(!history.rows[0][0].value_or("").empty());
  CHECK(leaked_secret(history.rows[0][1].value_or("")).empty());
  CHECK(leaked_secret(read_text(cluster.log())).empty());
  db.reset();
  auto admin = cora::Connection::open(cluster.url("postgres"), std::chrono::seconds(10));
  admin->execute_script("DROP DATABASE " + dbname + " WITH (FORCE)");
}
