#pragma once
// Progress of work that may take a while (building diff's expected schema, verify --rerun,
// several targets), for a person watching: one line on stderr, rewritten in place. Shown only
// when stderr is a terminal, only once the work has run for more than a second, and never when
// the command prints machine output or runs with --quiet (set_progress_allowed): a pipe, a log
// or a JSON reader never sees it. Erased when the work ends, so what follows starts clean.

#include <chrono>
#include <cstddef>
#include <string>

namespace cora {

// Set once, before any output: false for machine output and --quiet. Allowed by default.
void set_progress_allowed(bool allowed);

class Progress {
 public:
  // `task` starts the line: "building the expected schema".
  explicit Progress(std::string task);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // "TASK: DONE of TOTAL (ITEM)", once a second has passed since the work began.
  void update(std::size_t done, std::size_t total, const std::string& item = "");
  // Erases the line, before something else is printed on the terminal; the next update draws it again.
  void clear();

  // How long the work runs before the line appears.
  static constexpr std::chrono::milliseconds kShowAfter{1000};

 private:
  std::string task_;
  std::chrono::steady_clock::time_point started_;
  std::size_t shown_ = 0;  // the characters of the line on screen now, 0: none
  bool active_;            // stderr is a terminal and progress is allowed
};

}  // namespace cora
