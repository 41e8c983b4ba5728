#include "cora/sql/function_references.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

#include "cora/sql/nesting.hpp"
#include "cora/sql/parser.hpp"
#include "cora/sql/tokens.hpp"
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

// libpg_query prints, and we walk, parse trees by recursion: deeper ones are not parsed
// (sql/nesting.hpp).
constexpr const char* kTooDeep = "nests too deeply to analyse";

bool nests_too_deeply(const std::string& sql) {
  const auto tokens = scan_sql_tokens(sql);
  return tokens && nesting_bound(*tokens).levels > kMaxNesting;
}

// ---- small text helpers -----------------------------------------------------------------------

char lower_char(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower_char(c);
  return out;
}

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

bool is_identifier_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || u >= 0x80;
}

int line_of(std::string_view text, std::size_t offset) { return line_column_at(text, offset).line; }

// Byte offset where 1-based `line` starts, or npos.
std::size_t offset_of_line(std::string_view text, int line) {
  if (line < 1) return std::string_view::npos;
  std::size_t offset = 0;
  for (int at = 1; at < line; ++at) {
    offset = text.find('\n', offset);
    if (offset == std::string_view::npos) return offset;
    ++offset;
  }
  return offset;
}

int int_field(const json& object, const char* key, int fallback) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return fallback;
  return it->get<int>();
}

std::string string_field(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

bool bool_field(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

// `"My Schema".Users` -> {"My Schema", "users"}: PostgreSQL's folding. Empty when malformed.
std::vector<std::string> split_qualified_name(std::string_view text) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  const auto skip_blanks = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  };
  while (true) {
    skip_blanks();
    std::string part;
    if (i < text.size() && text[i] == '"') {
      ++i;
      while (true) {
        if (i >= text.size()) return {};
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            part += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        part += text[i++];
      }
    } else {
      while (i < text.size() && is_identifier_char(text[i])) part += lower_char(text[i++]);
    }
    if (part.empty()) return {};
    parts.push_back(std::move(part));
    skip_blanks();
    if (i == text.size()) return parts;
    if (text[i] != '.') return {};
    ++i;
  }
}

// ---- RangeVars in a parsed SQL statement -------------------------------------------------------

struct FoundName {
  std::string schema;
  std::string name;
  int location = 0;  // byte offset in the parsed text
};

struct SqlNames {
  std::vector<FoundName> references;
  std::vector<FoundName> calls;    // FuncCall names
  std::vector<FoundName> created;  // CREATE TABLE x, SELECT INTO x, ...: not expected to exist
};

// Fields typed RangeVar* are printed without the {"RangeVar": ...} wrapper.
bool is_bare_range_var(const json& j) {
  return j.is_object() && j.contains("relname") && j["relname"].is_string() && j.contains("relpersistence");
}

bool is_node_name(const std::string& key) { return !key.empty() && key[0] >= 'A' && key[0] <= 'Z'; }

// (node, field) pairs whose RangeVar names what the statement creates.
bool is_creation_target(std::string_view kind, std::string_view key) {
  return (kind == "CreateStmt" && key == "relation") || (kind == "IntoClause" && key == "rel") ||
         (kind == "ViewStmt" && key == "view") || (kind == "CreateSeqStmt" && key == "sequence") ||
         (kind == "CompositeTypeStmt" && key == "typevar");
}

class RangeVarWalker {
 public:
  explicit RangeVarWalker(SqlNames& out) : out_(out) {}

  // `kind`: the node type `j` is the body of ("SelectStmt"), or empty.
  void walk(const json& j, const std::vector<std::string>& ctes, std::string_view kind) {
    if (j.is_array()) {
      for (const auto& element : j) walk(element, ctes, {});
      return;
    }
    if (!j.is_object()) return;
    if (is_bare_range_var(j)) {
      record(j, ctes, false);
      return;
    }
    if (kind == "FuncCall") record_call(j);

    // WITH a AS (...), b AS (...): b sees a; the main statement sees both; RECURSIVE: all see all.
    std::vector<std::string> scope = ctes;
    const auto with = j.find("withClause");
    const bool has_with = with != j.end() && with->is_object();
    if (has_with) {
      const json no_ctes = json::array();
      const auto ctes_it = with->find("ctes");
      const json& cte_list = (ctes_it != with->end() && ctes_it->is_array()) ? *ctes_it : no_ctes;
      const bool recursive = bool_field(*with, "recursive");
      std::vector<std::string> names;
      for (const auto& cte : cte_list) {
        names.push_back(cte.contains("CommonTableExpr") ? string_field(cte["CommonTableExpr"], "ctename") : "");
      }
      for (std::size_t i = 0; i < cte_list.size(); ++i) {
        std::vector<std::string> inner = ctes;
        const std::size_t visible = recursive ? names.size() : i;
        inner.insert(inner.end(), names.begin(), names.begin() + static_cast<std::ptrdiff_t>(visible));
        walk(cte_list[i], inner, {});
      }
      scope.insert(scope.end(), names.begin(), names.end());
    }

    const bool missing_ok = bool_field(j, "missing_ok");  // ALTER TABLE IF EXISTS x
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& key = it.key();
      if (has_with && key == "withClause") continue;
      if (key == "lockedRels") continue;  // FOR UPDATE OF <alias>: names aliases, not tables
      if (key == "RangeVar") {
        record(it.value(), scope, false);
        continue;
      }
      if (key == "FuncCall") record_call(it.value());
      if (is_creation_target(kind, key)) {
        if (is_bare_range_var(it.value())) record(it.value(), scope, true);
        continue;
      }
      if (missing_ok && key == "relation") continue;
      std::string_view child_kind;
      if (key == "into" || key == "intoClause") {
        child_kind = "IntoClause";
      } else if (key == "base") {
        child_kind = "CreateStmt";  // CREATE FOREIGN TABLE
      } else if (is_node_name(key)) {
        child_kind = key;
      }
      walk(it.value(), scope, child_kind);
    }
  }

 private:
  void record(const json& range_var, const std::vector<std::string>& ctes, bool created) {
    if (!range_var.is_object()) return;
    FoundName found{string_field(range_var, "schemaname"), string_field(range_var, "relname"),
                    int_field(range_var, "location", 0)};
    if (found.name.empty()) return;
    if (created) {
      out_.created.push_back(std::move(found));
      return;
    }
    if (found.schema.empty() && std::find(ctes.begin(), ctes.end(), found.name) != ctes.end()) return;
    out_.references.push_back(std::move(found));
  }

  // funcname is a list of {"String": {"sval": ...}}: [schema,] name.
  void record_call(const json& call) {
    if (!call.is_object()) return;
    const auto names = call.find("funcname");
    if (names == call.end() || !names->is_array() || names->empty()) return;
    std::vector<std::string> parts;
    for (const auto& part : *names) {
      const auto str = part.find("String");
      if (str == part.end()) return;
      parts.push_back(string_field(*str, "sval"));
    }
    const std::string schema = parts.size() > 1 ? parts[parts.size() - 2] : std::string();
    out_.calls.push_back({schema, parts.back(), int_field(call, "location", 0)});
  }

  SqlNames& out_;
};

// nullopt and `error` set when `sql` does not parse.
std::optional<SqlNames> names_in_sql(const std::string& sql, std::string* error, int* error_cursor) {
  if (nests_too_deeply(sql)) {
    if (error) *error = kTooDeep;
    if (error_cursor) *error_cursor = 0;
    return std::nullopt;
  }
  const SqlParseResult parse(sql);
  if (const auto& failure = parse.error()) {
    if (error) *error = failure->message.empty() ? "syntax error" : failure->message;
    if (error_cursor) *error_cursor = failure->cursor;
    return std::nullopt;
  }
  SqlNames names;
  RangeVarWalker walker(names);
  try {
    walker.walk(json::parse(parse.json().empty() ? std::string_view("{}") : parse.json()), {}, {});
  } catch (const json::exception& e) {
    if (error) *error = std::string("unreadable parse tree: ") + e.what();
    if (error_cursor) *error_cursor = 0;
    return std::nullopt;
  }
  return names;
}

// ---- Result assembly ---------------------------------------------------------------------------

class Collector {
 public:
  // `order`: byte offset in the body, to order names on one line as they are written.
  void add_reference(std::string schema, std::string name, int line, std::size_t order) {
    if (line < 1) line = 1;
    if (seen_.emplace(schema, name, line).second) {
      relations_.push_back({RelationReference{std::move(schema), std::move(name), line}, order});
    }
  }
  void add_call(std::string schema, std::string name, int line, std::size_t order) {
    if (line < 1) line = 1;
    if (seen_calls_.emplace(schema, name, line).second) {
      calls_.push_back({FunctionCall{std::move(schema), std::move(name), line}, order});
    }
  }
  void add_created(std::string schema, std::string name) { created_.emplace_back(std::move(schema), std::move(name)); }
  void add_dynamic(int line) { dynamic_lines_.insert(line < 1 ? 1 : line); }
  void add_error(std::string message) {
    if (!error_) error_ = std::move(message);
  }

  BodyAnalysis finish() && {
    BodyAnalysis result;
    std::stable_sort(relations_.begin(), relations_.end(), [](const Ordered& a, const Ordered& b) {
      return std::tie(a.reference.line, a.order) < std::tie(b.reference.line, b.order);
    });
    for (auto& entry : relations_) {
      auto& reference = entry.reference;
      const bool created_here = std::any_of(created_.begin(), created_.end(), [&](const auto& created) {
        return created.second == reference.name && (reference.schema.empty() || reference.schema == created.first);
      });
      if (!created_here) result.relations.push_back(std::move(reference));
    }
    std::stable_sort(calls_.begin(), calls_.end(), [](const OrderedCall& a, const OrderedCall& b) {
      return std::tie(a.call.line, a.order) < std::tie(b.call.line, b.order);
    });
    for (auto& entry : calls_) result.calls.push_back(std::move(entry.call));
    for (const int line : dynamic_lines_) result.dynamic_sql.push_back(DynamicSql{line});
    result.parse_error = std::move(error_);
    return result;
  }

 private:
  struct Ordered {
    RelationReference reference;
    std::size_t order = 0;
  };
  struct OrderedCall {
    FunctionCall call;
    std::size_t order = 0;
  };
  std::vector<Ordered> relations_;
  std::set<std::tuple<std::string, std::string, int>> seen_;
  std::vector<OrderedCall> calls_;
  std::set<std::tuple<std::string, std::string, int>> seen_calls_;
  std::vector<std::pair<std::string, std::string>> created_;
  std::set<int> dynamic_lines_;
  std::optional<std::string> error_;
};

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

struct Token {
  std::size_t start = 0;
  std::size_t end = 0;
  int kind = 0;
};

// The SQL scanner's tokens (PL/pgSQL uses the same scanner), comments left out.
std::optional<std::vector<Token>> scan_tokens(const std::string& text) {
  const auto scanned = scan_sql_tokens(text);
  if (!scanned) return std::nullopt;
  std::vector<Token> tokens;
  tokens.reserve(scanned->size());
  for (const auto& t : *scanned) tokens.push_back({t.start, t.end, t.kind});
  return tokens;
}

// The body with what libpg_query 15-4.0 cannot parse blanked out, byte offsets and newlines kept:
// OPEN c FOR <query> -> <query>; OPEN/FETCH/MOVE/CLOSE -> NULL; FOR r IN cursor LOOP -> LOOP;
// RETURN NEXT; -> RETURN;. nullopt when there is nothing to change.
std::optional<std::string> neutralise_unsupported(const std::string& body) {
  const auto tokens = scan_tokens(body);
  if (!tokens) return std::nullopt;
  const auto& t = *tokens;
  const auto text = [&](std::size_t i) -> std::string_view {
    if (i >= t.size()) return {};
    return std::string_view(body).substr(t[i].start, t[i].end - t[i].start);
  };
  const auto word = [&](std::size_t i) { return lower_ascii(text(i)); };
  const auto name = [&](std::size_t i) {
    const auto parts = split_qualified_name(text(i));
    return parts.size() == 1 ? parts[0] : std::string();
  };

  std::string out = body;
  bool changed = false;
  const auto blank = [&](std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to && k < out.size(); ++k) {
      if (out[k] != '\n') out[k] = ' ';
    }
    changed = true;
  };

  std::set<std::string> cursors;  // DECLARE c [NO] [SCROLL] CURSOR ...
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    std::size_t k = i + 1;
    if (word(k) == "no") ++k;
    if (word(k) == "scroll") ++k;
    if (word(k) == "cursor" && !name(i).empty()) cursors.insert(name(i));
  }

  const auto statement_start = [&](std::size_t i) {
    if (i == 0) return true;
    const auto previous = word(i - 1);
    return previous == ";" || previous == "begin" || previous == "loop" || previous == "then" || previous == "else";
  };
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto w = word(i);
    if ((w == "open" || w == "fetch" || w == "move" || w == "close") && statement_start(i)) {
      std::size_t semicolon = i + 1;
      for (int depth = 0; semicolon < t.size(); ++semicolon) {
        const auto s = text(semicolon);
        if (s == "(") ++depth;
        if (s == ")") --depth;
        if (s == ";" && depth <= 0) break;
      }
      if (semicolon >= t.size()) continue;
      if (w == "open") {
        std::size_t k = i + 2;
        if (word(k) == "no") ++k;
        if (word(k) == "scroll") ++k;
        if (word(k) == "for" && k < semicolon) {  // keep the query (or EXECUTE ...) after FOR
          blank(t[i].start, t[k].end);
          i = k;
          continue;
        }
      }
      out.replace(t[i].start, 4, "NULL");
      blank(t[i].start + 4, t[semicolon].start);
      i = semicolon;
    } else if (w == "for" && word(i + 2) == "in" && cursors.count(name(i + 3)) != 0) {
      std::size_t k = i + 4;
      if (text(k) == "(") {
        for (int depth = 0; k < t.size(); ++k) {
          if (text(k) == "(") ++depth;
          if (text(k) == ")" && --depth == 0) break;
        }
        ++k;
      }
      if (word(k) == "loop") blank(t[i].start, t[k].start);
    } else if (w == "return" && word(i + 1) == "next" && text(i + 2) == ";") {
      blank(t[i + 1].start, t[i + 1].end);
    }
  }
  if (!changed) return std::nullopt;
  return out;
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
    attempts.emplace_back(query, 0);                // a statement
    attempts.emplace_back("SELECT " + query, -7);   // an expression
    std::size_t assign = query.find(":=");          // `target := expr`
    std::size_t skip = 2;
    if (assign == std::string::npos) {
      assign = query.find('=');                     // `target = expr`
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
        PlpgsqlWalker walker(text, collector);
        for (const auto& function : functions) {
          if (function.is_object() && function.contains("PLpgSQL_function")) {
            walker.analyse_function(function["PLpgSQL_function"]);
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
