#pragma once
// Policy recursion, found two ways: by reading each RLS table as anon and as authenticated
// (the snapshot's probe: 42P17 is the proof), and statically, by following each policy's
// expression into the tables its sub-queries read and through their policies in turn, so the
// finding can say which policies form the cycle. Pure.

#include <optional>
#include <string>

#include "cora/catalog/catalog_snapshot.hpp"
#include "cora/checks/evaluate_checks.hpp"

namespace cora {

// The first cycle of policies met when `role` reads `table`, printed as
// `org_members -> org_members (policy "members see members")`; nullopt when there is none.
// Followed: relations a policy's sub-queries read, views with security_invoker = true, and the
// bodies of functions it calls that are not SECURITY DEFINER. A SECURITY DEFINER function or
// a view without security_invoker reads with its owner's rights and ends the path.
std::optional<std::string> find_policy_cycle(const CatalogSnapshot& snapshot, const FunctionAnalyses& analyses,
                                             const std::string& table, const std::string& role);

}  // namespace cora
