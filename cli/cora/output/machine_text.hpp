#pragma once
// Escaping text for the machine formats: XML (JUnit), GitHub workflow commands
// (`::error file=F,line=L,title=T::message`) and SQL comments. One function per format, used by
// every writer of it: names come from the file system, the config and the live database, and a
// hostile one must stay text in each of them. (JSON and SARIF go through the JSON library.)

#include <string>

namespace cora {

// &, <, > and " as XML entities, CR as &#13;: safe in attribute values (written in "...") and
// element text.
// What XML 1.0 cannot hold at all (control characters other than tab and newline, bytes that
// are not UTF-8, U+FFFE and U+FFFF) becomes U+FFFD, so the document always parses.
std::string xml_escape(const std::string& text);

// A workflow command's message: %, CR and LF escaped, so it stays one line (a name holding
// "\n::error::..." cannot start a workflow command of its own).
std::string github_data(const std::string& text);

// A workflow command's property value (file, title): also : and , escaped.
std::string github_property(const std::string& text);

// A workflow command's title, escaped: "[TARGET] text" in a run over several environments
// (--as-target), so that each annotation says which database it is about; `text` alone otherwise.
std::string github_title(const std::string& target, const std::string& text);

// "file=F,line=L,col=C" as far as it is known (line and column 0: unknown); empty without a file.
std::string github_location(const std::string& file, int line, int column = 0);

// Text for people, on a terminal or in a CI log (error lines, names in human output): CR and LF
// as \r and \n, a tab as a blank, other control characters and bytes that are not UTF-8 as
// \xNN, so that what it quotes stays on its line (a name holding "\n::error::..." cannot start
// a workflow command in a GitHub Actions log) and sends the terminal no escape sequence.
std::string printable_text(const std::string& text);

// Text to write after "-- " in generated SQL that people run with psql: LF and CR (the two
// characters that end a -- comment) as \n and \r, other control characters as \xNN, so a name
// cannot end the comment and start a line of SQL or a psql meta-command (\! runs a shell).
std::string sql_comment_text(const std::string& text);

}  // namespace cora
