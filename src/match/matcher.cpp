// Matcher: the ranking query (index/ranking.h, the whole score inside Xapian) and each result's explanation.
#include "jiebang/match/matcher.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "jiebang/index/fit_rules.h"
#include "jiebang/text/normalize.h"

namespace jiebang {
namespace {

/// Best GB/T 4754 closeness over code pairs (tags compare equal only to the same tag, after
/// normalisation, as the index's terms do).
int industry_closeness(const std::vector<std::string>& a, const std::vector<std::string>& b,
                       const IndustryTable& table, std::string* shared) {
  int best = 0;
  for (const auto& x : a)
    for (const auto& y : b) {
      // Only GB/T 4754 codes have a hierarchy; a domain tag is close only to the same tag.
      bool equal = x == y || text::normalize_name(x) == text::normalize_name(y);
      int c = equal ? 4
                    : (fit::listed_industry_code(x, table) && fit::listed_industry_code(y, table)) ? IndustryTable::closeness(x, y)
                                                                                                  : 0;
      if (c > best) {
        best = c;
        if (shared) *shared = x;
      }
    }
  return best;
}

/// Components for a (scenario, enterprise) pair given both attribute summaries.
struct PairFit {
  std::vector<ScoreComponent> components;
};

PairFit fit_pair(const ScenarioSummary& scenario, const EnterpriseSummary& enterprise, double text_fit, double absolute_fit, const MatchWeights& w,
                 const RegionTable& regions, const IndustryTable& industries, bool zh, bool candidate_is_enterprise) {
  PairFit out;
  auto add = [&](const char* name, double weight, double fit, std::string reason) {
    out.components.push_back({name, fit, weight * fit, std::move(reason)});
  };
  // The reason states the absolute fit (comparable across scenarios); the component's fit is the
  // relative one the ranking adds up.
  add("text", w.text, text_fit,
      zh ? fmt::format("文本契合度 {:.2f}", absolute_fit) : fmt::format("text fit {:.2f}", absolute_fit));

  int exact = 0, parent = 0;
  // Summaries carry the normalised publisher ("publisher_key", from the index or scenario_summary);
  // an index written before it was added is normalised here.
  std::string publisher_key = scenario.publisher_key;
  if (publisher_key.empty()) publisher_key = text::normalize_name(scenario.publisher);
  double tr = track_record_fit_key(publisher_key, enterprise.customers, enterprise.outcomes, &exact, &parent);
  std::string tr_reason;
  if (exact > 0) tr_reason = zh ? fmt::format("与该发榜单位有 {} 项往绩", exact)
                                : fmt::format("track record with this publisher: {}", exact);
  else if (parent > 0) tr_reason = zh ? fmt::format("与其上级单位有 {} 项往绩", parent)
                                      : fmt::format("track record with its parent organisation: {}", parent);
  add("track_record", w.track_record, tr, tr_reason);

  std::string shared;
  int ic = industry_closeness(scenario.industries, enterprise.industries, industries, &shared);
  static const char* kIndustryZh[] = {"", "同一门类", "同一大类", "同一中类", "同一行业"};
  static const char* kIndustryEn[] = {"", "same industry section", "same industry division", "same industry group",
                                      "same industry"};
  std::string ind_reason;
  if (ic > 0) {
    std::string label = industries.name(shared);
    ind_reason = fmt::format("{} ({}{})", zh ? kIndustryZh[ic] : kIndustryEn[ic], shared,
                             label.empty() ? "" : " " + label);
  }
  add("industry", w.industry, ic / 4.0, ind_reason);

  const std::string& sr = scenario.region;
  const std::string& er = enterprise.region;
  // Only codes the table knows have a place in the hierarchy (as in the index's terms).
  int rc = regions.contains(sr) && regions.contains(er) ? RegionTable::closeness(sr, er) : 0;
  static const char* kRegionZh[] = {"", "同省", "同市", "同区县"};
  static const char* kRegionEn[] = {"", "same province", "same city", "same district"};
  std::string reg_reason;
  if (rc > 0) {
    std::string place = regions.name(candidate_is_enterprise ? er : sr);
    reg_reason = fmt::format("{}{}", zh ? kRegionZh[rc] : kRegionEn[rc], place.empty() ? "" : " (" + place + ")");
  }
  add("region", w.region, rc / 3.0, reg_reason);

  double rf = 0.5;
  std::string trl_reason;
  if (scenario.required_trl && enterprise.trl) {
    int req = *scenario.required_trl;
    int have = *enterprise.trl;
    rf = fit::readiness_fit(have, req);
    trl_reason = zh ? fmt::format("TRL {}，要求 {}", have, req) : fmt::format("TRL {}, {} required", have, req);
  } else if (scenario.required_trl) {
    trl_reason = zh ? fmt::format("TRL 未知，要求 {}", *scenario.required_trl)
                    : fmt::format("TRL unknown, {} required", *scenario.required_trl);
  }
  add("readiness", w.readiness, rf, trl_reason);
  return out;
}

/// The result for a candidate; its attribute summary is moved in (the candidate is spent).
MatchResult finish_result(Candidate&& c, PairFit&& fit, const std::string& name) {
  MatchResult r;
  r.id = c.id;
  r.name = name;
  r.score = c.score;  // what Xapian ranked by
  r.components = std::move(fit.components);
  for (const auto& comp : r.components) {
    r.components_sum += comp.contribution;
    if (comp.reason.empty()) continue;
    if (!r.reason.empty()) r.reason += "; ";
    r.reason += comp.reason;
  }
  r.summary = std::move(c.summary);
  return r;
}

/// The subject of a ranking for a scenario: what the ranking and the explanations read of it.
ScenarioSummary scenario_summary(const Scenario& s, const RegionTable& regions, const IndustryTable& industries) {
  ScenarioSummary out;
  out.id = s.id;
  out.publisher = s.publisher;
  out.publisher_key = text::normalize_name(s.publisher);
  out.region = s.region.empty() ? "" : regions.resolve(s.region).value_or("");
  for (const auto& i : s.industries) out.industries.push_back(industries.canonical(i).value_or(i));
  out.required_trl = s.required_trl;
  return out;
}

/// The subject of a ranking for an enterprise (its outcomes are added from the index).
EnterpriseSummary enterprise_summary(const Enterprise& e, const RegionTable& regions, const IndustryTable& industries) {
  EnterpriseSummary out;
  out.id = e.id;
  out.region = e.region.empty() ? "" : regions.resolve(e.region).value_or("");
  for (const auto& i : e.industries) out.industries.push_back(industries.canonical(i).value_or(i));
  out.trl = e.trl;
  for (const auto& c : e.cases)
    if (!c.customer.empty()) out.customers.push_back({c.customer, text::normalize_name(c.customer), std::nullopt, ""});
  return out;
}

RankingQuery ranking_query(const RankingConfig& config, size_t limit) {
  RankingQuery q;
  q.limit = limit;
  q.config = &config;
  return q;
}

}  // namespace

Result<std::vector<MatchResult>> Matcher::enterprises_for(const Scenario& s, size_t limit) const {
  MatchOptions o;
  o.limit = limit;
  return enterprises_for(s, o);
}

Result<std::vector<MatchResult>> Matcher::scenarios_for(const Enterprise& e, size_t limit,
                                                        const std::string& today) const {
  MatchOptions o;
  o.limit = limit;
  o.today = today;
  return scenarios_for(e, o);
}

Result<std::vector<MatchResult>> Matcher::enterprises_for(const Scenario& s, const MatchOptions& o) const {
  RankingQuery q = ranking_query(weights_, o.limit);  // with case_share 0 the per-case query is not run
  const ScenarioSummary subject = scenario_summary(s, regions_, industries_);
  q.subject = subject;
  // Ranked inside the Xapian match (hard filters included): the list is the exact top `limit`.
  auto list = rank_enterprises(index_, s, q);
  if (!list) return list.status();
  const double top = list->reference_score, top_case = list->case_reference;
  const double share = top_case > 0 ? weights_.case_share : 0;
  bool zh = has_han(s.title + s.description);
  std::vector<MatchResult> out;
  out.reserve(list->candidates.size());
  for (auto& c : list->candidates) {
    double profile_fit = top > 0 ? c.text_score / top : 0;
    double case_fit = top_case > 0 ? fit::case_evidence(c.case_score, c.second_case_score, weights_.second_case) / top_case : 0;
    double text_fit = (1 - share) * profile_fit + share * case_fit;
    double absolute = list->self_score > 0 ? std::min(1.0, c.text_score / list->self_score) : 0;
    static const EnterpriseSummary kNoEnterprise;
    const auto* candidate = std::get_if<EnterpriseSummary>(&c.summary);
    PairFit fit = fit_pair(subject, candidate ? *candidate : kNoEnterprise, text_fit, absolute, weights_, regions_,
                           industries_, zh, true);
    if (share > 0 && !c.best_case.empty() && case_fit >= 0.5) {
      std::string title = text::truncate_utf8(c.best_case, 90);
      if (title.size() < c.best_case.size()) title += "…";
      fit.components.front().reason += zh ? fmt::format("（最相关案例：{}）", title) : fmt::format(" (closest past case: {})", title);
    }
    std::string name = summary_name(c.summary);
    out.push_back(finish_result(std::move(c), std::move(fit), name));
    out.back().text_fit = absolute;
  }
  // In Xapian's order: score, then id (the top k of any k is the prefix of the whole list).
  if (o.matched_terms)
    for (auto& r : out)
      r.matched_terms = index_.matched_terms(RecordKind::kEnterprise, r.id, list->query_terms, list->query_words);
  if (o.query_terms) *o.query_terms = std::move(list->query_terms);
  if (o.query_words) *o.query_words = std::move(list->query_words);
  return out;
}

Result<std::vector<MatchResult>> Matcher::scenarios_for(const Enterprise& e, const MatchOptions& o) const {
  RankingQuery q = ranking_query(weights_, o.limit);
  q.filters.status = "open";
  q.filters.today = o.today;
  q.filters.posted_from = o.posted_from;
  q.filters.posted_to = o.posted_to;
  q.filters.posted_also = o.posted_also;
  q.reference_beyond_posted = o.reference_beyond_posted;
  q.skip_below_fit = o.min_text_fit;
  EnterpriseSummary subject = enterprise_summary(e, regions_, industries_);
  // Outcomes of the enterprise's earlier matches (validated, commercialised) count in its track
  // record as they do the other way round: they are in its indexed summary, not in the record.
  if (auto indexed = index_.summary(RecordKind::kEnterprise, e.id))
    if (const auto* indexed_enterprise = std::get_if<EnterpriseSummary>(&*indexed))
      subject.outcomes = indexed_enterprise->outcomes;
  q.subject = subject;
  // Ranked inside the Xapian match; the text fit is divided by the best score among all open
  // scenarios (list->reference_score), so a digest's "new this week" subset shows the same fit
  // as an unrestricted match.
  auto list = rank_scenarios(index_, e, q);
  if (!list) return list.status();
  const double top = list->reference_score;
  std::vector<MatchResult> out;
  out.reserve(list->candidates.size());
  for (auto& c : list->candidates) {
    double text_fit = top > 0 ? c.text_score / top : 0;
    static const ScenarioSummary kNoScenario;
    const auto* candidate = std::get_if<ScenarioSummary>(&c.summary);
    const ScenarioSummary& scenario = candidate ? *candidate : kNoScenario;
    std::string title = scenario.title;
    double absolute = list->self_score > 0 ? std::min(1.0, c.text_score / list->self_score) : 0;
    PairFit fit = fit_pair(scenario, subject, text_fit, absolute, weights_, regions_, industries_, has_han(title), false);
    out.push_back(finish_result(std::move(c), std::move(fit), title));
    out.back().text_fit = absolute;
  }
  // In Xapian's order: score, then id (the top k of any k is the prefix of the whole list).
  if (o.matched_terms)
    for (auto& r : out)
      r.matched_terms = index_.matched_terms(RecordKind::kScenario, r.id, list->query_terms, list->query_words);
  if (o.query_terms) *o.query_terms = std::move(list->query_terms);
  if (o.query_words) *o.query_words = std::move(list->query_words);
  return out;
}

}  // namespace jiebang
