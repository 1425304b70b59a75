// The loop per match on a real SQLite store: moves, permissions, races, history, funnel.
#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "jiebang/lifecycle/lifecycle.h"
#include "jiebang/store/store.h"
#include "sql_util.h"
#include "test_util.h"

namespace jiebang {
namespace {

using testing::TempDir;
using std::chrono::hours;

constexpr const char* kPublisher = "杭州市数据资源管理局";

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::open(dir_.file("store.sqlite3"));
    ASSERT_TRUE(store) << store.status().to_string();
    store_ = std::move(*store);
    *now_ = std::chrono::sys_days{std::chrono::year{2026} / 1 / 1};
    auto now = now_;
    life_ = std::make_unique<Lifecycle>(*store_, [now] { return *now; });
    std::vector<Scenario> scenarios(2);
    scenarios[0].id = "s1";
    scenarios[0].title = "电力隧道巡检";
    scenarios[0].description = "巡检机器人";
    scenarios[0].publisher = kPublisher;
    scenarios[0].region = "330106";
    scenarios[0].industries = {"D4420"};
    scenarios[1] = scenarios[0];
    scenarios[1].id = "s2";
    scenarios[1].publisher = "宁波舟山港集团";
    ASSERT_TRUE(store_->upsert_scenarios(scenarios));
    std::vector<Enterprise> enterprises;
    for (const char* id : {"e1", "e2", "e3", "e4"}) {
      Enterprise e;
      e.id = id;
      e.name = std::string("企业") + id;
      enterprises.push_back(e);
    }
    ASSERT_TRUE(store_->upsert_enterprises(enterprises));
  }

  void advance_days(int days) { *now_ += hours(24 * days); }
  static Actor publisher(const std::string& org = kPublisher) { return {Role::kPublisher, org}; }
  static Actor enterprise(const std::string& id) { return {Role::kEnterprise, id}; }
  Match move_ok(const std::string& id, const Actor& a, Stage to, std::optional<int64_t> value = std::nullopt) {
    MoveRequest r;
    r.to = to;
    if (value) r.contract_value = Money{*value, "CNY"};
    auto m = life_->move(id, a, r);
    EXPECT_TRUE(m) << m.status().to_string();
    return m ? *m : Match{};
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::shared_ptr<std::chrono::system_clock::time_point> now_ = std::make_shared<std::chrono::system_clock::time_point>();
  std::unique_ptr<Lifecycle> life_;
};

TEST_F(LifecycleTest, FullLoopDerivesStageFromAppendOnlyHistory) {
  auto m = life_->create("s1", "e1", enterprise("e1"), Stage::kApplied, "我们申请揭榜");
  ASSERT_TRUE(m) << m.status().to_string();
  EXPECT_EQ(m->stage, Stage::kApplied);
  ASSERT_EQ(m->history.size(), 1u);
  EXPECT_FALSE(m->history[0].from.has_value());
  auto first = m->history[0];
  move_ok(m->id, publisher(), Stage::kSelected);
  move_ok(m->id, enterprise("e1"), Stage::kRd);
  move_ok(m->id, publisher(), Stage::kValidation);
  auto done = move_ok(m->id, publisher(), Stage::kCommercialized, 123456789);
  EXPECT_EQ(done.stage, Stage::kCommercialized);
  ASSERT_EQ(done.history.size(), 5u);
  EXPECT_EQ(done.history.back().contract_value, (Money{123456789, "CNY"}));
  EXPECT_EQ(done.history.back().to, done.stage);
  EXPECT_EQ(done.history[0].at, first.at);
  EXPECT_EQ(done.history[0].note, "我们申请揭榜");
  for (size_t i = 1; i < done.history.size(); ++i) {
    EXPECT_EQ(done.history[i].from, done.history[i - 1].to);
    EXPECT_GT(done.history[i].seq, done.history[i - 1].seq);
  }
}

TEST_F(LifecycleTest, AContractValueKeepsItsCurrencyAndTheFunnelSumsEachCurrencyApart) {
  auto operator_actor = Actor{Role::kOperator, "ops"};
  std::vector<Money> values = {{125000007, "CNY"}, {99, "USD"}, {1, "CNY"}};
  std::vector<std::string> ids;
  for (size_t i = 0; i < values.size(); ++i) {
    auto m = life_->create("s1", "e" + std::to_string(i + 1), operator_actor, Stage::kApplied);
    ASSERT_TRUE(m) << m.status().to_string();
    for (Stage to : {Stage::kSelected, Stage::kRd, Stage::kValidation}) move_ok(m->id, operator_actor, to);
    MoveRequest r;
    r.to = Stage::kCommercialized;
    r.contract_value = values[i];
    auto done = life_->move(m->id, operator_actor, r);
    ASSERT_TRUE(done) << done.status().to_string();
    ids.push_back(m->id);
  }
  for (size_t i = 0; i < values.size(); ++i) {
    auto m = life_->get(ids[i]);  // read back from the store
    ASSERT_TRUE(m);
    EXPECT_EQ(m->history.back().contract_value, values[i]);
    EXPECT_FALSE(m->history.front().contract_value.has_value());
  }
  auto funnel = life_->funnel({});
  ASSERT_TRUE(funnel);
  ASSERT_EQ(funnel->size(), 1u);
  EXPECT_EQ(funnel->front().contract_value_minor, (std::map<std::string, int64_t>{{"CNY", 125000008}, {"USD", 99}}));
  // A negative value is refused, whatever its currency.
  auto m = life_->create("s1", "e4", operator_actor, Stage::kApplied);
  ASSERT_TRUE(m);
  for (Stage to : {Stage::kSelected, Stage::kRd, Stage::kValidation}) move_ok(m->id, operator_actor, to);
  MoveRequest negative;
  negative.to = Stage::kCommercialized;
  negative.contract_value = Money{-1, "USD"};
  auto refused = life_->move(m->id, operator_actor, negative);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().field(), "contract_value");
}

TEST_F(LifecycleTest, AnUnknownStageOrRoleReadFromTheStoreIsAnErrorNamingTheRowNeverADefault) {
  auto m = life_->create("s1", "e1", enterprise("e1"), Stage::kApplied);
  ASSERT_TRUE(m) << m.status().to_string();
  std::string path = dir_.file("store.sqlite3");
  auto expect_unreadable = [&](const Status& st, const std::string& where) {
    EXPECT_EQ(st.code(), ErrorCode::kInternal) << st.to_string();
    EXPECT_NE(st.message().find(where), std::string::npos) << st.message();
  };
  // A store written by another version (or by hand): the schema's checks are bypassed here.
  ASSERT_EQ(testing::sql_exec(path, "PRAGMA ignore_check_constraints = ON; "
                                    "UPDATE matches SET stage = 'shortlisted' WHERE id = '" + m->id + "'"),
            "");
  std::string stage_cell = "matches row \"" + m->id + "\", column stage: \"shortlisted\" is not a stage";
  expect_unreadable(life_->get(m->id).status(), stage_cell);
  expect_unreadable(life_->list({}).status(), stage_cell);
  expect_unreadable(life_->funnel({}).status(), stage_cell);
  MoveRequest withdraw;
  withdraw.to = Stage::kWithdrawn;
  expect_unreadable(life_->move(m->id, enterprise("e1"), withdraw).status(), stage_cell);

  // An event's role and stages, named by the event's seq.
  auto other = life_->create("s1", "e2", enterprise("e2"), Stage::kApplied);
  ASSERT_TRUE(other) << other.status().to_string();
  ASSERT_EQ(testing::sql_exec(path, "PRAGMA ignore_check_constraints = ON; "
                                    "INSERT INTO match_events(seq, match_id, actor_role, actor_id, at, from_stage, to_stage) "
                                    "VALUES (900, '" + other->id + "', 'admin', 'root', '2026-01-02T00:00:00Z', "
                                    "'applied', 'selected')"),
            "");
  expect_unreadable(life_->get(other->id).status(), "match_events row \"900\", column actor_role: \"admin\" is not a role");
  ASSERT_EQ(testing::sql_exec(path, "PRAGMA ignore_check_constraints = ON; "
                                    "INSERT INTO match_events(seq, match_id, actor_role, actor_id, at, from_stage, to_stage) "
                                    "VALUES (901, '" + m->id + "', 'operator', 'root', '2026-01-03T00:00:00Z', "
                                    "'applied', 'done')"),
            "");
  expect_unreadable(life_->get(other->id).status(), "match_events row \"900\", column actor_role");
  // With the match's own stage readable again, its history and the funnel (which reads the first
  // match's events first) stop at the event's unknown to_stage.
  ASSERT_EQ(testing::sql_exec(path, "UPDATE matches SET stage = 'applied' WHERE id = '" + m->id + "'"), "");
  std::string to_cell = "match_events row \"901\", column to_stage: \"done\" is not a stage";
  expect_unreadable(life_->get(m->id).status(), to_cell);
  expect_unreadable(life_->funnel({}).status(), to_cell);
  EXPECT_TRUE(life_->list({}));  // the list reads no events: readable again

}

TEST_F(LifecycleTest, CommercialisationNeedsAContractValue) {
  auto m = life_->create("s1", "e1", enterprise("e1"), Stage::kApplied);
  ASSERT_TRUE(m);
  move_ok(m->id, publisher(), Stage::kSelected);
  move_ok(m->id, publisher(), Stage::kRd);
  move_ok(m->id, publisher(), Stage::kValidation);
  MoveRequest r;
  r.to = Stage::kCommercialized;
  auto refused = life_->move(m->id, publisher(), r);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(life_->get(m->id)->stage, Stage::kValidation);
}

TEST_F(LifecycleTest, IllegalMoveNamesCurrentStageAndAllowedNext) {
  auto m = life_->create("s1", "e1", enterprise("e1"), Stage::kApplied);
  ASSERT_TRUE(m);
  move_ok(m->id, publisher(), Stage::kSelected);
  MoveRequest skip;
  skip.to = Stage::kValidation;
  auto refused = life_->move(m->id, publisher(), skip);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), ErrorCode::kConflict);
  EXPECT_NE(refused.status().message().find("stage selected"), std::string::npos) << refused.status().message();
  EXPECT_NE(refused.status().message().find("rd, withdrawn"), std::string::npos) << refused.status().message();
  EXPECT_EQ(life_->get(m->id)->history.size(), 2u);
}

TEST_F(LifecycleTest, PartiesActOnlyOnTheirOwnMatchesAndMoves) {
  auto m = life_->create("s1", "e1", enterprise("e1"), Stage::kApplied);
  ASSERT_TRUE(m);
  MoveRequest select;
  select.to = Stage::kSelected;
  auto other_publisher = life_->move(m->id, publisher("宁波舟山港集团"), select);
  EXPECT_EQ(other_publisher.status().code(), ErrorCode::kPermissionDenied);
  auto own_enterprise = life_->move(m->id, enterprise("e1"), select);  // selecting is the publisher's move
  EXPECT_EQ(own_enterprise.status().code(), ErrorCode::kPermissionDenied);
  MoveRequest withdraw;
  withdraw.to = Stage::kWithdrawn;
  EXPECT_EQ(life_->move(m->id, enterprise("e2"), withdraw).status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(life_->create("s1", "e2", enterprise("e3"), Stage::kApplied).status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(life_->create("s1", "e2", publisher("宁波舟山港集团"), Stage::kRecommended).status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(life_->create("s1", "e1", enterprise("e1"), Stage::kApplied).status().code(), ErrorCode::kConflict);
  EXPECT_EQ(life_->get(m->id)->stage, Stage::kApplied);
}

TEST_F(LifecycleTest, OperatorCorrectionIsANewEventMarkedAsCorrection) {
  auto m = life_->create("s1", "e1", enterprise("e1"), Stage::kApplied);
  ASSERT_TRUE(m);
  move_ok(m->id, publisher(), Stage::kRejected);
  auto fixed = move_ok(m->id, {Role::kOperator, "ops"}, Stage::kApplied);
  EXPECT_EQ(fixed.stage, Stage::kApplied);
  ASSERT_EQ(fixed.history.size(), 3u);
  EXPECT_EQ(fixed.history[1].to, Stage::kRejected);
  EXPECT_FALSE(fixed.history[1].correction);
  EXPECT_TRUE(fixed.history[2].correction);
}

TEST_F(LifecycleTest, ConcurrentMovesOnOneMatchLeaveOneWinner) {
  // Two clients, each with its own connection to the same store file, race the same move.
  auto second = Store::open(dir_.file("store.sqlite3"));
  ASSERT_TRUE(second);
  auto now = now_;
  Lifecycle other(**second, [now] { return *now; });
  for (int round = 0; round < 10; ++round) {
    std::string e = round % 2 ? "e1" : "e2";
    std::string s = "s1";
    if (round >= 2) {  // fresh pairs: reuse scenarios with new enterprises
      Enterprise ent;
      ent.id = "race-" + std::to_string(round);
      ent.name = ent.id;
      ASSERT_TRUE(store_->upsert_enterprises({ent}));
      e = ent.id;
    }
    auto m = life_->create(s, e, {Role::kOperator, "ops"}, Stage::kApplied);
    ASSERT_TRUE(m) << m.status().to_string();
    std::atomic<int> ready{0};
    Result<Match> a = Status::internal("not run"), b = Status::internal("not run");
    MoveRequest select;
    select.to = Stage::kSelected;
    std::thread t1([&] {
      ++ready;
      while (ready < 2) {}
      a = life_->move(m->id, publisher(), select);
    });
    std::thread t2([&] {
      ++ready;
      while (ready < 2) {}
      b = other.move(m->id, publisher(), select);
    });
    t1.join();
    t2.join();
    EXPECT_NE(a.is_ok(), b.is_ok()) << "round " << round;
    const Result<Match>& loser = a.is_ok() ? b : a;
    EXPECT_EQ(loser.status().code(), ErrorCode::kConflict);
    EXPECT_NE(loser.status().message().find("stage selected"), std::string::npos) << loser.status().message();
    auto final = life_->get(m->id);
    ASSERT_TRUE(final);
    EXPECT_EQ(final->stage, Stage::kSelected);
    EXPECT_EQ(final->history.size(), 2u);
  }
}

TEST_F(LifecycleTest, ReachingValidationWritesAChangeForTheEnterprise) {
  auto m = life_->create("s1", "e1", enterprise("e1"), Stage::kApplied);
  ASSERT_TRUE(m);
  move_ok(m->id, publisher(), Stage::kSelected);
  move_ok(m->id, publisher(), Stage::kRd);
  int64_t before = *store_->last_seq();
  move_ok(m->id, publisher(), Stage::kValidation);
  auto changes = store_->changes_after(before, 10);
  ASSERT_TRUE(changes);
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ(changes->front().kind, RecordKind::kEnterprise);
  EXPECT_EQ(changes->front().record_id, "e1");
  auto outcomes = store_->match_outcomes("e1", track_record_stages());
  ASSERT_TRUE(outcomes);
  ASSERT_EQ(outcomes->size(), 1u);
  EXPECT_EQ(outcomes->front(), std::make_pair(std::string(kPublisher), Stage::kValidation));
}

TEST_F(LifecycleTest, NoApplicationToAClosedOrExpiredScenarioAndTheFunnelCountsOnlyLegalOnes) {
  // s1 closes, s2's deadline is 2026-01-10 (its last day to apply, China date).
  auto s1 = store_->get_scenario("s1");
  auto s2 = store_->get_scenario("s2");
  ASSERT_TRUE(s1 && s2);
  s1->status = "closed";
  s2->deadline = "2026-01-10";
  std::vector<Scenario> changed{*s1, *s2};
  ASSERT_TRUE(store_->upsert_scenarios(changed));
  // A closed scenario: neither a new application nor recommended → applied.
  auto closed = life_->create("s1", "e1", enterprise("e1"), Stage::kApplied);
  EXPECT_EQ(closed.status().code(), ErrorCode::kConflict);
  EXPECT_NE(closed.status().message().find("scenario s1 is closed"), std::string::npos) << closed.status().message();
  auto invited = life_->create("s2", "e2", publisher("宁波舟山港集团"), Stage::kRecommended);
  ASSERT_TRUE(invited) << invited.status().to_string();
  // Regression (breaking pass, finding 8): no invitation to a closed scenario either, and the
  // operator is held to the rule too (it made applications the funnel counted).
  auto invite_closed = life_->create("s1", "e2", publisher(), Stage::kRecommended);
  EXPECT_EQ(invite_closed.status().code(), ErrorCode::kConflict) << invite_closed.status().to_string();
  EXPECT_NE(invite_closed.status().message().find("takes no invitations"), std::string::npos)
      << invite_closed.status().message();
  for (Stage first : {Stage::kApplied, Stage::kRecommended}) {
    auto by_operator = life_->create("s1", "e4", Actor{Role::kOperator, "ops"}, first);
    EXPECT_EQ(by_operator.status().code(), ErrorCode::kConflict) << stage_name(first);
  }
  // The deadline day itself still takes applications: 2026-01-10 15:59 UTC is 23:59 in Beijing.
  advance_days(9);
  *now_ += hours(15) + std::chrono::minutes(59);
  auto on_time = life_->create("s2", "e1", enterprise("e1"), Stage::kApplied);
  ASSERT_TRUE(on_time) << on_time.status().to_string();
  *now_ += std::chrono::minutes(1);  // 2026-01-11 00:00 in Beijing
  auto late = life_->create("s2", "e3", enterprise("e3"), Stage::kApplied);
  EXPECT_EQ(late.status().code(), ErrorCode::kConflict);
  EXPECT_NE(late.status().message().find("deadline 2026-01-10"), std::string::npos) << late.status().message();
  MoveRequest apply;
  apply.to = Stage::kApplied;
  auto late_move = life_->move(invited->id, enterprise("e2"), apply);
  EXPECT_EQ(late_move.status().code(), ErrorCode::kConflict) << late_move.status().to_string();
  auto operator_move = life_->move(invited->id, Actor{Role::kOperator, "ops"}, apply);
  EXPECT_EQ(operator_move.status().code(), ErrorCode::kConflict) << operator_move.status().to_string();
  auto late_invite = life_->create("s2", "e3", publisher("宁波舟山港集团"), Stage::kRecommended);
  EXPECT_EQ(late_invite.status().code(), ErrorCode::kConflict) << late_invite.status().to_string();
  // The invitation made in time no longer offers `applied` to its enterprise.
  auto after = life_->get(invited->id);
  ASSERT_TRUE(after);
  auto next = life_->allowed_next(*after, Role::kEnterprise);
  ASSERT_TRUE(next) << next.status().to_string();
  EXPECT_EQ(std::count(next->begin(), next->end(), Stage::kApplied), 0);
  EXPECT_EQ(std::count(next->begin(), next->end(), Stage::kWithdrawn), 1);
  // Nothing was written by the refusals: the funnel sees one application and one invitation.
  FunnelQuery q;
  auto funnel = life_->funnel(q);
  ASSERT_TRUE(funnel) << funnel.status().to_string();
  size_t matches = 0, applied = 0;
  for (const FunnelGroup& g : *funnel) matches += g.matches, applied += g.reached[1];
  EXPECT_EQ(matches, 2u);
  EXPECT_EQ(applied, 1u);
  // History recorded as it happened elsewhere (the SBIR import of past awards) is outside the rule.
  auto now = now_;
  Lifecycle history(*store_, [now] { return *now; }, Lifecycle::Recording::kHistory);
  EXPECT_TRUE(history.create("s1", "e4", Actor{Role::kOperator, "import"}, Stage::kApplied));
}

TEST_F(LifecycleTest, FunnelOnKnownEventsGivesExactCountsRatesAndMedians) {
  // Day 0: three applications and one invitation, all for s1.
  auto m1 = life_->create("s1", "e1", enterprise("e1"), Stage::kApplied);
  auto m2 = life_->create("s1", "e2", enterprise("e2"), Stage::kApplied);
  auto m3 = life_->create("s1", "e3", enterprise("e3"), Stage::kApplied);
  auto m4 = life_->create("s1", "e4", publisher(), Stage::kRecommended);
  ASSERT_TRUE(m1 && m2 && m3 && m4);
  advance_days(2);   // day 2
  move_ok(m3->id, publisher(), Stage::kRejected);
  advance_days(3);   // day 5
  move_ok(m2->id, publisher(), Stage::kSelected);
  advance_days(5);   // day 10
  move_ok(m1->id, publisher(), Stage::kSelected);
  advance_days(10);  // day 20
  move_ok(m1->id, enterprise("e1"), Stage::kRd);
  advance_days(5);   // day 25
  move_ok(m2->id, enterprise("e2"), Stage::kRd);
  advance_days(10);  // day 35
  move_ok(m2->id, enterprise("e2"), Stage::kFailed);
  advance_days(15);  // day 50
  move_ok(m1->id, publisher(), Stage::kValidation);
  advance_days(30);  // day 80
  move_ok(m1->id, publisher(), Stage::kCommercialized, 100000000);
  advance_days(20);  // day 100: now

  FunnelQuery q;
  q.group_by = "publisher";
  auto funnel = life_->funnel(q);
  ASSERT_TRUE(funnel) << funnel.status().to_string();
  ASSERT_EQ(funnel->size(), 1u);
  const FunnelGroup& g = funnel->front();
  EXPECT_EQ(g.key, kPublisher);
  EXPECT_EQ(g.matches, 4u);
  std::array<size_t, 6> reached = {4, 3, 2, 2, 1, 1};
  EXPECT_EQ(g.reached, reached);
  ASSERT_TRUE(g.conversion[0] && g.conversion[1] && g.conversion[2] && g.conversion[3] && g.conversion[4]);
  EXPECT_DOUBLE_EQ(*g.conversion[0], 0.75);
  EXPECT_DOUBLE_EQ(*g.conversion[1], 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*g.conversion[2], 1.0);
  EXPECT_DOUBLE_EQ(*g.conversion[3], 0.5);
  EXPECT_DOUBLE_EQ(*g.conversion[4], 1.0);
  EXPECT_FALSE(g.median_days[0].has_value());  // the invitation is still open
  EXPECT_DOUBLE_EQ(*g.median_days[1], 5.0);    // applied: 10, 5, 2 days
  EXPECT_DOUBLE_EQ(*g.median_days[2], 15.0);   // selected: 10, 20
  EXPECT_DOUBLE_EQ(*g.median_days[3], 20.0);   // rd: 30, 10
  EXPECT_DOUBLE_EQ(*g.median_days[4], 30.0);   // validation: 30
  EXPECT_FALSE(g.median_days[5].has_value());
  EXPECT_EQ(g.rejected, 1u);
  EXPECT_EQ(g.failed, 1u);
  EXPECT_EQ(g.withdrawn, 0u);
  ASSERT_EQ(g.contract_value_minor.size(), 1u);
  EXPECT_EQ(g.contract_value_minor.at("CNY"), 100000000);
  ASSERT_EQ(g.stalled.size(), 1u);
  EXPECT_EQ(g.stalled[0].match_id, m4->id);
  EXPECT_EQ(g.stalled[0].stage, Stage::kRecommended);
  EXPECT_DOUBLE_EQ(g.stalled[0].days, 100.0);

  q.group_by = "region";
  auto by_region = life_->funnel(q);
  ASSERT_TRUE(by_region);
  ASSERT_EQ(by_region->size(), 1u);
  EXPECT_EQ(by_region->front().key, "330106");
  q.group_by = "colour";
  EXPECT_EQ(life_->funnel(q).status().code(), ErrorCode::kInvalidArgument);
  q.group_by = "";
  q.from = "2026-02-01";  // every match was created on 2026-01-01
  auto none = life_->funnel(q);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

// The funnel's from/to are Beijing calendar days (Asia/Shanghai, UTC+8), as the pages show the
// times: 2026-12-07 runs from 2026-12-06T16:00:00Z to 2026-12-07T15:59:59Z.
TEST_F(LifecycleTest, FunnelDatesAreBeijingDays) {
  using namespace std::chrono;
  auto at = [](int d, int h, int mi = 0, int s = 0) {
    return system_clock::time_point(sys_days{2026y / 12 / d} + hours(h) + minutes(mi) + seconds(s));
  };
  struct Made {
    const char* enterprise;
    system_clock::time_point when;
  };
  // 2026-12-06 23:59:59 and 2026-12-07 00:00 Beijing; 2026-12-07 20:00 and 2026-12-08 01:00 Beijing.
  for (Made m : {Made{"e1", at(6, 15, 59, 59)}, Made{"e2", at(6, 16)}, Made{"e3", at(7, 12)}, Made{"e4", at(7, 17)}}) {
    *now_ = m.when;
    ASSERT_TRUE(life_->create("s1", m.enterprise, enterprise(m.enterprise), Stage::kApplied));
  }
  auto count = [&](const std::string& from, const std::string& to) -> size_t {
    FunnelQuery q;
    q.from = from;
    q.to = to;
    auto funnel = life_->funnel(q);
    EXPECT_TRUE(funnel) << funnel.status().to_string();
    return funnel && !funnel->empty() ? funnel->front().matches : 0;
  };
  EXPECT_EQ(count("2026-12-07", "2026-12-07"), 2u);  // 00:00 and 20:00 Beijing, not 01:00 the next day
  EXPECT_EQ(count("", "2026-12-07"), 3u);
  EXPECT_EQ(count("2026-12-08", ""), 1u);            // 2026-12-07T17:00:00Z is the 8th in Beijing
  EXPECT_EQ(count("", "2026-12-06"), 1u);            // only 23:59:59 on the 6th
  EXPECT_EQ(count("2026-12-06", "2026-12-08"), 4u);
  EXPECT_EQ(count("2026-12-09", ""), 0u);
}

TEST_F(LifecycleTest, FunnelPerScenarioOfOnePublisherCountsOnlyItsOwnMatches) {
  auto a = life_->create("s1", "e1", enterprise("e1"), Stage::kApplied);
  auto b = life_->create("s1", "e2", enterprise("e2"), Stage::kApplied);
  auto c = life_->create("s2", "e3", enterprise("e3"), Stage::kApplied);  // another publisher's scenario
  ASSERT_TRUE(a && b && c);
  move_ok(a->id, publisher(), Stage::kSelected);
  move_ok(b->id, enterprise("e2"), Stage::kWithdrawn);

  FunnelQuery q;
  q.group_by = "scenario";
  auto all = life_->funnel(q);
  ASSERT_TRUE(all) << all.status().to_string();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].key, "s1");
  EXPECT_EQ((*all)[1].key, "s2");

  q.publisher = kPublisher;
  auto own = life_->funnel(q);
  ASSERT_TRUE(own) << own.status().to_string();
  ASSERT_EQ(own->size(), 1u) << "only the publisher's own scenarios";
  const FunnelGroup& g = own->front();
  EXPECT_EQ(g.key, "s1");
  EXPECT_EQ(g.matches, 2u);
  std::array<size_t, 6> reached = {2, 2, 1, 0, 0, 0};
  EXPECT_EQ(g.reached, reached);
  EXPECT_EQ(g.withdrawn, 1u);

  q.publisher = "没有场景的单位";
  auto none = life_->funnel(q);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace jiebang
