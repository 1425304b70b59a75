// Online copies of the SQLite store (SQLite's backup API) and the record counts a backup manifest holds.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "jiebang/core/status.h"

namespace jiebang {

/// What a consistent copy of the store holds: its schema version and, per table, the number of
/// rows (scenarios, enterprises, changes, matches, match_events, api_keys, web_sessions,
/// digest_runs, digest_recipients, digest_items), plus the last change seq.
struct StoreSnapshot {
  int schema_version = 0;                ///< PRAGMA user_version of the copy
  int64_t last_change_seq = 0;           ///< highest seq of the change log (0 when empty)
  int64_t pages = 0;                     ///< pages copied; unit: SQLite pages of `page_size` bytes
  int64_t page_size = 0;                 ///< unit: bytes
  std::map<std::string, int64_t> rows;   ///< table name → row count
};

/// Progress of a copy: pages done of total.
using CopyProgressFn = std::function<void(int64_t done_pages, int64_t total_pages)>;

/// Copies the SQLite database at `src_path` to a new file `dest_path` (which must not exist) with
/// SQLite's online backup API, while other connections and processes keep reading and writing the
/// source. The copy is one consistent snapshot: a read transaction is held on the source for the
/// whole copy (in WAL mode, which the store uses, readers never block writers and the snapshot does
/// not move, so the copy never restarts), and the pages are copied `pages_per_step` at a time
/// (unit: pages; SQLite's default page is 4096 bytes). The copy is left in rollback-journal mode
/// (DELETE), a single self-contained file, fsynced; the counts come from the copy itself.
/// Errors (messages name the path): kNotFound (no source), kConflict (`dest_path` exists),
/// kUnavailable (cannot open, locked past 10 s, disk full or I/O errors), kInternal (not a
/// database). Thread-safe: uses its own connections.
Result<StoreSnapshot> copy_store(const std::string& src_path, const std::string& dest_path,
                                 const CopyProgressFn& progress = {}, int pages_per_step = 1024);

/// Opens the database at `path` read-only, runs SQLite's `PRAGMA quick_check` and counts its rows
/// as copy_store does (`pages` and `page_size` of the file). Errors: kNotFound (no file),
/// kInternal (not a database, or quick_check found damage: the message quotes SQLite's first
/// finding), kUnavailable (cannot open).
Result<StoreSnapshot> inspect_store(const std::string& path);

}  // namespace jiebang
