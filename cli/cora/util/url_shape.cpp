#include "cora/util/url_shape.hpp"

#include <cctype>

namespace cora {

namespace {
bool is_scheme_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'; }
}  // namespace

std::string_view leading_scheme(std::string_view text) {
  if (text.empty() || !std::isalpha(static_cast<unsigned char>(text[0]))) return {};
  std::size_t i = 1;
  while (i < text.size() && is_scheme_char(text[i])) ++i;
  if (i >= text.size() || text[i] != ':') return {};
  return text.substr(0, i);
}

bool looks_like_url(std::string_view value) {
  if (value.find("://") != std::string_view::npos) return true;
  const auto scheme = leading_scheme(value);
  if (scheme.empty()) return false;
  const auto rest = value.substr(scheme.size() + 1);
  return (!rest.empty() && rest[0] == '/') || rest.find('@') != std::string_view::npos;
}

std::vector<std::string> userinfo_passwords(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i > 0 && is_scheme_char(text[i - 1])) continue;
    const auto scheme = leading_scheme(text.substr(i));
    if (scheme.empty()) continue;
    std::size_t start = i + scheme.size() + 1;
    const std::size_t after_colon = start;
    while (start < text.size() && text[start] == '/') ++start;
    const bool slashes = start > after_colon;
    for (auto at = text.find('@', start); at != std::string_view::npos; at = text.find('@', at + 1)) {
      const auto userinfo = text.substr(start, at - start);
      const auto colon = userinfo.find(':');
      // "scheme://user:password@": the password follows the user's ':'. Without slashes the
      // "scheme" may be the user itself ("app:password@host", the scheme left out).
      if (colon != std::string_view::npos) {
        if (colon + 1 < userinfo.size()) out.emplace_back(userinfo.substr(colon + 1));
      } else if (!slashes && !userinfo.empty()) {
        out.emplace_back(userinfo);
      }
    }
  }
  return out;
}

}  // namespace cora
