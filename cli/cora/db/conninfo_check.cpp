#include "cora/db/conninfo_check.hpp"

#include <fmt/format.h>

#include <string_view>

#include "cora/db/conninfo.hpp"
#include "cora/error.hpp"
#include "cora/util/url_shape.hpp"

namespace cora {

namespace {

constexpr std::string_view kBlanks = " \t\r\n\f\v";

// A key=value string starts with a keyword, which has no ':', '/' or '@'; a bare database
// name has none either. Anything else is a URL, however mistyped.
bool starts_like_url(std::string_view text) {
  const auto word = text.substr(0, text.find_first_of("= \t\r\n\f\v"));
  return word.find_first_of(":/@") != std::string_view::npos;
}

// libpq's user info runs to the first '@' before any '/'; an '@' after it and before the
// query belongs to a password libpq did not read as one (a raw '@' or '/' in it).
bool has_stray_at(std::string_view url) {
  auto rest = url.substr(url.find("://") + 3);
  const auto end = rest.find_first_of("@/");
  if (end != std::string_view::npos && rest[end] == '@') rest = rest.substr(end + 1);
  return rest.substr(0, rest.find('?')).find('@') != std::string_view::npos;
}

ConninfoMistake not_a_postgresql_url(std::string_view url) {
  const auto scheme = leading_scheme(url);
  if (scheme.empty()) {
    return {
        "it looks like a URL but does not start with postgresql://, so libpq would take all of it as a "
        "database name",
        "write it as postgresql://user:password@host:5432/dbname or as key=value pairs"};
  }
  std::size_t slashes = 0;
  while (scheme.size() + 1 + slashes < url.size() && url[scheme.size() + 1 + slashes] == '/') ++slashes;
  const std::string written = fmt::format("{}:{}", scheme, std::string(slashes, '/'));
  if (scheme == "postgresql" || scheme == "postgres") {
    return {fmt::format("a {} URL is not a PostgreSQL connection string", written),
            fmt::format("write two slashes: {}://user:password@host:5432/dbname", scheme)};
  }
  return {fmt::format("a {} URL is not a PostgreSQL connection string", written),
          "write it as postgresql://user@host:5432/dbname (lower case) or as key=value pairs"};
}

}  // namespace

std::optional<ConninfoMistake> find_conninfo_mistake(const std::string& conninfo) {
  const std::string_view text = conninfo;
  const auto first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return std::nullopt;  // empty: everything from PG* variables
  if (starts_like_url(text.substr(first))) {
    if (first > 0) {
      return ConninfoMistake{
          "the connection string starts with a blank, so libpq would take all of it as a "
          "database name",
          "remove what stands before postgresql://"};
    }
    if (!is_libpq_url(text)) return not_a_postgresql_url(text);
    if (has_stray_at(text)) {
      return ConninfoMistake{
          "an @ in the URL is not the one that ends user:password, so libpq would read part "
          "of the password as the host or database name",
          "percent-encode @ as %40 and / as %2F in the user name and password"};
    }
  }
  // What libpq cannot parse it reports itself, before connecting.
  const auto options = parse_conninfo(conninfo);
  if (!options) return std::nullopt;
  for (const auto& option : *options) {
    if (option.secret || !option.value || !looks_like_url(*option.value)) continue;
    return ConninfoMistake{fmt::format("the {} value is itself a URL, which libpq would send as it is", option.keyword),
                           fmt::format("give the URL on its own, not as {}=...", option.keyword)};
  }
  return std::nullopt;
}

void refuse_mistyped_conninfo(const std::string& conninfo, const std::string& origin) {
  if (auto mistake = find_conninfo_mistake(conninfo)) {
    throw Error(ExitCode::connection, fmt::format("{}: {}", origin, mistake->what), mistake->hint);
  }
}

}  // namespace cora
