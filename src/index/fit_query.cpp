// The ranking query's attribute fit as stock Xapian queries (see fit_query.h).
#include "fit_query.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "analysis.h"
#include "jiebang/core/records.h"
#include "jiebang/index/fit_rules.h"
#include "jiebang/text/normalize.h"

namespace jiebang::index_detail {

/// A query giving every document that matches `filter` exactly the weight `w` (Xapian's stock
/// FixedWeightPostingSource under OP_FILTER: the left side's weight, the right side's documents).
Xapian::Query weighted(double w, const Xapian::Query& filter) {
  return Xapian::Query(Xapian::Query::OP_FILTER,
                       Xapian::Query((new Xapian::FixedWeightPostingSource(w))->release()), filter);
}

Xapian::Query any_of(std::vector<Xapian::Query> parts) {
  if (parts.empty()) return {};
  if (parts.size() == 1) return parts[0];
  return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
}

namespace {

/// Region fit (GB/T 2260 closeness / 3, see RegionTable::closeness) of every document against
/// `code`: a third each for the same first two digits (province term), the same first four
/// ("XY" term; not the city code, which for a province code is the province itself) and the same
/// code, all nested.
Xapian::Query region_fit_query(const std::string& code, double w) {
  if (w <= 0 || !RegionTable::is_code(code)) return {};
  return any_of({weighted(w / 3, Xapian::Query(boolean_term(kRegionPrefix, code.substr(0, 2) + "0000"))),
                 weighted(w / 3, Xapian::Query(boolean_term(kRegionCityPrefix, code.substr(0, 4)))),
                 weighted(w / 3, Xapian::Query(boolean_term(kRegionExactPrefix, code)))});
}

/// Industry fit (GB/T 4754 closeness / 4, best over all pairs; the same code or tag 1) against
/// the subject's `values`: a quarter per hierarchy level (section, division, group, class) that
/// any pair shares (levels nest, so the sum is the best pair's closeness), or 1 for an equal value.
Xapian::Query industry_fit_query(const std::vector<std::string>& values, const IndustryTable& table, double w) {
  if (w <= 0 || values.empty()) return {};
  std::vector<Xapian::Query> exact;
  std::set<std::string> levels[4];
  static constexpr size_t kLevelLength[4] = {1, 3, 4, 5};
  for (const auto& value : values) {
    exact.emplace_back(boolean_term(kIndustryExactPrefix, value));
    if (!fit::listed_industry_code(value, table)) continue;  // a tag: equal only
    for (int l = 0; l < 4; ++l)
      if (value.size() >= kLevelLength[l]) levels[l].insert(value.substr(0, kLevelLength[l]));
  }
  if (exact.empty()) return {};
  Xapian::Query any_equal = any_of(exact);
  Xapian::Query equal = weighted(w, any_equal);
  std::vector<Xapian::Query> shared;
  for (const auto& level : levels) {
    std::vector<Xapian::Query> terms;
    for (const auto& prefix : level) terms.emplace_back(boolean_term(kIndustryPrefix, prefix));
    if (!terms.empty()) shared.push_back(weighted(w / 4, any_of(std::move(terms))));
  }
  if (shared.empty()) return equal;
  // The hierarchy counts only where no value is equal (equal is the most, 1).
  return Xapian::Query(Xapian::Query::OP_OR, equal,
                       Xapian::Query(Xapian::Query::OP_AND_NOT, any_of(std::move(shared)), any_equal));
}

/// Readiness fit (fit::readiness_fit) from the readiness slot, every document matching:
/// `other(v)` is the fit of a document whose slot holds TRL v; "?" (unknown) gets 0.5.
template <typename Fit>
Xapian::Query readiness_fit_query(bool subject_known, Fit other, double w) {
  if (w <= 0) return {};
  if (!subject_known) return Xapian::Query((new Xapian::FixedWeightPostingSource(w * 0.5))->release());
  auto* source = new Xapian::ValueMapPostingSource(kSlotReadiness);
  for (int v = 1; v <= 9; ++v) source->add_mapping(std::to_string(v), w * other(v));
  source->set_default_weight(w * 0.5);
  return Xapian::Query(source->release());
}

/// Track record of enterprises for a publisher (`publisher_key` normalised): 0.5ᵏ·w for each
/// evidence term k present (Σ = (1 − 0.5ⁿ)·w), or half that for the parent organisation,
/// when there is no exact evidence. (Not OP_MAX: Xapian 1.4.22's OP_MAX under a top-k match
/// loses documents, measured here; OR with AND_NOT is exact and prunes correctly.)
Xapian::Query track_record_for_publisher(const std::string& publisher_key, double w) {
  if (w <= 0 || publisher_key.empty()) return {};
  auto ladder = [&](const char* prefix, const std::string& key, double scale) {
    std::vector<Xapian::Query> steps;
    for (int k = 1; k <= fit::kTrackRecordCap; ++k)
      steps.push_back(weighted(scale * w * std::pow(0.5, k), Xapian::Query(evidence_term(prefix, key, k))));
    return any_of(std::move(steps));
  };
  Xapian::Query exact = ladder(kTrackRecordPrefix, publisher_key, 1.0);
  std::string parent = fit::parent_org(publisher_key);
  if (parent.empty()) return exact;
  // Parent evidence counts only without exact evidence (an exact first-piece term).
  return Xapian::Query(Xapian::Query::OP_OR, exact,
                       Xapian::Query(Xapian::Query::OP_AND_NOT, ladder(kParentRecordPrefix, parent, 0.5),
                                     Xapian::Query(evidence_term(kTrackRecordPrefix, publisher_key, 1))));
}

/// Track record of an enterprise (its customers and outcomes) for every scenario: by the
/// scenario's publisher term, or half for its publisher's parent organisation.
Xapian::Query track_record_for_scenarios(const EnterpriseSummary& subject, double w) {
  if (w <= 0) return {};
  fit::TrackRecordEvidence ev = fit::track_record_evidence(subject.customers, subject.outcomes);
  std::vector<Xapian::Query> exact, parent, publishers;
  for (const auto& [key, n] : ev.exact) {
    publishers.emplace_back(ranking_term(kPublisherPrefix, key));
    exact.push_back(weighted(w * fit::evidence_fit(n), publishers.back()));
  }
  for (const auto& [key, m] : ev.parent)
    parent.push_back(weighted(0.5 * w * fit::evidence_fit(m), Xapian::Query(ranking_term(kPublisherParentPrefix, key))));
  if (exact.empty()) return {};
  // Parent evidence counts only for scenarios whose publisher itself has none.
  return Xapian::Query(Xapian::Query::OP_OR, any_of(std::move(exact)),
                       Xapian::Query(Xapian::Query::OP_AND_NOT, any_of(std::move(parent)), any_of(std::move(publishers))));
}

}  // namespace

Xapian::Query attribute_fit_query(bool targets_enterprises, const RecordSummary& subject, const RankingConfig& w,
                                const IndustryTable& industries) {
  std::vector<Xapian::Query> parts;
  auto add = [&](Xapian::Query q) {
    if (!q.empty()) parts.push_back(std::move(q));
  };
  static const ScenarioSummary kNoScenario;
  static const EnterpriseSummary kNoEnterprise;
  if (targets_enterprises) {
    const auto* found = std::get_if<ScenarioSummary>(&subject);
    const ScenarioSummary& s = found ? *found : kNoScenario;
    add(region_fit_query(s.region, w.region));
    add(industry_fit_query(s.industries, industries, w.industry));
    std::string key = s.publisher_key;
    if (key.empty()) key = text::normalize_name(s.publisher);
    add(track_record_for_publisher(key, w.track_record));
    std::optional<int> required = s.required_trl;
    add(readiness_fit_query(required.has_value(), [&](int have) { return fit::readiness_fit(have, required); },
                            w.readiness));
  } else {
    const auto* found = std::get_if<EnterpriseSummary>(&subject);
    const EnterpriseSummary& e = found ? *found : kNoEnterprise;
    add(region_fit_query(e.region, w.region));
    add(industry_fit_query(e.industries, industries, w.industry));
    add(track_record_for_scenarios(e, w.track_record));
    std::optional<int> have = e.trl;
    add(readiness_fit_query(have.has_value(), [&](int required) { return fit::readiness_fit(have, required); },
                            w.readiness));
  }
  return any_of(std::move(parts));
}

Xapian::MSet exact_top(Xapian::Enquire& enquire, const Xapian::Database& db, Xapian::doccount first,
                       Xapian::doccount count) {
  // No weight threshold is passed down while fewer than check_at_least documents were seen, so
  // no OR or AND_MAYBE node is ever rewritten.
  return enquire.get_mset(first, count, std::max(db.get_doccount(), first + count));
}

}  // namespace jiebang::index_detail
