#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace cora {

// Parses a duration written as PostgreSQL accepts it for timeouts: a decimal number, optionally
// with a fraction, blanks and one of the units us, ms, s, min, h, d ("5" is 5 ms, "1.5s",
// "1 min", "250ms"), rounded to whole milliseconds. Returns nullopt for anything else, for
// negative values and for more than INT_MAX ms. (PostgreSQL also reads 0x1F and 017 as hex and
// octal; here they are refused or read as decimal.)
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// The duration as a PostgreSQL setting value, e.g. "10000ms"; "0" means no limit.
std::string to_setting_value(std::chrono::milliseconds duration);

}  // namespace cora
