// SearchIndex search-box search: short user queries over scenarios, with snippets, pages and facets.
#include "jiebang/index/search_index.h"

#include <map>

#include <xapian.h>

#include "index_impl.h"
#include "query_builder.h"
#include "jiebang/text/normalize.h"

namespace jiebang {
namespace {

namespace ix = index_detail;
using nlohmann::json;

constexpr unsigned kSnippetChars = 200;

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

/// An excerpt of `raw` around the matches, HTML-escaped, with each matched run of characters
/// in one <b>…</b> (Xapian marks every CJK n-gram on its own; adjacent marks are merged).
std::string snippet(const Xapian::MSet& mset, const std::string& raw, const ix::Analyzer& analyzer) {
  std::string s = mset.snippet(text::display_form(raw), kSnippetChars, analyzer.stemmer(),
                               Xapian::MSet::SNIPPET_BACKGROUND_MODEL | Xapian::MSet::SNIPPET_EXHAUSTIVE |
                                   Xapian::MSet::SNIPPET_CJK_NGRAM,
                               "<b>", "</b>", "…");
  for (size_t p = s.find("</b><b>"); p != std::string::npos; p = s.find("</b><b>", p)) s.erase(p, 7);
  return s;
}

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
      h.matched_terms = impl_->analyzer.readable_matches({enquire.get_matching_terms_begin(it), enquire.get_matching_terms_end(it)});
      h.snippet = snippet(mset, it.get_document().get_value(ix::kSlotSnippetText), impl_->analyzer);
      page.hits.push_back(std::move(h));
    }
    if (facets) {
      page.region_counts = regions.counts();
      page.industry_counts = industries.counts();
    }
  } catch (const Xapian::Error& e) {
    return ix::from_xapian(e, "search failed");
  }
  return page;
}

Result<std::vector<SearchHit>> SearchIndex::search_scenarios(const std::string& query, const SearchFilters& filters,
                                                             size_t limit) const {
  auto page = search_page(query, filters, 0, limit, false);
  if (!page) return page.status();
  return std::move(page->hits);
}

}  // namespace jiebang
