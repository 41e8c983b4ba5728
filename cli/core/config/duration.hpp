#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace cora {

// Parses a duration written as PostgreSQL accepts it for timeouts: "0", "250ms", "10s",
// "2min", "1h". Returns nullopt for anything else.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// The duration as a PostgreSQL setting value, e.g. "10000ms"; "0" means no limit.
std::string to_setting_value(std::chrono::milliseconds duration);

}  // namespace cora
