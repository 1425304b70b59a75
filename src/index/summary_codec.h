// Internal: the stored form of the attribute summaries, the JSON kept as each Xapian document's
// data; the one place it is written and read (index module only).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "jiebang/index/summary.h"

namespace jiebang::index_detail {

/// The stored form. Scenario: {id, title, publisher, publisher_key, region (null when ""),
/// industries, status, required_trl?, budget_min?, budget_max? (major units, minor / 100),
/// currency?, required_qualifications? (when any), deadline? (when given)}. Enterprise: {id, name,
/// region (null when ""), industries, trl?, customers: [{customer, key, year?, stage?}], outcomes?
/// (when any): [{publisher, key, stage}], qualifications}. Keys absent when the field is empty as
/// marked; nlohmann::json orders keys by name.
nlohmann::json stored_json(const ScenarioSummary& s);
nlohmann::json stored_json(const EnterpriseSummary& e);

/// A summary from its stored form (the document data). Lenient: a key absent or of another type
/// reads as the field's empty value (an index written by an older build lacks publisher_key and
/// customer keys); data that is not JSON reads as an empty summary. Never throws.
ScenarioSummary scenario_summary_from_data(const std::string& data);
EnterpriseSummary enterprise_summary_from_data(const std::string& data);
/// As above, the kind by the database: enterprises (`enterprise`) or scenarios.
RecordSummary summary_from_data(bool enterprise, const std::string& data);

}  // namespace jiebang::index_detail
