// Matcher: text candidates from the index, attribute fit, hard filters and explanations.
#include "jiebang/match/matcher.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "jiebang/text/normalize.h"

namespace jiebang {
namespace {

using nlohmann::json;

/// The string at `key`, or "" when absent or not a string (attribute summaries use null for "none").
std::string str(const json& j, const char* key) { return json_string(j, key); }

const json& arr(const json& j, const char* key) {
  static const json kEmpty = json::array();
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}


std::vector<std::string> codes_of(const json& industries) {
  std::vector<std::string> out;
  if (!industries.is_array()) return out;
  for (const auto& i : industries)
    if (i.is_string()) out.push_back(i.get<std::string>());
  return out;
}

/// True for a canonical GB/T 4754 code ("I", "I65", "I6510"): a section letter and digits.
bool is_industry_code(const std::string& s) {
  if (s.empty() || s[0] < 'A' || s[0] > 'T') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// Best GB/T 4754 closeness over code pairs (tags compare equal only to the same tag).
int industry_closeness(const std::vector<std::string>& a, const std::vector<std::string>& b, std::string* shared) {
  int best = 0;
  for (const auto& x : a)
    for (const auto& y : b) {
      // Only GB/T 4754 codes have a hierarchy; a domain tag is close only to the same tag.
      int c = x == y ? 4 : (is_industry_code(x) && is_industry_code(y)) ? IndustryTable::closeness(x, y) : 0;
      if (c > best) {
        best = c;
        if (shared) *shared = x;
      }
    }
  return best;
}

std::set<std::string> normalized_set(const json& list) {
  std::set<std::string> out;
  if (list.is_array())
    for (const auto& v : list)
      if (v.is_string()) out.insert(text::normalize(v.get<std::string>()));
  return out;
}

/// Components for a (scenario, enterprise) pair given both attribute summaries.
struct PairFit {
  std::vector<ScoreComponent> components;
};

PairFit fit_pair(const json& scenario, const json& enterprise, double text_fit, const MatchWeights& w,
                 const RegionTable& regions, const IndustryTable& industries, bool zh, bool candidate_is_enterprise) {
  PairFit out;
  auto add = [&](const char* name, double weight, double fit, std::string reason) {
    out.components.push_back({name, fit, weight * fit, std::move(reason)});
  };
  add("text", w.text, text_fit, zh ? fmt::format("文本相关度 {:.2f}", text_fit) : fmt::format("text {:.2f}", text_fit));

  int exact = 0, parent = 0;
  // Summaries carry the normalised publisher ("publisher_key", from the index or scenario_summary);
  // an index written before it was added is normalised here.
  std::string publisher_key = str(scenario, "publisher_key");
  if (publisher_key.empty()) publisher_key = text::normalize(str(scenario, "publisher"));
  double tr = track_record_fit_key(publisher_key, arr(enterprise, "customers"), arr(enterprise, "outcomes"), &exact,
                                   &parent);
  std::string tr_reason;
  if (exact > 0) tr_reason = zh ? fmt::format("与该发榜单位有 {} 项往绩", exact)
                                : fmt::format("track record with this publisher: {}", exact);
  else if (parent > 0) tr_reason = zh ? fmt::format("与其上级单位有 {} 项往绩", parent)
                                      : fmt::format("track record with its parent organisation: {}", parent);
  add("track_record", w.track_record, tr, tr_reason);

  std::string shared;
  int ic = industry_closeness(codes_of(arr(scenario, "industries")),
                              codes_of(arr(enterprise, "industries")), &shared);
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

  std::string sr = str(scenario, "region");
  std::string er = str(enterprise, "region");
  int rc = RegionTable::closeness(sr, er);
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
  if (scenario.contains("required_trl") && enterprise.contains("trl")) {
    int req = scenario["required_trl"].get<int>();
    int have = enterprise["trl"].get<int>();
    rf = have >= req ? 1.0 : std::max(0.0, 1.0 - (req - have) / 3.0);
    trl_reason = zh ? fmt::format("TRL {}，要求 {}", have, req) : fmt::format("TRL {}, {} required", have, req);
  } else if (scenario.contains("required_trl")) {
    trl_reason = zh ? fmt::format("TRL 未知，要求 {}", scenario["required_trl"].get<int>())
                    : fmt::format("TRL unknown, {} required", scenario["required_trl"].get<int>());
  }
  add("readiness", w.readiness, rf, trl_reason);
  return out;
}

/// The result for a candidate; its attribute summary is moved in (the candidate is spent).
MatchResult finish_result(Candidate&& c, PairFit&& fit, const std::string& name) {
  MatchResult r;
  r.id = c.id;
  r.name = name;
  r.components = std::move(fit.components);
  for (const auto& comp : r.components) {
    r.score += comp.contribution;
    if (comp.reason.empty()) continue;
    if (!r.reason.empty()) r.reason += "; ";
    r.reason += comp.reason;
  }
  r.attributes = std::move(c.attributes);
  return r;
}

void sort_and_cut(std::vector<MatchResult>& results, size_t limit) {
  // Score, then id: a total order (ids are unique), so the best `limit` need no stable sort.
  auto better = [](const MatchResult& a, const MatchResult& b) {
    return a.score != b.score ? a.score > b.score : a.id < b.id;
  };
  if (results.size() > limit) {
    std::partial_sort(results.begin(), results.begin() + static_cast<std::ptrdiff_t>(limit), results.end(), better);
    results.resize(limit);
  } else {
    std::sort(results.begin(), results.end(), better);
  }
}

json scenario_summary(const Scenario& s, const RegionTable& regions, const IndustryTable& industries) {
  json j = {{"id", s.id}, {"publisher", s.publisher}, {"publisher_key", text::normalize(s.publisher)}};
  std::string code = s.region.empty() ? "" : regions.resolve(s.region).value_or("");
  j["region"] = code;
  json inds = json::array();
  for (const auto& i : s.industries) inds.push_back(industries.canonical(i).value_or(i));
  j["industries"] = inds;
  if (s.required_trl) j["required_trl"] = *s.required_trl;
  return j;
}

json enterprise_summary(const Enterprise& e, const RegionTable& regions, const IndustryTable& industries) {
  json j = {{"id", e.id}};
  j["region"] = e.region.empty() ? "" : regions.resolve(e.region).value_or("");
  json inds = json::array();
  for (const auto& i : e.industries) inds.push_back(industries.canonical(i).value_or(i));
  j["industries"] = inds;
  if (e.trl) j["trl"] = *e.trl;
  json customers = json::array();
  for (const auto& c : e.cases)
    if (!c.customer.empty()) customers.push_back({{"customer", c.customer}, {"key", text::normalize(c.customer)}});
  j["customers"] = customers;
  return j;
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
  size_t limit = o.limit;
  CandidateQuery q;
  q.limit = std::max(weights_.candidates, limit);
  q.max_query_terms = weights_.max_query_terms;
  q.bm25_k1 = weights_.bm25_k1;
  q.bm25_b = weights_.bm25_b;
  q.per_case = weights_.case_share > 0;  // per-case evidence unused: its query is not run
  auto list = index_.enterprises_for(s, q);
  if (!list) return list.status();
  std::vector<Candidate>* cands = &list->candidates;
  double top = 0, top_case = 0;
  auto case_evidence = [&](const Candidate& c) { return c.case_score + weights_.second_case * c.second_case_score; };
  for (const auto& c : *cands) {
    top = std::max(top, c.text_score);
    top_case = std::max(top_case, case_evidence(c));
  }
  std::set<std::string> required;
  for (const auto& r : s.required_qualifications) required.insert(text::normalize(r));
  json scen = scenario_summary(s, regions_, industries_);
  bool zh = has_han(s.title + s.description);
  std::vector<MatchResult> out;
  out.reserve(cands->size());
  for (auto& c : *cands) {
    if (!required.empty()) {
      auto held = normalized_set(arr(c.attributes, "qualifications"));
      if (!std::includes(held.begin(), held.end(), required.begin(), required.end())) continue;
    }
    double profile_fit = top > 0 ? c.text_score / top : 0;
    double case_fit = top_case > 0 ? case_evidence(c) / top_case : 0;
    double share = top_case > 0 ? weights_.case_share : 0;
    double text_fit = (1 - share) * profile_fit + share * case_fit;
    PairFit fit = fit_pair(scen, c.attributes, text_fit, weights_, regions_, industries_, zh, true);
    if (share > 0 && !c.best_case.empty() && case_fit >= 0.5) {
      std::string title = text::truncate_utf8(c.best_case, 90);
      if (title.size() < c.best_case.size()) title += "…";
      fit.components.front().reason += zh ? fmt::format("（最相关案例：{}）", title) : fmt::format(" (closest past case: {})", title);
    }
    std::string name = str(c.attributes, "name");
    out.push_back(finish_result(std::move(c), std::move(fit), name));
  }
  sort_and_cut(out, limit);
  if (o.matched_terms)
    for (auto& r : out) r.matched_terms = index_.matched_terms(RecordKind::kEnterprise, r.id, list->query_terms);
  if (o.query_terms) *o.query_terms = std::move(list->query_terms);
  return out;
}

Result<std::vector<MatchResult>> Matcher::scenarios_for(const Enterprise& e, const MatchOptions& o) const {
  size_t limit = o.limit;
  CandidateQuery q;
  q.limit = std::max(weights_.candidates, limit);
  q.max_query_terms = weights_.max_query_terms;
  q.bm25_k1 = weights_.bm25_k1;
  q.bm25_b = weights_.bm25_b;
  q.filters.status = "open";
  q.filters.today = o.today;
  q.filters.posted_from = o.posted_from;
  q.filters.posted_to = o.posted_to;
  q.filters.posted_also = o.posted_also;
  q.reference_beyond_posted = o.reference_beyond_posted;
  auto list = index_.scenarios_for(e, q);
  if (!list) return list.status();
  std::vector<Candidate>* cands = &list->candidates;
  // Divided by the best score among all open scenarios (list->reference_score), so a digest's
  // "new this week" subset shows the same text fit as an unrestricted match.
  double top = list->reference_score;
  for (const auto& c : *cands) top = std::max(top, c.text_score);
  std::set<std::string> held;
  for (const auto& h : e.qualifications) held.insert(text::normalize(h));
  json ent = enterprise_summary(e, regions_, industries_);
  // Outcomes of the enterprise's earlier matches (validated, commercialised) count in its track
  // record as they do the other way round: they are in its indexed summary, not in the record.
  if (auto indexed = index_.attributes(RecordKind::kEnterprise, e.id); indexed && indexed->contains("outcomes"))
    ent["outcomes"] = (*indexed)["outcomes"];
  std::vector<MatchResult> out;
  out.reserve(cands->size());
  for (auto& c : *cands) {
    auto required = normalized_set(arr(c.attributes, "required_qualifications"));
    if (!std::includes(held.begin(), held.end(), required.begin(), required.end())) continue;
    double text_fit = top > 0 ? c.text_score / top : 0;
    bool zh = has_han(str(c.attributes, "title"));
    PairFit fit = fit_pair(c.attributes, ent, text_fit, weights_, regions_, industries_, zh, false);
    std::string title = str(c.attributes, "title");
    out.push_back(finish_result(std::move(c), std::move(fit), title));
  }
  sort_and_cut(out, limit);
  if (o.matched_terms)
    for (auto& r : out) r.matched_terms = index_.matched_terms(RecordKind::kScenario, r.id, list->query_terms);
  if (o.query_terms) *o.query_terms = std::move(list->query_terms);
  return out;
}

}  // namespace jiebang
