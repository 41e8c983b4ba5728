#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cora/migrations/migration_file.hpp"
#include "support/scratch_dir.hpp"
#include "unit_helpers.hpp"

using cora::discover_migrations;
using cora::ExitCode;
using cora::find_invalid_utf8;
using cora::parse_migration_file_name;
using cora::test::error_from;
using cora::test::ScratchDir;

namespace {

std::vector<std::string> file_names(const std::vector<cora::MigrationFile>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.file_name);
  return out;
}

}  // namespace

TEST_CASE("parse_migration_file_name: accepted names") {
  SUBCASE("toolkit style NNN-name.sql") {
    const auto parsed = parse_migration_file_name("007-auth-events-sessions.sql");
    REQUIRE(parsed.has_value());
    CHECK(parsed->version == 7);
    CHECK(parsed->name == "auth-events-sessions");
  }
  SUBCASE("Supabase style timestamp_name.sql") {
    const auto parsed = parse_migration_file_name("20240101120000_create_users.sql");
    REQUIRE(parsed.has_value());
    CHECK(parsed->version == 20240101120000);
    CHECK(parsed->name == "create_users");
  }
  SUBCASE("a single digit and a one-character name") {
    const auto parsed = parse_migration_file_name("1_x.sql");
    REQUIRE(parsed.has_value());
    CHECK(parsed->version == 1);
    CHECK(parsed->name == "x");
  }
  SUBCASE("only the first separator splits; the name keeps the rest") {
    const auto parsed = parse_migration_file_name("010_add-teams_v2.sql");
    REQUIRE(parsed.has_value());
    CHECK(parsed->version == 10);
    CHECK(parsed->name == "add-teams_v2");
  }
  SUBCASE("18 digits is the most a version may have") {
    const auto parsed = parse_migration_file_name("999999999999999999_big.sql");
    REQUIRE(parsed.has_value());
    CHECK(parsed->version == 999999999999999999);
  }
  SUBCASE("version 0") {
    const auto parsed = parse_migration_file_name("000-init.sql");
    REQUIRE(parsed.has_value());
    CHECK(parsed->version == 0);
    CHECK(parsed->name == "init");
  }
}

TEST_CASE("parse_migration_file_name: rejected names") {
  SUBCASE("no digits") {
    CHECK_FALSE(parse_migration_file_name("create_users.sql").has_value());
    CHECK_FALSE(parse_migration_file_name("-create.sql").has_value());
  }
  SUBCASE("no separator after the digits") {
    CHECK_FALSE(parse_migration_file_name("007name.sql").has_value());
    CHECK_FALSE(parse_migration_file_name("007 name.sql").has_value());
    CHECK_FALSE(parse_migration_file_name("007.name.sql").has_value());
  }
  SUBCASE("no name after the separator") {
    CHECK_FALSE(parse_migration_file_name("007-.sql").has_value());
    CHECK_FALSE(parse_migration_file_name("007_.sql").has_value());
    CHECK_FALSE(parse_migration_file_name("007.sql").has_value());
  }
  SUBCASE("19 digits does not fit") {
    CHECK_FALSE(parse_migration_file_name("1000000000000000000_big.sql").has_value());
    CHECK_FALSE(parse_migration_file_name("9999999999999999999_big.sql").has_value());
  }
  SUBCASE("not .sql") {
    CHECK_FALSE(parse_migration_file_name("007-name.txt").has_value());
    CHECK_FALSE(parse_migration_file_name("007-name.sql.bak").has_value());
    CHECK_FALSE(parse_migration_file_name("007-name").has_value());
    CHECK_FALSE(parse_migration_file_name("007-namesql").has_value());
  }
  SUBCASE("degenerate names") {
    CHECK_FALSE(parse_migration_file_name("").has_value());
    CHECK_FALSE(parse_migration_file_name(".sql").has_value());
    CHECK_FALSE(parse_migration_file_name("1.sql").has_value());
  }
  SUBCASE("names that would not print as one line of text: control characters, not UTF-8") {
    CHECK_FALSE(parse_migration_file_name("002-a\nb.sql").has_value());
    CHECK_FALSE(parse_migration_file_name("002-a\rb.sql").has_value());
    CHECK_FALSE(parse_migration_file_name("002-\x1b[31mred.sql").has_value());
    CHECK_FALSE(parse_migration_file_name("002-caf\xe9.sql").has_value());
    CHECK(parse_migration_file_name("002-caf\xc3\xa9.sql").has_value());  // UTF-8 is fine
  }
}

TEST_CASE("find_invalid_utf8") {
  SUBCASE("ASCII and valid multi-byte text") {
    CHECK_FALSE(find_invalid_utf8("").has_value());
    CHECK_FALSE(find_invalid_utf8("CREATE TABLE a (id int);").has_value());
    CHECK_FALSE(find_invalid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF").has_value());
  }
  SUBCASE("a Latin-1 byte is found at its offset") {
    CHECK(find_invalid_utf8("ab\xE9"
                            "cd") == std::size_t{2});
  }
  SUBCASE("a lone continuation byte") { CHECK(find_invalid_utf8("a\x80") == std::size_t{1}); }
  SUBCASE("bytes that never start a character") {
    CHECK(find_invalid_utf8("\xFF") == std::size_t{0});
    CHECK(find_invalid_utf8("x\xF8\x88\x80\x80\x80") == std::size_t{1});
  }
  SUBCASE("overlong encodings") {
    CHECK(find_invalid_utf8("\xC0\x80") == std::size_t{0});
    CHECK(find_invalid_utf8("\xC1\xBF") == std::size_t{0});
    CHECK(find_invalid_utf8("\xE0\x80\x80") == std::size_t{0});
    CHECK(find_invalid_utf8("\xF0\x80\x80\x80") == std::size_t{0});
  }
  SUBCASE("UTF-16 surrogates") { CHECK(find_invalid_utf8("ok\xED\xA0\x80") == std::size_t{2}); }
  SUBCASE("beyond U+10FFFF") { CHECK(find_invalid_utf8("\xF4\x90\x80\x80") == std::size_t{0}); }
  SUBCASE("a sequence cut short by the end of the text") {
    CHECK(find_invalid_utf8("abc\xE2\x82") == std::size_t{3});
    CHECK(find_invalid_utf8("\xF0\x9F\x98") == std::size_t{0});
  }
  SUBCASE("a sequence cut short by an ASCII byte") { CHECK(find_invalid_utf8("\xE2\x82x") == std::size_t{0}); }
  SUBCASE("the first of several bad bytes is reported") {
    CHECK(find_invalid_utf8("\xC3\xA9ok\xFF\xFE") == std::size_t{4});
  }
}

TEST_CASE("discover_migrations: reading a folder") {
  ScratchDir dir("cora-unit-discover");
  SUBCASE("an empty folder has no migrations") { CHECK(discover_migrations(dir.path()).empty()); }
  SUBCASE("every field of a migration is filled in") {
    const auto path = dir.write("001-create-a.sql", "SELECT 1;");
    const auto files = discover_migrations(dir.path());
    REQUIRE(files.size() == 1);
    CHECK(files[0].version == 1);
    CHECK(files[0].name == "create-a");
    CHECK(files[0].file_name == "001-create-a.sql");
    CHECK(files[0].path == path);
    CHECK(files[0].content == "SELECT 1;");
    // sha256("SELECT 1;")
    CHECK(files[0].checksum == "17db4fd369edb9244b9f91d9aeed145c3d04ad8ba6e95d06247f07a63527d11a");
  }
  SUBCASE("content is read byte for byte, CRLF included") {
    dir.write("001-crlf.sql", "SELECT 1;\r\nSELECT 2;\r\n");
    CHECK(discover_migrations(dir.path()).at(0).content == "SELECT 1;\r\nSELECT 2;\r\n");
  }
  SUBCASE("the same content gives the same checksum, different content a different one") {
    dir.write("001-a.sql", "SELECT 1;");
    dir.write("002-b.sql", "SELECT 1;");
    dir.write("003-c.sql", "SELECT 1; ");
    const auto files = discover_migrations(dir.path());
    REQUIRE(files.size() == 3);
    CHECK(files[0].checksum == files[1].checksum);
    CHECK(files[0].checksum != files[2].checksum);
  }
}

TEST_CASE("discover_migrations: ordering") {
  ScratchDir dir("cora-unit-discover");
  SUBCASE("by numeric version, not by name: 2 before 10") {
    dir.write("10-ten.sql", "SELECT 10;");
    dir.write("2-two.sql", "SELECT 2;");
    dir.write("1-one.sql", "SELECT 1;");
    const auto files = discover_migrations(dir.path());
    CHECK(file_names(files) == std::vector<std::string>{"1-one.sql", "2-two.sql", "10-ten.sql"});
    CHECK(files.at(2).version == 10);
  }
  SUBCASE("zero-padded and unpadded versions compare as numbers") {
    dir.write("010-ten.sql", "SELECT 10;");
    dir.write("9-nine.sql", "SELECT 9;");
    CHECK(file_names(discover_migrations(dir.path())) == std::vector<std::string>{"9-nine.sql", "010-ten.sql"});
  }
  SUBCASE("both naming styles together") {
    dir.write("20240101120000_supabase.sql", "SELECT 2;");
    dir.write("005-toolkit.sql", "SELECT 1;");
    CHECK(file_names(discover_migrations(dir.path())) ==
          std::vector<std::string>{"005-toolkit.sql", "20240101120000_supabase.sql"});
  }
}

TEST_CASE("discover_migrations: ignored entries") {
  ScratchDir dir("cora-unit-discover");
  dir.write("001-real.sql", "SELECT 1;");
  SUBCASE("other extensions, even with migration-like names") {
    dir.write("README.md", "# notes");
    dir.write("002-draft.sql.bak", "SELECT 2;");
    dir.write("003-notes.txt", "text");
    dir.write("not a migration", "");
    CHECK(file_names(discover_migrations(dir.path())) == std::vector<std::string>{"001-real.sql"});
  }
  SUBCASE("hidden files, even with a .sql extension") {
    dir.write(".002-hidden.sql", "SELECT 2;");
    dir.write(".editor-swap.sql", "");
    CHECK(file_names(discover_migrations(dir.path())) == std::vector<std::string>{"001-real.sql"});
  }
  SUBCASE("subfolders and their contents") {
    dir.write("archive/002-old.sql", "SELECT 2;");
    CHECK(file_names(discover_migrations(dir.path())) == std::vector<std::string>{"001-real.sql"});
  }
}

TEST_CASE("discover_migrations: an entry named like a migration that is not a regular file is an error") {
  ScratchDir dir("cora-unit-discover");
  dir.write("001-real.sql", "SELECT 1;");
  const auto entry = dir.path() / "002-odd.sql";
  std::string why;
  SUBCASE("a folder") {
    std::filesystem::create_directory(entry);
    why = "a folder";
  }
  SUBCASE("a dangling symlink") {
    std::filesystem::create_symlink(dir.path() / "gone.sql", entry);
    why = "a symbolic link to nothing";
  }
  SUBCASE("a symlink loop") {
    std::filesystem::create_symlink(entry, entry);
    why = "a symbolic link loop";
  }
  const auto error = error_from([&] { discover_migrations(dir.path()); });
  CHECK(error->code() == cora::ExitCode::migration_files);
  CHECK(std::string(error->what()).find("002-odd.sql: named like a migration but is " + why) != std::string::npos);
}

TEST_CASE("discover_migrations: a byte order mark is dropped and CRLF line ends do not change the checksum") {
  ScratchDir dir("cora-unit-discover");
  dir.write("001-lf.sql", "SELECT 1;\nSELECT 2;\n");
  dir.write("002-crlf.sql", "\xEF\xBB\xBFSELECT 1;\r\nSELECT 2;\r\n");
  const auto files = discover_migrations(dir.path());
  REQUIRE(files.size() == 2);
  CHECK(files[1].content == "SELECT 1;\r\nSELECT 2;\r\n");
  CHECK(files[0].checksum == files[1].checksum);
  CHECK(files[1].raw_checksum != files[1].checksum);
  CHECK(files[1].matches_checksum(files[1].raw_checksum));
  CHECK(files[0].matches_checksum(files[1].checksum));
}

TEST_CASE("discover_migrations: errors") {
  ScratchDir dir("cora-unit-discover");

  SUBCASE("a missing folder is named") {
    const auto missing = dir.path() / "nope";
    const auto error = error_from([&] { discover_migrations(missing); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), missing.string());
    CHECK_CONTAINS(error->what(), "does not exist");
  }
  SUBCASE("a file where the folder should be") {
    const auto file = dir.write("migrations", "not a folder");
    const auto error = error_from([&] { discover_migrations(file); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), file.string());
  }
  SUBCASE("a .sql file with a bad name is named, not skipped") {
    dir.write("001-ok.sql", "SELECT 1;");
    const auto bad = dir.write("add_users.sql", "SELECT 2;");
    const auto error = error_from([&] { discover_migrations(dir.path()); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), bad.string());
    CHECK_CONTAINS(error->what(), "not a migration file name");
  }
  SUBCASE("two files with the same version are both named") {
    const auto a = dir.write("007-first.sql", "SELECT 1;");
    const auto b = dir.write("007-second.sql", "SELECT 2;");
    const auto error = error_from([&] { discover_migrations(dir.path()); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), a.string());
    CHECK_CONTAINS(error->what(), b.string());
    CHECK_CONTAINS(error->what(), "version 7");
  }
  SUBCASE("007 and 7 are the same version") {
    const auto a = dir.write("007-padded.sql", "SELECT 1;");
    const auto b = dir.write("7-unpadded.sql", "SELECT 2;");
    const auto error = error_from([&] { discover_migrations(dir.path()); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), a.string());
    CHECK_CONTAINS(error->what(), b.string());
  }
  SUBCASE("the two naming styles can collide") {
    dir.write("1-toolkit.sql", "SELECT 1;");
    dir.write("1_supabase.sql", "SELECT 2;");
    const auto error = error_from([&] { discover_migrations(dir.path()); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), "1-toolkit.sql");
    CHECK_CONTAINS(error->what(), "1_supabase.sql");
  }
  SUBCASE("an empty file") {
    dir.write("001-ok.sql", "SELECT 1;");
    const auto empty = dir.write("002-empty.sql", "");
    const auto error = error_from([&] { discover_migrations(dir.path()); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), empty.string());
    CHECK_CONTAINS(error->what(), "empty");
  }
  SUBCASE("a file of blanks only") {
    const auto blank = dir.write("001-blank.sql", "  \n\t\r\n\n");
    const auto error = error_from([&] { discover_migrations(dir.path()); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), blank.string());
    CHECK_CONTAINS(error->what(), "empty");
  }
  SUBCASE("a file that is not UTF-8: line and column, in characters") {
    // Line 2 is "SELECT 'é" and then a Latin-1 byte: the bad byte is character 10 of the line.
    const auto latin1 = dir.write("001-latin1.sql", "SELECT 1;\nSELECT '\xC3\xA9\xE9';\n");
    const auto error = error_from([&] { discover_migrations(dir.path()); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), latin1.string() + ":2:10:");
    CHECK_CONTAINS(error->what(), "UTF-8");
  }
  SUBCASE("a UTF-16 file with a byte-order mark is not UTF-8") {
    const auto utf16 = dir.write("001-utf16.sql", std::string("\xFF\xFE"
                                                              "S\0E\0",
                                                              6));
    const auto error = error_from([&] { discover_migrations(dir.path()); });
    REQUIRE(error.has_value());
    CHECK(error->code() == ExitCode::migration_files);
    CHECK_CONTAINS(error->what(), utf16.string() + ":1:1:");
  }
}
