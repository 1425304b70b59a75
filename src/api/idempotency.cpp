// Idempotency-Key answers kept in SQLite (see idempotency.h).
#include "idempotency.h"

#include <cstdio>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "jiebang/api/problem.h"
#include "jiebang/core/log.h"

namespace jiebang::api {
namespace {

/// Lower-case hex SHA-256 (FIPS 180-4) of the parts, each preceded by its length (so that no two
/// different requests give the same input).
std::string fingerprint(const HttpRequest& r) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return {};
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  const std::string content_type(r.headers.get("Content-Type").value_or(""));
  for (const std::string* part : {&r.method, &r.target, &content_type, &r.body}) {
    std::string length = std::to_string(part->size()) + ":";
    EVP_DigestUpdate(ctx, length.data(), length.size());
    EVP_DigestUpdate(ctx, part->data(), part->size());
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  std::string out;
  for (unsigned int i = 0; i < len; ++i) out += fmt::format("{:02x}", md[i]);
  return out;
}

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

struct IdempotencyStore::Impl {
  Impl(const std::string& path, std::chrono::seconds t, int64_t quota)
      : db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE), ttl(t), max_bytes_per_caller(quota) {}
  SQLite::Database db;
  std::chrono::seconds ttl;
  int64_t max_bytes_per_caller;

  /// Drops `caller`'s oldest answers until `incoming` more bytes fit in its quota. False (nothing
  /// dropped) when `incoming` alone is over the quota.
  bool make_room(const std::string& caller, int64_t incoming) {
    if (incoming > max_bytes_per_caller) return false;
    SQLite::Statement sum(db, "SELECT COALESCE(SUM(length(body) + length(CAST(headers AS BLOB))), 0) FROM answers WHERE caller = ?");
    sum.bind(1, caller);
    sum.executeStep();
    int64_t kept = sum.getColumn(0).getInt64();
    while (kept + incoming > max_bytes_per_caller) {
      SQLite::Statement oldest(db,
                               "SELECT key, length(body) + length(CAST(headers AS BLOB)) FROM answers WHERE caller = ? "
                               "ORDER BY created, rowid LIMIT 1");
      oldest.bind(1, caller);
      if (!oldest.executeStep()) break;
      std::string key = oldest.getColumn(0).getString();
      kept -= oldest.getColumn(1).getInt64();
      SQLite::Statement drop(db, "DELETE FROM answers WHERE caller = ? AND key = ?");
      drop.bind(1, caller);
      drop.bind(2, key);
      drop.exec();
    }
    return true;
  }
  int64_t last_purge = 0;
};

IdempotencyStore::IdempotencyStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IdempotencyStore::~IdempotencyStore() = default;

Result<std::unique_ptr<IdempotencyStore>> IdempotencyStore::open(const std::string& path, std::chrono::seconds ttl,
                                                                  int64_t max_bytes_per_caller) {
  try {
    auto impl = std::make_unique<Impl>(path, ttl, max_bytes_per_caller);
    impl->db.setBusyTimeout(5000);
    impl->db.exec("PRAGMA journal_mode=WAL");
    impl->db.exec("PRAGMA synchronous=FULL");
    impl->db.exec(
        "CREATE TABLE IF NOT EXISTS answers ("
        " caller TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,"
        " status INTEGER NOT NULL, headers TEXT NOT NULL, body BLOB NOT NULL, created INTEGER NOT NULL,"
        " PRIMARY KEY (caller, key))");
    return std::unique_ptr<IdempotencyStore>(new IdempotencyStore(std::move(impl)));
  } catch (const std::exception& e) {
    return Status::unavailable(fmt::format("cannot open {}: {}", path, e.what()));
  }
}

bool IdempotencyStore::well_formed(std::string_view key) {
  if (key.empty() || key.size() > 255) return false;
  for (char c : key)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

HttpResponse IdempotencyStore::run(const std::string& caller, const std::string& key, const HttpRequest& request,
                                   const std::function<HttpResponse()>& work) {
  std::string print = fingerprint(request);
  int64_t now = now_seconds();
  try {
    if (now - impl_->last_purge > 3600) {  // at most hourly: drop answers past their time
      SQLite::Statement purge(impl_->db, "DELETE FROM answers WHERE created < ?");
      purge.bind(1, static_cast<int64_t>(now - impl_->ttl.count()));
      purge.exec();
      impl_->last_purge = now;
    }
    SQLite::Statement q(impl_->db,
                        "SELECT fingerprint, status, headers, body FROM answers WHERE caller = ? AND key = ? AND created >= ?");
    q.bind(1, caller);
    q.bind(2, key);
    q.bind(3, static_cast<int64_t>(now - impl_->ttl.count()));
    if (q.executeStep()) {
      if (q.getColumn(0).getString() != print) {
        Problem p = make_problem(
            422, "this Idempotency-Key was used for another request; send a new key for a new request",
            "Idempotency-Key");
        p.type = "urn:jiebang:problem:idempotency-key-reused";
        return p.response();
      }
      HttpResponse stored;
      stored.status = q.getColumn(1).getInt();
      const nlohmann::json headers = nlohmann::json::parse(q.getColumn(2).getString());
      for (const auto& [name, value] : headers.items()) stored.headers.add(name, value.get<std::string>());
      stored.body = q.getColumn(3).getString();
      stored.headers.set("Idempotent-Replayed", "true");
      return stored;
    }
  } catch (const std::exception& e) {
    log_event(LogLevel::kWarn, "idempotency_unavailable", {{"error", e.what()}, {"effect", "the request runs without its key"}});
    return work();
  }
  HttpResponse answer = work();
  if (answer.status >= 500) return answer;
  try {
    nlohmann::json headers = nlohmann::json::object();
    for (const auto& [name, value] : answer.headers.fields()) headers[name] = value;
    std::string headers_text = headers.dump();
    SQLite::Transaction tx(impl_->db);
    if (!impl_->make_room(caller, static_cast<int64_t>(answer.body.size() + headers_text.size()))) {
      log_event(LogLevel::kWarn, "idempotency_answer_not_kept",
                {{"caller", caller},
                 {"bytes", std::to_string(answer.body.size() + headers_text.size())},
                 {"reason", "larger than the quota of kept answers per caller"}});
      return answer;
    }
    SQLite::Statement ins(impl_->db, "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, caller);
    ins.bind(2, key);
    ins.bind(3, print);
    ins.bind(4, answer.status);
    ins.bind(5, headers_text);
    ins.bind(6, answer.body.data(), static_cast<int>(answer.body.size()));
    ins.bind(7, now);
    ins.exec();
    tx.commit();
  } catch (const std::exception& e) {
    log_event(LogLevel::kWarn, "idempotency_keep_failed", {{"error", e.what()}});
  }
  return answer;
}

}  // namespace jiebang::api
