// Attribute-fit functions and ranking-weight configuration.
#include <fstream>

#include <fmt/format.h>

#include "jiebang/match/matcher.h"
#include "jiebang/text/normalize.h"

namespace jiebang {

using nlohmann::json;

Result<MatchWeights> MatchWeights::from_json(const json& j) {
  if (!j.is_object()) return Status::invalid_argument("ranking weights: expected a JSON object");
  MatchWeights w;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k.rfind("_", 0) == 0) continue;  // "_comment" and the like
    if (!it->is_number() || it->get<double>() < 0)
      return Status::invalid_argument(fmt::format("ranking weights: \"{}\" must be a non-negative number", k));
    double v = it->get<double>();
    if (k == "text") w.text = v;
    else if (k == "track_record") w.track_record = v;
    else if (k == "industry") w.industry = v;
    else if (k == "region") w.region = v;
    else if (k == "readiness") w.readiness = v;
    else if (k == "bm25_k1") w.bm25_k1 = v;
    else if (k == "case_share" && v <= 1) w.case_share = v;
    else if (k == "second_case") w.second_case = v;
    else if (k == "bm25_b" && v <= 1) w.bm25_b = v;
    else if (k == "candidates" && v >= 1) w.candidates = static_cast<size_t>(v);
    else if (k == "max_query_terms" && v >= 1) w.max_query_terms = static_cast<size_t>(v);
    else
      return Status::invalid_argument(fmt::format("ranking weights: unknown or out-of-range key \"{}\"", k));
  }
  return w;
}

Result<MatchWeights> MatchWeights::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::not_found(fmt::format("cannot open ranking weights {}", path));
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded()) return Status::invalid_argument(fmt::format("{}: not valid JSON", path));
  auto w = from_json(j);
  if (!w) return Status::invalid_argument(fmt::format("{}: {}", path, w.status().message()));
  return w;
}

namespace {
std::string parent_org(const std::string& name) {
  auto pos = name.find(" / ");
  return pos == std::string::npos ? std::string() : name.substr(0, pos);
}
}  // namespace

double track_record_fit(const std::string& publisher, const json& customers, const json& outcomes, int* exact_count,
                        int* parent_count) {
  return track_record_fit_key(text::normalize(publisher), customers, outcomes, exact_count, parent_count);
}

double track_record_fit_key(const std::string& publisher_key, const json& customers, const json& outcomes,
                            int* exact_count, int* parent_count) {
  int exact = 0, parent = 0;
  const std::string& p = publisher_key;
  std::string p_parent = parent_org(p);
  // Attribute summaries carry each name's normalised "key" (computed at index time); the
  // name is normalised here only when it is missing.
  auto key_of = [](const json& item, const char* name_key) {
    if (item.contains("key") && item["key"].is_string()) return item["key"].get<std::string>();
    return text::normalize(item[name_key].get<std::string>());
  };
  auto count = [&](const std::string& cust, int weight) {
    if (cust.empty() || p.empty()) return;
    if (cust == p) exact += weight;
    else if (!p_parent.empty() && (parent_org(cust) == p_parent || cust == p_parent)) parent += weight;
  };
  if (customers.is_array())
    for (const auto& c : customers)
      if (c.is_object() && c.contains("customer") && c["customer"].is_string()) count(key_of(c, "customer"), 1);
  // Outcomes of earlier matches count more than a listed case: validated 2, commercialised 3.
  if (outcomes.is_array())
    for (const auto& o : outcomes)
      if (o.is_object() && o.contains("publisher") && o["publisher"].is_string())
        count(key_of(o, "publisher"), json_string(o, "stage") == "commercialized" ? 3 : 2);
  if (exact_count) *exact_count = exact;
  if (parent_count) *parent_count = parent;
  if (exact > 0) return 1.0 - std::pow(0.5, exact);
  if (parent > 0) return 0.5 * (1.0 - std::pow(0.5, parent));
  return 0;
}

bool has_han(const std::string& text) {
  // U+3400–U+9FFF as UTF-8: lead bytes E3 (from U+3400) to E9.
  for (size_t i = 0; i + 2 < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0xE4 && c <= 0xE9) return true;
    if (c == 0xE3 && static_cast<unsigned char>(text[i + 1]) >= 0x90) return true;
  }
  return false;
}

}  // namespace jiebang
