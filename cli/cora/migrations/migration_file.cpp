#include "cora/migrations/migration_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

#include "cora/error.hpp"
#include "cora/util/sha256.hpp"
#include "cora/util/text_position.hpp"

namespace cora {

namespace {

constexpr std::size_t kMaxVersionDigits = 18;  // fits in int64 and covers Supabase's timestamps

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(ExitCode::migration_files, "cannot be read", "check the file's permissions").at({path.string()});
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Why an entry named like a migration cannot be read as one, or nullopt for a regular file
// (directly or through symlinks).
std::optional<std::string> not_a_regular_file(const std::filesystem::directory_entry& entry) {
  std::error_code ec;
  const auto link = entry.symlink_status(ec);
  const auto target = std::filesystem::status(entry.path(), ec);
  if (ec) {
    if (std::filesystem::is_symlink(link)) {
      return ec == std::errc::too_many_symbolic_link_levels ? "a symbolic link loop" : "a symbolic link to nothing";
    }
    return "cannot be inspected: " + ec.message();
  }
  switch (target.type()) {
    case std::filesystem::file_type::regular: return std::nullopt;
    case std::filesystem::file_type::not_found: return "a symbolic link to nothing";
    case std::filesystem::file_type::directory: return "a folder";
    case std::filesystem::file_type::fifo: return "a FIFO (named pipe)";
    case std::filesystem::file_type::socket: return "a socket";
    case std::filesystem::file_type::block:
    case std::filesystem::file_type::character: return "a device";
    default: return "not a regular file";
  }
}

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

bool is_whitespace_only(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

}  // namespace

std::optional<ParsedFileName> parse_migration_file_name(const std::string& file_name) {
  constexpr std::string_view extension = ".sql";
  if (file_name.size() <= extension.size() ||
      file_name.compare(file_name.size() - extension.size(), extension.size(), extension) != 0) {
    return std::nullopt;
  }
  const std::string stem = file_name.substr(0, file_name.size() - extension.size());
  std::size_t digits = 0;
  while (digits < stem.size() && is_digit(stem[digits])) ++digits;
  if (digits == 0 || digits > kMaxVersionDigits || digits + 1 >= stem.size()) return std::nullopt;
  if (stem[digits] != '-' && stem[digits] != '_') return std::nullopt;
  // The name is printed in status, errors and as a comment in --dry-run's SQL: one line of text.
  const bool control =
      std::any_of(stem.begin(), stem.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
  if (control || find_invalid_utf8(stem)) return std::nullopt;
  ParsedFileName parsed;
  std::from_chars(stem.data(), stem.data() + digits, parsed.version);
  parsed.digits = stem.substr(0, digits);
  parsed.name = stem.substr(digits + 1);
  return parsed;
}

namespace {

constexpr std::size_t kTimestampWidth = 18;  // left-aligned width dates are compared at

std::string_view without_leading_zeros(std::string_view digits) {
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  return digits;
}

}  // namespace

int compare_versions(const std::string& a, const std::string& b) {
  const bool a_dated = a.size() >= kDateDigits;
  const bool b_dated = b.size() >= kDateDigits;
  if (a_dated != b_dated) return a_dated ? 1 : -1;
  if (a_dated) {
    const std::string left_a = a + std::string(kTimestampWidth - std::min(a.size(), kTimestampWidth), '0');
    const std::string left_b = b + std::string(kTimestampWidth - std::min(b.size(), kTimestampWidth), '0');
    return left_a.compare(left_b);
  }
  const auto na = without_leading_zeros(a);
  const auto nb = without_leading_zeros(b);
  if (na.size() != nb.size()) return na.size() < nb.size() ? -1 : 1;
  return na.compare(nb);
}

bool runs_before(const MigrationFile& a, const MigrationFile& b) {
  const int by_version = compare_versions(a.version_digits, b.version_digits);
  return by_version != 0 ? by_version < 0 : a.file_name < b.file_name;
}

std::string display_name(const MigrationFile& file) {
  return file.module.empty() ? file.file_name : file.module + ":" + file.file_name;
}

std::vector<const MigrationFile*> repeated_versions(const std::vector<MigrationFile>& files) {
  std::vector<const MigrationFile*> out;
  for (std::size_t i = 1; i < files.size(); ++i) {
    if (files[i].version == files[i - 1].version) out.push_back(&files[i]);
  }
  return out;
}

std::optional<std::size_t> find_invalid_utf8(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    unsigned min_code = 0;
    unsigned code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      length = 2;
      min_code = 0x80;
      code = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      min_code = 0x800;
      code = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      min_code = 0x10000;
      code = c & 0x07u;
    } else return i;
    if (i + length > text.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      code = (code << 6) | (cc & 0x3Fu);
    }
    if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return i;
    i += length;
  }
  return std::nullopt;
}

namespace {

// "007-add-teams.sql" for "007-add-teams.down.sql"; nullopt for any other name (and for a down
// file without a version, which the unnamed-file rule then reports as it would any other).
std::optional<std::string> up_file_name_of_down(const std::string& file_name) {
  const std::string suffix = kDownFileSuffix;
  if (file_name.size() <= suffix.size() ||
      file_name.compare(file_name.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return std::nullopt;
  }
  const std::string up = file_name.substr(0, file_name.size() - suffix.size()) + ".sql";
  if (!parse_migration_file_name(up)) return std::nullopt;
  return up;
}

// Each down file onto its migration. One without its migration would undo nothing: refused, so a
// misspelt name is not found out only when a rollback needs it. A migration left out by the
// project's exclude globs takes its down file out with it.
void attach_down_files(std::vector<MigrationFile>& files, const std::map<std::string, std::filesystem::path>& down,
                       const std::filesystem::path& dir, const DiscoverOptions& options) {
  for (auto& file : files) {
    const auto it = down.find(file.file_name);
    if (it != down.end()) file.down_path = it->second;
  }
  for (const auto& entry : down) {
    // Not a structured binding: a lambda may not capture one in C++17 (clang refuses it).
    const std::string& up = entry.first;
    const std::filesystem::path& path = entry.second;
    const bool attached =
        std::any_of(files.begin(), files.end(), [&up](const MigrationFile& f) { return f.file_name == up; });
    if (attached || (options.excluded && options.excluded(dir / up))) continue;
    throw Error(ExitCode::migration_files, fmt::format("a down file without its migration {}", up),
                "a down file NNN-name.down.sql undoes NNN-name.sql beside it: rename it after the migration it "
                "undoes, or remove it")
        .at({path.string()});
  }
}

// A .sql file in a subfolder other than archive/, for the "only in subfolders" error.
std::optional<std::filesystem::path> sql_in_subfolders(const std::filesystem::path& dir) {
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && it->path().filename() == "archive") {
      it.disable_recursion_pending();
      continue;
    }
    if (it.depth() > 0 && it->path().extension() == ".sql" && it->is_regular_file(ec)) return it->path();
  }
  return std::nullopt;
}

}  // namespace

std::vector<MigrationFile> discover_migrations(const std::filesystem::path& dir, const DiscoverOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw Error(ExitCode::migration_files, "migrations folder does not exist",
                "create it, or point --migrations (or migrations_dir in cora-migrate.toml) at it")
        .at({dir.string()});
  }
  std::vector<MigrationFile> files;
  std::vector<std::string> unnamed;
  std::map<std::string, std::filesystem::path> down_files;  // the migration's file name -> its down file
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string file_name = entry.path().filename().string();
    if (file_name.empty() || file_name[0] == '.' || entry.path().extension() != ".sql") continue;
    if (options.excluded && options.excluded(entry.path())) continue;
    // Skipping it would let later versions apply without it.
    if (const auto why = not_a_regular_file(entry)) {
      throw Error(ExitCode::migration_files, fmt::format("named like a migration but is {}; nothing was applied", *why),
                  "make it a readable regular file, or move it out of the migrations folder")
          .at({entry.path().string()});
    }
    // NNN-name.down.sql undoes NNN-name.sql (`rollback`): never a migration of its own.
    if (const auto up = up_file_name_of_down(file_name)) {
      down_files.emplace(*up, entry.path());
      continue;
    }
    const auto parsed = parse_migration_file_name(file_name);
    if (!parsed) {
      if (options.unnamed) {
        options.unnamed->push_back(entry.path());
      } else {
        unnamed.push_back(entry.path().string());
      }
      continue;
    }
    MigrationFile file;
    file.version = parsed->version;
    file.version_digits = parsed->digits;
    file.name = parsed->name;
    file.file_name = file_name;
    file.path = entry.path();
    file.module = options.module;
    file.role = options.role;
    file.content = read_file(entry.path());
    if (file.content.compare(0, kByteOrderMark.size(), kByteOrderMark) == 0)
      file.content.erase(0, kByteOrderMark.size());
    files.push_back(std::move(file));
  }
  if (!unnamed.empty()) {
    std::sort(unnamed.begin(), unnamed.end());
    std::string list;
    for (const auto& name : unnamed) list += (list.empty() ? "" : ", ") + name;
    throw Error(ExitCode::migration_files,
                fmt::format("{}: not a migration file name ({} file{} without a version)", list, unnamed.size(),
                            unnamed.size() == 1 ? "" : "s"),
                "name each NNN-description.sql (e.g. 008-add-teams.sql), YYYYMMDD_description.sql or "
                "YYYYMMDDHHMMSS_description.sql, in UTF-8 and without control characters, so that its place in the "
                "order is known");
  }
  attach_down_files(files, down_files, dir, options);
  if (files.empty()) {
    if (const auto nested = sql_in_subfolders(dir)) {
      throw Error(ExitCode::migration_files,
                  fmt::format("holds no .sql file itself, only in subfolders (e.g. {})", nested->string()),
                  "cora-migrate reads the folder's own files, not its subfolders: move the files up, or point the "
                  "setting at the subfolder")
          .at({dir.string()});
    }
  }
  std::sort(files.begin(), files.end(), runs_before);
  if (!options.allow_repeated_versions) {
    for (std::size_t i = 1; i < files.size(); ++i) {
      if (files[i].version == files[i - 1].version) {
        throw Error(ExitCode::migration_files,
                    fmt::format("{} and {}: both have version {}", files[i - 1].path.string(), files[i].path.string(),
                                files[i].version),
                    "renumber one of them");
      }
    }
  }
  for (auto& file : files) {
    if (is_whitespace_only(file.content)) {
      throw Error(ExitCode::migration_files, "file is empty", "write the migration's SQL, or delete the file")
          .at({file.path.string()});
    }
    if (const auto bad = find_invalid_utf8(file.content)) {
      const auto at = line_column_at(file.content, *bad);
      throw Error(ExitCode::migration_files, "not valid UTF-8", "save the file as UTF-8")
          .at({file.path.string(), at.line, at.column});
    }
    file.checksum = migration_checksum(file.content);
    file.raw_checksum = sha256_hex(file.content);
  }
  return files;
}

MigrationFile read_down_file(const MigrationFile& up) {
  MigrationFile down;
  down.version = up.version;
  down.version_digits = up.version_digits;
  down.name = up.name;
  down.module = up.module;
  down.role = up.role;
  down.path = up.down_path;
  down.file_name = up.down_path.filename().string();
  down.content = read_file(up.down_path);
  if (down.content.compare(0, kByteOrderMark.size(), kByteOrderMark) == 0) down.content.erase(0, kByteOrderMark.size());
  if (is_whitespace_only(down.content)) {
    throw Error(ExitCode::migration_files, "down file is empty",
                "write the SQL that undoes " + up.file_name + ", or delete the file (rollback then computes it)")
        .at({down.path.string()});
  }
  if (const auto bad = find_invalid_utf8(down.content)) {
    const auto at = line_column_at(down.content, *bad);
    throw Error(ExitCode::migration_files, "not valid UTF-8", "save the file as UTF-8")
        .at({down.path.string(), at.line, at.column});
  }
  down.checksum = migration_checksum(down.content);
  down.raw_checksum = sha256_hex(down.content);
  return down;
}

std::string migration_checksum(const std::string& content) {
  if (content.find("\r\n") == std::string::npos) return sha256_hex(content);
  std::string normalised;
  normalised.reserve(content.size());
  for (std::size_t i = 0; i < content.size(); ++i) {
    if (content[i] == '\r' && i + 1 < content.size() && content[i + 1] == '\n') continue;
    normalised += content[i];
  }
  return sha256_hex(normalised);
}

}  // namespace cora
