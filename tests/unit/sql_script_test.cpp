#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "cora/sql/script.hpp"

using cora::parse_sql_script;
using cora::skip_blanks_and_comments;
using cora::SqlParseFailure;
using cora::SqlScript;
using cora::SqlStatement;
using cora::SqlSyntaxError;

namespace {

std::string text_of(const std::string& sql, const SqlStatement& s) { return sql.substr(s.offset, s.length); }

std::optional<SqlSyntaxError> syntax_error_of(const std::string& sql) {
  try {
    parse_sql_script(sql);
  } catch (const SqlParseFailure& failure) {
    return failure.error();
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("parse_sql_script: statement boundaries") {
  SUBCASE("two statements on one line: offsets and lengths exclude the semicolon") {
    const std::string sql = "SELECT 1; SELECT 2;";
    const auto script = parse_sql_script(sql);
    REQUIRE(script.statements.size() == 2);
    CHECK(script.statements[0].offset == 0);
    CHECK(script.statements[0].length == 8);
    CHECK(text_of(sql, script.statements[0]) == "SELECT 1");
    CHECK(script.statements[1].offset == 9);
    CHECK(script.statements[1].length == 9);
    CHECK(text_of(sql, script.statements[1]) == " SELECT 2");
  }
  SUBCASE("a last statement without a semicolon runs to the end of the text") {
    const std::string sql = "CREATE TABLE a (id int);\nCREATE TABLE b (id int)\n";
    const auto script = parse_sql_script(sql);
    REQUIRE(script.statements.size() == 2);
    CHECK(script.statements[1].offset + script.statements[1].length == sql.size());
    CHECK(text_of(sql, script.statements[1]) == "\nCREATE TABLE b (id int)\n");
  }
  SUBCASE("the leading comment is part of the first statement's text") {
    const std::string sql = "-- header\nCREATE TABLE a (id int);";
    const auto script = parse_sql_script(sql);
    REQUIRE(script.statements.size() == 1);
    CHECK(script.statements[0].offset == 0);
    CHECK(text_of(sql, script.statements[0]) == "-- header\nCREATE TABLE a (id int)");
  }
  SUBCASE("semicolons inside strings, quoted identifiers and dollar quotes do not split") {
    const std::string sql =
        "INSERT INTO t VALUES ('a;b');\n"
        "CREATE TABLE \"x;y\" (id int);\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; RETURN 2; END $$;\n";
    const auto script = parse_sql_script(sql);
    REQUIRE(script.statements.size() == 3);
    CHECK(text_of(sql, script.statements[0]) == "INSERT INTO t VALUES ('a;b')");
    CHECK(text_of(sql, script.statements[1]) == "\nCREATE TABLE \"x;y\" (id int)");
    CHECK(text_of(sql, script.statements[2]).find("RETURN 2; END $$") != std::string::npos);
  }
  SUBCASE("offsets are bytes, after multi-byte characters") {
    const std::string sql = "SELECT '\xC3\xA9\xE2\x82\xAC'; SELECT 2;";  // 'é€' is 5 bytes
    const auto script = parse_sql_script(sql);
    REQUIRE(script.statements.size() == 2);
    CHECK(script.statements[0].length == 14);
    CHECK(script.statements[1].offset == 15);
    CHECK(text_of(sql, script.statements[1]) == " SELECT 2");
  }
  SUBCASE("the statements tile the text up to the last semicolon") {
    const std::string sql = "SELECT 1;\n-- two\nSELECT 2;\n/* three */ SELECT 3;";
    const auto script = parse_sql_script(sql);
    REQUIRE(script.statements.size() == 3);
    for (std::size_t i = 1; i < script.statements.size(); ++i) {
      const auto& previous = script.statements[i - 1];
      CHECK(script.statements[i].offset == previous.offset + previous.length + 1);  // +1: the ';'
      CHECK(sql[previous.offset + previous.length] == ';');
    }
  }
}

TEST_CASE("parse_sql_script: empty input") {
  SUBCASE("empty text") { CHECK(parse_sql_script("").statements.empty()); }
  SUBCASE("only blanks") { CHECK(parse_sql_script(" \n\t\n").statements.empty()); }
  SUBCASE("only comments") { CHECK(parse_sql_script("-- nothing\n/* at all */\n").statements.empty()); }
  SUBCASE("only semicolons") { CHECK(parse_sql_script(";;\n;").statements.empty()); }
}

TEST_CASE("parse_sql_script: first_line is the line of the first token") {
  SUBCASE("first statement on line 1") { CHECK(parse_sql_script("SELECT 1;").statements.at(0).first_line == 1); }
  SUBCASE("after blank lines and line comments") {
    const auto script = parse_sql_script("-- header\n\n-- more\nCREATE TABLE a (id int);");
    CHECK(script.statements.at(0).first_line == 4);
  }
  SUBCASE("after a nested block comment spanning lines") {
    const auto script = parse_sql_script("/* outer\n /* inner */\n still outer */\n\nSELECT 1;");
    CHECK(script.statements.at(0).first_line == 5);
  }
  SUBCASE("each statement of a multi-line file") {
    const auto script = parse_sql_script(
        "CREATE TABLE a (\n  id int\n);\n\n-- b comes next\nCREATE TABLE b (id int); CREATE TABLE c (id int);\n\n"
        "CREATE INDEX ON a (id);");
    REQUIRE(script.statements.size() == 4);
    CHECK(script.statements[0].first_line == 1);
    CHECK(script.statements[1].first_line == 6);
    CHECK(script.statements[2].first_line == 6);
    CHECK(script.statements[3].first_line == 8);
  }
}

TEST_CASE("parse_sql_script: node_type") {
  const auto script = parse_sql_script(
      "CREATE TABLE a (id int);\n"
      "CREATE INDEX a_id ON a (id);\n"
      "INSERT INTO a VALUES (1);\n"
      "ALTER TABLE a ADD COLUMN b text;\n"
      "BEGIN;\n"
      "COMMIT;\n"
      "DO $$ BEGIN END $$;\n");
  REQUIRE(script.statements.size() == 7);
  CHECK(script.statements[0].node_type == "CreateStmt");
  CHECK(script.statements[1].node_type == "IndexStmt");
  CHECK(script.statements[2].node_type == "InsertStmt");
  CHECK(script.statements[3].node_type == "AlterTableStmt");
  CHECK(script.statements[4].node_type == "TransactionStmt");
  CHECK(script.statements[5].node_type == "TransactionStmt");
  CHECK(script.statements[6].node_type == "DoStmt");
}

TEST_CASE("parse_sql_script: concurrently") {
  auto only = [](const std::string& sql) {
    const auto script = parse_sql_script(sql);
    REQUIRE(script.statements.size() == 1);
    return script.statements[0];
  };
  SUBCASE("CREATE INDEX CONCURRENTLY") {
    CHECK(only("CREATE INDEX CONCURRENTLY a_id ON a (id);").concurrently);
    CHECK(only("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS a_id ON a (id);").concurrently);
  }
  SUBCASE("DROP INDEX CONCURRENTLY") { CHECK(only("DROP INDEX CONCURRENTLY IF EXISTS a_id;").concurrently); }
  SUBCASE("REINDEX CONCURRENTLY, in both spellings") {
    CHECK(only("REINDEX INDEX CONCURRENTLY a_id;").concurrently);
    CHECK(only("REINDEX (CONCURRENTLY) TABLE a;").concurrently);
  }
  SUBCASE("the same statements without CONCURRENTLY") {
    CHECK_FALSE(only("CREATE INDEX a_id ON a (id);").concurrently);
    CHECK_FALSE(only("DROP INDEX a_id;").concurrently);
    CHECK_FALSE(only("REINDEX INDEX a_id;").concurrently);
    CHECK_FALSE(only("REINDEX (VERBOSE) TABLE a;").concurrently);
  }
  SUBCASE("the word in a string or comment does not count") {
    CHECK_FALSE(only("-- CONCURRENTLY\nSELECT 'CREATE INDEX CONCURRENTLY';").concurrently);
  }
}

TEST_CASE("parse_sql_script: copy_from_stdin") {
  auto only = [](const std::string& sql) {
    const auto script = parse_sql_script(sql);
    REQUIRE(script.statements.size() == 1);
    return script.statements[0];
  };
  SUBCASE("COPY ... FROM STDIN") {
    const auto s = only("COPY a (id) FROM STDIN;");
    CHECK(s.node_type == "CopyStmt");
    CHECK(s.copy_from_stdin);
  }
  SUBCASE("COPY ... FROM a server file") {
    CHECK_FALSE(only("COPY a FROM '/tmp/a.csv' WITH (FORMAT csv);").copy_from_stdin);
  }
  SUBCASE("COPY ... FROM PROGRAM") { CHECK_FALSE(only("COPY a FROM PROGRAM 'cat /tmp/a.csv';").copy_from_stdin); }
  SUBCASE("COPY ... TO STDOUT") { CHECK_FALSE(only("COPY a TO STDOUT;").copy_from_stdin); }
  SUBCASE("other statements") { CHECK_FALSE(only("INSERT INTO a VALUES (1);").copy_from_stdin); }
}

TEST_CASE("parse_sql_script: syntax errors") {
  SUBCASE("line and column of the offending token") {
    const auto error = syntax_error_of("CREATE TABLE a (id int);\n\nSELECT FROM WHERE;");
    REQUIRE(error.has_value());
    CHECK(error->line == 3);
    CHECK(error->column == 13);
    CHECK(error->message.find("syntax error") != std::string::npos);
    CHECK(error->message.find("WHERE") != std::string::npos);
  }
  SUBCASE("columns count characters after multi-byte text on the same line") {
    // "SELECT 'é€' FROM WHERE": W is the 18th character but the 21st byte.
    const auto error = syntax_error_of("-- \xF0\x9F\x98\x80\nSELECT '\xC3\xA9\xE2\x82\xAC' FROM WHERE;");
    REQUIRE(error.has_value());
    CHECK(error->line == 2);
    CHECK(error->column == 18);
  }
  SUBCASE("an error in the first statement") {
    const auto error = syntax_error_of("CREAT TABLE a (id int);");
    REQUIRE(error.has_value());
    CHECK(error->line == 1);
    CHECK(error->column == 1);
  }
  SUBCASE("an unterminated string is reported") {
    const auto error = syntax_error_of("SELECT 1;\nSELECT 'oops;\n");
    REQUIRE(error.has_value());
    CHECK(error->line == 2);
    CHECK(error->column == 8);
  }
  SUBCASE("what() is the message") {
    try {
      parse_sql_script("SELEC 1;");
      FAIL("expected a SqlParseFailure");
    } catch (const SqlParseFailure& failure) {
      CHECK(std::string(failure.what()) == failure.error().message);
      CHECK_FALSE(failure.error().message.empty());
    }
  }
}

TEST_CASE("skip_blanks_and_comments") {
  SUBCASE("nothing to skip") { CHECK(skip_blanks_and_comments("SELECT 1", 0) == 0); }
  SUBCASE("blanks of every kind") { CHECK(skip_blanks_and_comments(" \t\r\n\fSELECT", 0) == 5); }
  SUBCASE("line comments up to and including the newline") {
    const std::string sql = "-- one\n  -- two\nSELECT";
    CHECK(skip_blanks_and_comments(sql, 0) == sql.find("SELECT"));
  }
  SUBCASE("a line comment ends at a bare carriage return, as PostgreSQL's scanner ends it") {
    // Found by fuzz_prepare_migration: the comment ran on to the next \n, past the statement.
    const std::string sql = "-- one;\rSELECT 1;\rSELECT 2\n";
    CHECK(skip_blanks_and_comments(sql, 0) == sql.find("SELECT 1"));
  }
  SUBCASE("block comments") {
    const std::string sql = "/* a */ /* b\n c */SELECT";
    CHECK(skip_blanks_and_comments(sql, 0) == sql.find("SELECT"));
  }
  SUBCASE("nested block comments end at the matching */") {
    const std::string sql = "/* outer /* inner */ still a comment */ SELECT";
    CHECK(skip_blanks_and_comments(sql, 0) == sql.find("SELECT"));
  }
  SUBCASE("/**/ and /*/ ... */ are complete comments") {
    CHECK(skip_blanks_and_comments("/**/X", 0) == 4);
    CHECK(skip_blanks_and_comments("/*/ */X", 0) == 6);
  }
  SUBCASE("starting from an offset inside the text") {
    const std::string sql = "SELECT 1; -- next\n SELECT 2";
    CHECK(skip_blanks_and_comments(sql, 9) == sql.find("SELECT 2"));
  }
  SUBCASE("a single - or / is a token, not a comment") {
    CHECK(skip_blanks_and_comments("  -1", 0) == 2);
    CHECK(skip_blanks_and_comments("  /2", 0) == 2);
  }
  SUBCASE("reaching the end returns the text's size") {
    CHECK(skip_blanks_and_comments("  -- trailing comment", 0) == 21);
    CHECK(skip_blanks_and_comments("/* unterminated", 0) == 15);
    CHECK(skip_blanks_and_comments("/* a /* b */", 0) == 12);
    CHECK(skip_blanks_and_comments("", 0) == 0);
  }
  SUBCASE("an offset at the end stays there") { CHECK(skip_blanks_and_comments("abc", 3) == 3); }
}
