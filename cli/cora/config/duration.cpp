#include "cora/config/duration.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace cora {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Milliseconds per unit, as PostgreSQL's time units for a setting whose base unit is ms
// (no unit: milliseconds). Case-sensitive, as in PostgreSQL. 0: not a unit.
double unit_factor(std::string_view unit) {
  if (unit.empty() || unit == "ms") return 1;
  if (unit == "us") return 0.001;
  if (unit == "s") return 1000;
  if (unit == "min") return 60'000;
  if (unit == "h") return 3'600'000;
  if (unit == "d") return 86'400'000;
  return 0;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  text = trimmed(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double amount = 0;
  const auto* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(text.data(), end, amount);
  if (ec != std::errc() || !std::isfinite(amount) || amount < 0) return std::nullopt;
  std::string_view unit(rest, static_cast<std::size_t>(end - rest));
  while (!unit.empty() && is_space(unit.front())) unit.remove_prefix(1);
  const double factor = unit_factor(unit);
  if (factor == 0) return std::nullopt;
  // PostgreSQL rounds to whole milliseconds and takes at most INT_MAX of them.
  const double ms = std::rint(amount * factor);
  if (ms > std::numeric_limits<int>::max()) return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

std::string to_setting_value(std::chrono::milliseconds duration) {
  return duration.count() == 0 ? "0" : std::to_string(duration.count()) + "ms";
}

}  // namespace cora
