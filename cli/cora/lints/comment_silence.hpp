#pragma once
// A lint silenced where the object lives: its COMMENT ON holds, anywhere in the text,
//   cora-migrate: ignore=RULE[,RULE...] reason="WHY"
// the same words a migration file uses for the offline lint. Travels with the object to every
// database, so verify needs no files to honour it. Pure.

#include <map>
#include <string>

namespace cora {

// Rule -> reason. A silence without a reason (or an empty one) silences nothing.
std::map<std::string, std::string> comment_silences(const std::string& comment);

}  // namespace cora
