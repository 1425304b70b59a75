// TREC qrels reading, per-query measures and run writing.
#include "jiebang/match/eval.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <fmt/format.h>

namespace jiebang {

Result<Qrels> read_qrels(std::istream& in) {
  Qrels q;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::istringstream fields(line);
    std::string query, iter, doc, rel_text, extra;
    if (!(fields >> query >> iter >> doc >> rel_text) || (fields >> extra))
      return Status::invalid_argument(fmt::format("qrels line {}: expected 4 fields \"query 0 doc relevance\"", line_no));
    try {
      size_t used = 0;
      int rel = std::stoi(rel_text, &used);
      if (used != rel_text.size()) throw std::invalid_argument(rel_text);
      q[query][doc] = rel;
    } catch (const std::exception&) {
      return Status::invalid_argument(
          fmt::format("qrels line {}: relevance \"{}\" is not an integer", line_no, rel_text));
    }
  }
  return q;
}

QueryMeasures measure(const std::vector<std::string>& ranked, const std::map<std::string, int>& judged, size_t k) {
  QueryMeasures m;
  std::vector<int> ideal;
  for (const auto& [doc, rel] : judged)
    if (rel > 0) ideal.push_back(rel);
  if (ideal.empty()) return m;
  std::sort(ideal.rbegin(), ideal.rend());
  double dcg = 0, idcg = 0;
  size_t found = 0;
  for (size_t i = 0; i < ranked.size() && i < k; ++i) {
    auto it = judged.find(ranked[i]);
    int rel = it == judged.end() ? 0 : it->second;
    if (rel <= 0) continue;
    if (m.reciprocal_rank == 0) m.reciprocal_rank = 1.0 / static_cast<double>(i + 1);
    ++found;
    dcg += (std::pow(2.0, rel) - 1) / std::log2(static_cast<double>(i) + 2);
  }
  for (size_t i = 0; i < ideal.size() && i < k; ++i)
    idcg += (std::pow(2.0, ideal[i]) - 1) / std::log2(static_cast<double>(i) + 2);
  m.recall = static_cast<double>(found) / static_cast<double>(ideal.size());
  m.ndcg = idcg > 0 ? dcg / idcg : 0;
  return m;
}

QueryReport report_query(const std::string& query, const std::vector<std::string>& ranked,
                         const std::map<std::string, int>& judged, size_t k) {
  QueryReport r;
  r.query = query;
  r.measures = measure(ranked, judged, k);
  std::map<std::string, size_t> rank_of;  // relevant id → rank from 1 (first occurrence)
  for (size_t i = 0; i < ranked.size(); ++i) {
    auto it = judged.find(ranked[i]);
    if (it == judged.end() || it->second <= 0) continue;
    if (r.first_relevant == 0) r.first_relevant = i + 1;
    rank_of.emplace(ranked[i], i + 1);
  }
  std::vector<std::pair<std::string, size_t>> below, absent;
  for (const auto& [doc, rel] : judged) {
    if (rel <= 0) continue;
    ++r.relevant;
    auto it = rank_of.find(doc);
    if (it == rank_of.end()) absent.emplace_back(doc, 0);
    else if (it->second > k) below.emplace_back(doc, it->second);
  }
  std::sort(below.begin(), below.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  r.missed = std::move(below);
  r.missed.insert(r.missed.end(), absent.begin(), absent.end());
  return r;
}

void accumulate(EvalSummary& s, const QueryMeasures& m) {
  ++s.queries;
  s.mrr += m.reciprocal_rank;
  s.recall += m.recall;
  s.ndcg += m.ndcg;
}

void finish(EvalSummary& s) {
  if (s.queries == 0) return;
  auto n = static_cast<double>(s.queries);
  s.mrr /= n;
  s.recall /= n;
  s.ndcg /= n;
}

Result<Run> read_run(std::istream& in) {
  std::map<std::string, std::vector<std::pair<long, std::string>>> ranked;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::istringstream fields(line);
    std::string query, q0, doc, rank_text, score, name;
    if (!(fields >> query >> q0 >> doc >> rank_text >> score >> name))
      return Status::invalid_argument(fmt::format("run line {}: expected 6 fields \"query Q0 doc rank score name\"", line_no));
    try {
      size_t used = 0;
      long rank = std::stol(rank_text, &used);
      if (used != rank_text.size()) throw std::invalid_argument(rank_text);
      ranked[query].emplace_back(rank, doc);
    } catch (const std::exception&) {
      return Status::invalid_argument(fmt::format("run line {}: rank \"{}\" is not an integer", line_no, rank_text));
    }
  }
  Run run;
  for (auto& [query, docs] : ranked) {
    std::stable_sort(docs.begin(), docs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& d : docs) run[query].push_back(std::move(d.second));
  }
  return run;
}

Qrels invert(const Qrels& qrels) {
  Qrels out;
  for (const auto& [query, docs] : qrels)
    for (const auto& [doc, rel] : docs) out[doc][query] = rel;
  return out;
}

EvalSummary evaluate_run(const Qrels& qrels, const Run& run, size_t k) {
  EvalSummary s;
  static const std::vector<std::string> kNone;
  for (const auto& [query, judged] : qrels) {
    bool any = false;
    for (const auto& [doc, rel] : judged) any = any || rel > 0;
    if (!any) continue;
    auto it = run.find(query);
    accumulate(s, measure(it == run.end() ? kNone : it->second, judged, k));
  }
  finish(s);
  return s;
}

void write_run(std::ostream& out, const std::string& query, const std::vector<std::pair<std::string, double>>& ranked,
               const std::string& run_name) {
  for (size_t i = 0; i < ranked.size(); ++i)
    out << fmt::format("{} Q0 {} {} {:.6f} {}\n", query, ranked[i].first, i + 1, ranked[i].second, run_name);
}

}  // namespace jiebang
