#pragma once
// A database on the local cluster that is dropped when the object goes, unless kept: the
// expected schema while it is being built, a copy for one re-run.

#include <string>

namespace cora {

class Connection;

class ThrowawayDatabase {
 public:
  // CREATE DATABASE `name` `options` (e.g. "TEMPLATE other") on `admin`, which must outlive
  // the object. `name` is one we made: a plain identifier.
  ThrowawayDatabase(Connection& admin, std::string name, const std::string& options = "");
  // DROP DATABASE IF EXISTS ... WITH (FORCE): sessions still on it are ended.
  ~ThrowawayDatabase();
  ThrowawayDatabase(const ThrowawayDatabase&) = delete;
  ThrowawayDatabase& operator=(const ThrowawayDatabase&) = delete;

  const std::string& name() const { return name_; }
  // Not dropped after all (renamed into place, say).
  void keep() { kept_ = true; }

 private:
  Connection& admin_;
  std::string name_;
  bool kept_ = false;
};

}  // namespace cora
