// Ranking inside the Xapian match: each attribute component and hard filter decides the order
// (or the exclusion) among records whose text is the same; the top k is exact (no candidate
// window); the ranking query runs unchanged against remote databases (xapian-tcpsrv). Real SQLite
// store and Xapian databases in per-test temporary directories.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "jiebang/core/records.h"
#include "jiebang/core/taxonomy.h"
#include "jiebang/index/search_index.h"
#include "jiebang/match/matcher.h"
#include "jiebang/store/store.h"
#include "jiebang/text/segment.h"
#include "index/analysis.h"
#include "index/fit_query.h"
#include "integration/store_fixture.h"
#include "test_util.h"

namespace jiebang {
namespace {

using nlohmann::json;

// Every enterprise in a component test has this text (one description, two identical cases), so
// the text fit is the same for all and only the attribute under test can order them.
const char* kEnterpriseText = "Rail-mounted inspection robots for power cable tunnels with infrared thermometry";
const char* kCaseTitle = "Cable tunnel inspection robot pilot";
const char* kCaseText = "Deployed rail-mounted robots measuring temperature and partial discharge in a cable tunnel";
const char* kScenarioTitle = "Power tunnel inspection robots";
const char* kScenarioText = "Inspect power cable tunnels with rail-mounted robots and infrared thermometry";
const char* kPublisher = "State Grid / Hangzhou Power Supply";

json enterprise(const std::string& id, const std::vector<std::string>& customers = {"City Water Authority",
                                                                                   "City Water Authority"}) {
  json cases = json::array();
  for (const auto& c : customers)
    cases.push_back({{"title", kCaseTitle}, {"description", kCaseText}, {"customer", c}, {"year", 2025}});
  return {{"id", id}, {"name", "Firm " + id}, {"description", kEnterpriseText}, {"cases", cases}};
}

json scenario(const std::string& id) {
  return {{"id", id},           {"title", kScenarioTitle}, {"description", kScenarioText},
          {"publisher", kPublisher}, {"status", "open"},      {"deadline", "2099-12-31"}};
}

class RankingTest : public testing::StoreFixture {
 protected:
  /// Stores the records (through the validators, as an import does) and brings the index up to date.
  void add(const std::vector<json>& scenarios, const std::vector<json>& enterprises) {
    std::vector<Scenario> ss;
    for (const auto& j : scenarios) {
      std::vector<FieldError> errors;
      auto s = scenario_from_json(j, errors);
      ASSERT_TRUE(s.has_value()) << format_field_errors(errors);
      ss.push_back(std::move(*s));
    }
    std::vector<Enterprise> es;
    for (const auto& j : enterprises) {
      std::vector<FieldError> errors;
      auto e = enterprise_from_json(j, errors);
      ASSERT_TRUE(e.has_value()) << format_field_errors(errors);
      es.push_back(std::move(*e));
    }
    if (!ss.empty()) {
      ASSERT_TRUE(store_->upsert_scenarios(ss).is_ok());
    }
    if (!es.empty()) {
      ASSERT_TRUE(store_->upsert_enterprises(es).is_ok());
    }
    if (!index_) {
      auto index = SearchIndex::open(tmp_.file("index"), regions_, industries_);
      ASSERT_TRUE(index.is_ok()) << index.status().to_string();
      index_ = std::move(*index);
    }
    auto done = index_->catch_up(*store_);
    ASSERT_TRUE(done.is_ok()) << done.status().to_string();
  }

  Matcher matcher(MatchWeights w = {}) const { return Matcher(*index_, regions_, industries_, w); }

  /// Enterprise ids ranked for stored scenario `id`.
  std::vector<std::string> enterprises_for(const std::string& id, size_t limit = 50, MatchWeights w = {}) {
    auto s = store_->get_scenario(id);
    EXPECT_TRUE(s.is_ok()) << s.status().to_string();
    if (!s.is_ok()) return {};
    auto r = matcher(w).enterprises_for(*s, limit);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    if (r.is_ok()) explained_as_ranked(*r);
    return r.is_ok() ? ids(*r) : std::vector<std::string>{};
  }
  /// Open scenario ids ranked for stored enterprise `id`.
  std::vector<std::string> scenarios_for(const std::string& id, size_t limit = 50) {
    auto e = store_->get_enterprise(id);
    EXPECT_TRUE(e.is_ok()) << e.status().to_string();
    if (!e.is_ok()) return {};
    auto r = matcher().scenarios_for(*e, limit, "2026-11-29");
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    if (r.is_ok()) explained_as_ranked(*r);
    return r.is_ok() ? ids(*r) : std::vector<std::string>{};
  }
  /// Every result's explained components add up to the score Xapian ranked it by.
  static void explained_as_ranked(const std::vector<MatchResult>& results) {
    for (const auto& r : results) EXPECT_NEAR(r.components_sum, r.score, 1e-9) << r.id << ": " << r.reason;
  }
  static std::vector<std::string> ids(const std::vector<MatchResult>& results) {
    std::vector<std::string> out;
    for (const auto& r : results) out.push_back(r.id);
    return out;
  }

  /// The check of TopKIsThePrefixOfTheWholeRankingOnTheFixtures with ranking weights `w`.
  void top_k_is_the_prefix_on_the_fixtures(const MatchWeights& w);

  std::unique_ptr<SearchIndex> index_;
};

TEST_F(RankingTest, TrackRecordOrdersByEvidenceWithThePublisherThenItsParent) {
  const std::string sibling = "State Grid / Ningbo Power Supply";
  add({scenario("s1")}, {enterprise("e-none"), enterprise("e-parent", {sibling, "City Water Authority"}),
                         enterprise("e-exact1", {kPublisher, "City Water Authority"}),
                         enterprise("e-exact2", {kPublisher, kPublisher})});
  EXPECT_EQ(enterprises_for("s1"), (std::vector<std::string>{"e-exact2", "e-exact1", "e-parent", "e-none"}));
}

TEST_F(RankingTest, TrackRecordOrdersScenariosByTheirPublisher) {
  json own = scenario("s-own"), parent = scenario("s-parent"), other = scenario("s-other");
  parent["publisher"] = "State Grid / Ningbo Power Supply";
  other["publisher"] = "Provincial Transport Department";
  add({other, parent, own}, {enterprise("e1", {kPublisher, "City Water Authority"})});
  EXPECT_EQ(scenarios_for("e1"), (std::vector<std::string>{"s-own", "s-parent", "s-other"}));
}

TEST_F(RankingTest, IndustryOrdersByGbt4754Closeness) {
  json s = scenario("s1");
  s["industries"] = {"I6511"};
  // class I6511 > group I651 (I6512) > division I65 (I6520) > section I (I64) > another section (C).
  std::vector<std::pair<std::string, std::string>> firms = {
      {"e-section", "I64"}, {"e-other", "C"}, {"e-class", "I6511"}, {"e-division", "I6520"}, {"e-group", "I6512"}};
  std::vector<json> es;
  for (const auto& [id, code] : firms) {
    json e = enterprise(id);
    e["industries"] = {code};
    es.push_back(e);
  }
  add({s}, es);
  EXPECT_EQ(enterprises_for("s1"),
            (std::vector<std::string>{"e-class", "e-group", "e-division", "e-section", "e-other"}));
}

TEST_F(RankingTest, IndustryTagsCountOnlyWhenEqualAndBestPairWins) {
  json s = scenario("s1");
  s["industries"] = {"智慧电网", "I6520"};
  json tag = enterprise("e-tag"), both = enterprise("e-both"), none = enterprise("e-none");
  tag["industries"] = {"智慧电网"};            // equal tag: 1
  both["industries"] = {"I6511", "智慧能源"};  // best pair I6511~I6520: division, .5; the other tag 0
  none["industries"] = {"智慧能源"};           // a different tag: 0
  add({s}, {none, both, tag});
  EXPECT_EQ(enterprises_for("s1"), (std::vector<std::string>{"e-tag", "e-both", "e-none"}));
}

// Regression (found by a tester): "C1" passed import as a tag (not a GB/T 4754 shape) but ranked
// as section C; a tag is close only to the same tag, in the index and in the explanation.
TEST_F(RankingTest, CodeLikeTagsAreTagsInRankingToo) {
  json s = scenario("s1");
  s["industries"] = {"C3911"};
  json short_tag = enterprise("e-c1"), section = enterprise("e-section");
  short_tag["industries"] = {"C1"};
  section["industries"] = {"C"};
  add({s}, {short_tag, section});
  auto sc = store_->get_scenario("s1");
  ASSERT_TRUE(sc.is_ok());
  auto r = matcher().enterprises_for(*sc, 10);
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(r->at(0).id, "e-section");
  for (const auto& m : *r)
    for (const auto& c : m.components)
      if (c.name == "industry") {
        EXPECT_DOUBLE_EQ(c.fit, m.id == "e-section" ? 0.25 : 0.0) << m.id;
      }
}

TEST_F(RankingTest, RegionOrdersByGbt2260Closeness) {
  json s = scenario("s1");
  s["region"] = "330106";  // 杭州市西湖区
  std::vector<std::pair<std::string, std::string>> firms = {
      {"e-province", "330281"}, {"e-beijing", "110105"}, {"e-district", "330106"}, {"e-city", "330108"}};
  std::vector<json> es;
  for (const auto& [id, code] : firms) {
    json e = enterprise(id);
    e["region"] = code;
    es.push_back(e);
  }
  json unknown = enterprise("e-unknown-code");
  unknown["region"] = "330199";  // six digits the table does not list: no place, no fit
  es.push_back(unknown);
  json province = scenario("s-province");
  province["region"] = "浙江省";  // a province-level code (330000): a third for every Zhejiang firm
  add({s, province}, es);
  EXPECT_EQ(enterprises_for("s1"),
            (std::vector<std::string>{"e-district", "e-city", "e-province", "e-beijing", "e-unknown-code"}));
  // Regression (found in review): a province code's "city" term is the province term again, and
  // the ranking counted it twice (2/3 where the explanation said 1/3); explained_as_ranked checks.
  auto order = enterprises_for("s-province");
  ASSERT_EQ(order.size(), 5u);
  EXPECT_EQ(std::set<std::string>(order.begin(), order.begin() + 3),
            (std::set<std::string>{"e-district", "e-city", "e-province"}));
}

TEST_F(RankingTest, RegionOrdersScenariosForAnEnterprise) {
  json near = scenario("s-near"), city = scenario("s-city"), far = scenario("s-far");
  near["region"] = "330106";
  city["region"] = "330102";
  far["region"] = "110105";
  json e = enterprise("e1");
  e["region"] = "330106";
  add({far, city, near}, {e});
  EXPECT_EQ(scenarios_for("e1"), (std::vector<std::string>{"s-near", "s-city", "s-far"}));
}

TEST_F(RankingTest, ReadinessOrdersByTrlGap) {
  json s = scenario("s1");
  s["required_trl"] = 6;
  // TRL 6 meets it (1); 5 is one short (2/3); unknown 0.5; 3 is three short (0).
  json e6 = enterprise("e-trl6"), e5 = enterprise("e-trl5"), e3 = enterprise("e-trl3"), eu = enterprise("e-unknown");
  e6["trl"] = 6;
  e5["trl"] = 5;
  e3["trl"] = 3;
  add({s}, {e3, eu, e5, e6});
  EXPECT_EQ(enterprises_for("s1"), (std::vector<std::string>{"e-trl6", "e-trl5", "e-unknown", "e-trl3"}));
}

TEST_F(RankingTest, ReadinessOrdersScenariosByWhatTheyRequire) {
  json easy = scenario("s-easy"), hard = scenario("s-hard"), open = scenario("s-unstated");
  easy["required_trl"] = 5;
  hard["required_trl"] = 9;  // three levels above the enterprise's 6: fit 0
  add({hard, open, easy}, {[] {
        json e = enterprise("e1");
        e["trl"] = 6;
        return e;
      }()});
  EXPECT_EQ(scenarios_for("e1"), (std::vector<std::string>{"s-easy", "s-unstated", "s-hard"}));
}

TEST_F(RankingTest, RequiredQualificationsExcludeInBothDirections) {
  json s = scenario("s-strict");
  s["required_qualifications"] = {"高新技术企业", "ISO 9001"};
  json lax = scenario("s-lax");
  json full = enterprise("e-full"), half = enterprise("e-half");
  full["qualifications"] = {"ISO 9001", "高新技术企业"};
  half["qualifications"] = {"ISO 9001"};
  half["description"] = std::string(kEnterpriseText) + " " + kScenarioText;  // better text: still excluded
  add({s, lax}, {half, full});
  EXPECT_EQ(enterprises_for("s-strict"), (std::vector<std::string>{"e-full"}));
  auto for_half = scenarios_for("e-half");
  EXPECT_EQ(for_half, (std::vector<std::string>{"s-lax"}));
  auto for_full = scenarios_for("e-full");
  EXPECT_EQ(for_full.size(), 2u);
}

TEST_F(RankingTest, ClosedAndExpiredScenariosAreExcluded) {
  json closed = scenario("s-closed"), expired = scenario("s-expired"), open = scenario("s-open");
  closed["status"] = "closed";
  expired["deadline"] = "2026-11-28";  // the day before the matcher's today
  add({closed, expired, open}, {enterprise("e1")});
  EXPECT_EQ(scenarios_for("e1"), (std::vector<std::string>{"s-open"}));
}

// Regression (found by a tester): index terms were cut at 200 bytes, so two publishers sharing
// their first 200 bytes were one term and a firm got the other's track record in the ranking
// (its explanation said none). Long names now end in a digest of the whole name.
TEST_F(RankingTest, LongNamesSharingTheirBeginningStayDistinct) {
  std::string common;
  for (int i = 0; i < 120; ++i) common += "国";  // 360 bytes
  json s1 = scenario("s-long1"), s2 = scenario("s-long2");
  s1["publisher"] = common + "甲";
  s2["publisher"] = common + "乙";
  add({s1, s2}, {enterprise("e-long2", {common + "乙", "City Water Authority"}),
                 enterprise("e-long1", {common + "甲", "City Water Authority"})});
  EXPECT_EQ(enterprises_for("s-long1"), (std::vector<std::string>{"e-long1", "e-long2"}));
  EXPECT_EQ(enterprises_for("s-long1", 1), (std::vector<std::string>{"e-long1"}));
  EXPECT_EQ(enterprises_for("s-long2", 1), (std::vector<std::string>{"e-long2"}));
  EXPECT_EQ(scenarios_for("e-long1"), (std::vector<std::string>{"s-long1", "s-long2"}));
  EXPECT_EQ(scenarios_for("e-long2"), (std::vector<std::string>{"s-long2", "s-long1"}));
}

// Regression (found by a tester): names compared with their stray whitespace, so an enterprise
// holding "高新技术企业　" (a full-width space) was filtered out of a scenario requiring
// "高新技术企业", and "Dept of Energy  / Office" (two spaces) had no track record with
// "Dept of Energy / Office". Names are trimmed and inner whitespace collapsed everywhere.
TEST_F(RankingTest, NamesCompareWithoutStrayWhitespace) {
  json strict = scenario("s-strict");
  strict["required_qualifications"] = {" 高新技术企业"};
  json doe = scenario("s-doe");
  doe["publisher"] = "Dept of Energy / Office of Science";
  json spaced = enterprise("e-spaced", {"Dept of Energy  / Office of Science", "City Water Authority"});
  spaced["qualifications"] = {"高新技术企业　"};
  add({strict, doe}, {spaced, enterprise("e-plain")});
  EXPECT_EQ(enterprises_for("s-strict"), (std::vector<std::string>{"e-spaced"}));
  EXPECT_EQ(enterprises_for("s-doe"), (std::vector<std::string>{"e-spaced", "e-plain"}));
  auto s = store_->get_scenario("s-doe");
  ASSERT_TRUE(s.is_ok());
  auto r = matcher().enterprises_for(*s, 1);
  ASSERT_TRUE(r.is_ok() && !r->empty());
  EXPECT_NE(r->front().reason.find("track record with this publisher: 1"), std::string::npos) << r->front().reason;
}

// Regression (found by a tester): forty copies of one case raised a profile's text score above
// the same profile with the case once (BM25 term frequency), more than the whole track-record
// weight. Repeated cases are indexed once.
TEST_F(RankingTest, RepeatedCasesAddNoTextScore) {
  json many = enterprise("e-many", {});
  for (int i = 0; i < 40; ++i)
    many["cases"].push_back({{"title", kCaseTitle}, {"description", kCaseText}, {"customer", "City Water Authority"}});
  json once = enterprise("e-once", {"City Water Authority"});
  add({scenario("s1")}, {many, once});
  auto s = store_->get_scenario("s1");
  ASSERT_TRUE(s.is_ok());
  auto r = matcher().enterprises_for(*s, 10);
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_NEAR(r->at(0).components.front().fit, r->at(1).components.front().fit, 1e-9)
      << r->at(0).id << " " << r->at(0).reason << " | " << r->at(1).id << " " << r->at(1).reason;
}

/// The lower-cased runs of ASCII letters and digits of `texts`.
std::set<std::string> ascii_words(const std::vector<std::string>& texts) {
  std::set<std::string> out;
  for (const auto& t : texts) {
    std::string word;
    for (char c : t + " ") {
      if (std::isalnum(static_cast<unsigned char>(c)) && static_cast<unsigned char>(c) < 0x80) {
        word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      } else if (!word.empty()) {
        out.insert(word);
        word.clear();
      }
    }
  }
  return out;
}

// Issue 14: English matched words were shown as stems ("cabl", "infrar", "thermometri"). Every
// matched word of an English pair is now a word of the pair's texts, in both directions.
TEST_F(RankingTest, EnglishMatchedWordsAreWordsOfThePairsTextsNotStems) {
  add({scenario("s1")}, {enterprise("e1")});
  const std::set<std::string> words =
      ascii_words({kScenarioTitle, kScenarioText, kEnterpriseText, kCaseTitle, kCaseText, "Firm e1"});
  auto s = store_->get_scenario("s1");
  ASSERT_TRUE(s.is_ok());
  auto firms = matcher().enterprises_for(*s, 10);
  ASSERT_TRUE(firms.is_ok()) << firms.status().to_string();
  ASSERT_EQ(firms->size(), 1u);
  auto e = store_->get_enterprise("e1");
  ASSERT_TRUE(e.is_ok());
  auto scenarios = matcher().scenarios_for(*e, 10, "2026-11-29");
  ASSERT_TRUE(scenarios.is_ok()) << scenarios.status().to_string();
  ASSERT_EQ(scenarios->size(), 1u);
  for (const auto& terms : {firms->front().matched_terms, scenarios->front().matched_terms}) {
    std::string all;
    for (const auto& t : terms) all += t + " ";
    EXPECT_GE(terms.size(), 6u) << all;
    for (const auto& t : terms) EXPECT_TRUE(words.count(t)) << t << " in: " << all;
    EXPECT_TRUE(std::count(terms.begin(), terms.end(), "cable")) << all;
    for (const char* stem : {"cabl", "infrar", "thermometri", "mount"})
      EXPECT_FALSE(std::count(terms.begin(), terms.end(), stem)) << stem << " in: " << all;
  }
  // The scenario's own spelling for the scenario's query ("robots", "inspection": its title's).
  const auto& t = firms->front().matched_terms;
  EXPECT_TRUE(std::count(t.begin(), t.end(), "inspection")) << t.size();
  EXPECT_TRUE(std::count(t.begin(), t.end(), "robots")) << t.size();
}

// Regression: a synonym variant that is an inflection of the mention ("drones" beside "drone",
// "inspection robots" beside "inspection robot" in index/synonyms.txt) was added to the query as
// one more text, so the mention's stem counted twice: a profile saying "drone" outranked one
// saying "survey" though the scenario says each as often. Variants with the mention's terms are
// left out; those with other terms ("无人机") are still added.
TEST_F(RankingTest, AnInflectionInASynonymGroupCountsItsTermOnce) {
  text::SynonymTable synonyms;
  synonyms.add_group({"无人机", "drone", "drones"});
  auto index = SearchIndex::open(tmp_.file("index"), regions_, industries_, &synonyms);
  ASSERT_TRUE(index.is_ok()) << index.status().to_string();
  index_ = std::move(*index);
  json s = {{"id", "s1"},        {"title", "Drone survey"}, {"description", "Drone survey"},
            {"publisher", kPublisher}, {"status", "open"},     {"deadline", "2099-12-31"}};
  add({s},
      {{{"id", "e-drone"}, {"name", "Firm Alpha"}, {"description", "drone"}},
       {{"id", "e-survey"}, {"name", "Firm Gamma"}, {"description", "survey"}},
       {{"id", "e-zh"}, {"name", "Firm Delta"}, {"description", "无人机"}}});
  auto stored = store_->get_scenario("s1");
  ASSERT_TRUE(stored.is_ok());
  auto r = matcher().enterprises_for(*stored, 10);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 3u);
  std::map<std::string, double> fit;
  std::string reasons;
  for (const auto& m : *r) {
    fit[m.id] = m.components.front().fit;
    reasons += m.id + ": " + m.reason + "; ";
  }
  EXPECT_NEAR(fit["e-drone"], fit["e-survey"], 1e-9) << reasons;
  EXPECT_GT(fit["e-zh"], 0.0);  // the Chinese variant still bridges
}

// Regression (found in review): two long ASCII words side by side made a word-pair term over
// Xapian's 245-byte limit; the write threw "Term too long" and catch-up failed on that change
// every time. Words over 64 bytes are not words (as for Xapian's TermGenerator).
TEST_F(RankingTest, LongWordsDoNotStopTheIndex) {
  json e = enterprise("e-long-words");
  e["description"] = std::string(130, 'a') + " " + std::string(130, 'b') + " tunnel inspection robots";
  add({scenario("s1")}, {e, enterprise("e-plain")});  // add() asserts that catch-up succeeded
  auto order = enterprises_for("s1");
  EXPECT_EQ(order.size(), 2u);
  EXPECT_NE(std::find(order.begin(), order.end(), "e-long-words"), order.end());
}

// The attribute fit is part of the Xapian match, not a rerank of a text candidate window: a firm
// far down the text ranking but with the strongest track record comes first even when only a few
// per-case candidates are considered (before, with `candidates` 5, it was never seen).
TEST_F(RankingTest, AttributeFitReachesBeyondAnyTextCandidateWindow) {
  std::vector<json> es;
  for (int i = 0; i < 30; ++i) {
    json e = enterprise(fmt::format("e-text{:02}", i));
    e["description"] = std::string(kEnterpriseText) + " " + kScenarioText + " " + kScenarioTitle;
    es.push_back(e);
  }
  json known = enterprise("e-known", {kPublisher, kPublisher});
  known["description"] = "Tunnel maintenance services";
  known["cases"] = json::array({{{"title", "Tunnel maintenance"}, {"customer", kPublisher}, {"year", 2025}},
                                {{"title", "Tunnel maintenance"}, {"customer", kPublisher}, {"year", 2024}}});
  es.push_back(known);
  add({scenario("s1")}, es);
  MatchWeights w;
  w.candidates = 5;
  w.track_record = 5.0;
  auto top = enterprises_for("s1", 1, w);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0], "e-known");
  // With the default weights the text leads again: the weights, not a window, decide.
  EXPECT_NE(enterprises_for("s1", 1)[0], "e-known");
}

// A match from an enterprise reads its own profile document from the index instead of analysing
// the profile again (for self_score, the absolute text fit's scale). That is only right if the
// stored document has the ranking terms and length the record's text makes, and carries the key of
// that text.
TEST_F(RankingTest, AStoredProfileHasTheTermsAndLengthItsRecordMakesAndItsTextKey) {
  add({}, testing::read_jsonl(testing::fixture("enterprises.jsonl")));
  Xapian::Database db(tmp_.file("index") + "/enterprises");
  index_detail::Analyzer analyzer;
  size_t compared = 0;
  for (const auto& ej : testing::read_jsonl(testing::fixture("enterprises.jsonl"))) {
    auto e = store_->get_enterprise(ej["id"].get<std::string>());
    ASSERT_TRUE(e.is_ok());
    const std::string idterm = std::string(index_detail::kIdPrefix) + e->id;
    ASSERT_NE(db.postlist_begin(idterm), db.postlist_end(idterm)) << e->id;
    Xapian::Document stored = db.get_document(*db.postlist_begin(idterm));
    EXPECT_EQ(stored.get_value(index_detail::kSlotTextKey), index_detail::text_key(*e)) << e->id;
    // The profile analysed afresh, as a document with every term (positions, title twins).
    Xapian::Document fresh = index_detail::enterprise_document(*e, analyzer, regions_, industries_, {}, nullptr,
                                                               index_detail::Analyzer::Terms::kSearch);
    auto ranking_terms = [](const Xapian::Document& d, Xapian::termcount& length) {
      std::map<std::string, Xapian::termcount> out;
      length = 0;
      for (auto t = d.termlist_begin(); t != d.termlist_end(); ++t) {
        length += t.get_wdf();
        if (index_detail::Analyzer::is_ranking_term(*t)) out[*t] = t.get_wdf();
      }
      return out;
    };
    Xapian::termcount stored_length = 0, fresh_length = 0;
    auto stored_terms = ranking_terms(stored, stored_length);
    auto fresh_terms = ranking_terms(fresh, fresh_length);
    EXPECT_EQ(stored_terms, fresh_terms) << e->id;
    EXPECT_EQ(stored_length, fresh_length) << e->id;
    EXPECT_EQ(stored_length, db.get_doclength(*db.postlist_begin(idterm))) << e->id;
    ++compared;
  }
  EXPECT_GT(compared, 100u);
}

// The key changes with any of the text a profile document is made from, and with text moved
// from one field to another; not with what is not text (region, TRL).
TEST(TextKey, ChangesWithTheProfilesTextOnly) {
  Enterprise e;
  e.id = "E1";
  e.name = "Firm";
  e.description = "Rail-mounted inspection robots";
  e.capabilities = {"infrared thermometry"};
  e.cases = {{"Tunnel pilot", "Deployed in a cable tunnel", "City Grid", 2025, ""}};
  const std::string key = index_detail::text_key(e);
  EXPECT_EQ(key.size(), 16u);
  auto changed = [&](auto edit) {
    Enterprise c = e;
    edit(c);
    return index_detail::text_key(c);
  };
  EXPECT_NE(changed([](Enterprise& c) { c.name += "s"; }), key);
  EXPECT_NE(changed([](Enterprise& c) { c.description += "."; }), key);
  EXPECT_NE(changed([](Enterprise& c) { c.capabilities.push_back("lidar"); }), key);
  EXPECT_NE(changed([](Enterprise& c) { c.cases[0].description = "Deployed in a water tunnel"; }), key);
  EXPECT_NE(changed([](Enterprise& c) {
              c.name = "Firm Rail-mounted";
              c.description = "inspection robots";
            }),
            key);
  // A repeated case adds no text to the profile (distinct_cases), nor to the key.
  EXPECT_EQ(changed([](Enterprise& c) { c.cases.push_back(c.cases[0]); }), key);
  EXPECT_EQ(changed([](Enterprise& c) {
              c.region = "330102";
              c.trl = 7;
            }),
            key);
}

// A profile changed since it was indexed (a record not yet caught up with, or one never stored)
// is scored as it is now: the stale indexed document is not taken for it.
TEST_F(RankingTest, AProfileChangedSinceItWasIndexedGetsTheTextFitOfItsNewText) {
  add(testing::read_jsonl(testing::fixture("scenarios.jsonl")), testing::read_jsonl(testing::fixture("enterprises.jsonl")));
  auto stored = store_->get_enterprise(testing::read_jsonl(testing::fixture("enterprises.jsonl")).front()["id"].get<std::string>());
  ASSERT_TRUE(stored.is_ok());
  Enterprise changed = *stored;
  changed.description += " Also builds rail-mounted tunnel inspection robots with infrared and partial discharge sensors.";
  Enterprise elsewhere = changed;  // the same text under an id the index does not hold: analysed afresh
  elsewhere.id = "not-indexed-" + changed.id;
  auto now = matcher().scenarios_for(changed, 10, "2026-11-29");
  auto afresh = matcher().scenarios_for(elsewhere, 10, "2026-11-29");
  auto before = matcher().scenarios_for(*stored, 10, "2026-11-29");
  ASSERT_TRUE(now.is_ok() && afresh.is_ok() && before.is_ok());
  ASSERT_FALSE(now->empty());
  ASSERT_EQ(now->size(), afresh->size());
  bool differs_from_before = false;
  for (size_t i = 0; i < now->size(); ++i) {
    EXPECT_EQ((*now)[i].id, (*afresh)[i].id);
    EXPECT_DOUBLE_EQ((*now)[i].text_fit, (*afresh)[i].text_fit) << (*now)[i].id;
  }
  for (size_t i = 0; i < std::min(now->size(), before->size()); ++i)
    differs_from_before |= (*now)[i].id != (*before)[i].id || (*now)[i].text_fit != (*before)[i].text_fit;
  EXPECT_TRUE(differs_from_before) << "the changed text must change the match for this test to say anything";
}

// A minimum fit (the digest's) skips the ranking query only when no scenario could reach it: for
// every fixture enterprise, several minimums, and with and without a digest's posted_at bounds,
// the results kept (text_fit at least the minimum) are the same with the skip as without it, and
// the skip does happen for some and not for others.
TEST_F(RankingTest, AMinimumFitSkipsOnlyEnterprisesNoScenarioCanReachIt) {
  const std::vector<json> ss = testing::read_jsonl(testing::fixture("scenarios.jsonl"));
  const std::vector<json> es = testing::read_jsonl(testing::fixture("enterprises.jsonl"));
  add(ss, es);
  Matcher m = matcher();
  auto kept = [](std::vector<MatchResult> rs, double min) {
    std::erase_if(rs, [min](const MatchResult& r) { return r.text_fit < min; });
    std::vector<std::pair<std::string, double>> out;
    for (const auto& r : rs) out.emplace_back(r.id, r.score);
    return out;
  };
  struct Bounds {
    std::string from, to;
    std::vector<std::string> also;
  };
  // Unbounded; two weeks of the fixtures' posted_at (as a digest asks); the same with one scenario
  // let through regardless (posted_also).
  const std::vector<Bounds> bounds = {{}, {"2026-10-19", "2026-11-01", {}}, {"2026-10-19", "2026-11-01", {"sz-2026-004"}}};
  size_t skipped = 0, skipped_bounded = 0, ranked = 0, kept_results = 0;
  for (const Bounds& b : bounds) {
    for (size_t i = 0; i < es.size(); i += 4) {  // every 4th: a match takes ~0.1 s under the sanitizers
      auto e = store_->get_enterprise(es[i]["id"].get<std::string>());
      ASSERT_TRUE(e.is_ok());
      MatchOptions all;
      all.limit = 1000;
      all.today = "2026-11-29";
      all.posted_from = b.from;
      all.posted_to = b.to;
      all.posted_also = b.also;
      auto whole = m.scenarios_for(*e, all);
      ASSERT_TRUE(whole.is_ok()) << whole.status().to_string();
      double best = 0;
      for (const auto& r : *whole) best = std::max(best, r.text_fit);
      // The best fit itself (kept: the boundary) and minimums either side of it.
      for (double min : {0.2, 0.5, best, std::nextafter(best, 2.0)}) {
        if (min <= 0) continue;
        MatchOptions o = all;
        o.min_text_fit = min;
        auto with_skip = m.scenarios_for(*e, o);
        ASSERT_TRUE(with_skip.is_ok()) << with_skip.status().to_string();
        EXPECT_EQ(kept(*with_skip, min), kept(*whole, min)) << e->id << " min " << min << " from " << b.from;
        if (with_skip->empty() && !whole->empty()) ++(b.from.empty() ? skipped : skipped_bounded);
        if (!with_skip->empty()) ++ranked;
        kept_results += kept(*with_skip, min).size();
      }
    }
  }
  EXPECT_GT(skipped, 0u) << "no enterprise was skipped: the test says nothing";
  EXPECT_GT(skipped_bounded, 0u) << "no enterprise was skipped within posted_at bounds";
  EXPECT_GT(ranked, 0u);
  EXPECT_GT(kept_results, 0u);
}

// The best k asked for are exactly the first k of the whole ranking, in both directions, and each
// score is the sum of its explained contributions.
TEST_F(RankingTest, TopKIsThePrefixOfTheWholeRankingOnTheFixtures) { top_k_is_the_prefix_on_the_fixtures({}); }

// Regression: with the marketplace IDF (other_side_docs 50) ent-0003's top 3 missed sz-2026-004,
// ranked 2nd in its whole list: Xapian 1.4.22's top-k skipping (index_detail::exact_top) lost it.
TEST_F(RankingTest, TopKIsThePrefixOfTheWholeRankingWithTheMarketplaceIdf) {
  MatchWeights w;
  w.other_side_docs = 50;
  top_k_is_the_prefix_on_the_fixtures(w);
}

void RankingTest::top_k_is_the_prefix_on_the_fixtures(const MatchWeights& w) {
  std::vector<json> ss = testing::read_jsonl(testing::fixture("scenarios.jsonl"));
  std::vector<json> es = testing::read_jsonl(testing::fixture("enterprises.jsonl"));
  add(ss, es);
  Matcher m = matcher(w);
  auto check = [](const std::vector<MatchResult>& few, const std::vector<MatchResult>& all, const std::string& what) {
    ASSERT_LE(few.size(), all.size()) << what;
    for (size_t i = 0; i < few.size(); ++i) {
      // The same record at every rank, ties included (broken by id inside the match).
      EXPECT_EQ(few[i].id, all[i].id) << what << " rank " << i + 1;
      EXPECT_NEAR(few[i].score, all[i].score, 1e-12) << what << " rank " << i + 1;
    }
    explained_as_ranked(all);
    for (size_t i = 1; i < all.size(); ++i) EXPECT_GE(all[i - 1].score, all[i].score) << what;
  };
  size_t compared = 0;
  for (const auto& sj : ss) {
    auto s = store_->get_scenario(sj["id"].get<std::string>());
    ASSERT_TRUE(s.is_ok());
    auto few = m.enterprises_for(*s, 3);
    auto all = m.enterprises_for(*s, 1000);
    ASSERT_TRUE(few.is_ok() && all.is_ok());
    check(*few, *all, s->id);
    compared += few->size();
  }
  for (const auto& ej : es) {
    auto e = store_->get_enterprise(ej["id"].get<std::string>());
    ASSERT_TRUE(e.is_ok());
    auto few = m.scenarios_for(*e, 3, "2026-11-29");
    auto all = m.scenarios_for(*e, 1000, "2026-11-29");
    ASSERT_TRUE(few.is_ok() && all.is_ok());
    check(*few, *all, e->id);
    compared += few->size();
  }
  EXPECT_GT(compared, 300u);
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

/// Xapian's stock remote server (xapian-tcpsrv, Debian's xapian-tools) on a loopback port,
/// serving one database read-only; stopped with the object.
class TcpServer {
 public:
  TcpServer(const std::string& db, int port) : port_(port) {
    pid_ = fork();
    if (pid_ == 0) {
      // A process group of its own: the server and the children it forks per connection are
      // stopped together, and a signal it sends to its group never reaches the test.
      setpgid(0, 0);
      std::string p = std::to_string(port);
      execlp("xapian-tcpsrv", "xapian-tcpsrv", "--quiet", "--interface", "127.0.0.1", "--port", p.c_str(),
             db.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~TcpServer() {
    if (pid_ > 0) {
      kill(-pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  /// Waits until the server accepts connections; false when it exited or never listened.
  bool wait_ready() const {
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return false;
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(static_cast<uint16_t>(port_));
      bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
      close(fd);
      if (ok) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

 private:
  int port_;
  pid_t pid_ = -1;
};

// DESIGN.md "Past one machine": shards served by xapian-tcpsrv. The stock server knows no custom
// classes, so the ranking query must be made of Xapian's own: the same matches through three
// stock servers (opened via Xapian stub files) give the same results as the local databases.
TEST_F(RankingTest, RankingQueryRunsOnStockRemoteServers) {
  if (std::system("command -v xapian-tcpsrv >/dev/null 2>&1") != 0)
    FAIL() << "xapian-tcpsrv is not installed (Debian package xapian-tools; scripts/install_deps.sh installs it)";
  const std::vector<json> ss = testing::read_jsonl(testing::fixture("scenarios.jsonl"));
  const std::vector<json> es = testing::read_jsonl(testing::fixture("enterprises.jsonl"));
  add(ss, es);
  std::vector<std::unique_ptr<TcpServer>> servers;
  std::string remote_dir = tmp_.file("remote");
  std::filesystem::create_directories(remote_dir);
  for (const char* db : {"scenarios", "enterprises", "cases"}) {
    int port = free_port();
    ASSERT_GT(port, 0);
    servers.push_back(std::make_unique<TcpServer>(tmp_.file("index") + "/" + db, port));
    ASSERT_TRUE(servers.back()->wait_ready()) << "xapian-tcpsrv for " << db << " did not start";
    // A Xapian stub database file: opening the path opens the remote database.
    testing::write_file(remote_dir + "/" + db, fmt::format("remote 127.0.0.1:{}\n", port));
  }
  auto remote = SearchIndex::open_reader(remote_dir, regions_, industries_);
  ASSERT_TRUE(remote.is_ok()) << remote.status().to_string();
  Matcher local_m = matcher();
  Matcher remote_m(**remote, regions_, industries_, MatchWeights{});
  size_t compared = 0;
  for (size_t k = 0; k < 5 && k < ss.size(); ++k) {
    const std::string id = ss[k]["id"].get<std::string>();
    auto s = store_->get_scenario(id);
    ASSERT_TRUE(s.is_ok()) << id;
    auto a = local_m.enterprises_for(*s, 10);
    auto b = remote_m.enterprises_for(*s, 10);
    ASSERT_TRUE(a.is_ok()) << a.status().to_string();
    ASSERT_TRUE(b.is_ok()) << b.status().to_string();
    ASSERT_EQ(a->size(), b->size()) << id;
    for (size_t i = 0; i < a->size(); ++i) {
      EXPECT_EQ((*a)[i].id, (*b)[i].id) << id << " rank " << i + 1;
      EXPECT_NEAR((*a)[i].score, (*b)[i].score, 1e-9) << id;
      EXPECT_EQ((*a)[i].reason, (*b)[i].reason) << id;
    }
    compared += a->size();
  }
  auto e = store_->get_enterprise(es[0]["id"].get<std::string>());
  ASSERT_TRUE(e.is_ok());
  auto a = local_m.scenarios_for(*e, 10, "2026-11-29");
  auto b = remote_m.scenarios_for(*e, 10, "2026-11-29");
  ASSERT_TRUE(a.is_ok() && b.is_ok()) << (b.is_ok() ? "" : b.status().to_string());
  EXPECT_EQ(ids(*a), ids(*b));
  compared += a->size();
  EXPECT_GT(compared, 10u);
}

// Xapian 1.4.22's top-k skipping loses a document here (found by a random search over small
// databases): the OR of 4 terms becomes AND_MAYBE(OR(t2, t0), t1) once doc 2 is the best so far,
// the OR decays to t2 at doc 4 with t1 already standing on doc 5, and when t2 alone can no longer
// reach doc 2's weight the AND_MAYBE turns into an AND that resumes after max(4, 5): doc 5, the
// best of all, is never weighed. index_detail::exact_top, through which the ranking reads every
// top k, weighs every matching document; the same BM25 parameters as the ranking.
TEST(ExactTop, KeepsTheDocumentXapiansSkippingLoses) {
  testing::TempDir tmp;
  {
    Xapian::WritableDatabase w(tmp.file("db"), Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS);
    // wdf of t0, t1, t2 and of a term no query asks for (document length), docs 1-5.
    const int wdf[5][4] = {{0, 3, 0, 2}, {2, 0, 0, 3}, {0, 0, 0, 1}, {0, 0, 2, 3}, {0, 4, 4, 0}};
    for (const auto& d : wdf) {
      Xapian::Document doc;
      for (int t = 0; t < 4; ++t)
        if (d[t] > 0) doc.add_term(t < 3 ? "t" + std::to_string(t) : std::string("pad"), d[t]);
      w.add_document(doc);
    }
    w.commit();
  }
  Xapian::Database db(tmp.file("db"));
  // t3 is in no document: it still shapes Xapian's tree of ORs.
  std::vector<Xapian::Query> terms = {Xapian::Query("t0", 2), Xapian::Query("t1", 1), Xapian::Query("t2", 3),
                                      Xapian::Query("t3", 2)};
  Xapian::Enquire enquire(db);
  enquire.set_query(Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()));
  enquire.set_weighting_scheme(Xapian::BM25Weight(2.0, 0, 1, 0.85, 0.5));
  std::vector<Xapian::docid> whole;
  Xapian::MSet all = enquire.get_mset(0, 10);  // fewer than 10 match: nothing is skipped
  for (auto it = all.begin(); it != all.end(); ++it) whole.push_back(*it);
  ASSERT_EQ(whole, (std::vector<Xapian::docid>{5, 2, 4, 1}));
  for (Xapian::doccount k = 1; k <= 4; ++k) {
    Xapian::MSet top = index_detail::exact_top(enquire, db, 0, k);
    ASSERT_EQ(top.size(), k);
    for (Xapian::doccount i = 0; i < k; ++i) EXPECT_EQ(*top[i], whole[i]) << "top " << k << " rank " << i + 1;
  }
  // The failure the test is for, as Xapian 1.4.22 has it; when a Xapian release no longer loses
  // doc 5, exact_top's full weighing may no longer be needed (measure before dropping it).
  EXPECT_EQ(*enquire.get_mset(0, 1).begin(), 2u) << "Xapian's top-k skipping no longer loses doc 5";
}

}  // namespace
}  // namespace jiebang
