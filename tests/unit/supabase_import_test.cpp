// Taking over the Supabase CLI's history: statement text normalised, rows matched with files.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cora/sql/statement_text.hpp"
#include "cora/migrations/supabase_import.hpp"
#include "unit_helpers.hpp"

using cora::HistoryRecord;
using cora::MigrationFile;
using cora::normalised_statement;
using cora::plan_supabase_import;
using cora::SupabaseMigration;

namespace {

MigrationFile file(const std::string& digits, const std::string& name, const std::string& content) {
  MigrationFile f;
  f.version = std::stoll(digits);
  f.version_digits = digits;
  f.name = name;
  f.file_name = digits + "_" + name + ".sql";
  f.path = "supabase/migrations/" + f.file_name;
  f.content = content;
  f.checksum = "sum-" + digits;
  return f;
}

SupabaseMigration row(const std::string& version, const std::string& name, std::vector<std::string> statements) {
  return {version, name, std::move(statements)};
}

const std::string kUsers =
    "-- the app's users\n"
    "create table public.users (\n  id bigint primary key,\n  email text not null\n);\n\n"
    "create function public.user_count() returns bigint language sql as $$ select count(*) from public.users; $$;\n";

// As the Supabase CLI splits kUsers: at each top-level semicolon, comments kept, the semicolon
// and surrounding blanks dropped.
const std::vector<std::string> kUsersAsRecorded = {
    "-- the app's users\ncreate table public.users (\n  id bigint primary key,\n  email text not null\n)",
    "create function public.user_count() returns bigint language sql as $$ select count(*) from public.users; $$"};

}  // namespace

TEST_CASE("normalised_statement") {
  SUBCASE("comments, blanks and the trailing semicolon do not count") {
    CHECK(normalised_statement("-- note\nCREATE  TABLE\tt (\n id int ) ;\n") == "create table t ( id int )");
    CHECK(normalised_statement("/* a */ create table t (id int)") == "create table t ( id int )");
  }
  SUBCASE("literals, quoted names and dollar-quoted bodies stay exactly as written") {
    CHECK(normalised_statement("SELECT 'A  b', \"My Table\" FROM T") == "select 'A  b' , \"My Table\" from t");
    CHECK(normalised_statement("select $x$ Keep  THIS; $x$") == "select $x$ Keep  THIS; $x$");
    CHECK(normalised_statement("select 'a'") != normalised_statement("select 'b'"));
  }
  SUBCASE("a chunk of only comments is empty") { CHECK(normalised_statement("-- the end\n") == ""); }
}

TEST_CASE("plan_supabase_import") {
  const std::vector<MigrationFile> files = {file("20240101000000", "create_users", kUsers),
                                            file("20240301000000", "add_teams",
                                                 "create table public.teams (id bigint);\n")};

  SUBCASE("rows whose statements are the file's are imported; a later file is left alone") {
    const auto plan = plan_supabase_import(files, {row("20240101000000", "create_users", kUsersAsRecorded)}, {});
    CHECK(plan.problems.empty());
    REQUIRE(plan.to_import.size() == 1);
    CHECK(plan.to_import[0] == &files[0]);
  }

  SUBCASE("a changed statement is reported with the file, the version and which statement") {
    auto recorded = kUsersAsRecorded;
    recorded[0] = "create table public.users (id bigint primary key, email varchar(80) not null)";
    const auto plan = plan_supabase_import(files, {row("20240101000000", "create_users", recorded)}, {});
    CHECK(plan.to_import.empty());
    REQUIRE(plan.problems.size() == 1);
    CHECK_CONTAINS(plan.problems[0], "supabase/migrations/20240101000000_create_users.sql (version 20240101000000)");
    CHECK_CONTAINS(
        plan.problems[0],
        "statement 1 differs: the database recorded `...( id bigint primary key , email varchar ( 80 ) not null )`, "
        "the file has `...( id bigint primary key , email text not null )`");
  }

  SUBCASE("a missing or extra statement is a mismatch") {
    const auto plan = plan_supabase_import(files, {row("20240101000000", "create_users", {kUsersAsRecorded[0]})}, {});
    REQUIRE(plan.problems.size() == 1);
    CHECK_CONTAINS(plan.problems[0], "the database recorded 1 statement, the file has 2");
  }

  SUBCASE("a row with no local file is reported") {
    const auto plan = plan_supabase_import(files, {row("20231201000000", "old_thing", {"select 1"})}, {});
    REQUIRE(plan.problems.size() == 1);
    CHECK(plan.problems[0] ==
          "version 20231201000000 (old_thing): recorded by the Supabase CLI, but no local file has this version");
  }

  SUBCASE("a row without statements cannot be compared") {
    const auto plan = plan_supabase_import(files, {{"20240101000000", "create_users", std::nullopt}}, {});
    REQUIRE(plan.problems.size() == 1);
    CHECK_CONTAINS(plan.problems[0], "recorded no statements for it");
  }

  SUBCASE("statements split elsewhere but the same tokens between the same semicolons match") {
    const std::vector<MigrationFile> atomic = {
        file("20240101000000", "f", "create function f() returns int language sql begin atomic select 1; end;\n")};
    const auto plan =
        plan_supabase_import(atomic,
                             {row("20240101000000", "f",
                                  {"create function f() returns int language sql begin atomic select 1", "end"})},
                             {});
    CHECK(plan.problems.empty());
    CHECK(plan.to_import.size() == 1);
  }

  SUBCASE("a file cora-migrate's history already has is skipped") {
    HistoryRecord r;
    r.version = 20240101000000;
    r.name = "create_users";
    const auto plan = plan_supabase_import(files, {row("20240101000000", "create_users", kUsersAsRecorded)}, {r});
    CHECK(plan.to_import.empty());
    CHECK(plan.already_recorded == 1);
  }
}
