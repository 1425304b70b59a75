// Store tests on a real SQLite file in a per-test temporary directory.
#include <gtest/gtest.h>

#include <fstream>

#include <sqlite3.h>

#include <barrier>
#include <set>
#include <thread>
#include <string>
#include <vector>

#include "jiebang/core/records.h"
#include "jiebang/store/store.h"
#include "sql_util.h"
#include "store/schema.h"  // src/store: the migrations, to make a store of an older version
#include "test_util.h"

namespace jiebang {
namespace {

using testing::TempDir;

Scenario scenario(const std::string& id, const std::string& publisher = "国网杭州供电公司",
                  const std::string& title = "电力隧道智能巡检机器人应用场景") {
  Scenario s;
  s.id = id;
  s.title = title;
  s.description = "隧道内常年高湿，需要挂轨式智能巡检装置，具备双光谱测温和气体监测。";
  s.publisher = publisher;
  s.region = "330102";
  s.industries = {"D4420", "智能电网"};
  s.required_trl = 7;
  return s;
}

Enterprise enterprise(const std::string& id, const std::string& name = "杭州睿巡智能装备有限公司") {
  Enterprise e;
  e.id = id;
  e.name = name;
  e.description = "挂轨式智能巡检机器人研发与制造。";
  e.capabilities = {"隧道巡检机器人"};
  e.trl = 8;
  return e;
}

std::unique_ptr<Store> open_store(const std::string& path) {
  auto st = Store::open(path);
  if (!st.is_ok()) {
    ADD_FAILURE() << st.status().to_string();
    return nullptr;
  }
  return std::move(*st);
}

std::vector<UpsertOutcome> outcomes_of(const Result<std::vector<Result<UpsertOutcome>>>& r) {
  std::vector<UpsertOutcome> out;
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  if (!r.is_ok()) return out;
  for (const auto& o : *r) {
    EXPECT_TRUE(o.is_ok()) << o.status().to_string();
    if (o.is_ok()) out.push_back(o.value());
  }
  return out;
}

/// Runs one SQL statement on the file with the sqlite3 C API (independent of the Store).
int64_t sql_int(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << path;
    sqlite3_close(db);
    return -1;
  }
  sqlite3_stmt* stmt = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
      v = sqlite3_column_int64(stmt, 0);
    else if (rc == SQLITE_DONE)
      v = 0;
    else
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  } else {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return v;
}

TEST(Store, OpenCreatesSchemaWithRecordAndChangeTables) {
  TempDir tmp;
  std::string path = tmp.file("jiebang.sqlite3");
  int version = 0;
  {
    auto store = open_store(path);
    ASSERT_TRUE(store);
    version = *store->schema_version();
    EXPECT_GE(version, 1);
    EXPECT_EQ(*store->last_seq(), 0);
    EXPECT_EQ(*store->count(RecordKind::kScenario), 0);
    EXPECT_EQ(*store->count(RecordKind::kEnterprise), 0);
  }
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(sql_int(path, "PRAGMA user_version"), version);
  for (const char* table : {"scenarios", "enterprises", "changes"})
    EXPECT_EQ(
        sql_int(path, std::string("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='") + table + "'"), 1)
        << table;
  // Reopening applies nothing new.
  auto again = open_store(path);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again->schema_version(), version);
}

TEST(Store, NewerSchemaVersionRefused) {
  TempDir tmp;
  std::string path = tmp.file("jiebang.sqlite3");
  int version = 0;
  {
    auto store = open_store(path);
    ASSERT_TRUE(store);
    version = *store->schema_version();
  }
  sql_int(path, "PRAGMA user_version = " + std::to_string(version + 1));
  auto st = Store::open(path);
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.status().code(), ErrorCode::kInternal);
  EXPECT_NE(st.status().message().find(std::to_string(version + 1)), std::string::npos) << st.status().message();
}

/// A store file as schema version `version` left it: the first `version` migrations, as that
/// version's jiebang ran them.
void make_store_at_version(const std::string& path, int version) {
  ASSERT_LE(version, static_cast<int>(schema_migrations().size()));
  for (int v = 0; v < version; ++v) {
    ASSERT_EQ(testing::sql_exec(path, schema_migrations()[v]), "") << "migration " << v;
    ASSERT_EQ(testing::sql_exec(path, "PRAGMA user_version = " + std::to_string(v + 1)), "");
  }
}

TEST(StoreMigration, AVersion5StoreOpensAndKeepsItsMatchesEventsAndDigestsUnderNewChecks) {
  TempDir tmp;
  std::string path = tmp.file("jiebang.sqlite3");
  make_store_at_version(path, 5);
  // As version 5 wrote them: a match at selected with three events (seq 1, 2, 5: the sequence's
  // high-water mark is 5), and a digest with one recipient and one item.
  ASSERT_EQ(testing::sql_exec(path, R"sql(
    INSERT INTO matches VALUES ('m000001', 's1', 'e1', 'pub', 'selected', 3, '2026-01-01T00:00:00Z', '2026-01-03T00:00:00Z');
    INSERT INTO match_events(seq, match_id, actor_role, actor_id, at, from_stage, to_stage)
      VALUES (1, 'm000001', 'publisher', 'pub', '2026-01-01T00:00:00Z', NULL, 'recommended'),
             (2, 'm000001', 'enterprise', 'e1', '2026-01-02T00:00:00Z', 'recommended', 'applied'),
             (5, 'm000001', 'publisher', 'pub', '2026-01-03T00:00:00Z', 'applied', 'selected');
    INSERT INTO digest_runs(week, settings, started_at) VALUES ('2026-W48', '{}', '2026-11-23T00:00:00Z');
    INSERT INTO digest_recipients VALUES ('2026-W48', 'enterprise', 'e1', 'E1', 'zh', 1);
    INSERT INTO digest_items(week, kind, recipient_id, rank, item, scenario_id, enterprise_id, payload)
      VALUES ('2026-W48', 'enterprise', 'e1', 1, 'scenario', 's1', 'e1', '{}');
  )sql"),
            "");
  {
    auto store = Store::open(path);
    ASSERT_TRUE(store) << store.status().to_string();
    EXPECT_EQ(*(*store)->schema_version(), 6);
    auto m = (*store)->get_match("m000001");
    ASSERT_TRUE(m) << m.status().to_string();
    EXPECT_EQ(m->stage, Stage::kSelected);
    EXPECT_EQ(m->version, 3);
    auto events = (*store)->match_events("m000001");
    ASSERT_TRUE(events);
    ASSERT_EQ(events->size(), 3u);
    EXPECT_EQ((*events)[0].from_stage, std::nullopt);
    EXPECT_EQ((*events)[0].actor_role, Role::kPublisher);
    EXPECT_EQ((*events)[2].seq, 5);
    EXPECT_EQ((*events)[2].from_stage, Stage::kApplied);
    // The next event continues the sequence after its high-water mark.
    MatchEventRow next;
    next.actor_role = Role::kEnterprise;
    next.actor_id = "e1";
    next.at = "2026-01-04T00:00:00Z";
    next.to_stage = Stage::kRd;
    auto row = (*store)->append_match_event(
        "m000001", [](const MatchRow&, MatchEventRow&) { return Status::ok(); }, next, {});
    ASSERT_TRUE(row) << row.status().to_string();
    events = (*store)->match_events("m000001");
    ASSERT_TRUE(events);
    ASSERT_EQ(events->size(), 4u);
    EXPECT_EQ((*events)[3].seq, 6);
    EXPECT_EQ((*events)[3].from_stage, Stage::kSelected);
    EXPECT_EQ((*events)[3].to_stage, Stage::kRd);
    auto items = (*store)->digest_items("2026-W48", RecipientKind::kEnterprise, "e1", false);
    ASSERT_TRUE(items);
    ASSERT_EQ(items->size(), 1u);
    EXPECT_EQ(items->front().kind, RecipientKind::kEnterprise);
  }
  // What the lifecycle and digest could not read back is refused now, and the rest still holds.
  EXPECT_NE(testing::sql_exec(path, "UPDATE matches SET stage = 'shortlisted'").find("CHECK constraint failed"),
            std::string::npos);
  EXPECT_NE(testing::sql_exec(path, "INSERT INTO match_events(match_id, actor_role, actor_id, at, to_stage) "
                                    "VALUES ('m000001', 'admin', 'x', 'now', 'rd')")
                .find("CHECK constraint failed"),
            std::string::npos);
  EXPECT_NE(testing::sql_exec(path, "INSERT INTO match_events(match_id, actor_role, actor_id, at, from_stage, to_stage) "
                                    "VALUES ('m000001', 'operator', 'x', 'now', 'rd', 'finished')")
                .find("CHECK constraint failed"),
            std::string::npos);
  EXPECT_NE(testing::sql_exec(path, "INSERT INTO digest_items(week, kind, recipient_id, rank, item, scenario_id, "
                                    "enterprise_id, payload) VALUES ('2026-W48', 'robot', 'e1', 2, 'scenario', 's1', "
                                    "'e1', '{}')")
                .find("CHECK constraint failed"),
            std::string::npos);
  EXPECT_NE(testing::sql_exec(path, "UPDATE match_events SET note = 'x'").find("append-only"), std::string::npos);
  EXPECT_NE(testing::sql_exec(path, "DELETE FROM match_events").find("append-only"), std::string::npos);
  EXPECT_EQ(sql_int(path, "PRAGMA foreign_key_check"), 0);
  EXPECT_EQ(sql_int(path, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('matches_stage', 'matches_enterprise', "
                          "'match_events_match', 'digest_items_recipient')"),
            4);
  EXPECT_EQ(sql_int(path, "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%_v6'"), 0);
}

TEST(StoreMigration, AnOldStoreWithAValueThisVersionCannotReadIsRefusedNamingTheRowAndLeftAsItWas) {
  struct Case {
    const char* insert;
    const char* expected;
  };
  for (const Case& c : {
           Case{"INSERT INTO matches VALUES ('m-9', 's1', 'e1', 'pub', 'shortlisted', 1, 'x', 'x')",
                "matches row \"m-9\", column stage: \"shortlisted\""},
           Case{"INSERT INTO matches VALUES ('m-1', 's1', 'e1', 'pub', 'applied', 1, 'x', 'x');"
                "INSERT INTO match_events(seq, match_id, actor_role, actor_id, at, to_stage) "
                "VALUES (41, 'm-1', 'admin', 'root', 'x', 'applied')",
                "match_events row \"41\", column actor_role: \"admin\""},
       }) {
    TempDir tmp;
    std::string path = tmp.file("jiebang.sqlite3");
    make_store_at_version(path, 5);
    ASSERT_EQ(testing::sql_exec(path, c.insert), "");
    auto store = Store::open(path);
    ASSERT_FALSE(store) << c.insert;
    EXPECT_NE(store.status().message().find(c.expected), std::string::npos) << store.status().message();
    EXPECT_EQ(sql_int(path, "PRAGMA user_version"), 5);  // the migration's transaction was rolled back
  }
}

// The rows carry enums: every read converts a stored stage, role or kind once, and one this
// version does not know (a store edited by hand, its CHECK constraints bypassed) is an error naming
// the table, the row and the column — never a default, never a row skipped.
TEST(Store, AStageRoleOrKindItCannotReadIsAnErrorNamingTheRowOnEveryRead) {
  TempDir tmp;
  std::string path = tmp.file("jiebang.sqlite3");
  auto store = open_store(path);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->upsert_scenarios({scenario("s1", "pub")}));
  ASSERT_TRUE(store->upsert_enterprises({enterprise("e1")}));
  MatchEventRow first;
  first.actor_role = Role::kEnterprise;
  first.actor_id = "e1";
  first.at = "2026-01-01T00:00:00Z";
  first.to_stage = Stage::kApplied;
  auto m = store->create_match("s1", "e1", first);
  ASSERT_TRUE(m) << m.status().to_string();
  EXPECT_EQ(m->stage, Stage::kApplied);
  ApiKeyRow key;
  key.key_hash = std::string(64, 'a');
  key.role = Role::kPublisher;
  key.scope = "pub";
  key.created_at = "2026-01-01T00:00:00Z";
  auto stored_key = store->insert_api_key(key);
  ASSERT_TRUE(stored_key) << stored_key.status().to_string();
  EXPECT_EQ(stored_key->role, Role::kPublisher);
  ASSERT_TRUE(store->start_digest_run("2026-W48", "{}", "2026-11-23T00:00:00Z"));
  ASSERT_TRUE(store->store_digest_recipients("2026-W48", {{RecipientKind::kPublisher, "pub", "Pub", "zh", 0}}, {}));
  auto recipients = store->digest_recipients("2026-W48");
  ASSERT_TRUE(recipients && recipients->size() == 1u);
  EXPECT_EQ(recipients->front().kind, RecipientKind::kPublisher);

  auto expect_unreadable = [](const Status& st, const std::string& where) {
    EXPECT_EQ(st.code(), ErrorCode::kInternal) << st.to_string();
    EXPECT_NE(st.message().find(where), std::string::npos) << st.message();
  };
  ASSERT_EQ(testing::sql_exec(path, "PRAGMA ignore_check_constraints = ON; UPDATE api_keys SET role = 'root'"), "");
  expect_unreadable(store->list_api_keys().status(),
                    "api_keys row \"" + std::to_string(stored_key->id) + "\", column role: \"root\" is not a role");
  expect_unreadable(store->find_api_key(key.key_hash).status(), "column role: \"root\"");
  ASSERT_EQ(testing::sql_exec(path, "PRAGMA ignore_check_constraints = ON; "
                                    "UPDATE digest_recipients SET kind = 'robot'"),
            "");
  expect_unreadable(store->digest_recipients("2026-W48").status(),
                    "digest_recipients row \"2026-W48 pub\", column kind: \"robot\" is not a recipient kind");
  ASSERT_EQ(testing::sql_exec(path, "PRAGMA ignore_check_constraints = ON; "
                                    "INSERT INTO match_events(seq, match_id, actor_role, actor_id, at, from_stage, to_stage) "
                                    "VALUES (50, '" + m->id + "', 'operator', 'x', '2026-01-02T00:00:00Z', 'limbo', 'rd'), "
                                    "(51, '" + m->id + "', 'operator', 'x', '2026-01-03T00:00:00Z', 'rd', 'done')"),
            "");
  expect_unreadable(store->match_events(m->id).status(),
                    "match_events row \"50\", column from_stage: \"limbo\" is not a stage (recommended, applied");
  expect_unreadable(store->for_each_match_history([](const MatchRow&, const std::vector<MatchEventRow>&) {}),
                    "match_events row \"50\", column from_stage");
  expect_unreadable(store->match_outcomes("e1", track_record_stages()).status(),
                    "match_events row \"51\", column to_stage: \"done\"");
  ASSERT_EQ(testing::sql_exec(path, "PRAGMA ignore_check_constraints = ON; UPDATE matches SET stage = 'done'"), "");
  std::string stage_cell = "matches row \"" + m->id + "\", column stage: \"done\" is not a stage";
  expect_unreadable(store->get_match(m->id).status(), stage_cell);
  expect_unreadable(store->list_matches({}).status(), stage_cell);
  MatchEventRow next = first;
  next.to_stage = Stage::kSelected;
  bool checked = false;
  expect_unreadable(store->append_match_event(
                              m->id, [&](const MatchRow&, MatchEventRow&) { return checked = true, Status::ok(); },
                              next, {})
                        .status(),
                    stage_cell);
  EXPECT_FALSE(checked) << "the check never sees a row the store could not read";
}

TEST(Store, FileThatIsNotADatabaseRefused) {
  TempDir tmp;
  std::string path = tmp.file("jiebang.sqlite3");
  testing::write_file(path, std::string(4096, 'x'));
  auto st = Store::open(path);
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.status().code(), ErrorCode::kInternal) << st.status().to_string();
}

TEST(Store, UnopenablePathIsUnavailable) {
  TempDir tmp;
  auto st = Store::open(tmp.file("no/such/dir/jiebang.sqlite3"));
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.status().code(), ErrorCode::kUnavailable) << st.status().to_string();
}

// Records admitted before the boundary rules (control characters, id character set, size limits)
// existed must stay readable: the store reads back under Admission::kStored. Regression: reading
// re-applied the boundary rules and an upgraded data directory lost such records.
TEST(Store, RecordsFromBeforeTheBoundaryRulesStayReadable) {
  TempDir tmp;
  auto store = open_store(tmp.file("s.sqlite3"));
  ASSERT_TRUE(store);
  Scenario s = scenario("旧 编号/1", "国网\x1b[31m杭州", std::string(300 * 1024, 'x'));
  Enterprise e = enterprise("old id", "睿巡\u202e公司");
  e.capabilities.assign(2000, "巡检");
  (void)outcomes_of(store->upsert_scenarios({s}));
  (void)outcomes_of(store->upsert_enterprises({e}));
  std::vector<FieldError> errors;
  ASSERT_FALSE(scenario_from_json(to_json(s), errors)) << "the boundary must refuse this record";
  auto back = store->get_scenario("旧 编号/1");
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_EQ(back->publisher, s.publisher);
  EXPECT_EQ(back->title.size(), s.title.size());
  auto ent = store->get_enterprise("old id");
  ASSERT_TRUE(ent.is_ok()) << ent.status().message();
  EXPECT_EQ(ent->name, e.name);
  EXPECT_EQ(ent->capabilities.size(), 2000u);
}

TEST(Store, UpsertReportsInsertedUpdatedUnchanged) {
  TempDir tmp;
  auto store = open_store(tmp.file("s.sqlite3"));
  ASSERT_TRUE(store);
  auto first = outcomes_of(store->upsert_scenarios({scenario("hz-1"), scenario("hz-2")}));
  EXPECT_EQ(first, (std::vector<UpsertOutcome>{UpsertOutcome::kInserted, UpsertOutcome::kInserted}));

  Scenario changed = scenario("hz-2");
  changed.required_trl = 8;
  auto second = outcomes_of(store->upsert_scenarios({scenario("hz-1"), changed, scenario("hz-3")}));
  EXPECT_EQ(second,
            (std::vector<UpsertOutcome>{UpsertOutcome::kUnchanged, UpsertOutcome::kUpdated, UpsertOutcome::kInserted}));
  EXPECT_EQ(*store->count(RecordKind::kScenario), 3);
  auto got = store->get_scenario("hz-2");
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(got->required_trl, 8);

  auto ents = outcomes_of(store->upsert_enterprises({enterprise("ent-1"), enterprise("ent-2")}));
  EXPECT_EQ(ents, (std::vector<UpsertOutcome>{UpsertOutcome::kInserted, UpsertOutcome::kInserted}));
  Enterprise e2 = enterprise("ent-2", "杭州睿巡智能装备股份有限公司");
  ents = outcomes_of(store->upsert_enterprises({enterprise("ent-1"), e2}));
  EXPECT_EQ(ents, (std::vector<UpsertOutcome>{UpsertOutcome::kUnchanged, UpsertOutcome::kUpdated}));
  EXPECT_EQ(store->get_enterprise("ent-2")->name, "杭州睿巡智能装备股份有限公司");
}

TEST(Store, ChangeRowsOnlyForRealChanges) {
  TempDir tmp;
  auto store = open_store(tmp.file("s.sqlite3"));
  ASSERT_TRUE(store);
  (void)outcomes_of(store->upsert_scenarios({scenario("hz-1"), scenario("hz-2")}));
  (void)outcomes_of(store->upsert_enterprises({enterprise("ent-1")}));
  int64_t after_insert = *store->last_seq();
  auto changes = store->changes_after(0, 100);
  ASSERT_TRUE(changes.is_ok());
  ASSERT_EQ(changes->size(), 3u);
  EXPECT_EQ((*changes)[0].record_id, "hz-1");
  EXPECT_EQ((*changes)[0].kind, RecordKind::kScenario);
  EXPECT_EQ((*changes)[0].op, "upsert");
  EXPECT_EQ((*changes)[2].record_id, "ent-1");
  EXPECT_EQ((*changes)[2].kind, RecordKind::kEnterprise);
  EXPECT_EQ(after_insert, (*changes)[2].seq);

  // Same content again: no change rows.
  (void)outcomes_of(store->upsert_scenarios({scenario("hz-1"), scenario("hz-2")}));
  (void)outcomes_of(store->upsert_enterprises({enterprise("ent-1")}));
  EXPECT_EQ(*store->last_seq(), after_insert);
  EXPECT_TRUE(store->changes_after(after_insert, 100)->empty());

  // One real change: one row, for that record.
  Scenario s = scenario("hz-2");
  s.status = "closed";
  (void)outcomes_of(store->upsert_scenarios({scenario("hz-1"), s}));
  auto later = store->changes_after(after_insert, 100);
  ASSERT_TRUE(later.is_ok());
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].record_id, "hz-2");
  EXPECT_GT((*later)[0].seq, after_insert);
}

TEST(Store, UnknownKeysTakePartInChangeDetection) {
  TempDir tmp;
  auto store = open_store(tmp.file("s.sqlite3"));
  ASSERT_TRUE(store);
  Scenario s = scenario("hz-1");
  s.extra = {{"source_url", "https://example.com/a"}, {"batch", 3}};
  (void)outcomes_of(store->upsert_scenarios({s}));
  Scenario same = s;
  same.extra = {{"batch", 3}, {"source_url", "https://example.com/a"}};  // same keys, other order
  EXPECT_EQ(outcomes_of(store->upsert_scenarios({same})), (std::vector<UpsertOutcome>{UpsertOutcome::kUnchanged}));
  Scenario other = s;
  other.extra["source_url"] = "https://example.com/b";
  EXPECT_EQ(outcomes_of(store->upsert_scenarios({other})), (std::vector<UpsertOutcome>{UpsertOutcome::kUpdated}));
  auto got = store->get_scenario("hz-1");
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(got->extra["source_url"], "https://example.com/b");
  EXPECT_EQ(got->extra["batch"], 3);
}

TEST(Store, SeqsStrictlyIncreaseAndChangesAfterPages) {
  TempDir tmp;
  auto store = open_store(tmp.file("s.sqlite3"));
  ASSERT_TRUE(store);
  for (int round = 0; round < 3; ++round) {
    std::vector<Scenario> batch;
    for (int i = 0; i < 5; ++i) {
      Scenario s = scenario("hz-" + std::to_string(i));
      s.required_trl = 1 + round;  // each round changes every record
      batch.push_back(s);
    }
    (void)outcomes_of(store->upsert_scenarios(batch));
  }
  auto all = store->changes_after(0, 1000);
  ASSERT_TRUE(all.is_ok());
  ASSERT_EQ(all->size(), 15u);
  for (size_t i = 1; i < all->size(); ++i) EXPECT_GT((*all)[i].seq, (*all)[i - 1].seq);
  EXPECT_EQ(*store->last_seq(), all->back().seq);

  // Paging with a limit walks the same rows.
  std::vector<int64_t> paged;
  int64_t after = 0;
  for (;;) {
    auto page = store->changes_after(after, 4);
    ASSERT_TRUE(page.is_ok());
    if (page->empty()) break;
    EXPECT_LE(page->size(), 4u);
    for (const auto& c : *page) paged.push_back(c.seq);
    after = page->back().seq;
  }
  ASSERT_EQ(paged.size(), all->size());
  for (size_t i = 0; i < paged.size(); ++i) EXPECT_EQ(paged[i], (*all)[i].seq);
}

TEST(Store, ScenarioOfAnotherPublisherConflictsAndOthersWritten) {
  TempDir tmp;
  auto store = open_store(tmp.file("s.sqlite3"));
  ASSERT_TRUE(store);
  (void)outcomes_of(store->upsert_scenarios({scenario("hz-1", "国网杭州供电公司")}));
  int64_t seq = *store->last_seq();

  auto r = store->upsert_scenarios(
      {scenario("hz-2"), scenario("hz-1", "杭州市城市大脑运营中心", "另一个标题"), scenario("hz-3")});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 3u);
  ASSERT_TRUE((*r)[0].is_ok());
  EXPECT_EQ((*r)[0].value(), UpsertOutcome::kInserted);
  ASSERT_FALSE((*r)[1].is_ok());
  EXPECT_EQ((*r)[1].status().code(), ErrorCode::kConflict);
  EXPECT_NE((*r)[1].status().message().find("国网杭州供电公司"), std::string::npos) << (*r)[1].status().message();
  EXPECT_NE((*r)[1].status().message().find("杭州市城市大脑运营中心"), std::string::npos);
  ASSERT_TRUE((*r)[2].is_ok());
  EXPECT_EQ((*r)[2].value(), UpsertOutcome::kInserted);

  // The stored hz-1 is untouched; the two others were written with two change rows.
  auto got = store->get_scenario("hz-1");
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(got->publisher, "国网杭州供电公司");
  EXPECT_EQ(got->title, "电力隧道智能巡检机器人应用场景");
  EXPECT_EQ(*store->count(RecordKind::kScenario), 3);
  auto changes = store->changes_after(seq, 100);
  ASSERT_TRUE(changes.is_ok());
  std::set<std::string> ids;
  for (const auto& c : *changes) ids.insert(c.record_id);
  EXPECT_EQ(ids, (std::set<std::string>{"hz-2", "hz-3"}));
}

TEST(Store, ReopenKeepsRecordsAndChangeLog) {
  TempDir tmp;
  std::string path = tmp.file("s.sqlite3");
  Scenario s = scenario("hz-1");
  s.budget = Budget{123456, 800000000, "CNY"};
  s.deadline = "2027-01-15";
  s.keywords = {"电力隧道", "巡检"};
  s.policy = {{"compute_voucher_rate", 0.3}};
  Enterprise e = enterprise("91350100M000100Y43");
  e.cases.push_back({"隧道巡检试点", "部署 4 台机器人", "国网杭州供电公司", 2024, "validation"});
  e.contact = {{"email", "a@example.com"}};
  int64_t seq = 0;
  {
    auto store = open_store(path);
    ASSERT_TRUE(store);
    (void)outcomes_of(store->upsert_scenarios({s}));
    (void)outcomes_of(store->upsert_enterprises({e}));
    seq = *store->last_seq();
  }
  auto store = open_store(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->last_seq(), seq);
  EXPECT_EQ(*store->count(RecordKind::kScenario), 1);
  auto gs = store->get_scenario("hz-1");
  ASSERT_TRUE(gs.is_ok()) << gs.status().to_string();
  EXPECT_EQ(to_json(*gs), to_json(s));
  ASSERT_TRUE(gs->budget.has_value());
  EXPECT_EQ(gs->budget->amount_min_minor, 123456);
  EXPECT_EQ(gs->budget->amount_max_minor, 800000000);
  auto ge = store->get_enterprise("91350100M000100Y43");
  ASSERT_TRUE(ge.is_ok()) << ge.status().to_string();
  EXPECT_EQ(to_json(*ge), to_json(e));
  ASSERT_EQ(ge->cases.size(), 1u);
  EXPECT_EQ(ge->cases[0].customer, "国网杭州供电公司");
  // Writing the same records after reopening changes nothing.
  EXPECT_EQ(outcomes_of(store->upsert_scenarios({s})), (std::vector<UpsertOutcome>{UpsertOutcome::kUnchanged}));
  EXPECT_EQ(*store->last_seq(), seq);
}

TEST(Store, GetMissingRecordIsNotFound) {
  TempDir tmp;
  auto store = open_store(tmp.file("s.sqlite3"));
  ASSERT_TRUE(store);
  (void)outcomes_of(store->upsert_scenarios({scenario("hz-1")}));
  auto s = store->get_scenario("hz-404");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(s.status().message().find("hz-404"), std::string::npos);
  auto e = store->get_enterprise("hz-1");  // a scenario id is not an enterprise
  ASSERT_FALSE(e.is_ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kNotFound);
}

TEST(Store, ForEachVisitsInIdOrderAndStops) {
  TempDir tmp;
  auto store = open_store(tmp.file("s.sqlite3"));
  ASSERT_TRUE(store);
  (void)outcomes_of(store->upsert_scenarios({scenario("hz-3"), scenario("hz-1"), scenario("hz-2")}));
  std::vector<std::string> ids;
  ASSERT_TRUE(store
                  ->for_each_scenario([&](Scenario&& s) {
                    ids.push_back(s.id);
                    return true;
                  })
                  .is_ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"hz-1", "hz-2", "hz-3"}));
  ids.clear();
  ASSERT_TRUE(store
                  ->for_each_scenario([&](Scenario&& s) {
                    ids.push_back(s.id);
                    return ids.size() < 2;
                  })
                  .is_ok());
  EXPECT_EQ(ids.size(), 2u);

  (void)outcomes_of(store->upsert_enterprises({enterprise("ent-b"), enterprise("ent-a")}));
  ids.clear();
  ASSERT_TRUE(store
                  ->for_each_enterprise([&](Enterprise&& e) {
                    ids.push_back(e.id);
                    return true;
                  })
                  .is_ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"ent-a", "ent-b"}));
}

TEST(Store, ConcurrentOpenersOfAFreshFileAllSucceed) {
  // Regression: migrations ran outside a write lock ("table ... already exists"), then
  // journal_mode=WAL on a fresh file gave "database is locked" without waiting.
  // Store::open documents that other processes may open the same file; each Store is its own
  // SQLite connection, so threads race exactly as processes do.
  constexpr int kRounds = 10, kOpeners = 4;
  for (int round = 0; round < kRounds; ++round) {
    TempDir tmp;
    std::string path = tmp.file("fresh.sqlite3");
    std::barrier start(kOpeners);
    std::vector<Status> results(kOpeners);
    std::vector<std::thread> threads;
    for (int i = 0; i < kOpeners; ++i)
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        auto st = Store::open(path);
        results[i] = st.status();
      });
    for (auto& t : threads) t.join();
    for (int i = 0; i < kOpeners; ++i)
      ASSERT_TRUE(results[i].is_ok()) << "round " << round << ": " << results[i].to_string();
  }
}

TEST(Store, TwoHandlesOnOneFileSeeEachOthersWrites) {
  TempDir tmp;
  std::string path = tmp.file("s.sqlite3");
  auto a = open_store(path);
  auto b = open_store(path);
  ASSERT_TRUE(a && b);
  (void)outcomes_of(a->upsert_scenarios({scenario("hz-1")}));
  EXPECT_TRUE(b->get_scenario("hz-1").is_ok());
  EXPECT_EQ(outcomes_of(b->upsert_scenarios({scenario("hz-1")})),
            (std::vector<UpsertOutcome>{UpsertOutcome::kUnchanged}));
  EXPECT_EQ(*a->last_seq(), *b->last_seq());
}

}  // namespace
}  // namespace jiebang
