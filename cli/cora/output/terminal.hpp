#pragma once
// Styling for people: colour and line width follow the terminal and the usual conventions.
//
// Colour: `--color always|never` decides; with `auto` (the default), NO_COLOR (set, not empty)
// turns it off, then FORCE_COLOR (set, not "0") on, then TERM=dumb off; otherwise colour only on
// a terminal. Width: a terminal's own width; not a terminal (a pipe, a
// file), no wrapping at all, so that what a program reads has one finding per line.

#include <cstddef>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>

namespace cora {

enum class Tone { plain, good, bad, warn, dim, bold };

enum class ColorMode { automatic, always, never };

// What --color said; the default is automatic. Set once, before any output.
void set_color_mode(ColorMode mode);

// The width `text` is wrapped at: no width at all.
inline constexpr std::size_t kNoWrap = std::numeric_limits<std::size_t>::max();

class Style {
 public:
  // Colour and width for `stream`, as the header says.
  static Style for_stream(std::FILE* stream);
  // No colour; wrapped at `width` (by default not at all).
  static Style plain(std::size_t width = kNoWrap) { return Style(false, width); }

  std::string paint(std::string_view text, Tone tone) const;
  bool color() const { return color_; }
  // The column human output wraps at on this stream (kNoWrap when it is not a terminal).
  std::size_t width() const { return width_; }

 private:
  Style(bool color, std::size_t width) : color_(color), width_(width) {}
  bool color_;
  std::size_t width_;
};

// True when `stream` is a terminal.
bool is_terminal(std::FILE* stream);

}  // namespace cora
