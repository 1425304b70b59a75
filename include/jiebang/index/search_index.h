// The Xapian index derived from the store: scenario and enterprise databases, catch-up, queries.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "jiebang/core/records.h"
#include "jiebang/core/status.h"
#include "jiebang/core/taxonomy.h"
#include "jiebang/store/store.h"
#include "jiebang/text/segment.h"

namespace jiebang {

/// Filters for a scenario search. Empty strings mean "any".
struct SearchFilters {
  std::string region_code;    ///< 6-digit GB/T 2260 code; a city or province code also finds its areas
  std::string industry_code;  ///< canonical GB/T 4754 code; a section/division also finds its classes
  std::string status = "open";   ///< "open" | "closed" | "awarded" | "" for any
  std::string today;          ///< YYYY-MM-DD: with status "open", scenarios whose deadline is before it are left out; "" to keep all
  /// YYYY-MM-DD bounds (inclusive) on posted_at; "" = open. With either set, scenarios without a
  /// posted_at are left out unless their id is in `posted_also`.
  std::string posted_from, posted_to;
  std::vector<std::string> posted_also;  ///< scenario ids passing the posted_at bounds regardless
};

/// One scenario found by a search.
struct SearchHit {
  std::string id;
  double score = 0;           ///< Xapian BM25 weight (unitless, comparable within one result list)
  std::string title;
  std::string snippet;        ///< description excerpt, HTML-escaped, matches in <b>…</b>
  std::vector<std::string> matched_terms;
  nlohmann::json attributes;  ///< the stored attribute summary (see Candidate::attributes)
};

/// One page of a scenario search.
struct SearchPage {
  std::vector<SearchHit> hits;
  uint64_t total = 0;         ///< exact number of matching scenarios (all pages)
  /// Exact facet counts over all matching scenarios (not only this page): GB/T 2260 region code
  /// (the scenario's own code, plus its city and province) → count, and industry (canonical code
  /// or tag) → count. Empty unless facets were asked for.
  std::map<std::string, uint64_t> region_counts, industry_counts;
};

/// One record found for a match.
struct Candidate {
  std::string id;
  double score = 0;           ///< the whole score Xapian ranked by: Σ weight × fit (see FitWeights)
  double text_score = 0;      ///< Xapian BM25 weight of the text query against the whole profile
  double case_score = 0;      ///< BM25 weight of the best-matching single past case (enterprises; 0 if none)
  double second_case_score = 0;  ///< BM25 weight of the second best past case (0 if none)
  std::string best_case;      ///< title of the best-matching past case
  /// Attribute summary stored with the document: id, name/title, region (6-digit or text),
  /// industries (canonical codes and tags), trl / required_trl, budget_min/max (yuan),
  /// customers [{customer, year, stage}] or publisher, qualifications / required_qualifications,
  /// status, deadline.
  nlohmann::json attributes;
};

/// Candidates of a match query and the query's terms (for explanations: see matched_terms()).
struct CandidateList {
  std::vector<Candidate> candidates;
  std::vector<std::string> query_terms;  ///< index terms of the whole-profile (or scenario) query
  /// The best text score the query reaches among the targets the filters allow, required
  /// qualifications aside (scenarios_for: posted_at bounds aside too, see CandidateQuery). Text
  /// fits are divided by it.
  double reference_score = 0;
  /// With per-case evidence: the best case evidence (best case + second_case × second best)
  /// among the enterprises whose cases were fetched (CandidateQuery::case_hits); case evidence is
  /// divided by it. 0 when none.
  double case_reference = 0;
  /// The text query's BM25 score for the record it was made from (the scenario, or the
  /// enterprise) as if that record were one more document of the searched database (same
  /// analysis, same weighting): the score of a candidate that says exactly what the record says.
  /// A candidate's absolute text fit is min(1, Candidate::text_score / self_score), comparable
  /// across records (Matcher, MatchResult::text_fit). 0 when the query matched nothing.
  double self_score = 0;
};

/// The score the ranking query computes inside the Xapian match (CandidateQuery::fit):
///   score = text × [(1 − s) · BM25(profile) / best BM25 + s · case evidence / best case evidence]
///         + track_record × fit + industry × fit + region × fit + readiness × fit
/// with s = case_share (0 when no case matched), every fit in [0, 1] by the rules of fit_rules.h:
/// track record 1 − 0.5ⁿ for n pieces of evidence with the publisher, else half of it for its
/// parent organisation; industry GB/T 4754 closeness / 4 (same code or tag 1); region GB/T 2260
/// closeness / 3; readiness fit::readiness_fit. Built only from Xapian's stock, serialisable
/// parts (BM25Weight, FixedWeightPostingSource, ValueMapPostingSource, OP_SCALE_WEIGHT, OP_AND_NOT,
/// OP_AND_MAYBE, OP_FILTER), so the same query runs against remote databases (xapian-tcpsrv)
/// without registering anything on the server.
struct FitWeights {
  double text = 1.0;          ///< text fit: a mix of whole-profile and per-case BM25, each divided by the best
  double case_share = 0.2;    ///< share of the per-case score in the text fit, 0–1 (0: whole profile only)
  double second_case = 0.5;   ///< weight of the second-best case relative to the best in the per-case score
  double track_record = 0.1;  ///< past cases for this publisher (exact) or its parent organisation
  double industry = 0.15;     ///< GB/T 4754 closeness: class 1, group .75, division .5, section .25
  double region = 0.05;       ///< GB/T 2260 closeness: area 1, city 2/3, province 1/3, elsewhere 0
  double readiness = 0.15;    ///< TRL ≥ required: 1; each level short −1/3; unknown .5
};

/// Figures of a catch-up or rebuild.
struct IndexProgress {
  int64_t applied_seq = 0;     ///< seq of the last change applied
  int64_t store_seq = 0;       ///< the store's last seq when the batch was read
  size_t documents_written = 0;
  size_t documents_removed = 0;
};

/// A ranking query (SearchIndex::enterprises_for / scenarios_for).
struct CandidateQuery {
  size_t limit = 200;           ///< results at most: exactly the best `limit` by the whole score
  size_t max_query_terms = 96;  ///< the long text is reduced to its most informative terms (by qf·idf)
  SearchFilters filters;        ///< only used when the targets are scenarios
  double bm25_k1 = 1.2;         ///< BM25 term-frequency saturation (Robertson & Zaragoza 2009)
  double bm25_b = 0.75;         ///< BM25 length normalisation, 0–1
  bool per_case = true;         ///< enterprises: also score single past cases (off: whole profiles only)
  /// scenarios with posted_at bounds: the text fit's reference (the best text score) is taken
  /// among all open scenarios, not only those within the bounds (reference_score).
  bool reference_beyond_posted = true;
  /// The weights of the whole score (FitWeights), by which Xapian ranks; null: the defaults.
  const FitWeights* fit = nullptr;
  /// The attribute summary of the record matched for (Matcher's scenario or enterprise summary:
  /// publisher_key, region, industries, required_trl / trl, customers, outcomes).
  nlohmann::json subject;
  /// Per-case evidence is read from the best 2 × case_hits case documents, at most two per
  /// enterprise (so from case_hits to 2 × case_hits enterprises).
  size_t case_hits = 100;
};

/// The two Xapian databases under one directory (`scenarios/`, `enterprises/`), each recording in
/// its metadata the last store change seq it applied ("jiebang.applied_seq"). Text is normalised
/// (text::normalize), then indexed with CJK n-grams (Xapian FLAG_CJK_NGRAM) and English stemming;
/// fields are weighted by within-document frequency multipliers (title/name ×3, capabilities ×2,
/// description, keywords and past cases ×1). Region (GB/T 2260, with its city and province),
/// industry (GB/T 4754, with its ancestors), status, publisher, case customers and
/// qualifications are boolean terms.
/// Not thread-safe for writes; one writer process at a time (Xapian's lock).
class SearchIndex {
 public:
  /// Opens (creating) the index under `dir` for writing. When another process holds the write
  /// lock, opens it read-only instead (writable() is false and catch_up fails with kUnavailable).
  /// Errors: kUnavailable (cannot create or open), kInternal (corrupt database).
  /// `synonyms` (may be null) expands search-box queries; it must outlive the index.
  static Result<std::unique_ptr<SearchIndex>> open(const std::string& dir, const RegionTable& regions,
                                                   const IndustryTable& industries,
                                                   const text::SynonymTable* synonyms = nullptr);
  /// Opens the index under `dir` read-only (never taking the write lock), e.g. for another thread
  /// of a batch job: a Xapian database handle is not shared between threads.
  /// Errors: kUnavailable (no index there), kInternal (corrupt database).
  static Result<std::unique_ptr<SearchIndex>> open_reader(const std::string& dir, const RegionTable& regions,
                                                          const IndustryTable& industries,
                                                          const text::SynonymTable* synonyms = nullptr);
  ~SearchIndex();
  SearchIndex(const SearchIndex&) = delete;
  SearchIndex& operator=(const SearchIndex&) = delete;

  bool writable() const;
  /// True when documents were written by an older analysis (the index format recorded in the
  /// metadata is not this build's): rebuild() brings them up to date. An empty index is never
  /// outdated.
  bool outdated() const;
  /// Records this build's index format on an index that has no documents yet (rebuild() records
  /// it itself). Errors: kUnavailable when read-only, kInternal.
  Status mark_current_format();
  /// The lower of the two databases' applied seqs.
  int64_t applied_seq() const;
  /// Documents in the scenario or enterprise database.
  uint64_t doc_count(RecordKind kind) const;

  /// Applies the store's changes after applied_seq() in seq order, committing every
  /// `batch_changes` changes together with the new applied seq (so a crash loses no more than
  /// the uncommitted batch, which is replayed next time). `on_progress` is called after each commit.
  Result<IndexProgress> catch_up(const Store& store, size_t batch_changes = 5000,
                                 const std::function<void(const IndexProgress&)>& on_progress = {});
  /// Drops both databases and rebuilds them from the store's current records.
  Result<IndexProgress> rebuild(const Store& store, const std::function<void(const IndexProgress&)>& on_progress = {});

  /// Short-query search of scenarios (a search box; see index_detail::build_search_query): all
  /// words preferred, any word matches; quoted parts are phrases; synonyms expanded. An empty
  /// query lists all scenarios passing the filters. Returns at most `limit` hits with snippets of
  /// about 200 characters, matched runs in <b>…</b>.
  Result<std::vector<SearchHit>> search_scenarios(const std::string& query, const SearchFilters& filters,
                                                  size_t limit) const;
  /// As search_scenarios, one page: hits `offset`..`offset + limit − 1` of the ranked list (ties in
  /// weight broken by document order, so pages of an unchanged index never overlap or skip), the
  /// exact total, and with `facets` the exact region and industry counts.
  Result<SearchPage> search_page(const std::string& query, const SearchFilters& filters, size_t offset, size_t limit,
                                 bool facets) const;
  /// The best `q.limit` enterprises for a scenario by the whole score (FitWeights), ranked inside
  /// one Xapian match: the text is an OR of the scenario's (title, description, keywords) most
  /// informative terms against whole profiles, plus per-case evidence from the cases database;
  /// enterprises lacking a required qualification never match. Each candidate carries its
  /// score, its own text and case scores and its attribute summary; the list carries the
  /// references the fits were divided by. An empty list when no enterprise shares a term (or the
  /// text has no terms). Errors: kInternal (Xapian).
  Result<CandidateList> enterprises_for(const Scenario& scenario, const CandidateQuery& q) const;
  /// The best `q.limit` scenarios passing `q.filters` for an enterprise (text: name, description,
  /// capabilities, cases), ranked as above; scenarios requiring a qualification it lacks never match.
  Result<CandidateList> scenarios_for(const Enterprise& enterprise, const CandidateQuery& q) const;
  /// The attribute summary stored with record `id`'s document (see Candidate::attributes; for an
  /// enterprise it includes "outcomes" from the match loop). nullopt when the record is not indexed.
  std::optional<nlohmann::json> attributes(RecordKind kind, const std::string& id) const;
  /// Which of `query_terms` the document of record `id` holds, in readable form (stems without
  /// their prefix; single CJK characters left out when a longer term matched). Computed only
  /// for the results shown, not for every candidate. Empty when the record is not indexed.
  std::vector<std::string> matched_terms(RecordKind target, const std::string& id,
                                         std::vector<std::string> query_terms) const;

 private:
  struct Impl;
  explicit SearchIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace jiebang
