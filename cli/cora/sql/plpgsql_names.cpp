#include "cora/sql/plpgsql_names.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "cora/sql/body_text.hpp"
#include "cora/sql/json_fields.hpp"
#include "cora/sql/statement_names.hpp"

namespace cora::body {

namespace {

using nlohmann::json;

// Offset in `body` of `query[location]`, where `query` is text PL/pgSQL copied from the body for a
// statement starting on `statement_line`: verbatim except for blanked INTO clauses, so spaces in
// the query match anything. The line of `query` holding `location` must match as a whole.
std::optional<std::size_t> locate_in_body(std::string_view body, int statement_line, std::string_view query,
                                          std::size_t location) {
  const std::size_t search_from = offset_of_line(body, statement_line);
  if (search_from == std::string_view::npos || location >= query.size()) return std::nullopt;
  const std::size_t previous_newline = query.rfind('\n', location);
  const std::size_t window_start = previous_newline == std::string_view::npos ? 0 : previous_newline + 1;
  const std::size_t window_end = std::min(query.find('\n', location), query.size());
  const std::size_t before = location - window_start;
  const std::size_t after = window_end - location;
  const char first = lower_char(query[location]);
  for (std::size_t at = std::max(search_from, before); at + after <= body.size(); ++at) {
    if (lower_char(body[at]) != first) continue;
    bool matches = true;
    for (std::size_t i = window_start; i < window_end && matches; ++i) {
      const char q = query[i];
      matches = q == ' ' || lower_char(q) == lower_char(body[at - location + i]);
    }
    if (matches) return at;
  }
  return std::nullopt;
}

class PlpgsqlWalker {
 public:
  PlpgsqlWalker(const std::string& body, Collector& collector) : body_(body), collector_(collector) {}

  void analyse_function(const json& function) {
    // Variable names, so that `v%TYPE` / `rec.field%TYPE` are not taken for tables.
    if (function.contains("datums") && function["datums"].is_array()) {
      for (const auto& datum : function["datums"]) {
        if (!datum.is_object()) continue;
        for (auto it = datum.begin(); it != datum.end(); ++it) {
          if (it.value().is_object()) variables_.insert(lower_ascii(string_field(it.value(), "refname")));
        }
      }
    }
    walk(function, 0, {});
  }

 private:
  // Every node, whatever its type: `line` is the nearest enclosing `lineno`, `statement` the
  // nearest enclosing PLpgSQL_stmt_* node type.
  void walk(const json& j, int line, std::string_view statement) {
    if (j.is_array()) {
      for (const auto& element : j) walk(element, line, statement);
      return;
    }
    if (!j.is_object()) return;
    line = int_field(j, "lineno", line);
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& key = it.key();
      const json& value = it.value();
      if (key == "PLpgSQL_expr") {
        if (value.is_object()) analyse_expression(string_field(value, "query"), line, statement);
        continue;
      }
      if (key == "PLpgSQL_type") {
        if (value.is_object() && line > 0) analyse_type(string_field(value, "typname"), line);
        continue;
      }
      if (key == "PLpgSQL_stmt_dynexecute" || key == "PLpgSQL_stmt_dynfors") {
        collector_.add_dynamic(value.is_object() ? int_field(value, "lineno", line) : line);
      } else if (key == "dynquery") {  // RETURN QUERY EXECUTE, OPEN ... FOR EXECUTE
        collector_.add_dynamic(line);
      }
      walk(value, line, key.rfind("PLpgSQL_stmt_", 0) == 0 ? std::string_view(key) : statement);
    }
  }

  void analyse_expression(const std::string& query, int line, std::string_view statement) {
    if (trim(query).empty()) return;
    // (text to parse, offset to add to a location in it to get one in `query`)
    std::vector<std::pair<std::string, int>> attempts;
    attempts.emplace_back(query, 0);               // a statement
    attempts.emplace_back("SELECT " + query, -7);  // an expression
    std::size_t assign = query.find(":=");         // `target := expr`
    std::size_t skip = 2;
    if (assign == std::string::npos) {
      assign = query.find('=');  // `target = expr`
      skip = 1;
    }
    if (assign != std::string::npos) {
      attempts.emplace_back("SELECT " + query.substr(assign + skip), static_cast<int>(assign + skip) - 7);
    }

    std::string first_error;
    for (const auto& [text, shift] : attempts) {
      std::string error;
      const auto names = names_in_sql(text, &error, nullptr);
      if (!names) {
        if (first_error.empty()) first_error = error;
        continue;
      }
      for (const auto& found : names->references) {
        const auto offset = offset_in_body(query, found.location + shift, line, statement);
        if (offset) {
          collector_.add_reference(found.schema, found.name, line_of(body_, *offset), *offset);
        } else {  // the statement's line, after any name located on it
          collector_.add_reference(found.schema, found.name, line, body_.size());
        }
      }
      for (const auto& call : names->calls) {
        const auto offset = offset_in_body(query, call.location + shift, line, statement);
        if (offset) {
          collector_.add_call(call.schema, call.name, line_of(body_, *offset), *offset);
        } else {
          collector_.add_call(call.schema, call.name, line, body_.size());
        }
      }
      for (const auto& created : names->created) collector_.add_created(created.schema, created.name);
      return;
    }
    std::string excerpt(trim(query).substr(0, 60));
    std::replace(excerpt.begin(), excerpt.end(), '\n', ' ');
    collector_.add_error("line " + std::to_string(line) + ": cannot parse \"" + excerpt + "\": " + first_error);
  }

  std::optional<std::size_t> offset_in_body(const std::string& query, int location, int line,
                                            std::string_view statement) const {
    if (location < 0 || line < 1) return std::nullopt;
    std::string located = query;
    auto at = static_cast<std::size_t>(location);
    // PERFORM x is stored as "SELECT x": put the keyword back so offsets match the body again.
    if (statement == "PLpgSQL_stmt_perform" && located.rfind("SELECT", 0) == 0) {
      located = "PERFORM" + located.substr(6);
      ++at;
    }
    return locate_in_body(body_, line, located, at);
  }

  // `r public.users%ROWTYPE`, `v users.id%TYPE`: resolved against the catalog at first call too.
  void analyse_type(const std::string& typname, int line) {
    const std::size_t percent = typname.rfind('%');
    if (percent == std::string::npos) return;
    const std::string suffix = lower_ascii(trim(std::string_view(typname).substr(percent + 1)));
    const auto parts = split_qualified_name(std::string_view(typname).substr(0, percent));
    if (suffix == "rowtype") {
      if (parts.size() == 1) collector_.add_reference("", parts[0], line, 0);
      if (parts.size() == 2) collector_.add_reference(parts[0], parts[1], line, 0);
    } else if (suffix == "type") {
      if (parts.size() == 2 && variables_.count(parts[0]) == 0) collector_.add_reference("", parts[0], line, 0);
      if (parts.size() == 3) collector_.add_reference(parts[0], parts[1], line, 0);
    }
  }

  const std::string& body_;
  Collector& collector_;
  std::set<std::string> variables_;
};

}  // namespace

void collect_plpgsql_names(const std::string& body, const nlohmann::json& function, Collector& collector) {
  PlpgsqlWalker(body, collector).analyse_function(function);
}

}  // namespace cora::body
