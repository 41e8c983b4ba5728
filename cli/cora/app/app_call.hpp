#pragma once
// A call the application code makes into the database through its data API, as far as it is
// literal: what is not is kept as the reason it cannot be checked, never guessed.

#include <optional>
#include <string>
#include <vector>

#include "cora/config/app_settings.hpp"

namespace cora::app {

struct AppKey {
  std::string name;  // a dict key: a parameter or column name
  int line = 0;      // where it is written
};

// A dict argument: its literal keys; `open` when some are not literal (**spread, a computed key,
// d.update(...)), so that the list may be incomplete.
struct AppKeys {
  std::vector<AppKey> keys;
  bool open = false;
  bool given = false;       // false: the argument was not passed
  std::string not_literal;  // set when the whole argument is not a literal dict: why
};

struct AppCall {
  std::string file;  // the Python file, as its path was given
  int line = 0;      // the call's first line
  std::string helper;
  std::string via;                       // the wrapper it was called through, "" when called directly
  std::string via_at;                    // that wrapper's call of the helper, FILE:LINE
  AppAccess access = AppAccess::select;  // execute, select, insert, update or delete once resolved
  bool access_known = true;              // false: an operation that is not literal
  std::string object;                    // the function or table named; "" when not literal
  int object_line = 0;
  std::string not_literal;        // why `object` is not known
  AppKeys params;                 // execute: the named parameters
  AppKeys filters, data;          // the rest
  std::string unknown_arguments;  // "*args" or "**kwargs": arguments that cannot be placed
};

// A Python file the parser could not read.
struct AppFileError {
  std::string file;
  int line = 0;
  std::string message;
};

struct AppCalls {
  std::vector<AppCall> calls;  // by file, then line
  std::vector<AppFileError> errors;
  std::size_t files = 0;
};

}  // namespace cora::app
