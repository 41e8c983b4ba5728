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

// The field numbers of the scanner's protobuf messages, by name from the descriptors libpg_query
// ships (a renumbering in an upgrade is followed, not misread).
unsigned field_id(const ProtobufCMessageDescriptor& message, const char* name) {
  const ProtobufCFieldDescriptor* field = protobuf_c_message_descriptor_get_field_by_name(&message, name);
  return field ? field->id : 0;
}

struct ScanFieldIds {
  unsigned tokens = field_id(pg_query__scan_result__descriptor, "tokens");
  unsigned start = field_id(pg_query__scan_token__descriptor, "start");
  unsigned end = field_id(pg_query__scan_token__descriptor, "end");
  unsigned kind = field_id(pg_query__scan_token__descriptor, "token");
  unsigned keyword = field_id(pg_query__scan_token__descriptor, "keyword_kind");
};

// Reads the protobuf wire format of a ScanResult in place. Unpacking it with protobuf-c instead
// allocates one message per token, which on a file of 200,000 statements cost more than the
// scan itself.
class WireReader {
 public:
  WireReader(const std::uint8_t* begin, const std::uint8_t* end) : p_(begin), end_(end) {}
  bool done() const { return p_ >= end_; }
  bool varint(std::uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 64 && p_ < end_; shift += 7) {
      const std::uint8_t byte = *p_++;
      value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  }
  // The next field's number and wire type; for a length-delimited one, its bytes in `inner`.
  bool field(unsigned& number, unsigned& wire_type, WireReader& inner) {
    std::uint64_t key = 0;
    if (!varint(key)) return false;
    number = static_cast<unsigned>(key >> 3);
    wire_type = static_cast<unsigned>(key & 7);
    if (wire_type == 2) {
      std::uint64_t length = 0;
      if (!varint(length) || length > static_cast<std::uint64_t>(end_ - p_)) return false;
      inner = WireReader(p_, p_ + length);
      p_ += length;
      return true;
    }
    return wire_type == 0 || skip_fixed(wire_type);
  }

 private:
  bool skip_fixed(unsigned wire_type) {
    const std::ptrdiff_t size = wire_type == 1 ? 8 : wire_type == 5 ? 4 : -1;
    if (size < 0 || end_ - p_ < size) return false;
    p_ += size;
    return true;
  }
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

// One ScanToken message; false when it is malformed.
bool read_token(WireReader message, const ScanFieldIds& ids, PgQuery__ScanToken& out) {
  out.start = out.end = 0;
  out.token = PG_QUERY__TOKEN__NUL;
  out.keyword_kind = PG_QUERY__KEYWORD_KIND__NO_KEYWORD;
  while (!message.done()) {
    unsigned number = 0, wire_type = 0;
    WireReader inner(nullptr, nullptr);
    if (!message.field(number, wire_type, inner)) return false;
    if (wire_type != 0) continue;
    // field() read the key only: the value follows.
    std::uint64_t value = 0;
    if (!message.varint(value)) return false;
    const auto as_int = static_cast<std::int32_t>(static_cast<std::uint32_t>(value));
    if (number == ids.start) out.start = as_int;
    else if (number == ids.end) out.end = as_int;
    else if (number == ids.kind) out.token = static_cast<PgQuery__Token>(as_int);
    else if (number == ids.keyword) out.keyword_kind = static_cast<PgQuery__KeywordKind>(as_int);
  }
  return true;
}

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
  static const ScanFieldIds ids;
  const auto* data = reinterpret_cast<const std::uint8_t*>(scan->pbuf.data);
  WireReader result(data, data + scan->pbuf.len);
  std::vector<SqlToken> tokens;
  tokens.reserve(sql.size() / 8);
  while (!result.done()) {
    unsigned number = 0, wire_type = 0;
    WireReader message(nullptr, nullptr);
    if (!result.field(number, wire_type, message)) return std::nullopt;
    if (wire_type == 0) {
      std::uint64_t ignored = 0;
      if (!result.varint(ignored)) return std::nullopt;
    }
    if (wire_type != 2 || number != ids.tokens) continue;
    PgQuery__ScanToken t;
    if (!read_token(message, ids, t)) return std::nullopt;
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
