#pragma once
// The embedded default: a throwaway PostgreSQL 15 cluster that cora-migrate creates and runs
// itself, reachable only through a Unix socket, with a Supabase compatibility layer (roles,
// the auth schema) in every database.

#include <filesystem>
#include <optional>
#include <string>

#include "cora/local/cluster_folder.hpp"
#include "cora/util/process.hpp"

namespace cora {

class LocalCluster {
 public:
  // `data_root` holds the cluster (data/, postgres.log, run/). When we run as root and the
  // `postgres` user cannot write there, the cluster lives under /var/tmp/cora-migrate instead.
  LocalCluster(std::filesystem::path data_root, std::filesystem::path pg_bin_dir);

  bool initialized() const;
  bool running() const;

  // Creates the cluster if needed and starts it if stopped; safe when several processes call
  // it at once. Its folders are private to the user the server runs as (socket folder mode
  // 0700, socket 0700, trust on the socket only). A data_dir that is a link, holds other files
  // or may be written to by others is refused. Throws cora::Error (local_cluster).
  void ensure_running();
  void stop();
  // Stops the cluster and deletes the files it made (the folder too, when cora-migrate made it);
  // refuses (Error, local_cluster) a folder that holds no cluster of ours.
  void destroy();

  // 16 hex digits of the Supabase compatibility layer's SHA-256: what a database built here
  // depends on besides the files applied to it.
  static std::string compatibility_layer_version();

  // The role migrations, --scratch, diff's builds and `psql` run as: Supabase's `postgres`,
  // without SUPERUSER (see supabase_compat.sql).
  static constexpr const char* kMigrationRole = "postgres";
  // The cluster's bootstrap superuser, as on Supabase: it applies the compatibility layer.
  static constexpr const char* kSuperuser = "supabase_admin";

  // Copies the schema of database `from` of this cluster, without its rows, into `to` (made
  // empty from template0), as the superuser: pg_dump --schema-only, then psql stopping at the first
  // error. Returns "" when it did, else why not (the tool's last lines).
  std::string copy_schema(const std::string& from, const std::string& to) const;

  // A libpq connection string for `dbname` on this cluster, as `role`.
  std::string conninfo(const std::string& dbname = "postgres", const std::string& role = kMigrationRole) const;

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path data_dir() const { return root_ / "data"; }
  std::filesystem::path log_file() const { return root_ / "postgres.log"; }
  const std::filesystem::path& socket_dir() const { return socket_dir_; }
  // Set when the cluster was relocated because the postgres user cannot reach `data_root`.
  const std::optional<std::filesystem::path>& requested_root() const { return requested_root_; }

 private:
  void create();
  void start();
  void apply_compatibility_layer() const;
  ClusterFolder folder() const;
  // Makes root_ (or takes an empty folder given as data_dir) safely; refuses anyone else's.
  void claim_root() const;
  void prepare_log_file() const;
  ProcessResult run_tool(const std::string& tool, std::vector<std::string> args) const;
  [[noreturn]] void fail(const std::string& what, const ProcessResult& result) const;

  std::filesystem::path root_;
  std::filesystem::path bin_dir_;
  std::filesystem::path socket_dir_;
  std::optional<std::filesystem::path> requested_root_;
  std::optional<SystemUser> run_as_;  // the postgres user, when we are root
  SystemUser owner_;                  // who the server runs as: run_as_, or we
};

}  // namespace cora
