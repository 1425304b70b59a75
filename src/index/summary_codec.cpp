// The stored form of the attribute summaries (see summary_codec.h).
#include "summary_codec.h"

#include <cmath>

namespace jiebang::index_detail {
namespace {

using nlohmann::json;

json region_json(const std::string& region) { return region.empty() ? json(nullptr) : json(region); }

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<int> integer(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int>();
}

/// Budget amounts are stored in major units (minor / 100, as the API has always shown them);
/// read back to the minor unit they were written from.
std::optional<int64_t> minor_units(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return static_cast<int64_t>(std::llround(it->get<double>() * 100.0));
}

std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

json parse_object(const std::string& data) {
  json j = json::parse(data, nullptr, false);
  return j.is_object() ? j : json::object();
}

}  // namespace

json stored_json(const ScenarioSummary& s) {
  json j = json::object();
  j["id"] = s.id;
  j["title"] = s.title;
  j["publisher"] = s.publisher;
  j["publisher_key"] = s.publisher_key;
  j["region"] = region_json(s.region);
  j["industries"] = s.industries;
  j["status"] = s.status;
  if (s.required_trl) j["required_trl"] = *s.required_trl;
  if (s.budget_min_minor) j["budget_min"] = static_cast<double>(*s.budget_min_minor) / 100.0;
  if (s.budget_max_minor) j["budget_max"] = static_cast<double>(*s.budget_max_minor) / 100.0;
  if (s.currency) j["currency"] = *s.currency;
  if (!s.required_qualifications.empty()) j["required_qualifications"] = s.required_qualifications;
  if (!s.deadline.empty()) j["deadline"] = s.deadline;
  return j;
}

json stored_json(const EnterpriseSummary& e) {
  json j = json::object();
  j["id"] = e.id;
  j["name"] = e.name;
  j["region"] = region_json(e.region);
  j["industries"] = e.industries;
  if (e.trl) j["trl"] = *e.trl;
  json customers = json::array();
  for (const auto& c : e.customers) {
    json cj = {{"customer", c.customer}, {"key", c.key}};
    if (c.year) cj["year"] = *c.year;
    if (!c.stage.empty()) cj["stage"] = c.stage;
    customers.push_back(std::move(cj));
  }
  j["customers"] = std::move(customers);
  if (!e.outcomes.empty()) {
    json outcomes = json::array();
    for (const auto& o : e.outcomes) outcomes.push_back({{"publisher", o.publisher}, {"key", o.key}, {"stage", o.stage}});
    j["outcomes"] = std::move(outcomes);
  }
  j["qualifications"] = e.qualifications;
  return j;
}

ScenarioSummary scenario_summary_from_data(const std::string& data) {
  json j = parse_object(data);
  ScenarioSummary s;
  s.id = str(j, "id");
  s.title = str(j, "title");
  s.publisher = str(j, "publisher");
  s.publisher_key = str(j, "publisher_key");
  s.region = str(j, "region");
  s.industries = strings(j, "industries");
  s.status = str(j, "status");
  s.required_trl = integer(j, "required_trl");
  s.budget_min_minor = minor_units(j, "budget_min");
  s.budget_max_minor = minor_units(j, "budget_max");
  if (auto it = j.find("currency"); it != j.end() && it->is_string()) s.currency = it->get<std::string>();
  s.required_qualifications = strings(j, "required_qualifications");
  s.deadline = str(j, "deadline");
  return s;
}

EnterpriseSummary enterprise_summary_from_data(const std::string& data) {
  json j = parse_object(data);
  EnterpriseSummary e;
  e.id = str(j, "id");
  e.name = str(j, "name");
  e.region = str(j, "region");
  e.industries = strings(j, "industries");
  e.trl = integer(j, "trl");
  if (auto it = j.find("customers"); it != j.end() && it->is_array())
    for (const auto& c : *it) {
      if (!c.is_object() || !c.contains("customer") || !c["customer"].is_string()) continue;
      e.customers.push_back({str(c, "customer"), str(c, "key"), integer(c, "year"), str(c, "stage")});
    }
  if (auto it = j.find("outcomes"); it != j.end() && it->is_array())
    for (const auto& o : *it) {
      if (!o.is_object() || !o.contains("publisher") || !o["publisher"].is_string()) continue;
      e.outcomes.push_back({str(o, "publisher"), str(o, "key"), str(o, "stage")});
    }
  e.qualifications = strings(j, "qualifications");
  return e;
}

RecordSummary summary_from_data(bool enterprise, const std::string& data) {
  if (enterprise) return enterprise_summary_from_data(data);
  return scenario_summary_from_data(data);
}

}  // namespace jiebang::index_detail
