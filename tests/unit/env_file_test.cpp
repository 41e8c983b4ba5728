// .env files, read as dbmate (godotenv) reads them.

#include <doctest/doctest.h>

#include "cora/config/env_file.hpp"
#include "unit/unit_helpers.hpp"

using cora::EnvLookup;
using cora::ExitCode;
using cora::parse_env_text;
using cora::with_env_file;
using cora::test::contains;
using cora::test::error_from;

namespace {

EnvLookup no_environment() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

std::map<std::string, std::string> parse_env(const std::string& text, const EnvLookup& env = no_environment()) {
  return parse_env_text(text, "test.env", env);
}

}  // namespace

TEST_CASE("env file: the forms dbmate reads") {
  const auto values = parse_env(
      "# a comment\n"
      "\n"
      "DATABASE_URL=postgresql://app@db/app\n"
      "export EXPORTED=yes\n"
      "  SPACED  =  trimmed value  \n"
      "INLINE=value # a comment\n"
      "HASH=a#b\n"
      "SINGLE='as $written \\n # kept'\n"
      "DOUBLE=\"line\\nnext \\\"q\\\" # kept\"\n"
      "EMPTY=\n"
      "REF=${DATABASE_URL}?sslmode=require\n"
      "BARE=$EXPORTED!\n"
      "CRLF=x\r\n");
  CHECK(values.at("DATABASE_URL") == "postgresql://app@db/app");
  CHECK(values.at("EXPORTED") == "yes");
  CHECK(values.at("SPACED") == "trimmed value");
  CHECK(values.at("INLINE") == "value");
  CHECK(values.at("HASH") == "a#b");
  CHECK(values.at("SINGLE") == "as $written \\n # kept");
  CHECK(values.at("DOUBLE") == "line\nnext \"q\" # kept");
  CHECK(values.at("EMPTY").empty());
  CHECK(values.at("REF") == "postgresql://app@db/app?sslmode=require");
  CHECK(values.at("BARE") == "yes!");
  CHECK(values.at("CRLF") == "x");
}

TEST_CASE("env file: references prefer the environment; unknown ones are empty") {
  const EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "HOST") return std::string("from-env");
    return std::nullopt;
  };
  const auto values = parse_env("HOST=from-file\nURL=postgresql://${HOST}/x${UNSET}\n", env);
  CHECK(values.at("URL") == "postgresql://from-env/x");
  const auto lookup = with_env_file(env, values);
  CHECK(lookup("HOST") == std::optional<std::string>("from-env"));
  CHECK(lookup("URL") == std::optional<std::string>("postgresql://from-env/x"));
  CHECK_FALSE(lookup("NOWHERE").has_value());
}

TEST_CASE("env file: bad lines name the file and line") {
  for (const auto& [text, message] :
       std::vector<std::pair<std::string, std::string>>{{"A=1\njust words\n", "test.env:2: not KEY=VALUE"},
                                                        {"=value\n", "test.env:1: \"\" is not a variable name"},
                                                        {"1A=x\n", "test.env:1: \"1A\" is not a variable name"},
                                                        {"A=\"open\n", "test.env:1: unterminated double quote"},
                                                        {"A='open\n", "test.env:1: unterminated single quote"},
                                                        {"A='x' y\n", "test.env:1: text after the closing quote"},
                                                        {"A=${B\n", "test.env:1: ${ without }"}}) {
    CAPTURE(text);
    const auto e = error_from([&] { parse_env(text); });
    REQUIRE(e);
    CHECK(e->code() == ExitCode::config);
    CHECK(contains(e->what(), message));
  }
}

TEST_CASE("env file: a bad line that holds a connection string is quoted without its password") {
  // Read as NAME=VALUE, such a line's "name" is the URL up to its first '=': quoted, it held the
  // password, or the part of it before a '='.
  for (const auto& text :
       {std::string("postgres://app:hunter2@db.example.com/app?sslmode=require\n"),
        std::string("postgres://app:hunter2=x@db/app\n"),
        std::string("DATABASE URL postgresql://app:hunter2@db/app?x=1\n"), std::string("DB password=hunter2 x=1\n")}) {
    CAPTURE(text);
    const auto e = error_from([&] { parse_env(text); });
    REQUIRE(e);
    CHECK(e->code() == ExitCode::config);
    CHECK(contains(e->what(), "test.env:1: "));
    CHECK_FALSE(contains(e->what(), "hunter2"));
  }
  const auto url = error_from([&] { parse_env("postgres://app:hunter2@db/app?sslmode=require\n"); });
  REQUIRE(url);
  CHECK(contains(url->what(), "test.env:1: a URL where a variable name belongs (write NAME=URL)"));
}
