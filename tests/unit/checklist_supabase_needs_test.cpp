// Which checklist SQL needs Supabase: its roles as words, its schemas only as qualifiers.

#include <doctest/doctest.h>

#include "cora/checklist/supabase_needs.hpp"

using cora::supabase_name_in;

TEST_CASE("supabase_name_in: Supabase's roles and qualified schemas, nothing else") {
  CHECK(supabase_name_in("GRANT SELECT ON t TO service_role") == "role service_role");
  CHECK(supabase_name_in("SET ROLE Authenticated") == "role authenticated");
  CHECK(supabase_name_in("{\"role\": \"anon\"}") == "role anon");
  CHECK(supabase_name_in("SELECT count(*) FROM auth.users") == "schema auth");
  CHECK(supabase_name_in("SELECT * FROM \"storage\".objects") == "schema storage");
  CHECK(supabase_name_in("SELECT realtime.topic()") == "schema realtime");
  // A column or table that happens to share a name is not Supabase's.
  CHECK(supabase_name_in("SELECT storage, auth FROM public.settings") == std::nullopt);
  CHECK(supabase_name_in("SELECT * FROM public.anonymous_visits") == std::nullopt);
  CHECK(supabase_name_in("SELECT * FROM my_auth.users") == std::nullopt);
  CHECK(supabase_name_in("") == std::nullopt);
}
