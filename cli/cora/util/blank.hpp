#pragma once
// Blanks inside a line, as the line-oriented file formats read them.

namespace cora {

// A space, a tab, or the CR of a CRLF line end.
inline bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

}  // namespace cora
