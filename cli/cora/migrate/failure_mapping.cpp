#include "cora/migrate/failure_mapping.hpp"

#include <fmt/format.h>

#include "cora/db/lock_wait.hpp"
#include "cora/migrations/plan.hpp"
#include "cora/sql/script.hpp"
#include "cora/util/text_position.hpp"

namespace cora {

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
  return Error(ExitCode::migration_failed, message, undone + hint).at(site);
}

}  // namespace cora
