#pragma once
// Values written into a PostgreSQL configuration file (postgresql.conf).

#include <string>

namespace cora {

// `value` as a quoted string postgresql.conf reads back unchanged: in single quotes, a quote
// doubled, a backslash doubled (the server reads backslash escapes there), a newline or carriage
// return as \n or \r (a raw one would end the line). A project under /home/o'brien must work.
std::string quote_config_value(const std::string& value);

}  // namespace cora
