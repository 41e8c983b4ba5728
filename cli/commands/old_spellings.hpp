#pragma once
// Flags renamed so that one thing has one name: the old spellings still work, hidden from help,
// and a run that uses one says so once on stderr (never on stdout, which may be a document).

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace cora::cli {

// `--json`, the older spelling of `--format json`: a hidden flag that sets `format` to "json".
void add_old_json_flag(CLI::App& command, std::string& format);

// `--target`, the older spelling of `--to VERSION` (a migration; "target" now names a database).
void add_old_target_option(CLI::App& command, std::optional<std::string>& to);

// After parsing: one line on stderr for each old spelling the command line used, naming the new one.
void note_old_spellings(const CLI::App& app);

}  // namespace cora::cli
