#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cora/migrate/apply_batches.hpp"

using cora::ApplyBatch;
using cora::group_into_batches;
using cora::MigrationFile;
using cora::PipelineSettings;
using cora::PreparedMigration;

namespace {

// Files of the given sizes; a negative size marks a transaction=false file of that size.
struct Run {
  std::vector<MigrationFile> files;
  std::vector<PreparedMigration> migrations;

  explicit Run(const std::vector<int>& sizes) {
    files.reserve(sizes.size());
    for (const int size : sizes) {
      MigrationFile f;
      f.content = std::string(static_cast<std::size_t>(size < 0 ? -size : size), 'x');
      files.push_back(f);
    }
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      PreparedMigration m;
      m.file = &files[i];
      m.directives.transaction = sizes[i] >= 0;
      migrations.push_back(m);
    }
  }
};

// "first+count" (with "!" for a transaction=false batch) per batch, comma-separated.
std::string shape(const std::vector<ApplyBatch>& batches) {
  std::string out;
  for (const auto& b : batches) {
    out += (out.empty() ? "" : ",") + std::to_string(b.first) + "+" + std::to_string(b.count) +
           (b.transactional ? "" : "!");
  }
  return out;
}

}  // namespace

TEST_CASE("group_into_batches: consecutive transactional files share a pipeline") {
  const Run run({10, 10, 10, 10});
  CHECK(shape(group_into_batches(run.migrations, PipelineSettings{})) == "0+4");
  CHECK(group_into_batches({}, PipelineSettings{}).empty());
}

TEST_CASE("group_into_batches: a transaction=false file runs alone and splits the run") {
  const Run run({10, 10, -10, 10, 10, -10, -10});
  CHECK(shape(group_into_batches(run.migrations, PipelineSettings{})) == "0+2,2+1!,3+2,5+1!,6+1!");
}

TEST_CASE("group_into_batches: one file per pipeline on request") {
  const Run run({10, 10, 10});
  PipelineSettings settings;
  settings.across_files = false;
  CHECK(shape(group_into_batches(run.migrations, settings)) == "0+1,1+1,2+1");
}

TEST_CASE("group_into_batches: bounded by bytes, a file over the bound alone") {
  const Run run({40, 40, 40, 500, 10, 10});
  PipelineSettings settings;
  settings.max_bytes = 100;
  CHECK(shape(group_into_batches(run.migrations, settings)) == "0+2,2+1,3+1,4+2");
  settings.max_bytes = 80;
  CHECK(shape(group_into_batches(run.migrations, settings)) == "0+2,2+1,3+1,4+2");
  settings.max_bytes = 79;
  CHECK(shape(group_into_batches(run.migrations, settings)) == "0+1,1+1,2+1,3+1,4+2");
}
