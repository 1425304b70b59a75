// Scenario and enterprise records (shared/schema/RECORDS.md): types, validation, JSON and CSV forms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace jiebang {

/// A budget range. Amounts are stored exactly in minor units (fen for CNY, cents for USD):
/// the interchange form gives major units (yuan), which are converted with rounding to the
/// nearest minor unit.
struct Budget {
  std::optional<int64_t> amount_min_minor;  ///< unit: minor currency units (fen). Absent if unknown.
  std::optional<int64_t> amount_max_minor;  ///< unit: minor currency units (fen). Absent if unknown.
  std::string currency = "CNY";             ///< ISO 4217 code. Default CNY.
  nlohmann::json extra = nlohmann::json::object();  ///< unknown keys inside `budget`, kept as given
};

/// One past project of an enterprise: its track record.
struct Case {
  std::string title;
  std::string description;
  std::string customer;      ///< who the project was for (compared with scenario publishers)
  std::optional<int> year;   ///< calendar year
  std::string stage;         ///< "rd" | "validation" | "commercialized" | "" (unknown)
  nlohmann::json extra = nlohmann::json::object();  ///< unknown keys of the case, kept as given
};

/// A scenario opportunity (场景机会) posted by a publisher.
struct Scenario {
  std::string id;                  ///< the publisher's own id; one publisher owns an id
  std::string title;               ///< 场景名称
  std::string description;         ///< 需求描述
  std::string publisher;           ///< 发榜单位
  std::string list;                ///< the published list (batch) it came in; "" if none
  std::string region;              ///< GB/T 2260 6-digit code, or a place name; "" if none
  std::vector<std::string> industries;  ///< GB/T 4754 codes ("I65") or domain tags
  std::vector<std::string> keywords;
  std::optional<int> required_trl;      ///< 1–9
  std::optional<Budget> budget;
  std::vector<std::string> required_qualifications;  ///< hard eligibility
  std::string deadline;            ///< YYYY-MM-DD, last day to apply; "" if none
  std::string posted_at;           ///< YYYY-MM-DD; "" if unknown
  std::string status = "open";     ///< "open" | "closed" | "awarded"
  nlohmann::json policy;           ///< instruments object, or null
  nlohmann::json extra = nlohmann::json::object();  ///< unknown keys, kept as given
};

/// The public part of an enterprise capability profile: what any role allowed to see the profile
/// sees (publishers ranking it, the pages). The private fields are in Enterprise only, so a form
/// written from an EnterpriseProfile cannot hold them.
struct EnterpriseProfile {
  std::string id;                  ///< USCC (validated when USCC-shaped) or a platform id
  std::string name;
  std::string description;
  std::vector<std::string> capabilities;
  std::vector<Case> cases;
  std::string region;              ///< GB/T 2260 6-digit code, or a place name; "" if none
  std::vector<std::string> industries;  ///< GB/T 4754 codes or domain tags
  std::optional<int> trl;          ///< technology readiness level 1–9
  std::vector<std::string> qualifications;
  nlohmann::json extra = nlohmann::json::object();  ///< unknown keys, kept as given
};

/// An enterprise capability profile: the public profile plus the fields private to the enterprise
/// itself and the operator (RECORDS.md).
struct Enterprise : EnterpriseProfile {
  nlohmann::json size;             ///< private: company size {employees, revenue_band}, or null
  nlohmann::json contact;          ///< private: never returned to other roles; or null
};

/// One thing wrong with a record: the key (dotted path, e.g. "budget.amount_min", "cases[2].year")
/// and what is wrong with its value.
struct FieldError {
  std::string key;
  std::string message;
};

/// "key: message; key: message"
std::string format_field_errors(const std::vector<FieldError>& errors);

/// Which rules a record is read under. kBoundary: everything entering jiebang (API bodies, every
/// importer) — the size limits of core/limits.h, the control-character rule and the id character
/// set (core/input_rules.h) on top of the structural rules. kStored: a record read back from the
/// store — structural rules only, so a record admitted under older, looser rules stays readable.
enum class Admission { kBoundary, kStored };

/// Validates and converts a JSON object to a Scenario. Every problem is appended to `errors`
/// (all of them, not only the first); returns nullopt when there is any.
/// Rules: id, title, description, publisher are non-empty strings (id ≤ 200 bytes, no control
/// characters); required_trl an integer 1–9; dates real calendar dates YYYY-MM-DD; status one of
/// open/closed/awarded; budget amounts ≥ 0 and min ≤ max; list keys arrays of strings.
std::optional<Scenario> scenario_from_json(const nlohmann::json& j, std::vector<FieldError>& errors,
                                           Admission admission = Admission::kBoundary);

/// As scenario_from_json, for enterprises. A USCC-shaped id must carry the right check
/// character (GB 32100-2015); trl an integer 1–9; case stages rd/validation/commercialized.
std::optional<Enterprise> enterprise_from_json(const nlohmann::json& j, std::vector<FieldError>& errors,
                                               Admission admission = Admission::kBoundary);

/// The interchange form. Absent optional keys are omitted; unknown keys kept on input are
/// written back. Budget amounts are written in major units.
nlohmann::json to_json(const Scenario& s);
/// The whole profile, private fields (size, contact) included.
nlohmann::json to_json(const Enterprise& e);
/// The public profile: as to_json(const Enterprise&) without size and contact, which it does not hold.
nlohmann::json to_json(const EnterpriseProfile& p);

/// Which kind of record a file holds.
enum class RecordKind { kScenario, kEnterprise };
std::string_view record_kind_name(RecordKind kind);  ///< "scenario" | "enterprise"

/// Turns one CSV row (header names → cell text) into the JSON object the validators take:
/// empty cells are absent, list keys split on ';', integer keys parsed (a cell that is not an
/// integer stays a string so the validator names it), dotted headers ("budget.amount_max")
/// become nested objects, and a `cases`/`policy`/`size`/`contact` cell holding JSON is parsed.
/// For scenarios, the status words of Chinese lists become the interchange values (开放/征集中 →
/// open, 已关闭/已截止 → closed, 已揭榜/已完成 → awarded), and dates written "2026/12/31",
/// "2026.12.31", "2026-1-5" or "2026年12月31日" (optionally followed by a time) become YYYY-MM-DD.
nlohmann::json csv_row_to_json(RecordKind kind, const std::vector<std::string>& header,
                               const std::vector<std::string>& row);

/// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or truncated sequences).
bool is_valid_utf8(std::string_view text);

/// True when `date` is a real calendar date written YYYY-MM-DD.
bool is_iso_date(std::string_view date);

/// The string at `key` of a JSON object, or "" when the key is missing or its value is not a
/// string (null included: an attribute summary stores an empty region as null).
inline std::string json_string(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace jiebang
