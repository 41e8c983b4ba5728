// libFuzzer: cora-migrate.toml (parse_config_text), with and without --env.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "cora/config/settings.hpp"
#include "cora/error.hpp"
#include "fuzz_support.hpp"

namespace {

void parse(const std::string& text, const std::optional<std::string>& environment) {
  using cora::fuzz::require;
  const cora::EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "DB_PASSWORD") return "s3cret";
    if (name == "EMPTY") return "";
    return std::nullopt;
  };
  try {
    const auto settings = cora::parse_config_text(text, "cora-migrate.toml", "/base", environment, env);
    require(!settings.history_table.empty(), "a history table");
    require(!settings.verify_schemas.empty(), "at least one schema to verify");
    require(settings.timeouts.lock_wait.count() >= 0 && settings.timeouts.connect.count() >= 0, "no negative timeouts");
  } catch (const cora::Error& e) {
    // Every mistake is a configuration error (exit 3) that names the file.
    require(e.code() == cora::ExitCode::config, "exit code 3");
    require(cora::fuzz::contains(e.what(), "cora-migrate.toml"), "the error names the file");
  }
  // Anything else thrown escapes, and libFuzzer reports it.
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = cora::fuzz::text_of(data, size);
  parse(text, std::nullopt);
  parse(text, std::string("prod"));
  return 0;
}
