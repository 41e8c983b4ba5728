// Human output as a terminal shows it: wrapped at the terminal's own width (never inside a quoted
// directive), not wrapped at all when piped; colour by --color, NO_COLOR, FORCE_COLOR and TERM.
// `lint` needs no database.

#include <doctest/doctest.h>

#include <sstream>

#include "support/run_cli.hpp"
#include "support/scratch_dir.hpp"

using namespace cora::test;

namespace {

// A file whose one finding has a long message and a help line with a quoted directive.
void write_project(ScratchDir& dir) {
  dir.write("migrations/001-a.sql", "CREATE TABLE t (id int);\n");
  dir.write("migrations/002-b.sql", "CREATE INDEX i ON t (id);\n");
}

// The lines as a terminal shows them: colour codes and carriage returns removed.
std::vector<std::string> screen_lines(const std::string& text) {
  std::string plain;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\033') {
      while (i < text.size() && text[i] != 'm') ++i;
    } else if (text[i] != '\r') {
      plain += text[i];
    }
  }
  std::vector<std::string> lines;
  std::istringstream in(plain);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool has_colour(const std::string& text) { return text.find("\033[") != std::string::npos; }

const char* const kDirective = "\"-- cora-migrate: transaction=false\"";

}  // namespace

TEST_CASE("cora-migrate on a terminal: lines fit its width, whole directives, no wrapping when piped") {
  ScratchDir dir;
  write_project(dir);

  SUBCASE("a narrow terminal") {
    const auto r = run_cli_on_terminal({"lint"}, {dir.path(), {}}, 60);
    CHECK(r.exit_code == 13);
    const auto lines = screen_lines(r.out);
    REQUIRE(lines.size() > 4);
    bool directive_whole = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const auto& line = lines[i];
      CAPTURE(line);
      if (line.find(kDirective) != std::string::npos) directive_whole = true;
      // Only an unbreakable piece may run past the width: the location with the message's first
      // word (the first line), or the quoted directive.
      if (i > 0 && line.size() > 60) CHECK(line.find(kDirective) != std::string::npos);
    }
    CHECK(lines.size() > 5);  // the message itself was wrapped
    CHECK(directive_whole);
  }
  SUBCASE("a wide terminal: no break at 100 columns") {
    const auto r = run_cli_on_terminal({"lint"}, {dir.path(), {}}, 250);
    const auto lines = screen_lines(r.out);
    REQUIRE(!lines.empty());
    CHECK(lines.front().size() > 100);
    CHECK(lines.front().find("without CONCURRENTLY: every INSERT") != std::string::npos);
  }
  SUBCASE("piped: a finding's message on one line, its help on the next") {
    const auto r = run_cli({"lint"}, {dir.path(), {}});
    const auto lines = screen_lines(r.out);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].find("warning[create_index_concurrently]") != std::string::npos);
    CHECK(lines[0].find("until the index is built") != std::string::npos);
    CHECK(lines[1].find(kDirective) != std::string::npos);
  }
}

TEST_CASE("cora-migrate colour: --color, NO_COLOR, FORCE_COLOR, TERM") {
  ScratchDir dir;
  write_project(dir);
  using Env = std::map<std::string, std::optional<std::string>>;
  const Env no_colour_vars{{"NO_COLOR", std::nullopt}, {"FORCE_COLOR", std::nullopt}};
  auto with = [&](Env extra) {
    Env env = no_colour_vars;
    for (auto& [k, v] : extra) env[k] = v;
    return CliOptions{dir.path(), env};
  };
  CHECK(has_colour(run_cli_on_terminal({"lint"}, with({})).out));
  CHECK_FALSE(has_colour(run_cli_on_terminal({"--color", "never", "lint"}, with({})).out));
  CHECK_FALSE(has_colour(run_cli_on_terminal({"lint"}, with({{"NO_COLOR", "1"}})).out));
  CHECK_FALSE(has_colour(run_cli_on_terminal({"lint"}, with({{"TERM", "dumb"}})).out));
  CHECK_FALSE(has_colour(run_cli({"lint"}, with({})).out));
  CHECK(has_colour(run_cli({"--color", "always", "lint"}, with({{"NO_COLOR", "1"}})).out));
  CHECK(has_colour(run_cli({"lint"}, with({{"FORCE_COLOR", "1"}})).out));
  CHECK_FALSE(has_colour(run_cli({"lint"}, with({{"FORCE_COLOR", "0"}})).out));
  CHECK_FALSE(has_colour(run_cli({"lint"}, with({{"FORCE_COLOR", "1"}, {"NO_COLOR", "1"}})).out));
  const auto bad = run_cli({"--color", "sometimes", "lint"}, with({}));
  CHECK(bad.exit_code == 2);
}
