// Backup and restore of a data directory: an online copy of the store with a manifest; the index is rebuilt.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "jiebang/core/status.h"
#include "jiebang/service/service.h"

namespace jiebang {

/// manifest.json of a backup directory: what the copy of the store is, so that restore can check
/// it. The Xapian index is not in a backup (it is derived from the store): restore rebuilds it.
struct BackupManifest {
  static constexpr int kFormatVersion = 1;   ///< of this manifest's layout
  int format_version = kFormatVersion;
  std::string jiebang_version;               ///< of the jiebang that wrote the backup
  int schema_version = 0;                    ///< the store's schema version (PRAGMA user_version)
  std::string created_at;                    ///< ISO 8601 UTC, when the snapshot was taken
  std::string source_data_dir;               ///< the data directory backed up, as given
  std::string store_file = "jiebang.sqlite3";///< the copy of the store, relative to the backup directory
  int64_t store_bytes = 0;                   ///< unit: bytes
  std::string store_sha256;                  ///< lower-case hex SHA-256 (FIPS 180-4) of the store file
  int64_t last_change_seq = 0;               ///< the store's last change seq in the snapshot
  std::map<std::string, int64_t> rows;       ///< table → rows in the snapshot (scenarios, enterprises, matches, …)
  double seconds = 0;                        ///< time the backup took; unit: seconds

  /// {"format": "jiebang-backup", "format_version", "jiebang_version", "schema_version",
  /// "created_at", "source_data_dir", "store": {"file", "bytes", "sha256"}, "last_change_seq",
  /// "rows": {table: count}, "seconds", "index": "<why it is not copied>"}.
  nlohmann::json to_json() const;
  /// Reads a manifest. Errors: kInvalidArgument naming the first missing or ill-typed key, an
  /// unknown format, or a newer format_version.
  static Result<BackupManifest> from_json(const nlohmann::json& j);
};

/// Backs up the store of `data_dir` into `dest_dir` (created with its parents; it must be new or
/// empty) while other processes — `jiebang serve` included — keep reading and writing it: an
/// online, consistent copy (copy_store) as `dest_dir`/jiebang.sqlite3, then
/// `dest_dir`/manifest.json, written last (a directory without it is an unfinished backup).
/// Files are written under temporary names, fsynced and renamed. `progress` gets phase "backup"
/// with pages done of total. Errors (messages name the path): kNotFound (no store in
/// `data_dir`), kConflict (`dest_dir` not empty), kInvalidArgument (`dest_dir` is a file),
/// kUnavailable (cannot write, disk full, store locked past 10 s). Thread-safe.
Result<BackupManifest> backup_data_dir(const std::string& data_dir, const std::string& dest_dir,
                                       const ProgressFn& progress = {});

/// What restore did.
struct RestoreReport {
  BackupManifest manifest;
  Service::State state;  ///< of the restored data directory, index rebuilt
  double seconds = 0;    ///< unit: seconds
};

/// Restores the backup in `src_dir` into `config.data_dir`, which must not exist or be empty
/// unless `force` (then its store files and index/ are replaced; other files stay). Checks the
/// manifest (format, the store file's size and SHA-256), copies the store with SQLite's backup
/// API, checks the copy's row counts against the manifest, then opens the service on it
/// (`config`'s index definition), which rebuilds the index from the store (phase "index").
/// Do not restore under a running server. Errors (messages name the path and the reason):
/// kNotFound (no manifest or store file: not a backup or an unfinished one), kInvalidArgument
/// (a malformed manifest; a store file whose size or SHA-256 differs from the manifest: truncated
/// or corrupted), kConflict (a non-empty data directory without `force`; with `force`, one whose
/// index another process holds, e.g. a running `jiebang serve`), kInternal (row counts
/// differ from the manifest; a schema newer than this jiebang), kUnavailable (cannot write).
Result<RestoreReport> restore_data_dir(const std::string& src_dir, ServiceConfig config, bool force,
                                       const ProgressFn& progress = {});

}  // namespace jiebang
