#pragma once
// Finding migration files on disk and naming them: NNN-name.sql (toolkit style) and
// <digits>_name.sql (Supabase CLI style), ordered by numeric version.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cora {

struct MigrationFile {
  std::int64_t version = 0;
  std::string name;          // "auth-events-sessions"
  std::string file_name;     // "007-auth-events-sessions.sql"
  std::filesystem::path path;
  std::string content;       // as read, less a leading UTF-8 byte order mark (psql skips it too)
  std::string checksum;      // SHA-256 of content with CRLF line ends read as LF, lower-case hex
  std::string raw_checksum;  // SHA-256 of content as it is: what versions before 0.2 recorded

  // True when `recorded` is this file's checksum, in either form: a checkout that only turned
  // LF into CRLF (git's autocrlf) or back is not a change.
  bool matches_checksum(const std::string& recorded) const { return recorded == checksum || recorded == raw_checksum; }
};

struct ParsedFileName {
  std::int64_t version = 0;
  std::string name;
};

// Version and name from a file name such as "007-auth-events-sessions.sql" or
// "20240101120000_create_users.sql"; nullopt when the name does not follow either style.
std::optional<ParsedFileName> parse_migration_file_name(const std::string& file_name);

// Every *.sql file in `dir` (hidden files and other extensions are ignored), read, checksummed and
// sorted by version. Throws cora::Error (migration_files) naming the files when the folder is
// missing, a name is unparseable, two files share a version, a file is empty or not UTF-8, or an
// entry named like a migration is not a readable regular file (a dangling symlink, a folder, a
// FIFO, a symlink loop): all before anything runs.
std::vector<MigrationFile> discover_migrations(const std::filesystem::path& dir);

// The checksum of `content` as recorded in history: line ends normalised to LF.
std::string migration_checksum(const std::string& content);

// First byte offset at which `text` is not valid UTF-8, or nullopt.
std::optional<std::size_t> find_invalid_utf8(const std::string& text);

}  // namespace cora
