#include "cora/output/terminal.hpp"

#include <fmt/color.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace cora {

namespace {

std::atomic<ColorMode> g_color_mode{ColorMode::automatic};

bool set_and_not(const char* name, const char* off_value) {
  const char* value = std::getenv(name);
  return value && *value && std::strcmp(value, off_value) != 0;
}

bool color_wanted(std::FILE* stream) {
  switch (g_color_mode.load()) {
    case ColorMode::always: return true;
    case ColorMode::never: return false;
    case ColorMode::automatic: break;
  }
  if (set_and_not("NO_COLOR", "")) return false;
  if (set_and_not("FORCE_COLOR", "0")) return true;
  const char* term = std::getenv("TERM");
  if (term && std::strcmp(term, "dumb") == 0) return false;
  return is_terminal(stream);
}

// A terminal's columns; 80 when it does not say (a serial line, some pseudo-terminals).
std::size_t terminal_columns(std::FILE* stream) {
  winsize size{};
  if (ioctl(fileno(stream), TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

}  // namespace

void set_color_mode(ColorMode mode) { g_color_mode = mode; }

bool is_terminal(std::FILE* stream) { return isatty(fileno(stream)) == 1; }

Style Style::for_stream(std::FILE* stream) {
  return Style(color_wanted(stream), is_terminal(stream) ? terminal_columns(stream) : kNoWrap);
}

std::string Style::paint(std::string_view text, Tone tone) const {
  if (!color_) return std::string(text);
  switch (tone) {
    case Tone::good: return fmt::format(fmt::fg(fmt::terminal_color::green), "{}", text);
    case Tone::bad: return fmt::format(fmt::fg(fmt::terminal_color::red), "{}", text);
    case Tone::warn: return fmt::format(fmt::fg(fmt::terminal_color::yellow), "{}", text);
    case Tone::dim: return fmt::format(fmt::emphasis::faint, "{}", text);
    case Tone::bold: return fmt::format(fmt::emphasis::bold, "{}", text);
    case Tone::plain: break;
  }
  return std::string(text);
}

}  // namespace cora
