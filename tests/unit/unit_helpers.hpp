#pragma once
// Small helpers shared by the unit tests: catching a cora::Error to inspect its code and message,
// and substring checks (contains, from support/text.hpp) that print both strings when they fail.

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <utility>

#include "cora/error.hpp"
#include "support/text.hpp"

namespace cora::test {

// Runs `action` and returns the cora::Error it threw, or nullopt when it threw nothing.
// Any other exception propagates, and doctest reports it as a failure.
template <typename Action>
std::optional<Error> error_from(Action&& action) {
  try {
    std::forward<Action>(action)();
  } catch (const Error& e) {
    return e;
  }
  return std::nullopt;
}

}  // namespace cora::test

#define CHECK_CONTAINS(haystack, needle)                                            \
  CHECK_MESSAGE(::cora::test::contains(std::string(haystack), std::string(needle)), \
                "\"" << std::string(haystack) << "\" should contain \"" << std::string(needle) << "\"")

#define CHECK_NOT_CONTAINS(haystack, needle)                                         \
  CHECK_MESSAGE(!::cora::test::contains(std::string(haystack), std::string(needle)), \
                "\"" << std::string(haystack) << "\" should not contain \"" << std::string(needle) << "\"")
