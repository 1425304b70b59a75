// The ranking query (see jiebang/index/ranking.h): text, per-case evidence and attribute fit in one Xapian match.
#include "jiebang/index/ranking.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <optional>
#include <set>
#include <system_error>
#include <unordered_map>

#include <fmt/format.h>
#include <xapian.h>

#include "fit_query.h"
#include "index_impl.h"
#include "summary_codec.h"
#include "jiebang/index/fit_rules.h"
#include "jiebang/text/normalize.h"

namespace jiebang {

using nlohmann::json;

RecordSummary SearchIndex::Impl::summary(int target, const Xapian::MSetIterator& it) const {
  AttributeCache& cache = attribute_cache[target];
  const bool enterprise = target == index_detail::kEnterprises;
  Xapian::rev rev = 0;
  try {
    rev = db(target).get_revision();
  } catch (const Xapian::UnimplementedError&) {
    // A remote database (xapian-tcpsrv) has no revision to key a cache on: parse every time.
    return index_detail::summary_from_data(enterprise, it.get_document().get_data());
  }
  if (rev != cache.revision || cache.docs.size() >= kAttributeCacheMax) {
    cache.docs.clear();
    cache.revision = rev;
  }
  auto found = cache.docs.find(*it);
  if (found == cache.docs.end())
    found = cache.docs.emplace(*it, index_detail::summary_from_data(enterprise, it.get_document().get_data())).first;
  return found->second;
}

namespace {

namespace ix = index_detail;
using namespace index_detail;

/// The ranking query over one index's databases (read-only: one per thread, as the index).
struct Ranker {
  const SearchIndex::Impl& impl;
  Xapian::Database& db(int i) const { return impl.db(i); }

  /// BM25's length normalisation floor (Xapian's param_min_normlen), the same for every query.
  static constexpr double kMinNormlen = 0.5;
  /// The ranking's weighting for every query it runs: Xapian's BM25Weight with the configured k1
  /// and b, k2 = 0, k3 = 1 (fit::bm25_document_weight computes the same formula for self_score).
  static Xapian::BM25Weight bm25(const RankingConfig& cfg) {
    return Xapian::BM25Weight(cfg.bm25_k1, 0, 1, cfg.bm25_b, kMinNormlen);
  }

  /// One term of a long-text query: its query frequency, and the factor that turns Xapian's BM25
  /// IDF for it (the target database's own) into the marketplace's (see long_text_terms).
  struct QueryTerm {
    std::string term;
    Xapian::termcount wqf = 1;
    double idf_scale = 1;
    Xapian::doccount df = 0;  ///< documents of the target database holding the term
  };

  /// The most informative terms of a long text against `target` (by min(qf, 3)·idf), best first.
  /// The IDF is the marketplace's: the other side's records (scenarios when profiles are ranked,
  /// profiles when scenarios are) are a prior of `other_side_docs` pseudo-documents on each term's
  /// document-frequency rate, rate = (n + μ·n_o / N_o) / (N + μ) (a Dirichlet prior, as Zhai &
  /// Lafferty 2001 smooth term probabilities), turned into BM25's IDF (fit::bm25_idf over N + μ
  /// documents). A word every scenario uses ("智能") is generic however few profiles of a small
  /// marketplace say it; a large collection (N ≫ μ) leans on its own statistics. `texts` are
  /// already normalised (normalized_with_synonyms), with their weights.
  std::vector<QueryTerm> long_text_terms(int target, const std::vector<std::pair<std::string, Xapian::termcount>>& texts,
                                         size_t max_terms, double other_side_docs) const {
    const Xapian::Database& d = db(target);
    const Xapian::Database& o = db(target == kEnterprises ? kScenarios : kEnterprises);
    const double own_n = std::max<double>(1, d.get_doccount());
    const double other_n = o.get_doccount();
    const double mu = other_n > 0 ? other_side_docs : 0;
    struct Scored {
      QueryTerm q;
      double score;
    };
    std::vector<Scored> scored;
    for (auto& [term, wqf] : impl.analyzer.query_terms(texts)) {
      Xapian::doccount df = d.get_termfreq(term);
      if (df == 0) continue;
      double n = own_n, f = df, idf_scale = 1;
      if (mu > 0) {
        n += mu;
        f += mu * o.get_termfreq(term) / other_n;
        double own = fit::bm25_idf(own_n, df);
        idf_scale = own > 0 ? fit::bm25_idf(n, f) / own : 1;
      }
      // A term in every document says little, but it is kept (last): in a small marketplace where
      // every scenario is about the same thing, dropping it would leave nothing to match with.
      double idf = std::max(std::log(n / f), 1e-3);
      scored.push_back({{term, wqf, idf_scale, df}, std::min<Xapian::termcount>(wqf, 3) * idf});
    }
    std::sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
      return a.score != b.score ? a.score > b.score : a.q.term < b.q.term;
    });
    if (scored.size() > max_terms) scored.resize(max_terms);
    std::vector<QueryTerm> out;
    out.reserve(scored.size());
    for (auto& sc : scored) out.push_back(std::move(sc.q));
    return out;
  }

  /// The texts normalised (text::normalize, once: long_text_terms takes them as they are) with,
  /// for every synonym group one of them mentions (index/synonyms.txt), the group's other
  /// variants added at the mentioning text's weight: a scenario's "无人机" also looks for a
  /// profile's "drone". A variant whose terms are those of the mention or of a variant already
  /// added (an inflection: "sensors" beside "sensor", "robots" beside "robot") is left out, as it
  /// would only count the same terms twice. No variants are added without a synonym table.
  std::vector<std::pair<std::string, Xapian::termcount>> normalized_with_synonyms(
      std::vector<std::pair<std::string, Xapian::termcount>> texts) const {
    for (auto& [text, weight] : texts) text = text::normalize(text);
    if (!impl.synonyms || impl.synonyms->size() == 0) return texts;
    auto terms_of = [&](std::string_view text) {
      std::set<std::string> out;
      for (auto& [term, wqf] : impl.analyzer.query_terms({{std::string(text), 1}})) out.insert(std::move(term));
      return out;
    };
    size_t given = texts.size();
    for (size_t i = 0; i < given; ++i) {
      Xapian::termcount weight = texts[i].second;
      for (const auto& m : impl.synonyms->find(texts[i].first)) {
        // By value: emplace_back below may move the text found in.
        std::string found = texts[i].first.substr(m.begin, m.end - m.begin);
        std::set<std::set<std::string>> seen{terms_of(found)};
        for (const auto& v : impl.synonyms->variants(m.group)) {
          std::string variant = text::normalize(v);
          if (variant == found) continue;
          if (seen.insert(terms_of(variant)).second) texts.emplace_back(std::move(variant), weight);
        }
      }
    }
    return texts;
  }

  /// The enterprise's profile document as the enterprises database holds it, when it was built
  /// from this record's text (its kSlotTextKey is text_key(e)); nothing when the profile is not
  /// indexed or its text has changed since (the index not yet caught up, a record not stored).
  /// Its ranking terms and length are enterprise_document's for the same text, so self_score reads
  /// it instead of analysing the profile a second time.
  std::optional<Xapian::Document> indexed_profile(const Enterprise& e) const {
    const Xapian::Database& d = db(kEnterprises);
    const std::string idterm = std::string(ix::kIdPrefix) + e.id;
    Xapian::PostingIterator p = d.postlist_begin(idterm);
    if (p == d.postlist_end(idterm)) return std::nullopt;
    Xapian::Document doc = d.get_document(*p);
    if (doc.get_value(ix::kSlotTextKey) != ix::text_key(e)) return std::nullopt;
    return doc;
  }

  /// An OR of the terms, each with its query frequency (BM25's k3 saturates it) and its IDF
  /// scaled to the marketplace's (OP_SCALE_WEIGHT: Xapian 1.4's Weight classes are not told which
  /// term they weigh, so the statistics cannot be swapped inside a Weight subclass).
  static Xapian::Query or_query(const std::vector<QueryTerm>& terms) {
    std::vector<Xapian::Query> parts;
    parts.reserve(terms.size());
    for (const auto& t : terms) {
      Xapian::Query q(t.term, t.wqf);
      parts.push_back(t.idf_scale != 1 ? Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q, t.idf_scale) : q);
    }
    return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
  }

  /// The BM25 weight of the OR of `terms` (or_query) for `self` (the record the query was made
  /// from, as a document) counted as one more document of `target`: the collection's statistics
  /// with it added, the same weighting as the ranking (fit::bm25_document_weight, Xapian's
  /// formula; the terms' document frequencies are long_text_terms's, read from the same handle).
  double self_score(int target, const std::vector<QueryTerm>& terms, const Xapian::Document& self,
                    const RankingConfig& cfg) const {
    const Xapian::Database& d = db(target);
    std::unordered_map<std::string_view, size_t> index;
    index.reserve(terms.size());
    std::vector<fit::Bm25Term> parts(terms.size());
    for (size_t i = 0; i < terms.size(); ++i) {
      index.emplace(terms[i].term, i);
      parts[i] = {static_cast<double>(terms[i].df), static_cast<double>(terms[i].wqf), terms[i].idf_scale, 0};
    }
    double length = 0;  // Xapian's document length: the sum of every term's wdf
    for (auto t = self.termlist_begin(); t != self.termlist_end(); ++t) {
      Xapian::termcount wdf = t.get_wdf();
      length += wdf;
      if (auto found = index.find(*t); found != index.end()) parts[found->second].wdf = wdf;
    }
    return fit::bm25_document_weight(parts, d.get_doccount(), static_cast<double>(d.get_total_length()), length,
                                     cfg.bm25_k1, cfg.bm25_b, kMinNormlen);
  }

  /// The best-matching past cases per enterprise (Xapian collapse on the enterprise id, two
  /// cases kept per enterprise): enterprise id → (best, second best) BM25 weight and the best
  /// case's document.
  struct CaseHits {
    double best = 0, second = 0;
    Xapian::docid best_doc = 0;  ///< the best case's document (its title is read for the results only)
  };
  std::unordered_map<std::string, CaseHits> case_hits(const Xapian::Query& text, const RankingConfig& cfg,
                                                      size_t wanted) const {
    std::unordered_map<std::string, CaseHits> out;
    Xapian::Enquire enquire(db(kCases));
    enquire.set_query(text);
    enquire.set_weighting_scheme(bm25(cfg));
    enquire.set_collapse_key(ix::kSlotRecordId, 2);
    // Equal weights in enterprise id order, not in the order the cases were added: enterprises with
    // the same case text tie, and the window below cuts through such a tie. In docid order an import
    // killed and caught up and a rebuild gave different enterprises the case evidence
    // (CrashRecovery.ParallelProfileImportKilledThenRestartedIndexesEveryAcknowledgedProfile).
    enquire.set_sort_by_relevance_then_value(ix::kSlotRecordId, false);
    // Up to two case documents per enterprise come back: twice the enterprise count covers them.
    // Not exact_top: weighing every matching case cost ~45% more CPU per match on 20,000 profiles,
    // and this window of best cases is the same whatever k is asked for.
    Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(2 * wanted));
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      CaseHits& h = out[it.get_collapse_key()];  // the enterprise id, without reading the document
      if (h.best == 0) {
        h.best = it.get_weight();
        h.best_doc = *it;
      } else if (h.second == 0) {
        h.second = it.get_weight();
      }
    }
    return out;
  }

  static Xapian::Query filtered(Xapian::Query q, const Xapian::Query& f) {
    return f.empty() ? q : Xapian::Query(Xapian::Query::OP_FILTER, q, f);
  }

  /// The text fit's reference: the best BM25 weight of `text` among `target`'s documents that
  /// match `reference_filter` (all of them when it is empty); 0 when none matches.
  double reference_top(int target, const Xapian::Query& text, const Xapian::Query& reference_filter,
                       const RankingConfig& w) const {
    Xapian::Enquire reference(db(target));
    reference.set_query(filtered(text, reference_filter));
    reference.set_weighting_scheme(bm25(w));
    Xapian::MSet best = ix::exact_top(reference, db(target), 0, 1);
    return best.empty() ? 0 : std::max(0.0, best.begin().get_weight());
  }

  /// Ranks `target`'s documents by the whole score (RankingConfig) inside one Xapian match: the
  /// text query scaled by 1 / `top` (reference_top), per-case evidence as a ValueMapPostingSource
  /// on the enterprise id, the attribute fit (attribute_fit_query) under OP_AND_MAYBE, hard filters
  /// as OP_FILTER / OP_AND_NOT. Returns the best `rq.limit` exactly, each with its score and, for
  /// the explanations, its own text and case scores; nothing when `top` is 0.
  Result<CandidateList> ranked(int target, const Xapian::Query& text, const Xapian::Query& filter,
                               const Xapian::Query& exclude, double top,
                               const std::unordered_map<std::string, CaseHits>& cases, const RankingConfig& w,
                               const RankingQuery& rq) const {
    CandidateList list;
    if (top <= 0) return list;
    const Xapian::BM25Weight weighting = bm25(w);
    double top_case = 0;
    for (const auto& [id, h] : cases) top_case = std::max(top_case, fit::case_evidence(h.best, h.second, w.second_case));
    const double share = top_case > 0 ? w.case_share : 0;
    Xapian::Query q(Xapian::Query::OP_SCALE_WEIGHT, text, w.text * (1 - share) / top);
    // Per-case evidence: one stock ValueMapPostingSource mapping enterprise id → weight (not a
    // source per enterprise: 300 of them under one OR cost more than the rest of the match). The
    // enterprises with evidence also match by their id terms (weightless), so one found through
    // a case alone is ranked too.
    Xapian::Query evidence;
    if (share > 0) {
      auto* source = new Xapian::ValueMapPostingSource(ix::kSlotRecordId);
      source->set_default_weight(0);
      std::vector<std::string> ids;
      for (const auto& [id, h] : cases) {
        double e = fit::case_evidence(h.best, h.second, w.second_case);
        if (e <= 0) continue;
        source->add_mapping(id, w.text * share * e / top_case);
        ids.push_back(std::string(ix::kIdPrefix) + id);
      }
      // Sorted: the query does not depend on the hash map's order.
      std::sort(ids.begin(), ids.end());
      evidence = Xapian::Query(source->release());
      if (!ids.empty())
        q = Xapian::Query(Xapian::Query::OP_OR, q,
                          Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT,
                                        Xapian::Query(Xapian::Query::OP_OR, ids.begin(), ids.end()), 0.0));
    }
    Xapian::Query attribute_fit = ix::attribute_fit_query(target == kEnterprises, rq.subject, w, impl.industries);
    if (!evidence.empty())
      attribute_fit = attribute_fit.empty() ? evidence : Xapian::Query(Xapian::Query::OP_OR, evidence, attribute_fit);
    if (!attribute_fit.empty()) q = Xapian::Query(Xapian::Query::OP_AND_MAYBE, q, attribute_fit);
    q = filtered(q, filter);
    if (!exclude.empty()) q = Xapian::Query(Xapian::Query::OP_AND_NOT, q, exclude);
    Xapian::Enquire enquire(db(target));
    enquire.set_query(q);
    enquire.set_weighting_scheme(weighting);
    // Equal scores in id order: a total order, so the top k of any k is the prefix of the whole
    // list (read exactly: exact_top), and it does not depend on the order documents were added in.
    enquire.set_sort_by_relevance_then_value(ix::kSlotRecordId, false);
    Xapian::MSet mset = ix::exact_top(enquire, db(target), 0, static_cast<Xapian::doccount>(rq.limit));
    std::vector<Xapian::Query> ids;
    std::vector<Xapian::docid> docids;
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      Candidate c;
      c.score = it.get_weight();
      c.summary = impl.summary(target, it);
      c.id = summary_id(c.summary);
      if (auto h = cases.find(c.id); h != cases.end()) {
        c.case_score = h->second.best;
        c.second_case_score = h->second.second;
        c.best_case = db(kCases).get_document(h->second.best_doc).get_data();
      }
      ids.emplace_back(std::string(ix::kIdPrefix) + c.id);
      docids.push_back(*it);
      list.candidates.push_back(std::move(c));
    }
    // Each result's own text score, for its explanation: the text query on just these documents.
    if (!ids.empty()) {
      Xapian::Enquire own(db(target));
      own.set_query(filtered(text, ix::any_of(std::move(ids))));
      own.set_weighting_scheme(weighting);
      std::unordered_map<Xapian::docid, double> text_scores;
      Xapian::MSet m = own.get_mset(0, static_cast<Xapian::doccount>(list.candidates.size()));
      for (auto it = m.begin(); it != m.end(); ++it) text_scores[*it] = it.get_weight();
      for (size_t i = 0; i < docids.size(); ++i) list.candidates[i].text_score = text_scores[docids[i]];
    }
    list.reference_score = top;
    list.case_reference = share > 0 ? top_case : 0;
    return list;
  }
};

std::vector<std::string> term_names(const std::vector<Ranker::QueryTerm>& terms) {
  std::vector<std::string> out;
  out.reserve(terms.size());
  for (const auto& t : terms) out.push_back(t.term);
  return out;
}

/// The query's configuration, or the defaults when it names none.
const RankingConfig& config_of(const RankingQuery& q) {
  static const RankingConfig kDefaults;
  return q.config ? *q.config : kDefaults;
}

}  // namespace

Result<CandidateList> rank_enterprises(const SearchIndex& index, const Scenario& s, const RankingQuery& q) {
  const SearchIndex::Impl& impl = *index.impl_;
  Ranker r{impl};
  std::vector<std::pair<std::string, Xapian::termcount>> texts = {{s.title, 2}, {s.description, 1}};
  for (const auto& k : s.keywords) texts.emplace_back(k, 2);
  texts = r.normalized_with_synonyms(std::move(texts));
  CandidateList list;
  try {
    const RankingConfig& cfg = config_of(q);
    auto profile_terms = r.long_text_terms(kEnterprises, texts, cfg.max_query_terms, cfg.other_side_docs);
    if (profile_terms.empty()) return list;
    list.query_terms = term_names(profile_terms);
    list.query_words = impl.analyzer.spellings(list.query_terms, texts);
    Xapian::Query profile_text = Ranker::or_query(profile_terms);
    // Per-case evidence: the same terms scored against single past cases, so one exactly
    // matching project is not drowned by a firm's other work. The terms are the ones chosen
    // against the profiles (every case's words are in its firm's profile, so the informative
    // terms are nearly the same): choosing them again against the cases database cost a term
    // lookup per distinct word of the scenario, ~0.8 ms a match on SBIR, for the same top 10.
    //
    // The case query reads only the cases database and the reference query only the profiles',
    // two separate Xapian::Database objects, so the case query (and the scenario's own document,
    // for self_score) runs on a second thread meanwhile, with its own copy of the query (a Query's
    // reference count is not atomic). Nothing else touches the cases database until get().
    struct Side {
      std::unordered_map<std::string, Ranker::CaseHits> cases;
      Xapian::Document self;
    };
    const bool with_cases = cfg.case_share > 0 && impl.db(kCases).get_doccount() > 0;
    auto side_work = [&r, &impl, &s, &profile_terms, &cfg, with_cases] {
      Side side;
      if (with_cases) side.cases = r.case_hits(Ranker::or_query(profile_terms), cfg, cfg.candidates);
      side.self = ix::scenario_document(s, impl.analyzer, impl.regions, impl.industries, ix::Analyzer::Terms::kRanking);
      return side;
    };
    std::future<Side> side_future;
    try {
      side_future = std::async(std::launch::async, side_work);
    } catch (const std::system_error&) {
      // No thread to be had (a process at its limit): the same work, one after the other.
    }
    const double top = r.reference_top(kEnterprises, profile_text, Xapian::Query(), cfg);
    Side side = side_future.valid() ? side_future.get() : side_work();
    // Hard filter: an enterprise must hold every qualification the scenario requires.
    std::vector<Xapian::Query> required;
    for (const auto& rq : s.required_qualifications) required.emplace_back(ix::boolean_term(ix::kQualificationPrefix, rq));
    Xapian::Query filter = required.empty() ? Xapian::Query()
                                            : Xapian::Query(Xapian::Query::OP_AND, required.begin(), required.end());
    auto ranked = r.ranked(kEnterprises, profile_text, filter, Xapian::Query(), top, side.cases, cfg, q);
    if (!ranked) return ranked.status();
    ranked->query_terms = std::move(list.query_terms);
    ranked->query_words = std::move(list.query_words);
    ranked->self_score = r.self_score(kEnterprises, profile_terms, side.self, cfg);
    return ranked;
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "match query failed");
  }
}

Result<CandidateList> rank_scenarios(const SearchIndex& index, const Enterprise& e, const RankingQuery& q) {
  const SearchIndex::Impl& impl = *index.impl_;
  Ranker r{impl};
  std::vector<std::pair<std::string, Xapian::termcount>> texts = {{e.name, 1}, {e.description, 1}};
  for (const auto& c : e.capabilities) texts.emplace_back(c, 2);
  for (size_t i : ix::distinct_cases(e)) {  // a repeated case adds nothing, as in the index
    texts.emplace_back(e.cases[i].title, 2);
    texts.emplace_back(e.cases[i].description, 1);
  }
  texts = r.normalized_with_synonyms(std::move(texts));
  CandidateList list;
  try {
    const RankingConfig& cfg = config_of(q);
    auto terms = r.long_text_terms(kScenarios, texts, cfg.max_query_terms, cfg.other_side_docs);
    if (terms.empty()) return list;
    list.query_terms = term_names(terms);
    Xapian::Query text = Ranker::or_query(terms);
    // The text fit's reference: the best of all open scenarios, posted_at bounds aside.
    SearchFilters open = q.filters;
    if (q.reference_beyond_posted) {
      open.posted_from.clear();
      open.posted_to.clear();
      open.posted_also.clear();
    }
    std::optional<Xapian::Document> self = r.indexed_profile(e);
    if (!self)
      self = ix::enterprise_document(e, impl.analyzer, impl.regions, impl.industries, {}, nullptr,
                                     ix::Analyzer::Terms::kRanking);
    list.self_score = r.self_score(kScenarios, terms, *self, cfg);
    // A caller's minimum fit that no scenario can reach: every candidate's text score is at most
    // the best text score among the scenarios passing q.filters (weighed with the same collection
    // statistics), so nothing would be kept and the ranking is not run. With posted_at bounds
    // that best is looked for among the bounded scenarios first (a digest's week: most profiles
    // fit none of them), then among all open ones (the reference). The margin keeps a candidate
    // whose fit equals the minimum up to rounding (the matches may sum a document's term weights
    // in another order).
    const double floor = q.skip_below_fit * list.self_score * (1 - 1e-9);
    const bool skip = q.skip_below_fit > 0;
    if (skip && list.self_score <= 0) return list;
    const bool bounded = q.reference_beyond_posted &&
                         (!q.filters.posted_from.empty() || !q.filters.posted_to.empty() || !q.filters.posted_also.empty());
    if (skip && bounded && r.reference_top(kScenarios, text, impl.filter_query(q.filters), cfg) < floor) return list;
    const double top = r.reference_top(kScenarios, text, impl.filter_query(open), cfg);
    list.reference_score = top;
    if (skip && top < floor) return list;
    // Only for a ranking that runs (a skipped one returns no candidate and no words):
    list.query_words = impl.analyzer.spellings(list.query_terms, texts);
    // Hard filter: scenarios requiring a qualification the enterprise does not hold are left out.
    std::set<std::string> held;
    for (const auto& h : e.qualifications) held.insert(ix::boolean_term(ix::kQualificationPrefix, h));
    std::vector<Xapian::Query> lacking;
    const Xapian::Database& sdb = impl.db(kScenarios);
    for (auto t = sdb.allterms_begin(ix::kQualificationPrefix); t != sdb.allterms_end(ix::kQualificationPrefix); ++t)
      if (!held.count(*t)) lacking.emplace_back(*t);
    auto ranked = r.ranked(kScenarios, text, impl.filter_query(q.filters), ix::any_of(std::move(lacking)), top, {},
                           cfg, q);
    if (!ranked) return ranked.status();
    ranked->query_terms = std::move(list.query_terms);
    ranked->query_words = std::move(list.query_words);
    ranked->self_score = list.self_score;
    return ranked;
  } catch (const Xapian::Error& err) {
    return from_xapian(err, "match query failed");
  }
}

}  // namespace jiebang
