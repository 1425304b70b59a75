// The ranking query: the whole match score (text + per-case evidence + attribute fit) computed
// inside one Xapian match over a SearchIndex's databases, and its one configuration.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "jiebang/core/records.h"
#include "jiebang/core/status.h"
#include "jiebang/index/search_index.h"

namespace jiebang {

/// The one ranking configuration: every weight and knob of the ranking query, with its unit and
/// default. The defaults are the values of index/ranking.json (chosen on the evaluations, see
/// README "Ranking"), which every command loads; a test checks that the two agree.
///
/// The score the ranking query computes inside the Xapian match:
///   score = text × [(1 − s) · BM25(profile) / best BM25 + s · case evidence / best case evidence]
///         + track_record × fit + industry × fit + region × fit + readiness × fit
/// with s = case_share (0 when no case matched), every fit in [0, 1] by the rules of fit_rules.h:
/// track record 1 − 0.5ⁿ for n pieces of evidence with the publisher, else half of it for its
/// parent organisation; industry GB/T 4754 closeness / 4 (same code or tag 1); region GB/T 2260
/// closeness / 3; readiness fit::readiness_fit. Built only from Xapian's stock, serialisable
/// parts (BM25Weight, FixedWeightPostingSource, ValueMapPostingSource, OP_SCALE_WEIGHT, OP_AND_NOT,
/// OP_AND_MAYBE, OP_FILTER), so the same query runs against remote databases (xapian-tcpsrv)
/// without registering anything on the server.
struct RankingConfig {
  /// Weight of the text fit (a mix of whole-profile and per-case BM25, each divided by the best).
  /// Unit: score points. Default: 1.0.
  double text = 1.0;
  /// Share of the per-case score in the text fit, 0–1 (0: whole profiles only, and the per-case
  /// query is not run). Unit: fraction. Default: 0.2.
  double case_share = 0.2;
  /// Weight of the second-best case relative to the best in the per-case score. Unit: fraction.
  /// Default: 0.5.
  double second_case = 0.5;
  /// Past cases for this publisher (exact) or its parent organisation. Unit: score points. Default: 0.1.
  double track_record = 0.1;
  /// GB/T 4754 closeness: class 1, group .75, division .5, section .25. Unit: score points. Default: 0.15.
  double industry = 0.15;
  /// GB/T 2260 closeness: area 1, city 2/3, province 1/3, elsewhere 0. Unit: score points. Default: 0.05.
  double region = 0.05;
  /// TRL ≥ required: 1; each level short −1/3; unknown .5. Unit: score points. Default: 0.15.
  double readiness = 0.15;
  /// Per-case evidence is read from the best 2 × this many case documents, at most two per
  /// enterprise (so from `candidates` to 2 × `candidates` enterprises). Unit: enterprises. Default: 100.
  size_t candidates = 100;
  /// A long text (scenario or profile) is reduced to its this many most informative terms (by
  /// min(qf, 3)·idf). Unit: terms. Default: 150.
  size_t max_query_terms = 150;
  /// BM25 term-frequency saturation k1 (Robertson & Zaragoza 2009). Unitless. Default: 2.0.
  double bm25_k1 = 2.0;
  /// BM25 length normalisation b, 0–1 (Robertson & Zaragoza 2009). Unitless. Default: 0.85.
  double bm25_b = 0.85;
  /// The other side's records (scenarios when profiles are ranked, profiles when scenarios are)
  /// as a prior on the document frequencies of a long-text query's terms, worth this many
  /// documents: rate = (n + μ·n_other / N_other) / (N + μ), each term's BM25 weight scaled to the
  /// IDF of that rate. A word every scenario uses is generic however few profiles of a small
  /// marketplace say it; a large collection (N ≫ μ) leans on its own statistics. 0: the ranked
  /// database alone. Unit: documents. Default: 70, chosen among 0–100 by a rule fixed beforehand
  /// (best mean nDCG@10 over SBIR + fixtures, Recall@10 on neither below 0's: bench/README.md,
  /// "Marketplace IDF again").
  double other_side_docs = 70;
  /// Absolute text fit (MatchResult::text_fit: a candidate's BM25 over the record's own BM25 as a
  /// document, 0–1) below which the digest recommends no pair. Unit: fraction. Default: 0.2.
  double min_text_fit = 0.2;
  /// Absolute text fit below which an open scenario's best candidate leaves a supply gap
  /// (Service::supply_gaps, `jiebang gaps`), 0–1. Unit: fraction. Default: 0.4.
  double gap_text_fit = 0.4;

  /// Reads a configuration from a JSON object with any of the keys above (keys starting with "_"
  /// are comments); keys not given keep their defaults.
  /// Errors: kInvalidArgument naming the key (wrong type, negative, out of range, unknown).
  static Result<RankingConfig> from_json(const nlohmann::json& j);
  /// Loads from a file (index/ranking.json). Errors: kNotFound (no file), kInvalidArgument (bad
  /// JSON or key; the message starts with the path).
  static Result<RankingConfig> load(const std::string& path);
  /// Every field under its index/ranking.json key (no comments): from_json(to_json()) gives the
  /// same configuration, and RankingConfig{}.to_json() is index/ranking.json (a test checks both).
  nlohmann::json to_json() const;
};

/// One ranking query (rank_enterprises / rank_scenarios): what is asked for; how it is scored
/// comes from `config`.
struct RankingQuery {
  /// Results at most: exactly the best `limit` by the whole score. Unit: records. Default: 10.
  size_t limit = 10;
  /// Only used when the targets are scenarios.
  SearchFilters filters;
  /// Scenarios with posted_at bounds: the text fit's reference (the best text score) is taken
  /// among all open scenarios, not only those within the bounds (reference_score). Default: true.
  bool reference_beyond_posted = true;
  /// The configuration ranked by; null: the defaults (RankingConfig{}). Must outlive the call.
  const RankingConfig* config = nullptr;
  /// The attribute summary of the record matched for: a ScenarioSummary for rank_enterprises (its
  /// publisher_key, region, industries, required_trl are read), an EnterpriseSummary for
  /// rank_scenarios (region, industries, trl, customers, outcomes). The kind not matching the
  /// query reads as a summary with no attributes.
  RecordSummary subject;
  /// rank_scenarios only: when > 0 and no scenario passing `filters` can reach this absolute text
  /// fit (a candidate's text score over CandidateList::self_score), the ranking is not run and no
  /// candidate is returned (query_terms and self_score are, query_words is empty; reference_score is 0 when the
  /// posted_at-bounded scenarios already could not reach it). Exact: a candidate's text score is at
  /// most the best text score among the scenarios passing the filters. For callers that drop
  /// results below a minimum fit anyway (the digest's min_text_fit). Unit: fit in [0, 1]. Default 0.
  double skip_below_fit = 0;
};

/// One record found by a ranking query.
struct Candidate {
  std::string id;
  double score = 0;           ///< the whole score Xapian ranked by: Σ weight × fit (see RankingConfig)
  double text_score = 0;      ///< Xapian BM25 weight of the text query against the whole profile
  double case_score = 0;      ///< BM25 weight of the best-matching single past case (enterprises; 0 if none)
  double second_case_score = 0;  ///< BM25 weight of the second best past case (0 if none)
  std::string best_case;      ///< title of the best-matching past case
  /// The attribute summary stored with the document: an EnterpriseSummary from rank_enterprises,
  /// a ScenarioSummary from rank_scenarios (jiebang/index/summary.h).
  RecordSummary summary;
};

/// Candidates of a ranking query and the query's terms (for explanations: see
/// SearchIndex::matched_terms()).
struct CandidateList {
  std::vector<Candidate> candidates;
  std::vector<std::string> query_terms;  ///< index terms of the whole-profile (or scenario) query
  /// Parallel to query_terms: the word a person reads for each, for a stemmed English term its
  /// first spelling in the record's texts ("cables" for the stem "cabl"), "" when the term is
  /// shown as it is (SearchIndex::matched_terms).
  std::vector<std::string> query_words;
  /// The best text score the query reaches among the targets the filters allow, required
  /// qualifications aside (rank_scenarios: posted_at bounds aside too, see RankingQuery). Text
  /// fits are divided by it.
  double reference_score = 0;
  /// With per-case evidence: the best case evidence (best case + second_case × second best)
  /// among the enterprises whose cases were fetched (RankingConfig::candidates); case evidence is
  /// divided by it. 0 when none.
  double case_reference = 0;
  /// The text query's BM25 score for the record it was made from (the scenario, or the
  /// enterprise) as if that record were one more document of the searched database (same
  /// analysis, same weighting): the score of a candidate that says exactly what the record says.
  /// A candidate's absolute text fit is min(1, Candidate::text_score / self_score), comparable
  /// across records (Matcher, MatchResult::text_fit). 0 when the query matched nothing.
  double self_score = 0;
};

/// The best `q.limit` enterprises of `index` for a scenario by the whole score (RankingConfig),
/// ranked inside one Xapian match: the text is an OR of the scenario's (title, description,
/// keywords) most informative terms against whole profiles, plus per-case evidence from the
/// cases database; enterprises lacking a required qualification never match. Each candidate
/// carries its score, its own text and case scores and its attribute summary; the list carries
/// the references the fits were divided by. An empty list when no enterprise shares a term (or
/// the text has no terms). Thread-safety: as the index (one SearchIndex per thread).
/// Errors: kInternal (Xapian).
Result<CandidateList> rank_enterprises(const SearchIndex& index, const Scenario& scenario, const RankingQuery& q);
/// The best `q.limit` scenarios of `index` passing `q.filters` for an enterprise (text: name,
/// description, capabilities, cases), ranked as above; scenarios requiring a qualification it
/// lacks never match. Errors: kInternal (Xapian).
Result<CandidateList> rank_scenarios(const SearchIndex& index, const Enterprise& enterprise, const RankingQuery& q);

}  // namespace jiebang
