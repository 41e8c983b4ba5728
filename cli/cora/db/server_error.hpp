#pragma once
#include <stdexcept>
#include <string>

namespace cora {

// SQLSTATE query_canceled: statement_timeout, or a cancel request (ours after Ctrl-C).
inline constexpr const char* kQueryCanceled = "57014";

// The fields of a PostgreSQL error report that a user needs to act on it.
struct ServerError {
  std::string sqlstate;
  std::string message;
  std::string detail;
  std::string hint;
  std::string context;
  int position = 0;  // 1-based character position in the statement sent, 0 if none
  // The start of the statement that failed, to say which query was refused: one line, cut
  // before its first string literal or dollar quote (where a password could be) and at 60
  // characters. See statement_head().
  std::string statement;
};

// The start of `sql` as ServerError::statement keeps it.
std::string statement_head(const std::string& sql);

// The one way every report writes a server error: "MESSAGE [SQLSTATE 42P01]".
inline std::string with_sqlstate(const std::string& message, const std::string& sqlstate) {
  return message + " [SQLSTATE " + (sqlstate.empty() ? "none" : sqlstate) + "]";
}

// A statement was rejected by the server.
class QueryFailed : public std::runtime_error {
 public:
  explicit QueryFailed(ServerError error) : std::runtime_error(error.message), error_(std::move(error)) {}
  const ServerError& error() const noexcept { return error_; }

 private:
  ServerError error_;
};

// The connection broke while a statement ran; whether it committed is decided by the server.
class ConnectionLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace cora
