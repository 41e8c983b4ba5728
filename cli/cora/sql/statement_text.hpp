#pragma once
// A statement's text reduced to what PostgreSQL reads: for comparing one statement as two tools
// split and stored it (the Supabase CLI keeps each statement's leading comments and drops its
// semicolon; our splitter does neither).

#include <string>

namespace cora {

// The statement's tokens (PostgreSQL's own scanner) joined by one space (none around a dot):
// comments, blanks and trailing semicolons left out, keywords and unquoted names in lower case;
// literals, quoted names and dollar-quoted bodies exactly as written. "" for a statement of only comments. A text
// the scanner rejects (an unterminated quote, say) comes back with its blanks trimmed only.
std::string normalised_statement(const std::string& sql);

}  // namespace cora
