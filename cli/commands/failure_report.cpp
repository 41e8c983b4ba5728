#include "commands/failure_report.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <new>

#include "cora/db/server_error.hpp"
#include "cora/db/sqlstate_advice.hpp"
#include "cora/migrations/migration_file.hpp"
#include "cora/output/machine_text.hpp"
#include "cora/output/terminal.hpp"

namespace cora::cli {

namespace {

nlohmann::json text_or_null(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}
nlohmann::json position_or_null(int value) { return value > 0 ? nlohmann::json(value) : nlohmann::json(nullptr); }

}  // namespace

FailureReport current_failure() {
  try {
    throw;
  } catch (const Error& e) {
    return {e.code(), e.what(), e.hint(), e.site(), e.message()};
  } catch (const ConnectionLost& e) {
    return {ExitCode::connection, fmt::format("lost the connection to the database: {}", e.what()),
            "run the command again; a migration that was running was rolled back by the server", std::nullopt};
  } catch (const QueryFailed& e) {
    // Name the query (its start) and, for a missing privilege, which one on what: the user has
    // to grant it, and "permission denied for schema x" alone does not say what for.
    const auto& error = e.error();
    const std::string which = error.statement.empty() ? "a query" : fmt::format("the query `{}`", error.statement);
    std::string hint = privilege_advice(error.message, error.statement);
    if (hint.empty()) hint = sqlstate_advice(error.sqlstate);
    return {ExitCode::connection,
            fmt::format("the database refused {}: {} [SQLSTATE {}]", which, e.what(), error.sqlstate), hint,
            ErrorSite{"", 0, 0, error.sqlstate}};
  } catch (const std::bad_alloc&) {
    // The memory a file's parse took is freed by now: there is room to say so.
    return {ExitCode::out_of_memory, "out of memory: the process reached its memory limit (ulimit -v, a container's)",
            "raise the limit, or split the largest migration file into smaller ones", std::nullopt};
  } catch (const std::exception& e) {
    return {ExitCode::internal, fmt::format("internal error: {}", e.what()), "please report this", std::nullopt};
  }
}

void print_failure(const std::string& message, const std::string& hint) {
  const auto style = Style::for_stream(stderr);
  // Errors quote what they were given (server messages, SQL, file names, TOML values): the line
  // stays one printable line.
  std::string line = fmt::format("cora-migrate: {} {}", style.paint("error:", Tone::bad), printable_text(message));
  if (!hint.empty()) line += fmt::format(" (hint: {})", printable_text(hint));
  std::fprintf(stderr, "%s\n", line.c_str());
}

void print_failure(const FailureReport& failure) { print_failure(failure.message, failure.hint); }

std::string github_failure(const FailureReport& failure, const std::string& command, const std::string& target) {
  const ErrorSite site = failure.site.value_or(ErrorSite{});
  const std::string location = github_location(site.file, site.line, site.column);
  const std::string properties = location.empty() ? "" : location + ",";
  // The annotation shows where; the message need not say it again.
  const std::string& message = failure.bare_message.empty() ? failure.message : failure.bare_message;
  const std::string text = failure.hint.empty() ? message : message + " (hint: " + failure.hint + ")";
  return fmt::format("::error {}title={}::{}\n", properties, github_title(target, "cora-migrate " + command),
                     github_data(text));
}

nlohmann::json failure_json(const FailureReport& failure) {
  const ErrorSite site = failure.site.value_or(ErrorSite{});
  return {{"exit_code", to_int(failure.code)},      {"message", failure.message},
          {"hint", text_or_null(failure.hint)},     {"sqlstate", text_or_null(site.sqlstate)},
          {"file", text_or_null(site.file)},        {"line", position_or_null(site.line)},
          {"column", position_or_null(site.column)}};
}

}  // namespace cora::cli
