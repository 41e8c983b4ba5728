#pragma once
// Which DEFAULT expressions PostgreSQL must evaluate once per row. Since PostgreSQL 11, ADD COLUMN
// with a non-volatile default (a constant, now(), current_date, ...) stores the value once in the
// catalog; a volatile one (clock_timestamp(), random(), gen_random_uuid(), nextval()) rewrites the
// table and its indexes under an ACCESS EXCLUSIVE lock.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cora/lint/schema_state.hpp"

namespace cora::lint {

// Volatile functions of pg_catalog (PostgreSQL 15-18) that show up in defaults; extensions'
// volatile generators (uuid-ossp, pgcrypto) are listed apart, as they live in any schema.
const std::vector<std::string_view>& volatile_catalog_functions();
const std::vector<std::string_view>& volatile_extension_functions();

struct VolatileCall {
  std::string name;                      // as written, e.g. "clock_timestamp()", "extensions.uuid_generate_v4()"
  const nlohmann::json* call = nullptr;  // the FuncCall node, inside `expression`
};

// The first function call in `expression` (a raw parse tree) that is volatile: a function the
// migrations define as VOLATILE (the default), or else a known volatile built-in.
std::optional<VolatileCall> first_volatile_call(const nlohmann::json& expression, const SchemaState& state);

}  // namespace cora::lint
