// Subcommands for the loop per match: matches create/move/show/list/import-transitions, funnel.
#include <fmt/format.h>

#include "cli_common.h"
#include "jiebang/lifecycle/lifecycle.h"

namespace jiebang::cli {
namespace {

using nlohmann::json;


json match_json(const Match& m) {
  json history = json::array();
  for (const auto& e : m.history) {
    json j = {{"seq", e.seq}, {"actor", {{"role", role_name(e.actor.role)}, {"id", e.actor.id}}}, {"at", e.at},
              {"from", e.from ? json(stage_name(*e.from)) : json(nullptr)}, {"to", stage_name(e.to)},
              {"note", e.note}, {"evidence", e.evidence}, {"correction", e.correction}};
    if (e.contract_value) {
      j["contract_value"] = e.contract_value->to_string();
      j["contract_value_minor"] = e.contract_value->minor;
      j["contract_currency"] = e.contract_value->currency;
    }
    history.push_back(std::move(j));
  }
  return {{"id", m.id},           {"scenario_id", m.scenario_id}, {"enterprise_id", m.enterprise_id},
          {"publisher", m.publisher}, {"stage", stage_name(m.stage)}, {"created_at", m.created_at},
          {"updated_at", m.updated_at}, {"history", history}};
}

void print_match(const Match& m) {
  fmt::print("{}  {}  scenario {}  enterprise {}  ({})\n", m.id, stage_name(m.stage), m.scenario_id, m.enterprise_id,
             m.publisher);
  for (const auto& e : m.history) {
    fmt::print("  {}  {:<14} → {:<14} by {} {}{}{}\n", e.at, e.from ? stage_name(*e.from) : "(new)", stage_name(e.to),
               role_name(e.actor.role), e.actor.id, e.correction ? "  [correction]" : "",
               e.contract_value ? "  " + e.contract_value->to_string() : "");
    if (!e.note.empty()) fmt::print("      note: {}\n", e.note);
    if (!e.evidence.empty()) fmt::print("      evidence: {}\n", e.evidence);
  }
}

struct ActorOptions {
  std::string role = "operator";
  std::string id = "cli";
  Actor actor() const { return {parse_role(role).value_or(Role::kOperator), id}; }
};

void add_actor_options(CLI::App* cmd, ActorOptions& a) {
  cmd->add_option("--as", a.role, "Role acting: operator (default), publisher or enterprise")
      ->check(CLI::IsMember({"operator", "publisher", "enterprise"}));
  cmd->add_option("--actor", a.id, "Who acts: the publisher's organisation, the enterprise id, or an operator name");
}

std::string stage_names_list() { return stage_names(" | "); }

/// CLI11 check of a --stage / --to value: "" when it names a stage, else the error listing them.
std::string check_stage(const std::string& v) {
  return parse_stage(v) ? std::string() : "unknown stage \"" + v + "\"; stages: " + stage_names_list();
}

}  // namespace

void add_match_commands(CLI::App& app, const Globals& g, int& exit_code) {
  auto* matches = app.add_subcommand("matches", "The loop per match: apply, invite, move through the stages, list");
  matches->require_subcommand(1);
  static ActorOptions actor;
  static std::string scenario_id, enterprise_id, match_id, stage, note, evidence, contract_value, currency = "CNY",
                     file, group_by, from, to;
  static size_t limit = 50;
  static bool as_json = false;

  auto* create = matches->add_subcommand("create", "An enterprise applies (stage applied) or a publisher invites (recommended)");
  create->add_option("--scenario", scenario_id, "Scenario id")->required();
  create->add_option("--enterprise", enterprise_id, "Enterprise id")->required();
  create->add_option("--stage", stage, "applied (default for enterprise and operator) or recommended (publisher)")
      ->check(CLI::IsMember({"applied", "recommended"}));
  create->add_option("--note", note, "Note recorded with the first event");
  create->add_flag("--json", as_json, "Print JSON");
  add_actor_options(create, actor);
  create->callback([&g, &exit_code] {
    auto svc = open_service(g, exit_code);
    if (!svc) return;
    Actor a = actor.actor();
    Stage first = !stage.empty() ? *parse_stage(stage) : a.role == Role::kPublisher ? Stage::kRecommended : Stage::kApplied;
    auto m = svc->lifecycle().create(scenario_id, enterprise_id, a, first, note);
    if (!m) {
      exit_code = fail(m.status());
      return;
    }
    if (as_json) fmt::print("{}\n", match_json(*m).dump(2));
    else print_match(*m);
  });

  auto* move = matches->add_subcommand("move", "Move a match to its next stage (" + stage_names_list() + ")");
  move->add_option("match", match_id, "Match id")->required();
  move->add_option("--to", stage, "Target stage")->required()->check(check_stage);
  move->add_option("--note", note, "Note");
  move->add_option("--evidence", evidence, "Evidence: a URL or a document reference");
  move->add_option("--contract-value", contract_value, "Contract value in major units (yuan), e.g. 1250000.00; needed for commercialized");
  move->add_option("--currency", currency, "ISO 4217 currency of the contract value (default CNY)");
  move->add_flag("--json", as_json, "Print JSON");
  add_actor_options(move, actor);
  move->callback([&g, &exit_code] {
    MoveRequest req;
    req.to = *parse_stage(stage);
    req.note = note;
    req.evidence = evidence;
    if (!contract_value.empty()) {
      auto minor = parse_major_units(contract_value);
      if (!minor)
        throw CLI::ValidationError("--contract-value", "expected an amount like 1250000 or 1250000.50, got \"" + contract_value + "\"");
      req.contract_value = Money{*minor, currency};
    }
    auto svc = open_service(g, exit_code);
    if (!svc) return;
    auto m = svc->lifecycle().move(match_id, actor.actor(), req);
    if (!m) {
      exit_code = fail(m.status());
      return;
    }
    if (Status st = svc->sync_index(); !st) exit_code = fail(st);
    if (as_json) fmt::print("{}\n", match_json(*m).dump(2));
    else print_match(*m);
  });

  auto* show = matches->add_subcommand("show", "A match with its whole history");
  show->add_option("match", match_id, "Match id")->required();
  show->add_flag("--json", as_json, "Print JSON");
  show->callback([&g, &exit_code] {
    auto svc = open_service(g, exit_code);
    if (!svc) return;
    auto m = svc->lifecycle().get(match_id);
    if (!m) {
      exit_code = fail(m.status());
      return;
    }
    if (as_json) fmt::print("{}\n", match_json(*m).dump(2));
    else print_match(*m);
  });

  auto* list = matches->add_subcommand("list", "Matches, filtered by scenario, enterprise or stage");
  list->add_option("--scenario", scenario_id, "Scenario id");
  list->add_option("--enterprise", enterprise_id, "Enterprise id");
  list->add_option("--stage", stage, "Current stage (" + stage_names_list() + ")")->check(check_stage);
  list->add_option("--limit", limit, "At most this many (default 50)")->check(CLI::Range(1, 100000));
  list->add_flag("--json", as_json, "Print JSON");
  list->callback([&g, &exit_code] {
    auto svc = open_service(g, exit_code);
    if (!svc) return;
    MatchFilter f;
    f.scenario_id = scenario_id;
    f.enterprise_id = enterprise_id;
    if (!stage.empty()) f.stage = parse_stage(stage);  // checked above: a typo exits 2 listing the stages
    f.limit = limit;
    auto ms = svc->lifecycle().list(f);
    if (!ms) {
      exit_code = fail(ms.status());
      return;
    }
    json out = json::array();
    for (const auto& m : *ms) {
      if (as_json) out.push_back(match_json(m));
      else fmt::print("{}  {:<14} {}  {}  {}\n", m.id, stage_name(m.stage), m.scenario_id, m.enterprise_id, m.updated_at);
    }
    if (as_json) fmt::print("{}\n", out.dump(2));
  });

  auto* transitions = matches->add_subcommand(
      "import-transitions", "Import real SBIR Phase III transitions (CSV: firm, agency, command, prior_sbir, transition_value, year, …)");
  transitions->add_option("file", file, "CSV file")->required()->check(CLI::ExistingFile);
  transitions->callback([&g, &exit_code] {
    auto svc = open_service(g, exit_code);
    if (!svc) return;
    auto r = svc->import_transitions(file);
    if (!r) {
      exit_code = fail(r.status());
      return;
    }
    for (const auto& e : r->errors)
      fmt::print(stderr, "{}:{}: {}{}{}\n", file, e.line, e.id.empty() ? "" : "[" + e.id + "] ",
                 e.key.empty() ? "" : e.key + ": ", e.message);
    fmt::print("{}: {} rows, {} matches imported, {} already present, {} rejected ({:.1f} s)\n", file, r->read,
               r->inserted, r->unchanged, r->rejected, r->seconds);
  });

  auto* funnel = app.add_subcommand("funnel", "The funnel: matches reaching each stage, conversion, median days, stalled");
  funnel->add_option("--group-by", group_by, "publisher | region | industry | scenario (default: all together)")
      ->check(CLI::IsMember({"publisher", "region", "industry", "scenario"}));  // Lifecycle::funnel's groupings
  funnel->add_option("--from", from, "Matches created on or after this day (YYYY-MM-DD, a Beijing day: Asia/Shanghai)");
  funnel->add_option("--to", to, "Matches created on or before this day (YYYY-MM-DD, a Beijing day: Asia/Shanghai)");
  funnel->add_flag("--json", as_json, "Print JSON");
  funnel->callback([&g, &exit_code] {
    auto svc = open_service(g, exit_code);
    if (!svc) return;
    FunnelQuery q;
    q.group_by = group_by;
    q.from = from;
    q.to = to;
    auto groups = svc->lifecycle().funnel(q);
    if (!groups) {
      exit_code = fail(groups.status());
      return;
    }
    json out = json::array();
    for (const auto& grp : *groups) {
      json stages = json::array();
      for (size_t i = 0; i < kForwardStages.size(); ++i) {
        json st = {{"stage", stage_name(kForwardStages[i])}, {"reached", grp.reached[i]}};
        st["median_days"] = grp.median_days[i] ? json(*grp.median_days[i]) : json(nullptr);
        if (i + 1 < kForwardStages.size())
          st["conversion_to_next"] = grp.conversion[i] ? json(*grp.conversion[i]) : json(nullptr);
        stages.push_back(std::move(st));
      }
      json stalled = json::array();
      for (const auto& s : grp.stalled)
        stalled.push_back({{"match_id", s.match_id}, {"stage", stage_name(s.stage)}, {"days", s.days}});
      json value = json::object();
      for (const auto& [cur, minor] : grp.contract_value_minor) value[cur] = Money{minor, cur}.to_string();
      out.push_back({{"group", grp.key}, {"matches", grp.matches}, {"stages", stages}, {"withdrawn", grp.withdrawn},
                     {"rejected", grp.rejected}, {"failed", grp.failed}, {"contract_value", value},
                     {"stalled", stalled}});
      if (as_json) continue;
      fmt::print("{}  ({} matches)\n", grp.key, grp.matches);
      for (size_t i = 0; i < kForwardStages.size(); ++i) {
        std::string conv = i + 1 < kForwardStages.size() && grp.conversion[i]
                               ? fmt::format("→ next {:5.1f}%", 100 * *grp.conversion[i]) : std::string(14, ' ');
        std::string med = grp.median_days[i] ? fmt::format("median {:.1f} d", *grp.median_days[i]) : "";
        fmt::print("  {:<15} {:>6}  {}  {}\n", stage_name(kForwardStages[i]), grp.reached[i], conv, med);
      }
      fmt::print("  withdrawn {}, rejected {}, failed {}", grp.withdrawn, grp.rejected, grp.failed);
      for (const auto& [cur, minor] : grp.contract_value_minor) fmt::print("; contracts {}", Money{minor, cur}.to_string());
      fmt::print("\n");
      for (const auto& s : grp.stalled)
        fmt::print("  stalled: {} in {} for {:.0f} days\n", s.match_id, stage_name(s.stage), s.days);
    }
    if (as_json) fmt::print("{}\n", out.dump(2));
  });
}

}  // namespace jiebang::cli
