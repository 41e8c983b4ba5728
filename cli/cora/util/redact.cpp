#include "cora/util/redact.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

#include "cora/util/url_shape.hpp"

namespace cora {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string lower_case(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The values written after each "password" keyword (which also finds sslpassword), in any
// case, as libpq's key=value form quotes them ('...' with backslash escapes), as people
// mistakenly quote them ("..."), or bare up to a blank or a URL's '&'.
void add_keyword_passwords(const std::string& conninfo, std::vector<std::string>& out) {
  const std::string lower = lower_case(conninfo);
  const std::string key = "password";
  for (auto pos = lower.find(key); pos != std::string::npos; pos = lower.find(key, pos + 1)) {
    auto i = pos + key.size();
    while (i < conninfo.size() && conninfo[i] == ' ') ++i;
    if (i >= conninfo.size() || conninfo[i] != '=') continue;
    ++i;
    while (i < conninfo.size() && conninfo[i] == ' ') ++i;
    if (i < conninfo.size() && (conninfo[i] == '\'' || conninfo[i] == '"')) {
      const char quote = conninfo[i];
      std::string unquoted;
      for (++i; i < conninfo.size() && conninfo[i] != quote; ++i) {
        if (quote == '\'' && conninfo[i] == '\\' && i + 1 < conninfo.size()) ++i;
        unquoted.push_back(conninfo[i]);
      }
      out.push_back(unquoted);
    } else {
      const auto end = conninfo.find_first_of(" &", i);
      out.push_back(conninfo.substr(i, end == std::string::npos ? std::string::npos : end - i));
    }
  }
}

// Where a password may be written in `conninfo`, parseable or not: the user info of every
// URL-shaped part and the values of password keywords; raw and percent-decoded.
std::vector<std::string> password_candidates(const std::string& conninfo) {
  std::vector<std::string> out = userinfo_passwords(conninfo);
  add_keyword_passwords(conninfo, out);
  const std::size_t raw = out.size();
  for (std::size_t k = 0; k < raw; ++k) out.push_back(percent_decode(out[k]));
  return out;
}

}  // namespace

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

std::string redact_secret(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
    text.replace(pos, secret.size(), "***");
  }
  return text;
}

std::string redact_connection_error(std::string message, const std::string& conninfo, const std::string& password) {
  auto secrets = password_candidates(conninfo);
  secrets.push_back(password);
  // Longer first, so that a secret containing a shorter one is hidden whole.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& secret : secrets) message = redact_secret(std::move(message), secret);
  return message;
}

std::string redact_passwords(const std::string& text) { return redact_connection_error(text, text, ""); }

}  // namespace cora
