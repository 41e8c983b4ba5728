#include "commands/unknown_command.hpp"

#include <fmt/format.h>

#include <vector>

#include "cora/util/nearest_name.hpp"

namespace cora::cli {

namespace {

// `name`'s option in `command` or a command it falls through to (global options may follow the
// command), or null.
const CLI::Option* find_option(CLI::App& command, const std::string& name) {
  for (CLI::App* at = &command; at != nullptr; at = at->get_parent()) {
    if (const auto* option = at->get_option_no_throw(name)) return option;
  }
  return nullptr;
}

// True when `arg` is an option of `command` (or of a command it falls through to) that takes a
// value in the next argument.
bool takes_separate_value(CLI::App& command, const std::string& arg) {
  if (arg.rfind("--", 0) == 0 && arg.find('=') != std::string::npos) return false;
  if (arg.size() != 2 && arg.rfind("--", 0) != 0) return false;  // -abc: flags or -xVALUE
  const auto* option = find_option(command, arg);
  return option != nullptr && option->get_items_expected_min() > 0;  // flags expect none
}

// "--name" of "--name=value"; "-x" of "-xVALUE".
std::string option_name(const std::string& arg) {
  if (arg.rfind("--", 0) == 0) return arg.substr(0, arg.find('='));
  return arg.substr(0, 2);
}

// The long option of `command` (or of a command it falls through to) nearest to `name`:
// "--database-url" for "--databse-url"; empty when none is near (util/nearest_name).
std::string closest_option(CLI::App& command, const std::string& name) {
  std::vector<std::string> names;
  for (CLI::App* at = &command; at != nullptr; at = at->get_parent()) {
    for (const auto* option : at->get_options()) {
      for (const auto& long_name : option->get_lnames()) names.push_back("--" + long_name);
    }
  }
  return nearest_name(name, names).value_or("");
}

}  // namespace

std::optional<std::string> unknown_option_message(CLI::App& app, int argc, char** argv) {
  CLI::App* command = &app;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() > 1 && arg.front() == '-') {
      const std::string name = option_name(arg);
      if (find_option(*command, name) == nullptr) {
        const auto closest = closest_option(*command, name);
        return fmt::format("unknown option {}{}", name, closest.empty() ? "" : " (did you mean " + closest + "?)");
      }
      if (takes_separate_value(*command, arg)) ++i;
      continue;
    }
    for (auto* sub : command->get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->check_name(arg)) {
        command = sub;
        break;
      }
    }
  }
  return std::nullopt;
}

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
