#include "cora/migrate/apply_batches.hpp"

namespace cora {

std::vector<ApplyBatch> group_into_batches(const std::vector<PreparedMigration>& migrations,
                                           const PipelineSettings& settings) {
  std::vector<ApplyBatch> batches;
  std::size_t batch_bytes = 0;
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    const bool transactional = migrations[i].directives.transaction;
    const std::size_t bytes = migrations[i].file->content.size();
    const bool joins = settings.across_files && transactional && !batches.empty() && batches.back().transactional &&
                       batch_bytes + bytes <= settings.max_bytes;
    if (joins) {
      ++batches.back().count;
      batch_bytes += bytes;
    } else {
      batches.push_back({i, 1, transactional});
      batch_bytes = bytes;
    }
  }
  return batches;
}

}  // namespace cora
