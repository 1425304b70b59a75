// The transition table, exhaustively: every (from, role, to) is allowed or refused as the rule says.
#include <set>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "jiebang/lifecycle/lifecycle.h"

namespace jiebang {
namespace {

// The rule written out by hand, independently of the implementation's table: "from>to" pairs
// each non-operator role may make.
const std::set<std::string> kPublisherMoves = {
    "applied>selected",   "selected>rd",      "rd>validation",     "validation>commercialized", "applied>rejected",
    "rd>failed",          "validation>failed", "recommended>withdrawn", "applied>withdrawn", "selected>withdrawn",
    "rd>withdrawn",       "validation>withdrawn"};
const std::set<std::string> kEnterpriseMoves = {
    "recommended>applied", "selected>rd",       "rd>failed",         "recommended>withdrawn", "applied>withdrawn",
    "selected>withdrawn",  "rd>withdrawn",      "validation>withdrawn"};

std::string key(Stage from, Stage to) { return std::string(stage_name(from)) + ">" + std::string(stage_name(to)); }

TEST(TransitionTable, EveryStageRoleTargetCombinationFollowsTheRule) {
  size_t checked = 0, allowed = 0;
  for (Stage from : kAllStages)
    for (Stage to : kAllStages)
      for (Role role : {Role::kPublisher, Role::kEnterprise, Role::kOperator}) {
        bool expected = false;
        switch (role) {
          case Role::kPublisher: expected = kPublisherMoves.count(key(from, to)) > 0; break;
          case Role::kEnterprise: expected = kEnterpriseMoves.count(key(from, to)) > 0; break;
          case Role::kOperator: expected = from != to; break;  // every move, the others as corrections
        }
        EXPECT_EQ(transition_allowed(from, to, role), expected)
            << stage_name(from) << " → " << stage_name(to) << " by " << role_name(role);
        ++checked;
        allowed += expected ? 1 : 0;
      }
  EXPECT_EQ(checked, 9u * 9u * 3u);
  EXPECT_EQ(allowed, kPublisherMoves.size() + kEnterpriseMoves.size() + 9u * 8u);
}

TEST(TransitionTable, OperatorMovesOutsideTheNormalRuleAreCorrections) {
  for (Stage from : kAllStages)
    for (Stage to : kAllStages) {
      if (from == to) continue;
      bool normal = kPublisherMoves.count(key(from, to)) || kEnterpriseMoves.count(key(from, to));
      EXPECT_EQ(is_correction(from, to), !normal) << key(from, to);
    }
}

TEST(TransitionTable, NoForwardStageIsSkipped) {
  for (size_t i = 0; i < kForwardStages.size(); ++i)
    for (size_t j = i + 2; j < kForwardStages.size(); ++j)
      for (Role role : {Role::kPublisher, Role::kEnterprise})
        EXPECT_FALSE(transition_allowed(kForwardStages[i], kForwardStages[j], role))
            << key(kForwardStages[i], kForwardStages[j]);
}

TEST(TransitionTable, TerminalStagesHaveNoNormalMoves) {
  for (Stage s : {Stage::kCommercialized, Stage::kWithdrawn, Stage::kRejected, Stage::kFailed}) {
    EXPECT_TRUE(is_terminal(s));
    for (Role role : {Role::kPublisher, Role::kEnterprise, Role::kOperator}) EXPECT_TRUE(allowed_next(s, role).empty());
  }
}

TEST(TransitionTable, AllowedNextListsExactlyTheAllowedMoves) {
  for (Stage from : kAllStages)
    for (Role role : {Role::kPublisher, Role::kEnterprise}) {
      std::set<Stage> listed;
      for (Stage s : allowed_next(from, role)) listed.insert(s);
      for (Stage to : kAllStages) EXPECT_EQ(listed.count(to) > 0, transition_allowed(from, to, role)) << key(from, to);
    }
}

TEST(StageNames, RoundTrip) {
  for (Stage s : kAllStages) EXPECT_EQ(parse_stage(stage_name(s)), s);
  EXPECT_FALSE(parse_stage("validated").has_value());
  for (Role r : {Role::kPublisher, Role::kEnterprise, Role::kOperator}) EXPECT_EQ(parse_role(role_name(r)), r);
}

TEST(IsoTime, ParsesAndFormats) {
  auto t = parse_iso_time("2026-11-29T08:05:09Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_iso_time(*t), "2026-11-29T08:05:09Z");
  EXPECT_TRUE(parse_iso_time("2024-02-29"));
  EXPECT_FALSE(parse_iso_time("2023-02-29"));
  EXPECT_FALSE(parse_iso_time("yesterday"));
}

}  // namespace
}  // namespace jiebang
