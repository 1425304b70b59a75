// The JSON forms the API answers with: enterprises (private fields by viewer), ranked results,
// matches with their history, funnel groups.
#include <fmt/format.h>

#include "context.h"
#include "jiebang/api/summary_json.h"

namespace jiebang::api {

using nlohmann::json;

json enterprise_json(const Enterprise& e, bool with_private) {
  // The public profile has no private field to leave out (EnterpriseProfile).
  return with_private ? to_json(e) : to_json(static_cast<const EnterpriseProfile&>(e));
}

json match_result_json(const MatchResult& r, size_t rank, const Principal& viewer) {
  json components = json::object();
  for (const auto& c : r.components)
    components[c.name] = {{"fit", c.fit}, {"contribution", c.contribution}, {"reason", c.reason}};
  json attributes;
  if (const auto* e = std::get_if<EnterpriseSummary>(&r.summary); e && !viewer.is_operator()) {
    // Outcomes are other matches: a publisher ranking an enterprise sees its own, not who else
    // validated or bought from it (breaking pass, session 14). None left: the key is omitted.
    EnterpriseSummary shown = *e;
    std::erase_if(shown.outcomes, [&](const MatchOutcome& o) { return !viewer.is_publisher_of(o.publisher); });
    attributes = summary_json(shown);
  } else {
    attributes = summary_json(r.summary);
  }
  return {{"rank", rank},
          {"id", r.id},
          {"name", r.name},
          {"score", r.score},
          {"text_fit", r.text_fit},
          {"reason", r.reason},
          {"components", std::move(components)},
          {"matched_terms", r.matched_terms},
          {"attributes", std::move(attributes)}};
}

json match_json(const Match& m, std::optional<Role> viewer, const Lifecycle* lifecycle) {
  json history = json::array();
  for (const auto& e : m.history) {
    json j = {{"seq", e.seq},
              {"actor", {{"role", role_name(e.actor.role)}, {"id", e.actor.id}}},
              {"at", e.at},
              {"from", e.from ? json(stage_name(*e.from)) : json(nullptr)},
              {"to", stage_name(e.to)},
              {"note", e.note},
              {"evidence", e.evidence},
              {"correction", e.correction}};
    if (e.contract_value) {
      j["contract_value"] = e.contract_value->decimal();
      j["contract_value_minor"] = e.contract_value->minor;
      j["contract_currency"] = e.contract_value->currency;
    }
    history.push_back(std::move(j));
  }
  json out = {{"id", m.id},
              {"scenario_id", m.scenario_id},
              {"enterprise_id", m.enterprise_id},
              {"publisher", m.publisher},
              {"stage", stage_name(m.stage)},
              {"created_at", m.created_at},
              {"updated_at", m.updated_at},
              {"history", std::move(history)}};
  if (viewer) {
    json next = json::array();
    for (Stage s : lifecycle ? take(lifecycle->allowed_next(m, *viewer)) : allowed_next(m.stage, *viewer))
      next.push_back(stage_name(s));
    out["allowed_next"] = std::move(next);
  }
  return out;
}

json funnel_group_json(const FunnelGroup& g) {
  json stages = json::array();
  for (size_t i = 0; i < kForwardStages.size(); ++i) {
    json st = {{"stage", stage_name(kForwardStages[i])}, {"reached", g.reached[i]}};
    st["median_days"] = g.median_days[i] ? json(*g.median_days[i]) : json(nullptr);
    if (i + 1 < kForwardStages.size()) st["conversion_to_next"] = g.conversion[i] ? json(*g.conversion[i]) : json(nullptr);
    stages.push_back(std::move(st));
  }
  json stalled = json::array();
  for (const auto& s : g.stalled)
    stalled.push_back({{"match_id", s.match_id}, {"stage", stage_name(s.stage)}, {"days", s.days}});
  json value = json::object();
  for (const auto& [currency, minor] : g.contract_value_minor) value[currency] = Money{minor, currency}.decimal();
  return {{"group", g.key},          {"matches", g.matches},   {"stages", std::move(stages)},
          {"withdrawn", g.withdrawn}, {"rejected", g.rejected}, {"failed", g.failed},
          {"contract_value", std::move(value)}, {"stalled", std::move(stalled)}};
}

}  // namespace jiebang::api
