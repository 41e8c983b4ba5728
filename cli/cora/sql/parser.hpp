#pragma once
// PostgreSQL's parser (libpg_query) behind one door: the parse of a SQL text or of a PL/pgSQL
// function, each as libpg_query's JSON, freed when the result goes. The scanner is tokens.hpp.
// No other file of the project includes pg_query.h.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cora {

struct ParserError {
  std::string message;  // empty when libpg_query gave none
  int cursor = 0;       // 1-based character position in the parsed text; 0 when unknown
};

// pg_query_parse: {"version": N, "stmts": [{"stmt": {TYPE: NODE}, "stmt_location": N, ...}]}.
class SqlParseResult {
 public:
  explicit SqlParseResult(const std::string& sql);
  ~SqlParseResult();
  SqlParseResult(const SqlParseResult&) = delete;
  SqlParseResult& operator=(const SqlParseResult&) = delete;

  const std::optional<ParserError>& error() const { return error_; }
  std::string_view json() const { return json_; }  // "" after an error; lives as long as this

 private:
  struct Raw;
  Raw* raw_;
  std::optional<ParserError> error_;
  std::string_view json_;
};

// pg_query_parse_plpgsql of a whole CREATE FUNCTION statement: [{"PLpgSQL_function": ...}].
class PlpgsqlParseResult {
 public:
  explicit PlpgsqlParseResult(const std::string& create_function);
  ~PlpgsqlParseResult();
  PlpgsqlParseResult(const PlpgsqlParseResult&) = delete;
  PlpgsqlParseResult& operator=(const PlpgsqlParseResult&) = delete;

  const std::optional<ParserError>& error() const { return error_; }
  std::string_view json() const { return json_; }

 private:
  struct Raw;
  Raw* raw_;
  std::optional<ParserError> error_;
  std::string_view json_;
};

// The PostgreSQL version whose parser libpg_query carries, e.g. "15.1".
const char* postgres_parser_version();

}  // namespace cora
