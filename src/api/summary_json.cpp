// The wire form of the attribute summaries (see jiebang/api/summary_json.h).
#include "jiebang/api/summary_json.h"

namespace jiebang {

using nlohmann::json;

namespace {
json region_json(const std::string& region) { return region.empty() ? json(nullptr) : json(region); }
}  // namespace

json summary_json(const ScenarioSummary& s) {
  json j = {{"id", s.id},
            {"title", s.title},
            {"publisher", s.publisher},
            {"publisher_key", s.publisher_key},
            {"region", region_json(s.region)},
            {"industries", s.industries},
            {"status", s.status}};
  if (s.required_trl) j["required_trl"] = *s.required_trl;
  // Major units, as the interchange form gives budgets (minor / 100).
  if (s.budget_min_minor) j["budget_min"] = static_cast<double>(*s.budget_min_minor) / 100.0;
  if (s.budget_max_minor) j["budget_max"] = static_cast<double>(*s.budget_max_minor) / 100.0;
  if (s.currency) j["currency"] = *s.currency;
  if (!s.required_qualifications.empty()) j["required_qualifications"] = s.required_qualifications;
  if (!s.deadline.empty()) j["deadline"] = s.deadline;
  return j;
}

json summary_json(const EnterpriseSummary& e) {
  json customers = json::array();
  for (const auto& c : e.customers) {
    json cj = {{"customer", c.customer}, {"key", c.key}};
    if (c.year) cj["year"] = *c.year;
    if (!c.stage.empty()) cj["stage"] = c.stage;
    customers.push_back(std::move(cj));
  }
  json j = {{"id", e.id},
            {"name", e.name},
            {"region", region_json(e.region)},
            {"industries", e.industries},
            {"customers", std::move(customers)},
            {"qualifications", e.qualifications}};
  if (e.trl) j["trl"] = *e.trl;
  if (!e.outcomes.empty()) {
    json outcomes = json::array();
    for (const auto& o : e.outcomes) outcomes.push_back({{"publisher", o.publisher}, {"key", o.key}, {"stage", o.stage}});
    j["outcomes"] = std::move(outcomes);
  }
  return j;
}

json summary_json(const RecordSummary& s) {
  return std::visit([](const auto& x) { return summary_json(x); }, s);
}

}  // namespace jiebang
