#pragma once
// The names in a parsed PL/pgSQL function (libpg_query's PLpgSQL_function JSON): every
// expression's SQL parsed for relations and calls, %ROWTYPE/%TYPE declarations, dynamic EXECUTE,
// each with its line in the body.

#include <nlohmann/json.hpp>
#include <string>

#include "cora/sql/body_collector.hpp"

namespace cora::body {

// `body` is the text the function was parsed from (lines and offsets are counted in it).
void collect_plpgsql_names(const std::string& body, const nlohmann::json& function, Collector& collector);

}  // namespace cora::body
