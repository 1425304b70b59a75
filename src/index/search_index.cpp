// SearchIndex: Xapian databases kept in step with the store's change log, and their queries.
#include "jiebang/index/search_index.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>
#include <xapian.h>

#include "analysis.h"
#include "fit_query.h"
#include "query_builder.h"
#include "jiebang/index/fit_rules.h"
#include "jiebang/text/normalize.h"

namespace jiebang {
namespace {

namespace fs = std::filesystem;
namespace ix = index_detail;
using nlohmann::json;

constexpr const char* kAppliedSeqKey = "jiebang.applied_seq";
// What the documents' terms are made of; raised when the analysis changes, so that an index
// written by an older jiebang is rebuilt (Service::open) instead of mixing two kinds of terms.
// 1: unmarked (before 2026-11-29); 2: English bigram terms; 3: ranking terms and the readiness
// slot (attribute fit inside the Xapian match); 4: names in boolean terms trimmed and their inner
// whitespace collapsed, long terms ending in a digest instead of cut; 5: address-style region
// names ("杭州市西湖区") resolved to their code, repeated cases indexed once; 6: "XY" region
// prefix terms, industry hierarchy terms for table codes only, no over-long word pairs; 7: Chinese
// words of 3+ characters from jieba's method (text::WordSegmenter) instead of ICU's dictionary.
constexpr const char* kFormatKey = "jiebang.index_format";
constexpr int kIndexFormat = 7;
constexpr int kLockRetries = 20;  // × 100 ms
constexpr int kScenarios = 0, kEnterprises = 1, kCases = 2, kDbCount = 3;
constexpr const char* kDbNames[kDbCount] = {"scenarios", "enterprises", "cases"};
constexpr unsigned kSnippetChars = 200;

Status from_xapian(const Xapian::Error& e, std::string_view what) {
  std::string msg = fmt::format("{}: {}: {}", what, e.get_type(), e.get_msg());
  std::string_view type = e.get_type();
  if (type == "DatabaseLockError" || type == "DatabaseOpeningError") return Status::unavailable(msg);
  return Status::internal(msg);
}

int64_t read_applied(const Xapian::Database& db) {
  std::string v = db.get_metadata(kAppliedSeqKey);
  return v.empty() ? 0 : std::stoll(v);
}

}  // namespace

struct SearchIndex::Impl {
  Impl(std::string dir_, const RegionTable& r, const IndustryTable& i, const text::SynonymTable* syn)
      : dir(std::move(dir_)), regions(r), industries(i), synonyms(syn) {}

  std::string dir;
  const RegionTable& regions;
  const IndustryTable& industries;
  const text::SynonymTable* synonyms;
  ix::Analyzer analyzer;
  bool writable = false;
  // The three databases: scenarios, enterprise profiles, and enterprises' past cases (one
  // document per case, for per-case scoring). When writable, w_[i] is open and db(i) is it.
  std::unique_ptr<Xapian::WritableDatabase> w_[kDbCount];
  std::unique_ptr<Xapian::Database> r_[kDbCount];

  Xapian::Database& db(int i) const { return writable ? *w_[i] : *r_[i]; }
  Xapian::Database& db(RecordKind kind) const { return db(kind == RecordKind::kScenario ? kScenarios : kEnterprises); }
  Xapian::WritableDatabase& wdb(int i) { return *w_[i]; }
  std::string path(int i) const { return dir + "/" + kDbNames[i]; }

  Status open_dbs() {
    try {
      fs::create_directories(dir);
      try {
        // Xapian's lock is held by a helper process that notices its parent's death (e.g. a
        // killed import) only after a moment: retry briefly before settling for read-only.
        for (int attempt = 0;; ++attempt) {
          try {
            for (int i = 0; i < kDbCount; ++i)
              w_[i] = std::make_unique<Xapian::WritableDatabase>(path(i), Xapian::DB_CREATE_OR_OPEN);
            break;
          } catch (const Xapian::DatabaseLockError&) {
            for (auto& w : w_) w.reset();
            if (attempt >= kLockRetries) throw;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
          }
        }
        writable = true;
      } catch (const Xapian::DatabaseLockError&) {
        for (int i = 0; i < kDbCount; ++i) {
          w_[i].reset();
          r_[i] = std::make_unique<Xapian::Database>(path(i));
        }
        writable = false;
      }
    } catch (const Xapian::Error& e) {
      return from_xapian(e, fmt::format("cannot open the index in {}", dir));
    } catch (const fs::filesystem_error& e) {
      return Status::unavailable(fmt::format("cannot create the index directory {}: {}", dir, e.what()));
    }
    return Status::ok();
  }

  /// The most informative terms of a long text against `target` (by min(qf, 3)·idf), with their
  /// query frequencies, best first.
  std::vector<std::pair<std::string, Xapian::termcount>> long_text_terms(
      int target, const std::vector<std::pair<std::string, Xapian::termcount>>& texts, size_t max_terms) const {
    const Xapian::Database& d = db(target);
    double n = std::max<double>(1, d.get_doccount());
    struct Scored {
      std::string term;
      Xapian::termcount wqf;
      double score;
    };
    std::vector<Scored> scored;
    for (auto& [term, wqf] : analyzer.query_terms(texts)) {
      Xapian::doccount df = d.get_termfreq(term);
      if (df == 0) continue;
      // A term in every document says little, but it is kept (last): in a small marketplace where
      // every scenario is about the same thing, dropping it would leave nothing to match with.
      double idf = std::max(std::log(n / df), 1e-3);
      scored.push_back({term, wqf, std::min<Xapian::termcount>(wqf, 3) * idf});
    }
    std::sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
      return a.score != b.score ? a.score > b.score : a.term < b.term;
    });
    if (scored.size() > max_terms) scored.resize(max_terms);
    std::vector<std::pair<std::string, Xapian::termcount>> out;
    out.reserve(scored.size());
    for (auto& sc : scored) out.emplace_back(std::move(sc.term), sc.wqf);
    return out;
  }

  /// The texts with, for every synonym group one of them mentions (index/synonyms.txt), the
  /// group's other variants added at the mentioning text's weight: a scenario's "无人机" also
  /// looks for a profile's "drone". Texts are unchanged without a synonym table.
  std::vector<std::pair<std::string, Xapian::termcount>> with_synonyms(
      std::vector<std::pair<std::string, Xapian::termcount>> texts) const {
    if (!synonyms || synonyms->size() == 0) return texts;
    size_t given = texts.size();
    for (size_t i = 0; i < given; ++i) {
      std::string norm = text::normalize(texts[i].first);
      Xapian::termcount weight = texts[i].second;
      for (const auto& m : synonyms->find(norm)) {
        std::string_view found(norm.data() + m.begin, m.end - m.begin);
        for (const auto& v : synonyms->variants(m.group))
          if (v != found) texts.emplace_back(v, weight);
      }
    }
    return texts;
  }

  /// An OR of the terms, each with its query frequency (BM25's k3 saturates it).
  static Xapian::Query or_query(const std::vector<std::pair<std::string, Xapian::termcount>>& terms) {
    std::vector<Xapian::Query> parts;
    parts.reserve(terms.size());
    for (const auto& [term, wqf] : terms) parts.emplace_back(term, wqf);
    return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
  }

  /// The BM25 weight of `text` for `self` (the record the query was made from, as a document)
  /// counted as one more document of `target`: the collection's statistics with it added, the
  /// same weighting as the ranking. Runs on a private in-memory database beside the real one.
  double self_score(int target, const Xapian::Query& text, Xapian::Document self, const CandidateQuery& cq) const {
    static const std::string kSelfTerm = std::string(ix::kIdPrefix) + "\x01self";
    self.add_boolean_term(kSelfTerm);
    Xapian::WritableDatabase mem(std::string(), Xapian::DB_BACKEND_INMEMORY);
    mem.add_document(self);
    Xapian::Database both(db(target));
    both.add_database(mem);
    Xapian::Enquire enquire(both);
    enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER, text, Xapian::Query(kSelfTerm)));
    enquire.set_weighting_scheme(Xapian::BM25Weight(cq.bm25_k1, 0, 1, cq.bm25_b, 0.5));
    Xapian::MSet m = enquire.get_mset(0, 1);
    return m.empty() ? 0 : m.begin().get_weight();
  }

  Xapian::Query filter_query(const SearchFilters& f) const {
    std::vector<Xapian::Query> filters;
    if (!f.status.empty()) filters.emplace_back(ix::boolean_term(ix::kStatusPrefix, f.status));
    if (!f.region_code.empty()) filters.emplace_back(ix::boolean_term(ix::kRegionPrefix, f.region_code));
    if (!f.industry_code.empty()) filters.emplace_back(ix::boolean_term(ix::kIndustryPrefix, f.industry_code));
    if (f.status == "open" && !f.today.empty())
      filters.emplace_back(Xapian::Query::OP_VALUE_GE, ix::kSlotDeadline,
                           Xapian::sortable_serialise(ix::date_number(f.today, 0)));
    if (!f.posted_from.empty() || !f.posted_to.empty()) {
      // A missing posted_at is stored as 0, below every real date.
      Xapian::Query posted(Xapian::Query::OP_VALUE_RANGE, ix::kSlotPosted,
                           Xapian::sortable_serialise(std::max(1.0, ix::date_number(f.posted_from, 1))),
                           Xapian::sortable_serialise(ix::date_number(f.posted_to, 99991231)));
      if (!f.posted_also.empty()) {
        std::vector<Xapian::Query> ids;
        for (const auto& id : f.posted_also) ids.emplace_back(std::string(ix::kIdPrefix) + id);
        posted = Xapian::Query(Xapian::Query::OP_OR, posted, Xapian::Query(Xapian::Query::OP_OR, ids.begin(), ids.end()));
      }
      filters.push_back(std::move(posted));
    }
    if (filters.empty()) return Xapian::Query::MatchAll;
    return Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end());
  }

  std::vector<std::string> matched_terms(const Xapian::Enquire& enquire, const Xapian::MSetIterator& it) const {
    return analyzer.readable_matches({enquire.get_matching_terms_begin(it), enquire.get_matching_terms_end(it)});
  }

  /// An excerpt of `raw` around the matches, HTML-escaped, with each matched run of characters
  /// in one <b>…</b> (Xapian marks every CJK n-gram on its own; adjacent marks are merged).
  std::string snippet(const Xapian::MSet& mset, const std::string& raw) const {
    std::string s = mset.snippet(text::display_form(raw), kSnippetChars, analyzer.stemmer(),
                                 Xapian::MSet::SNIPPET_BACKGROUND_MODEL | Xapian::MSet::SNIPPET_EXHAUSTIVE |
                                     Xapian::MSet::SNIPPET_CJK_NGRAM,
                                 "<b>", "</b>", "…");
    for (size_t p = s.find("</b><b>"); p != std::string::npos; p = s.find("</b><b>", p)) s.erase(p, 7);
    return s;
  }

  /// Parsed attribute summaries by document, per database: a batch job ranks the same documents
  /// many times (the digest: every enterprise against the same new scenarios), and decompressing
  /// and parsing a document's data is a fifth of a match's time. Dropped when the database's
  /// revision moves and at every write; bounded in size. Like the Xapian handles, not shared
  /// between threads.
  struct AttributeCache {
    Xapian::rev revision = 0;
    std::unordered_map<Xapian::docid, json> docs;
  };
  mutable AttributeCache attribute_cache[kDbCount];
  static constexpr size_t kAttributeCacheMax = 100000;

  void drop_attribute_caches() {
    for (auto& c : attribute_cache) c.docs.clear();
  }

  json attributes(int target, const Xapian::MSetIterator& it) const {
    AttributeCache& cache = attribute_cache[target];
    Xapian::rev rev = 0;
    try {
      rev = db(target).get_revision();
    } catch (const Xapian::UnimplementedError&) {
      // A remote database (xapian-tcpsrv) has no revision to key a cache on: parse every time.
      json j = json::parse(it.get_document().get_data(), nullptr, false);
      return j.is_discarded() ? json::object() : j;
    }
    if (rev != cache.revision || cache.docs.size() >= kAttributeCacheMax) {
      cache.docs.clear();
      cache.revision = rev;
    }
    auto [slot, fresh] = cache.docs.try_emplace(*it);
    if (fresh) {
      slot->second = json::parse(it.get_document().get_data(), nullptr, false);
      if (slot->second.is_discarded()) slot->second = json::object();
    }
    return slot->second;
  }

  /// The best-matching past cases per enterprise (Xapian collapse on the enterprise id, two
  /// cases kept per enterprise): enterprise id → (best, second best) BM25 weight and the best
  /// case's document.
  struct CaseHits {
    double best = 0, second = 0;
    Xapian::docid best_doc = 0;  ///< the best case's document (its title is read for the results only)
  };
  std::unordered_map<std::string, CaseHits> case_hits(const Xapian::Query& text, const CandidateQuery& cq,
                                                      size_t wanted) const {
    std::unordered_map<std::string, CaseHits> out;
    Xapian::Enquire enquire(db(kCases));
    enquire.set_query(text);
    enquire.set_weighting_scheme(Xapian::BM25Weight(cq.bm25_k1, 0, 1, cq.bm25_b, 0.5));
    enquire.set_collapse_key(ix::kSlotRecordId, 2);
    // Up to two case documents per enterprise come back: twice the enterprise count covers them.
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

  /// Ranks `target`'s documents by the whole score (FitWeights) inside one Xapian match: the
  /// text query scaled by 1 / the best text score (found first among `reference_filter`'s
  /// documents), per-case evidence as a ValueMapPostingSource on the enterprise id, the attribute
  /// fit (attribute_fit_query) under OP_AND_MAYBE, hard filters as OP_FILTER / OP_AND_NOT. Returns the best `cq.limit`
  /// exactly, each with its score and, for the explanations, its own text and case scores.
  Result<CandidateList> ranked(int target, const Xapian::Query& text, const Xapian::Query& filter,
                               const Xapian::Query& exclude, const Xapian::Query& reference_filter,
                               const std::unordered_map<std::string, CaseHits>& cases, const FitWeights& w,
                               const CandidateQuery& cq) const {
    CandidateList list;
    Xapian::BM25Weight bm25(cq.bm25_k1, 0, 1, cq.bm25_b, 0.5);
    auto filtered = [](Xapian::Query q, const Xapian::Query& f) {
      return f.empty() ? q : Xapian::Query(Xapian::Query::OP_FILTER, q, f);
    };
    Xapian::Enquire reference(db(target));
    reference.set_query(filtered(text, reference_filter));
    reference.set_weighting_scheme(bm25);
    Xapian::MSet best = reference.get_mset(0, 1);
    if (best.empty() || best.begin().get_weight() <= 0) return list;
    const double top = best.begin().get_weight();
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
    Xapian::Query attribute_fit = ix::attribute_fit_query(target == kEnterprises, cq.subject, w, industries);
    if (!evidence.empty())
      attribute_fit = attribute_fit.empty() ? evidence : Xapian::Query(Xapian::Query::OP_OR, evidence, attribute_fit);
    if (!attribute_fit.empty()) q = Xapian::Query(Xapian::Query::OP_AND_MAYBE, q, attribute_fit);
    q = filtered(q, filter);
    if (!exclude.empty()) q = Xapian::Query(Xapian::Query::OP_AND_NOT, q, exclude);
    Xapian::Enquire enquire(db(target));
    enquire.set_query(q);
    enquire.set_weighting_scheme(bm25);
    // Equal scores in id order: a total order, so the top k of any k is the prefix of the whole
    // list, and it does not depend on the order documents were added in.
    enquire.set_sort_by_relevance_then_value(ix::kSlotRecordId, false);
    Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(cq.limit));
    std::vector<Xapian::Query> ids;
    std::vector<Xapian::docid> docids;
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      Candidate c;
      c.score = it.get_weight();
      c.attributes = attributes(target, it);
      c.id = json_string(c.attributes, "id");
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
      own.set_weighting_scheme(bm25);
      std::unordered_map<Xapian::docid, double> text_scores;
      Xapian::MSet m = own.get_mset(0, static_cast<Xapian::doccount>(list.candidates.size()));
      for (auto it = m.begin(); it != m.end(); ++it) text_scores[*it] = it.get_weight();
      for (size_t i = 0; i < docids.size(); ++i) list.candidates[i].text_score = text_scores[docids[i]];
    }
    list.reference_score = top;
    list.case_reference = share > 0 ? top_case : 0;
    return list;
  }

  /// Writes a scenario's document.
  void put(const Scenario& rec, IndexProgress& p) {
    wdb(kScenarios).replace_document(std::string(ix::kIdPrefix) + rec.id,
                                     ix::scenario_document(rec, analyzer, regions, industries));
    ++p.documents_written;
  }
  /// Writes an enterprise's profile document (when `profile`) and its case documents (when `cases`).
  Status put(const Enterprise& rec, const Store& store, IndexProgress& p, bool profile, bool cases) {
    if (profile) {
      auto outcomes = store.match_outcomes(rec.id, track_record_stages());
      if (!outcomes) return outcomes.status();
      wdb(kEnterprises).replace_document(std::string(ix::kIdPrefix) + rec.id,
                                         ix::enterprise_document(rec, analyzer, regions, industries, *outcomes));
      ++p.documents_written;
    }
    if (cases) {
      wdb(kCases).delete_document(std::string(ix::kEnterprisePrefix) + rec.id);
      for (size_t i : ix::distinct_cases(rec)) {
        wdb(kCases).add_document(ix::case_document(rec, i, analyzer));
        ++p.documents_written;
      }
    }
    return Status::ok();
  }

  /// Applies the current stored state of one record to the databases that have not seen
  /// change `seq` yet.
  Status apply(const Change& c, const int64_t applied[kDbCount], const Store& store, IndexProgress& p) {
    std::string idterm = std::string(ix::kIdPrefix) + c.record_id;
    if (c.kind == RecordKind::kScenario) {
      if (c.seq <= applied[kScenarios]) return Status::ok();
      auto rec = store.get_scenario(c.record_id);
      if (rec) {
        put(*rec, p);
      } else if (rec.status().code() == ErrorCode::kNotFound) {
        wdb(kScenarios).delete_document(idterm);
        ++p.documents_removed;
      } else {
        return rec.status();
      }
      return Status::ok();
    }
    bool profile = c.seq > applied[kEnterprises], cases = c.seq > applied[kCases];
    if (!profile && !cases) return Status::ok();
    auto rec = store.get_enterprise(c.record_id);
    if (rec) {
      if (Status st = put(*rec, store, p, profile, cases); !st) return st;
    } else if (rec.status().code() == ErrorCode::kNotFound) {
      if (profile) wdb(kEnterprises).delete_document(idterm);
      if (cases) wdb(kCases).delete_document(std::string(ix::kEnterprisePrefix) + c.record_id);
      ++p.documents_removed;
    } else {
      return rec.status();
    }
    return Status::ok();
  }

  /// Records `seq` as applied in every database and commits each.
  void commit_all(int64_t seq) {
    for (int i = 0; i < kDbCount; ++i) {
      wdb(i).set_metadata(kAppliedSeqKey, std::to_string(seq));
      wdb(i).commit();
    }
  }
};

SearchIndex::SearchIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SearchIndex::~SearchIndex() = default;

Result<std::unique_ptr<SearchIndex>> SearchIndex::open(const std::string& dir, const RegionTable& regions,
                                                       const IndustryTable& industries,
                                                       const text::SynonymTable* synonyms) {
  auto impl = std::make_unique<Impl>(dir, regions, industries, synonyms);
  if (Status st = impl->open_dbs(); !st) return st;
  return std::unique_ptr<SearchIndex>(new SearchIndex(std::move(impl)));
}

Result<std::unique_ptr<SearchIndex>> SearchIndex::open_reader(const std::string& dir, const RegionTable& regions,
                                                              const IndustryTable& industries,
                                                              const text::SynonymTable* synonyms) {
  auto impl = std::make_unique<Impl>(dir, regions, industries, synonyms);
  try {
    for (int i = 0; i < kDbCount; ++i) impl->r_[i] = std::make_unique<Xapian::Database>(impl->path(i));
    impl->writable = false;
  } catch (const Xapian::Error& e) {
    return from_xapian(e, fmt::format("cannot open the index in {}", dir));
  }
  return std::unique_ptr<SearchIndex>(new SearchIndex(std::move(impl)));
}

bool SearchIndex::writable() const { return impl_->writable; }

bool SearchIndex::outdated() const {
  try {
    for (int i = 0; i < kDbCount; ++i) {
      const Xapian::Database& d = impl_->db(i);
      std::string v = d.get_metadata(kFormatKey);
      if (v == std::to_string(kIndexFormat)) continue;
      if (d.get_doccount() > 0 || read_applied(d) > 0) return true;
    }
  } catch (const Xapian::Error&) {
    return false;  // a database that cannot be read is reported by the next query instead
  }
  return false;
}

Status SearchIndex::mark_current_format() {
  if (!impl_->writable) return Status::unavailable("the index is read-only here");
  try {
    for (int i = 0; i < kDbCount; ++i)
      if (impl_->db(i).get_metadata(kFormatKey) != std::to_string(kIndexFormat)) {
        impl_->wdb(i).set_metadata(kFormatKey, std::to_string(kIndexFormat));
        impl_->wdb(i).commit();
      }
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "cannot mark the index format");
  }
  return Status::ok();
}

int64_t SearchIndex::applied_seq() const {
  int64_t lowest = read_applied(impl_->db(0));
  for (int i = 1; i < kDbCount; ++i) lowest = std::min(lowest, read_applied(impl_->db(i)));
  return lowest;
}

uint64_t SearchIndex::doc_count(RecordKind kind) const { return impl_->db(kind).get_doccount(); }

Result<IndexProgress> SearchIndex::catch_up(const Store& store, size_t batch_changes,
                                            const std::function<void(const IndexProgress&)>& on_progress) {
  if (!impl_->writable)
    return Status::unavailable(fmt::format("the index in {} is locked by another process", impl_->dir));
  IndexProgress p;
  // Documents change under their docids here (and stay changed if a write fails before its commit).
  impl_->drop_attribute_caches();
  struct DropAfter {
    Impl& impl;
    ~DropAfter() { impl.drop_attribute_caches(); }
  } drop_after{*impl_};
  try {
    // Each database commits on its own, so after a crash they may stand at different seqs:
    // replay from the lowest, applying each change only where it is new.
    int64_t applied[kDbCount];
    for (int i = 0; i < kDbCount; ++i) applied[i] = read_applied(impl_->db(i));
    int64_t from = *std::min_element(applied, applied + kDbCount);
    p.applied_seq = from;
    for (;;) {
      auto last = store.last_seq();
      if (!last) return last.status();
      p.store_seq = *last;
      auto changes = store.changes_after(from, batch_changes);
      if (!changes) return changes.status();
      if (changes->empty()) break;
      // The latest state is read from the store, so each record is applied once per batch.
      std::set<std::pair<RecordKind, std::string>> done;
      for (auto c = changes->rbegin(); c != changes->rend(); ++c) {
        if (!done.emplace(c->kind, c->record_id).second) continue;
        if (Status st = impl_->apply(*c, applied, store, p); !st) return st;
      }
      from = changes->back().seq;
      impl_->commit_all(from);
      std::fill(applied, applied + kDbCount, from);
      p.applied_seq = from;
      if (on_progress) on_progress(p);
    }
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "cannot update the index");
  }
  return p;
}

Result<IndexProgress> SearchIndex::rebuild(const Store& store, const std::function<void(const IndexProgress&)>& on_progress) {
  if (!impl_->writable)
    return Status::unavailable(fmt::format("the index in {} is locked by another process", impl_->dir));
  IndexProgress p;
  impl_->drop_attribute_caches();  // docids and revisions start again in the new databases
  struct DropAfter {
    Impl& impl;
    ~DropAfter() { impl.drop_attribute_caches(); }
  } drop_after{*impl_};
  try {
    // Read the seq first: changes made while rebuilding are replayed by the next catch-up.
    auto last = store.last_seq();
    if (!last) return last.status();
    for (int i = 0; i < kDbCount; ++i) {
      impl_->wdb(i).close();
      impl_->w_[i] = std::make_unique<Xapian::WritableDatabase>(impl_->path(i), Xapian::DB_CREATE_OR_OVERWRITE);
    }
    size_t since_commit = 0;
    auto maybe_commit = [&] {
      if (++since_commit % 5000 == 0) {
        for (int i = 0; i < kDbCount; ++i) impl_->wdb(i).commit();
        if (on_progress) on_progress(p);
      }
    };
    Status st = store.for_each_scenario([&](Scenario&& s) {
      impl_->put(s, p);
      maybe_commit();
      return true;
    });
    if (!st) return st;
    Status put_failure;
    st = store.for_each_enterprise([&](Enterprise&& e) {
      put_failure = impl_->put(e, store, p, true, true);
      maybe_commit();
      return put_failure.is_ok();
    });
    if (!st) return st;
    if (!put_failure) return put_failure;
    for (int i = 0; i < kDbCount; ++i) impl_->wdb(i).set_metadata(kFormatKey, std::to_string(kIndexFormat));
    impl_->commit_all(*last);
    p.applied_seq = p.store_seq = *last;
    if (on_progress) on_progress(p);
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "cannot rebuild the index");
  }
  auto rest = catch_up(store);
  if (!rest) return rest.status();
  p.applied_seq = rest->applied_seq;
  p.documents_written += rest->documents_written;
  p.documents_removed += rest->documents_removed;
  return p;
}

namespace {

/// Counts every '\x1f'-separated value of one slot over all matching documents (a document with
/// several industries counts once for each). Local only: not registered for remote backends.
class MultiValueCountSpy : public Xapian::MatchSpy {
 public:
  explicit MultiValueCountSpy(Xapian::valueno slot) : slot_(slot) {}
  void operator()(const Xapian::Document& doc, double) override {
    std::string v = doc.get_value(slot_);
    size_t start = 0;
    while (start < v.size()) {
      size_t end = v.find('\x1f', start);
      if (end == std::string::npos) end = v.size();
      if (end > start) ++counts_[v.substr(start, end - start)];
      start = end + 1;
    }
  }
  const std::map<std::string, uint64_t>& counts() const { return counts_; }

 private:
  Xapian::valueno slot_;
  std::map<std::string, uint64_t> counts_;
};

}  // namespace

Result<SearchPage> SearchIndex::search_page(const std::string& query, const SearchFilters& filters, size_t offset,
                                            size_t limit, bool facets) const {
  SearchPage page;
  try {
    const Xapian::Database& d = impl_->db(RecordKind::kScenario);
    Xapian::Query text = ix::build_search_query(query, impl_->analyzer, impl_->synonyms);
    if (text.empty()) text = Xapian::Query::MatchAll;
    Xapian::Enquire enquire(d);
    enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER, text, impl_->filter_query(filters)));
    enquire.set_docid_order(Xapian::Enquire::ASCENDING);
    MultiValueCountSpy regions(ix::kSlotRegionFacet), industries(ix::kSlotIndustryFacet);
    if (facets) {
      enquire.add_matchspy(&regions);
      enquire.add_matchspy(&industries);
    }
    // check_at_least = every document: the total and the facet counts are exact, not estimates.
    Xapian::MSet mset = enquire.get_mset(static_cast<Xapian::doccount>(offset), static_cast<Xapian::doccount>(limit),
                                         d.get_doccount());
    page.total = mset.get_matches_estimated();
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      SearchHit h;
      h.score = it.get_weight();
      h.attributes = json::parse(it.get_document().get_data(), nullptr, false);
      if (h.attributes.is_discarded()) h.attributes = json::object();
      h.id = json_string(h.attributes, "id");
      h.title = json_string(h.attributes, "title");
      h.matched_terms = impl_->matched_terms(enquire, it);
      h.snippet = impl_->snippet(mset, it.get_document().get_value(ix::kSlotSnippetText));
      page.hits.push_back(std::move(h));
    }
    if (facets) {
      page.region_counts = regions.counts();
      page.industry_counts = industries.counts();
    }
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "search failed");
  }
  return page;
}

Result<std::vector<SearchHit>> SearchIndex::search_scenarios(const std::string& query, const SearchFilters& filters,
                                                             size_t limit) const {
  auto page = search_page(query, filters, 0, limit, false);
  if (!page) return page.status();
  return std::move(page->hits);
}

namespace {
std::vector<std::string> term_names(const std::vector<std::pair<std::string, Xapian::termcount>>& terms) {
  std::vector<std::string> out;
  out.reserve(terms.size());
  for (const auto& t : terms) out.push_back(t.first);
  return out;
}

/// The query's weights, or the defaults when it names none.
const FitWeights& fit_weights(const CandidateQuery& q) {
  static const FitWeights kDefaults;
  return q.fit ? *q.fit : kDefaults;
}
}  // namespace

Result<CandidateList> SearchIndex::enterprises_for(const Scenario& s, const CandidateQuery& q) const {
  std::vector<std::pair<std::string, Xapian::termcount>> texts = {{s.title, 2}, {s.description, 1}};
  for (const auto& k : s.keywords) texts.emplace_back(k, 2);
  texts = impl_->with_synonyms(std::move(texts));
  CandidateList list;
  try {
    auto profile_terms = impl_->long_text_terms(kEnterprises, texts, q.max_query_terms);
    if (profile_terms.empty()) return list;
    list.query_terms = term_names(profile_terms);
    Xapian::Query profile_text = Impl::or_query(profile_terms);
    const FitWeights& fit = fit_weights(q);
    // Per-case evidence: the same terms scored against single past cases, so one exactly
    // matching project is not drowned by a firm's other work. The terms are the ones chosen
    // against the profiles (every case's words are in its firm's profile, so the informative
    // terms are nearly the same): choosing them again against the cases database cost a term
    // lookup per distinct word of the scenario, ~0.8 ms a match on SBIR, for the same top 10.
    std::unordered_map<std::string, Impl::CaseHits> cases;
    if (q.per_case && fit.case_share > 0 && impl_->db(kCases).get_doccount() > 0)
      cases = impl_->case_hits(profile_text, q, q.case_hits);
    // Hard filter: an enterprise must hold every qualification the scenario requires.
    std::vector<Xapian::Query> required;
    for (const auto& r : s.required_qualifications) required.emplace_back(ix::boolean_term(ix::kQualificationPrefix, r));
    Xapian::Query filter = required.empty() ? Xapian::Query()
                                            : Xapian::Query(Xapian::Query::OP_AND, required.begin(), required.end());
    auto ranked = impl_->ranked(kEnterprises, profile_text, filter, Xapian::Query(), Xapian::Query(), cases, fit, q);
    if (!ranked) return ranked.status();
    ranked->query_terms = std::move(list.query_terms);
    ranked->self_score = impl_->self_score(
        kEnterprises, profile_text, ix::scenario_document(s, impl_->analyzer, impl_->regions, impl_->industries), q);
    return ranked;
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "match query failed");
  }
}

Result<CandidateList> SearchIndex::scenarios_for(const Enterprise& e, const CandidateQuery& q) const {
  std::vector<std::pair<std::string, Xapian::termcount>> texts = {{e.name, 1}, {e.description, 1}};
  for (const auto& c : e.capabilities) texts.emplace_back(c, 2);
  for (size_t i : ix::distinct_cases(e)) {  // a repeated case adds nothing, as in the index
    texts.emplace_back(e.cases[i].title, 2);
    texts.emplace_back(e.cases[i].description, 1);
  }
  texts = impl_->with_synonyms(std::move(texts));
  CandidateList list;
  try {
    auto terms = impl_->long_text_terms(kScenarios, texts, q.max_query_terms);
    if (terms.empty()) return list;
    list.query_terms = term_names(terms);
    Xapian::Query text = Impl::or_query(terms);
    // The text fit's reference: the best of all open scenarios, posted_at bounds aside.
    SearchFilters open = q.filters;
    if (q.reference_beyond_posted) {
      open.posted_from.clear();
      open.posted_to.clear();
      open.posted_also.clear();
    }
    // Hard filter: scenarios requiring a qualification the enterprise does not hold are left out.
    std::set<std::string> held;
    for (const auto& h : e.qualifications) held.insert(ix::boolean_term(ix::kQualificationPrefix, h));
    std::vector<Xapian::Query> lacking;
    const Xapian::Database& sdb = impl_->db(kScenarios);
    for (auto t = sdb.allterms_begin(ix::kQualificationPrefix); t != sdb.allterms_end(ix::kQualificationPrefix); ++t)
      if (!held.count(*t)) lacking.emplace_back(*t);
    auto ranked = impl_->ranked(kScenarios, text, impl_->filter_query(q.filters), ix::any_of(std::move(lacking)),
                                impl_->filter_query(open), {}, fit_weights(q), q);
    if (!ranked) return ranked.status();
    ranked->query_terms = std::move(list.query_terms);
    ranked->self_score = impl_->self_score(
        kScenarios, text, ix::enterprise_document(e, impl_->analyzer, impl_->regions, impl_->industries), q);
    return ranked;
  } catch (const Xapian::Error& err) {
    return from_xapian(err, "match query failed");
  }
}

std::optional<json> SearchIndex::attributes(RecordKind kind, const std::string& id) const {
  try {
    const Xapian::Database& d = impl_->db(kind);
    std::string idterm = std::string(ix::kIdPrefix) + id;
    auto post = d.postlist_begin(idterm);
    if (post == d.postlist_end(idterm)) return std::nullopt;
    json j = json::parse(d.get_document(*post).get_data(), nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
  } catch (const Xapian::Error&) {
    return std::nullopt;
  }
}

std::vector<std::string> SearchIndex::matched_terms(RecordKind target, const std::string& id,
                                                    std::vector<std::string> query_terms) const {
  try {
    const Xapian::Database& d = impl_->db(target);
    std::string idterm = std::string(ix::kIdPrefix) + id;
    auto post = d.postlist_begin(idterm);
    if (post == d.postlist_end(idterm)) return {};
    // Looked up in term order, reported in the query's order (most informative first).
    std::vector<std::string> sorted = query_terms;
    std::sort(sorted.begin(), sorted.end());
    std::set<std::string> present;
    auto t = d.termlist_begin(*post);
    for (const auto& q : sorted) {
      t.skip_to(q);
      if (t == d.termlist_end(*post)) break;
      if (*t == q) present.insert(q);
    }
    std::vector<std::string> raw;
    for (const auto& q : query_terms)
      if (present.count(q)) raw.push_back(q);
    return impl_->analyzer.readable_matches(raw);
  } catch (const Xapian::Error&) {
    return {};  // explanations are best effort: a vanished document has no matched terms
  }
}

}  // namespace jiebang
