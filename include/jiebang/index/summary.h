// The attribute summaries the index keeps with each record: typed, public fields only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace jiebang {

/// One past case's customer, as an enterprise's summary carries it for the track record.
struct PastCustomer {
  std::string customer;        ///< who the project was for, as the case names it
  std::string key;             ///< text::normalize_name(customer): what publishers are compared with
  std::optional<int> year;     ///< calendar year of the project; nullopt when not given
  std::string stage;           ///< "rd" | "validation" | "commercialized" | "" (not given)
  bool operator==(const PastCustomer&) const = default;
};

/// An earlier match of the enterprise that reached validation or commercialisation (the match
/// loop's outcome; Store::match_outcomes). Shown only to the parties of that match (the API's rule).
struct MatchOutcome {
  std::string publisher;       ///< the publisher (发榜单位) of the match's scenario
  std::string key;             ///< text::normalize_name(publisher)
  std::string stage;           ///< "validation" | "commercialized" (stage_name)
  bool operator==(const MatchOutcome&) const = default;
};

/// What the index keeps of a scenario beside its text: what ranking, explanations, search results
/// and the digest read. Every field is public (a scenario list is published by its publisher).
struct ScenarioSummary {
  std::string id;
  std::string title;           ///< 场景名称
  std::string publisher;       ///< 发榜单位, as given
  std::string publisher_key;   ///< text::normalize_name(publisher), normalised once at indexing; "" in a
                               ///< summary read from an index written before it was kept
  /// The GB/T 2260 6-digit code when the region resolves; else the region text as given; "" none.
  std::string region;
  /// Canonical GB/T 4754-2017 codes ("I6510", "C3492") where the value is one, else the domain tag
  /// as given ("智慧交通"); in the record's order.
  std::vector<std::string> industries;
  std::string status;          ///< "open" | "closed" | "awarded"
  std::optional<int> required_trl;  ///< technology readiness level 1–9 (ISO 16290); nullopt: none required
  /// Budget bounds; unit: minor units of `currency` (fen for CNY, cents for USD). nullopt: not given.
  std::optional<int64_t> budget_min_minor, budget_max_minor;
  /// ISO 4217 code of the budget ("CNY"); nullopt when the scenario states no budget at all.
  std::optional<std::string> currency;
  std::vector<std::string> required_qualifications;  ///< hard eligibility; empty: none
  std::string deadline;        ///< YYYY-MM-DD, last day to apply; "" none
  bool operator==(const ScenarioSummary&) const = default;
};

/// What the index keeps of an enterprise beside its text: its public profile's attributes and its
/// track record. The private parts of a profile (company size, contact) are not fields here, so
/// nothing built from a summary can show them.
struct EnterpriseSummary {
  std::string id;              ///< USCC (GB 32100-2015) or a platform id
  std::string name;
  /// The GB/T 2260 6-digit code when the region resolves; else the region text as given; "" none.
  std::string region;
  /// Canonical GB/T 4754-2017 codes where the value is one, else the domain tag as given.
  std::vector<std::string> industries;
  std::optional<int> trl;      ///< technology readiness level 1–9; nullopt: unknown
  std::vector<PastCustomer> customers;  ///< one per past case naming a customer, in case order
  /// Earlier matches that reached validation or commercialisation; empty when none (or not kept:
  /// a summary built from a record rather than read from the index).
  std::vector<MatchOutcome> outcomes;
  std::vector<std::string> qualifications;  ///< qualifications held (hard eligibility)
  bool operator==(const EnterpriseSummary&) const = default;
};

/// The summary of either kind of record: a ScenarioSummary or an EnterpriseSummary.
using RecordSummary = std::variant<ScenarioSummary, EnterpriseSummary>;

/// The record's id, whichever kind.
inline const std::string& summary_id(const RecordSummary& s) {
  return std::visit([](const auto& x) -> const std::string& { return x.id; }, s);
}
/// The region (GB/T 2260 code, or the text given; "" none), whichever kind.
inline const std::string& summary_region(const RecordSummary& s) {
  return std::visit([](const auto& x) -> const std::string& { return x.region; }, s);
}
/// The scenario's title or the enterprise's name.
inline const std::string& summary_name(const RecordSummary& s) {
  if (const auto* sc = std::get_if<ScenarioSummary>(&s)) return sc->title;
  return std::get<EnterpriseSummary>(s).name;
}

}  // namespace jiebang
