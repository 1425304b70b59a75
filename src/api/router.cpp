// The one route table of the web API, and matching paths against it.
#include "jiebang/api/router.h"

#include <fmt/format.h>

#include "context.h"

namespace jiebang::api {
namespace {

std::vector<std::string_view> split_pattern(std::string_view pattern) {
  std::vector<std::string_view> out;
  size_t start = 1;  // patterns start with '/'
  while (start <= pattern.size()) {
    size_t end = pattern.find('/', start);
    if (end == std::string_view::npos) end = pattern.size();
    out.push_back(pattern.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

/// Literal segments of `pattern` when it fits the path (parameters filled into `params`), else -1.
int fit(std::string_view pattern, const std::vector<std::string>& segments, std::map<std::string, std::string>* params) {
  auto parts = split_pattern(pattern);
  if (parts.size() != segments.size()) return -1;
  int literals = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (is_param(parts[i])) {
      if (segments[i].empty()) return -1;
      if (params) (*params)[std::string(parts[i].substr(1, parts[i].size() - 2))] = segments[i];
    } else if (parts[i] == segments[i]) {
      ++literals;
    } else {
      return -1;
    }
  }
  return literals;
}

}  // namespace

const std::vector<Route>& route_table() {
  static const std::vector<Route> kRoutes = {
      {"POST", "/v1/scenarios", Access::kAnyKey, "create a scenario (publisher: its own organisation's)", post_scenario, Body::kRecord, kPublishersAndOperator},
      {"GET", "/v1/scenarios", Access::kAnyKey, "search scenarios: snippets, exact facets, cursor paging", search_scenarios},
      {"POST", "/v1/scenarios/import", Access::kAnyKey, "import a list (JSON Lines or CSV): counts and per-line errors",
       import_scenarios, Body::kUpload, kPublishersAndOperator},
      {"GET", "/v1/scenarios/{id}", Access::kAnyKey, "one scenario", get_scenario},
      {"PUT", "/v1/scenarios/{id}", Access::kAnyKey, "replace (upsert) a scenario", put_scenario, Body::kRecord, kPublishersAndOperator},
      {"PATCH", "/v1/scenarios/{id}", Access::kAnyKey, "partial update (JSON merge patch, RFC 7396)", patch_scenario, Body::kRecord, kPublishersAndOperator},
      {"GET", "/v1/scenarios/{id}/matches", Access::kAnyKey, "enterprises ranked for a scenario, explained",
       scenario_matches, Body::kNone, kPublishersAndOperator},
      {"GET", "/v1/publishers/{publisher}/scenarios", Access::kAnyKey,
       "a publisher's own scenarios, closed ones too, the last changed first (that publisher, or the operator)",
       publisher_scenarios, Body::kNone, kPublishersAndOperator},
      {"POST", "/v1/enterprises", Access::kAnyKey, "create an enterprise profile", post_enterprise, Body::kRecord, kEnterprisesAndOperator},
      {"GET", "/v1/enterprises/{id}", Access::kAnyKey, "an enterprise profile (private fields to itself and the operator)",
       get_enterprise},
      {"PUT", "/v1/enterprises/{id}", Access::kAnyKey, "replace (upsert) an enterprise profile", put_enterprise, Body::kRecord, kEnterprisesAndOperator},
      {"GET", "/v1/enterprises/{id}/matches", Access::kAnyKey, "open scenarios ranked for an enterprise, explained",
       enterprise_matches, Body::kNone, kEnterprisesAndOperator},
      {"POST", "/v1/matches", Access::kAnyKey, "an enterprise applies, or a publisher invites", post_match, Body::kRecord},
      {"GET", "/v1/matches", Access::kAnyKey, "matches visible to the caller, filtered", list_matches},
      {"GET", "/v1/matches/{id}", Access::kAnyKey, "a match with its history", get_match},
      {"POST", "/v1/matches/{id}/events", Access::kAnyKey, "move a match to another stage", post_match_event, Body::kRecord},
      {"GET", "/v1/funnel", Access::kAnyKey, "the funnel: reached, conversion, median days, stalled", get_funnel, Body::kNone, kPublishersAndOperator},
      {"GET", "/v1/gaps", Access::kOperator, "supply gaps: open scenarios no enterprise fits, by industry and city",
       get_gaps},
      {"GET", "/v1/digests", Access::kOperator, "the weekly digest runs, newest first", list_digests},
      {"GET", "/v1/digests/{week}", Access::kOperator, "a weekly digest's run summary", get_digest},
      {"GET", "/v1/digests/{week}/recipients", Access::kOperator, "the recipients a weekly digest run processed",
       get_digest_recipients},
      {"GET", "/v1/digests/{week}/recipients/{id}", Access::kAnyKey,
       "one recipient's weekly digest (that enterprise or publisher, or the operator)", get_digest_recipient},
      {"GET", "/healthz", Access::kPublic, "liveness and store/index state", get_healthz},
      {"GET", "/metrics", Access::kOperator, "Prometheus metrics", get_metrics},
      {"GET", "/openapi.json", Access::kPublic, "this API as an OpenAPI 3.0 document", get_openapi},
  };
  return kRoutes;
}

std::optional<std::string> role_refusal(const Route& route, Role role) {
  if (route.access != Access::kAnyKey || (route.roles & role_bit(role))) return std::nullopt;
  std::string served;
  for (Role r : {Role::kPublisher, Role::kEnterprise, Role::kOperator}) {
    if (!(route.roles & role_bit(r))) continue;
    if (!served.empty()) served += " and ";
    served += role_name(r);
  }
  return fmt::format("{} keys cannot call {} {}; it is for {} keys", role_name(role), route.method, route.pattern,
                     served);
}

std::string allow_header(const std::vector<std::string_view>& methods) {
  std::string allow;
  for (auto a : methods) {
    allow += (allow.empty() ? "" : ", ") + std::string(a);
    if (a == "GET") allow += ", HEAD";
  }
  return allow + (allow.empty() ? "" : ", ") + "OPTIONS";
}

RouteMatch match_route(const std::vector<Route>& routes, std::string_view method,
                       const std::vector<std::string>& segments) {
  if (method == "HEAD") method = "GET";
  RouteMatch m;
  int best = -1;
  std::string_view best_pattern;
  for (const auto& r : routes) {
    int literals = fit(r.pattern, segments, nullptr);
    if (literals > best) {
      best = literals;
      best_pattern = r.pattern;
    }
  }
  if (best < 0) return m;
  for (const auto& r : routes) {
    if (r.pattern != best_pattern) continue;
    if (r.method == method) {
      m.route = &r;
      fit(r.pattern, segments, &m.params);
      m.allowed.clear();
      return m;
    }
    m.allowed.push_back(r.method);
  }
  return m;
}

}  // namespace jiebang::api
