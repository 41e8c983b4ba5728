#pragma once
// The TOML shapes of check files, for other data files that embed checks (checklists). Internal
// to cora_core: it includes toml++, which only cora_core's own sources are built against.

#include <string>
#include <vector>

#include "cora/config/toml_reader.hpp"
#include "cora/checks/check_model.hpp"

namespace cora {

// Reads the [[table]], [[index]], [[policy]], [[function]], [[role]] and [[probe]] arrays found in
// `parent`, exactly as a check file's are, into `into`. Other keys of `parent` are the caller's
// to check. Throws cora::Error naming reader's file, the line and the key.
void read_checks(const TomlReader& reader, const toml::table& parent, CheckSet& into);

// request.jwt.claims as JSON: from an inline table ({ sub = "...", role = "authenticated" }) or a
// JSON string as written. `key` names the setting in messages.
std::string read_claims(const TomlReader& reader, const toml::node& node, const std::string& key);

// Expected rows, [["1", "alice"]]: cells as PostgreSQL prints them, "NULL" for null.
std::vector<std::vector<std::string>> read_rows(const TomlReader& reader, const toml::node& node,
                                                const std::string& key);

// "user_sessions" means "public.user_sessions", as in PostgreSQL's default search_path.
std::string qualified_name(const std::string& name);

}  // namespace cora
