// Stage rules, match creation and moves over the store's append-only events.
#include "jiebang/lifecycle/lifecycle.h"

#include <algorithm>

#include <fmt/format.h>

#include "jiebang/core/calendar.h"
#include "jiebang/core/input_rules.h"

namespace jiebang {
namespace {

struct Rule {
  Stage from;
  Stage to;
  bool publisher, enterprise;
};

// The normal moves (see transition_allowed). Withdrawal is added for every non-terminal stage.
constexpr Rule kRules[] = {
    {Stage::kRecommended, Stage::kApplied, false, true},     {Stage::kApplied, Stage::kSelected, true, false},
    {Stage::kSelected, Stage::kRd, true, true},              {Stage::kRd, Stage::kValidation, true, false},
    {Stage::kValidation, Stage::kCommercialized, true, false}, {Stage::kApplied, Stage::kRejected, true, false},
    {Stage::kRd, Stage::kFailed, true, true},                {Stage::kValidation, Stage::kFailed, true, false},
};

const Rule* find_rule(Stage from, Stage to) {
  for (const Rule& r : kRules)
    if (r.from == from && r.to == to) return &r;
  return nullptr;
}

bool normal_move(Stage from, Stage to, Role role) {
  if (from == to || is_terminal(from)) return false;
  if (to == Stage::kWithdrawn) return true;  // enterprise, publisher and operator
  const Rule* r = find_rule(from, to);
  if (!r) return false;
  switch (role) {
    case Role::kOperator: return true;
    case Role::kPublisher: return r->publisher;
    case Role::kEnterprise: return r->enterprise;
  }
  return false;
}

Match to_match(const MatchRow& row) {
  Match m;
  m.id = row.id;
  m.scenario_id = row.scenario_id;
  m.enterprise_id = row.enterprise_id;
  m.publisher = row.publisher;
  m.stage = row.stage;
  m.created_at = row.created_at;
  m.updated_at = row.updated_at;
  return m;
}

MatchEvent to_event(const MatchEventRow& r) {
  MatchEvent e;
  e.seq = r.seq;
  e.actor.role = r.actor_role;
  e.actor.id = r.actor_id;
  e.at = r.at;
  e.from = r.from_stage;
  e.to = r.to_stage;
  e.note = r.note;
  e.evidence = r.evidence;
  // A value stored without its currency (none is written so) reads as CNY, as the funnel counts it.
  if (r.contract_value_minor)
    e.contract_value = Money{*r.contract_value_minor, r.contract_currency.empty() ? "CNY" : r.contract_currency};
  e.correction = r.correction;
  return e;
}

std::string stage_list(const std::vector<Stage>& stages) {
  std::string out;
  for (Stage s : stages) out += (out.empty() ? "" : ", ") + std::string(stage_name(s));
  return out.empty() ? "none" : out;
}

/// Whether the actor is a party of the match (operators are party to all).
Status check_party(const Actor& actor, const std::string& publisher, const std::string& enterprise_id,
                   const std::string& what) {
  if (actor.role == Role::kPublisher && actor.id != publisher)
    return {ErrorCode::kPermissionDenied,
            fmt::format("publisher \"{}\" may not {}: the scenario belongs to \"{}\"", actor.id, what, publisher)};
  if (actor.role == Role::kEnterprise && actor.id != enterprise_id)
    return {ErrorCode::kPermissionDenied,
            fmt::format("enterprise \"{}\" may not {} for enterprise \"{}\"", actor.id, what, enterprise_id)};
  return Status::ok();
}

/// The input rule for control characters (find_forbidden_char) on an event's free text, which
/// every caller (API, CLI, pages) passes through here. Errors: kInvalidArgument naming the field.
Status check_event_text(std::string_view field, std::string_view text) {
  if (auto bad = find_forbidden_char(text))
    return Status::invalid_field(std::string(field),
                                 fmt::format("contains the control character U+{:04X} at byte {}: control characters "
                                             "(other than tab and line breaks) and bidi overrides are refused",
                                             bad->codepoint, bad->offset));
  return Status::ok();
}

/// The marketplace's rule on a scenario's openness: only a scenario whose status is "open" and
/// whose deadline (its last day to apply, China date) is today or later, or unset, takes an
/// application or an invitation. `what`: "applications" or "invitations", for the message.
/// Errors: kConflict naming the scenario and why (status or deadline).
Status check_open_scenario(const Scenario& s, std::chrono::system_clock::time_point now, std::string_view what) {
  if (s.status != "open")
    return Status::conflict(
        fmt::format("scenario {} is {}: it takes no {} (only an open scenario does)", s.id, s.status, what));
  std::string today = shanghai_date(now);
  if (!s.deadline.empty() && s.deadline < today)
    return Status::conflict(fmt::format("scenario {} closed for {} on its deadline {} (today is {})", s.id, what,
                                        s.deadline, today));
  return Status::ok();
}

}  // namespace

bool transition_allowed(Stage from, Stage to, Role role) {
  if (from == to) return false;
  if (role == Role::kOperator) return true;  // normal moves and corrections
  return normal_move(from, to, role);
}

bool is_correction(Stage from, Stage to) { return from != to && !normal_move(from, to, Role::kOperator); }

std::vector<Stage> allowed_next(Stage from, Role role) {
  std::vector<Stage> out;
  for (Stage to : kAllStages)
    if (normal_move(from, to, role)) out.push_back(to);
  return out;
}

std::string Lifecycle::now_iso() const { return format_iso_time(clock_()); }

Result<Match> Lifecycle::create(const std::string& scenario_id, const std::string& enterprise_id, const Actor& actor,
                                Stage stage, const std::string& note) {
  if (stage != Stage::kApplied && stage != Stage::kRecommended)
    return Status::invalid_field("stage",
                                 fmt::format("a match starts as applied or recommended, not {}", stage_name(stage)));
  if (actor.role == Role::kEnterprise) {
    if (stage != Stage::kApplied)
      return Status(ErrorCode::kPermissionDenied, "an enterprise creates a match by applying (stage applied)");
    if (actor.id != enterprise_id)
      return Status(ErrorCode::kPermissionDenied,
                    fmt::format("enterprise \"{}\" may not apply for enterprise \"{}\"", actor.id, enterprise_id));
  }
  if (Status st = check_event_text("note", note); !st) return st;
  if (actor.role == Role::kPublisher && stage != Stage::kRecommended)
    return Status(ErrorCode::kPermissionDenied, "a publisher creates a match by inviting (stage recommended)");
  auto scenario = store_.get_scenario(scenario_id);
  if (!scenario) return scenario.status();
  if (actor.role == Role::kPublisher)
    if (Status st = check_party(actor, scenario->publisher, enterprise_id, "invite"); !st) return st;
  // Every role, the operator too: a match made on a closed scenario would count in the funnel
  // and the digests as if the marketplace had taken it.
  if (recording_ == Recording::kLive)
    if (Status st = check_open_scenario(*scenario, clock_(), stage == Stage::kApplied ? "applications" : "invitations");
        !st)
      return st;
  MatchEventRow first;
  first.actor_role = actor.role;
  first.actor_id = actor.id;
  first.at = now_iso();
  first.to_stage = stage;
  first.note = note;
  auto row = store_.create_match(scenario_id, enterprise_id, first);
  if (!row) return row.status();
  return get(row->id);
}

Result<Match> Lifecycle::move(const std::string& match_id, const Actor& actor, const MoveRequest& req) {
  if (Status st = check_event_text("note", req.note); !st) return st;
  if (Status st = check_event_text("evidence", req.evidence); !st) return st;
  if (req.to == Stage::kCommercialized && (!req.contract_value || req.contract_value->minor < 0))
    return Status::invalid_field("contract_value", "commercialisation needs the contract value (CNY, ≥ 0)");
  if (req.to == Stage::kApplied && recording_ == Recording::kLive) {
    // Every role, the operator's corrections too (see create). Read before the write transaction
    // (the store serialises its own calls); a scenario closed between this read and the append
    // is a race of milliseconds, accepted.
    auto current = store_.get_match(match_id);
    if (!current) return current.status();
    auto scenario = store_.get_scenario(current->scenario_id);
    if (!scenario) return scenario.status();
    if (Status st = check_open_scenario(*scenario, clock_(), "applications"); !st) return st;
  }
  MatchEventRow event;
  event.actor_role = actor.role;
  event.actor_id = actor.id;
  event.at = now_iso();
  event.to_stage = req.to;
  event.note = req.note;
  event.evidence = req.evidence;
  if (req.contract_value) {
    event.contract_value_minor = req.contract_value->minor;
    event.contract_currency = req.contract_value->currency.empty() ? "CNY" : req.contract_value->currency;
  }
  auto check = [&](const MatchRow& current, MatchEventRow& amend) -> Status {
    if (Status st = check_party(actor, current.publisher, current.enterprise_id, "move this match"); !st) return st;
    Stage from = current.stage;
    if (req.expected_from && *req.expected_from != from)
      return Status::conflict(fmt::format("match {} is at stage {}, not {}; allowed next for {}: {}", current.id,
                                          stage_name(from), stage_name(*req.expected_from), role_name(actor.role),
                                          stage_list(jiebang::allowed_next(from, actor.role))));
    if (transition_allowed(from, req.to, actor.role)) {
      amend.correction = actor.role == Role::kOperator && is_correction(from, req.to);
      return Status::ok();
    }
    // Not this role's move: say so when another party could make it, else it is a state conflict.
    if (normal_move(from, req.to, Role::kOperator))
      return Status(ErrorCode::kPermissionDenied,
                    fmt::format("a {} may not move match {} from {} to {}; allowed next for {}: {}", role_name(actor.role),
                                current.id, stage_name(from), stage_name(req.to), role_name(actor.role),
                                stage_list(jiebang::allowed_next(from, actor.role))));
    return Status::conflict(fmt::format("match {} is at stage {}: {} is not allowed next; allowed next for {}: {}",
                                        current.id, stage_name(from), stage_name(req.to), role_name(actor.role),
                                        stage_list(jiebang::allowed_next(from, actor.role))));
  };
  auto row = store_.append_match_event(match_id, check, event, track_record_stages());
  if (!row) return row.status();
  return get(match_id);
}

Result<std::vector<Stage>> Lifecycle::allowed_next(const Match& m, Role role) const {
  std::vector<Stage> next = jiebang::allowed_next(m.stage, role);
  if (recording_ == Recording::kHistory || std::find(next.begin(), next.end(), Stage::kApplied) == next.end())
    return next;
  auto scenario = store_.get_scenario(m.scenario_id);
  if (!scenario) return scenario.status();
  if (!check_open_scenario(*scenario, clock_(), "applications")) std::erase(next, Stage::kApplied);
  return next;
}

Result<Match> Lifecycle::get(const std::string& match_id) const {
  auto row = store_.get_match(match_id);
  if (!row) return row.status();
  auto events = store_.match_events(match_id);
  if (!events) return events.status();
  Match m = to_match(*row);
  for (const auto& e : *events) m.history.push_back(to_event(e));
  return m;
}

Result<std::vector<Match>> Lifecycle::list(const MatchFilter& filter) const {
  auto rows = store_.list_matches(filter);
  if (!rows) return rows.status();
  std::vector<Match> out;
  for (const auto& r : *rows) out.push_back(to_match(r));
  return out;
}

}  // namespace jiebang
