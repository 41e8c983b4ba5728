#include "cora/migrations/new_migration.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "cora/error.hpp"
#include "cora/migrations/migration_file.hpp"

namespace cora {

namespace {

constexpr std::size_t kTimestampDigits = 14;  // YYYYMMDDHHMMSS, as the Supabase CLI writes them
constexpr std::size_t kMaxNameLength = 100;

bool allowed_in_name(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// "add-teams" and "add_teams" are one name: the styles differ only in the separator.
std::string comparable(std::string name) {
  std::replace(name.begin(), name.end(), '_', '-');
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

void check_name(const std::string& name) {
  const bool ok = !name.empty() && name.size() <= kMaxNameLength &&
                  std::all_of(name.begin(), name.end(), allowed_in_name) && name.front() != '-' && name.front() != '_';
  if (ok) return;
  throw Error(
      ExitCode::usage,
      fmt::format("new: \"{}\" is not a migration name",
                  name.size() > kMaxNameLength ? name.substr(0, kMaxNameLength) + "..." : name),
      fmt::format("use letters, digits, - and _ (at most {} characters), e.g. `cora-migrate new add-teams`; the "
                  "version and .sql are added for you",
                  kMaxNameLength));
}

std::string utc_timestamp(std::time_t now) {
  std::tm tm{};
  gmtime_r(&now, &tm);
  return fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

// One past `digits` read as a timestamp left-aligned to 14 digits (20260113 is 20260113000000).
std::string after_timestamp(const std::string& digits) {
  std::string padded = digits.substr(0, std::min(digits.size(), kTimestampDigits));
  padded.append(kTimestampDigits - padded.size(), '0');
  return std::to_string(std::stoll(padded) + 1);
}

}  // namespace

std::string next_migration_file_name(const std::vector<std::string>& existing, const std::string& name,
                                     std::time_t now) {
  check_name(name);
  std::optional<ParsedFileName> newest;
  char separator = '-';
  std::size_t width = 3;
  std::int64_t highest_number = 0;
  bool any_number = false;
  for (const auto& file_name : existing) {
    const auto parsed = parse_migration_file_name(file_name);
    if (!parsed) continue;
    if (comparable(parsed->name) == comparable(name)) {
      throw Error(
          ExitCode::usage, fmt::format("new: a migration named {} exists: {}", name, file_name),
          "choose another name; to change what that migration does, edit it (before it is applied) or add a new one");
    }
    if (!newest || compare_versions(parsed->digits, newest->digits) >= 0) {
      newest = parsed;
      separator = file_name[parsed->digits.size()];
    }
    if (parsed->digits.size() < kDateDigits) {
      width = std::max(width, parsed->digits.size());
      highest_number = any_number ? std::max(highest_number, parsed->version) : parsed->version;
      any_number = true;
    }
  }
  std::string digits;
  if (newest && newest->digits.size() >= kDateDigits) {
    digits = utc_timestamp(now);
    if (compare_versions(digits, newest->digits) <= 0) digits = after_timestamp(newest->digits);
  } else {
    digits = fmt::format("{:0{}}", any_number ? highest_number + 1 : 1, width);
  }
  return fmt::format("{}{}{}.sql", digits, separator, name);
}

std::string new_migration_header(const std::string& file_name, std::time_t now) {
  std::tm tm{};
  gmtime_r(&now, &tm);
  const std::string stem = file_name.substr(0, file_name.size() - 4);
  return fmt::format(
      "-- {}: say what this migration changes and why.\n"
      "--\n"
      "-- Created {:04}-{:02}-{:02} {:02}:{:02} UTC by `cora-migrate new`. It runs once, in one\n"
      "-- transaction with its history row. Directives (transaction=false, lock_timeout=5s,\n"
      "-- ignore=RULE reason=\"...\") go in this leading comment block, one per line, after the\n"
      "-- directive prefix (see the README, Migration files).\n"
      "\n",
      stem, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

std::vector<std::string> sql_file_names(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".sql") == 0) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace cora
