#include <doctest/doctest.h>

#include <string>

#include "cora/sql/function_references.hpp"

using cora::analyse_function_body;
using cora::BodyAnalysis;
using cora::FunctionSignature;

namespace {

// "schema.name@line, name@line": the whole result in one comparable, printable string.
std::string relations_of(const BodyAnalysis& analysis) {
  std::string out;
  for (const auto& reference : analysis.relations) {
    if (!out.empty()) out += ", ";
    if (!reference.schema.empty()) out += reference.schema + ".";
    out += reference.name + "@" + std::to_string(reference.line);
  }
  return out;
}

std::string dynamic_lines_of(const BodyAnalysis& analysis) {
  std::string out;
  for (const auto& dynamic : analysis.dynamic_sql) {
    if (!out.empty()) out += ", ";
    out += std::to_string(dynamic.line);
  }
  return out;
}

std::string error_of(const BodyAnalysis& analysis) { return analysis.parse_error.value_or(""); }

BodyAnalysis plpgsql(const std::string& body, const FunctionSignature& signature = {}) {
  return analyse_function_body("plpgsql", body, signature);
}

// The function behind the incident: the table was renamed to user_auth_log, the body was not.
// As pg_proc.prosrc holds it: starting with the newline after $$, so INSERT is on line 5.
const std::string kStaleLogAuthEvent = R"(
DECLARE
  v_id bigint;
BEGIN
  INSERT INTO public.auth_event_log (user_id, event, created_at)
  VALUES (p_user_id, p_event, now())
  RETURNING id INTO v_id;
  RETURN v_id;
END
)";

const FunctionSignature kLogAuthEventSignature{"p_user_id bigint, p_event text", "bigint"};

}  // namespace

TEST_CASE("analyse_function_body: the stale log_auth_event body") {
  SUBCASE("the INSERT names public.auth_event_log on line 5") {
    const auto analysis = plpgsql(kStaleLogAuthEvent, kLogAuthEventSignature);
    CHECK(error_of(analysis) == "");
    CHECK(relations_of(analysis) == "public.auth_event_log@5");
    REQUIRE(analysis.relations.size() == 1);
    CHECK(analysis.relations[0].schema == "public");
    CHECK(analysis.relations[0].name == "auth_event_log");
    CHECK(analysis.relations[0].line == 5);
    CHECK(analysis.dynamic_sql.empty());
  }
  SUBCASE("without the signature: the same answer") {
    CHECK(relations_of(plpgsql(kStaleLogAuthEvent)) == "public.auth_event_log@5");
  }
  SUBCASE("the fixed body names public.user_auth_log") {
    std::string fixed = kStaleLogAuthEvent;
    fixed.replace(fixed.find("auth_event_log"), 14, "user_auth_log");
    CHECK(relations_of(plpgsql(fixed, kLogAuthEventSignature)) == "public.user_auth_log@5");
  }
  SUBCASE("language names are matched case-insensitively") {
    CHECK(relations_of(analyse_function_body("PLPGSQL", kStaleLogAuthEvent)) == "public.auth_event_log@5");
  }
}

TEST_CASE("analyse_function_body: names as PostgreSQL folds them") {
  SUBCASE("unqualified names keep an empty schema") {
    const auto analysis = plpgsql("\nBEGIN\n  INSERT INTO audit_log (x) VALUES (1);\nEND\n");
    CHECK(relations_of(analysis) == "audit_log@3");
    REQUIRE(analysis.relations.size() == 1);
    CHECK(analysis.relations[0].schema.empty());
  }
  SUBCASE("unquoted names are lower-cased, quoted ones kept verbatim") {
    const auto analysis =
        plpgsql("\nBEGIN\n  DELETE FROM Public.Users;\n  INSERT INTO \"Audit\".\"Event Log\" VALUES (1);\nEND\n");
    CHECK(relations_of(analysis) == "public.users@3, Audit.Event Log@4");
  }
  SUBCASE("a body that does not start with a newline: its first line is line 1") {
    CHECK(relations_of(plpgsql("BEGIN INSERT INTO t VALUES (1); END")) == "t@1");
  }
}

TEST_CASE("analyse_function_body: lines of names inside multi-line statements") {
  SUBCASE("UPDATE ... FROM: each name on its own line") {
    const auto analysis = plpgsql(R"(
BEGIN
  UPDATE accounts a
     SET balance = 0
    FROM
      closed_accounts c
   WHERE c.id = a.id;
END
)");
    CHECK(relations_of(analysis) == "accounts@3, closed_accounts@6");
  }
  SUBCASE("an INTO clause spanning lines before FROM") {
    const auto analysis = plpgsql(R"(
DECLARE
  v int;
BEGIN
  SELECT count(*)
    INTO
      v
    FROM sessions;
END
)");
    CHECK(relations_of(analysis) == "sessions@8");
  }
  SUBCASE("PERFORM over several lines") {
    CHECK(relations_of(plpgsql("\nBEGIN\n  perform 1\n    FROM heartbeat;\nEND\n")) == "heartbeat@4");
  }
  SUBCASE("two statements on one line, each name once") {
    CHECK(relations_of(plpgsql("\nBEGIN\n  DELETE FROM a; DELETE FROM b; DELETE FROM a;\nEND\n")) == "a@3, b@3");
  }
  SUBCASE("the same name on two lines is reported twice") {
    CHECK(relations_of(plpgsql("\nBEGIN\n  DELETE FROM a;\n  DELETE FROM a;\nEND\n")) == "a@3, a@4");
  }
}

TEST_CASE("analyse_function_body: statements nested in control flow") {
  SUBCASE("IF / ELSIF / ELSE") {
    const auto analysis = plpgsql(R"(
BEGIN
  IF EXISTS (SELECT 1 FROM flags WHERE enabled) THEN
    INSERT INTO then_table VALUES (1);
  ELSIF (SELECT count(*) FROM counters) > 1 THEN
    INSERT INTO elsif_table VALUES (1);
  ELSE
    INSERT INTO else_table VALUES (1);
  END IF;
END
)");
    CHECK(relations_of(analysis) == "flags@3, then_table@4, counters@5, elsif_table@6, else_table@8");
  }
  SUBCASE("FOR over a query, WHILE, LOOP and EXIT WHEN") {
    const auto analysis = plpgsql(R"(
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM pending_jobs LOOP
    UPDATE jobs SET done = true WHERE id = r.id;
  END LOOP;
  WHILE (SELECT count(*) FROM queue) > 0 LOOP
    DELETE FROM queue;
  END LOOP;
  LOOP
    EXIT WHEN NOT EXISTS (SELECT 1 FROM locks);
  END LOOP;
END
)");
    CHECK(relations_of(analysis) == "pending_jobs@5, jobs@6, queue@8, queue@9, locks@12");
  }
  SUBCASE("EXCEPTION blocks: the protected statements and the handlers") {
    const auto analysis = plpgsql(R"(
BEGIN
  BEGIN
    INSERT INTO primary_store VALUES (1);
  EXCEPTION
    WHEN unique_violation THEN
      UPDATE primary_store SET n = n + 1;
    WHEN others THEN
      INSERT INTO error_log VALUES (SQLERRM);
  END;
END
)");
    CHECK(relations_of(analysis) == "primary_store@4, primary_store@7, error_log@9");
  }
  SUBCASE("RETURN QUERY, RETURN NEXT and RETURN expr") {
    const auto analysis = plpgsql(R"(
DECLARE
  r record;
BEGIN
  RETURN QUERY SELECT id FROM users WHERE active;
  RETURN NEXT (SELECT max(id) FROM archived_users);
  RETURN (SELECT 1 FROM settings);
END
)",
                                  FunctionSignature{"", "SETOF integer"});
    CHECK(error_of(analysis) == "");
    CHECK(relations_of(analysis) == "users@5, archived_users@6, settings@7");
  }
  SUBCASE("CASE, FOREACH, RAISE and ASSERT expressions") {
    const auto analysis = plpgsql(R"(
DECLARE
  x int;
BEGIN
  CASE (SELECT kind FROM kinds LIMIT 1)
    WHEN 1 THEN INSERT INTO ones VALUES (1);
    ELSE INSERT INTO others VALUES (1);
  END CASE;
  FOREACH x IN ARRAY (SELECT array_agg(id) FROM ids) LOOP
    NULL;
  END LOOP;
  RAISE NOTICE 'n=%', (SELECT count(*) FROM noticed);
  ASSERT (SELECT true FROM asserted), 'failed';
END
)");
    CHECK(relations_of(analysis) == "kinds@5, ones@6, others@7, ids@9, noticed@12, asserted@13");
  }
}

TEST_CASE("analyse_function_body: DML forms and subqueries") {
  SUBCASE("UPDATE ... FROM and DELETE ... USING") {
    const auto analysis = plpgsql(R"(
BEGIN
  UPDATE orders o SET status = 'x' FROM customers c WHERE c.id = o.customer_id;
  DELETE FROM carts USING expired_sessions s WHERE s.id = carts.session_id;
END
)");
    CHECK(relations_of(analysis) == "orders@3, customers@3, carts@4, expired_sessions@4");
  }
  SUBCASE("INSERT ... SELECT and INSERT ... ON CONFLICT") {
    const auto analysis = plpgsql(
        "\nBEGIN\n  INSERT INTO totals (n) SELECT count(*) FROM billing.invoices\n"
        "  ON CONFLICT (id) DO UPDATE SET n = excluded.n;\nEND\n");
    CHECK(relations_of(analysis) == "totals@3, billing.invoices@3");
  }
  SUBCASE("subqueries in assignments, with := and with =") {
    const auto analysis = plpgsql(R"(
DECLARE
  v_count int;
  v_flag boolean;
BEGIN
  v_count := (SELECT count(*) FROM logins);
  v_flag = EXISTS (SELECT 1 FROM bans) = true;
END
)");
    CHECK(error_of(analysis) == "");
    CHECK(relations_of(analysis) == "logins@6, bans@7");
  }
  SUBCASE("subqueries in DECLARE defaults") {
    const auto analysis = plpgsql("\nDECLARE\n  n int := (SELECT count(*) FROM seeds);\nBEGIN\n  NULL;\nEND\n");
    CHECK(relations_of(analysis) == "seeds@3");
  }
  SUBCASE("SELECT INTO a variable reads the table") {
    const auto analysis =
        plpgsql("\nDECLARE\n  v int;\nBEGIN\n  SELECT id INTO STRICT v FROM profiles WHERE true;\nEND\n");
    CHECK(relations_of(analysis) == "profiles@5");
  }
  SUBCASE("function calls in FROM are not relations; their subquery arguments are read") {
    const auto analysis = plpgsql(
        "\nBEGIN\n  PERFORM * FROM generate_series(1, 3), my_func(1),\n"
        "    other_func((SELECT max(id) FROM tickets));\nEND\n");
    CHECK(relations_of(analysis) == "tickets@4");
  }
  SUBCASE("FOR UPDATE OF names an alias, not a table") {
    const auto analysis = plpgsql("\nBEGIN\n  PERFORM 1 FROM accounts acc FOR UPDATE OF acc;\nEND\n");
    CHECK(relations_of(analysis) == "accounts@3");
  }
}

TEST_CASE("analyse_function_body: WITH queries") {
  SUBCASE("CTE names are excluded, the tables they read are reported") {
    const auto analysis = plpgsql(R"(
BEGIN
  WITH recent AS (
    SELECT * FROM events WHERE at > now() - interval '1 day'
  )
  INSERT INTO digests SELECT count(*) FROM recent;
END
)");
    CHECK(relations_of(analysis) == "events@4, digests@6");
  }
  SUBCASE("a later CTE sees an earlier one; a schema-qualified name is never a CTE") {
    const auto analysis = plpgsql(
        "\nBEGIN\n  PERFORM 1 FROM (WITH a AS (SELECT 1 FROM src), b AS (SELECT * FROM a)\n"
        "    SELECT * FROM b, public.a) s;\nEND\n");
    CHECK(relations_of(analysis) == "src@3, public.a@4");
  }
  SUBCASE("a non-recursive CTE's own body reads the real table of the same name") {
    CHECK(relations_of(plpgsql("\nBEGIN\n  PERFORM 1 FROM (WITH t AS (SELECT * FROM t) SELECT * FROM t) x;\nEND\n")) ==
          "t@3");
  }
  SUBCASE("a recursive CTE refers to itself") {
    const auto analysis = plpgsql(R"(
BEGIN
  RETURN QUERY WITH RECURSIVE tree AS (
    SELECT id FROM nodes WHERE parent IS NULL
    UNION ALL
    SELECT n.id FROM nodes n JOIN tree ON n.parent = tree.id
  ) SELECT id FROM tree;
END
)");
    CHECK(relations_of(analysis) == "nodes@4, nodes@6");
  }
  SUBCASE("a CTE in one statement does not hide a table in the next") {
    const auto analysis = plpgsql(
        "\nBEGIN\n  WITH staged AS (SELECT 1) DELETE FROM x WHERE id IN (SELECT * FROM staged);\n"
        "  DELETE FROM staged;\nEND\n");
    CHECK(relations_of(analysis) == "x@3, staged@4");
  }
}

TEST_CASE("analyse_function_body: trigger bodies") {
  const std::string body = R"(
BEGIN
  NEW.updated_at := now();
  IF TG_OP = 'UPDATE' AND OLD.email <> NEW.email THEN
    INSERT INTO email_changes (user_id, old_email) VALUES (OLD.id, OLD.email);
  END IF;
  RETURN NEW;
END
)";
  SUBCASE("with RETURNS trigger") {
    const auto analysis = plpgsql(body, FunctionSignature{"", "trigger"});
    CHECK(error_of(analysis) == "");
    CHECK(relations_of(analysis) == "email_changes@5");
  }
  SUBCASE("without the signature") {
    const auto analysis = plpgsql(body);
    CHECK(error_of(analysis) == "");
    CHECK(relations_of(analysis) == "email_changes@5");
  }
}

TEST_CASE("analyse_function_body: parameters and OUT columns") {
  const std::string body = R"(
BEGIN
  SELECT count(*) INTO p_total FROM orders WHERE customer_id = p_customer;
  p_total := p_total + (SELECT count(*) FROM legacy_orders);
END
)";
  SUBCASE("assigned parameters parse when the signature is given") {
    const auto analysis = plpgsql(body, FunctionSignature{"p_customer bigint, OUT p_total bigint", "bigint"});
    CHECK(error_of(analysis) == "");
    CHECK(relations_of(analysis) == "orders@3, legacy_orders@4");
  }
  SUBCASE("without it the PL/pgSQL parser rejects the unknown target") {
    const auto analysis = plpgsql(body);
    CHECK(error_of(analysis).find("p_total") != std::string::npos);
    CHECK(analysis.relations.empty());
  }
  SUBCASE("RETURNS TABLE with RETURN NEXT and no expression") {
    const auto analysis = plpgsql(R"(
BEGIN
  FOR id, name IN SELECT u.id, u.name FROM users u LOOP
    RETURN NEXT;
  END LOOP;
END
)",
                                  FunctionSignature{"", "TABLE(id integer, name text)"});
    CHECK(error_of(analysis) == "");
    CHECK(relations_of(analysis) == "users@3");
  }
}

TEST_CASE("analyse_function_body: %ROWTYPE and %TYPE declarations") {
  const auto analysis = plpgsql(R"(
DECLARE
  r public.accounts%ROWTYPE;
  v_id users.id%TYPE;
  v_copy v_id%TYPE;
  rec record;
  v_field rec.id%TYPE;
BEGIN
  NULL;
END
)");
  CHECK(error_of(analysis) == "");
  CHECK(relations_of(analysis) == "public.accounts@3, users@4");
}

TEST_CASE("analyse_function_body: dynamic SQL") {
  SUBCASE("EXECUTE of a literal and of format(): dynamic, with their lines") {
    const auto analysis = plpgsql(R"(
BEGIN
  EXECUTE 'TRUNCATE cache';
  INSERT INTO static_table VALUES (1);
  EXECUTE format('DELETE FROM %I WHERE id = $1', p_table) USING 1;
END
)",
                                  FunctionSignature{"p_table text", "void"});
    CHECK(dynamic_lines_of(analysis) == "3, 5");
    CHECK(relations_of(analysis) == "static_table@4");
  }
  SUBCASE("FOR ... IN EXECUTE and RETURN QUERY EXECUTE") {
    const auto analysis = plpgsql(R"(
DECLARE
  r record;
BEGIN
  FOR r IN EXECUTE 'SELECT 1' LOOP
    NULL;
  END LOOP;
  RETURN QUERY EXECUTE 'SELECT 2';
END
)");
    CHECK(dynamic_lines_of(analysis) == "5, 8");
    CHECK(analysis.relations.empty());
  }
  SUBCASE("a subquery computing the dynamic string is still read") {
    const auto analysis = plpgsql("\nBEGIN\n  EXECUTE 'SELECT ' || (SELECT expr FROM templates LIMIT 1);\nEND\n");
    CHECK(dynamic_lines_of(analysis) == "3");
    CHECK(relations_of(analysis) == "templates@3");
  }
}

TEST_CASE("analyse_function_body: cursors") {
  SUBCASE("bound cursors: the DECLARE query is read; OPEN/FETCH/CLOSE and FOR-over-cursor parse") {
    const auto analysis = plpgsql(R"(
DECLARE
  c CURSOR (k int) FOR SELECT * FROM cursor_source WHERE id = k;
  r record;
BEGIN
  OPEN c(1);
  FETCH c INTO r;
  MOVE NEXT FROM c;
  CLOSE c;
  FOR row_var IN c(2) LOOP
    INSERT INTO cursor_sink VALUES (row_var.id);
  END LOOP;
END
)");
    CHECK(error_of(analysis) == "");
    CHECK(relations_of(analysis) == "cursor_source@3, cursor_sink@11");
  }
  SUBCASE("OPEN ... FOR <query> keeps the query, OPEN ... FOR EXECUTE is dynamic") {
    const auto analysis = plpgsql(R"(
DECLARE
  c refcursor;
BEGIN
  OPEN c FOR SELECT * FROM report_rows;
  CLOSE c;
  OPEN c SCROLL FOR EXECUTE 'SELECT 1';
  RETURN c;
END
)",
                                  FunctionSignature{"", "refcursor"});
    CHECK(error_of(analysis) == "");
    CHECK(relations_of(analysis) == "report_rows@5");
    CHECK(dynamic_lines_of(analysis) == "7");
  }
}

TEST_CASE("analyse_function_body: relations the body creates") {
  SUBCASE("a temporary table created and then filled is not expected to exist") {
    const auto analysis = plpgsql(R"(
BEGIN
  CREATE TEMP TABLE scratch AS SELECT * FROM source_rows;
  INSERT INTO scratch SELECT * FROM more_rows;
  CREATE TABLE IF NOT EXISTS public.made_here (id int REFERENCES parents (id));
  ALTER TABLE IF EXISTS maybe_there ADD COLUMN x int;
END
)");
    CHECK(relations_of(analysis) == "source_rows@3, more_rows@4, parents@5");
  }
  SUBCASE("SELECT INTO in SQL creates a table") {
    const auto analysis = analyse_function_body("sql", "SELECT * INTO snapshot FROM live;\nSELECT * FROM snapshot;");
    CHECK(relations_of(analysis) == "live@1");
  }
}

TEST_CASE("analyse_function_body: LANGUAGE sql") {
  SUBCASE("two statements on different lines") {
    const auto analysis = analyse_function_body("sql", R"(
  INSERT INTO public.auth_event_log (user_id) VALUES ($1);
  SELECT count(*)
    FROM sessions s
    JOIN users u ON u.id = s.user_id;
)");
    CHECK(error_of(analysis) == "");
    CHECK(relations_of(analysis) == "public.auth_event_log@2, sessions@4, users@5");
    CHECK(analysis.dynamic_sql.empty());
  }
  SUBCASE("CTE names are excluded") {
    const auto analysis =
        analyse_function_body("sql", "WITH x AS (SELECT * FROM base) SELECT * FROM x JOIN extra ON true");
    CHECK(relations_of(analysis) == "base@1, extra@1");
  }
  SUBCASE("a syntax error: parse_error with the line, no throw") {
    const auto analysis = analyse_function_body("sql", "\nSELECT 1;\nSELEC * FROM t;\n");
    CHECK(error_of(analysis).find("syntax error") != std::string::npos);
    CHECK(error_of(analysis).find("line 3") != std::string::npos);
    CHECK(analysis.relations.empty());
  }
  SUBCASE("an empty body (BEGIN ATOMIC functions keep prosrc empty)") {
    const auto analysis = analyse_function_body("sql", "");
    CHECK_FALSE(analysis.parse_error.has_value());
    CHECK(analysis.relations.empty());
  }
}

TEST_CASE("analyse_function_body: bodies that do not parse") {
  SUBCASE("a PL/pgSQL syntax error: parse_error set, nothing reported") {
    const auto analysis = plpgsql("\nBEGIN\n  INSERT INTO t VALUES (1);\n  SELEC 1 FROM x;\nEND\n");
    REQUIRE(analysis.parse_error.has_value());
    CHECK(error_of(analysis) == "syntax error at or near \"SELEC\"");
    CHECK(analysis.relations.empty());
  }
  SUBCASE("unterminated body") {
    const auto analysis = plpgsql("\nBEGIN\n  INSERT INTO t VALUES ('unterminated);\n");
    CHECK(analysis.parse_error.has_value());
  }
  SUBCASE("an SQL syntax error inside a PL/pgSQL statement") {
    const auto analysis = plpgsql("\nBEGIN\n  INSERT INTO good VALUES (1);\n  SELECT FROM FROM bad;\nEND\n");
    CHECK(error_of(analysis).find("syntax error at or near \"FROM\"") != std::string::npos);
    CHECK(analysis.relations.empty());
  }
  SUBCASE("another language") {
    const auto analysis = analyse_function_body("plpython3u", "return 1");
    CHECK(error_of(analysis).find("plpython3u") != std::string::npos);
  }
}

TEST_CASE("analyse_function_body: dollar quotes inside the body") {
  SUBCASE("$$ and the wrapper's own tag inside strings") {
    const auto analysis = plpgsql(R"(
BEGIN
  RAISE NOTICE '$$ and $cora_body$ and cora_body';
  EXECUTE $q$SELECT 1$q$;
  INSERT INTO after_quotes VALUES ($x$it's$x$);
END
)");
    CHECK(error_of(analysis) == "");
    CHECK(relations_of(analysis) == "after_quotes@5");
    CHECK(dynamic_lines_of(analysis) == "4");
  }
  SUBCASE("a body ending in the tag's prefix") {
    const auto analysis = plpgsql("\nBEGIN\n  INSERT INTO t VALUES (1);\nEND\n--$cora_body");
    CHECK(error_of(analysis) == "");
    CHECK(relations_of(analysis) == "t@3");
  }
}

TEST_CASE("function references: the functions a body calls, with their lines") {
  const auto analysis = plpgsql(R"(
BEGIN
  IF NOT public.is_sys_admin(p_user) THEN
    RETURN 0;
  END IF;
  PERFORM mgmt_touch(p_user);
  RETURN (SELECT count(*) FROM public.mgmt_usage);
END
)",
                                {"p_user bigint", "bigint"});
  std::string calls;
  for (const auto& call : analysis.calls) {
    calls += (calls.empty() ? "" : ", ") + (call.schema.empty() ? "" : call.schema + ".") + call.name + "@" +
             std::to_string(call.line);
  }
  CHECK(calls == "public.is_sys_admin@3, mgmt_touch@6, count@7");
  CHECK(relations_of(analysis) == "public.mgmt_usage@7");

  const auto sql = analyse_function_body("sql", "\n  SELECT public.is_sys_admin(p)\n", {"p bigint", "boolean"});
  REQUIRE(sql.calls.size() == 1);
  CHECK(sql.calls[0].line == 2);
}
