#pragma once
// Typed, strict reading of TOML tables: every error names the file, line and key.

#include <toml++/toml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "cora/error.hpp"

namespace cora {

class TomlReader {
 public:
  explicit TomlReader(std::string file_name, ExitCode code = ExitCode::config)
      : file_name_(std::move(file_name)), code_(code) {}

  const std::string& file_name() const { return file_name_; }

  // Parses `text`; a syntax error becomes cora::Error with file:line:column.
  toml::table parse(const std::string& text) const;

  [[noreturn]] void fail(const toml::node& node, const std::string& key, const std::string& what) const;

  void reject_unknown_keys(const toml::table& table, const std::string& prefix,
                           std::initializer_list<const char*> known) const;

  std::optional<std::string> optional_string(const toml::table& table, const char* key,
                                             const std::string& prefix) const;
  std::string required_string(const toml::table& table, const char* key, const std::string& prefix) const;
  std::optional<bool> optional_bool(const toml::table& table, const char* key, const std::string& prefix) const;
  std::optional<std::vector<std::string>> optional_strings(const toml::table& table, const char* key,
                                                           const std::string& prefix) const;
  // The array of tables at `key` ([[key]]), or empty.
  std::vector<const toml::table*> tables_at(const toml::table& table, const char* key, const std::string& prefix) const;

  static int line_of(const toml::node& node) { return static_cast<int>(node.source().begin.line); }
  static std::string type_name(const toml::node& node);

 private:
  std::string file_name_;
  ExitCode code_;
};

}  // namespace cora
