#pragma once
// What differs between the schema the files build and a live one: objects missing from the
// database, objects no file creates (extra), and objects whose attributes differ. Pure.

#include <string>
#include <vector>

#include "cora/diff/schema_snapshot.hpp"

namespace cora {

enum class DifferenceKind { missing, extra, changed };

const char* to_string(DifferenceKind kind);

struct AttributeDifference {
  std::string attribute;
  std::string expected;  // what the files say ("" when it does not apply)
  std::string actual;    // what the database has
};

struct SchemaDifference {
  DifferenceKind kind = DifferenceKind::changed;
  const SchemaObject* expected = nullptr;       // null when extra
  const SchemaObject* actual = nullptr;         // null when missing
  std::vector<AttributeDifference> attributes;  // changed only

  const SchemaObject& object() const { return expected ? *expected : *actual; }
};

struct CompareOptions {
  std::vector<std::string> managed_schemas;  // extensions outside them are compared only when the files create them
  std::vector<std::string> ignore;           // glob patterns ("public.legacy_*", "extension:pg_stat_statements")
  bool compare_deparsed = true;              // false across major versions: see is_deparsed_attribute
};

// In the order their fixes can run: extensions and types first, grants and policies last, then
// extra objects, dependents first. A missing or extra table stands for its columns, indexes and
// the rest (a serial column's sequence too), which are not listed.
std::vector<SchemaDifference> compare_schemas(const SchemaSnapshot& expected, const SchemaSnapshot& actual,
                                              const CompareOptions& options);

// True when `text` matches the glob `pattern` ('*': any run of characters, '?': one character).
bool glob_matches(const std::string& pattern, const std::string& text);

}  // namespace cora
