#include "cora/db/sqlstate_advice.hpp"

#include <fmt/format.h>

#include <cctype>
#include <regex>
#include <string_view>

namespace cora {

namespace {

struct Advice {
  std::string_view code;  // five characters for one code, two for a whole class
  std::string_view text;
};

// Codes from PostgreSQL's "Appendix A. PostgreSQL Error Codes"; exact codes before classes.
constexpr Advice kAdvice[] = {
    {"42501",
     "the database user lacks a privilege it needs (or a row-level security policy refused the row): "
     "grant it, or connect as a role that has it"},
    {"42703", "a column it names does not exist: check the name, or apply the migration that adds the column"},
    {"42P01",
     "a table or view it names does not exist: check the name and search_path, or apply the migration that "
     "creates it"},
    {"42883", "no function of that name takes those argument types: check the name, the arguments and search_path"},
    {"42704", "an object it names (a type, role, index, ...) does not exist: check the name"},
    {"42P07", "an object it creates already exists: use IF NOT EXISTS, or check whether it was created by hand"},
    {"42710", "an object it creates already exists: use IF NOT EXISTS, or check whether it was created by hand"},
    {"42701", "a column it adds already exists"},
    {"42601", "the SQL has a syntax error at the position shown"},
    {"42804", "a value has the wrong type: add a cast or fix the column type"},
    {"3F000", "a schema it names does not exist: create it first, or check the name"},
    {"3D000", "the database does not exist: check the database name"},
    {"23505", "a row would duplicate a unique key: remove the duplicates first, or check the key"},
    {"23503", "a row would break a foreign key: the referenced row is missing, or rows still refer to it"},
    {"23502", "a row would put NULL in a NOT NULL column: give the column a value or a default first"},
    {"23514", "a row would break a CHECK constraint: fix the data first, or the constraint"},
    {"23P01", "a row would break an exclusion constraint"},
    {"55P03", "a table it needs is locked by another session: retry, or raise lock_timeout"},
    {"57014", "it ran past statement_timeout, or was cancelled: raise statement_timeout, or find what made it slow"},
    {"40001", "it conflicted with a concurrent transaction: run it again"},
    {"40P01", "it deadlocked with another session: run it again, and take locks in one order"},
    {"25006", "the server is read-only (a standby?): connect to the primary"},
    {"P0001", "a RAISE in the SQL stopped it: see its message"},
    {"28P01", "check the user and password"},
    {"42", "the SQL does not fit the schema: check the names and types it uses"},
    {"23", "a row would break a constraint: fix the data first, or the constraint"},
    {"22", "a value is invalid for its type or out of range: check the data"},
    {"28", "the server refused the role: check the user name and password"},
    {"08", "the connection failed: run it again, and check the network"},
    {"53", "the server ran out of a resource (disk, memory or connections): free it and run it again"},
    {"57", "the server cancelled or shut it down: run it again when the server is back"},
    {"40", "its transaction was rolled back by the server: run it again"},
    {"XX", "an internal error of the server: see its log"},
};

}  // namespace

std::string sqlstate_advice(const std::string& sqlstate) {
  for (const auto& advice : kAdvice) {
    if (advice.code.size() == 5 && sqlstate == advice.code) return std::string(advice.text);
  }
  for (const auto& advice : kAdvice) {
    if (advice.code.size() == 2 && sqlstate.size() == 5 && sqlstate.compare(0, 2, advice.code) == 0) {
      return std::string(advice.text);
    }
  }
  return fmt::format("look up SQLSTATE {} in PostgreSQL's error codes", sqlstate.empty() ? "(none)" : sqlstate);
}

std::string privilege_advice(const std::string& message, const std::string& statement) {
  static const std::regex denied(
      R"(^permission denied for (table|view|sequence|relation|schema|function|procedure|database|materialized view) (.+)$)");
  static const std::regex not_owner(R"(^must be owner of (\w+(?: \w+)?) (.+)$)");
  std::smatch m;
  if (std::regex_match(message, m, not_owner)) {
    return fmt::format(
        "the statement must be run by the owner of {} {}: connect as its owner (or a member of the "
        "owning role)",
        m[1].str(), m[2].str());
  }
  if (!std::regex_match(message, m, denied)) return "";
  const std::string kind = m[1].str() == "relation" ? "table" : m[1].str();
  const std::string object = m[2].str();
  const std::string verb = statement.substr(0, statement.find(' '));
  std::string privilege;
  if (kind == "schema") {
    privilege = verb == "CREATE" ? "CREATE" : "USAGE";
  } else if (kind == "function" || kind == "procedure") {
    privilege = "EXECUTE";
  } else if (kind == "database") {
    privilege = verb == "CREATE" ? "CREATE" : "CONNECT";
  } else if (verb == "INSERT" || verb == "UPDATE" || verb == "DELETE" || verb == "TRUNCATE") {
    privilege = verb;
  } else {
    privilege = "SELECT";
  }
  const std::string on = kind == "view" || kind == "materialized view" ? "TABLE" : kind;
  std::string grant_on = on;
  for (auto& c : grant_on) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return fmt::format("the role lacks {} on {} {}: GRANT {} ON {} {} TO the role, or connect as a role that has it",
                     privilege, kind, object, privilege, grant_on, object);
}

}  // namespace cora
