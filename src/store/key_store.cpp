// Web API keys in SQLite: only their SHA-256 is stored; revocation is a timestamp, never a delete.
#include <fmt/format.h>

#include "jiebang/store/store.h"
#include "store_impl.h"

namespace jiebang {
namespace {

constexpr const char* kKeyColumns = "id, key_hash, role, scope, created_at, COALESCE(revoked_at, '')";

ApiKeyRow read_key(SQLite::Statement& q) {
  ApiKeyRow k;
  k.id = q.getColumn(0).getInt64();
  k.key_hash = q.getColumn(1).getString();
  k.role = stored_or_throw(stored_role(q.getColumn(2).getString(), {"api_keys", std::to_string(k.id), "role"}));
  k.scope = q.getColumn(3).getString();
  k.created_at = q.getColumn(4).getString();
  k.revoked_at = q.getColumn(5).getString();
  return k;
}

std::optional<ApiKeyRow> key_by_id(SQLite::Database& db, int64_t id) {
  SQLite::Statement q(db, fmt::format("SELECT {} FROM api_keys WHERE id = ?", kKeyColumns));
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return read_key(q);
}

}  // namespace

Result<ApiKeyRow> Store::insert_api_key(ApiKeyRow row) {
  std::lock_guard lock(impl_->mu);
  try {
    auto& db = impl_->db;
    SQLite::Transaction t(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement dup(db, "SELECT 1 FROM api_keys WHERE key_hash = ?");
    dup.bind(1, row.key_hash);
    if (dup.executeStep()) return Status(ErrorCode::kConflict, "key_hash", "this key is already stored");
    SQLite::Statement ins(db, "INSERT INTO api_keys(key_hash, role, scope, created_at) VALUES (?, ?, ?, ?)");
    ins.bind(1, row.key_hash);
    ins.bind(2, std::string(role_name(row.role)));
    ins.bind(3, row.scope);
    ins.bind(4, row.created_at);
    ins.exec();
    row.id = db.getLastInsertRowid();
    row.revoked_at.clear();
    t.commit();
    return row;
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot store the API key");
  }
}

Status Store::insert_web_session(const WebSessionRow& row) {
  std::lock_guard lock(impl_->mu);
  try {
    SQLite::Statement ins(impl_->db,
                          "INSERT INTO web_sessions(token_hash, key_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)");
    ins.bind(1, row.token_hash);
    ins.bind(2, row.key_id);
    ins.bind(3, row.csrf);
    ins.bind(4, row.created_at);
    ins.bind(5, row.expires_at);
    ins.exec();
    return Status::ok();
  } catch (const SQLite::Exception& e) {
    if ((e.getErrorCode() & 0xff) == SQLITE_CONSTRAINT) return Status(ErrorCode::kConflict, "token_hash", "this session is already stored");
    return from_sqlite(e, "cannot store the session");
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot store the session");
  }
}

Result<std::pair<WebSessionRow, ApiKeyRow>> Store::find_web_session(const std::string& token_hash) const {
  std::lock_guard lock(impl_->mu);
  try {
    SQLite::Statement q(impl_->db, "SELECT token_hash, key_id, csrf, created_at, expires_at FROM web_sessions WHERE token_hash = ?");
    q.bind(1, token_hash);
    if (!q.executeStep()) return Status::not_found("no such session");
    WebSessionRow s;
    s.token_hash = q.getColumn(0).getString();
    s.key_id = q.getColumn(1).getInt64();
    s.csrf = q.getColumn(2).getString();
    s.created_at = q.getColumn(3).getString();
    s.expires_at = q.getColumn(4).getString();
    auto k = key_by_id(impl_->db, s.key_id);
    if (!k) return Status::not_found("the session's key is gone");
    return std::make_pair(std::move(s), std::move(*k));
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot read the session");
  }
}

Status Store::delete_web_session(const std::string& token_hash) {
  std::lock_guard lock(impl_->mu);
  try {
    SQLite::Statement del(impl_->db, "DELETE FROM web_sessions WHERE token_hash = ?");
    del.bind(1, token_hash);
    del.exec();
    return Status::ok();
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot delete the session");
  }
}

Result<ApiKeyRow> Store::revoke_api_key(int64_t id, const std::string& at) {
  std::lock_guard lock(impl_->mu);
  try {
    auto& db = impl_->db;
    SQLite::Transaction t(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement up(db, "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
    up.bind(1, at);
    up.bind(2, id);
    up.exec();
    auto k = key_by_id(db, id);
    if (!k) return Status(ErrorCode::kNotFound, "id", fmt::format("no API key {}", id));
    SQLite::Statement end(db, "DELETE FROM web_sessions WHERE key_id = ?");  // its sessions end with it
    end.bind(1, id);
    end.exec();
    t.commit();
    return *k;
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot revoke the API key");
  }
}

Result<ApiKeyRow> Store::find_api_key(const std::string& key_hash) const {
  std::lock_guard lock(impl_->mu);
  try {
    SQLite::Statement q(impl_->db, fmt::format("SELECT {} FROM api_keys WHERE key_hash = ?", kKeyColumns));
    q.bind(1, key_hash);
    if (!q.executeStep()) return Status::not_found("no such API key");
    return read_key(q);
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot read API keys");
  }
}

Result<std::vector<ApiKeyRow>> Store::list_api_keys() const {
  std::lock_guard lock(impl_->mu);
  std::vector<ApiKeyRow> out;
  try {
    SQLite::Statement q(impl_->db, fmt::format("SELECT {} FROM api_keys ORDER BY id", kKeyColumns));
    while (q.executeStep()) out.push_back(read_key(q));
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot list API keys");
  }
  return out;
}

}  // namespace jiebang
