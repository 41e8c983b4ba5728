#include <doctest/doctest.h>

#include <algorithm>
#include <initializer_list>
#include <string>

#include "cora/db/conninfo_check.hpp"
#include "unit_helpers.hpp"
#include "cora/util/url_shape.hpp"

using cora::find_conninfo_mistake;

namespace {

void check_refused(const std::string& conninfo, const std::string& fragment) {
  CAPTURE(conninfo);
  const auto mistake = find_conninfo_mistake(conninfo);
  REQUIRE(mistake.has_value());
  CHECK_CONTAINS(mistake->what, fragment);
  // The message is printed: it must not quote the string.
  CHECK_NOT_CONTAINS(mistake->what, "s3cret");
  CHECK(!mistake->hint.empty());
}

}  // namespace

TEST_CASE("find_conninfo_mistake: strings libpq would take as a database name") {
  SUBCASE("one slash, no slashes, with or without a query") {
    check_refused("postgresql:/app:s3cret@db/prod", "a postgresql:/ URL is not a PostgreSQL connection string");
    check_refused("postgres:/app:s3cret@db/prod?sslmode=require", "a postgres:/ URL");
    check_refused("postgresql:app:s3cret@db/prod", "a postgresql: URL");
  }
  SUBCASE("a blank before the URL") {
    check_refused(" postgresql://app:s3cret@db/prod", "starts with a blank");
    check_refused("\tpostgresql://app:s3cret@db/prod?sslmode=require", "starts with a blank");
  }
  SUBCASE("another or an upper-case scheme") {
    check_refused("mysql://app:s3cret@db/prod", "a mysql:// URL is not a PostgreSQL connection string");
    check_refused("PostgreSQL://app:s3cret@db/prod", "a PostgreSQL:// URL");
    check_refused("app:s3cret@db/prod", "a app: URL");
  }
  SUBCASE("no scheme at all") {
    check_refused("//app:s3cret@db/prod", "does not start with postgresql://");
    check_refused("@db/prod", "does not start with postgresql://");
  }
}

TEST_CASE("find_conninfo_mistake: a raw @ or / in a URL's password") {
  check_refused("postgresql://app:s3c@ret@db/prod", "an @ in the URL is not the one that ends user:password");
  check_refused("postgresql://app:s3c@ret@/prod?host=/tmp", "an @ in the URL");
  check_refused("postgresql://app:s3c/ret@db/prod", "an @ in the URL");
  check_refused("postgres://app:s3cret@db:5432/prod@x", "an @ in the URL");
  check_refused("postgresql:///app:s3cret@db/prod", "an @ in the URL");
}

TEST_CASE("find_conninfo_mistake: a URL as a value") {
  check_refused("dbname=postgresql://app:s3cret@db/prod", "the dbname value is itself a URL");
  check_refused("host=db dbname='postgres://app:s3cret@db/prod'", "the dbname value");
  check_refused("host=mysql://app:s3cret@db", "the host value");
  check_refused("host=db user=app:s3cret@db", "the user value");
  check_refused("postgresql://db/prod?application_name=postgresql://x", "the application_name value");
}

TEST_CASE("find_conninfo_mistake: what libpq reads as meant is accepted") {
  for (const std::string conninfo :
       {"", "  ", "postgresql://", "postgres://", "postgresql://app:s3cret@db.example.com:5432/prod",
        "postgresql://app:p%40ss%2Fw0rd@db/prod", "postgresql://app:s3cret?x@db/prod",
        "postgresql:///prod?host=/var/run/postgresql", "postgresql://db/prod?user=me@corp.example",
        "postgresql://app@db1:5432,db2:5433/prod?sslmode=require&application_name=a@b", "postgresql://[::1]:5432/prod",
        "host=db port=5432 user=app password=s3cret dbname=prod", " host=db dbname=prod",
        "host=/var/run/postgresql dbname=prod", "hostaddr=fe80::1 dbname=prod",
        "host=db password='p@ss://x' dbname=prod", "application_name='app:v2' host=db", "prod",
        // Unparseable: libpq reports these itself, before connecting.
        "host=db passwrd=s3cret", "postgresql://app:s3cret@db/prod?bogus=1"}) {
    CAPTURE(conninfo);
    CHECK(!find_conninfo_mistake(conninfo).has_value());
  }
}

TEST_CASE("refuse_mistyped_conninfo: exit 5, naming where the string came from") {
  const auto error =
      cora::test::error_from([] { cora::refuse_mistyped_conninfo("postgresql:/app:s3cret@db/prod", "DATABASE_URL"); });
  REQUIRE(error.has_value());
  CHECK(error->code() == cora::ExitCode::connection);
  CHECK_CONTAINS(error->what(), "DATABASE_URL: a postgresql:/ URL");
  CHECK_NOT_CONTAINS(error->what(), "s3cret");
  CHECK(!cora::test::error_from([] { cora::refuse_mistyped_conninfo("postgresql://db/prod", "x"); }));
}

TEST_CASE("url_shape: userinfo_passwords and looks_like_url") {
  using cora::userinfo_passwords;
  CHECK(userinfo_passwords("postgresql://app@db/prod").empty());
  CHECK(userinfo_passwords("host=db port=5432").empty());
  // Up to each '@', since a raw '@' in the password is a common mistake.
  const auto raw_at = userinfo_passwords("postgresql://app:p@ss@db/prod");
  CHECK(std::find(raw_at.begin(), raw_at.end(), "p@ss") != raw_at.end());
  CHECK(std::find(raw_at.begin(), raw_at.end(), "ss@db/prod") == raw_at.end());
  CHECK(userinfo_passwords("app:s3cret@db") == std::vector<std::string>{"s3cret"});
  CHECK(cora::looks_like_url("mysql://x"));
  CHECK(cora::looks_like_url("postgresql:/x"));
  CHECK(cora::looks_like_url("u:pw@h"));
  CHECK(!cora::looks_like_url("fe80::1"));
  CHECK(!cora::looks_like_url("/var/run/postgresql"));
  CHECK(!cora::looks_like_url("app:v2"));
}
