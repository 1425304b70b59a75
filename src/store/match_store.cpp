// Match rows and their append-only events in SQLite.
#include <algorithm>

#include <fmt/format.h>

#include "jiebang/store/store.h"
#include "store_impl.h"

namespace jiebang {
namespace {

MatchRow read_match(SQLite::Statement& q) {
  MatchRow m;
  m.id = q.getColumn(0).getString();
  m.scenario_id = q.getColumn(1).getString();
  m.enterprise_id = q.getColumn(2).getString();
  m.publisher = q.getColumn(3).getString();
  m.stage = stored_or_throw(stored_stage(q.getColumn(4).getString(), {"matches", m.id, "stage"}));
  m.version = q.getColumn(5).getInt64();
  m.created_at = q.getColumn(6).getString();
  m.updated_at = q.getColumn(7).getString();
  return m;
}

constexpr const char* kMatchColumns =
    "id, scenario_id, enterprise_id, publisher, stage, version, created_at, updated_at";
constexpr const char* kEventColumns =
    "seq, match_id, actor_role, actor_id, at, COALESCE(from_stage, ''), to_stage, note, evidence, "
    "contract_value_minor, correction, COALESCE(contract_currency, '')";

MatchEventRow read_event(SQLite::Statement& q) {
  MatchEventRow e;
  e.seq = q.getColumn(0).getInt64();
  e.match_id = q.getColumn(1).getString();
  std::string seq = std::to_string(e.seq);
  e.actor_role = stored_or_throw(stored_role(q.getColumn(2).getString(), {"match_events", seq, "actor_role"}));
  e.actor_id = q.getColumn(3).getString();
  e.at = q.getColumn(4).getString();
  if (std::string from = q.getColumn(5).getString(); !from.empty())  // NULL: the event that created the match
    e.from_stage = stored_or_throw(stored_stage(from, {"match_events", seq, "from_stage"}));
  e.to_stage = stored_or_throw(stored_stage(q.getColumn(6).getString(), {"match_events", seq, "to_stage"}));
  e.note = q.getColumn(7).getString();
  e.evidence = q.getColumn(8).getString();
  if (!q.getColumn(9).isNull()) e.contract_value_minor = q.getColumn(9).getInt64();
  e.correction = q.getColumn(10).getInt() != 0;
  e.contract_currency = q.getColumn(11).getString();
  return e;
}

void insert_event(SQLite::Database& db, const MatchEventRow& e) {
  SQLite::Statement ins(db,
                        "INSERT INTO match_events(match_id, actor_role, actor_id, at, from_stage, to_stage, note, "
                        "evidence, contract_value_minor, correction, contract_currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, e.match_id);
  ins.bind(2, std::string(role_name(e.actor_role)));
  ins.bind(3, e.actor_id);
  ins.bind(4, e.at);
  if (e.from_stage) ins.bind(5, std::string(stage_name(*e.from_stage)));
  else ins.bind(5);
  ins.bind(6, std::string(stage_name(e.to_stage)));
  ins.bind(7, e.note);
  ins.bind(8, e.evidence);
  if (e.contract_value_minor) ins.bind(9, static_cast<int64_t>(*e.contract_value_minor));
  else ins.bind(9);
  ins.bind(10, e.correction ? 1 : 0);
  if (e.contract_currency.empty()) ins.bind(11);
  else ins.bind(11, e.contract_currency);
  ins.exec();
}

std::optional<MatchRow> find_match(SQLite::Database& db, const std::string& id) {
  SQLite::Statement q(db, fmt::format("SELECT {} FROM matches WHERE id = ?", kMatchColumns));
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return read_match(q);
}

}  // namespace

Result<MatchRow> Store::create_match(const std::string& scenario_id, const std::string& enterprise_id,
                                     MatchEventRow first) {
  std::lock_guard lock(impl_->mu);
  try {
    auto& db = impl_->db;
    SQLite::Transaction t(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement scen(db, "SELECT publisher FROM scenarios WHERE id = ?");
    scen.bind(1, scenario_id);
    if (!scen.executeStep()) return Status(ErrorCode::kNotFound, "scenario_id", fmt::format("no scenario \"{}\"", scenario_id));
    std::string publisher = scen.getColumn(0).getString();
    SQLite::Statement ent(db, "SELECT 1 FROM enterprises WHERE id = ?");
    ent.bind(1, enterprise_id);
    if (!ent.executeStep()) return Status(ErrorCode::kNotFound, "enterprise_id", fmt::format("no enterprise \"{}\"", enterprise_id));
    SQLite::Statement dup(db, "SELECT id, stage FROM matches WHERE scenario_id = ? AND enterprise_id = ?");
    dup.bind(1, scenario_id);
    dup.bind(2, enterprise_id);
    if (dup.executeStep())
      return Status::conflict(fmt::format("scenario \"{}\" and enterprise \"{}\" already have match {} (stage {})",
                                          scenario_id, enterprise_id, dup.getColumn(0).getString(),
                                          dup.getColumn(1).getString()));
    int64_t next = db.execAndGet("SELECT COALESCE(MAX(rowid), 0) + 1 FROM matches").getInt64();
    MatchRow m;
    m.id = fmt::format("m{:06}", next);
    m.scenario_id = scenario_id;
    m.enterprise_id = enterprise_id;
    m.publisher = publisher;
    m.stage = first.to_stage;
    m.version = 1;
    m.created_at = m.updated_at = first.at;
    SQLite::Statement ins(db, "INSERT INTO matches(id, scenario_id, enterprise_id, publisher, stage, version, "
                              "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, m.id);
    ins.bind(2, m.scenario_id);
    ins.bind(3, m.enterprise_id);
    ins.bind(4, m.publisher);
    ins.bind(5, std::string(stage_name(m.stage)));
    ins.bind(6, m.version);
    ins.bind(7, m.created_at);
    ins.bind(8, m.updated_at);
    ins.exec();
    first.match_id = m.id;
    first.from_stage.reset();
    insert_event(db, first);
    t.commit();
    return m;
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot create the match");
  }
}

Result<MatchRow> Store::append_match_event(const std::string& match_id,
                                           const std::function<Status(const MatchRow& current, MatchEventRow& event)>& check,
                                           MatchEventRow event, const std::vector<Stage>& track_record_stages) {
  std::lock_guard lock(impl_->mu);
  try {
    auto& db = impl_->db;
    SQLite::Transaction t(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto current = find_match(db, match_id);
    if (!current) return Status::not_found(fmt::format("no match \"{}\"", match_id));
    if (Status st = check(*current, event); !st) return st;
    event.match_id = match_id;
    event.from_stage = current->stage;
    insert_event(db, event);
    SQLite::Statement up(db, "UPDATE matches SET stage = ?, version = version + 1, updated_at = ? WHERE id = ?");
    up.bind(1, std::string(stage_name(event.to_stage)));
    up.bind(2, event.at);
    up.bind(3, match_id);
    up.exec();
    for (Stage s : track_record_stages)
      if (s == event.to_stage) {
        impl_->append_change("enterprise", current->enterprise_id, "upsert");
        break;
      }
    t.commit();
    current->stage = event.to_stage;
    current->version += 1;
    current->updated_at = event.at;
    return *current;
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot record the match event");
  }
}

Result<MatchRow> Store::get_match(const std::string& match_id) const {
  std::lock_guard lock(impl_->mu);
  try {
    auto m = find_match(impl_->db, match_id);
    if (!m) return Status::not_found(fmt::format("no match \"{}\"", match_id));
    return *m;
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot read the match");
  }
}

Result<std::vector<MatchEventRow>> Store::match_events(const std::string& match_id) const {
  std::lock_guard lock(impl_->mu);
  std::vector<MatchEventRow> out;
  try {
    SQLite::Statement q(impl_->db, fmt::format("SELECT {} FROM match_events WHERE match_id = ? ORDER BY seq", kEventColumns));
    q.bind(1, match_id);
    while (q.executeStep()) out.push_back(read_event(q));
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot read match events");
  }
  return out;
}

Result<std::vector<MatchRow>> Store::list_matches(const MatchFilter& f) const {
  std::lock_guard lock(impl_->mu);
  std::vector<MatchRow> out;
  try {
    SQLite::Statement q(impl_->db, fmt::format("SELECT {} FROM matches WHERE (?1 = '' OR scenario_id = ?1) "
                                               "AND (?2 = '' OR enterprise_id = ?2) AND (?3 = '' OR stage = ?3) "
                                               "AND (?4 = '' OR publisher = ?4) AND id > ?5 ORDER BY id LIMIT ?6",
                                               kMatchColumns));
    q.bind(1, f.scenario_id);
    q.bind(2, f.enterprise_id);
    q.bind(3, f.stage ? std::string(stage_name(*f.stage)) : std::string());
    q.bind(4, f.publisher);
    q.bind(5, f.after_id);
    q.bind(6, static_cast<int64_t>(f.limit));
    while (q.executeStep()) out.push_back(read_match(q));
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot list matches");
  }
  return out;
}

Status Store::for_each_match_history(
    const std::function<void(const MatchRow&, const std::vector<MatchEventRow>&)>& fn) const {
  std::vector<MatchRow> matches;
  std::vector<MatchEventRow> events;
  {
    std::lock_guard lock(impl_->mu);
    try {
      SQLite::Transaction t(impl_->db);  // one consistent snapshot of both tables
      SQLite::Statement qm(impl_->db, fmt::format("SELECT {} FROM matches ORDER BY id", kMatchColumns));
      while (qm.executeStep()) matches.push_back(read_match(qm));
      SQLite::Statement qe(impl_->db, fmt::format("SELECT {} FROM match_events ORDER BY match_id, seq", kEventColumns));
      while (qe.executeStep()) events.push_back(read_event(qe));
      t.commit();
    } catch (const std::exception& e) {
      return from_sqlite(e, "cannot read match histories");
    }
  }
  size_t e = 0;
  for (const auto& m : matches) {
    std::vector<MatchEventRow> mine;
    while (e < events.size() && events[e].match_id < m.id) ++e;
    while (e < events.size() && events[e].match_id == m.id) mine.push_back(events[e++]);
    fn(m, mine);
  }
  return Status::ok();
}

Result<std::vector<std::pair<std::string, Stage>>> Store::match_outcomes(
    const std::string& enterprise_id, const std::vector<Stage>& stages) const {
  std::lock_guard lock(impl_->mu);
  std::vector<std::pair<std::string, Stage>> out;
  try {
    // A match counts once, at the last of `stages` its history reached (a correction back to an
    // earlier stage does not erase that it was validated).
    SQLite::Statement q(impl_->db,
                        "SELECT m.id, m.publisher, e.to_stage, e.seq FROM matches m JOIN match_events e ON e.match_id = m.id "
                        "WHERE m.enterprise_id = ? ORDER BY m.id, e.seq");
    q.bind(1, enterprise_id);
    std::string match_id, publisher;
    std::optional<Stage> reached;
    auto flush = [&] {
      if (reached) out.emplace_back(publisher, *reached);
      reached.reset();
    };
    while (q.executeStep()) {
      if (q.getColumn(0).getString() != match_id) {
        flush();
        match_id = q.getColumn(0).getString();
        publisher = q.getColumn(1).getString();
      }
      Stage stage = stored_or_throw(
          stored_stage(q.getColumn(2).getString(), {"match_events", q.getColumn(3).getString(), "to_stage"}));
      if (std::find(stages.begin(), stages.end(), stage) != stages.end()) reached = stage;
    }
    flush();
  } catch (const std::exception& e) {
    return from_sqlite(e, "cannot read match outcomes");
  }
  return out;
}

}  // namespace jiebang
