// The pieces of the backend check ([app]) on their own: the nearest name, the Python call finder
// (find_calls.py run by python3) on the shapes it must follow or refuse to guess, and the check.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cora/app/check_app_calls.hpp"
#include "cora/app/find_app_calls.hpp"
#include "cora/app/offline_app_schema.hpp"
#include "lint_test_helpers.hpp"
#include "cora/util/nearest_name.hpp"
#include "support/scratch_dir.hpp"

using cora::AppSettings;
using cora::MigrationFile;
using cora::test::migration;
using cora::test::ScratchDir;
using namespace cora::app;

namespace {

AppCalls calls_in(const std::string& source) {
  ScratchDir dir;
  const auto file = dir.write("handler.py", source);
  AppSettings settings;
  return find_app_calls({file}, settings);
}

std::vector<std::string> key_names(const AppKeys& keys) {
  std::vector<std::string> out;
  for (const auto& k : keys.keys) out.push_back(k.name);
  return out;
}

}  // namespace

TEST_CASE("nearest_name: a slip or a prefix, never a stranger") {
  CHECK(cora::edit_distance("p_kb_id", "p_kb_ids") == 1);
  CHECK(cora::edit_distance("titel", "title") == 1);
  CHECK(cora::edit_distance("kitten", "sitting") == 3);
  CHECK(cora::nearest_name("p_kb_id", {"p_query", "p_kb_ids"}) == std::string("p_kb_ids"));
  CHECK(cora::nearest_name("p_event", {"p_user_id", "p_event_type"}) == std::string("p_event_type"));
  CHECK(cora::nearest_name("titel", {"id", "title"}) == std::string("title"));
  CHECK_FALSE(cora::nearest_name("end_user_session", {"start_user_session", "log_auth_event"}).has_value());
  CHECK_FALSE(cora::nearest_name("x", {}).has_value());
}

TEST_CASE("find_calls.py: multi-line calls, keywords, dicts built before the call") {
  const auto found = calls_in(
      "import org_common as common\n"
      "def f(user_id, extra):\n"
      "    params = {\n"
      "        'p_user_id': user_id,\n"
      "    }\n"
      "    params['p_ip'] = '1'\n"
      "    common.rpc(\n"
      "        'start',\n"
      "        params,\n"
      "    )\n"
      "    common.update_one(table='t', data={'a': 1}, filters=dict(id=user_id))\n"
      "    common.find_one('t', {'id': 1, **extra})\n"
      "    twice = {'a': 1}\n"
      "    twice = {'b': 1}\n"
      "    common.find_many('t', twice)\n"
      "    changed = {'a': 1}\n"
      "    changed.update(extra)\n"
      "    common.insert_one('t', changed)\n"
      "    common.rpc(f'fn_{user_id}', {})\n");
  REQUIRE(found.calls.size() == 6);
  const auto& rpc = found.calls[0];
  CHECK(rpc.line == 7);
  CHECK(rpc.object == "start");
  CHECK(key_names(rpc.params) == std::vector<std::string>{"p_user_id", "p_ip"});
  CHECK(rpc.params.keys[0].line == 4);
  CHECK_FALSE(rpc.params.open);
  const auto& update = found.calls[1];
  CHECK(update.access == cora::AppAccess::update);
  CHECK(key_names(update.filters) == std::vector<std::string>{"id"});
  CHECK(key_names(update.data) == std::vector<std::string>{"a"});
  CHECK(found.calls[2].filters.open);  // **extra
  CHECK(found.calls[3].filters.not_literal == "variable `twice` is bound more than once");
  CHECK(found.calls[4].data.open);  // changed.update(...)
  CHECK(found.calls[5].object.empty());
  CHECK(found.calls[5].not_literal == "an f-string");
}

TEST_CASE("find_calls.py: a wrapper's calls are the helper's, its own pass-through call is not reported") {
  const auto found = calls_in(
      "from db import rpc\n"
      "def log_event(name, payload, retries=1):\n"
      "    return rpc(name, payload)\n"
      "def login(user_id):\n"
      "    log_event('log_auth_event', {'p_user_id': user_id})\n"
      "    log_event(name='other', payload={})\n"
      "    names = ['a']\n"
      "    names.log_event('not a call of the wrapper', {})\n");
  REQUIRE(found.calls.size() == 2);
  CHECK(found.calls[0].line == 5);
  CHECK(found.calls[0].via == "log_event");
  CHECK(found.calls[0].via_at.find(":3") != std::string::npos);
  CHECK(found.calls[0].object == "log_auth_event");
  CHECK(key_names(found.calls[0].params) == std::vector<std::string>{"p_user_id"});
  CHECK(found.calls[1].object == "other");
}

TEST_CASE("find_calls.py: a file Python cannot parse is reported, the others still read") {
  ScratchDir dir;
  const auto bad = dir.write("bad.py", "def broken(:\n");
  const auto good = dir.write("good.py", "rpc('fn', {})\n");
  const auto found = find_app_calls({bad, good}, AppSettings{});
  REQUIRE(found.errors.size() == 1);
  CHECK(found.errors[0].line == 1);
  CHECK(found.errors[0].message.rfind("Python syntax error", 0) == 0);
  CHECK(found.calls.size() == 1);
}

TEST_CASE("check_app_calls: overloads and defaults decide whether a call fits") {
  AppSchema schema;
  schema.functions["public.count_docs"] = {
      {"public.count_docs", {{"p_kb_id", false}}, {"m.sql", 3}, std::nullopt},
      {"public.count_docs", {{"p_kb_id", false}, {"p_deleted", false}}, {"m.sql", 7}, std::nullopt}};
  schema.functions["public.log"] = {{"public.log", {{"p_user_id", false}, {"p_details", true}}, {"m.sql", 9}, false}};
  const auto call = [](std::string fn, std::vector<std::string> keys) {
    AppCall c;
    c.file = "h.py";
    c.line = 1;
    c.helper = "rpc";
    c.access = cora::AppAccess::execute;
    c.object = std::move(fn);
    c.params.given = true;
    for (auto& k : keys) c.params.keys.push_back({k, 1});
    return c;
  };
  AppCalls calls;
  calls.calls = {call("count_docs", {"p_kb_id"}), call("count_docs", {"p_kb_id", "p_deleted"}),
                 call("count_docs", {"p_deleted"}), call("log", {"p_user_id"})};
  const auto report = check_app_calls(calls, schema, "service_role");
  REQUIRE(report.findings.size() == 2);
  CHECK(report.findings[0].rule == std::string(kMissingParameter));
  CHECK(report.findings[0].message.find("`p_kb_id` has no default") != std::string::npos);
  CHECK(report.findings[1].rule == std::string(kNotGranted));
  CHECK(report.findings[1].message ==
        "rpc('log'): service_role may not EXECUTE log(p_user_id, p_details?) (defined "
        "at m.sql:9)");
}

TEST_CASE("offline_app_schema: what the files leave, renames, drops and grants followed") {
  const std::vector<MigrationFile> files{
      migration(1,
                "CREATE TABLE public.docs (id int PRIMARY KEY, titel text, gone text);\n"
                "CREATE VIEW public.all_docs AS SELECT * FROM public.docs;\n"
                "CREATE VIEW public.named_docs (doc_id, doc_title) AS SELECT id, titel FROM public.docs;\n"
                "CREATE FUNCTION public.f(p_a int, p_b text DEFAULT 'x') RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n"
                "CREATE FUNCTION public.f(p_a int, p_b int) RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;\n"
                "CREATE TABLE public.old_name (id int);\n"),
      migration(2,
                "ALTER TABLE public.docs RENAME COLUMN titel TO title;\n"
                "ALTER TABLE public.docs DROP COLUMN gone, ADD COLUMN body text;\n"
                "DROP FUNCTION public.f(int, int);\n"
                "ALTER TABLE public.old_name RENAME TO new_name;\n"
                "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM service_role;\n"
                "GRANT SELECT ON public.docs TO service_role;\n"
                "REVOKE EXECUTE ON FUNCTION public.f(int, text) FROM service_role;\n")};
  const auto schema = offline_app_schema({&files[0], &files[1]}, "service_role");
  const auto& docs = schema.relations.at("public.docs");
  CHECK(docs.columns == std::vector<std::string>{"id", "title", "body"});
  CHECK(docs.at.text() == "migrations/001-m.sql:1");
  CHECK(docs.role_may.at(cora::AppAccess::select));
  CHECK_FALSE(docs.role_may.at(cora::AppAccess::insert));
  CHECK_FALSE(schema.relations.at("public.all_docs").columns.has_value());  // SELECT *: not known
  CHECK(schema.relations.at("public.named_docs").columns == std::vector<std::string>{"doc_id", "doc_title"});
  CHECK(schema.relations.count("public.old_name") == 0);
  CHECK(schema.relations.count("public.new_name") == 1);
  CHECK(schema.renamed.at("public.old_name").text() == "migrations/002-m.sql:4");
  REQUIRE(schema.functions.at("public.f").size() == 1);
  const auto& f = schema.functions.at("public.f").front();
  REQUIRE(f.inputs.size() == 2);
  CHECK(f.inputs[0].name == "p_a");
  CHECK_FALSE(f.inputs[0].has_default);
  CHECK(f.inputs[1].has_default);
  CHECK(f.role_may_execute == false);
}
