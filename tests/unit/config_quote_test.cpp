#include <doctest/doctest.h>

#include "cora/local/config_quote.hpp"

using cora::quote_config_value;

TEST_CASE("quote_config_value: what postgresql.conf reads back unchanged") {
  CHECK(quote_config_value("/tmp/run") == "'/tmp/run'");
  CHECK(quote_config_value("/home/o'brien/run") == "'/home/o''brien/run'");
  CHECK(quote_config_value("a\\b") == "'a\\\\b'");
  CHECK(quote_config_value("''") == "''''''");
  CHECK(quote_config_value("line\nbreak\r") == "'line\\nbreak\\r'");
  CHECK(quote_config_value("") == "''");
}
