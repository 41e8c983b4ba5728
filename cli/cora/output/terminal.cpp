#include "cora/output/terminal.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace cora {

bool is_terminal(std::FILE* stream) { return isatty(fileno(stream)) == 1; }

Style Style::for_stream(std::FILE* stream) {
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  const bool allowed = (!no_color || !*no_color) && !(term && std::strcmp(term, "dumb") == 0);
  return Style(allowed && is_terminal(stream));
}

std::string Style::paint(std::string_view text, Tone tone) const {
  if (!color_ || tone == Tone::plain) return std::string(text);
  const char* code = "";
  switch (tone) {
    case Tone::good: code = "\033[32m"; break;
    case Tone::bad: code = "\033[31m"; break;
    case Tone::warn: code = "\033[33m"; break;
    case Tone::dim: code = "\033[2m"; break;
    case Tone::bold: code = "\033[1m"; break;
    case Tone::plain: break;
  }
  return code + std::string(text) + "\033[0m";
}

}  // namespace cora
