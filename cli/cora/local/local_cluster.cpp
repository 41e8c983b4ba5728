#include "cora/local/local_cluster.hpp"

#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <memory>

#include "cora/db/connection.hpp"
#include "cora/db/conninfo.hpp"
#include "cora/error.hpp"
#include "cora/util/sha256.hpp"

namespace cora::embedded {
extern const char* const supabase_compat_sql;
}

namespace cora {

namespace {

constexpr const char* kReadyMarker = "cora-ready";
constexpr int kPort = 5432;  // only names the socket file; the cluster listens on no TCP port
// sun_path holds 108 bytes; leave room for "/.s.PGSQL.5432" and the lock file's ".lock".
constexpr std::size_t kMaxSocketDirLength = 80;

class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& path) : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
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

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

LocalCluster::LocalCluster(std::filesystem::path data_root, std::filesystem::path pg_bin_dir)
    : root_(std::filesystem::absolute(data_root).lexically_normal()), bin_dir_(std::move(pg_bin_dir)) {
  if (geteuid() == 0) {
    run_as_ = find_system_user("postgres");
    if (!run_as_) {
      throw Error(ExitCode::local_cluster,
                  "running as root, and there is no 'postgres' system user to run PostgreSQL as",
                  "install postgresql-15 (it creates the user), or run cora-migrate as a normal user");
    }
    // The postgres user must reach the folder (we create and hand over the missing part of the
    // path); a checkout under /root, say, is closed to it.
    std::filesystem::path existing = root_;
    while (!std::filesystem::exists(existing) && existing.has_parent_path() && existing != existing.parent_path()) {
      existing = existing.parent_path();
    }
    if (!user_can_enter(*run_as_, existing)) {
      requested_root_ = root_;
      root_ = std::filesystem::path("/var/tmp/cora-migrate") / sha256_hex(root_.string()).substr(0, 16);
    }
  }
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

void LocalCluster::fail(const std::string& what, const ProcessResult& result) const {
  std::string why = last_lines(result.output, 2);
  if (why.empty()) why = last_lines(read_text(log_file()), 3);
  throw Error(ExitCode::local_cluster, fmt::format("local PostgreSQL at {}: {}: {}", root_.string(), what, why),
              fmt::format("see {}; `cora-migrate local reset` starts over", log_file().string()));
}

void LocalCluster::prepare_dir(const std::filesystem::path& dir, bool private_dir) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw Error(ExitCode::local_cluster, fmt::format("{}: cannot create folder: {}", dir.string(), ec.message()),
                "set [local] data_dir in cora-migrate.toml to a writable folder");
  }
  std::filesystem::permissions(dir,
                               private_dir
                                   ? std::filesystem::perms::owner_all
                                   : std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                         std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                                         std::filesystem::perms::others_exec,
                               ec);
  if (run_as_ && chown(dir.c_str(), run_as_->uid, run_as_->gid) != 0) {
    throw Error(ExitCode::local_cluster, fmt::format("{}: cannot hand the folder to the postgres user", dir.string()),
                "set [local] data_dir to a folder on a local file system");
  }
}

bool LocalCluster::initialized() const { return std::filesystem::exists(root_ / kReadyMarker); }

bool LocalCluster::running() const {
  if (!std::filesystem::exists(data_dir() / "postmaster.pid")) return false;
  return run_tool("pg_ctl", {"status", "-D", data_dir().string()}).exit_code == 0;
}

void LocalCluster::create() {
  std::error_code ec;
  std::filesystem::remove_all(data_dir(), ec);  // a half-made cluster from an interrupted create
  prepare_dir(data_dir(), true);
  auto init = run_tool("initdb", {"-D", data_dir().string(), "-U", kSuperuser, "--auth=trust", "--encoding=UTF8",
                                  "--no-locale", "--no-sync"});
  if (init.exit_code != 0) fail("initdb failed", init);
  std::ofstream conf(data_dir() / "postgresql.conf", std::ios::app);
  conf << "\n# Set by cora-migrate: a throwaway development cluster, reachable only through its socket.\n"
       << "listen_addresses = ''\n"
       << "unix_socket_directories = '" << socket_dir_.string() << "'\n"
       << "port = " << kPort << "\n"
       << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n";
  if (!conf) fail("cannot write postgresql.conf", {});
}

void LocalCluster::start() {
  prepare_dir(socket_dir_, false);
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
  prepare_dir(root_, false);
  FileLock lock(root_ / ".lock");
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
  if (!std::filesystem::exists(data_dir() / "postmaster.pid")) return;
  auto stopped = run_tool("pg_ctl", {"stop", "-D", data_dir().string(), "-m", "fast", "-w", "-s"});
  if (stopped.exit_code != 0 && running()) fail("pg_ctl stop failed", stopped);
}

void LocalCluster::destroy() {
  if (std::filesystem::exists(root_)) {
    FileLock lock(root_ / ".lock");
    stop();
  }
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
  if (socket_dir_.parent_path() != root_) std::filesystem::remove_all(socket_dir_, ec);
  if (ec) {
    throw Error(ExitCode::local_cluster, fmt::format("{}: cannot delete: {}", root_.string(), ec.message()),
                "delete the folder by hand");
  }
}

std::string LocalCluster::conninfo(const std::string& dbname, const std::string& role) const {
  return fmt::format("host={} port={} user={} dbname={}", quote_conninfo_value(socket_dir_.string()), kPort,
                     quote_conninfo_value(role), quote_conninfo_value(dbname));
}

}  // namespace cora
