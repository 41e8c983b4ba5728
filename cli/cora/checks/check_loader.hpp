#pragma once
#include <filesystem>
#include <string>

#include "cora/checks/check_model.hpp"

namespace cora {

// Every *.toml in `dir`, in name order. A missing folder is no checks. Throws cora::Error
// (config) naming file, line and key for TOML errors, unknown kinds or keys, and wrong types.
CheckSet load_checks(const std::filesystem::path& dir);

// One file's text; `file_name` is used in messages. Appends to `into`.
void parse_check_text(const std::string& text, const std::string& file_name, CheckSet& into);

}  // namespace cora
