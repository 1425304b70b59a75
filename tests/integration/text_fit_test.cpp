// Chinese words in explanations, the absolute text fit, and supply gaps, on the fixtures (real
// SQLite store and Xapian index in a temporary directory; jieba's data from python3-jieba).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "jiebang/index/ranking.h"
#include "jiebang/service/service.h"
#include "jiebang/text/word_segmenter.h"
#include "test_util.h"

namespace jiebang {
namespace {

using nlohmann::json;
using testing::TempDir;

// Two open scenarios no fixture enterprise works on (termite control in old timber buildings;
// on-board grading and freezing of an ocean squid catch).
constexpr const char* kUnservedScenarios =
    R"({"id":"gap-001","title":"古建筑木构件白蚁防治与虫害监测","description":"历史文化街区古建筑木结构白蚁蛀蚀的无损探测、诱杀与长期虫情监测。","publisher":"杭州市园林文物局","region":"330102","industries":["M7520"],"deadline":"2099-12-31","status":"open"}
{"id":"gap-002","title":"远洋渔船渔获物船上分级与冷冻加工","description":"远洋鱿钓渔船渔获物船上自动分级、速冻与包装设备。","publisher":"舟山市海洋与渔业局","region":"330900","industries":["A0411"],"deadline":"2099-12-31","status":"open"}
)";

class TextFitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServiceConfig c;
    c.data_dir = tmp_.file("data");
    c.index_dir = testing::index_dir();
    c.clock = testing::fixtures_clock();
    auto svc = Service::open(std::move(c));
    ASSERT_TRUE(svc) << svc.status().to_string();
    svc_ = std::move(*svc);
    ASSERT_TRUE(svc_->import_file(RecordKind::kEnterprise, testing::fixture("enterprises.jsonl")));
    ASSERT_TRUE(svc_->import_file(RecordKind::kScenario, testing::fixture("scenarios.jsonl")));
  }
  void add_unserved() {
    std::ofstream(tmp_.file("unserved.jsonl")) << kUnservedScenarios;
    ASSERT_TRUE(svc_->import_file(RecordKind::kScenario, tmp_.file("unserved.jsonl")));
  }
  double best_fit(const std::string& scenario) {
    auto r = svc_->match_scenario(scenario, 10);
    EXPECT_TRUE(r) << scenario;
    double best = 0;
    if (r)
      for (const auto& m : *r) best = std::max(best, m.text_fit);
    return best;
  }
  TempDir tmp_;
  std::unique_ptr<Service> svc_;
};

bool latin_word(const std::string& t) {
  return !t.empty() && std::all_of(t.begin(), t.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '/';
  });
}

// Issue 14: explanations listed character pairs such as 器人 and 式智.
TEST_F(TextFitTest, EveryMatchedTermOfEveryFixtureMatchIsAWord) {
  auto words = text::WordSegmenter::for_index_dir(testing::index_dir());
  ASSERT_TRUE(words);
  size_t checked = 0;
  for (const auto& s : testing::read_jsonl(testing::fixture("scenarios.jsonl"))) {
    auto r = svc_->match_scenario(s["id"].get<std::string>(), 10);
    ASSERT_TRUE(r);
    for (const auto& m : *r)
      for (const auto& t : m.matched_terms) {
        ++checked;
        EXPECT_TRUE((*words)->is_word(t) || latin_word(t)) << s["id"] << " / " << m.id << ": " << t;
      }
  }
  EXPECT_GT(checked, 1000u);
  // The README's example: whole words, the domain word 局部放电 among them, no fragments.
  auto r = svc_->match_scenario("hz-2026-03-001", 1);
  ASSERT_TRUE(r);
  ASSERT_FALSE(r->empty());
  std::set<std::string> terms(r->front().matched_terms.begin(), r->front().matched_terms.end());
  EXPECT_TRUE(terms.count("局部放电"));
  EXPECT_TRUE(terms.count("巡检机器人"));
  for (const char* fragment : {"器人", "式智", "护等", "机器"}) EXPECT_FALSE(terms.count(fragment)) << fragment;
}

// Issue 14: "文本相关度 1.00" for the first result of every scenario, however weak.
TEST_F(TextFitTest, AbsoluteFitPutsNoOneFitsBelowSomeoneFits) {
  add_unserved();
  const double served = best_fit("hz-2026-03-001"), unserved = best_fit("gap-001"), unserved2 = best_fit("gap-002");
  EXPECT_GT(served, 0.5);
  EXPECT_LE(served, 1.0);
  EXPECT_LT(unserved, 0.4);
  EXPECT_LT(unserved2, 0.4);
  EXPECT_LT(unserved, served);
  // The reason states the absolute fit, so the weak scenario's first result does not read 1.00.
  auto weak = svc_->match_scenario("gap-001", 1);
  ASSERT_TRUE(weak);
  ASSERT_FALSE(weak->empty());
  EXPECT_EQ(weak->front().reason.rfind("文本契合度 0.", 0), 0u) << weak->front().reason;
  EXPECT_DOUBLE_EQ(weak->front().components.front().fit, 1.0);  // the relative fit still ranks
}

TEST_F(TextFitTest, SupplyGapsListTheUnservedScenariosByIndustryAndCity) {
  auto none = svc_->supply_gaps();
  ASSERT_TRUE(none);
  EXPECT_EQ(none->gaps, 0u) << supply_gaps_json(*none).dump();  // every fixture scenario has a fitting firm
  EXPECT_GT(none->open_scenarios, 30u);
  add_unserved();
  auto gaps = svc_->supply_gaps();
  ASSERT_TRUE(gaps);
  EXPECT_DOUBLE_EQ(gaps->threshold, 0.4);
  ASSERT_EQ(gaps->gaps, 2u) << supply_gaps_json(*gaps).dump();
  ASSERT_EQ(gaps->groups.size(), 2u);
  std::map<std::string, const SupplyGapGroup*> by_industry;
  for (const auto& g : gaps->groups) by_industry[g.industry] = &g;
  ASSERT_TRUE(by_industry.count("A04"));
  EXPECT_EQ(by_industry["A04"]->industry_name, "渔业");
  EXPECT_EQ(by_industry["A04"]->region, "330900");
  EXPECT_EQ(by_industry["A04"]->region_name, "舟山市");
  ASSERT_EQ(by_industry["A04"]->scenarios.size(), 1u);
  EXPECT_EQ(by_industry["A04"]->scenarios[0].scenario_id, "gap-002");
  ASSERT_TRUE(by_industry.count("M75"));
  EXPECT_EQ(by_industry["M75"]->region, "330100");
  EXPECT_EQ(by_industry["M75"]->scenarios.at(0).scenario_id, "gap-001");
  EXPECT_LT(by_industry["M75"]->scenarios[0].best_text_fit, 0.4);
  // Every scenario is a gap at a threshold of 1 (no candidate says exactly what it asks).
  auto all = svc_->supply_gaps(1.0);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->gaps, all->open_scenarios);
}

TEST(GapsCommand, FixturesWithKnownAnswers) {
  TempDir dir;
  std::string data = dir.file("data");
  auto run = [&](std::vector<std::string> args) {
    std::vector<std::string> all = {"--data-dir", data, "--index-dir", testing::index_dir(), "--create"};
    all.insert(all.end(), args.begin(), args.end());
    return testing::run_cli(dir, all);
  };
  std::ofstream(dir.file("unserved.jsonl")) << kUnservedScenarios;
  ASSERT_EQ(run({"import", "enterprises", testing::fixture("enterprises.jsonl")}).exit_code, 0);
  ASSERT_EQ(run({"import", "scenarios", testing::fixture("scenarios.jsonl")}).exit_code, 0);
  ASSERT_EQ(run({"import", "scenarios", dir.file("unserved.jsonl")}).exit_code, 0);
  auto r = run({"gaps", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["gaps"], 2);
  std::set<std::string> ids;
  for (const auto& g : j["groups"])
    for (const auto& s : g["scenarios"]) ids.insert(s["id"].get<std::string>());
  EXPECT_EQ(ids, (std::set<std::string>{"gap-001", "gap-002"}));
  auto text = run({"gaps"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("A04 渔业 / 330900 舟山市"), std::string::npos) << text.out;
  EXPECT_NE(run({"gaps", "--threshold", "2"}).exit_code, 0);
}

// Issue 14: in a marketplace of 30 records (fixtures/small-marketplace) a profile saying little
// more than "智能" sat in the top 3 of most scenarios: the scenarios all say 智能, few profiles
// do, so the profiles' own IDF takes it for a specific word. With the other side's records as a
// prior on document frequencies (RankingConfig::other_side_docs, the marketplace IDF, 70 by
// default) it ranks below every profile judged relevant, and in no scenario's top 3. The default
// configuration (index/ranking.json, as every command loads it) is what is tested; without the
// prior (0) the failure is reproduced, so the fixture keeps testing what it was written for.
TEST(SmallMarketplace, GenericProfileDoesNotOutrankSpecificOnes) {
  const std::string kGeneric = "jx-ent-00";
  auto qrels = testing::fixture_qrels("small-marketplace/qrels.tsv");
  ASSERT_EQ(qrels.size(), 10u);
  // other_side_docs: null = the default configuration, else index/ranking.json with μ replaced.
  auto generic_in_top3 = [&](std::optional<double> other_side_docs) {
    TempDir tmp;
    ServiceConfig c;
    c.data_dir = tmp.file("data");
    c.index_dir = testing::index_dir();
    if (other_side_docs) {
      json weights = json::parse(testing::read_file(testing::index_dir() + "/ranking.json"));
      weights["other_side_docs"] = *other_side_docs;
      std::ofstream(tmp.file("weights.json")) << weights.dump();
      c.weights_path = tmp.file("weights.json");
    }
    c.clock = testing::fixtures_clock();
    auto svc = Service::open(std::move(c));
    EXPECT_TRUE(svc) << svc.status().to_string();
    if (!svc) return -1;
    EXPECT_TRUE((*svc)->import_file(RecordKind::kEnterprise, testing::fixture("small-marketplace/enterprises.jsonl")));
    EXPECT_TRUE((*svc)->import_file(RecordKind::kScenario, testing::fixture("small-marketplace/scenarios.jsonl")));
    int top3 = 0;
    for (const auto& [scenario, judged] : qrels) {
      auto r = (*svc)->match_scenario(scenario, 20);
      EXPECT_TRUE(r) << scenario;
      if (!r) continue;
      std::vector<std::string> ids;
      for (const auto& m : *r) ids.push_back(m.id);
      auto rank = [&](const std::string& id) {
        return static_cast<size_t>(std::find(ids.begin(), ids.end(), id) - ids.begin());
      };
      if (rank(kGeneric) < 3) ++top3;
      if (other_side_docs && *other_side_docs == 0) continue;
      for (const auto& [enterprise, rel] : judged) {
        EXPECT_LT(rank(enterprise), ids.size()) << scenario << ": " << enterprise << " not found";
        EXPECT_LT(rank(enterprise), rank(kGeneric)) << scenario << ": the generic profile outranks " << enterprise;
      }
    }
    return top3;
  };
  EXPECT_GT(RankingConfig{}.other_side_docs, 0) << "the marketplace IDF is on by default";
  EXPECT_EQ(generic_in_top3(std::nullopt), 0);
  EXPECT_GE(generic_in_top3(0.0), 3) << "the fixture no longer shows the failure the prior fixes";
}

}  // namespace
}  // namespace jiebang
