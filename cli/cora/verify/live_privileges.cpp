#include "cora/verify/live_privileges.hpp"

#include <nlohmann/json.hpp>

#include "cora/db/connection.hpp"

namespace cora {

namespace {

constexpr const char* kLivePrivilegesSql = R"sql(
SELECT json_build_object(
  'schemas', (SELECT coalesce(json_agg(nspname), '[]') FROM pg_namespace),
  'schema_grants', (SELECT coalesce(json_agg(json_build_array(n.nspname,
      CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type)), '[]')
    FROM pg_namespace n, aclexplode(n.nspacl) a),
  'defaults', (SELECT coalesce(json_agg(json_build_array(coalesce(n.nspname, ''), d.defaclobjtype::text,
      CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type)), '[]')
    FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a))
)sql";

}  // namespace

LivePrivileges read_live_privileges(Connection& db) {
  const auto result = db.query(kLivePrivilegesSql);
  const auto doc = nlohmann::json::parse(result.rows.at(0).at(0).value_or("{}"));
  LivePrivileges out;
  for (const auto& s : doc.value("schemas", nlohmann::json::array())) out.schemas.insert(s.get<std::string>());
  for (const auto& g : doc.value("schema_grants", nlohmann::json::array()))
    out.schema_grants.emplace(g.at(0).get<std::string>(), g.at(1).get<std::string>(), g.at(2).get<std::string>());
  for (const auto& d : doc.value("defaults", nlohmann::json::array())) {
    out.defaults[{d.at(0).get<std::string>(), d.at(1).get<std::string>()}].emplace(d.at(2).get<std::string>(),
                                                                                   d.at(3).get<std::string>());
  }
  return out;
}

}  // namespace cora
