#pragma once
// What changed between the text of a migration file that was applied and its text now, for
// `repair --accept-checksum`: only comments and layout (the statements parse to the same trees,
// the directives are the same), or more.

#include <string>

namespace cora {

enum class ChecksumChange {
  layout_only,  // the same statements and directives; comments, blank space or line ends differ
  statements,   // a statement differs (a word, a value, a statement more or less, a function body)
  directives,   // a `-- cora-migrate:` directive line differs (how the file runs, or what the lint silences)
  unparseable,  // one of the two does not parse: nothing can be said
};

// Compares the applied text with the current one. The statements are compared as PostgreSQL's
// parse trees without their positions, so comments, blanks and line breaks between tokens do not
// count; inside a string or a function body ($$ ... $$) every character counts, comments too.
ChecksumChange compare_applied_text(const std::string& applied, const std::string& current);

// One line for people: "only comments and whitespace", "the statements differ", ...
const char* describe(ChecksumChange change);

}  // namespace cora
