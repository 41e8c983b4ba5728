#include "cora/local/throwaway_database.hpp"

#include "cora/db/connection.hpp"

namespace cora {

ThrowawayDatabase::ThrowawayDatabase(Connection& admin, std::string name, const std::string& options)
    : admin_(admin), name_(std::move(name)) {
  admin_.execute_script("CREATE DATABASE " + name_ + (options.empty() ? "" : " " + options));
}

ThrowawayDatabase::~ThrowawayDatabase() {
  if (kept_) return;
  try {
    admin_.execute_script("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
    // Left behind only if the cluster went away; `local reset` clears it.
  }
}

}  // namespace cora
