#pragma once
// A PL/pgSQL body rewritten so that libpg_query can parse it (function_references.cpp).

#include <optional>
#include <string>

namespace cora::body {

// The body with what libpg_query 15-4.0 cannot parse blanked out, byte offsets and newlines kept:
// OPEN c FOR <query> -> <query>; OPEN/FETCH/MOVE/CLOSE -> NULL; FOR r IN cursor LOOP -> LOOP;
// RETURN NEXT; -> RETURN;. nullopt when there is nothing to change.
std::optional<std::string> neutralise_unsupported(const std::string& body);

}  // namespace cora::body
