#include "cora/db/conninfo.hpp"

#include <libpq-fe.h>

#include <memory>

namespace cora {

std::optional<std::vector<ConninfoOption>> parse_conninfo(const std::string& conninfo) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfoParse(conninfo.c_str(), &error),
                                                                       &PQconninfoFree);
  if (error) PQfreemem(error);
  if (!options) return std::nullopt;
  std::vector<ConninfoOption> out;
  for (const PQconninfoOption* o = options.get(); o->keyword; ++o) {
    ConninfoOption option;
    option.keyword = o->keyword;
    if (o->val) option.value = o->val;
    // libpq marks every secret option with dispchar "*".
    option.secret = o->dispchar && std::string_view(o->dispchar) == "*";
    out.push_back(std::move(option));
  }
  return out;
}

bool is_libpq_url(std::string_view conninfo) {
  return conninfo.rfind("postgresql://", 0) == 0 || conninfo.rfind("postgres://", 0) == 0;
}

std::string quote_conninfo_value(const std::string& value) {
  std::string out = "'";
  for (const char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

}  // namespace cora
