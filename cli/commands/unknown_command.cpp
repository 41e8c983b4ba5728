#include "commands/unknown_command.hpp"

#include <fmt/format.h>

#include "cora/util/nearest_name.hpp"

namespace cora::cli {

namespace {

// True when `arg` is one of app's options that takes a value in the next argument.
bool takes_separate_value(CLI::App& app, const std::string& arg) {
  if (arg.rfind("--", 0) == 0 && arg.find('=') != std::string::npos) return false;
  if (arg.size() != 2 && arg.rfind("--", 0) != 0) return false;  // -abc: flags or -xVALUE
  const auto* option = app.get_option_no_throw(arg);
  return option != nullptr && option->get_items_expected_min() > 0;  // flags expect none
}

}  // namespace

std::string command_names(const CLI::App& app) {
  std::string names;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  return names;
}

std::optional<std::string> unknown_command_message(CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (!arg.empty() && arg.front() == '-') {
      if (takes_separate_value(app, arg)) ++i;
      continue;
    }
    for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->check_name(arg)) return std::nullopt;
    }
    std::vector<std::string> names;
    for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
    return fmt::format("unknown command \"{}\" ({}commands: {})", arg, did_you_mean(arg, names), command_names(app));
  }
  return fmt::format("no command given (commands: {})", command_names(app));
}

}  // namespace cora::cli
