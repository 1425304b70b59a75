// Evaluation tests: MRR@k, Recall@k, nDCG@k on hand-worked lists; qrels reading; run writing.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "jiebang/match/eval.h"

namespace jiebang {
namespace {

TEST(Measure, HandWorkedListWithGradedRelevance) {
  // ranked [x, a, y, b]; relevant a = 1, b = 2.
  //   RR     = 1/2 (first relevant, a, at rank 2)
  //   Recall = 2/2
  //   DCG    = (2^1-1)/log2(2+1) + (2^2-1)/log2(4+1) = 0.63093 + 1.29203 = 1.92296
  //   IDCG   = (2^2-1)/log2(1+1) + (2^1-1)/log2(2+1) = 3 + 0.63093 = 3.63093
  //   nDCG   = 1.92296 / 3.63093 = 0.52960
  auto m = measure({"x", "a", "y", "b"}, {{"a", 1}, {"b", 2}});
  EXPECT_DOUBLE_EQ(m.reciprocal_rank, 0.5);
  EXPECT_DOUBLE_EQ(m.recall, 1.0);
  double dcg = 1.0 / std::log2(3.0) + 3.0 / std::log2(5.0);
  double idcg = 3.0 / std::log2(2.0) + 1.0 / std::log2(3.0);
  EXPECT_NEAR(m.ndcg, dcg / idcg, 1e-12);
  EXPECT_NEAR(m.ndcg, 0.52960, 1e-5);
}

TEST(Measure, CutOffLeavesOutLaterDocuments) {
  // k = 3: b (rank 4) is cut. RR 1/2, Recall 1/2, DCG = 0.63093, IDCG still 3.63093 (both fit in 3).
  auto m = measure({"x", "a", "y", "b"}, {{"a", 1}, {"b", 2}}, 3);
  EXPECT_DOUBLE_EQ(m.reciprocal_rank, 0.5);
  EXPECT_DOUBLE_EQ(m.recall, 0.5);
  EXPECT_NEAR(m.ndcg, (1.0 / std::log2(3.0)) / (3.0 + 1.0 / std::log2(3.0)), 1e-12);
  EXPECT_NEAR(m.ndcg, 0.17377, 1e-5);
}

TEST(Measure, IdealOrderScoresOne) {
  auto m = measure({"b", "a", "x"}, {{"a", 1}, {"b", 2}});
  EXPECT_DOUBLE_EQ(m.reciprocal_rank, 1.0);
  EXPECT_DOUBLE_EQ(m.recall, 1.0);
  EXPECT_NEAR(m.ndcg, 1.0, 1e-12);
}

TEST(Measure, IdealDcgCutAtK) {
  // Three relevant documents (2, 2, 1) and k = 2: IDCG uses the best two only.
  //   ranked [p, q]: p = 2 at rank 1, q = 1 at rank 2 → DCG = 3 + 1/log2(3) = 3.63093
  //   IDCG@2 = 3 + 3/log2(3) = 4.89279; nDCG = 0.74210; Recall = 2/3.
  auto m = measure({"p", "q", "r"}, {{"p", 2}, {"q", 1}, {"r", 2}}, 2);
  EXPECT_NEAR(m.ndcg, (3.0 + 1.0 / std::log2(3.0)) / (3.0 + 3.0 / std::log2(3.0)), 1e-12);
  EXPECT_NEAR(m.ndcg, 0.74210, 1e-5);
  EXPECT_NEAR(m.recall, 2.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(m.reciprocal_rank, 1.0);
}

TEST(Measure, NoRelevantDocumentRetrieved) {
  auto m = measure({"x", "y"}, {{"a", 2}});
  EXPECT_EQ(m.reciprocal_rank, 0);
  EXPECT_EQ(m.recall, 0);
  EXPECT_EQ(m.ndcg, 0);
  m = measure({}, {{"a", 1}});
  EXPECT_EQ(m.reciprocal_rank, 0);
}

TEST(Measure, ZeroOrNegativeRelevanceIsNotRelevant) {
  // a = 0 and c = -1 are judged but not relevant; the first relevant is b at rank 3.
  auto m = measure({"a", "c", "b"}, {{"a", 0}, {"b", 1}, {"c", -1}});
  EXPECT_NEAR(m.reciprocal_rank, 1.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(m.recall, 1.0);
  EXPECT_NEAR(m.ndcg, (1.0 / std::log2(4.0)) / 1.0, 1e-12);
  m = measure({"a"}, {{"a", 0}});
  EXPECT_EQ(m.reciprocal_rank, 0);
  EXPECT_EQ(m.ndcg, 0);
}

TEST(EvalSummary, AccumulateAndFinishAverage) {
  EvalSummary s;
  accumulate(s, {1.0, 0.5, 0.8});
  accumulate(s, {0.5, 1.0, 0.4});
  accumulate(s, {0.0, 0.0, 0.0});
  finish(s);
  EXPECT_EQ(s.queries, 3u);
  EXPECT_NEAR(s.mrr, 0.5, 1e-12);
  EXPECT_NEAR(s.recall, 0.5, 1e-12);
  EXPECT_NEAR(s.ndcg, 0.4, 1e-12);
}

TEST(EvalSummary, FinishWithNoQueriesLeavesZeros) {
  EvalSummary s;
  finish(s);
  EXPECT_EQ(s.queries, 0u);
  EXPECT_EQ(s.mrr, 0);
  EXPECT_FALSE(std::isnan(s.ndcg));
}

// --per-query: the rank of the first relevant answer anywhere in the list, and each relevant
// answer below k with its rank (below k first by rank, then those not in the list by id).
TEST(ReportQuery, FirstRelevantAndTheAnswersMissedWithTheirRanks) {
  std::vector<std::string> ranked = {"n1", "a", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10", "n11", "b", "d"};
  std::map<std::string, int> judged = {{"a", 1}, {"b", 2}, {"c", 1}, {"d", 1}, {"n1", 0}, {"n3", -1}};
  auto r = report_query("q1", ranked, judged, 10);
  EXPECT_EQ(r.query, "q1");
  EXPECT_EQ(r.relevant, 4u);
  EXPECT_EQ(r.first_relevant, 2u);
  using Missed = std::vector<std::pair<std::string, size_t>>;
  EXPECT_EQ(r.missed, (Missed{{"b", 12}, {"d", 13}, {"c", 0}}));
  auto m = measure(ranked, judged, 10);
  EXPECT_EQ(r.measures.reciprocal_rank, m.reciprocal_rank);
  EXPECT_EQ(r.measures.recall, m.recall);
  EXPECT_EQ(r.measures.ndcg, m.ndcg);
  EXPECT_DOUBLE_EQ(r.measures.recall, 0.25);

  // The first relevant answer below k still has its rank; the cut-off is the caller's.
  r = report_query("q2", {"x", "y", "a"}, {{"a", 1}}, 2);
  EXPECT_EQ(r.first_relevant, 3u);
  EXPECT_EQ(r.measures.reciprocal_rank, 0);
  EXPECT_EQ(r.missed, (Missed{{"a", 3}}));

  // Nothing relevant in the list: rank 0, every relevant answer missed, by id.
  r = report_query("q3", {"x"}, {{"z", 1}, {"y", 2}, {"x", 0}}, 10);
  EXPECT_EQ(r.first_relevant, 0u);
  EXPECT_EQ(r.missed, (Missed{{"y", 0}, {"z", 0}}));
  // All within k: nothing missed.
  r = report_query("q4", {"a", "b"}, {{"a", 1}, {"b", 1}}, 10);
  EXPECT_TRUE(r.missed.empty());
  EXPECT_EQ(r.first_relevant, 1u);
}

TEST(ReadQrels, ReadsTabsAndSpacesAndSkipsBlankLines) {
  std::istringstream in("hz-1\t0\tent-1\t2\n\nhz-1 0 ent-2 1\r\nhz-2\t0\t91350100M000100Y43\t0\n");
  auto q = read_qrels(in);
  ASSERT_TRUE(q.is_ok()) << q.status().to_string();
  ASSERT_EQ(q->size(), 2u);
  EXPECT_EQ(q->at("hz-1").at("ent-1"), 2);
  EXPECT_EQ(q->at("hz-1").at("ent-2"), 1);
  EXPECT_EQ(q->at("hz-2").at("91350100M000100Y43"), 0);
}

TEST(ReadQrels, WrongFieldCountNamesTheLine) {
  std::istringstream in("hz-1\t0\tent-1\t2\nhz-1\t0\tent-2\t1\nhz-2\t0\tent-3\n");
  auto q = read_qrels(in);
  ASSERT_FALSE(q.is_ok());
  EXPECT_EQ(q.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(q.status().message().find("line 3"), std::string::npos) << q.status().message();

  std::istringstream five("hz-1 0 ent-1 2 extra\n");
  q = read_qrels(five);
  ASSERT_FALSE(q.is_ok());
  EXPECT_NE(q.status().message().find("line 1"), std::string::npos) << q.status().message();
}

TEST(ReadQrels, NonIntegerRelevanceNamesLineAndValue) {
  for (const char* bad : {"2.5", "high", "1x"}) {
    std::istringstream in(std::string("hz-1 0 ent-1 1\nhz-1 0 ent-2 ") + bad + "\n");
    auto q = read_qrels(in);
    ASSERT_FALSE(q.is_ok()) << bad;
    EXPECT_EQ(q.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(q.status().message().find("line 2"), std::string::npos) << q.status().message();
    EXPECT_NE(q.status().message().find(bad), std::string::npos) << q.status().message();
  }
}

TEST(WriteRun, TrecRunFormatRanksFromOne) {
  std::ostringstream out;
  write_run(out, "hz-2026-03-001", {{"91330108MA2M95UY1P", 1.25}, {"ent-0001", 0.5}}, "jiebang");
  EXPECT_EQ(out.str(),
            "hz-2026-03-001 Q0 91330108MA2M95UY1P 1 1.250000 jiebang\n"
            "hz-2026-03-001 Q0 ent-0001 2 0.500000 jiebang\n");
  std::ostringstream empty;
  write_run(empty, "q", {}, "r");
  EXPECT_EQ(empty.str(), "");
}

TEST(WriteRun, OutputReadsBackAsSixFields) {
  std::ostringstream out;
  write_run(out, "q1", {{"a", 3.0}, {"b", 2.0}, {"c", 1.0}}, "run-x");
  std::istringstream in(out.str());
  std::string q, q0, doc, run;
  int rank = 0;
  double score = 0;
  int expected_rank = 1;
  while (in >> q >> q0 >> doc >> rank >> score >> run) {
    EXPECT_EQ(q, "q1");
    EXPECT_EQ(q0, "Q0");
    EXPECT_EQ(rank, expected_rank++);
    EXPECT_EQ(run, "run-x");
  }
  EXPECT_EQ(expected_rank, 4);
}

}  // namespace
}  // namespace jiebang
