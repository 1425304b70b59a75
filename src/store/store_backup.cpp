// Online copies of the store through SQLite's backup API (SQLiteCpp's Backup) and row counts of a copy.
#include "jiebang/store/backup.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <fmt/format.h>

#include "store_impl.h"

namespace jiebang {
namespace {

namespace fs = std::filesystem;

// Every table a store of the current schema has; a copy of an older schema lacks some.
constexpr const char* kTables[] = {"scenarios",    "enterprises",  "changes",     "matches",
                                   "match_events", "api_keys",     "web_sessions", "digest_runs",
                                   "digest_recipients", "digest_items"};

StoreSnapshot count_rows(SQLite::Database& db) {
  StoreSnapshot s;
  s.schema_version = db.execAndGet("PRAGMA user_version").getInt();
  s.pages = db.execAndGet("PRAGMA page_count").getInt64();
  s.page_size = db.execAndGet("PRAGMA page_size").getInt64();
  SQLite::Statement has(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  for (const char* table : kTables) {
    has.reset();
    has.bind(1, table);
    if (!has.executeStep()) continue;
    s.rows[table] = db.execAndGet(fmt::format("SELECT count(*) FROM \"{}\"", table)).getInt64();
  }
  if (s.rows.count("changes"))
    s.last_change_seq = db.execAndGet("SELECT coalesce(max(seq), 0) FROM changes").getInt64();
  return s;
}

}  // namespace

Result<StoreSnapshot> copy_store(const std::string& src_path, const std::string& dest_path,
                                 const CopyProgressFn& progress, int pages_per_step) {
  std::error_code ec;
  if (!fs::is_regular_file(src_path, ec)) return Status::not_found(fmt::format("{}: no store file here", src_path));
  if (fs::exists(dest_path, ec)) return Status::conflict(fmt::format("{}: already exists", dest_path));
  std::string stage = "open " + src_path;
  try {
    SQLite::Database src(src_path, SQLite::OPEN_READONLY, 10000);
    stage = "create " + dest_path;
    SQLite::Database dest(dest_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 10000);
    // One read transaction over the whole copy pins the snapshot: writers go on (WAL), and the
    // backup never sees the source change, so it does not restart.
    stage = "read " + src_path;
    src.exec("BEGIN");
    src.execAndGet("SELECT count(*) FROM sqlite_master");
    {
      SQLite::Backup backup(dest, src);
      stage = "copy " + src_path + " to " + dest_path;
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      for (;;) {
        int rc = backup.executeStep(pages_per_step > 0 ? pages_per_step : -1);
        if (rc == SQLITE_DONE) break;
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
          if (std::chrono::steady_clock::now() > deadline)
            return Status::unavailable(fmt::format("{}: locked for more than 10 s", stage));
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          continue;
        }
        deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        if (progress) progress(backup.getTotalPageCount() - backup.getRemainingPageCount(), backup.getTotalPageCount());
      }
      if (progress) progress(backup.getTotalPageCount(), backup.getTotalPageCount());
    }
    src.exec("COMMIT");
    stage = "finish " + dest_path;
    // The copy carries the source's WAL flag; a backup is one self-contained file.
    dest.exec("PRAGMA journal_mode=DELETE");
    return count_rows(dest);
  } catch (const std::exception& e) {
    fs::remove(dest_path, ec);
    return from_sqlite(e, stage);
  }
}

Result<StoreSnapshot> inspect_store(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return Status::not_found(fmt::format("{}: no store file here", path));
  try {
    SQLite::Database db(path, SQLite::OPEN_READONLY, 10000);
    std::string check = db.execAndGet("PRAGMA quick_check").getString();
    if (check != "ok") return Status::internal(fmt::format("{}: damaged (SQLite quick_check: {})", path, check));
    return count_rows(db);
  } catch (const std::exception& e) {
    return from_sqlite(e, fmt::format("{}: cannot read as a SQLite database", path));
  }
}

}  // namespace jiebang
