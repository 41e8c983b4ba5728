// `cora-migrate local start|stop|reset|status`: the embedded PostgreSQL cluster.

#include <fmt/format.h>

#include <cstdio>

#include "commands/command.hpp"
#include "commands/database_target.hpp"
#include "commands/json_document.hpp"
#include "cora/error.hpp"
#include "cora/local/local_cluster.hpp"

namespace cora::cli {

namespace {

void print_location(const LocalCluster& cluster) {
  std::fprintf(stdout, "folder:     %s\n", cluster.root().string().c_str());
  if (cluster.requested_root()) {
    std::fprintf(stdout, "            (moved from %s, which the postgres user cannot reach)\n",
                 cluster.requested_root()->string().c_str());
  }
  std::fprintf(stdout, "log:        %s\n", cluster.log_file().string().c_str());
  std::fprintf(stdout, "connect:    psql \"%s\"\n", cluster.conninfo().c_str());
}

class LocalCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sub = app.add_subcommand("local", "Manage the embedded PostgreSQL used when no database URL is configured");
    sub->require_subcommand(1);
    start_ = sub->add_subcommand("start", "Create the local cluster if needed and start it");
    stop_ = sub->add_subcommand("stop", "Stop the local cluster (its data stays)");
    reset_ = sub->add_subcommand("reset", "Delete the local cluster and create a fresh one");
    status_ = sub->add_subcommand("status", "Show whether the local cluster exists and runs, and how to connect");
    status_->add_option("--format", format_, "human or json")->check(CLI::IsMember({"human", "json"}));
    return sub;
  }

  int run(const GlobalOptions& global) override {
    const auto settings = resolve_settings(global.settings, process_environment());
    if (start_->parsed() || reset_->parsed()) refuse_cluster_outside_project(settings);
    LocalCluster cluster(settings.local.data_dir, settings.local.pg_bin_dir);
    if (start_->parsed()) {
      cluster.ensure_running();
      std::fprintf(stdout, "local cluster running\n");
      print_location(cluster);
    } else if (stop_->parsed()) {
      cluster.stop();
      std::fprintf(stdout, "local cluster stopped\n");
    } else if (reset_->parsed()) {
      cluster.destroy();
      cluster.ensure_running();
      std::fprintf(stdout, "local cluster reset: empty apart from the Supabase compatibility layer\n");
      print_location(cluster);
    } else {
      const char* state = !cluster.initialized() ? "not created" : cluster.running() ? "running" : "stopped";
      if (format_ == "json") {
        print_status_json(cluster, state);
        return to_int(ExitCode::ok);
      }
      std::fprintf(stdout, "state:      %s\n", state);
      print_location(cluster);
    }
    return to_int(ExitCode::ok);
  }

 private:
  // "database" is the cluster's conninfo (local socket, no password): what `psql` would connect to.
  static void print_status_json(const LocalCluster& cluster, const char* state) {
    auto doc = command_document("local status", cluster.conninfo());
    doc["state"] = state;
    doc["folder"] = cluster.root().string();
    doc["requested_folder"] =
        cluster.requested_root() ? nlohmann::json(cluster.requested_root()->string()) : nlohmann::json(nullptr);
    doc["log"] = cluster.log_file().string();
    print_json_document(doc);
  }

  std::string format_ = "human";
  CLI::App* start_ = nullptr;
  CLI::App* stop_ = nullptr;
  CLI::App* reset_ = nullptr;
  CLI::App* status_ = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_local_command() { return std::make_unique<LocalCommand>(); }

}  // namespace cora::cli
