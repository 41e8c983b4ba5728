#include "util/redact.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>
#include <vector>
#include <string_view>

namespace cora {

namespace {
bool looks_like_url(std::string_view s) {
  return s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// URL form, keeping the user's URL: as libpq reads it, user info runs to the first '@' before
// any '/', and the password is what follows its first ':'; query parameters that decode to a
// secret option name get their value replaced.
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
  // libpq marks every secret option (password, sslpassword, ...) with dispchar '*'.
  std::vector<std::string> secret_keywords;
  std::vector<std::string> secret_values;
  std::string key_value;
  for (const PQconninfoOption* o = options.get(); o->keyword; ++o) {
    const bool secret = o->dispchar && std::string_view(o->dispchar) == "*";
    if (secret) secret_keywords.emplace_back(o->keyword);
    if (!o->val) continue;
    if (secret && *o->val) secret_values.emplace_back(o->val);
    if (!key_value.empty()) key_value.push_back(' ');
    key_value += o->keyword;
    key_value += '=';
    key_value += secret ? "***" : quote_value(o->val);
  }
  if (!looks_like_url(conninfo)) return key_value;
  const std::string url = redact_url(conninfo, secret_keywords);
  // Should the URL still show a secret in some spelling we did not foresee, show the parsed form.
  for (const auto& value : secret_values) {
    if (url.find(value) != std::string::npos) return key_value;
  }
  return url;
}

std::string redact_secret(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
    text.replace(pos, secret.size(), "***");
  }
  return text;
}

namespace {

// Where a password may be written in `conninfo`, parseable or not: a URL's user info (up to each
// '@', since a raw '@' in a password is a common mistake) and password parameters, and the value
// of a password keyword in key=value form; raw and percent-decoded.
std::vector<std::string> password_candidates(const std::string& conninfo) {
  std::vector<std::string> out;
  const auto scheme = conninfo.find("://");
  if (scheme != std::string::npos) {
    const auto start = scheme + 3;
    const auto colon = conninfo.find(':', start);
    for (auto at = conninfo.find('@', start); colon != std::string::npos && at != std::string::npos;
         at = conninfo.find('@', at + 1)) {
      if (at > colon + 1) out.push_back(conninfo.substr(colon + 1, at - colon - 1));
    }
  }
  for (const char* keyword : {"password", "sslpassword"}) {
    const std::string key = keyword;
    for (auto pos = conninfo.find(key); pos != std::string::npos; pos = conninfo.find(key, pos + 1)) {
      auto i = pos + key.size();
      while (i < conninfo.size() && conninfo[i] == ' ') ++i;
      if (i >= conninfo.size() || conninfo[i] != '=') continue;
      ++i;
      while (i < conninfo.size() && conninfo[i] == ' ') ++i;
      std::string value;
      if (i < conninfo.size() && conninfo[i] == '\'') {
        std::string unquoted;
        for (++i; i < conninfo.size() && conninfo[i] != '\''; ++i) {
          if (conninfo[i] == '\\' && i + 1 < conninfo.size()) ++i;
          unquoted.push_back(conninfo[i]);
        }
        out.push_back(unquoted);
      } else {
        const auto end = conninfo.find_first_of(" &", i);
        out.push_back(conninfo.substr(i, end == std::string::npos ? std::string::npos : end - i));
      }
    }
  }
  const std::size_t raw = out.size();
  for (std::size_t k = 0; k < raw; ++k) out.push_back(percent_decode(out[k]));
  return out;
}

}  // namespace

std::string redact_connection_error(std::string message, const std::string& conninfo, const std::string& password) {
  auto secrets = password_candidates(conninfo);
  secrets.push_back(password);
  // Longer first, so that a secret containing a shorter one is hidden whole.
  std::sort(secrets.begin(), secrets.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& secret : secrets) message = redact_secret(std::move(message), secret);
  return message;
}

}  // namespace cora
