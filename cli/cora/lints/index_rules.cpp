// Table and index rules: keys and the indexes that serve them.

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "cora/lints/lint_context.hpp"
#include "cora/util/join.hpp"

namespace cora {

namespace {

// The definition with its name and UNIQUE left out: two indexes that differ only there serve
// the same lookups, and the unique one is needed anyway.
std::string index_shape(const IndexFact& i) {
  std::string d = i.definition;
  const std::string unique = "CREATE UNIQUE INDEX ";
  if (d.rfind(unique, 0) == 0) d = "CREATE INDEX " + d.substr(unique.size());
  const std::string named = "CREATE INDEX " + i.name + " ";
  if (d.rfind(named, 0) == 0) d = "CREATE INDEX " + d.substr(named.size());
  else if (const auto quoted = "CREATE INDEX \"" + i.name + "\" "; d.rfind(quoted, 0) == 0)
    d = "CREATE INDEX " + d.substr(quoted.size());
  return d;
}

// An index serves a foreign key's lookups (ON DELETE of the referenced row, joins) when its
// leading key columns are exactly the key's columns, in any order, and it covers every row.
bool leads_with(const IndexFact& i, const ForeignKeyFact& k) {
  if (!i.valid || !i.predicate.empty() || i.key_attnums.size() < k.attnums.size()) return false;
  const std::set<int> leading(i.key_attnums.begin(),
                              i.key_attnums.begin() + static_cast<std::ptrdiff_t>(k.attnums.size()));
  return leading == std::set<int>(k.attnums.begin(), k.attnums.end());
}

}  // namespace

void no_primary_key(const LintContext& c, LintOutcomes& out) {
  for (const auto& [qualified, t] : c.snapshot.tables) {
    if (!c.exposed_table(t)) continue;
    auto o = lint_outcome("no_primary_key", qualified);
    if (!t.has_primary_key) {
      o.findings.push_back(
          {Severity::warning, "a primary key",
           "none: rows cannot be addressed one by one (the API's updates, replication, de-duplication)",
           fmt::format("ALTER TABLE {} ADD PRIMARY KEY (...);", qualified)});
    }
    out.push_back(std::move(o));
  }
}

void unindexed_foreign_key(const LintContext& c, LintOutcomes& out) {
  std::map<std::string, std::vector<const ForeignKeyFact*>> by_table;
  for (const auto& k : c.snapshot.foreign_keys) by_table[k.table].push_back(&k);
  for (const auto& [table, keys] : by_table) {
    const auto t = c.snapshot.tables.find(table);
    if (t == c.snapshot.tables.end() || t->second.from_extension) continue;
    auto o = lint_outcome("unindexed_foreign_key", table);
    for (const auto* k : keys) {
      const bool indexed = std::any_of(c.snapshot.indexes.begin(), c.snapshot.indexes.end(),
                                       [&](const IndexFact& i) { return i.table == table && leads_with(i, *k); });
      if (indexed) continue;
      const std::string columns = join(k->columns);
      std::string index_name = "idx_" + t->second.name;
      for (const auto& col : k->columns) index_name += "_" + col;
      o.findings.push_back(
          {Severity::warning, fmt::format("an index leading with ({}) for foreign key {}", columns, k->name),
           fmt::format("none: every delete or key update in {} scans {}", k->referenced_table, short_name(table)),
           fmt::format("CREATE INDEX CONCURRENTLY {} ON {} ({});", index_name, table, columns)});
    }
    out.push_back(std::move(o));
  }
}

void duplicate_index(const LintContext& c, LintOutcomes& out) {
  std::map<std::pair<std::string, std::string>, std::vector<const IndexFact*>> by_shape;
  for (const auto& i : c.snapshot.indexes) by_shape[{i.table, index_shape(i)}].push_back(&i);
  for (const auto& i : c.snapshot.indexes) {
    auto o = lint_outcome("duplicate_index", i.schema + "." + i.name);
    const auto& twins = by_shape[{i.table, index_shape(i)}];
    // Keep the one a constraint needs (primary, unique), else the first by name; report the rest.
    const IndexFact* keep = *std::min_element(twins.begin(), twins.end(), [](const IndexFact* a, const IndexFact* b) {
      if (a->primary != b->primary) return a->primary;
      if (a->unique != b->unique) return a->unique;
      return a->name < b->name;
    });
    if (twins.size() > 1 && keep != &i) {
      o.findings.push_back(
          {Severity::warning, "no two indexes with the same keys",
           fmt::format("{} indexes the same keys as {}, which serves every lookup it does", i.name, keep->name),
           fmt::format("DROP INDEX CONCURRENTLY IF EXISTS {}.{};", i.schema, i.name)});
    }
    out.push_back(std::move(o));
  }
}

void invalid_index(const LintContext& c, LintOutcomes& out) {
  for (const auto& i : c.snapshot.indexes) {
    auto o = lint_outcome("invalid_index", i.schema + "." + i.name);
    if (!i.valid) {
      o.findings.push_back(
          {Severity::error, "a valid index", "INVALID: a CREATE INDEX CONCURRENTLY failed part-way",
           fmt::format("DROP INDEX CONCURRENTLY IF EXISTS {}.{}; then create it again", i.schema, i.name)});
    }
    out.push_back(std::move(o));
  }
}

// Supabase manages the auth schema and may drop or change its unique constraints (other than
// the primary keys) in an upgrade, which a foreign key on one of them would block or break.
void fkey_to_auth_unique(const LintContext& c, LintOutcomes& out) {
  for (const auto& k : c.snapshot.foreign_keys) {
    if (k.referenced_table.rfind("auth.", 0) != 0) continue;
    auto o = lint_outcome("fkey_to_auth_unique", k.table);
    if (k.to_unique_not_primary) {
      o.findings.push_back(
          {Severity::error, fmt::format("foreign key {} references the primary key of {}", k.name, k.referenced_table),
           fmt::format("it references ({}), a unique constraint Supabase may change", join(k.referenced_columns)),
           fmt::format("reference {} (id) instead", k.referenced_table)});
    }
    out.push_back(std::move(o));
  }
}

}  // namespace cora
