#pragma once
// Deciding a checklist against a live database: automatic items through the verify engine,
// scenarios in rolled-back transactions, evidence files by their rules, manual items by --confirm.

#include <string>
#include <vector>

#include "cora/checklist/checklist.hpp"
#include "cora/checklist/checklist_result.hpp"
#include "cora/app/check_app_calls.hpp"
#include "cora/checklist/evidence.hpp"
#include "cora/config/settings.hpp"

namespace cora {

class Connection;

struct ChecklistOptions {
  std::vector<EvidenceFile> evidence;
  std::vector<std::string> confirmed;  // ids of manual items a person has checked (--confirm)
  bool strict = false;
  std::vector<std::string> schemas{"public"};  // inspected by the automatic items' checks
  std::string database;                        // for the report; never holds a password
  // The backend's calls checked against this database ([app]), for the evidence items with
  // app_calls when their file is not given; unset without a backend.
  std::optional<app::AppCheckReport> app_calls;
  // [target] kind: on a target that is not Supabase-shaped, the items that need Supabase's roles
  // or schemas are skipped (left unticked) instead of failed.
  TargetKind target_kind = TargetKind::detect;
};

// Before anything runs: every evidence name must be one an item uses, and every confirmed id
// a manual item's. Throws cora::Error (usage) naming what the checklist offers.
void check_checklist_options(const Checklist& checklist, const ChecklistOptions& options);

// Decides every item. Reads the catalog once, runs the automatic items' probes in one rolled-back
// transaction and each scenario in its own, then the monitoring figures read-only: nothing is
// committed. Throws cora::Error (interrupted) after SIGINT/SIGTERM, QueryFailed or
// ConnectionLost when the server refuses the catalog queries or the connection breaks.
ChecklistResult run_checklist(Connection& db, const Checklist& checklist, const ChecklistOptions& options);

}  // namespace cora
