// Ranking of the other side for a scenario or an enterprise: text relevance + attribute fit, explained.
#pragma once

#include <string>
#include <vector>

#include "jiebang/core/records.h"
#include "jiebang/core/status.h"
#include "jiebang/core/taxonomy.h"
#include "jiebang/index/ranking.h"
#include "jiebang/index/search_index.h"
#include "jiebang/index/summary.h"

namespace jiebang {

/// The ranking configuration (jiebang/index/ranking.h: every weight with its unit and default,
/// the defaults being index/ranking.json's values). The Matcher's name for it.
using MatchWeights = RankingConfig;

/// One component of a match score.
struct ScoreComponent {
  std::string name;       ///< "text" | "track_record" | "industry" | "region" | "readiness"
  double fit = 0;         ///< in [0, 1]
  double contribution = 0;  ///< weight × fit
  std::string reason;     ///< one short phrase in the scenario's language, "" when nothing to say
};

/// One ranked, explained result.
struct MatchResult {
  std::string id;
  std::string name;       ///< enterprise name or scenario title
  double score = 0;       ///< the score Xapian ranked by: Σ weight × fit (see RankingConfig)
  double components_sum = 0;  ///< Σ contributions as explained: equal to `score` up to rounding (a test checks it)
  std::vector<ScoreComponent> components;
  std::string reason;     ///< the components' reasons joined in one line
  std::vector<std::string> matched_terms;
  /// The candidate's attribute summary as indexed: an EnterpriseSummary from enterprises_for, a
  /// ScenarioSummary from scenarios_for.
  RecordSummary summary;
  /// Absolute text fit in [0, 1], comparable across scenarios (and enterprises): the candidate's
  /// BM25 score for the record's text query divided by the score the record itself would get as a
  /// document of the same collection (CandidateList::self_score), capped at 1. The "text"
  /// component's fit is relative instead (divided by the best candidate's score: the ranking).
  /// Shown in the text reason ("文本契合度 0.42"); the digest's minimum fit and supply gaps use it.
  double text_fit = 0;
};

/// What a match computes beyond the ranked list (see Matcher).
struct MatchOptions {
  size_t limit = 10;               ///< results at most
  std::string today;               ///< scenarios: deadline not before it (YYYY-MM-DD); "" = no deadline check
  std::string posted_from, posted_to;    ///< scenarios: posted_at bounds, see SearchFilters
  std::vector<std::string> posted_also;  ///< scenarios: ids passing the posted_at bounds regardless
  /// Scenarios with posted_at bounds: text fit is measured against the best of all open
  /// scenarios (as in an unbounded match). Off only when no open scenario lies outside the bounds
  /// (then the two are the same, and a query is saved).
  bool reference_beyond_posted = true;
  /// Fill MatchResult::matched_terms (a term-list walk per result: leave it off when ranking
  /// many results of which few are shown, and call SearchIndex::matched_terms for those).
  bool matched_terms = true;
  std::vector<std::string>* query_terms = nullptr;  ///< when set, receives the query's index terms
  /// scenarios_for: the caller keeps no result whose MatchResult::text_fit is below this; when no
  /// scenario can reach it, nothing is ranked and the result is empty (RankingQuery::skip_below_fit).
  /// Unit: fit in [0, 1]. Default 0 (every result returned).
  double min_text_fit = 0;
  /// When set, receives the word shown for each of query_terms (CandidateList::query_words), for
  /// SearchIndex::matched_terms.
  std::vector<std::string>* query_words = nullptr;
};

/// Ranks with the whole score computed inside the Xapian match (rank_enterprises / rank_scenarios,
/// jiebang/index/ranking.h: text, per-case evidence and attribute fit as stock posting sources, hard
/// filters as boolean filters), so the top `limit` is exact over every matching record; then
/// explains each result's components (the same rules, fit_rules.h). Stateless apart from its
/// references; thread-safe when the index is.
class Matcher {
 public:
  Matcher(const SearchIndex& index, const RegionTable& regions, const IndustryTable& industries, MatchWeights weights)
      : index_(index), regions_(regions), industries_(industries), weights_(weights) {}

  /// Enterprises for a scenario, best first, at most `limit`. Hard filter: an enterprise lacking
  /// one of the scenario's required_qualifications is left out.
  Result<std::vector<MatchResult>> enterprises_for(const Scenario& scenario, size_t limit) const;
  /// Open scenarios (deadline not before `today`, YYYY-MM-DD; "" = no deadline check) for an
  /// enterprise, best first. Hard filter: scenarios requiring a qualification it lacks are left out.
  Result<std::vector<MatchResult>> scenarios_for(const Enterprise& enterprise, size_t limit,
                                                 const std::string& today) const;
  /// As above with options (limit, deadline, posted_at bounds, explanations).
  Result<std::vector<MatchResult>> enterprises_for(const Scenario& scenario, const MatchOptions& options) const;
  Result<std::vector<MatchResult>> scenarios_for(const Enterprise& enterprise, const MatchOptions& options) const;

  const MatchWeights& weights() const { return weights_; }

 private:
  const SearchIndex& index_;
  const RegionTable& regions_;
  const IndustryTable& industries_;
  MatchWeights weights_;
};

/// The track-record fit of an enterprise for a publisher: with n pieces of evidence for the
/// publisher itself, 1 − 0.5ⁿ; otherwise with m for its parent organisation (the part of a
/// "Parent / Child" name before " / "), half of 1 − 0.5ᵐ. A past case ({customer}) counts 1, an
/// earlier match's outcome ({publisher, stage}) 2 when validated and 3 when commercialised.
/// Names are compared after normalisation. `exact_count` / `parent_count` receive n and m (m
/// without the publisher's own n). n and m count up to fit::kTrackRecordCap in the fit (the rule
/// in fit_rules.h, which the ranking query inside Xapian applies too).
double track_record_fit(const std::string& publisher, const std::vector<PastCustomer>& customers,
                        const std::vector<MatchOutcome>& outcomes, int* exact_count, int* parent_count);

/// As track_record_fit with the publisher already normalised (text::normalize), as the index
/// stores it ("publisher_key"): the matcher's hot path normalises nothing per pair.
double track_record_fit_key(const std::string& publisher_key, const std::vector<PastCustomer>& customers,
                            const std::vector<MatchOutcome>& outcomes, int* exact_count, int* parent_count);

/// True when `text` holds Han characters (explanations are then written in Chinese).
bool has_han(const std::string& text);

}  // namespace jiebang
