// Internal: the Store's private state, shared by the store module's source files.
#pragma once

#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <fmt/format.h>

#include "jiebang/store/store.h"

namespace jiebang {

/// A stored value this version cannot read (a stage, role or recipient kind it does not know):
/// thrown by the row readers inside the store's try blocks and turned back into its Status (which
/// names the table, row and column) by from_sqlite.
struct UnreadableValue : std::runtime_error {
  explicit UnreadableValue(Status s) : std::runtime_error(s.message()), status(std::move(s)) {}
  Status status;
};

/// The value of a stored_* conversion, or throws UnreadableValue with its error.
template <typename T>
T stored_or_throw(Result<T> r) {
  if (!r) throw UnreadableValue(r.status());
  return *r;
}

/// Converts an exception of a store call: an UnreadableValue is its own error; SQLiteCpp's
/// busy/locked/full/IO errors are kUnavailable, the rest kInternal.
inline Status from_sqlite(const std::exception& e, std::string_view what) {
  if (const auto* u = dynamic_cast<const UnreadableValue*>(&e)) return u->status;
  if (const auto* se = dynamic_cast<const SQLite::Exception*>(&e)) {
    int code = se->getErrorCode() & 0xff;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_FULL || code == SQLITE_CANTOPEN ||
        code == SQLITE_READONLY || code == SQLITE_IOERR)
      return Status::unavailable(fmt::format("{}: {}", what, e.what()));
  }
  return Status::internal(fmt::format("{}: {}", what, e.what()));
}

struct Store::Impl {
  explicit Impl(const std::string& path)
      : db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX, 10000) {}
  mutable std::mutex mu;
  SQLite::Database db;

  int64_t append_change(const char* kind, const std::string& id, const char* op) {
    SQLite::Statement q(db, "INSERT INTO changes(kind, record_id, op) VALUES (?, ?, ?)");
    q.bind(1, kind);
    q.bind(2, id);
    q.bind(3, op);
    q.exec();
    return db.getLastInsertRowid();
  }
};

}  // namespace jiebang
