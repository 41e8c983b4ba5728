#include "cora/config/env_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "cora/error.hpp"
#include "cora/util/blank.hpp"
#include "cora/util/redact.hpp"
#include "cora/util/url_shape.hpp"

namespace cora {

namespace {

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-'; }

std::string trim(const std::string& s) {
  std::size_t begin = 0;
  std::size_t end = s.size();
  while (begin < end && is_blank(s[begin])) ++begin;
  while (end > begin && is_blank(s[end - 1])) --end;
  return s.substr(begin, end - begin);
}

class EnvFileParser {
 public:
  EnvFileParser(std::string file_name, const EnvLookup& env) : file_name_(std::move(file_name)), env_(env) {}

  void line(std::string text, int number) {
    line_ = number;
    text = trim(text);
    if (text.empty() || text.front() == '#') return;
    if (text.rfind("export ", 0) == 0) text = trim(text.substr(7));
    const auto eq = text.find('=');
    if (eq == std::string::npos) fail("not KEY=VALUE");
    const std::string key = trim(text.substr(0, eq));
    if (key.empty() || !is_name_start(key.front()) ||
        !std::all_of(key.begin(), key.end(), [](char c) { return is_name_char(c); })) {
      // A URL here is a connection string whose line lacks NAME=: part of it may be a password
      // (one cut at a '=' in it, which the redactor would not know for one).
      if (looks_like_url(key)) fail("a URL where a variable name belongs (write NAME=URL)");
      fail(fmt::format("\"{}\" is not a variable name", key));
    }
    values_[key] = value(trim(text.substr(eq + 1)));
  }

  std::map<std::string, std::string> take() { return std::move(values_); }

 private:
  // A line that failed to parse may be a connection string written where a name belongs
  // ("postgres://app:pw@host/db?sslmode=require" reads as the name "postgres://app:pw@...?sslmode"):
  // what the message quotes of it goes through the redactor, on stderr and in JSON alike.
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(ExitCode::config, redact_passwords(what),
                "write KEY=VALUE, 'single quoted' or \"double quoted\" values, # comments")
        .at({file_name_, line_});
  }

  std::string value(const std::string& raw) {
    if (raw.empty()) return raw;
    const char quote = raw.front();
    if (quote == '\'' || quote == '"') {
      const auto close = closing_quote(raw, quote);
      const std::string rest = trim(raw.substr(close + 1));
      if (!rest.empty() && rest.front() != '#') fail("text after the closing quote");
      const std::string inner = raw.substr(1, close - 1);
      return quote == '\'' ? inner : expand(unescape(inner));
    }
    // Unquoted: a # after a blank starts a comment.
    std::string v = raw;
    for (std::size_t i = 1; i < v.size(); ++i) {
      if (v[i] == '#' && is_blank(v[i - 1])) {
        v = trim(v.substr(0, i));
        break;
      }
    }
    return expand(v);
  }

  std::size_t closing_quote(const std::string& raw, char quote) const {
    for (std::size_t i = 1; i < raw.size(); ++i) {
      if (quote == '"' && raw[i] == '\\') {
        ++i;
        continue;
      }
      if (raw[i] == quote) return i;
    }
    fail(fmt::format("unterminated {} quote", quote == '"' ? "double" : "single"));
  }

  static std::string unescape(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '\\' || i + 1 == s.size()) {
        out += s[i];
        continue;
      }
      const char c = s[++i];
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
    }
    return out;
  }

  // ${NAME} and $NAME: the environment first (it wins over the file), then earlier lines.
  std::string lookup(const std::string& name) const {
    if (const auto v = env_(name)) return *v;
    const auto it = values_.find(name);
    return it == values_.end() ? "" : it->second;
  }

  std::string expand(const std::string& s) const {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '$' || i + 1 == s.size()) {
        out += s[i];
        continue;
      }
      if (s[i + 1] == '{') {
        const auto close = s.find('}', i + 2);
        if (close == std::string::npos) fail("${ without }");
        out += lookup(s.substr(i + 2, close - i - 2));
        i = close;
      } else if (is_name_start(s[i + 1])) {
        std::size_t end = i + 1;
        while (end < s.size() && (is_name_start(s[end]) || (s[end] >= '0' && s[end] <= '9'))) ++end;
        out += lookup(s.substr(i + 1, end - i - 1));
        i = end - 1;
      } else {
        out += s[i];
      }
    }
    return out;
  }

  std::string file_name_;
  const EnvLookup& env_;
  int line_ = 0;
  std::map<std::string, std::string> values_;
};

}  // namespace

std::map<std::string, std::string> parse_env_text(const std::string& text, const std::string& file_name,
                                                  const EnvLookup& env) {
  EnvFileParser parser(file_name, env);
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) parser.line(line, number);
  return parser.take();
}

std::map<std::string, std::string> read_env_file(const std::filesystem::path& file, const EnvLookup& env) {
  std::ifstream in(file, std::ios::binary);
  std::error_code ec;
  if (!in || std::filesystem::is_directory(file, ec)) {
    throw Error(ExitCode::config, "env file cannot be read", "fix --env-file or env_file in cora-migrate.toml")
        .at({file.string()});
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_env_text(text.str(), file.string(), env);
}

EnvLookup with_env_file(EnvLookup env, std::map<std::string, std::string> file_values) {
  return
      [env = std::move(env), values = std::move(file_values)](const std::string& name) -> std::optional<std::string> {
        if (auto v = env(name)) return v;
        const auto it = values.find(name);
        if (it == values.end()) return std::nullopt;
        return it->second;
      };
}

}  // namespace cora
