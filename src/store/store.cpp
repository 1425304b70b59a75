// SQLite store through SQLiteCpp: migrations, record upserts with change rows, change-log reads.
#include "jiebang/store/store.h"

#include "schema.h"
#include "store_impl.h"

#include <chrono>
#include <span>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <fmt/format.h>

namespace jiebang {
namespace {

using nlohmann::json;

// Each entry migrates from version i to i+1. Never edit a released entry: append a new one.
const char* const kMigrations[] = {
    // v1: records, the change log.
    R"sql(
    CREATE TABLE scenarios (
      id          TEXT PRIMARY KEY,
      publisher   TEXT NOT NULL,
      status      TEXT NOT NULL,
      record      TEXT NOT NULL,          -- the interchange JSON, as stored
      updated_seq INTEGER NOT NULL
    );
    CREATE INDEX scenarios_publisher ON scenarios(publisher);
    CREATE TABLE enterprises (
      id          TEXT PRIMARY KEY,
      name        TEXT NOT NULL,
      record      TEXT NOT NULL,
      updated_seq INTEGER NOT NULL
    );
    CREATE TABLE changes (
      seq       INTEGER PRIMARY KEY AUTOINCREMENT,
      kind      TEXT NOT NULL CHECK (kind IN ('scenario', 'enterprise')),
      record_id TEXT NOT NULL,
      op        TEXT NOT NULL CHECK (op IN ('upsert', 'remove')),
      at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    )sql",
    // v2: matches and their append-only stage events (the loop per match).
    R"sql(
    CREATE TABLE matches (
      id            TEXT PRIMARY KEY,
      scenario_id   TEXT NOT NULL,
      enterprise_id TEXT NOT NULL,
      publisher     TEXT NOT NULL,
      stage         TEXT NOT NULL,           -- derived: the to_stage of the last event, kept in the same transaction
      version       INTEGER NOT NULL,        -- number of events
      created_at    TEXT NOT NULL,
      updated_at    TEXT NOT NULL,
      UNIQUE (scenario_id, enterprise_id)
    );
    CREATE INDEX matches_stage ON matches(stage);
    CREATE INDEX matches_enterprise ON matches(enterprise_id);
    CREATE TABLE match_events (
      seq                  INTEGER PRIMARY KEY AUTOINCREMENT,
      match_id             TEXT NOT NULL REFERENCES matches(id),
      actor_role           TEXT NOT NULL,
      actor_id             TEXT NOT NULL,
      at                   TEXT NOT NULL,      -- ISO 8601 UTC from the injected clock
      from_stage           TEXT,
      to_stage             TEXT NOT NULL,
      note                 TEXT NOT NULL DEFAULT '',
      evidence             TEXT NOT NULL DEFAULT '',
      contract_value_minor INTEGER,            -- minor units (fen for CNY), exact
      contract_currency    TEXT,               -- ISO 4217, with contract_value_minor
      correction           INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX match_events_match ON match_events(match_id, seq);
    CREATE TRIGGER match_events_append_only_update BEFORE UPDATE ON match_events
      BEGIN SELECT RAISE(ABORT, 'match_events is append-only'); END;
    CREATE TRIGGER match_events_append_only_delete BEFORE DELETE ON match_events
      BEGIN SELECT RAISE(ABORT, 'match_events is append-only'); END;
    )sql",
    // v3: web API keys. Only the SHA-256 of a key is kept; a key is revoked by setting revoked_at.
    R"sql(
    CREATE TABLE api_keys (
      id         INTEGER PRIMARY KEY AUTOINCREMENT,
      key_hash   TEXT NOT NULL UNIQUE,        -- lower-case hex SHA-256 of the whole key text
      role       TEXT NOT NULL CHECK (role IN ('publisher', 'enterprise', 'operator')),
      scope      TEXT NOT NULL,               -- organisation (publisher), enterprise id, '' (operator)
      created_at TEXT NOT NULL,               -- ISO 8601 UTC
      revoked_at TEXT                         -- ISO 8601 UTC; NULL while the key is valid
    );
    )sql",
    // v4: the weekly match digest (runs keyed by ISO week, one row per recipient processed, items).
    R"sql(
    CREATE TABLE digest_runs (
      week        TEXT PRIMARY KEY,            -- ISO week, "2026-W48"
      settings    TEXT NOT NULL,               -- JSON: the rules the run was made with
      started_at  TEXT NOT NULL,               -- ISO 8601 UTC
      finished_at TEXT,                        -- ISO 8601 UTC; NULL while unfinished
      seconds     REAL NOT NULL DEFAULT 0,     -- compute time summed over attempts
      attempts    INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE digest_recipients (
      week         TEXT NOT NULL REFERENCES digest_runs(week),
      kind         TEXT NOT NULL CHECK (kind IN ('enterprise', 'publisher')),
      recipient_id TEXT NOT NULL,              -- enterprise id or publisher organisation
      name         TEXT NOT NULL,
      language     TEXT NOT NULL,              -- "zh" | "en"
      items        INTEGER NOT NULL,
      PRIMARY KEY (week, kind, recipient_id)
    );
    CREATE TABLE digest_items (
      week          TEXT NOT NULL,
      kind          TEXT NOT NULL,
      recipient_id  TEXT NOT NULL,
      rank          INTEGER NOT NULL,          -- 1-based within the recipient's digest
      item          TEXT NOT NULL CHECK (item IN ('scenario', 'candidate', 'stalled')),
      scenario_id   TEXT NOT NULL,
      enterprise_id TEXT NOT NULL,
      match_id      TEXT NOT NULL DEFAULT '',  -- stalled items: the match and its version when sent
      match_version INTEGER NOT NULL DEFAULT 0,
      payload       TEXT NOT NULL,             -- JSON: everything the item's JSON and HTML show
      PRIMARY KEY (week, kind, recipient_id, rank),
      FOREIGN KEY (week, kind, recipient_id) REFERENCES digest_recipients(week, kind, recipient_id)
    );
    CREATE INDEX digest_items_recipient ON digest_items(kind, recipient_id, week);
    )sql",
    // v5: the pages' sign-in sessions. A session speaks for one API key (the one signed in with);
    // only the SHA-256 of its token is kept; a revoked key's sessions end with it.
    R"sql(
    CREATE TABLE web_sessions (
      token_hash TEXT PRIMARY KEY,             -- lower-case hex SHA-256 of the cookie's token
      key_id     INTEGER NOT NULL REFERENCES api_keys(id),
      csrf       TEXT NOT NULL,                -- the token every form and state-changing request carries
      created_at TEXT NOT NULL,                -- ISO 8601 UTC
      expires_at TEXT NOT NULL                 -- ISO 8601 UTC
    );
    CREATE INDEX web_sessions_key ON web_sessions(key_id);
    )sql",
    // v6: CHECK constraints on the columns that hold a stage, a role or a recipient kind, so the
    // store refuses what the lifecycle and digest could not read back. SQLite adds a CHECK only
    // by rebuilding the table (https://sqlite.org/lang_altertable.html, "Making Other Kinds Of
    // Table Schema Changes"): foreign keys are off while migrations run, the rows are copied
    // with their keys (match_events keeps its seq, and AUTOINCREMENT its high-water mark), the
    // indexes and append-only triggers are made again, and foreign_key_check runs before commit.
    // check_enum_columns() has refused a store with other values first, naming the row.
    R"sql(
    CREATE TABLE matches_v6 (
      id            TEXT PRIMARY KEY,
      scenario_id   TEXT NOT NULL,
      enterprise_id TEXT NOT NULL,
      publisher     TEXT NOT NULL,
      stage         TEXT NOT NULL CHECK (stage IN ('recommended', 'applied', 'selected', 'rd', 'validation',
                                                   'commercialized', 'withdrawn', 'rejected', 'failed')),
      version       INTEGER NOT NULL,
      created_at    TEXT NOT NULL,
      updated_at    TEXT NOT NULL,
      UNIQUE (scenario_id, enterprise_id)
    );
    INSERT INTO matches_v6 SELECT id, scenario_id, enterprise_id, publisher, stage, version, created_at, updated_at
      FROM matches;
    CREATE TABLE match_events_v6 (
      seq                  INTEGER PRIMARY KEY AUTOINCREMENT,
      match_id             TEXT NOT NULL REFERENCES matches(id),
      actor_role           TEXT NOT NULL CHECK (actor_role IN ('publisher', 'enterprise', 'operator')),
      actor_id             TEXT NOT NULL,
      at                   TEXT NOT NULL,
      from_stage           TEXT CHECK (from_stage IN ('recommended', 'applied', 'selected', 'rd', 'validation',
                                                      'commercialized', 'withdrawn', 'rejected', 'failed')),
      to_stage             TEXT NOT NULL CHECK (to_stage IN ('recommended', 'applied', 'selected', 'rd', 'validation',
                                                             'commercialized', 'withdrawn', 'rejected', 'failed')),
      note                 TEXT NOT NULL DEFAULT '',
      evidence             TEXT NOT NULL DEFAULT '',
      contract_value_minor INTEGER,
      contract_currency    TEXT,
      correction           INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO match_events_v6 SELECT seq, match_id, actor_role, actor_id, at, NULLIF(from_stage, ''), to_stage, note,
      evidence, contract_value_minor, contract_currency, correction FROM match_events;
    DROP TABLE match_events;
    DROP TABLE matches;
    ALTER TABLE matches_v6 RENAME TO matches;
    ALTER TABLE match_events_v6 RENAME TO match_events;
    CREATE INDEX matches_stage ON matches(stage);
    CREATE INDEX matches_enterprise ON matches(enterprise_id);
    CREATE INDEX match_events_match ON match_events(match_id, seq);
    CREATE TRIGGER match_events_append_only_update BEFORE UPDATE ON match_events
      BEGIN SELECT RAISE(ABORT, 'match_events is append-only'); END;
    CREATE TRIGGER match_events_append_only_delete BEFORE DELETE ON match_events
      BEGIN SELECT RAISE(ABORT, 'match_events is append-only'); END;
    CREATE TABLE digest_items_v6 (
      week          TEXT NOT NULL,
      kind          TEXT NOT NULL CHECK (kind IN ('enterprise', 'publisher')),
      recipient_id  TEXT NOT NULL,
      rank          INTEGER NOT NULL,
      item          TEXT NOT NULL CHECK (item IN ('scenario', 'candidate', 'stalled')),
      scenario_id   TEXT NOT NULL,
      enterprise_id TEXT NOT NULL,
      match_id      TEXT NOT NULL DEFAULT '',
      match_version INTEGER NOT NULL DEFAULT 0,
      payload       TEXT NOT NULL,
      PRIMARY KEY (week, kind, recipient_id, rank),
      FOREIGN KEY (week, kind, recipient_id) REFERENCES digest_recipients(week, kind, recipient_id)
    );
    INSERT INTO digest_items_v6 SELECT week, kind, recipient_id, rank, item, scenario_id, enterprise_id, match_id,
      match_version, payload FROM digest_items;
    DROP TABLE digest_items;
    ALTER TABLE digest_items_v6 RENAME TO digest_items;
    CREATE INDEX digest_items_recipient ON digest_items(kind, recipient_id, week);
    )sql",
};
constexpr int kSchemaVersion = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));

/// A column that v6 constrains to a list of values, and how to name a row of its table.
struct EnumColumn {
  const char* table;
  const char* row_key;  // SQL expression naming the row in an error
  const char* column;
  const char* values;   // SQL list
};
constexpr const char* kStageValues =
    "('recommended', 'applied', 'selected', 'rd', 'validation', 'commercialized', 'withdrawn', 'rejected', 'failed')";
const EnumColumn kEnumColumns[] = {
    {"matches", "id", "stage", kStageValues},
    {"match_events", "seq", "actor_role", "('publisher', 'enterprise', 'operator')"},
    {"match_events", "seq", "from_stage", kStageValues},
    {"match_events", "seq", "to_stage", kStageValues},
    {"digest_items", "week || ' ' || recipient_id || ' #' || rank", "kind", "('enterprise', 'publisher')"},
};

/// Before v6 adds its CHECK constraints: the first row whose value is not one of its column's,
/// as an error that says the table, the row, the column and the value (a store edited by hand or
/// written by a later version). NULL and '' from_stage mean "created the match" and pass.
/// Throws std::runtime_error, as set_up_connection reports its failures.
void check_enum_columns(SQLite::Database& db, const std::string& path) {
  for (const EnumColumn& c : kEnumColumns) {
    SQLite::Statement q(db, fmt::format("SELECT {}, {} FROM {} WHERE {} IS NOT NULL AND {} <> '' AND {} NOT IN {} LIMIT 1",
                                        c.row_key, c.column, c.table, c.column, c.column, c.column, c.values));
    if (q.executeStep())
      throw std::runtime_error(fmt::format(
          "{}: cannot add schema version 6's constraints: {} row \"{}\", column {}: \"{}\" is not one of {}; "
          "correct the row (or restore a backup) and open the store again",
          path, c.table, q.getColumn(0).getString(), c.column, q.getColumn(1).getString(), c.values));
  }
}

}  // namespace

std::span<const char* const> schema_migrations() { return kMigrations; }

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

namespace {

/// Runs the connection setup (journal mode, pragmas, migrations). Returns the schema version found.
/// Throws SQLite::Exception as SQLiteCpp does.
void set_up_connection(SQLite::Database& db, const std::string& path) {
  db.exec("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=FULL");
  int version = db.execAndGet("PRAGMA user_version").getInt();
  if (version > kSchemaVersion)
    throw std::runtime_error(fmt::format("{}: schema version {} is newer than this jiebang understands ({})", path,
                                         version, kSchemaVersion));
  if (version < kSchemaVersion) {
    // Foreign keys are off while tables are rebuilt (PRAGMA foreign_keys is a no-op inside a
    // transaction, so it is set here) and checked as a whole before the commit.
    db.exec("PRAGMA foreign_keys=OFF");
    // Write-locked, and the version read again inside: of several openers of a fresh file, one
    // migrates and the others then see the new version (no "table already exists").
    SQLite::Transaction t(db, SQLite::TransactionBehavior::IMMEDIATE);
    for (int v = db.execAndGet("PRAGMA user_version").getInt(); v < kSchemaVersion; ++v) {
      if (v == 5) check_enum_columns(db, path);
      db.exec(kMigrations[v]);
      db.exec(fmt::format("PRAGMA user_version = {}", v + 1));
    }
    SQLite::Statement fk(db, "PRAGMA foreign_key_check");
    if (fk.executeStep())
      throw std::runtime_error(fmt::format("{}: migration left table {} row {} without its parent in {}", path,
                                           fk.getColumn(0).getString(), fk.getColumn(1).getString(),
                                           fk.getColumn(2).getString()));
    t.commit();
  }
  db.exec("PRAGMA foreign_keys=ON");
}

bool is_busy(const SQLite::Exception& e) {
  int code = e.getErrorCode() & 0xff;  // primary result code (extended codes carry more bits)
  return code == SQLITE_BUSY || code == SQLITE_LOCKED;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(const std::string& path) {
  // SQLite does not call the busy handler for every lock taken while a fresh file is switched to
  // WAL (journal_mode is changed under an exclusive lock, and a reader may meet the WAL index
  // being recovered): such SQLITE_BUSY errors are retried here, with the same 10 s budget as the
  // busy timeout, on a fresh connection each time.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (int attempt = 0;; ++attempt) {
    try {
      auto impl = std::make_unique<Impl>(path);
      set_up_connection(impl->db, path);
      return std::unique_ptr<Store>(new Store(std::move(impl)));
    } catch (const SQLite::Exception& e) {
      if (is_busy(e) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(5 + 10 * attempt, 100)));
        continue;
      }
      return from_sqlite(e, fmt::format("cannot open store {}", path));
    } catch (const std::exception& e) {
      return Status::internal(e.what());
    }
  }
}

Result<int> Store::schema_version() const {
  std::lock_guard lock(impl_->mu);
  try {
    return impl_->db.execAndGet("PRAGMA user_version").getInt();
  } catch (const SQLite::Exception& e) {
    return from_sqlite(e, "cannot read the schema version");
  }
}

Result<std::vector<Result<UpsertOutcome>>> Store::upsert_scenarios(const std::vector<Scenario>& records) {
  std::lock_guard lock(impl_->mu);
  std::vector<Result<UpsertOutcome>> out;
  out.reserve(records.size());
  try {
    auto& db = impl_->db;
    SQLite::Transaction t(db);
    SQLite::Statement get(db, "SELECT publisher, record FROM scenarios WHERE id = ?");
    SQLite::Statement put(db,
                          "INSERT INTO scenarios(id, publisher, status, record, updated_seq) VALUES (?, ?, ?, ?, ?) "
                          "ON CONFLICT(id) DO UPDATE SET publisher=excluded.publisher, status=excluded.status, "
                          "record=excluded.record, updated_seq=excluded.updated_seq");
    for (const Scenario& s : records) {
      std::string record = to_json(s).dump();
      get.reset();
      get.bind(1, s.id);
      bool exists = get.executeStep();
      if (exists) {
        std::string publisher = get.getColumn(0).getString();
        if (publisher != s.publisher) {
          out.emplace_back(Status(ErrorCode::kConflict, "id",
                                  fmt::format("scenario \"{}\" belongs to publisher \"{}\", not \"{}\"", s.id,
                                              publisher, s.publisher)));
          continue;
        }
        if (get.getColumn(1).getString() == record) {
          out.emplace_back(UpsertOutcome::kUnchanged);
          continue;
        }
      }
      int64_t seq = impl_->append_change("scenario", s.id, "upsert");
      put.reset();
      put.bind(1, s.id);
      put.bind(2, s.publisher);
      put.bind(3, s.status);
      put.bind(4, record);
      put.bind(5, seq);
      put.exec();
      out.emplace_back(exists ? UpsertOutcome::kUpdated : UpsertOutcome::kInserted);
    }
    t.commit();
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot write scenarios");
  }
  return out;
}

Result<std::vector<Result<UpsertOutcome>>> Store::upsert_enterprises(const std::vector<Enterprise>& records) {
  std::lock_guard lock(impl_->mu);
  std::vector<Result<UpsertOutcome>> out;
  out.reserve(records.size());
  try {
    auto& db = impl_->db;
    SQLite::Transaction t(db);
    SQLite::Statement get(db, "SELECT record FROM enterprises WHERE id = ?");
    SQLite::Statement put(db,
                          "INSERT INTO enterprises(id, name, record, updated_seq) VALUES (?, ?, ?, ?) "
                          "ON CONFLICT(id) DO UPDATE SET name=excluded.name, record=excluded.record, "
                          "updated_seq=excluded.updated_seq");
    for (const Enterprise& e : records) {
      std::string record = to_json(e).dump();
      get.reset();
      get.bind(1, e.id);
      bool exists = get.executeStep();
      if (exists && get.getColumn(0).getString() == record) {
        out.emplace_back(UpsertOutcome::kUnchanged);
        continue;
      }
      int64_t seq = impl_->append_change("enterprise", e.id, "upsert");
      put.reset();
      put.bind(1, e.id);
      put.bind(2, e.name);
      put.bind(3, record);
      put.bind(4, seq);
      put.exec();
      out.emplace_back(exists ? UpsertOutcome::kUpdated : UpsertOutcome::kInserted);
    }
    t.commit();
  } catch (const std::exception& ex) {
    return from_sqlite(ex, "cannot write enterprises");
  }
  return out;
}

namespace {

template <typename T>
Result<T> parse_stored(const std::string& text, const std::string& id,
                       std::optional<T> (*from_json)(const json&, std::vector<FieldError>&, Admission)) {
  std::vector<FieldError> errors;
  json j = json::parse(text, nullptr, false);
  auto rec = from_json(j, errors, Admission::kStored);
  if (!rec) return Status::internal(fmt::format("stored record \"{}\" is unreadable: {}", id, format_field_errors(errors)));
  return std::move(*rec);
}

}  // namespace

Result<Scenario> Store::get_scenario(const std::string& id) const {
  std::lock_guard lock(impl_->mu);
  try {
    SQLite::Statement q(impl_->db, "SELECT record FROM scenarios WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return Status::not_found(fmt::format("no scenario with id \"{}\"", id));
    return parse_stored<Scenario>(q.getColumn(0).getString(), id, &scenario_from_json);
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot read scenario");
  }
}

Result<Enterprise> Store::get_enterprise(const std::string& id) const {
  std::lock_guard lock(impl_->mu);
  try {
    SQLite::Statement q(impl_->db, "SELECT record FROM enterprises WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return Status::not_found(fmt::format("no enterprise with id \"{}\"", id));
    return parse_stored<Enterprise>(q.getColumn(0).getString(), id, &enterprise_from_json);
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot read enterprise");
  }
}

Result<std::vector<Change>> Store::changes_after(int64_t after_seq, size_t limit) const {
  std::lock_guard lock(impl_->mu);
  std::vector<Change> out;
  try {
    SQLite::Statement q(impl_->db, "SELECT seq, kind, record_id, op FROM changes WHERE seq > ? ORDER BY seq LIMIT ?");
    q.bind(1, static_cast<int64_t>(after_seq));
    q.bind(2, static_cast<int64_t>(limit));
    while (q.executeStep()) {
      Change c;
      c.seq = q.getColumn(0).getInt64();
      c.kind = q.getColumn(1).getString() == "scenario" ? RecordKind::kScenario : RecordKind::kEnterprise;
      c.record_id = q.getColumn(2).getString();
      c.op = q.getColumn(3).getString();
      out.push_back(std::move(c));
    }
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot read the change log");
  }
  return out;
}

Result<int64_t> Store::last_seq() const {
  std::lock_guard lock(impl_->mu);
  try {
    return impl_->db.execAndGet("SELECT COALESCE(MAX(seq), 0) FROM changes").getInt64();
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot read the change log");
  }
}

Result<int64_t> Store::count(RecordKind kind) const {
  std::lock_guard lock(impl_->mu);
  try {
    return impl_->db
        .execAndGet(kind == RecordKind::kScenario ? "SELECT COUNT(*) FROM scenarios" : "SELECT COUNT(*) FROM enterprises")
        .getInt64();
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot count records");
  }
}

Status Store::for_each_scenario(const std::function<bool(Scenario&&)>& fn) const {
  std::vector<std::pair<std::string, std::string>> rows;
  {
    std::lock_guard lock(impl_->mu);
    try {
      SQLite::Statement q(impl_->db, "SELECT id, record FROM scenarios ORDER BY id");
      while (q.executeStep()) rows.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString());
    } catch (const std::exception& e) {
      return from_sqlite(e, "cannot read scenarios");
    }
  }
  for (auto& [id, text] : rows) {
    auto rec = parse_stored<Scenario>(text, id, &scenario_from_json);
    if (!rec) return rec.status();
    if (!fn(std::move(*rec))) break;
  }
  return Status::ok();
}

Result<std::vector<Scenario>> Store::scenarios_of_publisher(const std::string& publisher) const {
  std::vector<std::pair<std::string, std::string>> rows;
  {
    std::lock_guard lock(impl_->mu);
    try {
      SQLite::Statement q(impl_->db, "SELECT id, record FROM scenarios WHERE publisher = ? ORDER BY updated_seq DESC, id");
      q.bind(1, publisher);
      while (q.executeStep()) rows.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString());
    } catch (const std::exception& e) {
      return from_sqlite(e, "cannot read a publisher's scenarios");
    }
  }
  std::vector<Scenario> out;
  out.reserve(rows.size());
  for (auto& [id, text] : rows) {
    auto rec = parse_stored<Scenario>(text, id, &scenario_from_json);
    if (!rec) return rec.status();
    out.push_back(std::move(*rec));
  }
  return out;
}

Status Store::for_each_enterprise(const std::function<bool(Enterprise&&)>& fn) const {
  std::vector<std::pair<std::string, std::string>> rows;
  {
    std::lock_guard lock(impl_->mu);
    try {
      SQLite::Statement q(impl_->db, "SELECT id, record FROM enterprises ORDER BY id");
      while (q.executeStep()) rows.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString());
    } catch (const std::exception& e) {
      return from_sqlite(e, "cannot read enterprises");
    }
  }
  for (auto& [id, text] : rows) {
    auto rec = parse_stored<Enterprise>(text, id, &enterprise_from_json);
    if (!rec) return rec.status();
    if (!fn(std::move(*rec))) break;
  }
  return Status::ok();
}

}  // namespace jiebang
