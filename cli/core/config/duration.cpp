#include "config/duration.hpp"

#include <charconv>
#include <limits>

namespace cora {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  long long amount = 0;
  const auto* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(text.data(), end, amount);
  if (ec != std::errc() || amount < 0) return std::nullopt;
  const std::string_view unit(rest, static_cast<std::size_t>(end - rest));
  long long factor = 0;
  if (unit == "ms") factor = 1;
  else if (unit == "s") factor = 1000;
  else if (unit == "min") factor = 60'000;
  else if (unit == "h") factor = 3'600'000;
  else if (unit.empty() && amount == 0) factor = 1;
  else return std::nullopt;
  if (amount > std::numeric_limits<int>::max() / factor) return std::nullopt;  // PostgreSQL takes at most INT_MAX ms
  return std::chrono::milliseconds(amount * factor);
}

std::string to_setting_value(std::chrono::milliseconds duration) {
  return duration.count() == 0 ? "0" : std::to_string(duration.count()) + "ms";
}

}  // namespace cora
