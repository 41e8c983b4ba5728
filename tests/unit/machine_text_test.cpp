// The one escaper per machine format (cora/output/machine_text.hpp), fed the names a hostile
// repository or database can hold: newlines with a psql meta-command or a workflow command
// after them, control characters, quotes, bytes that are not UTF-8.

#include <doctest/doctest.h>

#include <string>

#include "cora/output/machine_text.hpp"

using cora::github_data;
using cora::github_property;
using cora::printable_text;
using cora::sql_comment_text;
using cora::xml_escape;

namespace {

// Whether `text` holds a byte that ends a -- comment or is another control character.
bool has_control(const std::string& text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("sql_comment_text: a name cannot end the comment it is written in") {
  CHECK(sql_comment_text("module-a:001-init.sql") == "module-a:001-init.sql");
  CHECK(sql_comment_text("m\n\\! touch pwned") == "m\\n\\! touch pwned");
  CHECK(sql_comment_text("m\r\\! touch pwned") == "m\\r\\! touch pwned");
  CHECK(sql_comment_text("tab\there\x01\x1b[31m\x7f") == "tab\\x09here\\x01\\x1b[31m\\x7f");
  CHECK(sql_comment_text("it's \"quoted\" */ /* -- still text") == "it's \"quoted\" */ /* -- still text");
  CHECK(sql_comment_text("caf\xC3\xA9") == "caf\xC3\xA9");  // UTF-8 passes
  CHECK_FALSE(has_control(sql_comment_text(std::string("\0\n\r\x1f", 4))));
}

TEST_CASE("github_data and github_property: a name cannot start a workflow command") {
  CHECK(github_data("x\n::error::pwned") == "x%0A::error::pwned");
  CHECK(github_data("x\r\n::warning::y 100%") == "x%0D%0A::warning::y 100%25");
  CHECK(github_property("x\n::error::pwned") == "x%0A%3A%3Aerror%3A%3Apwned");
  CHECK(github_property("a,b:c") == "a%2Cb%3Ac");
  CHECK(github_data("%0A") == "%250A");  // an escape written in a name stays text
}

TEST_CASE("xml_escape: whatever a name holds, the document stays XML 1.0") {
  const std::string replacement = "\xEF\xBF\xBD";
  CHECK(xml_escape("a<b>&\"c\"") == "a&lt;b&gt;&amp;&quot;c&quot;");
  CHECK(xml_escape("line\nnext\ttab") == "line\nnext\ttab");
  CHECK(xml_escape("cr\r") == "cr&#13;");
  CHECK(xml_escape("bell\x07 esc\x1b nul") == "bell" + replacement + " esc" + replacement + " nul");
  CHECK(xml_escape(std::string("\0", 1)) == replacement);
  CHECK(xml_escape("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  CHECK(xml_escape("bad \xFF\xC3") == "bad " + replacement + replacement);       // not UTF-8, cut short
  CHECK(xml_escape("\xC0\xAF") == replacement + replacement);                    // overlong '/'
  CHECK(xml_escape("\xED\xA0\x80") == replacement + replacement + replacement);  // a surrogate
  CHECK(xml_escape("\xEF\xBF\xBE") == replacement + replacement + replacement);  // U+FFFE
}

TEST_CASE("printable_text: what people read stays on its line and sends the terminal no escape") {
  CHECK(printable_text("m\n::error::pwned:001-a.sql") == "m\\n::error::pwned:001-a.sql");
  CHECK(printable_text("a\r\tb") == "a\\r b");
  CHECK(printable_text("esc\x1b[2J bell\x07 del\x7f") == "esc\\x1b[2J bell\\x07 del\\x7f");
  CHECK(printable_text("caf\xC3\xA9 \xE2\x82\xAC") == "caf\xC3\xA9 \xE2\x82\xAC");
  CHECK(printable_text("bad \xFF\xC3") == "bad \\xff\\xc3");
}
