// Which statements migrate may run without resetting the session afterwards: only DDL that can
// run no code and leaves nothing behind in the session. Everything that might (a SET, a DO block,
// a function with SET, a query, anything temporary) keeps the reset.

#include <doctest/doctest.h>

#include <string>

#include "cora/sql/script.hpp"

namespace {

bool neutral(const std::string& sql) {
  const auto script = cora::parse_sql_script(sql);
  REQUIRE(script.statements.size() == 1);
  return script.statements.front().leaves_session_unchanged;
}

}  // namespace

TEST_CASE("session effects: DDL that runs no code leaves the session as it was") {
  CHECK(neutral("CREATE TABLE t (id int PRIMARY KEY, n text NOT NULL DEFAULT 'x' CHECK (n <> ''))"));
  CHECK(neutral("CREATE UNLOGGED TABLE app.t (id bigint GENERATED ALWAYS AS IDENTITY)"));
  CHECK(neutral("CREATE VIEW v AS SELECT 1 AS one"));
  CHECK(neutral("CREATE SEQUENCE s"));
  CHECK(neutral("CREATE TYPE mood AS ENUM ('ok', 'sad')"));
  CHECK(neutral("CREATE POLICY p ON t USING (owner = auth.uid())"));
  CHECK(neutral("ALTER TABLE t ENABLE ROW LEVEL SECURITY"));
  CHECK(neutral("ALTER TABLE t DROP COLUMN n, ALTER COLUMN id SET DEFAULT 0"));
  CHECK(neutral("GRANT SELECT ON t TO authenticated"));
  CHECK(neutral("COMMENT ON TABLE t IS 'x'"));
  CHECK(neutral("DROP TABLE IF EXISTS old"));
  CHECK(neutral("CREATE SCHEMA app"));
  CHECK(neutral("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$"));
  CHECK(neutral("CREATE OR REPLACE FUNCTION g() RETURNS void LANGUAGE plpgsql AS $$ BEGIN END $$"));
}

TEST_CASE("session effects: whatever can touch the session keeps the reset") {
  // Settings, in every spelling.
  CHECK_FALSE(neutral("SET search_path = app, public"));
  CHECK_FALSE(neutral("SET ROLE authenticated"));
  CHECK_FALSE(neutral("SET SESSION AUTHORIZATION postgres"));
  CHECK_FALSE(neutral("RESET ALL"));
  CHECK_FALSE(neutral("SELECT pg_catalog.set_config('search_path', 'app', false)"));
  // Code: a DO block, a query or DML (either may call anything), an extension's script.
  CHECK_FALSE(neutral("DO $$ BEGIN PERFORM set_config('x.y', 'z', false); END $$"));
  CHECK_FALSE(neutral("INSERT INTO t VALUES (1)"));
  CHECK_FALSE(neutral("CREATE EXTENSION IF NOT EXISTS pgcrypto"));
  // A function with SET (kept however harmless), or in a language whose validator is not ours.
  CHECK_FALSE(neutral("CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = '' AS $$ SELECT 1 $$"));
  CHECK_FALSE(neutral("CREATE FUNCTION f() RETURNS int LANGUAGE plv8 AS $$ return 1 $$"));
  CHECK_FALSE(neutral("ALTER FUNCTION f() SET search_path = ''"));
  // Evaluated over existing rows: an index, a new CHECK, a new column with a default.
  CHECK_FALSE(neutral("CREATE INDEX t_n ON t (lower(n))"));
  CHECK_FALSE(neutral("ALTER TABLE t ADD CONSTRAINT c CHECK (id > 0)"));
  CHECK_FALSE(neutral("ALTER TABLE t ADD COLUMN m int DEFAULT 1"));
  CHECK_FALSE(neutral("ALTER TABLE t ALTER COLUMN id TYPE bigint"));
  CHECK_FALSE(neutral("CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1)"));
  CHECK_FALSE(neutral("CREATE MATERIALIZED VIEW mv AS SELECT 1"));
  // Temporary objects live as long as the session.
  CHECK_FALSE(neutral("CREATE TEMP TABLE scratch (id int)"));
  CHECK_FALSE(neutral("CREATE TEMPORARY VIEW tv AS SELECT 1"));
  CHECK_FALSE(neutral("CREATE TABLE pg_temp.scratch (id int)"));
  CHECK_FALSE(neutral("CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$"));
  CHECK_FALSE(neutral("CREATE TYPE \"PG_TEMP\".pair AS (a int, b int)"));
  // Session objects and listeners.
  CHECK_FALSE(neutral("PREPARE q AS SELECT 1"));
  CHECK_FALSE(neutral("LISTEN events"));
  CHECK_FALSE(neutral("DECLARE c CURSOR WITH HOLD FOR SELECT 1"));
}
