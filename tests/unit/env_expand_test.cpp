#include <doctest/doctest.h>

#include <stdlib.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "cora/config/env_expand.hpp"

using cora::EnvLookup;
using cora::expand_variables;

namespace {

// An environment made of `vars`, recording every name it is asked for.
struct FakeEnvironment {
  std::map<std::string, std::string> vars;
  std::vector<std::string> asked;

  EnvLookup lookup() {
    return [this](const std::string& name) -> std::optional<std::string> {
      asked.push_back(name);
      const auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  }
};

// The message of the std::invalid_argument thrown by expanding `text`, or "" if none was thrown.
std::string expansion_error(const std::string& text, const EnvLookup& lookup) {
  try {
    expand_variables(text, lookup);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("expand_variables: substitution") {
  FakeEnvironment env{{{"USER", "alice"}, {"PGPASSWORD", "s3cret"}, {"HOST", "db.internal"}, {"EMPTY", ""}}, {}};

  SUBCASE("text without variables is unchanged and looks nothing up") {
    CHECK(expand_variables("postgresql://localhost/app", env.lookup()) == "postgresql://localhost/app");
    CHECK(env.asked.empty());
  }
  SUBCASE("one variable") {
    CHECK(expand_variables("host=${HOST}", env.lookup()) == "host=db.internal");
    CHECK(env.asked == std::vector<std::string>{"HOST"});
  }
  SUBCASE("several variables, including adjacent ones") {
    CHECK(expand_variables("postgresql://${USER}:${PGPASSWORD}@${HOST}/app", env.lookup()) ==
          "postgresql://alice:s3cret@db.internal/app");
    CHECK(expand_variables("${USER}${HOST}", env.lookup()) == "alicedb.internal");
  }
  SUBCASE("a variable set to the empty string expands to nothing") {
    CHECK(expand_variables("a${EMPTY}b", env.lookup()) == "ab");
  }
  SUBCASE("the whole text may be one variable") { CHECK(expand_variables("${HOST}", env.lookup()) == "db.internal"); }
  SUBCASE("values are not expanded again") {
    FakeEnvironment tricky{{{"A", "${B}"}, {"B", "never"}}, {}};
    CHECK(expand_variables("${A}", tricky.lookup()) == "${B}");
    CHECK(tricky.asked == std::vector<std::string>{"A"});
  }
}

TEST_CASE("expand_variables: dollar signs") {
  FakeEnvironment env{{{"X", "value"}}, {}};
  SUBCASE("$$ stands for one $") { CHECK(expand_variables("pa$$word", env.lookup()) == "pa$word"); }
  SUBCASE("$${X} is a literal ${X}, not a lookup") {
    CHECK(expand_variables("$${X}", env.lookup()) == "${X}");
    CHECK(env.asked.empty());
  }
  SUBCASE("$$$${X} is two dollars and then literal text") {
    CHECK(expand_variables("$$$${X}", env.lookup()) == "$${X}");
  }
  SUBCASE("$$ then ${X} expands the variable") { CHECK(expand_variables("$$${X}", env.lookup()) == "$value"); }
  SUBCASE("a lone $ not followed by { is kept") {
    CHECK(expand_variables("a$b", env.lookup()) == "a$b");
    CHECK(expand_variables("cost: 5$", env.lookup()) == "cost: 5$");
    CHECK(expand_variables("$X", env.lookup()) == "$X");
  }
}

TEST_CASE("expand_variables: errors") {
  FakeEnvironment env{{{"SET", "1"}}, {}};
  SUBCASE("an unset variable is named in the message") {
    const auto message = expansion_error("postgresql://${DB_PASSWORD}@h/db", env.lookup());
    CHECK(message.find("${DB_PASSWORD}") != std::string::npos);
    CHECK(message.find("not set") != std::string::npos);
  }
  SUBCASE("an unset variable after a set one still fails") {
    CHECK(expansion_error("${SET}${UNSET}", env.lookup()).find("UNSET") != std::string::npos);
  }
  SUBCASE("an unclosed ${ is rejected") {
    CHECK(expansion_error("postgresql://${USER@h", env.lookup()).find("unclosed") != std::string::npos);
    CHECK(expansion_error("${", env.lookup()).find("unclosed") != std::string::npos);
  }
  SUBCASE("an empty ${} is rejected") {
    CHECK(expansion_error("a${}b", env.lookup()).find("empty") != std::string::npos);
  }
  SUBCASE("errors are std::invalid_argument") {
    CHECK_THROWS_AS(expand_variables("${NOPE}", env.lookup()), std::invalid_argument);
  }
}

TEST_CASE("process_environment: reads the real environment") {
  const std::string name = "CORA_ENV_EXPAND_TEST_VARIABLE";
  REQUIRE(::setenv(name.c_str(), "from the process", 1) == 0);
  const auto env = cora::process_environment();
  SUBCASE("a set variable") { CHECK(env(name) == std::optional<std::string>("from the process")); }
  SUBCASE("used by expand_variables") { CHECK(expand_variables("<${" + name + "}>", env) == "<from the process>"); }
  SUBCASE("an unset variable is nullopt, not an empty string") {
    REQUIRE(::unsetenv(name.c_str()) == 0);
    CHECK_FALSE(env(name).has_value());
  }
  ::unsetenv(name.c_str());
}
