// Chinese text end to end: normalisation, n-grams + words, mixed queries, phrases, synonyms, snippets.
#include <algorithm>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "jiebang/core/records.h"
#include "jiebang/service/service.h"
#include "test_util.h"

namespace jiebang {
namespace {

using nlohmann::json;
using testing::TempDir;

/// A small scenario set with one scenario per text phenomenon; every test searches it.
class ChineseSearch : public ::testing::Test {
 protected:
  void SetUp() override {
    ServiceConfig cfg;
    cfg.data_dir = dir_.file("data");
    cfg.index_dir = testing::index_dir();
    cfg.clock = testing::fixtures_clock();
    auto svc = Service::open(cfg);
    ASSERT_TRUE(svc) << svc.status().to_string();
    svc_ = std::move(*svc);
    std::vector<json> records = {
        {{"id", "simplified"}, {"title", "电力隧道巡检机器人应用"}, {"description", "需要在潮湿密闭的电缆隧道中自主巡检的机器人，检测局部放电。"}},
        {{"id", "traditional"}, {"title", "醫院影像輔助診斷系統"}, {"description", "為區級醫院提供肺結節影像輔助診斷。"}},
        {{"id", "fullwidth"}, {"title", "变电站AI巡检"}, {"description", "基于5G回传的AI巡检方案，识别表计读数。"}},
        {{"id", "pinyin"}, {"title", "场(chǎng)景(jǐng)创(chuàng)新(xīn)示范"}, {"description", "推动场(chǎng)景(jǐng)创(chuàng)新(xīn)在基层落地。"}},
        {{"id", "bank"}, {"title", "中国农业发展银行信贷风控"}, {"description", "面向涉农贷款的智能风控模型。"}},
        {{"id", "butterfly"}, {"title", "蝴蝶兰温室环境调控"}, {"description", "花卉温室的温湿度智能控制。"}},
        {{"id", "scattered"}, {"title", "务农青年业余培训"}, {"description", "为务农青年提供业余技能课程。"}},
        {{"id", "mixed"}, {"title", "AI 智慧城市 platform 建设"}, {"description", "An AI platform for the 智慧城市 city brain: 数据汇聚与事件处置。"}},
        {{"id", "english"}, {"title", "Drone inspection of river embankments"}, {"description", "Unmanned aerial vehicles survey embankments after floods; H200 GPUs; follows GB/T 2260 region codes."}},
        {{"id", "vision"}, {"title", "产线机器视觉缺陷检测"}, {"description", "在注塑产线上用机器视觉识别划痕和缺料 <script>alert(1)</script>。"}},
    };
    std::ostringstream jsonl;
    for (auto& r : records) {
      r["publisher"] = "测试发榜单位";
      jsonl << r.dump() << "\n";
    }
    std::istringstream in(jsonl.str());
    auto report = svc_->import_stream(RecordKind::kScenario, in, FileFormat::kJsonLines);
    ASSERT_TRUE(report) << report.status().to_string();
    ASSERT_EQ(report->rejected, 0u);
    ASSERT_EQ(report->inserted, records.size());
  }

  std::vector<SearchHit> search(const std::string& q, size_t limit = 10) {
    auto hits = svc_->search(q, SearchFilters{}, limit);
    EXPECT_TRUE(hits) << hits.status().to_string();
    return hits ? *hits : std::vector<SearchHit>{};
  }
  static std::vector<std::string> ids(const std::vector<SearchHit>& hits) {
    std::vector<std::string> out;
    for (const auto& h : hits) out.push_back(h.id);
    return out;
  }
  static bool contains(const std::vector<SearchHit>& hits, const std::string& id) {
    auto v = ids(hits);
    return std::find(v.begin(), v.end(), id) != v.end();
  }

  TempDir dir_;
  std::unique_ptr<Service> svc_;
};

TEST_F(ChineseSearch, TraditionalQueryFindsSimplifiedScenario) {
  auto hits = search("電力隧道機器人");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits.front().id, "simplified");
}

TEST_F(ChineseSearch, SimplifiedQueryFindsTraditionalScenario) {
  auto hits = search("医院影像辅助诊断");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits.front().id, "traditional");
}

TEST_F(ChineseSearch, FullWidthQueryFindsHalfWidthText) {
  auto hits = search("ＡＩ巡检");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits.front().id, "fullwidth");
}

TEST_F(ChineseSearch, ShortQueryPrefersTheScenarioWhoseTitleCarriesIt) {
  // One scenario is about a patrol robot; the other names it three times among its subsystems.
  std::vector<json> records = {
      {{"id", "patrol-title"}, {"title", "园区安防巡逻机器人"}, {"description", "为产业园区提供夜间安防服务，覆盖主要道路、仓库和停车场。"}},
      {{"id", "patrol-passing"},
       {"title", "智慧园区综合管理平台"},
       {"description", "整合门禁、停车、能耗和巡逻机器人等子系统：巡逻机器人的告警接入事件中心，"
                       "巡逻机器人的轨迹在一张图上显示。"}},
  };
  std::string jsonl;
  for (auto& r : records) {
    r["publisher"] = "测试发榜单位";
    jsonl += r.dump() + "\n";
  }
  std::istringstream in(jsonl);
  auto report = svc_->import_stream(RecordKind::kScenario, in, FileFormat::kJsonLines);
  ASSERT_TRUE(report) << report.status().to_string();
  ASSERT_EQ(report->inserted, 2u);
  // Two words, the first in traditional characters (巡邏 = 巡逻), the second simplified; and quoted.
  for (const char* q : {"巡邏 机器人", "巡逻机器人", "\"巡邏機器人\"", "园区 巡逻"}) {
    auto v = ids(search(q));
    auto title = std::find(v.begin(), v.end(), "patrol-title");
    auto passing = std::find(v.begin(), v.end(), "patrol-passing");
    ASSERT_NE(title, v.end()) << q;
    ASSERT_NE(passing, v.end()) << q;
    EXPECT_EQ(title, v.begin()) << q;
    EXPECT_LT(title - v.begin(), passing - v.begin()) << q;
  }
}

TEST_F(ChineseSearch, QuotedPhraseMatchesAcrossRemovedPinyinAnnotations) {
  // As published lists print them: an annotation of two syllables, and one set off by spaces.
  json record = {{"id", "annotated"},
                 {"publisher", "测试发榜单位"},
                 {"title", "综合管廊巡检(xún jiǎn)机器人试点"},
                 {"description", "在城市综合管廊中部署轨道式巡检 (xún jiǎn) 机器人，推动场 (chǎng) 景化运维。"}};
  std::istringstream in(record.dump() + "\n");
  auto report = svc_->import_stream(RecordKind::kScenario, in, FileFormat::kJsonLines);
  ASSERT_TRUE(report) << report.status().to_string();
  ASSERT_EQ(report->inserted, 1u);
  EXPECT_TRUE(contains(search("\"巡检机器人\""), "annotated"));
  EXPECT_TRUE(contains(search("\"轨道式巡检机器人\""), "annotated"));
  EXPECT_TRUE(contains(search("“场景化运维”"), "annotated"));
  EXPECT_FALSE(contains(search("\"机器人巡检\""), "annotated"));  // still in order
  auto hits = search("\"综合管廊巡检机器人\"");
  ASSERT_EQ(ids(hits), std::vector<std::string>{"annotated"});
  EXPECT_EQ(hits.front().snippet.find("xún"), std::string::npos) << hits.front().snippet;
}

TEST_F(ChineseSearch, PinyinAnnotatedTextIsFoundByCleanWordsWithCleanSnippet) {
  auto hits = search("场景创新");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits.front().id, "pinyin");
  EXPECT_EQ(hits.front().snippet.find("chǎng"), std::string::npos) << hits.front().snippet;
  EXPECT_NE(hits.front().snippet.find("<b>场景创新</b>"), std::string::npos) << hits.front().snippet;
}

TEST_F(ChineseSearch, TwoCharacterWordFindsItInsideLongerName) {
  auto hits = search("农业");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits.front().id, "bank");
}

TEST_F(ChineseSearch, SingleCharacterFindsWordContainingIt) {
  EXPECT_TRUE(contains(search("蝶"), "butterfly"));
}

TEST_F(ChineseSearch, WholeWordRanksAboveScatteredCharacters) {
  // "scattered" has 农 and 业 but never side by side; "bank" has the word 农业.
  auto v = ids(search("农业"));
  auto bank = std::find(v.begin(), v.end(), "bank");
  auto scattered = std::find(v.begin(), v.end(), "scattered");
  ASSERT_NE(bank, v.end());
  ASSERT_NE(scattered, v.end());
  EXPECT_LT(bank - v.begin(), scattered - v.begin());
}

TEST_F(ChineseSearch, MixedLanguageQueriesInAnyOrderFindTheirScenarioFirst) {
  // "AI 智慧城市 platform" is the shape Xapian 1.4.22's QueryParser fails to parse.
  for (const char* q : {"AI 智慧城市 platform", "platform 智慧城市", "智慧城市 AI"}) {
    auto hits = search(q);
    ASSERT_FALSE(hits.empty()) << q;
    EXPECT_EQ(hits.front().id, "mixed") << q;
  }
  auto hits = search("基于5G的AI巡检");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits.front().id, "fullwidth");
}

TEST_F(ChineseSearch, QuotedPhraseRespectsWordOrder) {
  EXPECT_TRUE(contains(search("\"巡检机器人\""), "simplified"));
  EXPECT_FALSE(contains(search("\"机器人巡检\""), "simplified"));
  EXPECT_TRUE(search("“机器人巡检”").empty());
}

TEST_F(ChineseSearch, UnquotedQueryPrefersAllWordsButToleratesAMissingOne) {
  auto hits = search("巡检 机器人 量子");  // nothing has 量子
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits.front().id, "simplified");
  // With all words present, the scenario holding all of them comes before ones holding a part.
  auto both = search("巡检 表计");
  ASSERT_FALSE(both.empty());
  EXPECT_EQ(both.front().id, "fullwidth");
}

TEST_F(ChineseSearch, SynonymsBridgeChineseAndEnglish) {
  EXPECT_EQ(search("inspection robot").front().id, "simplified");
  EXPECT_TRUE(contains(search("无人机"), "english"));
  EXPECT_TRUE(contains(search("machine vision"), "vision"));
}

// Issue 14: a matched English word is shown as the query's (or the scenario's) word, not as its
// stem ("embank") nor as the title field's stem ("Sembank").
TEST_F(ChineseSearch, MatchedEnglishWordsAreShownAsWrittenNotAsStems) {
  auto hits = search("Embankment inspections");
  ASSERT_FALSE(hits.empty());
  ASSERT_EQ(hits.front().id, "english");
  std::set<std::string> shown(hits.front().matched_terms.begin(), hits.front().matched_terms.end());
  EXPECT_EQ(shown, (std::set<std::string>{"embankment", "inspections"}));
  // Stems the query does not spell (its synonyms' "drone", "vehicle") are spelled as the scenario does.
  const std::set<std::string> scenario_words = {"drone", "inspection", "of", "river", "embankments", "unmanned",
                                                "aerial", "vehicles", "survey", "after", "floods"};
  hits = search("无人机");
  ASSERT_TRUE(contains(hits, "english"));
  for (const auto& h : hits)
    if (h.id == "english") {
      EXPECT_FALSE(h.matched_terms.empty());
      for (const auto& t : h.matched_terms)
        EXPECT_TRUE(static_cast<unsigned char>(t[0]) >= 0x80 || scenario_words.count(t)) << t;
      EXPECT_TRUE(std::count(h.matched_terms.begin(), h.matched_terms.end(), "drone"));
    }
}

// Issue 14: the bilingual glossary of index/synonyms.txt bridges a Chinese scenario and an
// English-only profile (and an English scenario and a Chinese-only profile): the profile sharing
// the scenario's concept in the other language ranks first, above a profile in the scenario's
// other language that shares none. No word is shared across the languages but through the glossary.
TEST(BilingualGlossary, ChineseScenarioFindsEnglishProfileAndTheReverse) {
  TempDir dir;
  ServiceConfig cfg;
  cfg.data_dir = dir.file("data");
  cfg.index_dir = testing::index_dir();
  cfg.clock = testing::fixtures_clock();
  auto svc = Service::open(cfg);
  ASSERT_TRUE(svc) << svc.status().to_string();
  auto import = [&](RecordKind kind, const std::vector<json>& records) {
    std::ostringstream jsonl;
    for (const auto& r : records) jsonl << r.dump() << "\n";
    std::istringstream in(jsonl.str());
    auto report = (*svc)->import_stream(kind, in, FileFormat::kJsonLines);
    ASSERT_TRUE(report) << report.status().to_string();
    ASSERT_EQ(report->rejected, 0u);
  };
  import(RecordKind::kScenario,
         {{{"id", "zh-pd"}, {"publisher", "国网杭州供电公司"}, {"title", "变电站局部放电在线检测"},
           {"description", "对变电站开关柜开展局部放电在线检测。"}},
          {{"id", "en-bess"}, {"publisher", "Shenzhen Energy Bureau"}, {"title", "Thermal runaway early warning for energy storage"},
           {"description", "Warn of thermal runaway in lithium-ion battery energy storage stations before a fire starts."}}});
  import(RecordKind::kEnterprise,
         {{{"id", "en-pd"}, {"name", "Sparkwatch Instruments Ltd."},
           {"description", "Partial discharge sensors and analytics for substations and switchgear."}},
          {{"id", "en-other"}, {"name", "Kitchen Ledger Ltd."}, {"description", "Accounting software for restaurants and cafes."}},
          {{"id", "zh-bess"}, {"name", "杭州储安科技有限公司"}, {"description", "储能系统电池热失控预警，监测锂离子电池温度与气体。"}},
          {{"id", "zh-other"}, {"name", "杭州食账软件有限公司"}, {"description", "面向餐饮门店的记账与收银软件。"}}});
  auto rank_of = [](const std::vector<MatchResult>& r, const std::string& id) {
    for (size_t i = 0; i < r.size(); ++i)
      if (r[i].id == id) return i;
    return r.size();  // not ranked: after every ranked one
  };
  auto zh = (*svc)->match_scenario("zh-pd", 10);
  ASSERT_TRUE(zh) << zh.status().to_string();
  ASSERT_FALSE(zh->empty());
  EXPECT_EQ(zh->front().id, "en-pd") << zh->front().reason;
  EXPECT_LT(rank_of(*zh, "en-pd"), rank_of(*zh, "en-other"));
  std::set<std::string> words(zh->front().matched_terms.begin(), zh->front().matched_terms.end());
  std::string shown;
  for (const auto& w : words) shown += w + " ";
  // The glossary's English words, spelled as its lines write them.
  EXPECT_TRUE(words.count("substation") && words.count("discharge")) << shown;
  auto en = (*svc)->match_scenario("en-bess", 10);
  ASSERT_TRUE(en) << en.status().to_string();
  ASSERT_FALSE(en->empty());
  EXPECT_EQ(en->front().id, "zh-bess") << en->front().reason;
  EXPECT_LT(rank_of(*en, "zh-bess"), rank_of(*en, "zh-other"));
  // The other way round: each English-only (Chinese-only) profile finds the scenario of its concept.
  auto for_en = (*svc)->match_enterprise("en-pd", 10);
  ASSERT_TRUE(for_en) << for_en.status().to_string();
  ASSERT_FALSE(for_en->empty());
  EXPECT_EQ(for_en->front().id, "zh-pd");
  auto for_zh = (*svc)->match_enterprise("zh-bess", 10);
  ASSERT_TRUE(for_zh) << for_zh.status().to_string();
  ASSERT_FALSE(for_zh->empty());
  EXPECT_EQ(for_zh->front().id, "en-bess");
}

TEST_F(ChineseSearch, NumbersAndModelNamesAreSearchable) {
  EXPECT_TRUE(contains(search("H200"), "english"));
  EXPECT_TRUE(contains(search("GB/T 2260"), "english"));
  EXPECT_TRUE(contains(search("5G"), "fullwidth"));
}

TEST_F(ChineseSearch, SnippetHighlightsWholeRunsAndEscapesHtml) {
  auto hits = search("机器视觉");
  ASSERT_FALSE(hits.empty());
  ASSERT_EQ(hits.front().id, "vision");
  const std::string& s = hits.front().snippet;
  EXPECT_NE(s.find("<b>机器视觉</b>"), std::string::npos) << s;
  EXPECT_EQ(s.find("<b>机</b>"), std::string::npos) << s;
  EXPECT_EQ(s.find("<script>"), std::string::npos) << s;
  EXPECT_NE(s.find("&lt;script&gt;"), std::string::npos) << s;
  EXPECT_TRUE(is_valid_utf8(s)) << s;
}

TEST_F(ChineseSearch, SnippetMarksWholeWordsNotCharacterRuns) {
  // 机器 inside 机器人: the word is marked, not the two characters.
  auto robot = search("机器");
  auto it = std::find_if(robot.begin(), robot.end(), [](const SearchHit& h) { return h.id == "simplified"; });
  ASSERT_NE(it, robot.end());
  EXPECT_NE(it->snippet.find("<b>机器人</b>"), std::string::npos) << it->snippet;
  EXPECT_EQ(it->snippet.find("<b>机器</b>"), std::string::npos) << it->snippet;
  // 农 of 务农 and 业 of 业余 are not the word 农业: nothing is marked.
  auto farm = search("农业");
  it = std::find_if(farm.begin(), farm.end(), [](const SearchHit& h) { return h.id == "scattered"; });
  ASSERT_NE(it, farm.end());
  EXPECT_EQ(it->snippet.find("<b>"), std::string::npos) << it->snippet;
  // Latin words keep their marks.
  auto h200 = search("H200");
  ASSERT_FALSE(h200.empty());
  EXPECT_NE(h200.front().snippet.find("<b>H200</b>"), std::string::npos) << h200.front().snippet;
}

TEST_F(ChineseSearch, SnippetNeverCutsACharacterInHalf) {
  for (const char* q : {"巡检", "局部放电", "温室", "platform", "蝶"})
    for (const auto& h : search(q)) EXPECT_TRUE(is_valid_utf8(h.snippet)) << q << ": " << h.snippet;
}

}  // namespace
}  // namespace jiebang
