// RankingConfig: the ranking configuration read from JSON (index/ranking.json or --weights FILE).
#include <fstream>

#include <fmt/format.h>

#include "jiebang/index/ranking.h"

namespace jiebang {

using nlohmann::json;

Result<RankingConfig> RankingConfig::from_json(const json& j) {
  if (!j.is_object()) return Status::invalid_argument("ranking weights: expected a JSON object");
  RankingConfig w;
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
    else if (k == "other_side_docs") w.other_side_docs = v;
    else if (k == "min_text_fit" && v <= 1) w.min_text_fit = v;
    else if (k == "gap_text_fit" && v <= 1) w.gap_text_fit = v;
    else if (k == "candidates" && v >= 1) w.candidates = static_cast<size_t>(v);
    else if (k == "max_query_terms" && v >= 1) w.max_query_terms = static_cast<size_t>(v);
    else
      return Status::invalid_argument(fmt::format("ranking weights: unknown or out-of-range key \"{}\"", k));
  }
  return w;
}

json RankingConfig::to_json() const {
  return {{"text", text},
          {"case_share", case_share},
          {"second_case", second_case},
          {"track_record", track_record},
          {"industry", industry},
          {"region", region},
          {"readiness", readiness},
          {"candidates", candidates},
          {"max_query_terms", max_query_terms},
          {"bm25_k1", bm25_k1},
          {"bm25_b", bm25_b},
          {"other_side_docs", other_side_docs},
          {"min_text_fit", min_text_fit},
          {"gap_text_fit", gap_text_fit}};
}

Result<RankingConfig> RankingConfig::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::not_found(fmt::format("cannot open ranking weights {}", path));
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded()) return Status::invalid_argument(fmt::format("{}: not valid JSON", path));
  auto w = from_json(j);
  if (!w) return Status::invalid_argument(fmt::format("{}: {}", path, w.status().message()));
  return w;
}

}  // namespace jiebang
