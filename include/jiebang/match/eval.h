// Ranking evaluation: TREC qrels, run files and the MRR@10, Recall@10, nDCG@10 measures.
#pragma once

#include <istream>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "jiebang/core/status.h"

namespace jiebang {

/// qrels: query id → (document id → graded relevance). Relevance ≤ 0 means not relevant.
using Qrels = std::map<std::string, std::map<std::string, int>>;

/// Reads TREC qrels ("query TAB 0 TAB doc TAB relevance"; spaces also accepted).
/// Errors: kInvalidArgument naming the line that does not have four fields or an integer relevance.
Result<Qrels> read_qrels(std::istream& in);

/// Per-query measures at cut-off k (TREC definitions; Järvelin & Kekäläinen 2002 for nDCG with
/// gain 2^rel − 1 and discount log2(rank + 1)).
struct QueryMeasures {
  double reciprocal_rank = 0;  ///< 1 / rank of the first relevant document within k, else 0
  double recall = 0;           ///< relevant documents within k / all relevant documents
  double ndcg = 0;             ///< DCG@k / ideal DCG@k
};

/// Measures one ranked list (best first) against the judged documents of its query.
QueryMeasures measure(const std::vector<std::string>& ranked, const std::map<std::string, int>& judged, size_t k = 10);

/// One query's line of an evaluation (Service::evaluate, `jiebang eval --per-query`), so that a
/// change in the means can be traced to the queries that moved.
struct QueryReport {
  std::string query;
  QueryMeasures measures;  ///< at the cut-off k
  size_t relevant = 0;     ///< judged relevant documents (relevance > 0)
  /// Rank (from 1) of the first relevant document anywhere in the ranked list given, which may be
  /// longer than k; 0 when none is in it.
  size_t first_relevant = 0;
  /// The relevant documents not within the first k, each with its rank in the list (0: not in the
  /// list at all): those in the list first, by rank, then the others by id.
  std::vector<std::pair<std::string, size_t>> missed;
};

/// measure() at cut-off k, and where the relevant documents of `judged` are in `ranked` (best
/// first, any length: a list longer than k tells how far below k a missed document is).
QueryReport report_query(const std::string& query, const std::vector<std::string>& ranked,
                         const std::map<std::string, int>& judged, size_t k = 10);

/// Means over queries.
struct EvalSummary {
  size_t queries = 0;
  double mrr = 0;
  double recall = 0;
  double ndcg = 0;
};

/// Adds one query's measures to a running mean.
void accumulate(EvalSummary& summary, const QueryMeasures& m);
/// Divides the sums by the query count.
void finish(EvalSummary& summary);

/// A run: query id → document ids, best first.
using Run = std::map<std::string, std::vector<std::string>>;

/// Reads a TREC run ("query Q0 doc rank score name"), ordering each query's documents by rank.
/// Errors: kInvalidArgument naming the line that does not have six fields or an integer rank.
Result<Run> read_run(std::istream& in);

/// Swaps the roles of queries and documents: (scenario → enterprise) becomes (enterprise → scenario).
Qrels invert(const Qrels& qrels);

/// Measures a whole run at cut-off k against qrels: every qrels query with a relevant document
/// counts (a query missing from the run counts 0).
EvalSummary evaluate_run(const Qrels& qrels, const Run& run, size_t k = 10);

/// Writes a ranked list in TREC run form: "query Q0 doc rank score run_name", rank from 1.
void write_run(std::ostream& out, const std::string& query, const std::vector<std::pair<std::string, double>>& ranked,
               const std::string& run_name);

}  // namespace jiebang
