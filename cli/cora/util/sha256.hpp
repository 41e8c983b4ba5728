#pragma once
#include <string>
#include <string_view>

namespace cora {

// Lower-case hex SHA-256 of the bytes, as recorded in the migration history.
std::string sha256_hex(std::string_view bytes);

}  // namespace cora
