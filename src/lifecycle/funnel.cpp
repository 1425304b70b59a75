// The funnel: stage reach, conversion, median days in stage and stalled matches, per group.
#include <algorithm>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "jiebang/core/calendar.h"
#include "jiebang/lifecycle/lifecycle.h"

namespace jiebang {
namespace {

std::optional<size_t> forward_index(Stage s) {
  for (size_t i = 0; i < kForwardStages.size(); ++i)
    if (kForwardStages[i] == s) return i;
  return std::nullopt;
}

std::optional<double> median(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

double days_between(std::chrono::sys_seconds a, std::chrono::sys_seconds b) {
  return std::chrono::duration<double>(b - a).count() / 86400.0;
}

struct Accumulator {
  FunnelGroup group;
  std::array<std::vector<double>, 6> stays;
};

}  // namespace

Result<std::vector<FunnelGroup>> Lifecycle::funnel(const FunnelQuery& q) const {
  if (!q.group_by.empty() && q.group_by != "publisher" && q.group_by != "region" && q.group_by != "industry" &&
      q.group_by != "scenario")
    return Status::invalid_field(
        "group_by", fmt::format("expected publisher, region, industry or scenario, got \"{}\"", q.group_by));
  // from/to are Beijing calendar days: the window is [from 00:00, to + 1 day 00:00) Asia/Shanghai.
  std::optional<std::chrono::sys_seconds> window_from, window_until;
  for (const auto* d : {&q.from, &q.to}) {
    if (d->empty()) continue;
    auto day = parse_iso_date(*d);
    if (!day)
      return Status::invalid_field(d == &q.from ? "from" : "to",
                                   fmt::format("expected a date YYYY-MM-DD, got \"{}\"", *d));
    if (d == &q.from)
      window_from = shanghai_to_utc(*day);
    else
      window_until = shanghai_to_utc(*day + std::chrono::days{1});
  }
  auto now = std::chrono::floor<std::chrono::seconds>(clock_());
  std::map<std::string, Accumulator> groups;
  std::unordered_map<std::string, std::pair<std::string, std::string>> scenario_keys;  // id → (region, industry)
  Status failure;
  Status st = store_.for_each_match_history([&](const MatchRow& m, const std::vector<MatchEventRow>& events) {
    if (!failure || events.empty()) return;
    if (!q.publisher.empty() && m.publisher != q.publisher) return;
    if (window_from || window_until) {
      auto created = parse_iso_time(m.created_at);
      if (!created) {  // written by format_iso_time: anything else is not this version's store
        failure = Status::internal(fmt::format("matches row \"{}\", column created_at: \"{}\" is not an ISO 8601 time",
                                               m.id, m.created_at));
        return;
      }
      if ((window_from && *created < *window_from) || (window_until && *created >= *window_until)) return;
    }
    std::string key = "all";
    if (q.group_by == "publisher") {
      key = m.publisher;
    } else if (q.group_by == "scenario") {
      key = m.scenario_id;
    } else if (!q.group_by.empty()) {
      auto it = scenario_keys.find(m.scenario_id);
      if (it == scenario_keys.end()) {
        std::pair<std::string, std::string> keys{"(none)", "(none)"};
        auto s = store_.get_scenario(m.scenario_id);
        if (s) {
          if (!s->region.empty()) keys.first = s->region;
          if (!s->industries.empty()) keys.second = s->industries.front();
        } else if (s.status().code() != ErrorCode::kNotFound) {
          failure = s.status();
          return;
        }
        it = scenario_keys.emplace(m.scenario_id, keys).first;
      }
      key = q.group_by == "region" ? it->second.first : it->second.second;
    }
    Accumulator& acc = groups[key];
    acc.group.key = key;
    ++acc.group.matches;
    // How far along the forward path the history ever got, and how long each stay lasted.
    std::optional<size_t> furthest;
    for (size_t i = 0; i < events.size(); ++i) {
      Stage to = events[i].to_stage;
      if (auto f = forward_index(to)) furthest = std::max(furthest.value_or(0), *f);
      if (to == Stage::kCommercialized && events[i].contract_value_minor)
        acc.group.contract_value_minor[events[i].contract_currency.empty() ? "CNY" : events[i].contract_currency] +=
            *events[i].contract_value_minor;
      auto entered = parse_iso_time(events[i].at);
      if (i + 1 < events.size()) {
        auto left = parse_iso_time(events[i + 1].at);
        if (auto f = forward_index(to); f && entered && left) acc.stays[*f].push_back(days_between(*entered, *left));
      }
    }
    // A match that starts as applied has reached recommended's level too: reach is cumulative.
    if (furthest)
      for (size_t i = 0; i <= *furthest; ++i) ++acc.group.reached[i];
    Stage current = m.stage;
    if (current == Stage::kWithdrawn) ++acc.group.withdrawn;
    if (current == Stage::kRejected) ++acc.group.rejected;
    if (current == Stage::kFailed) ++acc.group.failed;
    auto limit = q.stall_days.find(current);
    auto entered = parse_iso_time(events.back().at);
    if (!is_terminal(current) && limit != q.stall_days.end() && entered) {
      double days = days_between(*entered, now);
      if (days > limit->second) acc.group.stalled.push_back({m.id, current, days});
    }
  });
  if (!st) return st;
  if (!failure) return failure;
  std::vector<FunnelGroup> out;
  for (auto& [key, acc] : groups) {
    FunnelGroup g = std::move(acc.group);
    for (size_t i = 0; i + 1 < g.reached.size(); ++i)
      if (g.reached[i] > 0) g.conversion[i] = static_cast<double>(g.reached[i + 1]) / static_cast<double>(g.reached[i]);
    for (size_t i = 0; i < acc.stays.size(); ++i) g.median_days[i] = median(acc.stays[i]);
    std::sort(g.stalled.begin(), g.stalled.end(),
              [](const StalledMatch& a, const StalledMatch& b) { return a.days > b.days; });
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace jiebang
