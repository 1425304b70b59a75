// Internal: what the API's handlers share — the request context, the caller, problem exceptions,
// body and query parsing, cursors, exact money, and the JSON forms of records and matches.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "jiebang/core/url.h"
#include "jiebang/core/utf8.h"
#include "jiebang/api/api.h"
#include "jiebang/api/http.h"
#include "jiebang/api/metrics.h"
#include "jiebang/api/problem.h"
#include "jiebang/core/column_map.h"
#include "jiebang/lifecycle/lifecycle.h"
#include "jiebang/service/service.h"

namespace jiebang::api {

/// The caller, as its key says.
struct Principal {
  Role role = Role::kOperator;
  std::string scope;   ///< organisation (publisher), enterprise id (enterprise), "" (operator)
  int64_t key_id = 0;

  /// The lifecycle actor: publisher → its organisation, enterprise → its id, operator → "key-<id>".
  Actor actor() const;
  bool is_operator() const { return role == Role::kOperator; }
  bool is_publisher_of(const std::string& organisation) const {
    return role == Role::kPublisher && scope == organisation;
  }
  bool is_enterprise(const std::string& id) const { return role == Role::kEnterprise && scope == id; }
};

/// Everything a handler may use. Handlers run on the service thread only.
struct RequestContext {
  Service& service;
  const ApiConfig& config;
  Metrics& metrics;
  const HttpRequest& request;
  const ColumnMap* columns = nullptr;          ///< CSV header table for imports (may be empty)
  std::function<size_t()> queue_depth;         ///< requests waiting for the service thread
  std::map<std::string, std::string> params;   ///< path parameters, percent-decoded
  std::map<std::string, std::string> query;    ///< query parameters, decoded (last one wins)
  std::optional<Principal> principal;          ///< set on every keyed route
  std::string_view cursor_key;                 ///< signs and checks search cursors (load_or_create_secret)
  /// Whether the server's writing service owns the index (a reader's own handles never write).
  bool index_writable = false;

  /// The caller (keyed routes always have one).
  const Principal& who() const;
  /// 400 naming the first query parameter that is not in `allowed` (a typo is not silently ignored).
  void allow_query(std::initializer_list<std::string_view> allowed) const;
  /// A query parameter's value, or `fallback` when absent.
  std::string query_value(std::string_view name, const std::string& fallback = "") const;
  /// `limit`: an integer 1..config.max_page_size, `fallback` when absent; 400 otherwise.
  size_t limit(size_t fallback) const;
  /// A boolean query parameter: "true"/"1" or "false"/"0"; absent = false; else 400.
  bool flag(std::string_view name) const;
};

/// Thrown by handlers (and the helpers below) to answer with a problem; Api::handle catches it.
class ProblemException : public std::exception {
 public:
  explicit ProblemException(Problem p) : problem_(std::move(p)) {}
  const Problem& problem() const { return problem_; }
  const char* what() const noexcept override { return problem_.detail.c_str(); }

 private:
  Problem problem_;
};

[[noreturn]] void throw_problem(Problem p);
/// Throws the problem for a failed Status (problem_from_status); kInternal is logged to stderr first.
[[noreturn]] void throw_status(const Status& st);
inline void check(const Status& st) {
  if (!st) throw_status(st);
}
template <typename T>
T take(Result<T>&& r) {
  if (!r) throw_status(r.status());
  return std::move(r).value();
}
/// 403 unless `allowed`, with `detail` saying whose the resource is.
void require(bool allowed, const std::string& detail, const std::string& field = "");

// ---- request parsing ----

/// The body as a JSON object. Content-Type must be absent, application/json, or a +json type
/// (application/merge-patch+json for PATCH); else 415. The body must be UTF-8 (400 naming the
/// byte offset), well-formed JSON (400 with the parser's position), nested at most 64 deep, and an object.
nlohmann::json json_object_body(const RequestContext& ctx);
// UTF-8: jiebang::invalid_utf8_offset (jiebang/core/utf8.h), the validator shared with import.
/// jiebang::percent_decode (core/url.h) refusing a malformed escape, and a result that is not
/// UTF-8 or holds NUL (nullopt): how the API reads query strings and path segments. With
/// `plus_is_space`, '+' is a space (HTML form encoding of query strings).
std::optional<std::string> percent_decode_utf8(std::string_view text, bool plus_is_space);
using jiebang::percent_encode_segment;  // jiebang/core/url.h
/// The media type of a Content-Type value, lower-cased, without parameters: "text/csv".
std::string media_type(std::string_view content_type);
/// Splits a query string into decoded name → value (last occurrence wins). Throws 400 naming
/// the parameter on a bad escape or non-UTF-8 value.
std::map<std::string, std::string> parse_query(std::string_view query);
/// An amount in major units (yuan) given as a decimal string ("1250000.50") or a JSON number,
/// converted exactly to minor units (fen): at most two decimals, not negative, below 10^13 yuan.
/// A number is read through its shortest round-trip decimal form, so 0.1 is 10 fen exactly.
std::optional<int64_t> amount_to_minor(const nlohmann::json& value);

// ---- search cursors ----

/// A fingerprint of a search's query and filters (FNV-1a 64, hex): a cursor only continues the
/// search it came from.
std::string search_fingerprint(const std::string& q, const std::string& region, const std::string& industry,
                               const std::string& status);
/// The largest offset a cursor may carry (Xapian counts documents in 32 bits: an offset past
/// this could wrap). unit: results.
constexpr uint64_t kMaxCursorOffset = 1'000'000'000;
/// Opaque signed cursor: base64url (RFC 4648 §5, no padding) of {"o": offset, "q": fingerprint},
/// a ".", and base64url of its HMAC-SHA256 (RFC 2104, FIPS 180-4) under `key`. `offset` must be
/// at most kMaxCursorOffset.
std::string encode_cursor(uint64_t offset, const std::string& fingerprint, std::string_view key);
/// The offset and fingerprint of a cursor signed with `key`; nullopt when it is not one of ours
/// (malformed, signed with another key, altered — including another base64url spelling of the
/// same signature bytes: only the canonical one is accepted) or its offset is over
/// kMaxCursorOffset. The signature is compared in constant time. A plain function of its inputs (fuzzed).
std::optional<std::pair<uint64_t, std::string>> decode_cursor(std::string_view cursor, std::string_view key);
/// The secret that signs cursors: 32 random bytes (OpenSSL RAND_bytes) kept in `path` (mode
/// 0600), created on first use — atomically, so two processes starting at once agree on one.
/// Errors: kUnavailable (cannot read or create the file, no randomness), kInvalidArgument (the
/// file is not 32 bytes).
Result<std::string> load_or_create_secret(const std::string& path);

// ---- JSON forms ----

/// The interchange form; without `with_private`, the public profile only (EnterpriseProfile: it has
/// no `contact` or `size` to leave out; RECORDS.md: private to the enterprise itself and the operator).
nlohmann::json enterprise_json(const Enterprise& e, bool with_private);
/// One ranked match result: rank, id, name, score, reason, components {name: {fit, contribution, reason}},
/// matched_terms, attributes (the result's summary in its wire form, jiebang/api/summary_json.h; a
/// summary holds no private field). A ranked enterprise's `attributes.outcomes` (its matches that reached
/// validation or commercialisation, with their publishers) are matches, so only their parties see
/// them: all for the operator, a publisher's own for that publisher, none for anyone else.
nlohmann::json match_result_json(const MatchResult& r, size_t rank, const Principal& viewer);
/// A match with its history; `allowed_next` (the stages `viewer` may move it to) when a viewer is
/// given: Lifecycle::allowed_next when `lifecycle` is given (no `applied` on a scenario that takes
/// no applications), else the stage rule alone. Throws as take() on a store error.
nlohmann::json match_json(const Match& m, std::optional<Role> viewer, const Lifecycle* lifecycle = nullptr);
/// One funnel group: per forward stage reached / conversion_to_next / median_days, the ends,
/// contract values (exact, major units as decimal strings) and stalled matches.
nlohmann::json funnel_group_json(const FunnelGroup& g);

// ---- handlers (one per route; see router.cpp) ----

HttpResponse post_scenario(RequestContext& ctx);
HttpResponse get_scenario(RequestContext& ctx);
HttpResponse put_scenario(RequestContext& ctx);
HttpResponse patch_scenario(RequestContext& ctx);
HttpResponse import_scenarios(RequestContext& ctx);
HttpResponse search_scenarios(RequestContext& ctx);
HttpResponse scenario_matches(RequestContext& ctx);
/// GET /v1/publishers/{publisher}/scenarios (that publisher's key, or the operator; 403 else):
/// Service::publisher_scenarios, the last posted or changed first, closed ones too, as
/// {publisher, total, offset, scenarios: [Scenario…], next_cursor}; ?limit= (default 50) and
/// ?cursor= (a next_cursor of the same publisher's list; 400 else) page it.
HttpResponse publisher_scenarios(RequestContext& ctx);
HttpResponse post_enterprise(RequestContext& ctx);
HttpResponse get_enterprise(RequestContext& ctx);
HttpResponse put_enterprise(RequestContext& ctx);
HttpResponse enterprise_matches(RequestContext& ctx);
HttpResponse post_match(RequestContext& ctx);
HttpResponse get_match(RequestContext& ctx);
HttpResponse post_match_event(RequestContext& ctx);
HttpResponse list_matches(RequestContext& ctx);
HttpResponse get_funnel(RequestContext& ctx);
/// GET /v1/gaps (operator): Service::supply_gaps as supply_gaps_json; ?threshold= in [0, 1].
HttpResponse get_gaps(RequestContext& ctx);
HttpResponse list_digests(RequestContext& ctx);
HttpResponse get_digest_recipients(RequestContext& ctx);
HttpResponse get_digest(RequestContext& ctx);
HttpResponse get_digest_recipient(RequestContext& ctx);
HttpResponse get_healthz(RequestContext& ctx);
HttpResponse get_metrics(RequestContext& ctx);
HttpResponse get_openapi(RequestContext& ctx);

}  // namespace jiebang::api
