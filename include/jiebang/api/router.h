// The route table of the web API (one table: the server, the metrics labels and the OpenAPI test
// all read it) and path matching against it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jiebang/api/http.h"
#include "jiebang/core/stages.h"

namespace jiebang::api {

struct RequestContext;  // src/api/context.h: what a handler sees

/// Who may call a route at all; finer rules (own organisation, own profile, party of a match)
/// are checked by the handler.
enum class Access {
  kPublic,    ///< no key (health, OpenAPI document)
  kAnyKey,    ///< any valid key; the handler checks the scope
  kOperator,  ///< operator keys only
};

/// What body a route takes, which sets its limit (ApiConfig): none (0 bytes), one JSON record
/// (max_json_body_bytes), or an uploaded list (max_body_bytes).
enum class Body { kNone, kRecord, kUpload };

/// The roles a keyed route serves at all, a bit per Role (role_bit). A key of another role is
/// refused with 403 from the request's head, before any body is read (the handler's own check,
/// e.g. "an enterprise writes only its own profile", still runs for the roles served).
using RoleSet = unsigned;
/// The bit of `role` in a RoleSet.
constexpr RoleSet role_bit(Role role) { return 1u << static_cast<unsigned>(role); }
inline constexpr RoleSet kAllRoles = role_bit(Role::kPublisher) | role_bit(Role::kEnterprise) | role_bit(Role::kOperator);
inline constexpr RoleSet kPublishersAndOperator = role_bit(Role::kPublisher) | role_bit(Role::kOperator);
inline constexpr RoleSet kEnterprisesAndOperator = role_bit(Role::kEnterprise) | role_bit(Role::kOperator);

/// One route: method, path pattern with {name} parameters, who may call it, what it does.
struct Route {
  std::string_view method;   ///< "GET" | "POST" | "PUT" | "PATCH"
  std::string_view pattern;  ///< "/v1/scenarios/{id}": literal segments and whole-segment parameters
  Access access = Access::kAnyKey;
  std::string_view summary;  ///< one line, for logs and docs
  HttpResponse (*handler)(RequestContext&) = nullptr;
  Body body = Body::kNone;
  RoleSet roles = kAllRoles;  ///< with Access::kAnyKey: the roles served; others are 403 from the head
};

/// The 403 detail for a key of `role` calling `route`, or nullopt when the route serves that role
/// ("enterprise keys cannot call POST /v1/scenarios; it is for publisher and operator keys").
/// Only Access::kAnyKey routes are checked here (kOperator routes say so themselves).
std::optional<std::string> role_refusal(const Route& route, Role role);

/// Every route the API serves, in the order of the README's table.
const std::vector<Route>& route_table();

/// The outcome of matching a path against the table.
struct RouteMatch {
  const Route* route = nullptr;                 ///< null when nothing matched the method and path
  std::map<std::string, std::string> params;    ///< parameter name → decoded segment
  std::vector<std::string_view> allowed;        ///< methods the path supports (for 405 and Allow), when route is null
};

/// The Allow header of a resource served by `methods` (RFC 9110 §10.2.1): each route method in
/// table order, HEAD after GET, OPTIONS last: "GET, HEAD, PUT, PATCH, OPTIONS".
std::string allow_header(const std::vector<std::string_view>& methods);

/// Matches decoded path segments ("/v1/scenarios/x" → {"v1","scenarios","x"}). When several
/// patterns fit the path, the one with more literal segments wins ("/v1/scenarios/import" over
/// "/v1/scenarios/{id}"), so a literal path never falls through to a parameter route of another
/// method. HEAD matches a GET route (RFC 9110 §9.3.2). `allowed` is empty when no pattern fits the path (404), else the route is found or it
/// lists the methods that would be (405).
RouteMatch match_route(const std::vector<Route>& routes, std::string_view method,
                       const std::vector<std::string>& segments);

}  // namespace jiebang::api
