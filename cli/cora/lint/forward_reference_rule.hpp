#pragma once
// forward_reference: a module's schema file uses (at creation time: a foreign key, a view, a
// policy, a trigger, a type, ALTER TABLE) a table, view, type or function that only a later file
// of the same module creates. On a database built from zero the file fails; on one built before,
// it works, which is why it goes unnoticed. Uses inside function bodies are not creation-time
// needs and are left out.

#include <string_view>
#include <vector>

#include "cora/lint/module_dependency_rule.hpp"

namespace cora::lint {

inline constexpr std::string_view kForwardReferenceRule = "forward_reference";

// `files` in project order (each module's files in the order they run); `checked[i]` whether
// files[i] is reported on, and is to run (the creating file must be too: one that ran already
// has made the object). One finding per file and object, at its first use, naming the file
// (and line) that creates it.
std::vector<ModuleUse> check_forward_references(const std::vector<const LintFile*>& files,
                                                const std::vector<bool>& checked);

}  // namespace cora::lint
