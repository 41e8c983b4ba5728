#pragma once
// Finding migration files on disk and naming them: NNN-name.sql (toolkit style), and
// YYYYMMDD_name.sql / YYYYMMDDHHMMSS_name.sql (dated; the Supabase CLI's style), mixed in one
// folder and ordered as the toolkit means them: numbers first, then dates as timestamps.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cora {

// schema/ files are a module's current state, re-run when they change; migrations/ files are
// deltas for databases built before a change, each applied once.
enum class FileRole { delta, snapshot };

struct MigrationFile {
  std::int64_t version = 0;
  std::string version_digits;  // the version as written ("007", "20260113"): its order needs it
  std::string name;            // "auth-events-sessions"
  std::string file_name;       // "007-auth-events-sessions.sql"
  std::filesystem::path path;
  std::string content;       // as read, less a leading UTF-8 byte order mark (psql skips it too)
  std::string checksum;      // SHA-256 of content with CRLF line ends read as LF, lower-case hex
  std::string raw_checksum;  // SHA-256 of content as it is: what versions before 0.2 recorded
  std::string module;        // "" for the single migrations folder of a project without modules
  FileRole role = FileRole::delta;
  // The file that undoes it for `rollback`, beside it: NNN-name.down.sql (empty when none). Not a
  // migration itself: discovery never lists it, and it is read only when a rollback needs it.
  std::filesystem::path down_path;

  // True when `recorded` is this file's checksum, in either form: a checkout that only turned
  // LF into CRLF (git's autocrlf) or back is not a change.
  bool matches_checksum(const std::string& recorded) const { return recorded == checksum || recorded == raw_checksum; }
};

// A version of this many digits or more is a date (YYYYMMDD, or a longer timestamp); shorter is a
// plain number.
inline constexpr std::size_t kDateDigits = 8;

struct ParsedFileName {
  std::int64_t version = 0;
  std::string digits;
  std::string name;
};

// Order of two versions of one folder: numbered versions (fewer than 8 digits) first, by number;
// then dated ones as timestamps compared left-aligned (20260113 is 2026-01-13 00:00:00, before
// 20260113090000). Negative, zero or positive, as strcmp.
int compare_versions(const std::string& a_digits, const std::string& b_digits);

// True when `a` runs before `b` in one folder: by version, then by file name.
bool runs_before(const MigrationFile& a, const MigrationFile& b);

// "module:file-name" or the file name alone when there are no modules: how output names a file.
std::string display_name(const MigrationFile& file);

struct DiscoverOptions {
  std::string module;  // set on every file found
  FileRole role = FileRole::delta;
  bool allow_repeated_versions = false;  // modules: several files may share a version (ordered by name)
  // True for a file the project leaves out (its exclude globs): it is not read at all.
  std::function<bool(const std::filesystem::path&)> excluded;
  // Set: files without a version are added here instead of failing, so that the caller lists
  // every folder's in one error.
  std::vector<std::filesystem::path>* unnamed = nullptr;
};

// Version and name from a file name such as "007-auth-events-sessions.sql" or
// "20240101120000_create_users.sql"; nullopt when the name does not follow either style.
std::optional<ParsedFileName> parse_migration_file_name(const std::string& file_name);

// The suffix of a down file (`rollback`): "007-add-teams.down.sql" undoes "007-add-teams.sql".
inline constexpr const char* kDownFileSuffix = ".down.sql";

// Every *.sql file in `dir` (hidden files and other extensions are ignored), read, checksummed and
// sorted by version. A NNN-name.down.sql file is not a migration: it is set as its migration's
// down_path; one whose migration is not there (nor left out by `excluded`) is an error. Throws cora::Error (migration_files) naming the files when the folder is
// missing, a name is unparseable, two files share a version, a file is empty or not UTF-8, or an
// entry named like a migration is not a readable regular file (a dangling symlink, a folder, a
// FIFO, a symlink loop): all before anything runs.
// Every bad name is listed in one error, with the fix. A folder whose .sql files sit only in
// subfolders (archive/ aside) is an error too: reading it as empty would say "up to date".
std::vector<MigrationFile> discover_migrations(const std::filesystem::path& dir, const DiscoverOptions& options = {});

// The down file of `up` read as a file of its own (its version, name and module; path, file name,
// content and checksums its own). Throws cora::Error (migration_files) when it is empty, not UTF-8
// or unreadable. `up` must have a down_path.
MigrationFile read_down_file(const MigrationFile& up);

// Files of `files` (in order) that share their version with the one before them.
std::vector<const MigrationFile*> repeated_versions(const std::vector<MigrationFile>& files);

// The checksum of `content` as recorded in history: line ends normalised to LF.
std::string migration_checksum(const std::string& content);

// First byte offset at which `text` is not valid UTF-8, or nullopt.
std::optional<std::size_t> find_invalid_utf8(const std::string& text);

}  // namespace cora
