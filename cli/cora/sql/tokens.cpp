#include "cora/sql/tokens.hpp"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include <memory>

namespace cora {

namespace {

struct ScanResultDeleter {
  void operator()(PgQueryScanResult* r) const {
    pg_query_free_scan_result(*r);
    delete r;
  }
};

struct UnpackedDeleter {
  void operator()(PgQuery__ScanResult* r) const { pg_query__scan_result__free_unpacked(r, nullptr); }
};

// Keep these in step with the generated enum: a libpg_query upgrade that renumbers tokens must
// fail the build, not mislead the lint.
static_assert(token::ident == PG_QUERY__TOKEN__IDENT);
static_assert(token::uident == PG_QUERY__TOKEN__UIDENT);
static_assert(token::fconst == PG_QUERY__TOKEN__FCONST);
static_assert(token::sconst == PG_QUERY__TOKEN__SCONST);
static_assert(token::usconst == PG_QUERY__TOKEN__USCONST);
static_assert(token::bconst == PG_QUERY__TOKEN__BCONST);
static_assert(token::xconst == PG_QUERY__TOKEN__XCONST);
static_assert(token::iconst == PG_QUERY__TOKEN__ICONST);
static_assert(token::param == PG_QUERY__TOKEN__PARAM);
static_assert(token::sql_comment == PG_QUERY__TOKEN__SQL_COMMENT);
static_assert(token::c_comment == PG_QUERY__TOKEN__C_COMMENT);
static_assert(token::and_kw == PG_QUERY__TOKEN__AND);
static_assert(token::column_kw == PG_QUERY__TOKEN__COLUMN);
static_assert(token::drop_kw == PG_QUERY__TOKEN__DROP);
static_assert(token::exists_kw == PG_QUERY__TOKEN__EXISTS);
static_assert(token::if_kw == PG_QUERY__TOKEN__IF_P);
static_assert(token::or_kw == PG_QUERY__TOKEN__OR);

}  // namespace

std::optional<std::vector<SqlToken>> scan_sql_tokens(const std::string& sql) {
  std::unique_ptr<PgQueryScanResult, ScanResultDeleter> scan(new PgQueryScanResult(pg_query_scan(sql.c_str())));
  if (scan->error || !scan->pbuf.data) return std::nullopt;
  std::unique_ptr<PgQuery__ScanResult, UnpackedDeleter> result(
      pg_query__scan_result__unpack(nullptr, scan->pbuf.len, reinterpret_cast<const std::uint8_t*>(scan->pbuf.data)));
  if (!result) return std::nullopt;
  std::vector<SqlToken> tokens;
  tokens.reserve(result->n_tokens);
  for (std::size_t i = 0; i < result->n_tokens; ++i) {
    const PgQuery__ScanToken& t = *result->tokens[i];
    if (t.token == PG_QUERY__TOKEN__SQL_COMMENT || t.token == PG_QUERY__TOKEN__C_COMMENT) continue;
    if (t.start < 0 || t.end < t.start || static_cast<std::size_t>(t.end) > sql.size()) return std::nullopt;
    tokens.push_back({static_cast<std::size_t>(t.start), static_cast<std::size_t>(t.end), static_cast<int>(t.token),
                      t.keyword_kind != PG_QUERY__KEYWORD_KIND__NO_KEYWORD});
  }
  return tokens;
}

std::string identifier_name(std::string_view text) {
  std::string name;
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    for (std::size_t i = 1; i + 1 < text.size(); ++i) {
      name += text[i];
      if (text[i] == '"') ++i;  // "" stands for one "
    }
    return name;
  }
  for (char c : text) name += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return name;
}

}  // namespace cora
