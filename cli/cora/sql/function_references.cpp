#include "cora/sql/function_references.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "cora/sql/body_collector.hpp"
#include "cora/sql/body_text.hpp"
#include "cora/sql/parser.hpp"
#include "cora/sql/plpgsql_names.hpp"
#include "cora/sql/plpgsql_neutralise.hpp"
#include "cora/sql/statement_names.hpp"
#include "cora/util/text_position.hpp"

// How this works, and what libpg_query 15-4.0 turned out to do:
//
// PL/pgSQL: pg_query_parse_plpgsql() only accepts a whole CREATE FUNCTION statement, so the body
// goes into `CREATE FUNCTION cora_probe(<arguments>) RETURNS <result> ... AS $tag$<body>$tag$`.
// Its JSON gives each statement's `lineno` counted from the start of the body (prosrc), not of
// the wrapper, so no correction is needed. Every PLpgSQL_expr `query` string found anywhere in
// that JSON is then parsed with pg_query_parse() and searched for RangeVars.
//
// Surprises handled here:
// * RangeVar-typed fields (INSERT/UPDATE/DELETE targets, INTO, REFERENCES) are printed WITHOUT
//   the {"RangeVar": ...} wrapper; only Node-typed fields (FROM lists) have it. A search for
//   "RangeVar" keys alone misses `INSERT INTO public.auth_event_log`, the very statement that
//   broke logins. Bare RangeVars are recognised by their fields.
// * libpg_query compiles every function as returning void, with NEW/OLD declared only when the
//   return type is spelled "trigger" and RETURN QUERY/NEXT allowed only with SETOF. Unknown
//   assignment/INTO targets (parameters) are errors. So the real signature is tried first, then
//   `RETURNS SETOF trigger`, which accepts NEW/OLD, RETURN expr, RETURN QUERY and RETURN NEXT expr.
// * Cursors (OPEN/FETCH/MOVE/CLOSE, FOR r IN cursor) fail ("must be of type cursor or refcursor":
//   types are never resolved) and RETURN NEXT without an expression fails even with OUT
//   parameters. When every wrapper fails, those statements are blanked out (same length, newlines
//   kept, OPEN c FOR <query> keeps the query) and the body is parsed again.
// * Expression texts: `v := (SELECT ...)` is stored with its target; PERFORM becomes SELECT (one
//   byte shorter); an INTO clause is replaced by as many spaces. Lines of names inside a
//   multi-line statement are found by matching the query text back into the body.
// * PL/pgSQL errors come without a position, and the "near line N" of their context lags behind
//   the error (by one or two lines), so parse_error carries the message alone.

namespace cora {

namespace {

using nlohmann::json;
using namespace body;

// ---- LANGUAGE sql ------------------------------------------------------------------------------

BodyAnalysis analyse_sql_body(const std::string& body) {
  Collector collector;
  std::string error;
  int cursor = 0;
  const auto names = names_in_sql(body, &error, &cursor);
  if (!names) {
    if (cursor > 0) {
      const auto at = line_column_at(body, byte_offset_of_character(body, cursor));
      error += " (line " + std::to_string(at.line) + ", column " + std::to_string(at.column) + ")";
    }
    collector.add_error(std::move(error));
    return std::move(collector).finish();
  }
  for (const auto& found : names->references) {
    const auto offset = static_cast<std::size_t>(std::max(found.location, 0));
    collector.add_reference(found.schema, found.name, line_of(body, offset), offset);
  }
  for (const auto& call : names->calls) {
    const auto offset = static_cast<std::size_t>(std::max(call.location, 0));
    collector.add_call(call.schema, call.name, line_of(body, offset), offset);
  }
  for (const auto& created : names->created) collector.add_created(created.schema, created.name);
  return std::move(collector).finish();
}

// ---- LANGUAGE plpgsql --------------------------------------------------------------------------

std::string dollar_tag_for(const std::string& body) {
  std::string tag = "cora_body";
  for (int n = 1; body.find(tag) != std::string::npos; ++n) tag = "cora_body_" + std::to_string(n);
  return tag;
}

// The message only: libpg_query loses the error position, and the "near line N" of its context
// often points a line or two before the error.
std::string plpgsql_error_message(const ParserError& error) {
  return error.message.empty() ? "cannot parse the PL/pgSQL body" : error.message;
}

BodyAnalysis analyse_plpgsql_body(const std::string& body, const FunctionSignature& signature) {
  const std::string tag = "$" + dollar_tag_for(body) + "$";
  std::vector<std::pair<std::string, std::string>> wrappers;  // (arguments, result)
  if (!trim(signature.result).empty()) wrappers.emplace_back(signature.arguments, signature.result);
  wrappers.emplace_back(signature.arguments, "SETOF trigger");
  if (!trim(signature.arguments).empty()) wrappers.emplace_back("", "SETOF trigger");

  std::optional<std::string> first_error;
  if (nests_too_deeply(body)) {
    BodyAnalysis failed;
    failed.parse_error = kTooDeep;
    return failed;
  }
  const auto attempt = [&](const std::string& text) -> std::optional<BodyAnalysis> {
    for (const auto& [arguments, result] : wrappers) {
      const std::string statement = "CREATE FUNCTION cora_probe(" + arguments + ") RETURNS " + result +
                                    " LANGUAGE plpgsql AS " + tag + text + tag;
      const PlpgsqlParseResult parse(statement);
      if (parse.error()) {
        if (!first_error) first_error = plpgsql_error_message(*parse.error());
        continue;
      }
      Collector collector;
      try {
        const json functions = json::parse(parse.json().empty() ? std::string_view("[]") : parse.json());
        for (const auto& function : functions) {
          if (function.is_object() && function.contains("PLpgSQL_function")) {
            collect_plpgsql_names(text, function["PLpgSQL_function"], collector);
          }
        }
      } catch (const json::exception& e) {
        collector.add_error(std::string("unreadable PL/pgSQL parse tree: ") + e.what());
      }
      return std::move(collector).finish();
    }
    return std::nullopt;
  };

  if (auto analysis = attempt(body)) return std::move(*analysis);
  if (const auto neutralised = neutralise_unsupported(body)) {
    if (auto analysis = attempt(*neutralised)) return std::move(*analysis);
  }
  BodyAnalysis failed;
  failed.parse_error = first_error.value_or("cannot parse the PL/pgSQL body");
  return failed;
}

}  // namespace

BodyAnalysis analyse_function_body(const std::string& language, const std::string& body,
                                   const FunctionSignature& signature) {
  const std::string lang = lower_ascii(trim(language));
  if (lang == "sql") return analyse_sql_body(body);
  if (lang == "plpgsql") return analyse_plpgsql_body(body, signature);
  BodyAnalysis unsupported;
  unsupported.parse_error = "LANGUAGE " + language + " bodies are not analysed";
  return unsupported;
}

}  // namespace cora
