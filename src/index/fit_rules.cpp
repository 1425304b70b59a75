// Attribute-fit rules shared by the ranking query and the explanations.
#include "jiebang/index/fit_rules.h"

#include <algorithm>
#include <cmath>

#include "jiebang/core/records.h"
#include "jiebang/text/normalize.h"

namespace jiebang::fit {

std::string parent_org(const std::string& name) {
  auto pos = name.find(" / ");
  return pos == std::string::npos ? std::string() : name.substr(0, pos);
}

TrackRecordEvidence track_record_evidence(const std::vector<PastCustomer>& customers,
                                          const std::vector<MatchOutcome>& outcomes) {
  TrackRecordEvidence ev;
  auto add = [&](const std::string& name, const std::string& given_key, int weight) {
    if (name.empty() && given_key.empty()) return;
    std::string key = given_key.empty() ? text::normalize_name(name) : given_key;
    if (key.empty()) return;
    ev.exact[key] += weight;
    ev.parent[key] += weight;
    if (std::string p = parent_org(key); !p.empty()) ev.parent[p] += weight;
  };
  for (const auto& c : customers) add(c.customer, c.key, 1);
  for (const auto& o : outcomes) add(o.publisher, o.key, o.stage == "commercialized" ? 3 : 2);
  return ev;
}

double evidence_fit(int n) {
  if (n <= 0) return 0;
  return 1.0 - std::pow(0.5, std::min(n, kTrackRecordCap));
}

double case_evidence(double best, double second, double second_case) { return best + second_case * second; }

double readiness_fit(std::optional<int> have, std::optional<int> required) {
  if (!have || !required) return 0.5;
  if (*have >= *required) return 1.0;
  return std::max(0.0, 1.0 - (*required - *have) / 3.0);
}

bool listed_industry_code(const std::string& value, const IndustryTable& table) {
  auto code = table.canonical(value);
  return code && *code == value;
}

double bm25_idf(double collection_size, double termfreq) {
  double r = (collection_size - termfreq + 0.5) / (termfreq + 0.5);
  if (r < 2) r = r * 0.5 + 1;
  return std::log(r);
}

double bm25_document_weight(const std::vector<Bm25Term>& terms, double collection_size, double total_length,
                            double doc_length, double k1, double b, double min_normlen) {
  const double n = collection_size + 1;
  // Xapian: len_factor = 1 / average length, 0 when the length cannot matter (k2 = 0 and b or k1 0).
  double len_factor = 0;
  if (b != 0 && k1 != 0) {
    double average = (total_length + doc_length) / n;
    len_factor = average != 0 ? 1 / average : 0;
  }
  const double normlen = std::max(doc_length * len_factor, min_normlen);
  const double length_part = k1 * (normlen * b + (1 - b));
  double sum = 0;
  for (const auto& t : terms) {
    if (t.wdf <= 0) continue;
    double termweight = bm25_idf(n, t.termfreq + 1) * t.scale;
    termweight *= 2 * t.wqf / (1 + t.wqf);  // (k3 + 1)·wqf / (k3 + wqf), k3 = 1
    termweight *= k1 + 1;
    sum += termweight * (t.wdf / (length_part + t.wdf));
  }
  return sum;
}

}  // namespace jiebang::fit
