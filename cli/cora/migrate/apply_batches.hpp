#pragma once
// How a run's pending files are grouped into pipelines: consecutive transactional files share
// one (up to a size bound), a transaction=false file always runs on its own.

#include <cstddef>
#include <vector>

#include "cora/config/settings.hpp"
#include "cora/migrations/prepared_migration.hpp"

namespace cora {

struct ApplyBatch {
  std::size_t first = 0;  // index into the run's migrations
  std::size_t count = 0;
  bool transactional = true;
};

// In order, covering every migration once. With `across_files` false, one batch per file.
std::vector<ApplyBatch> group_into_batches(const std::vector<PreparedMigration>& migrations,
                                           const PipelineSettings& settings);

}  // namespace cora
