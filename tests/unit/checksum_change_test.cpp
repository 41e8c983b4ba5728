#include <doctest/doctest.h>

#include "cora/migrations/checksum_change.hpp"

using cora::ChecksumChange;
using cora::compare_applied_text;

TEST_CASE("compare_applied_text: comments and layout only, or more") {
  const std::string applied = "CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (1);\n";
  CHECK(compare_applied_text(applied, applied) == ChecksumChange::layout_only);
  CHECK(compare_applied_text(applied,
                             "-- why\nCREATE TABLE t (\r\n  id int PRIMARY KEY /* key */\r\n);\n\n"
                             "INSERT INTO t VALUES ( 1 );") == ChecksumChange::layout_only);
  CHECK(compare_applied_text(applied, "create table T (ID INT primary key); insert into t values (1);") ==
        ChecksumChange::layout_only);
  // A value is not layout (a fingerprint would call these the same).
  CHECK(compare_applied_text(applied, "CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (2);\n") ==
        ChecksumChange::statements);
  CHECK(compare_applied_text(applied, "CREATE TABLE t (id int PRIMARY KEY);\n") == ChecksumChange::statements);
  CHECK(compare_applied_text("SELECT 'a  b';", "SELECT 'a b';") == ChecksumChange::statements);
  CHECK(compare_applied_text("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
                             "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 -- one\n$$;") ==
        ChecksumChange::statements);
  CHECK(compare_applied_text(applied, "-- cora-migrate: transaction=false\n" + applied) == ChecksumChange::directives);
  CHECK(compare_applied_text(applied, "CREATE TABLE t (id int PRIMARY KEY") == ChecksumChange::unparseable);
}
