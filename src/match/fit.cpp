// Attribute-fit functions and ranking-weight configuration.
#include <fstream>

#include <fmt/format.h>

#include "jiebang/index/fit_rules.h"
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
    else if (k == "min_text_fit" && v <= 1) w.min_text_fit = v;
    else if (k == "gap_text_fit" && v <= 1) w.gap_text_fit = v;
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

double track_record_fit(const std::string& publisher, const json& customers, const json& outcomes, int* exact_count,
                        int* parent_count) {
  return track_record_fit_key(text::normalize_name(publisher), customers, outcomes, exact_count, parent_count);
}

double track_record_fit_key(const std::string& publisher_key, const json& customers, const json& outcomes,
                            int* exact_count, int* parent_count) {
  int exact = 0, parent = 0;
  if (!publisher_key.empty()) {
    fit::TrackRecordEvidence ev = fit::track_record_evidence(customers, outcomes);
    if (auto it = ev.exact.find(publisher_key); it != ev.exact.end()) exact = it->second;
    std::string p_parent = fit::parent_org(publisher_key);
    // The parent organisation's evidence includes the publisher's own: counted once, as exact.
    if (auto it = ev.parent.find(p_parent); !p_parent.empty() && it != ev.parent.end()) parent = it->second - exact;
  }
  if (exact_count) *exact_count = exact;
  if (parent_count) *parent_count = parent;
  if (exact > 0) return fit::evidence_fit(exact);
  return 0.5 * fit::evidence_fit(parent);
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
