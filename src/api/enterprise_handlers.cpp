// Handlers for /v1/enterprises: create, read (private fields by viewer), replace, and matches.
#include <fmt/format.h>

#include "context.h"

namespace jiebang::api {
namespace {

using nlohmann::json;

Enterprise validated(const RequestContext& ctx, const json& body) {
  std::vector<FieldError> errors;
  auto e = ctx.service.validate_enterprise(body, errors);
  if (!e) throw_problem(validation_problem(errors));
  return std::move(*e);
}

std::string own_profile_only(const Principal& p, const std::string& id) {
  if (p.role == Role::kPublisher)
    return fmt::format("enterprise profiles are written by the enterprise itself and the operator, not by publisher \"{}\"",
                       p.scope);
  return fmt::format("this key is enterprise \"{}\"'s; profile \"{}\" is another enterprise's", p.scope, id);
}

HttpResponse stored_enterprise(RequestContext& ctx, const std::string& id, int status) {
  HttpResponse r = HttpResponse::json(status, enterprise_json(take(ctx.service.get_enterprise(id)), true));
  if (status == 201) r.headers.set("Location", "/v1/enterprises/" + percent_encode_segment(id));
  return r;
}

}  // namespace

HttpResponse post_enterprise(RequestContext& ctx) {
  ctx.allow_query({});
  const Principal& p = ctx.who();
  json body = json_object_body(ctx);
  if (p.role == Role::kEnterprise) {
    auto it = body.find("id");
    if (it == body.end() || it->is_null()) body["id"] = p.scope;
    else require(it->is_string() && it->get<std::string>() == p.scope, own_profile_only(p, it->dump()), "id");
  }
  require(p.role != Role::kPublisher, own_profile_only(p, ""));
  Enterprise e = validated(ctx, body);
  auto existing = ctx.service.get_enterprise(e.id);
  if (existing)
    throw_problem(make_problem(
        409, fmt::format("id: enterprise \"{}\" already exists; PUT /v1/enterprises/{} replaces it", e.id, e.id), "id"));
  if (existing.status().code() != ErrorCode::kNotFound) throw_status(existing.status());
  take(ctx.service.put_enterprise(e));
  return stored_enterprise(ctx, e.id, 201);
}

HttpResponse get_enterprise(RequestContext& ctx) {
  ctx.allow_query({});
  const Principal& p = ctx.who();
  const std::string& id = ctx.params.at("id");
  // Publishers read profiles (they choose among candidates) without the private fields; an
  // enterprise reads only its own.
  require(p.role != Role::kEnterprise || p.scope == id, own_profile_only(p, id));
  Enterprise e = take(ctx.service.get_enterprise(id));
  return HttpResponse::json(200, enterprise_json(e, p.is_operator() || p.is_enterprise(id)));
}

HttpResponse put_enterprise(RequestContext& ctx) {
  ctx.allow_query({});
  const Principal& p = ctx.who();
  const std::string& id = ctx.params.at("id");
  require(p.is_operator() || p.is_enterprise(id), own_profile_only(p, id));
  json body = json_object_body(ctx);
  auto it = body.find("id");
  if (it == body.end() || it->is_null()) body["id"] = id;
  else if (!it->is_string() || it->get<std::string>() != id)
    throw_problem(
        make_problem(400, fmt::format("id: the body's id ({}) differs from the path's (\"{}\")", it->dump(), id), "id"));
  Enterprise e = validated(ctx, body);
  UpsertOutcome outcome = take(ctx.service.put_enterprise(e));
  return stored_enterprise(ctx, id, outcome == UpsertOutcome::kInserted ? 201 : 200);
}

HttpResponse enterprise_matches(RequestContext& ctx) {
  ctx.allow_query({"limit"});
  const Principal& p = ctx.who();
  const std::string& id = ctx.params.at("id");
  require(p.is_operator() || p.is_enterprise(id),
          fmt::format("the matches of enterprise \"{}\" are for the enterprise itself and the operator", id));
  size_t limit = ctx.limit(10);
  auto results = take(ctx.service.match_enterprise(id, limit));
  json list = json::array();
  for (size_t i = 0; i < results.size(); ++i) list.push_back(match_result_json(results[i], i + 1, p));
  return HttpResponse::json(200, {{"enterprise_id", id}, {"results", std::move(list)}});
}

}  // namespace jiebang::api
