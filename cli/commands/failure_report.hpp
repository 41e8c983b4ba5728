#pragma once
// What a command that failed tells: the line on stderr for people and, when it was asked for
// JSON, the same failure as an object, so that stdout stays one valid document.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "cora/error.hpp"

namespace cora::cli {

struct FailureReport {
  ExitCode code = ExitCode::internal;
  std::string message;
  std::string hint;
  std::optional<ErrorSite> site;
  std::string bare_message = {};  // the message without the site's place; empty: the same as message
};

// The exception being handled, described; call it only inside a catch block.
FailureReport current_failure();

// "cora-migrate: error: MESSAGE (hint: HINT)" on stderr, as one printable line.
void print_failure(const FailureReport& failure);
void print_failure(const std::string& message, const std::string& hint);

// The failure as a GitHub workflow annotation, on the file and line when it has them:
// "::error file=F,line=L,col=C,title=cora-migrate COMMAND::MESSAGE (hint: HINT)\n".
std::string github_failure(const FailureReport& failure, const std::string& command, const std::string& target = {});

// {"exit_code", "message", "hint", "sqlstate", "file", "line", "column"}; unknown ones are null.
nlohmann::json failure_json(const FailureReport& failure);

}  // namespace cora::cli
