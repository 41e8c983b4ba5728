#pragma once
// undeclared_module_dependency: a file of one module uses a table, view, type or function that
// another module creates, and that module is outside the first one's dependency closure
// (depends_on merged with the module registry). Nothing then makes the creator run first: on a
// fresh database the use fails, or works only because the folder names happen to sort right.
//
// What counts as a use: a relation named anywhere in a statement's tree (REFERENCES, a policy's
// subquery, a view, a trigger's or index's table, ALTER TABLE), a function called (a policy, a
// default, a trigger's EXECUTE FUNCTION), a type named, and the relations a PL/pgSQL or SQL
// function body names and the functions it calls (sql/function_references.hpp). What
// creates: the statements' defined objects (sql/defined_objects.hpp).

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cora/lint/finding.hpp"
#include "cora/lint/lint_file.hpp"

namespace cora::lint {

inline constexpr std::string_view kModuleDependencyRule = "undeclared_module_dependency";

struct Creator {
  std::string module;
  std::string file;
  int line = 0;
};

// "table:public.x" -> the modules that create it, each with its first definition, in file order.
using Creators = std::map<std::string, std::vector<Creator>>;
Creators find_creators(const std::vector<const LintFile*>& files);

struct Use {
  std::string key;  // as the creators' keys; a relation is looked up as table: and view:
  int line = 0;
  bool in_body = false;  // only inside a function's body: needed when it runs, not to create it
};

// What one statement uses: its tree's relations, calls and types (needed to create it), and a
// function body's relations and calls (needed when the function runs).
std::vector<Use> uses_of(const LintFile& file, const LintStatement& statement);

// The first module other than `module` that creates what `use_key` names, or nullopt (none, or
// `module` creates it itself).
std::optional<Creator> creator_of(const Creators& creators, const std::string& use_key, const std::string& module);

// Module -> the modules its files may use: its dependency closure. Empty: no modules.
using ModuleClosures = std::map<std::string, std::set<std::string>>;

struct ModuleUse {
  Finding finding;
  std::size_t file = 0;       // index in `files`
  std::size_t statement = 0;  // index in that file's statements (for its silences)
};

// `files` are every file read (reported on or not), `checked[i]` whether files[i] is reported on.
// One finding per checked file and object it uses from outside its closure, at the first use.
// `order_closures` (declared plus inferred; empty: `closures`) decide whether the advice to add a
// depends_on would close a cycle: then it is not given.
std::vector<ModuleUse> check_module_dependencies(const std::vector<const LintFile*>& files,
                                                 const std::vector<bool>& checked, const ModuleClosures& closures,
                                                 const ModuleClosures& order_closures, Severity severity);

}  // namespace cora::lint
