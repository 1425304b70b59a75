// Internal: the search-box query of the index module, built from our own analysis (not QueryParser).
#pragma once

#include <string>

#include <xapian.h>

#include "analysis.h"
#include "jiebang/text/segment.h"

namespace jiebang::index_detail {

/// Builds the query for a short, user-typed search:
/// - the text is normalised (text::normalize) and split into words (text::tokenize);
/// - a run of Han characters must contain all its characters (unigrams, AND); adjacent pairs
///   (bigrams) and words of 3+ characters (jieba's method) add weight (OP_AND_MAYBE), so a whole
///   word ranks above the same characters scattered;
/// - a Latin word is matched by its English stem, a number or model ("2260", "h200") as written;
/// - a quoted part ("…" “…” 「…」) is a phrase: its characters and words in order, adjacent;
/// - every part's bigrams, words and stems in the title field (kTitlePrefix: a scenario's title)
///   add weight (OP_AND_MAYBE), so a record whose title carries the query ranks above one whose
///   description mentions it;
/// - a synonym group variant in the text matches any variant of its group;
/// - English stopwords and lone Chinese function characters (的, 和, …) are dropped;
/// - all parts are preferred (documents with all of them weigh 100× more) but any part matches,
///   so one missing word does not empty the result.
/// Built without Xapian's QueryParser, which in 1.4.22 fails on mixed queries such as
/// "ai 智慧城市 platform" (fixed upstream in 1.4.25). Returns an empty Query for a text with no words.
Xapian::Query build_search_query(const std::string& raw, const Analyzer& analyzer,
                                 const text::SynonymTable* synonyms);

/// The Han characters of `s` (UTF-8) as separate strings, other characters skipped.
std::vector<std::string> han_chars(const std::string& s);

}  // namespace jiebang::index_detail
