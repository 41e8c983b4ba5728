// The pieces of the backend check ([app]) on their own: the nearest name, the Python call finder
// (find_calls.py run by python3) on the shapes it must follow or refuse to guess, and the check.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cora/app/check_app_calls.hpp"
#include "cora/app/find_app_calls.hpp"
#include "cora/util/nearest_name.hpp"
#include "support/scratch_dir.hpp"

using cora::AppSettings;
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
      "    log_event(name='other', payload={})\n");
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
