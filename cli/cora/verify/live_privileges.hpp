#pragma once
// What adopt checks of schemas and default privileges in the live database, which diff's schema
// snapshot does not read: the schemas, their grants, and the default privileges (ALTER DEFAULT
// PRIVILEGES), each grant as the three names PostgreSQL's aclexplode gives.

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

namespace cora {

class Connection;

struct LivePrivileges {
  std::set<std::string> schemas;
  std::set<std::tuple<std::string, std::string, std::string>> schema_grants;  // schema, grantee, PRIVILEGE
  // (schema or "" for every schema, object type: r tables, S sequences, f functions, T types,
  // n schemas) -> (grantee, PRIVILEGE), whichever role's defaults they are.
  std::map<std::pair<std::string, std::string>, std::set<std::pair<std::string, std::string>>> defaults;
};

// One round trip. Grantee 0 (PUBLIC) reads as "PUBLIC". Throws QueryFailed / ConnectionLost.
LivePrivileges read_live_privileges(Connection& db);

}  // namespace cora
