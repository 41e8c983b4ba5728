// libFuzzer: migration file names, as found in migrations/ (parse_migration_file_name).

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "cora/migrations/migration_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cora::fuzz::require;
  const std::string file_name = cora::fuzz::text_of(data, size);
  const auto parsed = cora::parse_migration_file_name(file_name);
  if (!parsed) return 0;
  // A name that parses is <digits><- or _><description>.sql: the version is the number the
  // digits spell (at most 18 of them, so it fits), the description the rest, on one line.
  require(file_name.size() > 4 && file_name.compare(file_name.size() - 4, 4, ".sql") == 0, "ends in .sql");
  const auto digits = file_name.find_first_not_of("0123456789");
  require(digits != std::string::npos && digits >= 1 && digits <= 18, "1 to 18 leading digits");
  require(file_name[digits] == '-' || file_name[digits] == '_', "a separator after the digits");
  require(parsed->version >= 0 &&
              std::to_string(parsed->version) == std::to_string(std::stoll(file_name.substr(0, digits))),
          "the version is the leading number");
  require(parsed->name == file_name.substr(digits + 1, file_name.size() - 4 - digits - 1), "the name is the rest");
  require(!parsed->name.empty(), "a non-empty description");
  require(!cora::find_invalid_utf8(parsed->name), "the description is UTF-8");
  for (const char c : parsed->name) {
    require(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F, "no control characters in the description");
  }
  return 0;
}
