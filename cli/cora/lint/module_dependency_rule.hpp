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
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cora/lint/finding.hpp"
#include "cora/lint/lint_file.hpp"

namespace cora::lint {

inline constexpr std::string_view kModuleDependencyRule = "undeclared_module_dependency";

// Module -> the modules its files may use: its dependency closure. Empty: no modules.
using ModuleClosures = std::map<std::string, std::set<std::string>>;

struct ModuleUse {
  Finding finding;
  std::size_t file = 0;       // index in `files`
  std::size_t statement = 0;  // index in that file's statements (for its silences)
};

// `files` are every file read (reported on or not), `checked[i]` whether files[i] is reported on.
// One finding per checked file and object it uses from outside its closure, at the first use.
std::vector<ModuleUse> check_module_dependencies(const std::vector<const LintFile*>& files,
                                                 const std::vector<bool>& checked, const ModuleClosures& closures,
                                                 Severity severity);

}  // namespace cora::lint
