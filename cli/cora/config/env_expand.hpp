#pragma once
#include <functional>
#include <optional>
#include <string>

namespace cora {

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment, as an EnvLookup.
EnvLookup process_environment();

// Replaces each ${NAME} in `text` with the variable's value; "$$" stands for "$".
// Throws std::invalid_argument naming the variable when it is unset or the syntax is broken.
std::string expand_variables(const std::string& text, const EnvLookup& lookup);

}  // namespace cora
