#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "cora/config/duration.hpp"

using cora::parse_duration;
using cora::to_setting_value;
using std::chrono::milliseconds;

namespace {
// Milliseconds parsed from `text`, or -1 when it is rejected (keeps failure output readable).
long long parsed_ms(const std::string& text) {
  const auto parsed = parse_duration(text);
  return parsed ? parsed->count() : -1;
}
}  // namespace

TEST_CASE("parse_duration: accepted forms") {
  SUBCASE("0 without a unit means no limit") { CHECK(parsed_ms("0") == 0); }
  SUBCASE("zero with a unit") {
    CHECK(parsed_ms("0ms") == 0);
    CHECK(parsed_ms("0s") == 0);
    CHECK(parsed_ms("0min") == 0);
  }
  SUBCASE("milliseconds") {
    CHECK(parsed_ms("500ms") == 500);
    CHECK(parsed_ms("1ms") == 1);
  }
  SUBCASE("seconds") { CHECK(parsed_ms("10s") == 10'000); }
  SUBCASE("minutes") { CHECK(parsed_ms("2min") == 120'000); }
  SUBCASE("hours") { CHECK(parsed_ms("1h") == 3'600'000); }
  SUBCASE("leading zeros are harmless") { CHECK(parsed_ms("010s") == 10'000); }
}

TEST_CASE("parse_duration: what PostgreSQL also accepts") {
  SUBCASE("a bare number is milliseconds") {
    CHECK(parsed_ms("5") == 5);
    CHECK(parsed_ms("500") == 500);
  }
  SUBCASE("fractions, rounded to whole milliseconds") {
    CHECK(parsed_ms("1.5s") == 1500);
    CHECK(parsed_ms("0.25min") == 15'000);
    CHECK(parsed_ms("2.4") == 2);
    CHECK(parsed_ms("1500us") == 2);
  }
  SUBCASE("blanks around the number and before the unit") {
    CHECK(parsed_ms("1 min") == 60'000);
    CHECK(parsed_ms(" 10s") == 10'000);
    CHECK(parsed_ms("10s ") == 10'000);
    CHECK(parsed_ms("10 \t s") == 10'000);
  }
  SUBCASE("days, a plus sign, an exponent") {
    CHECK(parsed_ms("1d") == 86'400'000);
    CHECK(parsed_ms("+5s") == 5000);
    CHECK(parsed_ms("1e3ms") == 1000);
  }
}

TEST_CASE("parse_duration: rejected forms") {
  SUBCASE("empty text") {
    CHECK_FALSE(parse_duration("").has_value());
    CHECK_FALSE(parse_duration("  ").has_value());
  }
  SUBCASE("a unit without a number") {
    CHECK_FALSE(parse_duration("ms").has_value());
    CHECK_FALSE(parse_duration("s").has_value());
    CHECK_FALSE(parse_duration(".s").has_value());
  }
  SUBCASE("units PostgreSQL spells differently") {
    CHECK_FALSE(parse_duration("10m").has_value());
    CHECK_FALSE(parse_duration("10sec").has_value());
    CHECK_FALSE(parse_duration("10mins").has_value());
    CHECK_FALSE(parse_duration("10 seconds").has_value());
  }
  SUBCASE("units are case-sensitive") {
    CHECK_FALSE(parse_duration("10S").has_value());
    CHECK_FALSE(parse_duration("10MS").has_value());
    CHECK_FALSE(parse_duration("1H").has_value());
  }
  SUBCASE("blanks inside the number or the unit") {
    CHECK_FALSE(parse_duration("1 0s").has_value());
    CHECK_FALSE(parse_duration("10 m in").has_value());
  }
  SUBCASE("negative values") {
    CHECK_FALSE(parse_duration("-1s").has_value());
    CHECK_FALSE(parse_duration("-500ms").has_value());
    CHECK_FALSE(parse_duration("-5").has_value());
    CHECK_FALSE(parse_duration("++5s").has_value());
  }
  SUBCASE("words and repeats") {
    CHECK_FALSE(parse_duration("forever").has_value());
    CHECK_FALSE(parse_duration("10s10s").has_value());
    CHECK_FALSE(parse_duration("nan").has_value());
    CHECK_FALSE(parse_duration("inf").has_value());
  }
}

TEST_CASE("parse_duration: PostgreSQL's limit of INT_MAX milliseconds") {
  constexpr long long int_max = 2'147'483'647;
  SUBCASE("INT_MAX milliseconds is the largest accepted value") { CHECK(parsed_ms("2147483647ms") == int_max); }
  SUBCASE("one millisecond more is rejected") { CHECK_FALSE(parse_duration("2147483648ms").has_value()); }
  SUBCASE("seconds: the last whole second below the limit, and the next") {
    CHECK(parsed_ms("2147483s") == 2'147'483'000);
    CHECK_FALSE(parse_duration("2147484s").has_value());
  }
  SUBCASE("minutes") {
    CHECK(parsed_ms("35791min") == 2'147'460'000);
    CHECK_FALSE(parse_duration("35792min").has_value());
  }
  SUBCASE("hours") {
    CHECK(parsed_ms("596h") == 2'145'600'000);
    CHECK_FALSE(parse_duration("597h").has_value());
  }
  SUBCASE("numbers beyond 64 bits do not wrap around") {
    CHECK_FALSE(parse_duration("99999999999999999999ms").has_value());
    CHECK_FALSE(parse_duration("9223372036854775807h").has_value());
  }
}

TEST_CASE("to_setting_value: PostgreSQL setting text") {
  SUBCASE("zero is written as a bare 0 (no limit)") { CHECK(to_setting_value(milliseconds(0)) == "0"); }
  SUBCASE("other values in milliseconds") {
    CHECK(to_setting_value(milliseconds(1)) == "1ms");
    CHECK(to_setting_value(std::chrono::seconds(10)) == "10000ms");
    CHECK(to_setting_value(std::chrono::minutes(2)) == "120000ms");
  }
  SUBCASE("round trip through parse_duration") {
    for (const char* text : {"0", "750ms", "30s", "5min", "2h"}) {
      CAPTURE(text);
      const auto parsed = parse_duration(text);
      REQUIRE(parsed.has_value());
      CHECK(parse_duration(to_setting_value(*parsed)) == parsed);
    }
  }
}
