#pragma once
// What to do about a server error, chosen by its SQLSTATE rather than by its message's words,
// so that a missing column is never answered with "check privileges".

#include <string>

namespace cora {

// One clause of advice for `sqlstate` ("42501", "23505", ...): the exact code where we know it,
// else its class (the first two characters), else where to look it up.
std::string sqlstate_advice(const std::string& sqlstate);

// For a refused privilege (SQLSTATE 42501, "permission denied for schema x"), which privilege on
// which object the statement needed and how to grant it; empty when the message names no object.
// `statement` is the start of the statement (ServerError::statement): its first word tells
// reading from writing.
std::string privilege_advice(const std::string& message, const std::string& statement);

}  // namespace cora
