// Attribute-fit and weight-configuration tests: track record, Han detection, MatchWeights.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "jiebang/index/fit_rules.h"
#include "jiebang/match/matcher.h"
#include "test_util.h"

namespace jiebang {
namespace {

using nlohmann::json;

std::vector<PastCustomer> customers(std::initializer_list<const char*> names) {
  std::vector<PastCustomer> out;
  for (const char* n : names) out.push_back({n, "", 2024, ""});  // key left empty: computed from the name
  return out;
}

using Outcomes = std::vector<MatchOutcome>;
const Outcomes kNone;  // no outcomes of earlier matches
const std::vector<PastCustomer> kNoCases;

TEST(TrackRecordFit, ExactCasesCountGeometrically) {
  int exact = -1, parent = -1;
  // n exact cases: 1 - 0.5^n.
  EXPECT_DOUBLE_EQ(track_record_fit("国网杭州供电公司", customers({"国网杭州供电公司"}), kNone, &exact, &parent), 0.5);
  EXPECT_EQ(exact, 1);
  EXPECT_EQ(parent, 0);
  EXPECT_DOUBLE_EQ(
      track_record_fit("国网杭州供电公司", customers({"国网杭州供电公司", "国网宁波供电公司", "国网杭州供电公司"}),
                       kNone, &exact, &parent),
      0.75);
  EXPECT_EQ(exact, 2);
}

TEST(TrackRecordFit, ParentOrganisationCountsHalf) {
  int exact = -1, parent = -1;
  // Publisher "国家电网 / 国网杭州供电公司": parent "国家电网". Two cases for siblings or the parent:
  // half of 1 - 0.5^2 = 0.375.
  double fit =
      track_record_fit("国家电网 / 国网杭州供电公司",
                       customers({"国家电网 / 国网宁波供电公司", "国家电网", "浙江大学"}), kNone, &exact, &parent);
  EXPECT_DOUBLE_EQ(fit, 0.375);
  EXPECT_EQ(exact, 0);
  EXPECT_EQ(parent, 2);
}

TEST(TrackRecordFit, ExactWinsOverParent) {
  int exact = 0, parent = 0;
  double fit = track_record_fit("国家电网 / 国网杭州供电公司",
                                customers({"国家电网 / 国网杭州供电公司", "国家电网 / 国网宁波供电公司"}), kNone,
                                &exact, &parent);
  EXPECT_DOUBLE_EQ(fit, 0.5);
  EXPECT_EQ(exact, 1);
  EXPECT_EQ(parent, 1);
}

TEST(TrackRecordFit, MatchOutcomesCountTwoOrThree) {
  int exact = 0, parent = 0;
  // One validated outcome (2) + one listed case (1) = 3 pieces of evidence: 1 - 0.5^3 = 0.875.
  Outcomes outcomes = {{"国网杭州供电公司", "", "validation"}};
  EXPECT_DOUBLE_EQ(track_record_fit("国网杭州供电公司", customers({"国网杭州供电公司"}), outcomes, &exact, &parent),
                   0.875);
  EXPECT_EQ(exact, 3);
  // A commercialised outcome alone counts 3.
  outcomes = {{"国网杭州供电公司", "", "commercialized"}};
  EXPECT_DOUBLE_EQ(track_record_fit("国网杭州供电公司", kNoCases, outcomes, &exact, &parent), 0.875);
  EXPECT_EQ(exact, 3);
  // An outcome with its parent organisation: m = 2 → half of 0.75.
  outcomes = {{"国家电网 / 国网宁波供电公司", "", "validation"}};
  EXPECT_DOUBLE_EQ(track_record_fit("国家电网 / 国网杭州供电公司", kNoCases, outcomes, &exact, &parent), 0.375);
  EXPECT_EQ(exact, 0);
  EXPECT_EQ(parent, 2);
}

TEST(TrackRecordFit, NamesComparedAfterNormalisation) {
  int exact = 0;
  EXPECT_DOUBLE_EQ(track_record_fit("ＡＢＣ醫院", customers({"abc医院"}), kNone, &exact, nullptr), 0.5);
  EXPECT_EQ(exact, 1);
}

TEST(TrackRecordFit, NothingToCompareGivesZero) {
  EXPECT_EQ(track_record_fit("", customers({""}), kNone, nullptr, nullptr), 0);
  EXPECT_EQ(track_record_fit("国网杭州供电公司", kNoCases, kNone, nullptr, nullptr), 0);
  EXPECT_EQ(track_record_fit("国网杭州供电公司", customers({"国网宁波供电公司"}), kNone, nullptr, nullptr), 0);
}

// Xapian 1.4's BM25Weight IDF, which the marketplace IDF (RankingConfig::other_side_docs) scales
// each query term's weight by: log((N − n + .5) / (n + .5)), floored as r / 2 + 1 below 2.
TEST(Bm25Idf, XapianFormulaWithItsFloor) {
  EXPECT_NEAR(fit::bm25_idf(100, 1), std::log(99.5 / 1.5), 1e-12);
  EXPECT_NEAR(fit::bm25_idf(100, 9.5), std::log(91.0 / 10.0), 1e-12);  // fractional counts
  // Half the documents or more: r < 2, so r / 2 + 1 keeps the weight positive.
  EXPECT_NEAR(fit::bm25_idf(100, 60), std::log((40.5 / 60.5) / 2 + 1), 1e-12);
  EXPECT_GT(fit::bm25_idf(100, 100), 0);
  // Rarer is more informative, everywhere on the scale.
  for (double n = 1; n < 100; n += 7) EXPECT_GT(fit::bm25_idf(100, n), fit::bm25_idf(100, n + 7)) << n;
}

// A record's own text score (the text fit's absolute scale) is Xapian's BM25 weight of the record
// as one more document of the other side's collection. fit::bm25_document_weight computes it
// from the statistics; here Xapian itself is the reference: the document added to the collection
// (an in-memory database beside it) and weighed by BM25Weight through an OR query of terms with
// wqf and OP_SCALE_WEIGHT factors, as the ranking builds it.
TEST(Bm25DocumentWeight, EqualsXapiansWeightOfTheDocumentAddedToTheCollection) {
  std::mt19937 rng(7);
  std::vector<std::string> vocabulary;
  for (int i = 0; i < 40; ++i) vocabulary.push_back("t" + std::to_string(i));
  auto random_document = [&](int max_terms) {
    Xapian::Document d;
    std::uniform_int_distribution<int> count(1, max_terms), term(0, 39), wdf(1, 6);
    for (int k = count(rng); k > 0; --k) d.add_term(vocabulary[term(rng)], wdf(rng));
    d.add_boolean_term("Qid" + std::to_string(rng()));  // wdf 0: no length, as the records' id terms
    return d;
  };
  Xapian::WritableDatabase collection(std::string(), Xapian::DB_BACKEND_INMEMORY);
  for (int i = 0; i < 60; ++i) collection.add_document(random_document(25));
  collection.commit();
  struct Params {
    double k1, b;
  };
  int compared = 0;
  for (Params p : {Params{2.0, 0.85}, Params{1.2, 0.75}, Params{2.0, 0}, Params{0, 0.5}}) {
    for (int round = 0; round < 10; ++round) {
      Xapian::Document self = random_document(30);
      // The query: 12 terms, some the document lacks, wqf 1–3, a few scaled.
      std::vector<Xapian::Query> parts;
      std::vector<fit::Bm25Term> terms;
      std::uniform_int_distribution<int> term(0, 39), wqf(1, 3), scaled(0, 3);
      std::set<std::string> chosen;
      while (chosen.size() < 12) chosen.insert(vocabulary[term(rng)]);
      for (const auto& t : chosen) {
        fit::Bm25Term bt;
        bt.termfreq = collection.get_termfreq(t);
        bt.wqf = wqf(rng);
        bt.scale = scaled(rng) == 0 ? 0.37 : 1;
        for (auto it = self.termlist_begin(); it != self.termlist_end(); ++it)
          if (*it == t) bt.wdf = it.get_wdf();
        Xapian::Query q(t, static_cast<Xapian::termcount>(bt.wqf));
        parts.push_back(bt.scale != 1 ? Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q, bt.scale) : q);
        terms.push_back(bt);
      }
      double length = 0;
      for (auto it = self.termlist_begin(); it != self.termlist_end(); ++it) length += it.get_wdf();

      Xapian::Document marked = self;
      marked.add_boolean_term("XSELF");
      Xapian::WritableDatabase one(std::string(), Xapian::DB_BACKEND_INMEMORY);
      one.add_document(marked);
      Xapian::Database both(collection);
      both.add_database(one);
      Xapian::Enquire enquire(both);
      enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER, Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end()),
                                      Xapian::Query("XSELF")));
      enquire.set_weighting_scheme(Xapian::BM25Weight(p.k1, 0, 1, p.b, 0.5));
      Xapian::MSet m = enquire.get_mset(0, 1);
      const double xapian = m.empty() ? 0 : m.begin().get_weight();
      const double ours = fit::bm25_document_weight(terms, collection.get_doccount(),
                                                    static_cast<double>(collection.get_total_length()), length, p.k1,
                                                    p.b, 0.5);
      EXPECT_NEAR(ours, xapian, 1e-9 * std::max(1.0, xapian)) << "k1 " << p.k1 << " b " << p.b << " round " << round;
      if (xapian > 0) ++compared;
    }
  }
  EXPECT_GE(compared, 30);  // the documents did share terms with the queries
}

TEST(HasHan, DetectsCjkIdeographsOnly) {
  EXPECT_TRUE(has_han("电力隧道"));
  EXPECT_TRUE(has_han("Metro 隧道"));
  EXPECT_TRUE(has_han("㐀"));  // U+3400, CJK Extension A
  EXPECT_FALSE(has_han("Metro tunnel inspection"));
  EXPECT_FALSE(has_han("、。"));          // CJK punctuation
  EXPECT_FALSE(has_han("あいう"));        // kana
  EXPECT_FALSE(has_han("Ｔｕｎｎｅｌ"));  // full-width Latin
  EXPECT_FALSE(has_han(""));
}

TEST(MatchWeights, EmptyObjectGivesDefaults) {
  auto w = MatchWeights::from_json(json::object());
  ASSERT_TRUE(w.is_ok()) << w.status().to_string();
  MatchWeights d;
  EXPECT_EQ(w->text, d.text);
  EXPECT_EQ(w->track_record, d.track_record);
  EXPECT_EQ(w->candidates, d.candidates);
  EXPECT_EQ(w->bm25_b, d.bm25_b);
}

TEST(MatchWeights, ReadsKnownKeysAndIgnoresUnderscoreKeys) {
  auto w = MatchWeights::from_json(
      {{"_comment", "x"}, {"text", 2.0}, {"region", 0.4}, {"candidates", 50}, {"bm25_b", 1.0}, {"bm25_k1", 0}});
  ASSERT_TRUE(w.is_ok()) << w.status().to_string();
  EXPECT_EQ(w->text, 2.0);
  EXPECT_EQ(w->region, 0.4);
  EXPECT_EQ(w->candidates, 50u);
  EXPECT_EQ(w->bm25_b, 1.0);
  EXPECT_EQ(w->bm25_k1, 0.0);
}

TEST(MatchWeights, BadKeysNamed) {
  struct Bad {
    json j;
    const char* key;
  };
  for (const Bad& b :
       {Bad{{{"txt", 1}}, "txt"}, Bad{{{"region", -0.1}}, "region"}, Bad{{{"industry", "0.2"}}, "industry"},
        Bad{{{"bm25_b", 1.5}}, "bm25_b"}, Bad{{{"candidates", 0}}, "candidates"}}) {
    auto w = MatchWeights::from_json(b.j);
    ASSERT_FALSE(w.is_ok()) << b.j.dump();
    EXPECT_EQ(w.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(w.status().message().find(b.key), std::string::npos) << w.status().message();
  }
  EXPECT_FALSE(MatchWeights::from_json(json::array()).is_ok());
}

double weight_named(const MatchWeights& w, const std::string& key) {
  if (key == "text") return w.text;
  if (key == "case_share") return w.case_share;
  if (key == "second_case") return w.second_case;
  if (key == "track_record") return w.track_record;
  if (key == "industry") return w.industry;
  if (key == "region") return w.region;
  if (key == "readiness") return w.readiness;
  if (key == "candidates") return static_cast<double>(w.candidates);
  if (key == "max_query_terms") return static_cast<double>(w.max_query_terms);
  if (key == "bm25_k1") return w.bm25_k1;
  if (key == "bm25_b") return w.bm25_b;
  if (key == "other_side_docs") return w.other_side_docs;
  if (key == "min_text_fit") return w.min_text_fit;
  if (key == "gap_text_fit") return w.gap_text_fit;
  ADD_FAILURE() << "ranking.json key the test does not know: " << key;
  return -1;
}

TEST(MatchWeights, LoadsIndexRankingJson) {
  std::string path = testing::index_dir() + "/ranking.json";
  json file = json::parse(testing::read_file(path));
  auto w = MatchWeights::load(path);
  ASSERT_TRUE(w.is_ok()) << w.status().to_string();
  size_t compared = 0;
  for (auto it = file.begin(); it != file.end(); ++it) {
    if (it.key().rfind("_", 0) == 0) continue;
    EXPECT_DOUBLE_EQ(weight_named(*w, it.key()), it->get<double>()) << it.key();
    ++compared;
  }
  EXPECT_GE(compared, 5u);
}

// One source for each default: RankingConfig's own defaults are index/ranking.json's values, so
// code that builds a config without loading the file ranks as the CLI and the evaluation do; and
// the file names every field (to_json lists them all), so no default lives only in the code.
TEST(RankingConfig, DefaultsAreIndexRankingJson) {
  json file = json::parse(testing::read_file(testing::index_dir() + "/ranking.json"));
  RankingConfig defaults;
  size_t compared = 0;
  for (auto it = file.begin(); it != file.end(); ++it) {
    if (it.key().rfind("_", 0) == 0) continue;
    EXPECT_DOUBLE_EQ(weight_named(defaults, it.key()), it->get<double>()) << it.key();
    ++compared;
  }
  json fields = defaults.to_json();
  EXPECT_EQ(compared, fields.size()) << "every field of RankingConfig is in index/ranking.json";
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    ASSERT_TRUE(file.contains(it.key())) << it.key() << " is missing from index/ranking.json";
    EXPECT_DOUBLE_EQ(it->get<double>(), file[it.key()].get<double>()) << it.key();
  }
}

TEST(RankingConfig, JsonRoundTrip) {
  RankingConfig c;
  c.text = 0.9;
  c.case_share = 0.3;
  c.candidates = 7;
  c.max_query_terms = 40;
  c.bm25_b = 0.5;
  c.min_text_fit = 0.1;
  c.gap_text_fit = 0.6;
  auto back = RankingConfig::from_json(c.to_json());
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->to_json(), c.to_json());
}

TEST(MatchWeights, LoadErrors) {
  testing::TempDir tmp;
  auto missing = MatchWeights::load(tmp.file("none.json"));
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);

  testing::write_file(tmp.file("bad.json"), "{\"text\": ");
  auto bad = MatchWeights::load(tmp.file("bad.json"));
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("bad.json"), std::string::npos);

  testing::write_file(tmp.file("key.json"), "{\"speed\": 1}");
  auto key = MatchWeights::load(tmp.file("key.json"));
  ASSERT_FALSE(key.is_ok());
  EXPECT_EQ(key.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(key.status().message().find("speed"), std::string::npos);
  EXPECT_NE(key.status().message().find("key.json"), std::string::npos);
}

}  // namespace
}  // namespace jiebang
