#pragma once
// not_allowed_on_supabase: a statement that the role migrations run as on Supabase (`postgres`,
// which is no superuser and owns nothing of the platform's) cannot run, found in the files alone:
// ALTER SYSTEM, a language or function in an untrusted language, a role made SUPERUSER, and
// changes to what the platform's roles own in the schemas auth, storage and realtime (ALTER
// TABLE, CREATE INDEX, CREATE / ALTER POLICY, COMMENT ON, functions created there). On a project
// each fails with 42501 ("must be owner of table users", "permission denied ..."); the embedded
// cluster fails them the same way, but only when it gets there.
//
// Not flagged, since postgres may do them there: triggers on auth.users and storage.objects (it
// holds TRIGGER on them), foreign keys to auth.users, reading and writing their rows.

#include <optional>

#include "cora/lint/finding.hpp"
#include "cora/lint/lint_file.hpp"

namespace cora::lint {

// The finding for `statement`, or nullopt when postgres on Supabase may run it.
std::optional<Finding> check_supabase_privileges(const LintFile& file, const LintStatement& statement);

}  // namespace cora::lint
