// Handlers for the loop per match: /v1/matches (apply, invite, read, move, list), /v1/funnel and /v1/gaps.
// The rules (who may move where) live in Lifecycle; these only parse, call and map.
#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "context.h"
#include "jiebang/core/log.h"
#include "jiebang/core/money.h"

namespace jiebang::api {
namespace {

using nlohmann::json;

bool visible(const Principal& p, const Match& m) {
  return p.is_operator() || p.is_publisher_of(m.publisher) || p.is_enterprise(m.enterprise_id);
}

/// Body keys: refuses keys not in `known`, then reads strings.
class BodyReader {
 public:
  BodyReader(const json& body, std::initializer_list<const char*> known) : body_(body) {
    for (const auto& [key, value] : body.items()) {
      bool ok = false;
      for (const char* k : known) ok = ok || key == k;
      if (!ok) errors_.push_back({key, "unknown key"});
    }
  }
  /// The string at `key`; "" when absent or null; an error when another type or (if `required`) empty.
  std::string text(const char* key, bool required) {
    auto it = body_.find(key);
    if (it == body_.end() || it->is_null()) {
      if (required) errors_.push_back({key, "required"});
      return {};
    }
    if (!it->is_string()) {
      errors_.push_back({key, fmt::format("expected a string, got {}", it->type_name())});
      return {};
    }
    std::string v = it->get<std::string>();
    if (required && v.empty()) errors_.push_back({key, "must not be empty"});
    return v;
  }
  std::optional<Stage> stage(const char* key, bool required) {
    std::string name = text(key, required);
    if (name.empty()) return std::nullopt;
    auto s = parse_stage(name);
    if (!s) {
      std::string names;
      for (Stage st : kAllStages) names += (names.empty() ? "" : ", ") + std::string(stage_name(st));
      errors_.push_back({key, fmt::format("unknown stage \"{}\"; stages: {}", name, names)});
    }
    return s;
  }
  const json* find(const char* key) const {
    auto it = body_.find(key);
    return it == body_.end() || it->is_null() ? nullptr : &*it;
  }
  void error(std::string key, std::string message) { errors_.push_back({std::move(key), std::move(message)}); }
  void finish() const {
    if (!errors_.empty()) throw_problem(validation_problem(errors_));
  }

 private:
  const json& body_;
  std::vector<FieldError> errors_;
};

HttpResponse created_match(const Match& m, const Principal& p, const Lifecycle& lifecycle) {
  HttpResponse r = HttpResponse::json(201, match_json(m, p.role, &lifecycle));
  r.headers.set("Location", "/v1/matches/" + percent_encode_segment(m.id));
  return r;
}

}  // namespace

HttpResponse post_match(RequestContext& ctx) {
  ctx.allow_query({});
  const Principal& p = ctx.who();
  json body = json_object_body(ctx);
  BodyReader in(body, {"scenario_id", "enterprise_id", "note", "stage"});
  std::string scenario_id = in.text("scenario_id", true), enterprise_id = in.text("enterprise_id", true);
  std::string note = in.text("note", false);
  std::optional<Stage> stage = in.stage("stage", false);
  in.finish();
  // An enterprise applies (揭榜), a publisher invites (a recommendation); an operator records either.
  Stage first = p.role == Role::kPublisher ? Stage::kRecommended : Stage::kApplied;
  if (stage && *stage != first) {
    if (!p.is_operator())
      throw_problem(make_problem(400,
                                 fmt::format("stage: a {} starts a match at {}", role_name(p.role), stage_name(first)),
                                 "stage"));
    first = *stage;
  }
  Match m = take(ctx.service.lifecycle().create(scenario_id, enterprise_id, p.actor(), first, note));
  return created_match(m, p, ctx.service.lifecycle());
}

HttpResponse get_match(RequestContext& ctx) {
  ctx.allow_query({});
  const Principal& p = ctx.who();
  Match m = take(ctx.service.lifecycle().get(ctx.params.at("id")));
  require(visible(p, m), fmt::format("match {} is visible to its publisher, its enterprise and the operator only", m.id));
  return HttpResponse::json(200, match_json(m, p.role, &ctx.service.lifecycle()));
}

HttpResponse post_match_event(RequestContext& ctx) {
  ctx.allow_query({});
  const Principal& p = ctx.who();
  const std::string& id = ctx.params.at("id");
  json body = json_object_body(ctx);
  BodyReader in(body, {"to", "note", "evidence", "contract_value", "contract_currency", "expected_from"});
  MoveRequest req;
  std::optional<Stage> to = in.stage("to", true);
  req.note = in.text("note", false);
  req.evidence = in.text("evidence", false);
  req.expected_from = in.stage("expected_from", false);
  if (const json* value = in.find("contract_value")) {
    if (auto minor = amount_to_minor(*value)) {
      req.contract_value = Money{*minor, "CNY"};  // the currency, if given, is read below
    } else {
      in.error("contract_value", fmt::format("expected an amount in yuan with at most two decimals, as a string "
                                             "(\"1250000.50\") or a number, got {}",
                                             value->dump()));
    }
  }
  std::string currency = in.text("contract_currency", false);
  if (!currency.empty()) {
    if (!is_currency_code(currency))
      in.error("contract_currency", fmt::format("expected an ISO 4217 code such as CNY, got \"{}\"", currency));
    if (req.contract_value) req.contract_value->currency = currency;
  }
  in.finish();
  req.to = *to;
  auto moved = ctx.service.lifecycle().move(id, p.actor(), req);
  if (!moved) {
    if (moved.status().code() != ErrorCode::kConflict) throw_status(moved.status());
    // Name the stage the match is in now and where this caller could take it from there.
    Problem problem = problem_from_status(moved.status());
    problem.field = "to";
    if (auto now = ctx.service.lifecycle().get(id)) {
      json next = json::array();
      auto allowed = ctx.service.lifecycle().allowed_next(*now, p.role);
      for (Stage s : allowed ? *allowed : allowed_next(now->stage, p.role)) next.push_back(stage_name(s));
      problem.extensions["stage"] = stage_name(now->stage);
      problem.extensions["allowed_next"] = std::move(next);
    }
    throw_problem(std::move(problem));
  }
  // The move is committed; a validation or commercialisation changes the enterprise's track
  // record, which ranking reads from the index.
  if (Status st = ctx.service.sync_index(); !st)
    log_event(LogLevel::kWarn, "index_catch_up_failed", {{"after", "match move"}, {"match", id}, {"error", st.to_string()}});
  return HttpResponse::json(200, match_json(*moved, p.role, &ctx.service.lifecycle()));
}

HttpResponse list_matches(RequestContext& ctx) {
  ctx.allow_query({"scenario_id", "enterprise_id", "stage", "limit", "after"});
  const Principal& p = ctx.who();
  MatchFilter f;
  f.scenario_id = ctx.query_value("scenario_id");
  f.enterprise_id = ctx.query_value("enterprise_id");
  if (std::string stage = ctx.query_value("stage"); !stage.empty()) {
    f.stage = parse_stage(stage);
    if (!f.stage)  // never an empty list for a typo
      throw_problem(make_problem(400, fmt::format("stage: unknown stage \"{}\"; the stages are {}", stage, stage_names()),
                                 "stage"));
  }
  f.after_id = ctx.query_value("after");
  f.limit = ctx.limit(50);
  if (p.role == Role::kPublisher) f.publisher = p.scope;
  if (p.role == Role::kEnterprise) {
    require(f.enterprise_id.empty() || f.enterprise_id == p.scope,
            fmt::format("this key sees enterprise \"{}\"'s matches only", p.scope), "enterprise_id");
    f.enterprise_id = p.scope;
  }
  auto matches = take(ctx.service.lifecycle().list(f));
  json list = json::array();
  for (const auto& m : matches) {
    json j = match_json(m, p.role, &ctx.service.lifecycle());
    j.erase("history");  // list() reads no histories; GET /v1/matches/{id} has them
    list.push_back(std::move(j));
  }
  json next = matches.size() == f.limit && !matches.empty() ? json(matches.back().id) : json(nullptr);
  return HttpResponse::json(200, {{"matches", std::move(list)}, {"next_after", std::move(next)}});
}

HttpResponse get_funnel(RequestContext& ctx) {
  ctx.allow_query({"group_by", "from", "to"});
  const Principal& p = ctx.who();
  require(p.role != Role::kEnterprise, "the funnel is for publishers (their own organisation's) and the operator");
  FunnelQuery q;
  q.group_by = ctx.query_value("group_by");
  q.from = ctx.query_value("from");
  q.to = ctx.query_value("to");
  if (p.role == Role::kPublisher) {
    // A publisher sees its own organisation's matches only: as one group, or per scenario.
    require(q.group_by.empty() || q.group_by == "publisher" || q.group_by == "scenario",
            "group_by: a publisher key sees its own organisation's funnel only (group_by=publisher or scenario)", "group_by");
    if (q.group_by.empty()) q.group_by = "publisher";
    q.publisher = p.scope;
  }
  auto groups = take(ctx.service.lifecycle().funnel(q));
  json list = json::array();
  for (const auto& g : groups) list.push_back(funnel_group_json(g));
  return HttpResponse::json(200, {{"group_by", q.group_by}, {"from", q.from}, {"to", q.to}, {"groups", std::move(list)}});
}

HttpResponse get_gaps(RequestContext& ctx) {
  ctx.allow_query({"threshold"});
  double threshold = -1;  // the ranking weights' gap_text_fit
  if (std::string t = ctx.query_value("threshold"); !t.empty()) {
    size_t used = 0;
    try {
      threshold = std::stod(t, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != t.size() || !(threshold >= 0 && threshold <= 1))
      throw_problem(make_problem(400, "threshold: a number from 0 to 1 (an absolute text fit)", "threshold"));
  }
  return HttpResponse::json(200, supply_gaps_json(take(ctx.service.supply_gaps(threshold))));
}

}  // namespace jiebang::api
