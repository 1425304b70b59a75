// The attribute-fit rules shared by the Xapian ranking query (index) and the explanations
// (match): one definition of each, so the score Xapian computes is the score explained.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "jiebang/core/taxonomy.h"
#include "jiebang/index/summary.h"

namespace jiebang::fit {

/// Track-record evidence beyond this many pieces adds nothing: 1 − 0.5¹⁶ is within 2e-5 of 1.
/// The index writes one term per piece up to it (see track_record_evidence).
inline constexpr int kTrackRecordCap = 16;

/// The parent organisation of a "Parent / Child" name (the part before " / "), "" when none.
std::string parent_org(const std::string& name);

/// Track-record evidence of one enterprise by normalised customer name (text::normalize):
/// `exact[key]` = pieces of evidence with that customer, `parent[key]` = pieces with that
/// organisation or any "key / …" below it. A past case counts 1, an earlier match's outcome 2
/// when validated and 3 when "commercialized". Entries with an empty name are skipped; an empty
/// key is computed from the name.
struct TrackRecordEvidence {
  std::map<std::string, int> exact;
  std::map<std::string, int> parent;
};
TrackRecordEvidence track_record_evidence(const std::vector<PastCustomer>& customers,
                                          const std::vector<MatchOutcome>& outcomes);

/// 1 − 0.5ⁿ with n capped at kTrackRecordCap; 0 for n ≤ 0.
double evidence_fit(int n);

/// An enterprise's per-case evidence: its best case's BM25 weight plus `second_case` × its second
/// best's (RankingConfig::second_case).
double case_evidence(double best, double second, double second_case);

/// Readiness fit (TRL, ISO 16290 / GB/T 22900 levels 1–9): 1 when `have` ≥ `required`, each level
/// short −1/3 down to 0; 0.5 when either is unknown.
double readiness_fit(std::optional<int> have, std::optional<int> required);

/// True when `value` is a code the GB/T 4754-2017 table lists, in its canonical form ("I",
/// "I65", "I651", "I6510"): only such values rank by the hierarchy; anything else ("C1", "C919",
/// "智慧交通") is a tag, close only to the same tag.
bool listed_industry_code(const std::string& value, const IndustryTable& table);

/// BM25's inverse document frequency as Xapian 1.4's BM25Weight computes it without relevance
/// information (Robertson & Zaragoza 2009, eq. 3.3, with Xapian's floor): r = (N − n + 0.5) /
/// (n + 0.5), replaced by r / 2 + 1 when below 2 (so a term in most documents keeps a small
/// positive weight), and the result log(r). `collection_size` N ≥ 1 documents; `termfreq` n in
/// [0, N], fractional allowed (a weighted count).
double bm25_idf(double collection_size, double termfreq);

/// One term of an OR query, for bm25_document_weight.
struct Bm25Term {
  double termfreq = 0;   ///< documents of the collection holding the term, the scored document not counted
  double wqf = 1;        ///< within-query frequency (Xapian::Query(term, wqf))
  double scale = 1;      ///< weight factor (Xapian::Query::OP_SCALE_WEIGHT); 1 = none
  double wdf = 0;        ///< within-document frequency in the scored document; 0 = the term is not in it
};

/// The weight Xapian 1.4's BM25Weight(k1, k2 = 0, k3 = 1, b, min_normlen) gives a document for an
/// OR of `terms` when the document is added to a collection of `collection_size` documents whose
/// lengths sum to `total_length` (each term the document holds counts it once more in its
/// termfreq; the average length includes it). Per term (Robertson & Zaragoza 2009, as Xapian's
/// bm25weight.cc computes it): bm25_idf(N + 1, n + 1) · scale · 2·wqf / (1 + wqf) · (k1 + 1) ·
/// wdf / (k1 · (normlen · b + 1 − b) + wdf), normlen = max(`doc_length` / average length,
/// `min_normlen`); summed over the terms with wdf > 0. Lengths in terms (sum of wdf), ≥ 0.
/// jiebang's match uses it for a record's own text score (the text fit's absolute scale) without
/// building a Xapian database around one document. Pure; thread-safe.
double bm25_document_weight(const std::vector<Bm25Term>& terms, double collection_size, double total_length,
                            double doc_length, double k1, double b, double min_normlen);

}  // namespace jiebang::fit
