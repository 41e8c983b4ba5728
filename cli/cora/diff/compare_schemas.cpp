#include "cora/diff/compare_schemas.hpp"

#include <algorithm>
#include <set>

namespace cora {

namespace {

int kind_rank(const std::string& kind) {
  static const std::vector<std::string> order{"extension", "type", "sequence", "table",   "column", "constraint",
                                              "index",     "view", "function", "trigger", "policy", "grant"};
  const auto it = std::find(order.begin(), order.end(), kind);
  return static_cast<int>(it - order.begin());
}

bool ignored(const SchemaObject& object, const std::vector<std::string>& patterns) {
  const std::string parent_name = object.parent.substr(object.parent.find(':') + 1);
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) {
    return glob_matches(p, object.name) || glob_matches(p, object.key()) ||
           (!object.parent.empty() && (glob_matches(p, parent_name) || glob_matches(p, object.parent)));
  });
}

// A grant's absence is "no privileges", not a missing object: compared as an attribute.
bool absent_means_empty(const std::string& kind) { return kind == "grant"; }

std::vector<AttributeDifference> attribute_differences(const SchemaObject* expected, const SchemaObject* actual,
                                                       bool compare_deparsed) {
  std::set<std::string> names;
  if (expected)
    for (const auto& [name, value] : expected->attributes) names.insert(name);
  if (actual)
    for (const auto& [name, value] : actual->attributes) names.insert(name);
  std::vector<AttributeDifference> out;
  for (const auto& name : names) {
    if (!compare_deparsed && is_deparsed_attribute(name)) continue;
    std::string e, a;
    if (expected)
      if (const auto it = expected->attributes.find(name); it != expected->attributes.end()) e = it->second;
    if (actual)
      if (const auto it = actual->attributes.find(name); it != actual->attributes.end()) a = it->second;
    if (e != a) out.push_back({name, e, a});
  }
  return out;
}

}  // namespace

const char* to_string(DifferenceKind kind) {
  switch (kind) {
    case DifferenceKind::missing: return "missing";
    case DifferenceKind::extra: return "extra";
    case DifferenceKind::changed: return "changed";
  }
  return "changed";
}

bool glob_matches(const std::string& pattern, const std::string& text) {
  // Iterative matching with one backtrack point: linear in practice, no recursion on user input.
  std::size_t p = 0, t = 0, star = std::string::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<SchemaDifference> compare_schemas(const SchemaSnapshot& expected, const SchemaSnapshot& actual,
                                              const CompareOptions& options) {
  const auto in_scope = [&](const SchemaObject& object, bool in_expected) {
    if (ignored(object, options.ignore)) return false;
    if (object.kind != "extension") return true;
    // Extensions are database-wide: those the files create, and any in a managed schema.
    const auto& schema = object.attributes.at("schema");
    return in_expected || expected.objects.count(object.key()) > 0 ||
           std::find(options.managed_schemas.begin(), options.managed_schemas.end(), schema) !=
               options.managed_schemas.end();
  };
  std::vector<SchemaDifference> out;
  std::set<std::string> whole;  // keys of missing or extra objects: their parts are not listed again
  for (const auto& [key, e] : expected.objects) {
    if (!in_scope(e, true)) continue;
    const auto it = actual.objects.find(key);
    if (it == actual.objects.end()) {
      if (absent_means_empty(e.kind)) {
        out.push_back({DifferenceKind::changed, &e, nullptr, attribute_differences(&e, nullptr, true)});
      } else {
        out.push_back({DifferenceKind::missing, &e, nullptr, {}});
        whole.insert(key);
      }
      continue;
    }
    auto attributes = attribute_differences(&e, &it->second, options.compare_deparsed);
    if (!attributes.empty()) out.push_back({DifferenceKind::changed, &e, &it->second, std::move(attributes)});
  }
  for (const auto& [key, a] : actual.objects) {
    if (expected.objects.count(key) > 0 || !in_scope(a, false)) continue;
    if (absent_means_empty(a.kind)) {
      out.push_back({DifferenceKind::changed, nullptr, &a, attribute_differences(nullptr, &a, true)});
    } else {
      out.push_back({DifferenceKind::extra, nullptr, &a, {}});
      whole.insert(key);
    }
  }
  out.erase(std::remove_if(out.begin(), out.end(),
                           [&](const SchemaDifference& d) { return whole.count(d.object().parent) > 0; }),
            out.end());
  // Extra objects last, dependents first (a table before the type of its column), so that
  // their DROPs run after everything else and in an order PostgreSQL accepts.
  std::stable_sort(out.begin(), out.end(), [](const SchemaDifference& a, const SchemaDifference& b) {
    const bool xa = a.kind == DifferenceKind::extra, xb = b.kind == DifferenceKind::extra;
    if (xa != xb) return xb;
    const int ra = kind_rank(a.object().kind), rb = kind_rank(b.object().kind);
    if (ra != rb) return xa ? ra > rb : ra < rb;
    return a.object().name < b.object().name;
  });
  return out;
}

}  // namespace cora
