#include "cora/output/progress.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cstdio>

#include "cora/output/terminal.hpp"

namespace cora {

namespace {

std::atomic<bool> progress_allowed{true};

}  // namespace

void set_progress_allowed(bool allowed) { progress_allowed = allowed; }

Progress::Progress(std::string task)
    : task_(std::move(task)),
      started_(std::chrono::steady_clock::now()),
      active_(progress_allowed && is_terminal(stderr)) {}

Progress::~Progress() { clear(); }

void Progress::update(std::size_t done, std::size_t total, const std::string& item) {
  if (!active_ || std::chrono::steady_clock::now() - started_ < kShowAfter) return;
  std::string line = fmt::format("{}: {} of {}", task_, done, total);
  if (!item.empty()) line += fmt::format(" ({})", item);
  // A line longer than the terminal would wrap, and a carriage return would then not reach its start.
  const std::size_t width = Style::for_stream(stderr).width();
  if (width != kNoWrap && line.size() >= width) {
    line.resize(width > 1 ? width - 1 : 0);
    // Not inside a UTF-8 character: drop its continuation bytes and its first byte.
    while (!line.empty() && (static_cast<unsigned char>(line.back()) & 0xC0) == 0x80) line.pop_back();
    if (!line.empty() && (static_cast<unsigned char>(line.back()) & 0x80) != 0) line.pop_back();
  }
  const std::size_t padding = shown_ > line.size() ? shown_ - line.size() : 0;
  std::fprintf(stderr, "\r%s%s", line.c_str(), std::string(padding, ' ').c_str());
  std::fflush(stderr);
  shown_ = line.size();
}

void Progress::clear() {
  if (shown_ == 0) return;
  std::fprintf(stderr, "\r%s\r", std::string(shown_, ' ').c_str());
  std::fflush(stderr);
  shown_ = 0;
}

}  // namespace cora
