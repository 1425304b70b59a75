// Internal: the attribute-fit part of the ranking query, built only from Xapian's stock,
// serialisable classes (FixedWeightPostingSource, ValueMapPostingSource, OP_FILTER, OP_OR,
// OP_AND_NOT), so it runs against remote databases too; and the exact top k the ranking reads
// its results with (index module only).
#pragma once

#include <vector>

#include <xapian.h>

#include "jiebang/core/taxonomy.h"
#include "jiebang/index/ranking.h"
#include "jiebang/index/summary.h"

namespace jiebang::index_detail {

/// A query giving every document that matches `filter` exactly the weight `w`.
Xapian::Query weighted(double w, const Xapian::Query& filter);

/// The OR of `parts`; the part itself when one; an empty query when none.
Xapian::Query any_of(std::vector<Xapian::Query> parts);

/// The attribute fit (RankingConfig: track record, industry, region, readiness, each weight × fit by
/// the rules of fit_rules.h) of every document of the enterprises database (`targets_enterprises`)
/// or the scenarios database against `subject`, the summary of the record matched for (Matcher's
/// scenario or enterprise summary; a subject of the other kind than the query needs counts as one
/// with no attributes). Empty when no weight applies. Every document gets its fit;
/// combine it under OP_AND_MAYBE with the text query.
Xapian::Query attribute_fit_query(bool targets_enterprises, const RecordSummary& subject, const RankingConfig& w,
                                  const IndustryTable& industries);

/// The documents `enquire` ranks at positions [first, first + count), exactly as the whole ranking
/// orders them: Enquire::get_mset with check_at_least = every document of `db` (the database
/// `enquire` searches), so Xapian weighs every matching document and skips none by its upper
/// bounds. Xapian 1.4.22's skipping can lose a document from a top k: once the k-th weight rises,
/// an OR of weighted terms turns into AND_MAYBE nodes, and an AND_MAYBE whose required side alone
/// can no longer reach that weight turns into an AND that resumes at max(left, right docid) + 1
/// (AndMaybePostList::next), past the document its right side already stands on, which the left
/// side may hold too (test ExactTop.KeepsTheDocumentXapiansSkippingLoses: 5 documents, 4 terms).
/// The ranking reads its best text score and its results through here. Throws what get_mset throws.
Xapian::MSet exact_top(Xapian::Enquire& enquire, const Xapian::Database& db, Xapian::doccount first,
                       Xapian::doccount count);

}  // namespace jiebang::index_detail
