// libFuzzer: check files in checks/ (parse_check_text).

#include <cstddef>
#include <cstdint>
#include <string>

#include "cora/error.hpp"
#include "fuzz_support.hpp"
#include "cora/checks/check_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cora::fuzz::require;
  const std::string text = cora::fuzz::text_of(data, size);
  cora::CheckSet checks;
  try {
    cora::parse_check_text(text, "checks/fuzz.toml", checks);
    for (const auto& t : checks.tables)
      require(!t.table.empty() && t.origin.file == "checks/fuzz.toml", "a named table check");
    for (const auto& p : checks.probes) require(!p.sql.empty() && !p.role.empty(), "a probe has SQL and a role");
  } catch (const cora::Error& e) {
    // Every mistake is a configuration error (exit 3) that names the file.
    require(e.code() == cora::ExitCode::config, "exit code 3");
    require(cora::fuzz::contains(e.what(), "checks/fuzz.toml"), "the error names the file");
  }
  return 0;
}
