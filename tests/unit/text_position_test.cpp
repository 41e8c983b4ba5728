#include <doctest/doctest.h>

#include <string>

#include "cora/util/text_position.hpp"

using cora::byte_offset_of_character;
using cora::line_column_at;

namespace {
// "a" (1 byte), "é" (2 bytes), "€" (3 bytes), "😀" (4 bytes), "b" (1 byte): 11 bytes, 5 characters.
const std::string kMixed =
    "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
    "b";
}  // namespace

TEST_CASE("byte_offset_of_character: ASCII text") {
  const std::string text = "SELECT 1";
  SUBCASE("character 1 is byte 0") { CHECK(byte_offset_of_character(text, 1) == 0); }
  SUBCASE("character n is byte n - 1") {
    CHECK(byte_offset_of_character(text, 2) == 1);
    CHECK(byte_offset_of_character(text, 8) == 7);
  }
  SUBCASE("one past the last character is the end") { CHECK(byte_offset_of_character(text, 9) == text.size()); }
}

TEST_CASE("byte_offset_of_character: multi-byte UTF-8 counts characters, not bytes") {
  REQUIRE(kMixed.size() == 11);
  CHECK(byte_offset_of_character(kMixed, 1) == 0);   // a
  CHECK(byte_offset_of_character(kMixed, 2) == 1);   // é
  CHECK(byte_offset_of_character(kMixed, 3) == 3);   // €
  CHECK(byte_offset_of_character(kMixed, 4) == 6);   // 😀
  CHECK(byte_offset_of_character(kMixed, 5) == 10);  // b
  CHECK(byte_offset_of_character(kMixed, 6) == 11);  // end
}

TEST_CASE("byte_offset_of_character: out-of-range positions") {
  SUBCASE("positions past the end are clamped to the text's size") {
    CHECK(byte_offset_of_character("abc", 100) == 3);
    CHECK(byte_offset_of_character(kMixed, 100) == kMixed.size());
  }
  SUBCASE("position 0 and negative positions give byte 0") {
    CHECK(byte_offset_of_character("abc", 0) == 0);
    CHECK(byte_offset_of_character("abc", -5) == 0);
  }
  SUBCASE("empty text gives 0") { CHECK(byte_offset_of_character("", 3) == 0); }
  SUBCASE("a truncated multi-byte character at the end does not run past the text") {
    const std::string truncated = "a\xE2\x82";  // "€" missing its last byte
    CHECK(byte_offset_of_character(truncated, 2) == 1);
    CHECK(byte_offset_of_character(truncated, 3) == truncated.size());
  }
}

TEST_CASE("line_column_at: lines and columns") {
  const std::string text = "first\nsecond line\n\nfourth";
  SUBCASE("offset 0 is 1:1") {
    const auto at = line_column_at(text, 0);
    CHECK(at.line == 1);
    CHECK(at.column == 1);
  }
  SUBCASE("column advances within a line") {
    const auto at = line_column_at(text, 3);
    CHECK(at.line == 1);
    CHECK(at.column == 4);
  }
  SUBCASE("the newline itself is the last column of its line") {
    const auto at = line_column_at(text, 5);
    CHECK(at.line == 1);
    CHECK(at.column == 6);
  }
  SUBCASE("the byte after a newline is column 1 of the next line") {
    const auto at = line_column_at(text, 6);
    CHECK(at.line == 2);
    CHECK(at.column == 1);
  }
  SUBCASE("empty lines are counted") {
    const auto at = line_column_at(text, text.find("fourth"));
    CHECK(at.line == 4);
    CHECK(at.column == 1);
  }
  SUBCASE("offsets past the end are clamped to the end") {
    const auto at = line_column_at(text, 10'000);
    CHECK(at.line == 4);
    CHECK(at.column == 7);
  }
  SUBCASE("CRLF line endings start a new line after the LF") {
    const std::string crlf = "a\r\nbc";
    const auto at = line_column_at(crlf, crlf.find('c'));
    CHECK(at.line == 2);
    CHECK(at.column == 2);
  }
}

TEST_CASE("line_column_at: multi-byte characters count as one column") {
  SUBCASE("on the first line") {
    CHECK(line_column_at(kMixed, 1).column == 2);   // é
    CHECK(line_column_at(kMixed, 3).column == 3);   // €
    CHECK(line_column_at(kMixed, 6).column == 4);   // 😀
    CHECK(line_column_at(kMixed, 10).column == 5);  // b
  }
  SUBCASE("on a later line") {
    const std::string text = "x\n" + kMixed;
    const auto at = line_column_at(text, text.size() - 1);  // the "b"
    CHECK(at.line == 2);
    CHECK(at.column == 5);
  }
}

TEST_CASE("line_column_at: round trip from a PostgreSQL character position") {
  // PostgreSQL reports error positions as 1-based character counts over the whole text.
  const std::string sql = "SELECT '\xC3\xA9\xC3\xA9';\nSELECT \xE2\x82\xAC FROM";
  // S..T(1-6) ' '(7) '(8) éé(9,10) '(11) ;(12) \n(13) SELECT(14-19) ' '(20) €(21) ' '(22) F(23)
  const int from_position = 23;
  const auto offset = byte_offset_of_character(sql, from_position);
  REQUIRE(offset == sql.find("FROM"));
  const auto at = line_column_at(sql, offset);
  CHECK(at.line == 2);
  CHECK(at.column == 10);
}
