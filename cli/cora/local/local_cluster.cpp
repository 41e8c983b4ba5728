#include "cora/local/local_cluster.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>

#include "cora/db/connection.hpp"
#include "cora/db/conninfo.hpp"
#include "cora/error.hpp"
#include "cora/local/cluster_folder.hpp"
#include "cora/local/config_quote.hpp"
#include "cora/local/private_folder.hpp"
#include "cora/util/sha256.hpp"

namespace cora::embedded {
extern const char* const supabase_compat_sql;
}

namespace cora {

namespace {

constexpr const char* kReadyMarker = "cora-ready";
constexpr const char* kLockFile = ".lock";
// Where clusters go, as root, when the postgres user cannot reach the configured folder.
constexpr const char* kRelocationBase = "/var/tmp/cora-migrate";
constexpr int kPort = 5432;  // only names the socket file; the cluster listens on no TCP port
// sun_path holds 108 bytes; leave room for "/.s.PGSQL.5432" and the lock file's ".lock".
constexpr std::size_t kMaxSocketDirLength = 80;

class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& path)
      : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) {
    if (fd_ < 0 || flock(fd_, LOCK_EX) != 0) {
      throw Error(ExitCode::local_cluster, fmt::format("{}: cannot lock", path.string()),
                  "check the folder's permissions");
    }
  }
  ~FileLock() { ::close(fd_); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

std::string last_lines(const std::string& text, std::size_t count) {
  std::size_t pos = text.size();
  while (pos > 0 && (text[pos - 1] == '\n')) --pos;
  const std::size_t end = pos;
  for (std::size_t seen = 0; pos > 0 && seen < count; --pos) {
    if (text[pos - 1] == '\n' && ++seen == count) break;
  }
  std::string out = text.substr(pos, end - pos);
  for (auto& c : out)
    if (c == '\n') c = ' ';
  return out;
}

// pg_ctl starts the server through /bin/sh, with the data folder and log inside double quotes:
// there `"`, `$`, a backquote and a doubled backslash would be read by the shell (a folder named
// `$(…)` would run a command). Such a folder is refused; a quote or a lone backslash is fine.
void refuse_shell_unsafe_folder(const std::filesystem::path& root) {
  const std::string text = root.string();
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"' || c == '$' || c == '`' || (c == '\\' && i + 1 < text.size() && text[i + 1] == '\\')) {
      throw Error(ExitCode::local_cluster,
                  fmt::format("{}: [local] data_dir contains '{}', which the shell pg_ctl starts the server with "
                              "would interpret",
                              text, c == '\\' ? std::string("\\\\") : std::string(1, c)),
                  "point [local] data_dir at a folder whose path has no \" $ ` or \\\\");
    }
  }
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

LocalCluster::LocalCluster(std::filesystem::path data_root, std::filesystem::path pg_bin_dir)
    : root_(std::filesystem::absolute(data_root).lexically_normal()), bin_dir_(std::move(pg_bin_dir)) {
  if (root_.filename().empty() && root_.has_parent_path()) root_ = root_.parent_path();  // "dir/" (from ".") names dir
  if (geteuid() == 0) {
    run_as_ = find_system_user("postgres");
    if (!run_as_) {
      throw Error(ExitCode::local_cluster,
                  "running as root, and there is no 'postgres' system user to run PostgreSQL as",
                  "install postgresql-15 (it creates the user), or run cora-migrate as a normal user");
    }
    // The postgres user must reach the folder (we create the missing part of the path, and hand
    // over only the cluster's own folder); a checkout under /root, say, is closed to it.
    std::filesystem::path existing = root_;
    while (!std::filesystem::exists(existing) && existing.has_parent_path() && existing != existing.parent_path()) {
      existing = existing.parent_path();
    }
    if (!user_can_enter(*run_as_, existing)) {
      requested_root_ = root_;
      root_ = std::filesystem::path(kRelocationBase) / sha256_hex(root_.string()).substr(0, 16);
    }
  }
  owner_ = run_as_ ? *run_as_ : current_user();
  const auto preferred_socket_dir = root_ / "run";
  socket_dir_ = preferred_socket_dir.string().size() <= kMaxSocketDirLength
                    ? preferred_socket_dir
                    : std::filesystem::path("/tmp") / ("cora-migrate-" + sha256_hex(root_.string()).substr(0, 16));
}

ProcessResult LocalCluster::run_tool(const std::string& tool, std::vector<std::string> args) const {
  const auto path = bin_dir_ / tool;
  if (access(path.c_str(), X_OK) != 0) {
    throw Error(ExitCode::local_cluster,
                fmt::format("{}: PostgreSQL 15 is not installed there (needed for the local database)", path.string()),
                "install it with `apt-get install postgresql-15`, set [local] pg_bin_dir, or pass --database-url");
  }
  args.insert(args.begin(), path.string());
  return run_process(args, run_as_);
}

std::string LocalCluster::copy_schema(const std::string& from, const std::string& to) const {
  // In the socket folder: private to the server's user, who runs both tools.
  const auto dump = socket_dir_ / fmt::format("schema-copy-{}.sql", getpid());
  const auto dumped =
      run_tool("pg_dump", {"--schema-only", "--file", dump.string(), "--dbname", conninfo(from, kSuperuser)});
  std::string why;
  if (dumped.exit_code != 0) {
    why = "pg_dump: " + last_lines(dumped.output, 2);
  } else {
    const auto restored = run_tool("psql", {"--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--dbname",
                                            conninfo(to, kSuperuser), "--file", dump.string()});
    if (restored.exit_code != 0) why = "psql: " + last_lines(restored.output, 2);
  }
  std::error_code ec;
  std::filesystem::remove(dump, ec);
  return why;
}

void LocalCluster::fail(const std::string& what, const ProcessResult& result) const {
  std::string why = last_lines(result.output, 2);
  if (why.empty()) why = last_lines(read_text(log_file()), 3);
  throw Error(ExitCode::local_cluster, fmt::format("local PostgreSQL at {}: {}: {}", root_.string(), what, why),
              fmt::format("see {}; `cora-migrate local reset` starts over", log_file().string()));
}

ClusterFolder LocalCluster::folder() const {
  return ClusterFolder(root_, {"data", "run", "postgres.log", kLockFile, kReadyMarker});
}

void LocalCluster::claim_root() const {
  if (requested_root_) make_trusted_folder(root_.parent_path());
  folder().claim(owner_);
}

void LocalCluster::prepare_log_file() const {
  // pg_ctl opens the log as the cluster's user and follows links: the file is made here, by us,
  // without following one, and handed to that user.
  const int fd = ::open(log_file().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
  struct stat info {};
  const bool fine = fd >= 0 && fstat(fd, &info) == 0 && S_ISREG(info.st_mode) &&
                    (info.st_uid == owner_.uid || fchown(fd, owner_.uid, owner_.gid) == 0);
  if (fd >= 0) ::close(fd);
  if (!fine) {
    throw Error(ExitCode::local_cluster, fmt::format("{}: cannot create the server log", log_file().string()),
                "`cora-migrate local reset` starts over");
  }
}

bool LocalCluster::initialized() const { return folder().ours() && std::filesystem::exists(root_ / kReadyMarker); }

bool LocalCluster::running() const {
  if (!folder().ours() || !std::filesystem::exists(data_dir() / "postmaster.pid")) return false;
  return run_tool("pg_ctl", {"status", "-D", data_dir().string()}).exit_code == 0;
}

void LocalCluster::create() {
  std::error_code ec;
  std::filesystem::remove_all(data_dir(), ec);  // a half-made cluster from an interrupted create
  make_private_folder(data_dir(), owner_);
  auto init = run_tool("initdb", {"-D", data_dir().string(), "-U", kSuperuser, "--auth=trust", "--encoding=UTF8",
                                  "--no-locale", "--no-sync"});
  if (init.exit_code != 0) fail("initdb failed", init);
  std::ofstream conf(data_dir() / "postgresql.conf", std::ios::app);
  conf << "\n# Set by cora-migrate: a throwaway development cluster, reachable only through its socket, in a\n"
       << "# folder only the cluster's owner may enter.\n"
       << "listen_addresses = ''\n"
       << "unix_socket_directories = " << quote_config_value(socket_dir_.string()) << "\n"
       << "unix_socket_permissions = 0700\n"
       << "port = " << kPort << "\n"
       << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n";
  if (!conf) fail("cannot write postgresql.conf", {});
  // Trust, but only on the socket: whoever can enter the socket folder (mode 0700) is the
  // cluster's owner or root, and may connect as any role (an admin superuser, or a `postgres`
  // without SUPERUSER as on Supabase). No TCP line at all, should listen_addresses ever change.
  std::ofstream hba(data_dir() / "pg_hba.conf", std::ios::trunc);
  hba << "# Set by cora-migrate: only the Unix socket, whose folder only the cluster's owner may enter.\n"
      << "local all all trust\n";
  if (!hba) fail("cannot write pg_hba.conf", {});
}

void LocalCluster::start() {
  prepare_log_file();
  auto started =
      run_tool("pg_ctl", {"start", "-D", data_dir().string(), "-l", log_file().string(), "-w", "-t", "60", "-s"});
  if (started.exit_code != 0) fail("pg_ctl start failed", started);
}

void LocalCluster::apply_compatibility_layer() const {
  for (const char* db : {"template1", "postgres"}) {
    auto conn = Connection::open(conninfo(db, kSuperuser), std::chrono::seconds(10));
    try {
      conn->execute_script(std::string("BEGIN;\n") + embedded::supabase_compat_sql + "\nCOMMIT;");
    } catch (const QueryFailed& e) {
      throw Error(ExitCode::local_cluster, fmt::format("Supabase compatibility layer failed in {}: {}", db, e.what()),
                  "this is a bug in cora-migrate; `cora-migrate local reset` starts over");
    }
  }
}

std::string LocalCluster::compatibility_layer_version() {
  return sha256_hex(embedded::supabase_compat_sql).substr(0, 16);
}

void LocalCluster::ensure_running() {
  refuse_shell_unsafe_folder(root_);
  claim_root();
  FileLock lock(root_ / kLockFile);
  // Also when the server runs already: a cluster of an earlier version had a socket folder
  // others could enter, closed from now on.
  make_private_folder(socket_dir_, owner_);
  const bool fresh = !initialized();
  if (fresh) create();
  if (!running()) start();
  // A cluster made by an earlier version gets this version's layer (it is safe to run again):
  // a schema built here must have what a Supabase project has, e.g. its default privileges.
  const std::string marker = fmt::format("created by cora-migrate; compatibility layer {}; superuser {}\n",
                                         compatibility_layer_version(), kSuperuser);
  const std::string found = fresh ? std::string() : read_text(root_ / kReadyMarker);
  // Earlier versions made `postgres` the bootstrap superuser, which PostgreSQL never lets lose
  // SUPERUSER: such a cluster cannot become Supabase-shaped in place.
  if (!fresh && found.find(std::string("; superuser ") + kSuperuser) == std::string::npos) {
    throw Error(
        ExitCode::local_cluster,
        fmt::format("the local PostgreSQL at {} was created by an earlier cora-migrate, whose postgres role is a "
                    "superuser (on Supabase it is not)",
                    root_.string()),
        "run `cora-migrate local reset` to re-create it (its databases are deleted)");
  }
  if (fresh || found != marker) {
    apply_compatibility_layer();
    std::ofstream(root_ / kReadyMarker) << marker;
  }
}

void LocalCluster::stop() {
  if (!folder().ours() || !std::filesystem::exists(data_dir() / "postmaster.pid")) return;
  auto stopped = run_tool("pg_ctl", {"stop", "-D", data_dir().string(), "-m", "fast", "-w", "-s"});
  if (stopped.exit_code != 0 && running()) fail("pg_ctl stop failed", stopped);
}

void LocalCluster::destroy() {
  const auto cluster_folder = folder();
  if (cluster_folder.ours()) {
    FileLock lock(root_ / kLockFile);
    stop();
  }
  cluster_folder.release();  // refuses a folder that holds no cluster of ours
  // The socket folder in /tmp goes only when it is ours: a real folder owned by the cluster's user.
  struct stat info {};
  if (socket_dir_.parent_path() != root_ && ::lstat(socket_dir_.c_str(), &info) == 0 && S_ISDIR(info.st_mode) &&
      info.st_uid == owner_.uid) {
    std::error_code ec;
    std::filesystem::remove_all(socket_dir_, ec);
  }
}

std::string LocalCluster::conninfo(const std::string& dbname, const std::string& role) const {
  return fmt::format("host={} port={} user={} dbname={}", quote_conninfo_value(socket_dir_.string()), kPort,
                     quote_conninfo_value(role), quote_conninfo_value(dbname));
}

}  // namespace cora
