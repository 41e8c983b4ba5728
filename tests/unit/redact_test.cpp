#include <doctest/doctest.h>

#include <initializer_list>
#include <string>

#include "unit_helpers.hpp"
#include "cora/db/redact_conninfo.hpp"
#include "cora/util/redact.hpp"

using cora::redact_conninfo;
using cora::redact_secret;

TEST_CASE("redact_conninfo: URL form") {
  SUBCASE("user:password@ hides the password and keeps the rest") {
    const auto out = redact_conninfo("postgresql://app:s3cret@db.example.com:5432/prod");
    CHECK(out == "postgresql://app:***@db.example.com:5432/prod");
  }
  SUBCASE("the postgres:// scheme too") {
    CHECK(redact_conninfo("postgres://app:s3cret@db/prod") == "postgres://app:***@db/prod");
  }
  SUBCASE("a percent-encoded password") {
    const auto out = redact_conninfo("postgresql://app:p%40ss%2Fw0rd@db/prod");
    CHECK(out == "postgresql://app:***@db/prod");
  }
  SUBCASE("a URL without a password is unchanged") {
    CHECK(redact_conninfo("postgresql://app@db:5432/prod") == "postgresql://app@db:5432/prod");
    CHECK(redact_conninfo("postgresql://db:5432/prod") == "postgresql://db:5432/prod");
    CHECK(redact_conninfo("postgresql:///prod?host=/var/run/postgresql") ==
          "postgresql:///prod?host=/var/run/postgresql");
  }
  SUBCASE("a host port is not mistaken for a password") {
    CHECK(redact_conninfo("postgresql://db:5432/prod?sslmode=require") == "postgresql://db:5432/prod?sslmode=require");
  }
  SUBCASE("?password= as the first query parameter") {
    CHECK(redact_conninfo("postgresql://app@db/prod?password=s3cret") == "postgresql://app@db/prod?password=***");
  }
  SUBCASE("&password= between other parameters keeps them") {
    CHECK(redact_conninfo("postgresql://db/prod?sslmode=require&password=s3cret&connect_timeout=5") ==
          "postgresql://db/prod?sslmode=require&password=***&connect_timeout=5");
  }
  SUBCASE("both a userinfo password and a password parameter") {
    const auto out = redact_conninfo("postgresql://app:first@db/prod?password=second");
    CHECK(out == "postgresql://app:***@db/prod?password=***");
  }
  SUBCASE("several hosts") {
    CHECK(redact_conninfo("postgresql://app:s3cret@db1:5432,db2:5433/prod") ==
          "postgresql://app:***@db1:5432,db2:5433/prod");
  }
}

TEST_CASE("redact_conninfo: key=value form") {
  SUBCASE("password=... is replaced, other keys are kept and quoted") {
    const auto out = redact_conninfo("host=db port=5432 user=app password=s3cret dbname=prod");
    CHECK_CONTAINS(out, "host='db'");
    CHECK_CONTAINS(out, "port='5432'");
    CHECK_CONTAINS(out, "user='app'");
    CHECK_CONTAINS(out, "dbname='prod'");
    CHECK_CONTAINS(out, "password=***");
    CHECK_NOT_CONTAINS(out, "s3cret");
  }
  SUBCASE("a quoted password with blanks and quotes") {
    const auto out = redact_conninfo(R"(host=db password='s3 cr\'et' user=app)");
    CHECK_CONTAINS(out, "password=***");
    CHECK_NOT_CONTAINS(out, "s3");
    CHECK_NOT_CONTAINS(out, "cr");
  }
  SUBCASE("values with quotes or backslashes are escaped so the output stays valid") {
    const auto out = redact_conninfo(R"(dbname='it\'s' application_name='a\\b')");
    CHECK_CONTAINS(out, R"(dbname='it\'s')");
    CHECK_CONTAINS(out, R"(application_name='a\\b')");
  }
  SUBCASE("no password: nothing is hidden, nothing is invented") {
    const auto out = redact_conninfo("host=db dbname=prod");
    CHECK_CONTAINS(out, "host='db'");
    CHECK_CONTAINS(out, "dbname='prod'");
    CHECK_NOT_CONTAINS(out, "password");
    CHECK(out.size() == std::string("host='db' dbname='prod'").size());
  }
  SUBCASE("the empty string") { CHECK(redact_conninfo("") == ""); }
}

TEST_CASE("redact_conninfo: unparseable strings") {
  SUBCASE("an unterminated quote") {
    CHECK(redact_conninfo("host=db password='s3cret") == "<unparseable connection string>");
  }
  SUBCASE("an unknown keyword") {
    CHECK(redact_conninfo("host=db passwrd=s3cret") == "<unparseable connection string>");
  }
  SUBCASE("a URL with an unknown query parameter") {
    CHECK(redact_conninfo("postgresql://app:s3cret@db/prod?bogus=1") == "<unparseable connection string>");
  }
  SUBCASE("free text") { CHECK(redact_conninfo("just some words") == "<unparseable connection string>"); }
}

TEST_CASE("redact_conninfo: no password survives") {
  // Each of these is a string libpq parses with a password (or SSL key password) of "s3cret".
  auto check_hidden = [](std::initializer_list<const char*> conninfos) {
    for (const std::string conninfo : conninfos) {
      CAPTURE(conninfo);
      CHECK_NOT_CONTAINS(redact_conninfo(conninfo), "s3cret");
    }
  };
  SUBCASE("userinfo, query and key=value passwords") {
    check_hidden({"postgresql://app:s3cret@db/prod", "postgres://app:s3cret@db:6543/prod?sslmode=require",
                  "postgresql://db/prod?password=s3cret", "postgresql://db/prod?application_name=x&password=s3cret",
                  "host=db password=s3cret", "password='s3cret' host=db"});
  }
  SUBCASE("a '?' or '#' inside a userinfo password (libpq reads up to the '@')") {
    check_hidden({"postgresql://app:s3cret?x@db/prod", "postgresql://app:s3cret#x@db/prod"});
  }
  SUBCASE("a percent-encoded parameter name (libpq decodes pass%77ord to password)") {
    check_hidden({"postgresql://db/prod?pass%77ord=s3cret"});
  }
  SUBCASE("sslpassword, which unlocks the client's SSL key") {
    check_hidden({"postgresql://db/prod?sslpassword=s3cret", "host=db sslpassword=s3cret"});
  }
}

TEST_CASE("redact_conninfo: mistyped strings that carry a password show none of it") {
  // Each of these holds the password "s3cret" (or, with a raw @, "s3c@ret") in a spelling
  // libpq does not read as a password: as a database name, a host, or a key=value value.
  auto check_hidden = [](std::initializer_list<const char*> conninfos) {
    for (const std::string conninfo : conninfos) {
      CAPTURE(conninfo);
      const auto out = redact_conninfo(conninfo);
      CHECK_NOT_CONTAINS(out, "s3c");
      CHECK_NOT_CONTAINS(out, "ret@");
    }
  };
  SUBCASE("a URL as the dbname value of a key=value string, quoted or not") {
    check_hidden({"dbname=postgresql://app:s3cret@db/prod", "host=db dbname='postgresql://app:s3cret@db/prod'",
                  "dbname = postgres://app:s3cret@db/prod port=5432", "host=mysql://app:s3cret@db/prod"});
  }
  SUBCASE("a raw @ or / in a URL's password") {
    check_hidden({"postgresql://app:s3c@ret@db/prod", "postgresql://app:s3c@ret@db:5432/prod?sslmode=require",
                  "postgresql://app:s3c/ret@db/prod", "postgres://app:s3c@ret@/prod?host=/tmp"});
  }
  SUBCASE("one slash, no slashes, a blank in front, a foreign or upper-case scheme") {
    check_hidden({"postgresql:/app:s3cret@db/prod", "postgresql:app:s3cret@db/prod?sslmode=require",
                  " postgresql://app:s3cret@db/prod", "mysql://app:s3cret@db/prod?x=1",
                  "PostgreSQL://app:s3cret@db/prod", "//app:s3cret@db/prod?sslmode=require"});
  }
}

TEST_CASE("redact_secret: replaces a known secret in free text") {
  SUBCASE("every occurrence") {
    CHECK(redact_secret("password s3cret rejected; s3cret is wrong", "s3cret") ==
          "password *** rejected; *** is wrong");
  }
  SUBCASE("adjacent occurrences") { CHECK(redact_secret("s3crets3cret", "s3cret") == "******"); }
  SUBCASE("text without the secret is unchanged") {
    CHECK(redact_secret("connection refused", "s3cret") == "connection refused");
  }
  SUBCASE("an empty secret changes nothing") { CHECK(redact_secret("connection refused", "") == "connection refused"); }
  SUBCASE("a secret that looks like the mask does not loop forever") {
    CHECK(redact_secret("a*b*c", "*") == "a***b***c");
  }
  SUBCASE("a secret containing regex or format characters is taken literally") {
    CHECK(redact_secret("pw {}.*$ end", "{}.*$") == "pw *** end");
  }
}

TEST_CASE("redact_connection_error: libpq's errors about strings it could not parse") {
  using cora::redact_connection_error;
  SUBCASE("a broken IPv6 address: the error quotes the whole URL") {
    const std::string url = "postgresql://app:s3cret@[::1:5432/app";
    const auto out = redact_connection_error("end of string reached in URI: \"" + url + "\"", url, "");
    CHECK(out == "end of string reached in URI: \"postgresql://app:***@[::1:5432/app\"");
  }
  SUBCASE("a bad percent-encoding: the error quotes the password") {
    const std::string url = "postgresql://app:s3cr%ZZt@db/app";
    CHECK(redact_connection_error("invalid percent-encoded token: \"s3cr%ZZt\"", url, "") ==
          "invalid percent-encoded token: \"***\"");
  }
  SUBCASE("a raw @ in the password") {
    const std::string url = "postgresql://app:p@ss@[db/app";
    CHECK_NOT_CONTAINS(redact_connection_error("bad URI: \"" + url + "\"", url, ""), "p@ss");
  }
  SUBCASE("password parameters and key=value passwords, quoted or not") {
    CHECK(redact_connection_error("x s3cret y", "postgresql://db/app?password=s3cret&[", "") == "x *** y");
    CHECK(redact_connection_error("x s3 cret y", "host=db password='s3 cret' port", "") == "x *** y");
    CHECK(redact_connection_error("x s3cret y", "host=db password = s3cret port", "") == "x *** y");
  }
  SUBCASE("a URL with any scheme and any number of slashes, wherever it stands") {
    CHECK(redact_connection_error("database \"postgresql:/app:s3cret@db/prod\" does not exist",
                                  "postgresql:/app:s3cret@db/prod",
                                  "") == "database \"postgresql:/app:***@db/prod\" does not exist");
    CHECK_NOT_CONTAINS(redact_connection_error("invalid connection option \"postgresql:app:s3cret@db/prod?sslmode\"",
                                               "postgresql:app:s3cret@db/prod?sslmode=require", ""),
                       "s3cret");
    CHECK_NOT_CONTAINS(redact_connection_error("x //app:s3cret@db y", "//app:s3cret@db/prod?a=b", ""), "s3cret");
    CHECK_NOT_CONTAINS(redact_connection_error("database \"mysql://app:s3cret@db\" does not exist",
                                               "host=db dbname=mysql://app:s3cret@db", ""),
                       "s3cret");
  }
  SUBCASE("password keywords in any case and quoting") {
    CHECK(redact_connection_error("x s3cret y", "host=db PASSWORD=s3cret", "") == "x *** y");
    CHECK(redact_connection_error("x s3 cret y", "host=db password=\"s3 cret\"", "") == "x *** y");
  }
  SUBCASE("the password libpq read") {
    CHECK(redact_connection_error("for pw-from-env", "host=db", "pw-from-env") == "for ***");
  }
  SUBCASE("no password: the message is unchanged") {
    CHECK(redact_connection_error("connection refused to db:5432", "postgresql://app@db:5432/app", "") ==
          "connection refused to db:5432");
  }
}

TEST_CASE("redact_passwords: every password written anywhere in a message") {
  using cora::redact_passwords;
  CHECK(redact_passwords("unknown command \"postgres://u:s3cret@h/db\"") ==
        "unknown command \"postgres://u:***@h/db\"");
  CHECK(redact_passwords("\"postgresql://app:p%40ss@db/x?sslmode\" is not a variable name") ==
        "\"postgresql://app:***@db/x?sslmode\" is not a variable name");
  CHECK(redact_passwords("\"host=db password=s3cret dbname\" is not a variable name") ==
        "\"host=db password=*** dbname\" is not a variable name");
  CHECK(redact_passwords("unknown option --databse-url") == "unknown option --databse-url");
}
