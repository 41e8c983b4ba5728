#pragma once
// Which checklist items only make sense on a Supabase project: the ones that name one of its
// roles or platform schemas. On a plain PostgreSQL they are skipped, not failed.

#include <optional>
#include <string>

#include "cora/checklist/checklist.hpp"

namespace cora {

// The first Supabase role (anon, authenticated, service_role, authenticator) or schema (auth,
// storage, realtime, followed by a '.') that `sql` names, as "role service_role" or "schema
// auth"; nullopt when it names none. A lexical scan: a name inside a string counts too, as
// claims such as {"role": "authenticated"} only mean something on Supabase.
std::optional<std::string> supabase_name_in(const std::string& sql);

// What an automatic item's checks need of Supabase, or nullopt.
std::optional<std::string> supabase_need_of_checks(const CheckSet& checks);

// What a scenario's steps need of Supabase, or nullopt.
std::optional<std::string> supabase_need_of_scenario(const Scenario& scenario);

// What a scenario item's expectations need of Supabase, or nullopt.
std::optional<std::string> supabase_need_of_expectations(const ChecklistItem& item);

}  // namespace cora
