#include "commands/old_spellings.hpp"

#include <cstdio>

namespace cora::cli {

namespace {

struct OldSpelling {
  const char* old_name;
  const char* new_name;
};

constexpr OldSpelling kOldSpellings[] = {
    {"--json", "--format json"},
    {"--target", "--to"},
};

}  // namespace

void add_old_json_flag(CLI::App& command, std::string& format) {
  command.add_flag_callback("--json", [&format] { format = "json"; })->group("");
}

void add_old_target_option(CLI::App& command, std::optional<std::string>& to) {
  command.add_option("--target", to)->group("");
}

void note_old_spellings(const CLI::App& app) {
  for (const CLI::App* command = &app; command;) {
    for (const auto& spelling : kOldSpellings) {
      const auto* option = command->get_option_no_throw(spelling.old_name);
      if (option && option->count() > 0) {
        std::fprintf(stderr, "cora-migrate: warning: %s is deprecated: use %s (the old spelling still works)\n",
                     spelling.old_name, spelling.new_name);
      }
    }
    const auto chosen = command->get_subcommands();
    command = chosen.empty() ? nullptr : chosen.front();
  }
}

}  // namespace cora::cli
