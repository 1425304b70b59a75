// The wire form of the attribute summaries: the `attributes` object of the API's search and match
// answers and of the CLI's --json output.
#pragma once

#include <nlohmann/json.hpp>

#include "jiebang/index/summary.h"

namespace jiebang {

/// A scenario's attributes: {id, title, publisher, publisher_key, region (null when none),
/// industries, status, required_trl?, budget_min?, budget_max? (major units: minor / 100),
/// currency? (when the scenario states a budget), required_qualifications? (when any),
/// deadline? (when given)}. Keys in name order (nlohmann::json). Pure; thread-safe.
nlohmann::json summary_json(const ScenarioSummary& s);
/// An enterprise's attributes: {id, name, region (null when none), industries, trl?, customers:
/// [{customer, key, year?, stage?}], outcomes? (when any): [{publisher, key, stage}],
/// qualifications}. Every outcome given is written: who may see which is the caller's rule (the
/// API filters them by viewer first). A summary has no private field, so none can be written.
nlohmann::json summary_json(const EnterpriseSummary& e);
/// Whichever kind `s` holds.
nlohmann::json summary_json(const RecordSummary& s);

}  // namespace jiebang
