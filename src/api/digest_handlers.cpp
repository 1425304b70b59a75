// Handlers for the weekly digest: GET /v1/digests (the runs, newest first), GET /v1/digests/{week}
// (a run's summary) and GET /v1/digests/{week}/recipients (its recipients), all operator, and
// GET /v1/digests/{week}/recipients/{id} (one recipient's digest: that recipient or the operator).
#include <fmt/format.h>

#include "context.h"

namespace jiebang::api {

using nlohmann::json;
namespace {

IsoWeek week_param(RequestContext& ctx) {
  const std::string& text = ctx.params.at("week");
  auto week = IsoWeek::parse(text);
  if (!week)
    throw_problem(make_problem(400, fmt::format("week: \"{}\" is not an ISO week such as 2026-W48", text), "week"));
  return *week;
}

}  // namespace

HttpResponse list_digests(RequestContext& ctx) {
  ctx.allow_query({"limit"});
  size_t limit = ctx.limit(52);  // a year of weeks
  json runs = json::array();
  for (const auto& s : take(ctx.service.digest_runs(limit))) runs.push_back(s.to_json());
  return HttpResponse::json(200, {{"runs", std::move(runs)}});
}

HttpResponse get_digest_recipients(RequestContext& ctx) {
  ctx.allow_query({});
  IsoWeek week = week_param(ctx);
  take(ctx.service.digest_summary(week));  // 404 for a week never run
  json list = json::array();
  for (const auto& r : take(ctx.service.digest_recipients(week)))
    list.push_back({{"kind", recipient_kind_name(r.kind)}, {"id", r.recipient_id}, {"name", r.name}, {"language", r.language}, {"items", r.items}});
  return HttpResponse::json(200, {{"week", week.to_string()}, {"recipients", std::move(list)}});
}

HttpResponse get_digest(RequestContext& ctx) {
  ctx.allow_query({});
  IsoWeek week = week_param(ctx);
  DigestSummary s = take(ctx.service.digest_summary(week));
  return HttpResponse::json(200, s.to_json());
}

HttpResponse get_digest_recipient(RequestContext& ctx) {
  ctx.allow_query({"kind"});
  const Principal& p = ctx.who();
  IsoWeek week = week_param(ctx);
  const std::string& id = ctx.params.at("id");
  std::string kind_text = ctx.query_value("kind");
  std::optional<RecipientKind> kind = parse_recipient_kind(kind_text);
  if (!kind_text.empty() && !kind)
    throw_problem(make_problem(400, fmt::format("kind: expected enterprise or publisher, got \"{}\"", kind_text), "kind"));
  if (p.role == Role::kEnterprise) {
    require(p.scope == id && kind != RecipientKind::kPublisher,
            fmt::format("this key reads enterprise \"{}\"'s digest only", p.scope));
    kind = RecipientKind::kEnterprise;
  } else if (p.role == Role::kPublisher) {
    require(p.scope == id && kind != RecipientKind::kEnterprise,
            fmt::format("this key reads publisher \"{}\"'s digest only", p.scope));
    kind = RecipientKind::kPublisher;
  }
  if (kind) return HttpResponse::json(200, take(ctx.service.digest_recipient(week, *kind, id)));
  // The operator without ?kind=: an enterprise id first, then a publisher's name.
  auto as_enterprise = ctx.service.digest_recipient(week, RecipientKind::kEnterprise, id);
  if (as_enterprise) return HttpResponse::json(200, *as_enterprise);
  if (as_enterprise.status().code() != ErrorCode::kNotFound) throw_status(as_enterprise.status());
  auto as_publisher = ctx.service.digest_recipient(week, RecipientKind::kPublisher, id);
  if (as_publisher) return HttpResponse::json(200, *as_publisher);
  if (as_publisher.status().code() != ErrorCode::kNotFound) throw_status(as_publisher.status());
  throw_status(Status::not_found(fmt::format(
      "no digest for \"{}\" in week {}: neither an enterprise nor a publisher of it (or its run has not reached them)",
      id, week.to_string())));
}

}  // namespace jiebang::api
