// Internal: the attribute-fit part of the ranking query, built only from Xapian's stock,
// serialisable classes (FixedWeightPostingSource, ValueMapPostingSource, OP_FILTER, OP_OR,
// OP_AND_NOT), so it runs against remote databases too (index module only).
#pragma once

#include <vector>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "jiebang/core/taxonomy.h"
#include "jiebang/index/ranking.h"

namespace jiebang::index_detail {

/// A query giving every document that matches `filter` exactly the weight `w`.
Xapian::Query weighted(double w, const Xapian::Query& filter);

/// The OR of `parts`; the part itself when one; an empty query when none.
Xapian::Query any_of(std::vector<Xapian::Query> parts);

/// The attribute fit (RankingConfig: track record, industry, region, readiness, each weight × fit by
/// the rules of fit_rules.h) of every document of the enterprises database (`targets_enterprises`)
/// or the scenarios database against `subject`, the summary of the record matched for (Matcher's
/// scenario or enterprise summary). Empty when no weight applies. Every document gets its fit;
/// combine it under OP_AND_MAYBE with the text query.
Xapian::Query attribute_fit_query(bool targets_enterprises, const nlohmann::json& subject, const RankingConfig& w,
                                  const IndustryTable& industries);

}  // namespace jiebang::index_detail
