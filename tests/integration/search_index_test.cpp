// SearchIndex tests: catch-up from a real SQLite store into real Xapian databases, batches,
// reopening, the read-only second opener, rebuild.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <xapian.h>

#include "jiebang/core/records.h"
#include "jiebang/core/taxonomy.h"
#include "jiebang/index/search_index.h"
#include "jiebang/index/summary.h"
#include "jiebang/store/store.h"
#include "jiebang/text/normalize.h"
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

  /// The first record of that kind the store lists (nullopt when there is none).
  template <typename Record>
  std::optional<Record> first_stored() {
    std::optional<Record> first;
    auto keep = [&](Record&& r) {
      first = std::move(r);
      return false;
    };
    Status st;
    if constexpr (std::is_same_v<Record, Scenario>) st = store_->for_each_scenario(keep);
    else st = store_->for_each_enterprise(keep);
    EXPECT_TRUE(st.is_ok()) << st.to_string();
    return first;
  }

  static std::set<std::string> ids(const std::vector<SearchHit>& hits) {
    std::set<std::string> out;
    for (const auto& h : hits) out.insert(h.id);
    return out;
  }

  size_t scenario_count_ = 0, enterprise_count_ = 0;
};

/// Everything a database holds per document, in docid order: data, values, and each term with
/// its within-document frequency and number of positions; with `docids` false, without the docid
/// and sorted (the same documents in any order).
std::vector<std::string> dump_database(const std::string& path, bool docids = true) {
  Xapian::Database db(path);
  std::vector<std::string> out;
  for (auto d = db.postlist_begin(""); d != db.postlist_end(""); ++d) {
    Xapian::Document doc = db.get_document(*d);
    std::string row = (docids ? std::to_string(*d) : std::string()) + "|" + doc.get_data() + "|";
    for (auto v = doc.values_begin(); v != doc.values_end(); ++v) row += std::to_string(v.get_valueno()) + "=" + *v + ";";
    row += "|";
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t)
      row += *t + ":" + std::to_string(t.get_wdf()) + ":" + std::to_string(t.positionlist_count()) + " ";
    out.push_back(std::move(row));
  }
  if (!docids) std::sort(out.begin(), out.end());
  return out;
}

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

// Positions are written only where phrase search reads them: the scenarios (the search box's
// quoted parts). Profiles and past cases are ranked by BM25 alone, and carry no positions.
TEST_F(SearchIndexTest, PositionsOnlyInTheScenarios) {
  load_fixtures();
  {
    auto index = open_index();
    ASSERT_TRUE(index);
    auto p = index->catch_up(*store_);
    ASSERT_TRUE(p.is_ok()) << p.status().to_string();
    // A quoted phrase (a phrase query: positions) still finds its scenario.
    SearchFilters any;
    any.status = "";
    auto hits = index->search_scenarios("\"巡检机器人\"", any, 50);
    ASSERT_TRUE(hits.is_ok()) << hits.status().to_string();
    EXPECT_TRUE(ids(*hits).count("hz-2026-03-001"));
  }
  Xapian::Database scenarios(tmp_.file("index") + "/scenarios");
  Xapian::Database enterprises(tmp_.file("index") + "/enterprises");
  Xapian::Database cases(tmp_.file("index") + "/cases");
  EXPECT_TRUE(scenarios.has_positions());
  ASSERT_GT(enterprises.get_doccount(), 0u);
  ASSERT_GT(cases.get_doccount(), 0u);
  EXPECT_FALSE(enterprises.has_positions());
  EXPECT_FALSE(cases.has_positions());
}

// Documents are built on several threads and written by one writer per database; the databases
// are the same, document for document and docid for docid, as with one thread: through batches
// that split records and chunks, an update, and a rebuild.
TEST_F(SearchIndexTest, ThreadsWriteTheSameDocuments) {
  load_fixtures();
  auto build = [&](const std::string& dir, unsigned threads, bool rebuild) {
    auto index = SearchIndex::open(tmp_.file(dir), regions_, industries_);
    ASSERT_TRUE(index.is_ok()) << index.status().to_string();
    (*index)->set_index_threads(threads);
    EXPECT_EQ((*index)->index_threads(), threads);
    auto p = rebuild ? (*index)->rebuild(*store_) : (*index)->catch_up(*store_, 7);
    ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  };
  auto same = [&](const std::string& other, bool docids) {
    for (const char* db : {"scenarios", "enterprises", "cases"}) {
      auto one = dump_database(tmp_.file("one") + "/" + db, docids);
      ASSERT_FALSE(one.empty()) << db;
      EXPECT_EQ(one, dump_database(tmp_.file(other) + "/" + db, docids)) << other << "/" << db;
    }
  };
  build("one", 1, false);
  build("four", 4, false);
  build("rebuilt", 3, true);
  same("four", true);
  same("rebuilt", false);  // a rebuild reads the records in the store's order, not the changes'; the same documents
  // An update: the profile and its cases replaced, in both.
  std::optional<Enterprise> first = first_stored<Enterprise>();
  ASSERT_TRUE(first);
  first->description += " 新增巡检机器人能力";
  ASSERT_TRUE(store_->upsert_enterprises({*first}).is_ok());
  build("one", 1, false);
  build("four", 4, false);
  same("four", true);
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

/// Bytes in the files directly under `dir`.
uintmax_t dir_bytes(const std::string& dir) {
  uintmax_t n = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir))
    if (f.is_regular_file()) n += f.file_size();
  return n;
}

// compact(): every document (docid, data, values, terms), the metadata and the results are the
// same, the files smaller; the index stays writable; a reader opened before it keeps answering,
// and after its reopen too; a compaction's leftover is removed when a writer opens the index.
TEST_F(SearchIndexTest, CompactionKeepsEveryDocumentAndShrinksTheFiles) {
  load_fixtures();
  auto index = open_index();
  ASSERT_TRUE(index);
  ASSERT_TRUE(index->catch_up(*store_).is_ok());
  const std::string dir = tmp_.file("index");
  std::map<std::string, std::vector<std::string>> docs;
  uintmax_t bytes_before = 0;
  for (const char* db : {"scenarios", "enterprises", "cases"}) {
    docs[db] = dump_database(dir + "/" + db);
    ASSERT_FALSE(docs[db].empty()) << db;
    bytes_before += dir_bytes(dir + "/" + db);
  }
  SearchFilters any;
  any.status = "";
  auto hit_ids = [&](SearchIndex& i) {
    std::vector<std::string> out;
    auto hits = i.search_scenarios("智慧医疗 巡检机器人", any, 30);
    EXPECT_TRUE(hits.is_ok()) << hits.status().to_string();
    if (hits.is_ok())
      for (const auto& h : *hits) out.push_back(h.id + " " + std::to_string(h.score));
    return out;
  };
  const auto before = hit_ids(*index);
  ASSERT_FALSE(before.empty());
  auto reader = SearchIndex::open_reader(dir, regions_, industries_);
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();

  Status st = index->compact();
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  uintmax_t bytes_after = 0;
  for (const char* db : {"scenarios", "enterprises", "cases"}) {
    EXPECT_EQ(dump_database(dir + "/" + db), docs[db]) << db;
    EXPECT_FALSE(std::filesystem::exists(dir + "/" + db + ".compact")) << db;
    bytes_after += dir_bytes(dir + "/" + db);
  }
  EXPECT_LT(bytes_after, bytes_before);
  EXPECT_EQ(*index->applied_seq(), *store_->last_seq());
  EXPECT_TRUE(index->writable());
  EXPECT_EQ(hit_ids(*index), before);
  EXPECT_EQ(hit_ids(**reader), before);
  ASSERT_TRUE((*reader)->reopen().is_ok());
  EXPECT_EQ(hit_ids(**reader), before);

  // Still the writer: a change after the compaction is applied and found.
  std::optional<Scenario> first = first_stored<Scenario>();
  ASSERT_TRUE(first);
  first->title += " 压缩之后qzx";
  ASSERT_TRUE(store_->upsert_scenarios({*first}).is_ok());
  ASSERT_TRUE(index->catch_up(*store_).is_ok());
  auto found = index->search_scenarios("qzx", any, 5);
  ASSERT_TRUE(found.is_ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().id, first->id);

  // A crash mid-compaction leaves <db>.compact: the next writer removes it.
  reader->reset();
  index.reset();
  std::filesystem::create_directories(dir + "/cases.compact");
  std::ofstream(dir + "/cases.compact/postlist.glass") << "partial";
  index = open_index();
  ASSERT_TRUE(index);
  EXPECT_FALSE(std::filesystem::exists(dir + "/cases.compact"));
  EXPECT_EQ(*index->applied_seq(), *store_->last_seq());
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

// Readable failures for the summary parts (gtest finds these by argument-dependent lookup).
void PrintTo(const PastCustomer& c, std::ostream* os) {
  *os << "{" << c.customer << ", key " << c.key << ", year " << (c.year ? std::to_string(*c.year) : "-") << ", stage "
      << c.stage << "}";
}
void PrintTo(const MatchOutcome& o, std::ostream* os) {
  *os << "{" << o.publisher << ", key " << o.key << ", " << o.stage << "}";
}

namespace {

// The typed summaries (issue 17, "typed boundaries"): every field written with a document reads
// back as the record gave it, through the one stored form (src/index/summary_codec.cpp) — a full
// record and a sparse one, an enterprise's outcomes from the match loop included.
TEST_F(SearchIndexTest, EverySummaryReadsBackAsItsStoredData) {
  const std::string kPublisher = "国网杭州供电公司";
  auto scenario = [](const nlohmann::json& j) {
    std::vector<FieldError> errors;
    auto s = scenario_from_json(j, errors);
    EXPECT_TRUE(s.has_value()) << format_field_errors(errors);
    return s.value_or(Scenario{});
  };
  auto enterprise = [](const nlohmann::json& j) {
    std::vector<FieldError> errors;
    auto e = enterprise_from_json(j, errors);
    EXPECT_TRUE(e.has_value()) << format_field_errors(errors);
    return e.value_or(Enterprise{});
  };
  Scenario full = scenario({{"id", "sum-s1"}, {"title", "电力隧道巡检"}, {"description", "隧道巡检机器人"},
                            {"publisher", kPublisher}, {"region", "330108"}, {"industries", {"C3492", "智慧电网"}},
                            {"required_trl", 7}, {"deadline", "2027-01-15"}, {"status", "open"},
                            {"budget", {{"amount_min", 1500000.0}, {"amount_max", 3000000.5}, {"currency", "CNY"}}},
                            {"required_qualifications", {"ISO9001", "安全生产许可证"}}});
  Scenario sparse = scenario({{"id", "sum-s2"}, {"title", "Signals"}, {"description", "Traffic signal timing"},
                              {"publisher", "ＡＢＣ醫院"}, {"region", "某开发区"}});
  Enterprise rich = enterprise(
      {{"id", "sum-e1"}, {"name", "杭州睿巡"}, {"description", "巡检机器人"}, {"region", "330108"},
       {"industries", {"C3492", "智慧电网"}}, {"trl", 8}, {"qualifications", {"ISO9001"}},
       {"size", {{"employees", 120}}}, {"contact", {{"email", "bd@example.com"}}},
       {"cases", {{{"title", "挂轨巡检"}, {"customer", kPublisher}, {"year", 2024}, {"stage", "commercialized"}},
                  {{"title", "校园巡检"}, {"customer", "浙江大学"}},
                  {{"title", "自研"}}}}});
  Enterprise bare = enterprise({{"id", "sum-e2"}, {"name", "Bare Co"}, {"description", "nothing much"}});
  ASSERT_TRUE(store_->upsert_scenarios({full, sparse}).is_ok());
  ASSERT_TRUE(store_->upsert_enterprises({rich, bare}).is_ok());
  // A match of sum-e1 that reached validation: its outcome joins the indexed summary.
  MatchEventRow first;
  first.actor_role = Role::kEnterprise;
  first.actor_id = "sum-e1";
  first.at = "2026-11-20T08:00:00Z";
  first.to_stage = Stage::kApplied;
  auto m = store_->create_match("sum-s1", "sum-e1", first);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  for (Stage to : {Stage::kSelected, Stage::kRd, Stage::kValidation}) {
    MatchEventRow ev = first;
    ev.actor_role = Role::kPublisher;
    ev.actor_id = kPublisher;
    ev.to_stage = to;
    auto moved = store_->append_match_event(
        m->id, [](const MatchRow&, MatchEventRow&) { return Status::ok(); }, ev, track_record_stages());
    ASSERT_TRUE(moved.is_ok()) << moved.status().to_string();
  }
  auto index = open_index();
  ASSERT_TRUE(index);
  ASSERT_TRUE(index->catch_up(*store_).is_ok());

  ScenarioSummary want_full;
  want_full.id = "sum-s1";
  want_full.title = "电力隧道巡检";
  want_full.publisher = kPublisher;
  want_full.publisher_key = text::normalize_name(kPublisher);
  want_full.region = "330108";
  want_full.industries = {"C3492", "智慧电网"};
  want_full.status = "open";
  want_full.required_trl = 7;
  want_full.budget_min_minor = 150000000;
  want_full.budget_max_minor = 300000050;
  want_full.currency = "CNY";
  want_full.required_qualifications = {"ISO9001", "安全生产许可证"};
  want_full.deadline = "2027-01-15";
  ScenarioSummary want_sparse;
  want_sparse.id = "sum-s2";
  want_sparse.title = "Signals";
  want_sparse.publisher = "ＡＢＣ醫院";
  want_sparse.publisher_key = text::normalize_name("ＡＢＣ醫院");
  want_sparse.region = "某开发区";  // not a code: kept as given
  want_sparse.status = "open";
  EnterpriseSummary want_rich;
  want_rich.id = "sum-e1";
  want_rich.name = "杭州睿巡";
  want_rich.region = "330108";
  want_rich.industries = {"C3492", "智慧电网"};
  want_rich.trl = 8;
  want_rich.customers = {{kPublisher, text::normalize_name(kPublisher), 2024, "commercialized"},
                         {"浙江大学", text::normalize_name("浙江大学"), std::nullopt, ""}};
  want_rich.outcomes = {{kPublisher, text::normalize_name(kPublisher), "validation"}};
  want_rich.qualifications = {"ISO9001"};
  EnterpriseSummary want_bare;
  want_bare.id = "sum-e2";
  want_bare.name = "Bare Co";

  for (const auto& [kind, id, want] :
       std::vector<std::tuple<RecordKind, std::string, RecordSummary>>{{RecordKind::kScenario, "sum-s1", want_full},
                                                                       {RecordKind::kScenario, "sum-s2", want_sparse},
                                                                       {RecordKind::kEnterprise, "sum-e1", want_rich},
                                                                       {RecordKind::kEnterprise, "sum-e2", want_bare}}) {
    auto got = index->summary(kind, id);
    ASSERT_TRUE(got.has_value()) << id;
    EXPECT_EQ(got->index(), want.index()) << id;
    EXPECT_TRUE(*got == want) << id;
  }
  // Field by field too, so a failure names the field.
  auto rich_got = std::get<EnterpriseSummary>(*index->summary(RecordKind::kEnterprise, "sum-e1"));
  EXPECT_EQ(rich_got.customers, want_rich.customers);
  EXPECT_EQ(rich_got.outcomes, want_rich.outcomes);
  EXPECT_EQ(rich_got.trl, want_rich.trl);
  auto full_got = std::get<ScenarioSummary>(*index->summary(RecordKind::kScenario, "sum-s1"));
  EXPECT_EQ(full_got.budget_min_minor, want_full.budget_min_minor);
  EXPECT_EQ(full_got.budget_max_minor, want_full.budget_max_minor);
  EXPECT_EQ(full_got.currency, want_full.currency);
  EXPECT_EQ(full_got.required_qualifications, want_full.required_qualifications);
  EXPECT_EQ(full_got.deadline, want_full.deadline);
  // The search box's hits carry the same summary.
  auto hits = index->search_scenarios("电力隧道巡检", SearchFilters{}, 5);
  ASSERT_TRUE(hits.is_ok());
  ASSERT_FALSE(hits->empty());
  EXPECT_TRUE(hits->front().summary == want_full);
  EXPECT_FALSE(index->summary(RecordKind::kEnterprise, "no-such").has_value());
}

}  // namespace
}  // namespace jiebang
