#pragma once
// A .env file, read as dbmate reads one (godotenv's format): KEY=VALUE lines, `export ` allowed
// in front, # comments, 'single quotes' taken as written, "double quotes" with the escapes
// \n \t \" and \\ read, and ${NAME} / $NAME in unquoted and double-quoted values replaced by an earlier
// line's or the environment's value (empty when neither has it). Variables already set in the
// environment win over the file, as in dbmate. No Debian package parses this format.

#include <filesystem>
#include <map>
#include <string>

#include "cora/config/env_expand.hpp"

namespace cora {

// The file's variables. Throws cora::Error (config) naming file:line for a line that is not
// KEY=VALUE or an unterminated quote, and for a file that cannot be read.
std::map<std::string, std::string> read_env_file(const std::filesystem::path& file, const EnvLookup& env);

// Parses `text` as the .env file `file_name` (for messages).
std::map<std::string, std::string> parse_env_text(const std::string& text, const std::string& file_name,
                                                  const EnvLookup& env);

// `env`, and for a variable it does not have, `file_values`.
EnvLookup with_env_file(EnvLookup env, std::map<std::string, std::string> file_values);

}  // namespace cora
