// The weekly digest in SQLite: runs keyed by ISO week, processed recipients, their items.
#include <algorithm>
#include <cstdint>
#include <set>

#include <fmt/format.h>

#include "jiebang/store/store.h"
#include "store_impl.h"

namespace jiebang {
namespace {

constexpr const char* kRunColumns =
    "r.week, r.settings, r.started_at, COALESCE(r.finished_at, ''), r.seconds, r.attempts, "
    "(SELECT COUNT(*) FROM digest_recipients d WHERE d.week = r.week), "
    "(SELECT COUNT(*) FROM digest_recipients d WHERE d.week = r.week AND d.items > 0), "
    "(SELECT COUNT(*) FROM digest_items i WHERE i.week = r.week)";

std::optional<DigestRunRow> run_by_week(SQLite::Database& db, const std::string& week) {
  SQLite::Statement q(db, fmt::format("SELECT {} FROM digest_runs r WHERE r.week = ?", kRunColumns));
  q.bind(1, week);
  if (!q.executeStep()) return std::nullopt;
  DigestRunRow r;
  r.week = q.getColumn(0).getString();
  r.settings = q.getColumn(1).getString();
  r.started_at = q.getColumn(2).getString();
  r.finished_at = q.getColumn(3).getString();
  r.seconds = q.getColumn(4).getDouble();
  r.attempts = q.getColumn(5).getInt64();
  r.recipients = q.getColumn(6).getInt64();
  r.recipients_with_items = q.getColumn(7).getInt64();
  r.items = q.getColumn(8).getInt64();
  return r;
}

/// A digest_recipients row of `week`; its row is named "<week> <recipient id>" in an error.
DigestRecipientRow read_recipient(SQLite::Statement& q, const std::string& week) {
  DigestRecipientRow r;
  r.recipient_id = q.getColumn(1).getString();
  r.kind = stored_or_throw(
      stored_recipient_kind(q.getColumn(0).getString(), {"digest_recipients", week + " " + r.recipient_id, "kind"}));
  r.name = q.getColumn(2).getString();
  r.language = q.getColumn(3).getString();
  r.items = q.getColumn(4).getInt64();
  return r;
}

constexpr const char* kItemColumns =
    "week, kind, recipient_id, rank, item, scenario_id, enterprise_id, match_id, match_version, payload";

}  // namespace

Result<std::string> Store::first_stored_at(RecordKind kind, const std::string& id) const {
  std::lock_guard lock(impl_->mu);
  try {
    SQLite::Statement q(impl_->db, "SELECT MIN(at) FROM changes WHERE kind = ? AND record_id = ?");
    q.bind(1, kind == RecordKind::kScenario ? "scenario" : "enterprise");
    q.bind(2, id);
    if (!q.executeStep() || q.getColumn(0).isNull()) return Status::not_found(fmt::format("no change row for {}", id));
    return q.getColumn(0).getString();
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot read the change log");
  }
}

Result<DigestRunRow> Store::get_digest_run(const std::string& week) const {
  std::lock_guard lock(impl_->mu);
  try {
    auto r = run_by_week(impl_->db, week);
    if (!r) return Status::not_found(fmt::format("no digest run for week {}", week));
    return *r;
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot read the digest run");
  }
}

Result<std::vector<DigestRunRow>> Store::list_digest_runs(size_t limit) const {
  std::lock_guard lock(impl_->mu);
  try {
    // The weeks first (the primary key's order), then each run's counts as get_digest_run reads them.
    SQLite::Statement q(impl_->db, "SELECT week FROM digest_runs ORDER BY week DESC LIMIT ?");
    q.bind(1, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
    std::vector<std::string> weeks;
    while (q.executeStep()) weeks.push_back(q.getColumn(0).getString());
    std::vector<DigestRunRow> out;
    for (const auto& w : weeks)
      if (auto r = run_by_week(impl_->db, w)) out.push_back(std::move(*r));
    return out;
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot read digest runs");
  }
}

Result<std::string> Store::latest_digest_week() const {
  std::lock_guard lock(impl_->mu);
  try {
    SQLite::Statement q(impl_->db, "SELECT COALESCE(MAX(week), '') FROM digest_runs");
    q.executeStep();
    return q.getColumn(0).getString();
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot read digest runs");
  }
}

Result<DigestRunRow> Store::start_digest_run(const std::string& week, const std::string& settings,
                                             const std::string& now) {
  std::lock_guard lock(impl_->mu);
  try {
    auto& db = impl_->db;
    SQLite::Transaction t(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto existing = run_by_week(db, week);
    if (!existing) {
      SQLite::Statement ins(db, "INSERT INTO digest_runs(week, settings, started_at) VALUES (?, ?, ?)");
      ins.bind(1, week);
      ins.bind(2, settings);
      ins.bind(3, now);
      ins.exec();
    } else if (existing->finished_at.empty()) {
      SQLite::Statement up(db, "UPDATE digest_runs SET attempts = attempts + 1 WHERE week = ?");
      up.bind(1, week);
      up.exec();
    }
    auto row = run_by_week(db, week);
    t.commit();
    return *row;
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot start the digest run");
  }
}

Status Store::update_digest_run(const std::string& week, double add_seconds, const std::string& finished_at) {
  std::lock_guard lock(impl_->mu);
  try {
    SQLite::Statement up(impl_->db,
                         "UPDATE digest_runs SET seconds = seconds + ?, "
                         "finished_at = COALESCE(finished_at, NULLIF(?, '')) WHERE week = ?");
    up.bind(1, add_seconds);
    up.bind(2, finished_at);
    up.bind(3, week);
    if (up.exec() == 0) return Status::not_found(fmt::format("no digest run for week {}", week));
    return Status::ok();
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot update the digest run");
  }
}

Status Store::store_digest_recipients(const std::string& week, const std::vector<DigestRecipientRow>& recipients,
                                      const std::vector<DigestItemRow>& items) {
  std::lock_guard lock(impl_->mu);
  try {
    auto& db = impl_->db;
    SQLite::Transaction t(db, SQLite::TransactionBehavior::IMMEDIATE);
    if (!run_by_week(db, week)) return Status::not_found(fmt::format("no digest run for week {}", week));
    SQLite::Statement put_recipient(
        db, "INSERT OR IGNORE INTO digest_recipients(week, kind, recipient_id, name, language, items) "
            "VALUES (?, ?, ?, ?, ?, ?)");
    std::set<std::pair<RecipientKind, std::string>> fresh;  // recipients written now (not already stored)
    for (const auto& r : recipients) {
      put_recipient.reset();
      put_recipient.bind(1, week);
      put_recipient.bind(2, std::string(recipient_kind_name(r.kind)));
      put_recipient.bind(3, r.recipient_id);
      put_recipient.bind(4, r.name);
      put_recipient.bind(5, r.language);
      put_recipient.bind(6, r.items);
      if (put_recipient.exec() > 0) fresh.emplace(r.kind, r.recipient_id);
    }
    SQLite::Statement put_item(db, fmt::format("INSERT INTO digest_items({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                               kItemColumns));
    for (const auto& i : items) {
      if (!fresh.count({i.kind, i.recipient_id})) continue;
      put_item.reset();
      put_item.bind(1, week);
      put_item.bind(2, std::string(recipient_kind_name(i.kind)));
      put_item.bind(3, i.recipient_id);
      put_item.bind(4, i.rank);
      put_item.bind(5, i.item);
      put_item.bind(6, i.scenario_id);
      put_item.bind(7, i.enterprise_id);
      put_item.bind(8, i.match_id);
      put_item.bind(9, i.match_version);
      put_item.bind(10, i.payload);
      put_item.exec();
    }
    t.commit();
    return Status::ok();
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot store digest recipients");
  }
}

Result<std::vector<DigestRecipientRow>> Store::digest_recipients(const std::string& week) const {
  std::lock_guard lock(impl_->mu);
  try {
    SQLite::Statement q(impl_->db,
                        "SELECT kind, recipient_id, name, language, items FROM digest_recipients WHERE week = ? "
                        "ORDER BY kind, recipient_id");
    q.bind(1, week);
    std::vector<DigestRecipientRow> out;
    while (q.executeStep()) out.push_back(read_recipient(q, week));
    return out;
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot read digest recipients");
  }
}

Result<DigestRecipientRow> Store::digest_recipient(const std::string& week, RecipientKind kind,
                                                   const std::string& recipient_id) const {
  std::lock_guard lock(impl_->mu);
  try {
    SQLite::Statement q(impl_->db,
                        "SELECT kind, recipient_id, name, language, items FROM digest_recipients "
                        "WHERE week = ? AND kind = ? AND recipient_id = ?");
    q.bind(1, week);
    q.bind(2, std::string(recipient_kind_name(kind)));
    q.bind(3, recipient_id);
    if (!q.executeStep())
      return Status::not_found(
          fmt::format("no digest for {} \"{}\" in week {}", recipient_kind_name(kind), recipient_id, week));
    return read_recipient(q, week);
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot read the digest recipient");
  }
}

Result<std::vector<DigestItemRow>> Store::digest_items(const std::string& week, RecipientKind kind,
                                                       const std::string& recipient_id, bool earlier) const {
  std::lock_guard lock(impl_->mu);
  try {
    // ISO week strings ("2026-W05") order as the weeks do.
    SQLite::Statement q(impl_->db,
                        fmt::format("SELECT {} FROM digest_items WHERE kind = ? AND recipient_id = ? AND week {} ? "
                                    "ORDER BY week, rank",
                                    kItemColumns, earlier ? "<" : "="));
    q.bind(1, std::string(recipient_kind_name(kind)));
    q.bind(2, recipient_id);
    q.bind(3, week);
    std::vector<DigestItemRow> out;
    while (q.executeStep()) {
      DigestItemRow i;
      i.week = q.getColumn(0).getString();
      i.recipient_id = q.getColumn(2).getString();
      i.rank = q.getColumn(3).getInt64();
      // As v6's migration names a digest_items row: "<week> <recipient id> #<rank>".
      i.kind = stored_or_throw(stored_recipient_kind(
          q.getColumn(1).getString(), {"digest_items", fmt::format("{} {} #{}", i.week, i.recipient_id, i.rank), "kind"}));
      i.item = q.getColumn(4).getString();
      i.scenario_id = q.getColumn(5).getString();
      i.enterprise_id = q.getColumn(6).getString();
      i.match_id = q.getColumn(7).getString();
      i.match_version = q.getColumn(8).getInt64();
      i.payload = q.getColumn(9).getString();
      out.push_back(std::move(i));
    }
    return out;
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot read digest items");
  }
}

}  // namespace jiebang
