// SearchIndex search-box search: short user queries over scenarios, with snippets, pages and facets.
#include "jiebang/index/search_index.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <xapian.h>

#include "index_impl.h"
#include "query_builder.h"
#include "summary_codec.h"
#include "jiebang/text/normalize.h"
#include "jiebang/text/segment.h"

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

/// Xapian's snippet with its marks moved onto whole words: the text between the marks is split
/// into words (text::tokenize: jieba's method for Han runs), and a Chinese word is marked as a
/// whole when two or more of its characters were marked (机器 in 机器人 → <b>机器人</b>), or all
/// of them (a one-character word), or, when the query has a lone Han character
/// (`lone_characters`), any of them (蝶 → <b>蝴蝶</b>); otherwise it is unmarked (the 农 of 务农 for
/// the query 农业). Latin words keep Xapian's marks. Adjacent marks are one: "<b>场景创新</b>".
std::string marks_on_words(const std::string& marked, const ix::Analyzer& analyzer, bool lone_characters) {
  static constexpr std::string_view kOpen = "<b>", kClose = "</b>";
  std::string plain;
  std::vector<bool> bold;  // per byte of `plain`
  plain.reserve(marked.size());
  bool in = false;
  for (size_t i = 0; i < marked.size();) {
    if (marked.compare(i, kOpen.size(), kOpen) == 0) {
      in = true;
      i += kOpen.size();
    } else if (marked.compare(i, kClose.size(), kClose) == 0) {
      in = false;
      i += kClose.size();
    } else {
      plain.push_back(marked[i++]);
      bold.push_back(in);
    }
  }
  for (const text::Token& t : text::tokenize(plain, analyzer.words())) {
    if (t.kind != text::TokenKind::kHan) continue;
    size_t chars = 0, on = 0;
    for (size_t b = t.begin; b < t.end; ++b)
      if ((static_cast<unsigned char>(plain[b]) & 0xC0) != 0x80) {
        ++chars;
        on += bold[b];
      }
    bool whole = on >= 2 || (on > 0 && on == chars) || (on > 0 && lone_characters);
    std::fill(bold.begin() + static_cast<std::ptrdiff_t>(t.begin), bold.begin() + static_cast<std::ptrdiff_t>(t.end), whole);
  }
  std::string out;
  out.reserve(marked.size());
  in = false;
  for (size_t b = 0; b < plain.size(); ++b) {
    if (bold[b] != in) out += bold[b] ? kOpen : kClose;
    in = bold[b];
    out.push_back(plain[b]);
  }
  if (in) out += kClose;
  return out;
}

/// True when the normalised query has a Han character standing alone (蝶, 的 aside).
bool has_lone_han_character(const std::string& query) {
  for (const text::Token& t : text::tokenize(text::normalize(query)))
    if (t.kind == text::TokenKind::kHan && t.chars == 1) return true;
  return false;
}

/// An excerpt of `raw` around the matches, HTML-escaped, the matched words marked whole
/// (marks_on_words).
std::string snippet(const Xapian::MSet& mset, const std::string& raw, const ix::Analyzer& analyzer,
                    bool lone_characters) {
  std::string s = mset.snippet(text::display_form(raw), kSnippetChars, analyzer.stemmer(),
                               Xapian::MSet::SNIPPET_BACKGROUND_MODEL | Xapian::MSet::SNIPPET_EXHAUSTIVE |
                                   Xapian::MSet::SNIPPET_CJK_NGRAM,
                               "<b>", "</b>", "…");
  return marks_on_words(s, analyzer, lone_characters);
}

}  // namespace

Result<SearchPage> SearchIndex::search_page(const std::string& query, const SearchFilters& filters, size_t offset,
                                            size_t limit, bool facets) const {
  SearchPage page;
  try {
    size_t terms = 0;
    for (const text::Token& t : text::tokenize(text::normalize(query)))
      terms += t.kind == text::TokenKind::kHan ? t.chars : 1;
    if (terms > kMaxSearchTerms)
      return Status::invalid_field("q", fmt::format("the query has {} terms (Han characters and words); at most {} "
                                                    "are searched for: shorten it to the words that matter",
                                                    terms, kMaxSearchTerms));
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
    const bool lone_characters = has_lone_han_character(query);
    const std::string normalized_query = text::normalize(query);
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      SearchHit h;
      h.score = it.get_weight();
      h.summary = ix::scenario_summary_from_data(it.get_document().get_data());
      h.id = h.summary.id;
      h.title = h.summary.title;
      const std::string description = it.get_document().get_value(ix::kSlotSnippetText);
      // A matched stem shown as the query's word for it, else as the scenario's (title, description).
      std::vector<std::string> matching(enquire.get_matching_terms_begin(it), enquire.get_matching_terms_end(it));
      std::vector<std::string> spelled;
      if (std::any_of(matching.begin(), matching.end(), [](const std::string& t) { return !t.empty() && t[0] == 'Z'; }))
        spelled = impl_->analyzer.spellings(
            matching, {{normalized_query, 1}, {text::normalize(h.title), 1}, {text::normalize(description), 1}});
      h.matched_terms = impl_->analyzer.readable_matches(matching, spelled);
      h.snippet = snippet(mset, description, impl_->analyzer, lone_characters);
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
