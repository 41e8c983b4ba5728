#include "util/redact.hpp"

#include <libpq-fe.h>

#include <memory>
#include <string_view>

namespace cora {

namespace {
bool looks_like_url(std::string_view s) {
  return s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0;
}

// URL form: drop whatever sits between "user:" and "@" in the authority, and any
// password= query parameter, keeping the rest as the user wrote it.
std::string redact_url(std::string url) {
  const auto scheme_end = url.find("://") + 3;
  const auto authority_end = url.find_first_of("/?#", scheme_end);
  const auto at = url.rfind('@', authority_end == std::string::npos ? url.size() : authority_end);
  if (at != std::string::npos && at > scheme_end) {
    const auto colon = url.find(':', scheme_end);
    if (colon != std::string::npos && colon < at) url.replace(colon + 1, at - colon - 1, "***");
  }
  for (std::size_t pos = url.find("password=");
       pos != std::string::npos; pos = url.find("password=", pos + 1)) {
    if (pos == 0 || (url[pos - 1] != '?' && url[pos - 1] != '&')) continue;
    const auto value_start = pos + 9;
    const auto value_end = url.find('&', value_start);
    url.replace(value_start, (value_end == std::string::npos ? url.size() : value_end) - value_start,
                "***");
  }
  return url;
}

std::string quote_value(const char* value) {
  std::string out = "'";
  for (const char* p = value; *p; ++p) {
    if (*p == '\'' || *p == '\\') out.push_back('\\');
    out.push_back(*p);
  }
  return out + "'";
}
}  // namespace

std::string redact_conninfo(const std::string& conninfo) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(conninfo.c_str(), &error), &PQconninfoFree);
  if (error) PQfreemem(error);
  if (!options) return "<unparseable connection string>";
  if (looks_like_url(conninfo)) return redact_url(conninfo);
  std::string out;
  for (const PQconninfoOption* o = options.get(); o->keyword; ++o) {
    if (!o->val) continue;
    if (!out.empty()) out.push_back(' ');
    out += o->keyword;
    out += '=';
    out += std::string_view(o->keyword) == "password" ? "***" : quote_value(o->val);
  }
  return out;
}

std::string redact_secret(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
    text.replace(pos, secret.size(), "***");
  }
  return text;
}

}  // namespace cora
