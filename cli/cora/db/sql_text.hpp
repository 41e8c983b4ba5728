#pragma once
// SQL text built from names and values for the statements cora-migrate sends itself (probes,
// catalog queries, restore scripts). No connection needed, so libpq's PQescape* cannot serve:
// these follow PostgreSQL's rules with standard_conforming_strings on (the default since 9.1).

#include <string>
#include <vector>

namespace cora {

// "name" -> "\"name\"", doubling any '"'.
std::string quote_identifier(const std::string& name);
// The same, left bare when PostgreSQL would read it unchanged (lower case, digits, _).
std::string quote_identifier_if_needed(const std::string& name);
// "schema.name" -> "\"schema\".\"name\"" (split at the first dot).
std::string quote_qualified(const std::string& dotted);
// 'text', doubling any "'".
std::string quote_literal(const std::string& text);
// A text[] literal: {"a","b"} with '"' and '\' escaped, to pass as one parameter.
std::string text_array_literal(const std::vector<std::string>& items);

}  // namespace cora
