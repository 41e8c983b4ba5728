#pragma once
// Styling for people: colour only on a terminal, never when NO_COLOR is set or TERM is dumb.

#include <cstdio>
#include <string>
#include <string_view>

namespace cora {

enum class Tone { plain, good, bad, warn, dim, bold };

class Style {
 public:
  // Colour for `stream` if it is a TTY and the environment allows it.
  static Style for_stream(std::FILE* stream);
  static Style plain() { return Style(false); }

  std::string paint(std::string_view text, Tone tone) const;
  bool color() const { return color_; }

 private:
  explicit Style(bool color) : color_(color) {}
  bool color_;
};

// True when `stream` is a terminal.
bool is_terminal(std::FILE* stream);

}  // namespace cora
