#include "cora/migrate/failure_mapping.hpp"

#include <fmt/format.h>

#include "cora/db/lock_wait.hpp"
#include "cora/migrations/plan.hpp"
#include "cora/sql/script.hpp"
#include "cora/util/text_position.hpp"

namespace cora {

namespace {

// 42501 on what Supabase's own roles own, or on an extension postgres may not create: said with
// the owner's name, since on a project the migrations' role is no superuser (the embedded
// cluster's neither; cli/cora/local/supabase_compat.sql).
std::string supabase_privilege_hint(const ServerError& e) {
  if (e.sqlstate != "42501") return "";
  static const std::pair<const char*, const char*> owners[] = {
      {"users", "auth.users belongs to supabase_auth_admin"},
      {"objects", "storage.objects belongs to supabase_storage_admin"},
      {"buckets", "storage.buckets belongs to supabase_storage_admin"},
      {"prefixes", "storage.prefixes belongs to supabase_storage_admin"},
      {"messages", "realtime.messages belongs to supabase_realtime_admin"}};
  for (const char* kind : {"must be owner of table ", "must be owner of relation "}) {
    if (e.message.rfind(kind, 0) != 0) continue;
    const std::string table = e.message.substr(std::string(kind).size());
    for (const auto& [name, owner] : owners) {
      if (table == name) {
        return fmt::format(
            "; on Supabase {}, and postgres may not alter it, index it, comment on it or put policies on "
            "it: leave the statement out",
            owner);
      }
    }
  }
  if (e.message.rfind("permission denied to create extension", 0) == 0) {
    return "; on Supabase postgres creates only the allow-listed extensions (supautils.privileged_extensions): "
           "use one of those, WITH SCHEMA extensions";
  }
  return "";
}

}  // namespace

Error migration_failure(const PreparedMigration& m, std::size_t statement_index, const ServerError& e,
                        const FailureContext& context) {
  const auto& statement = m.script.statements.at(statement_index);
  std::size_t error_offset = statement.offset;
  if (e.position > 0) {
    error_offset += byte_offset_of_character(m.statement_text(statement), e.position);
  } else {
    error_offset = skip_blanks_and_comments(m.file->content, statement.offset);
  }
  const auto at = line_column_at(m.file->content, error_offset);
  std::string message = with_sqlstate(e.message, e.sqlstate);
  if (!e.detail.empty()) message += "; detail: " + e.detail;
  if (!e.hint.empty()) message += "; hint: " + e.hint;
  if (!e.context.empty()) message += "; context: " + e.context.substr(0, e.context.find('\n'));

  const std::string undone =
      m.directives.transaction
          ? "the file was rolled back, nothing from it was applied"
          : fmt::format(
                "the statements before it stay applied and the migration is marked dirty{}; finish or undo "
                "them by hand, then run `cora-migrate repair {}`",
                context.extra_hint, selector_of(*m.file));
  const ErrorSite site{m.file->path.string(), at.line, at.column, e.sqlstate};
  if (e.sqlstate == kQueryCanceled && context.interrupted) {
    return Error(ExitCode::interrupted, fmt::format("interrupted while applying {}", m.file->path.string()),
                 undone + "; run migrate again to continue")
        .about(site);
  }
  std::string hint;
  if (e.sqlstate == kLockNotAvailable) {
    hint = "; a table it needs is busy: retry, or raise lock_timeout (\"-- cora-migrate: lock_timeout=30s\")";
  } else if (e.sqlstate == kQueryCanceled) {
    hint = "; it ran past statement_timeout: raise it (\"-- cora-migrate: statement_timeout=10min\")";
  } else if (m.directives.transaction) {
    hint = "; fix the file and run migrate again";
  }
  hint += supabase_privilege_hint(e);
  return Error(ExitCode::migration_failed, message, undone + hint).at(site);
}

}  // namespace cora
