// SearchIndex tests: catch-up from a real SQLite store into real Xapian databases, batches,
// reopening, the read-only second opener, rebuild.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include <xapian.h>

#include "jiebang/core/records.h"
#include "jiebang/core/taxonomy.h"
#include "jiebang/index/search_index.h"
#include "jiebang/store/store.h"
#include "integration/store_fixture.h"
#include "test_util.h"

namespace jiebang {
namespace {


class SearchIndexTest : public testing::StoreFixture {
 protected:
  /// Loads the fixture records into the store (through the validators, as an import does).
  void load_fixtures() {
    std::vector<Scenario> scenarios;
    for (const auto& j : testing::read_jsonl(testing::fixture("scenarios.jsonl"))) {
      std::vector<FieldError> errors;
      auto s = scenario_from_json(j, errors);
      ASSERT_TRUE(s.has_value()) << format_field_errors(errors);
      scenarios.push_back(std::move(*s));
    }
    std::vector<Enterprise> enterprises;
    for (const auto& j : testing::read_jsonl(testing::fixture("enterprises.jsonl"))) {
      std::vector<FieldError> errors;
      auto e = enterprise_from_json(j, errors);
      ASSERT_TRUE(e.has_value()) << format_field_errors(errors);
      enterprises.push_back(std::move(*e));
    }
    ASSERT_TRUE(store_->upsert_scenarios(scenarios).is_ok());
    ASSERT_TRUE(store_->upsert_enterprises(enterprises).is_ok());
    scenario_count_ = scenarios.size();
    enterprise_count_ = enterprises.size();
  }

  std::unique_ptr<SearchIndex> open_index() {
    auto index = SearchIndex::open(tmp_.file("index"), regions_, industries_);
    if (!index.is_ok()) {
      ADD_FAILURE() << index.status().to_string();
      return nullptr;
    }
    return std::move(*index);
  }

  static std::set<std::string> ids(const std::vector<SearchHit>& hits) {
    std::set<std::string> out;
    for (const auto& h : hits) out.insert(h.id);
    return out;
  }

  size_t scenario_count_ = 0, enterprise_count_ = 0;
};

TEST_F(SearchIndexTest, CatchUpInBatchesAppliesEveryChange) {
  load_fixtures();
  auto index = open_index();
  ASSERT_TRUE(index);
  EXPECT_TRUE(index->writable());
  EXPECT_EQ(*index->applied_seq(), 0);
  EXPECT_EQ(*index->doc_count(RecordKind::kScenario), 0u);

  int64_t last = *store_->last_seq();
  std::vector<int64_t> applied;
  auto p = index->catch_up(*store_, 16, [&](const IndexProgress& pr) {
    applied.push_back(pr.applied_seq);
    EXPECT_EQ(pr.store_seq, last);
  });
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  EXPECT_EQ(p->applied_seq, last);
  EXPECT_GE(p->documents_written, scenario_count_ + enterprise_count_);  // past cases may add documents
  EXPECT_EQ(p->documents_removed, 0u);
  // One commit per batch of 16 changes, each further than the one before.
  EXPECT_EQ(applied.size(), (static_cast<size_t>(last) + 15) / 16);
  for (size_t i = 1; i < applied.size(); ++i) EXPECT_GT(applied[i], applied[i - 1]);
  EXPECT_EQ(*index->applied_seq(), last);
  EXPECT_EQ(*index->doc_count(RecordKind::kScenario), scenario_count_);
  EXPECT_EQ(*index->doc_count(RecordKind::kEnterprise), enterprise_count_);
}

TEST_F(SearchIndexTest, CatchUpIsIncremental) {
  load_fixtures();
  auto index = open_index();
  ASSERT_TRUE(index);
  ASSERT_TRUE(index->catch_up(*store_).is_ok());
  auto nothing = index->catch_up(*store_);
  ASSERT_TRUE(nothing.is_ok());
  EXPECT_EQ(nothing->documents_written, 0u);

  auto s = store_->get_scenario("hz-2026-03-001");
  ASSERT_TRUE(s.is_ok());
  s->status = "awarded";
  ASSERT_TRUE(store_->upsert_scenarios({*s}).is_ok());
  auto one = index->catch_up(*store_);
  ASSERT_TRUE(one.is_ok()) << one.status().to_string();
  EXPECT_EQ(one->documents_written, 1u);
  EXPECT_EQ(*index->applied_seq(), *store_->last_seq());
  EXPECT_EQ(*index->doc_count(RecordKind::kScenario), scenario_count_);  // replaced, not added

  SearchFilters awarded;
  awarded.status = "awarded";
  auto hits = index->search_scenarios("", awarded, 100);
  ASSERT_TRUE(hits.is_ok()) << hits.status().to_string();
  EXPECT_EQ(ids(*hits), (std::set<std::string>{"hz-2026-03-001", "hz-2026-02-002", "sh-pd-2026-004"}));
}

TEST_F(SearchIndexTest, AppliedSeqSurvivesReopen) {
  load_fixtures();
  {
    auto index = open_index();
    ASSERT_TRUE(index);
    ASSERT_TRUE(index->catch_up(*store_).is_ok());
  }
  auto index = open_index();
  ASSERT_TRUE(index);
  EXPECT_EQ(*index->applied_seq(), *store_->last_seq());
  EXPECT_EQ(*index->doc_count(RecordKind::kEnterprise), enterprise_count_);
  auto p = index->catch_up(*store_);
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(p->documents_written, 0u);
}

TEST_F(SearchIndexTest, SecondOpenerIsReadOnly) {
  load_fixtures();
  auto writer = open_index();
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->catch_up(*store_).is_ok());
  auto reader = open_index();
  ASSERT_TRUE(reader);
  EXPECT_FALSE(reader->writable());
  EXPECT_EQ(*reader->doc_count(RecordKind::kScenario), scenario_count_);
  EXPECT_EQ(*reader->applied_seq(), *writer->applied_seq());
  auto c = reader->catch_up(*store_);
  ASSERT_FALSE(c.is_ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kUnavailable);
  auto r = reader->rebuild(*store_);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  SearchFilters any;
  any.status = "";
  auto hits = reader->search_scenarios("巡检机器人", any, 5);
  ASSERT_TRUE(hits.is_ok()) << hits.status().to_string();
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ((*hits)[0].id, "hz-2026-03-001");
}

TEST_F(SearchIndexTest, RebuildGivesTheSameIndex) {
  load_fixtures();
  auto index = open_index();
  ASSERT_TRUE(index);
  ASSERT_TRUE(index->catch_up(*store_).is_ok());
  SearchFilters any;
  any.status = "";
  auto before = index->search_scenarios("智慧医疗", any, 20);
  ASSERT_TRUE(before.is_ok());
  auto r = index->rebuild(*store_);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->applied_seq, *store_->last_seq());
  EXPECT_EQ(*index->applied_seq(), *store_->last_seq());
  EXPECT_EQ(*index->doc_count(RecordKind::kScenario), scenario_count_);
  EXPECT_EQ(*index->doc_count(RecordKind::kEnterprise), enterprise_count_);
  auto after = index->search_scenarios("智慧医疗", any, 20);
  ASSERT_TRUE(after.is_ok());
  std::vector<std::string> a, b;
  for (const auto& h : *before) a.push_back(h.id);
  for (const auto& h : *after) b.push_back(h.id);
  EXPECT_EQ(a, b);
}

TEST_F(SearchIndexTest, FiltersUseRegionAndIndustryHierarchies) {
  load_fixtures();
  auto index = open_index();
  ASSERT_TRUE(index);
  ASSERT_TRUE(index->catch_up(*store_).is_ok());
  auto fixtures = testing::read_jsonl(testing::fixture("scenarios.jsonl"));

  SearchFilters zhejiang;
  zhejiang.status = "";
  zhejiang.region_code = "330000";  // the province finds its cities' districts
  auto hits = index->search_scenarios("", zhejiang, 100);
  ASSERT_TRUE(hits.is_ok());
  std::set<std::string> expected;
  for (const auto& s : fixtures)
    if (s.value("region", "").rfind("33", 0) == 0) expected.insert(s["id"].get<std::string>());
  EXPECT_EQ(ids(*hits), expected);

  SearchFilters section;
  section.status = "";
  section.industry_code = "Q";  // 卫生和社会工作: the section finds its classes
  hits = index->search_scenarios("", section, 100);
  ASSERT_TRUE(hits.is_ok());
  expected.clear();
  for (const auto& s : fixtures)
    for (const auto& code : s.value("industries", std::vector<std::string>{}))
      if (code.size() >= 2 && code[0] == 'Q' && code[1] >= '0' && code[1] <= '9')
        expected.insert(s["id"].get<std::string>());
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(ids(*hits), expected);
}

}  // namespace
}  // namespace jiebang

namespace jiebang {
namespace {

// Regression (issue 16): a damaged applied seq in the metadata made applied_seq() (reached from
// /healthz) and catch_up() throw std::invalid_argument out of the module. Now each is an error.
TEST_F(SearchIndexTest, ADamagedAppliedSeqIsAnErrorNotAnException) {
  load_fixtures();
  {
    auto writer = open_index();
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->catch_up(*store_).is_ok());
  }
  {
    Xapian::WritableDatabase db(tmp_.file("index/scenarios"), Xapian::DB_OPEN);
    db.set_metadata("jiebang.applied_seq", "12x");
    db.commit();
  }
  auto index = open_index();
  ASSERT_TRUE(index);
  auto applied = index->applied_seq();
  ASSERT_FALSE(applied.is_ok());
  EXPECT_EQ(applied.status().code(), ErrorCode::kInternal);
  EXPECT_TRUE(index->doc_count(RecordKind::kScenario).is_ok());
  EXPECT_FALSE(index->catch_up(*store_).is_ok());
}

TEST_F(SearchIndexTest, UnreadableVersionFileIsReplacedAndReplayedFromTheStore) {
  // A glass database whose version file is garbage: the index is derived, so it is recreated
  // empty with applied seq 0, and the next catch-up replays the whole change log into it.
  std::filesystem::create_directories(tmp_.path() / "index" / "scenarios");
  testing::write_file(tmp_.file("index/scenarios/iamglass"), std::string(64, '\x7f'));
  auto index = SearchIndex::open(tmp_.file("index"), regions_, industries_);
  ASSERT_TRUE(index.is_ok()) << index.status().to_string();
  EXPECT_EQ(*(*index)->applied_seq(), 0);
  EXPECT_EQ(*(*index)->doc_count(RecordKind::kScenario), 0u);
  EXPECT_NE(testing::read_file(tmp_.file("index/scenarios/iamglass")), std::string(64, '\x7f'));
}

}  // namespace
}  // namespace jiebang
