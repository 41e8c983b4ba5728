#include "cora/db/redact_conninfo.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include "cora/db/conninfo.hpp"
#include "cora/db/conninfo_check.hpp"
#include "cora/util/redact.hpp"

namespace cora {

namespace {

// URL form, keeping the user's URL: as libpq reads it, user info runs to the first '@' before
// any '/', and the password is what follows its first ':'; query parameters that decode to a
// secret option name get their value replaced. Only for URLs find_conninfo_mistake accepts,
// whose password holds no raw '@' or '/'.
std::string redact_url(std::string url, const std::vector<std::string>& secret_keywords) {
  const auto scheme_end = url.find("://") + 3;
  const auto stop = url.find_first_of("@/", scheme_end);
  if (stop != std::string::npos && url[stop] == '@') {
    const auto colon = url.find(':', scheme_end);
    if (colon != std::string::npos && colon < stop) url.replace(colon + 1, stop - colon - 1, "***");
  }
  const auto path = url.find('/', scheme_end);
  const auto query = url.find('?', path == std::string::npos ? scheme_end : path);
  if (query == std::string::npos) return url;
  std::string out = url.substr(0, query + 1);
  std::size_t start = query + 1;
  while (start <= url.size()) {
    const auto amp = url.find('&', start);
    std::string pair = url.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    const auto eq = pair.find('=');
    const std::string key = percent_decode(pair.substr(0, eq));
    if (eq != std::string::npos &&
        std::find(secret_keywords.begin(), secret_keywords.end(), key) != secret_keywords.end()) {
      pair = pair.substr(0, eq + 1) + "***";
    }
    out += pair;
    if (amp == std::string::npos) break;
    out += '&';
    start = amp + 1;
  }
  return out;
}

}  // namespace

std::string redact_conninfo(const std::string& conninfo) {
  if (find_conninfo_mistake(conninfo)) return "<mistyped connection string>";
  const auto options = parse_conninfo(conninfo);
  if (!options) return "<unparseable connection string>";
  std::vector<std::string> secret_keywords;
  std::vector<std::string> secret_values;
  std::string key_value;
  for (const auto& o : *options) {
    if (o.secret) secret_keywords.push_back(o.keyword);
    if (!o.value) continue;
    if (o.secret && !o.value->empty()) secret_values.push_back(*o.value);
    if (!key_value.empty()) key_value.push_back(' ');
    key_value += o.keyword + "=" + (o.secret ? "***" : quote_conninfo_value(*o.value));
  }
  if (!is_libpq_url(conninfo)) return key_value;
  const std::string url = redact_url(conninfo, secret_keywords);
  // Should the URL still show a secret in some spelling we did not foresee, show the parsed form.
  for (const auto& value : secret_values) {
    if (url.find(value) != std::string::npos) return key_value;
  }
  return url;
}

}  // namespace cora
