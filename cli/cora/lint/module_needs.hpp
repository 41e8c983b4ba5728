#pragma once
// What each module's files need from other modules, read from the files: at creation time (a
// foreign key's table, a view's relations, a trigger's function, a policy's expression, a type, a
// function called by DDL), or only at run time (inside a function's body, which PostgreSQL does
// not resolve until the function runs). The creation-time needs order the modules; the run-time
// ones are shown apart, never turned into an order that could make a cycle.

#include <string>
#include <vector>

#include "cora/migrations/migration_file.hpp"

namespace cora::lint {

struct ModuleNeed {
  std::string module;         // the module whose file uses the object
  std::string needs;          // the module that creates it
  bool creation_time = true;  // false: only inside function bodies
  std::string object;         // "function public.is_sys_admin"
  std::string file;           // the first use
  int line = 0;
  std::string creator_file;  // the first definition
  int creator_line = 0;
};

// One need per (module, creator) pair: the first creation-time use in file order, or, when
// there is none, the first use inside a function body. Only snapshot (schema/) files are read:
// they are what a database built from zero runs. Files that do not parse are skipped (lint and
// migrate report them).
std::vector<ModuleNeed> infer_module_needs(const std::vector<const MigrationFile*>& files);

}  // namespace cora::lint
