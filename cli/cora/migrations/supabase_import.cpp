#include "cora/migrations/supabase_import.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cora/output/plural.hpp"
#include "cora/sql/script.hpp"
#include "cora/sql/statement_text.hpp"
#include "cora/util/join.hpp"

namespace cora {

namespace {

constexpr std::size_t kQuoted = 80;

std::vector<std::string> normalised(const std::vector<std::string>& statements) {
  std::vector<std::string> out;
  for (const auto& s : statements) {
    auto text = normalised_statement(s);
    if (!text.empty()) out.push_back(std::move(text));  // a chunk of only comments is no statement
  }
  return out;
}

// At most kQuoted characters of `text` around byte `at`, where it first differs from the other.
std::string quoted(const std::string& text, std::size_t at) {
  std::size_t start = at > kQuoted / 2 ? at - kQuoted / 2 : 0;
  // From a token's start: tokens are separated by one blank.
  if (const auto blank = text.find(' ', start); start > 0 && blank != std::string::npos && blank < at)
    start = blank + 1;
  const std::string shown = text.substr(start, kQuoted);
  return "`" + std::string(start > 0 ? "..." : "") + shown + (start + shown.size() < text.size() ? "..." : "") + "`";
}

std::size_t first_difference(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

// Why the recorded statements are not the file's, or nullopt when they are.
std::optional<std::string> difference(const std::vector<std::string>& recorded, const std::vector<std::string>& local) {
  if (join(recorded, " ; ") == join(local, " ; ")) return std::nullopt;
  for (std::size_t i = 0; i < std::min(recorded.size(), local.size()); ++i) {
    if (recorded[i] == local[i]) continue;
    const std::size_t at = first_difference(recorded[i], local[i]);
    return fmt::format("statement {} differs: the database recorded {}, the file has {}", i + 1,
                       quoted(recorded[i], at), quoted(local[i], at));
  }
  return fmt::format("the database recorded {}, the file has {}", plural(recorded.size(), "statement"), local.size());
}

std::string row_label(const SupabaseMigration& row) {
  return row.name.empty() ? "version " + row.version : fmt::format("version {} ({})", row.version, row.name);
}

}  // namespace

SupabaseImport plan_supabase_import(const std::vector<MigrationFile>& files, const std::vector<SupabaseMigration>& rows,
                                    const std::vector<HistoryRecord>& history) {
  SupabaseImport out;
  for (const auto& row : rows) {
    const auto file = std::find_if(files.begin(), files.end(),
                                   [&](const MigrationFile& f) { return f.version_digits == row.version; });
    if (file == files.end()) {
      out.problems.push_back(
          fmt::format("{}: recorded by the Supabase CLI, but no local file has this version", row_label(row)));
      continue;
    }
    const bool recorded = std::any_of(history.begin(), history.end(), [&](const HistoryRecord& r) {
      return r.module == file->module && r.version == file->version && r.name == file->name;
    });
    if (recorded) {
      ++out.already_recorded;
      continue;
    }
    const std::string where = fmt::format("{} (version {})", file->path.string(), row.version);
    if (!row.statements) {
      out.problems.push_back(
          fmt::format("{}: the Supabase CLI recorded no statements for it, so nothing can be compared", where));
      continue;
    }
    std::vector<std::string> local;
    try {
      const auto script = parse_sql_script(file->content);
      for (const auto& s : script.statements) local.push_back(file->content.substr(s.offset, s.length));
    } catch (const SqlParseFailure& failure) {
      out.problems.push_back(fmt::format("{}:{}: {}: {}", file->path.string(), failure.error().line,
                                         failure.error().kind, failure.error().message));
      continue;
    }
    if (const auto why = difference(normalised(*row.statements), normalised(local))) {
      out.problems.push_back(fmt::format("{}: not what the Supabase CLI applied: {}", where, *why));
      continue;
    }
    out.to_import.push_back(&*file);
  }
  return out;
}

}  // namespace cora
