#pragma once
// Where in a file each schema object is defined: read from libpg_query's parse tree, so that a
// difference `diff` finds can name the file and line to look at.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace cora {

struct DefinedObject {
  // "KIND:NAME" with unqualified names taken as public:
  //   table:s.t  view:s.v  column:s.t.c  constraint:s.t.name  index:s.name  policy:s.t name
  //   function:s.name  trigger:s.t.name  sequence:s.name  type:s.name  extension:name
  //   grant:s.object and grant:s.object to ROLE (GRANT/REVOKE on a relation or function; PUBLIC for public)  rls:s.t (ENABLE/FORCE ROW LEVEL SECURITY)
  //   drop-if-exists:policy:s.t name, drop-if-exists:trigger:s.t.name (what makes a CREATE re-runnable)
  //   changed:relation:s.n  changed:index:s.n  changed:policy:s.t name  changed:function:s.name
  //     (the statement alters the object without defining it: ALTER TABLE/VIEW/INDEX/FUNCTION/POLICY,
  //     GRANT/REVOKE, COMMENT ON; a rename, under the new name)
  //   renamed:relation:s.old  renamed:index:s.old  renamed:policy:s.t old  renamed:function:s.old
  //     (the old name of a rename: no object has it any more)
  std::string key;
  std::size_t offset = 0;      // byte offset in the file of the definition (the statement's or the clause's)
  bool if_not_exists = false;  // CREATE ... IF NOT EXISTS: running the file again restores the object if missing
  bool or_replace = false;     // CREATE OR REPLACE: running the file again restores its definition
};

// What one parsed statement (`node_type`, `node`, starting at `statement_offset`) defines.
std::vector<DefinedObject> defined_objects(const std::string& node_type, const nlohmann::json& node,
                                           std::size_t statement_offset);

}  // namespace cora
