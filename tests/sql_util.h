// Tests' direct access to a store file with the sqlite3 C API (independent of the Store).
#pragma once

#include <string>

#include <sqlite3.h>

namespace jiebang::testing {

/// Runs `sql` (one or more statements) on the SQLite file at `path`; returns "" on success, else
/// SQLite's error message (e.g. "CHECK constraint failed: stage IN (…)").
inline std::string sql_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string error = db ? sqlite3_errmsg(db) : "cannot open " + path;
    sqlite3_close(db);
    return error.empty() ? "cannot open " + path : error;
  }
  sqlite3_busy_timeout(db, 10000);
  char* message = nullptr;
  std::string error;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK)
    error = message ? message : "error";
  sqlite3_free(message);
  sqlite3_close(db);
  return error;
}

}  // namespace jiebang::testing
