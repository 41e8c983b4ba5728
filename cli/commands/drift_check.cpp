#include "commands/drift_check.hpp"

#include "cora/local/local_cluster.hpp"

namespace cora::cli {

DriftReport check_drift(Connection& target, const std::vector<MigrationFile>& files, const Settings& settings,
                        bool prove_fix, bool fix_for_migration) {
  LocalCluster cluster(settings.local.data_dir, settings.local.pg_bin_dir);
  DriftOptions options{settings.verify_schemas, settings.diff_ignore, settings.history_table,
                       settings.timeouts,       settings.target_kind, prove_fix,
                       fix_for_migration};
  return find_drift(target, cluster, files, options);
}

}  // namespace cora::cli
