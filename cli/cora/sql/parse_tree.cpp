#include "cora/sql/parse_tree.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <new>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "cora/sql/nesting.hpp"
#include "cora/sql/parser.hpp"
#include "cora/sql/script.hpp"
#include "cora/util/line_index.hpp"
#include "cora/util/sha256.hpp"

namespace cora {

namespace {

// The one copy of a node type's name: a few hundred names at most, each kept for the run.
std::string_view interned_type_name(const std::string& name) {
  static std::mutex mutex;
  static std::unordered_set<std::string> names;  // a node's address stays put as the set grows
  const std::lock_guard<std::mutex> lock(mutex);
  return *names.insert(name).first;
}

// Reads libpg_query's {"version": N, "stmts": [{"stmt": {TYPE: NODE}, "stmt_location": N,
// "stmt_len": N}, ...]} and builds NODE only for the types asked for. Iterative (no recursion
// per level) and linear: nlohmann::json's own filtering callback rescans a parent for
// discarded children after each child, which is quadratic in the number of statements.
class StatementReader final : public nlohmann::json_sax<nlohmann::json> {
 public:
  // `location_offset`: where the parsed text starts in the file, added to every node's
  // "location" so that positions are the file's.
  StatementReader(std::vector<ParsedStatement>& out, std::size_t location_offset)
      : out_(out), location_offset_(static_cast<long long>(location_offset)) {}

  bool null() override { return scalar(nullptr); }
  bool boolean(bool v) override { return scalar(v); }
  bool number_integer(number_integer_t v) override { return scalar(v); }
  bool number_unsigned(number_unsigned_t v) override { return scalar(v); }
  bool number_float(number_float_t v, const string_t&) override { return scalar(v); }
  bool string(string_t& v) override { return scalar(std::move(v)); }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return open(nlohmann::json::object()); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(nlohmann::json::array()); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    if (!building_.empty()) {
      key_ = std::move(k);
    } else if (depth_ == 1) {
      in_stmts_ = k == "stmts";
    } else if (depth_ == 3 && in_stmts_) {
      key_ = std::move(k);
    } else if (depth_ == 4 && in_stmts_ && !out_.empty()) {
      if (k != last_type_) {
        last_type_ = interned_type_name(k);
        last_keeps_ = keeps_tree(last_type_);
      }
      out_.back().type = last_type_;
      keep_type_ = last_keeps_;
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    throw SqlParseFailure({std::string("unreadable parse tree: ") + e.what(), 0, 0, "SQL syntax error"});
  }

 private:
  // Adds `value` to the node being built; returns where it now lives.
  nlohmann::json* add(nlohmann::json value) {
    nlohmann::json& parent = *building_.back();
    if (parent.is_object()) {
      auto& slot = parent[key_];
      slot = std::move(value);
      return &slot;
    }
    parent.push_back(std::move(value));
    return &parent.back();
  }

  bool scalar(nlohmann::json value) {
    if (!building_.empty()) {
      if (building_.back()->is_object() && key_ == "location" && value.is_number_integer() &&
          value.get<long long>() >= 0)
        value = value.get<long long>() + location_offset_;
      add(std::move(value));
    } else if (depth_ == 3 && in_stmts_ && !out_.empty() && value.is_number_integer()) {
      const auto n = value.get<long long>();
      const std::size_t v = n < 0 ? 0 : static_cast<std::size_t>(n);
      if (key_ == "stmt_location") out_.back().offset = v;
      if (key_ == "stmt_len") out_.back().length = v;
    }
    return true;
  }

  bool open(nlohmann::json container) {
    ++depth_;
    if (!building_.empty()) {
      building_.push_back(add(std::move(container)));
    } else if (depth_ == 3 && in_stmts_) {
      out_.emplace_back();
      keep_type_ = false;
    } else if (depth_ == 5 && in_stmts_ && keep_type_ && !out_.empty()) {
      out_.back().node = std::move(container);
      building_.push_back(&out_.back().node);
    }
    return true;
  }

  bool close() {
    if (!building_.empty()) building_.pop_back();
    --depth_;
    return true;
  }

  std::vector<ParsedStatement>& out_;
  long long location_offset_ = 0;
  int depth_ = 0;  // open objects and arrays
  bool in_stmts_ = false;
  bool keep_type_ = false;
  std::string key_;
  std::string_view last_type_;  // the previous statement's: a file repeats one type at length
  bool last_keeps_ = false;
  std::vector<nlohmann::json*> building_;  // the node being built, innermost container last
};

// One pass of PostgreSQL's scanner over a text, a window at a time: where its statements are, cut
// as pg_query_split_with_scanner cuts them, and the statements nested too deeply to parse
// (nesting.hpp). Both come from the same tokens: the text is scanned once, not once to split it
// and again to bound its nesting.
struct ScannedStatement {
  std::size_t offset = 0;
  std::size_t length = 0;
};
struct ScannedText {
  std::vector<ScannedStatement> statements;
  std::vector<NestingBound> too_deep;  // in the order of the text
};

// pg_query_split_with_scanner's cuts, from the tokens of a text of `text_size` bytes: at each
// semicolon outside parentheses that follows a keyword since the last cut. Its count of open
// parentheses is unsigned, and so is this one: an unbalanced ')' stops the cutting alike.
std::vector<ScannedStatement> cut_at_semicolons(const std::vector<SqlToken>& tokens, std::size_t text_size) {
  std::vector<ScannedStatement> out;
  bool keyword_since_cut = false;
  std::size_t open_parens = 0;
  std::size_t start = 0;
  for (const auto& t : tokens) {
    if (t.keyword) {
      keyword_since_cut = true;
    } else if (t.kind == token::open_paren) {
      ++open_parens;
    } else if (t.kind == token::close_paren) {
      --open_parens;
    } else if (t.kind == token::semicolon && open_parens == 0) {
      if (keyword_since_cut) out.push_back({start, t.start - start});
      keyword_since_cut = false;
      start = t.start + 1;
    }
  }
  if (keyword_since_cut && open_parens == 0) out.push_back({start, text_size - start});
  return out;
}

constexpr std::size_t kScanWindowBytes = 256 * 1024;

// nullopt when the scanner rejects the text (an unterminated quote): the parser then reports it
// with its position.
std::optional<ScannedText> scan_text(const std::string& sql) {
  // A window of the text at a time. Its last statement may be cut at the window's end: the next
  // window starts there (just after the semicolon before it). A window that ends inside a quote
  // or a comment does not scan, and one that holds a single statement may have cut it: it is
  // doubled. Only the last window reaches the end of the text.
  ScannedText out;
  NestingTracker nesting;
  std::size_t begin = 0;
  std::size_t window = kScanWindowBytes;
  while (begin < sql.size()) {
    const bool to_end = sql.size() - begin <= window;
    const std::size_t size = to_end ? sql.size() - begin : window;
    const auto tokens = scan_sql_tokens(sql.substr(begin, size));
    if (!tokens && to_end) return std::nullopt;
    const auto cuts = tokens ? cut_at_semicolons(*tokens, size) : std::vector<ScannedStatement>{};
    if (!to_end && cuts.size() < 2) {
      window *= 2;
      continue;
    }
    const std::size_t kept = to_end ? cuts.size() : cuts.size() - 1;
    for (std::size_t i = 0; i < kept; ++i) out.statements.push_back({cuts[i].offset + begin, cuts[i].length});
    const std::size_t consumed = to_end ? size : cuts.back().offset;
    for (const auto& t : *tokens) {
      if (t.start >= consumed) break;
      nesting.add(t, begin);
    }
    begin += consumed;
    window = kScanWindowBytes;
  }
  nesting.finish();
  out.too_deep = nesting.too_deep();
  return out;
}

// Refuses sql[begin, end) when a statement starting in it nests too deeply (the deepest such).
void refuse_deep_nesting(const std::string& sql, const std::vector<NestingBound>& too_deep, std::size_t begin,
                         std::size_t end) {
  const NestingBound* worst = nullptr;
  for (const auto& bound : too_deep) {
    if (bound.offset >= begin && bound.offset < end && (!worst || bound.levels > worst->levels)) worst = &bound;
  }
  if (!worst) return;
  const auto at = LineIndex(sql).at(worst->offset);
  throw SqlParseFailure({fmt::format("the statement nests too deeply to analyse (up to {} levels, more than {}): "
                                     "split it into smaller statements",
                                     worst->levels, kMaxNesting),
                         at.line, at.column, "statement too complex"});
}

// Parses sql[begin, end) and appends its statements with offsets in `sql`. Returns false, with
// nothing appended, when the parser fails at or after `retry_from` (a byte offset in `sql`) and
// `may_retry`: a cut the scanner made inside a statement, which a longer chunk mends.
// libpg_query's handling of its own allocation failures is not always clean (seen under ulimit
// -v: a double free, an exit without a word), so a chunk goes to it only when the process can
// still get many times what the parse needs; otherwise it is out of memory and says so. The probe
// reserves address space only: no page of it is touched.
void require_parser_headroom(std::size_t chunk_bytes) {
  const std::size_t headroom =
      std::min<std::size_t>(std::max<std::size_t>(std::size_t{64} << 20, chunk_bytes * 40), std::size_t{1} << 30);
  void* probe = std::malloc(headroom);
  if (!probe) throw std::bad_alloc();
  std::free(probe);
}

bool parse_chunk(const std::string& sql, std::size_t begin, std::size_t end, std::size_t retry_from, bool may_retry,
                 const std::vector<NestingBound>& too_deep, std::vector<ParsedStatement>& out) {
  refuse_deep_nesting(sql, too_deep, begin, end);
  const std::string chunk = sql.substr(begin, end - begin);
  require_parser_headroom(chunk.size());
  const SqlParseResult result(chunk);
  if (const auto& error = result.error()) {
    const std::size_t at_byte = begin + byte_offset_of_character(chunk, error->cursor);
    if (may_retry && (error->cursor == 0 || at_byte >= retry_from)) return false;
    if (error->message == "out of memory") throw std::bad_alloc();
    const auto at = LineIndex(sql).at(at_byte);
    throw SqlParseFailure({error->message, at.line, at.column, "SQL syntax error"});
  }
  const std::size_t first = out.size();
  StatementReader reader(out, begin);
  nlohmann::json::sax_parse(result.json(), &reader);
  for (std::size_t i = first; i < out.size(); ++i) {
    auto& statement = out[i];
    statement.offset = std::min(statement.offset, chunk.size());
    // libpg_query reports 0 for "until the end of the input" on the last statement.
    if (statement.length == 0 || statement.length > chunk.size() - statement.offset) {
      statement.length = chunk.size() - statement.offset;
    }
    statement.offset += begin;
  }
  return true;
}

// At least this many bytes of statements go to the parser at once: its trees and its JSON for
// one chunk at a time, never for the whole file (a 50 MB file would need gigabytes).
constexpr std::size_t kChunkBytes = 256 * 1024;

std::vector<ParsedStatement> parse_uncached(const std::string& sql, std::size_t chunk_bytes) {
  std::vector<ParsedStatement> statements;
  const auto scanned = scan_text(sql);
  if (!scanned || scanned->statements.empty()) {
    // Not scanned, nothing to bound: the parser reports what the scanner rejected.
    parse_chunk(sql, 0, sql.size(), 0, false, {}, statements);
    return statements;
  }
  // A chunk runs from the start of the text or just after a semicolon the scanner found to just
  // after another one (the last: to the end of the text), so that each statement keeps the
  // offset and length a parse of the whole text gives it.
  const auto& s = scanned->statements;
  // The parser's statements are the scanner's, or fewer (BEGIN ATOMIC bodies): no regrowth of a
  // vector of hundreds of thousands.
  statements.reserve(s.size());
  std::size_t begin = 0, i = 0;
  while (i < s.size()) {
    std::size_t j = i;  // the chunk's last span
    while (j + 1 < s.size() && s[j + 1].offset - begin < chunk_bytes) ++j;
    for (;;) {
      const bool last = j + 1 >= s.size();
      const std::size_t end = last ? sql.size() : s[j + 1].offset;
      if (parse_chunk(sql, begin, end, s[j].offset, !last, scanned->too_deep, statements)) {
        begin = end;
        i = j + 1;
        break;
      }
      j = std::min(s.size() - 1, j + (j - i + 1));  // twice the statements, then again
    }
  }
  return statements;
}

// A parsed text: its statements, or the failure to throw again.
struct CachedParse {
  std::shared_ptr<const std::vector<ParsedStatement>> statements;
  std::optional<SqlSyntaxError> failure;
};

// Far more files than a project has; the bound keeps a process that parses text after text (a
// fuzzer) from growing without end. The oldest text goes first.
constexpr std::size_t kCachedTexts = 1024;

std::mutex cache_mutex;
// By the text's SHA-256 and length, not a copy of the text: a 50 MB file would be held twice.
std::unordered_map<std::string, CachedParse> cache;
std::deque<const std::string*> cache_order;  // keys of `cache`, oldest first
std::atomic<std::size_t> parses_run{0};

}  // namespace

bool keeps_tree(std::string_view type) {
  static const char* const types[] = {
      // sql/script.cpp: creates, drops, CONCURRENTLY, COPY FROM STDIN, transaction control,
      // destructive statements.
      "IndexStmt", "DropStmt", "ReindexStmt", "CreateStmt", "CreateTableAsStmt", "ViewStmt", "CreatePolicyStmt",
      "CreateFunctionStmt", "CopyStmt", "TransactionStmt", "TruncateStmt", "DeleteStmt", "DropOwnedStmt",
      // What `diff` attributes to a file and line (sql/defined_objects.cpp).
      "AlterTableStmt", "CompositeTypeStmt", "CreateDomainStmt", "CreateEnumStmt", "CreateExtensionStmt",
      "CreateSeqStmt", "CreateTrigStmt", "GrantStmt",
      // What changes an object: the last statement that did is what verify's findings cite.
      "AlterFunctionStmt", "AlterPolicyStmt", "CommentStmt", "RenameStmt",
      // The lint rules, beyond the above (lint/lint_file.cpp, reads_statement).
      "CreateForeignTableStmt", "VariableSetStmt", "CreateSchemaStmt", "AlterRoleStmt", "CreateRoleStmt",
      "CreatePLangStmt",
      // What adopt checks of schemas' and default privileges (verify/adoption_effects.cpp).
      "AlterDefaultPrivilegesStmt"};
  for (const char* t : types) {
    if (type == t) return true;
  }
  return false;
}

std::shared_ptr<const std::vector<ParsedStatement>> parse_statements(const std::string& sql) {
  const std::string key = sha256_hex(sql) + ":" + std::to_string(sql.size());
  {
    const std::lock_guard<std::mutex> lock(cache_mutex);
    const auto it = cache.find(key);
    if (it != cache.end()) {
      if (it->second.failure) throw SqlParseFailure(*it->second.failure);
      return it->second.statements;
    }
  }
  // Parsed outside the lock: other threads' files need not wait for this one.
  CachedParse parsed;
  try {
    parsed.statements = std::make_shared<const std::vector<ParsedStatement>>(parse_uncached(sql, kChunkBytes));
  } catch (const SqlParseFailure& failure) {
    parsed.failure = failure.error();
  }
  ++parses_run;
  {
    const std::lock_guard<std::mutex> lock(cache_mutex);
    const auto [it, added] = cache.emplace(key, parsed);
    if (added) cache_order.push_back(&it->first);
    while (cache_order.size() > kCachedTexts) {
      cache.erase(cache.find(*cache_order.front()));
      cache_order.pop_front();
    }
  }
  if (parsed.failure) throw SqlParseFailure(*parsed.failure);
  return parsed.statements;
}

std::vector<ParsedStatement> parse_statements_in_chunks(const std::string& sql, std::size_t chunk_bytes) {
  return parse_uncached(sql, chunk_bytes);
}

std::size_t statement_parses_run() { return parses_run.load(); }

}  // namespace cora
