// The weekly digest: recipients, rules, resumable batches (see digest.h).
#include "jiebang/core/input_rules.h"
#include "jiebang/core/utf8.h"
#include "jiebang/digest/digest.h"

#include "jiebang/core/records.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "jiebang/core/calendar.h"
#include "jiebang/core/url.h"
#include "jiebang/text/normalize.h"

namespace jiebang {
namespace {

using nlohmann::json;
using std::chrono::days;

constexpr RecipientKind kEnterprise = RecipientKind::kEnterprise;
constexpr RecipientKind kPublisher = RecipientKind::kPublisher;
constexpr auto kBatchTime = std::chrono::seconds(2);  // a batch is stored at least this often

double round4(double v) { return std::round(v * 10000.0) / 10000.0; }

std::string pair_key(const std::string& scenario_id, const std::string& enterprise_id) {
  return scenario_id + '\x1f' + enterprise_id;
}

std::string language_of(const std::string& text) { return has_han(text) ? "zh" : "en"; }

/// The scenario summary of a result of Matcher::scenarios_for (an empty one otherwise).
const ScenarioSummary& scenario_of(const MatchResult& r) {
  static const ScenarioSummary kNone;
  const auto* s = std::get_if<ScenarioSummary>(&r.summary);
  return s ? *s : kNone;
}

std::string_view stage_label_zh(Stage s) {
  switch (s) {
    case Stage::kRecommended: return "推荐";
    case Stage::kApplied: return "已揭榜申请";
    case Stage::kSelected: return "已入选";
    case Stage::kRd: return "研发";
    case Stage::kValidation: return "场景验证";
    default: return stage_name(s);
  }
}

json components_json(const MatchResult& r) {
  json out = json::array();
  for (const auto& c : r.components)
    out.push_back({{"name", c.name}, {"fit", round4(c.fit)}, {"contribution", round4(c.contribution)},
                   {"reason", c.reason}});
  return out;
}

/// A stalled match of a recipient, as of the cut-off.
struct Stalled {
  std::string match_id, scenario_id, enterprise_id, publisher;
  Stage stage = Stage::kApplied;
  int64_t version = 0;
  int days = 0;
  std::string since;  ///< ISO 8601 UTC of the last event
};

/// Everything a run reads once.
struct RunContext {
  std::string week, cutoff, covers_from, covers_to;
  DigestSettings settings;
  std::vector<std::string> posted_also;  // new scenarios without posted_at (first stored in the window)
  bool any_new = false;                  // any scenario new in the window at all
  bool open_outside = false;             // any open scenario posted outside the window (before or after)
  std::map<std::string, std::vector<Scenario>> publisher_open;  // publisher → its open scenarios (id order)
  std::unordered_set<std::string> engaged;                      // pair_key of matches past "recommended"
  std::map<std::string, std::vector<Stalled>> stalled_by_enterprise, stalled_by_publisher;
  std::unordered_map<std::string, std::string> scenario_titles;  // for stalled items
};

}  // namespace

json DigestSettings::to_json() const {
  return {{"max_items", max_items},
          {"per_publisher_cap", per_publisher_cap},
          {"per_scenario_cap", per_scenario_cap},
          {"base_url", base_url}};
}

Result<DigestSettings> DigestSettings::from_json(const json& j) {
  if (!j.is_object()) return Status::invalid_argument("digest settings: expected a JSON object");
  DigestSettings s;
  for (const auto& [key, value] : j.items()) {
    if (key == "base_url") {
      if (!value.is_string()) return Status::invalid_field("base_url", "expected a string");
      s.base_url = value.get<std::string>();
      if (Status st = s.check_base_url(); !st) return st;
      continue;
    }
    size_t* target = key == "max_items"           ? &s.max_items
                     : key == "per_publisher_cap" ? &s.per_publisher_cap
                     : key == "per_scenario_cap"  ? &s.per_scenario_cap
                                                  : nullptr;
    if (!target) return Status::invalid_field(key, "unknown digest setting");
    if (!value.is_number_integer() || value.get<int64_t>() < 1)
      return Status::invalid_field(key, "expected a whole number of at least 1");
    *target = value.get<size_t>();
  }
  return s;
}

Status DigestSettings::check_base_url() {
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
  bool http = base_url.rfind("http://", 0) == 0 || base_url.rfind("https://", 0) == 0;
  if (!http || base_url.size() <= 8 || base_url.find_first_of(" \t\r\n\"<>") != std::string::npos)
    return Status::invalid_field(
        "base_url",
        fmt::format("\"{}\" is not an http:// or https:// address such as https://jiebang.example.gov.cn", base_url));
  return Status::ok();
}

json DigestSummary::to_json() const {
  return {{"week", week},
          {"covers", {{"from", covers_from}, {"to", covers_to}}},
          {"cutoff", cutoff},
          {"settings", settings.to_json()},
          {"recipients", recipients},
          {"recipients_with_items", recipients_with_items},
          {"items", items},
          {"seconds", std::round(seconds * 1000.0) / 1000.0},
          {"attempts", attempts},
          {"started_at", started_at},
          {"finished_at", finished_at.empty() ? json(nullptr) : json(finished_at)}};
}

std::string digest_file_name(const std::string& id) {
  std::string out;
  for (size_t i = 0; i < id.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(id[i]);
    if (c >= 0x80) {
      // Well-formed UTF-8 stays as it is: "国网杭州供电公司.json" reads as it is. A bidi override or
      // a C1 control (find_forbidden_char) is percent-encoded whole, so a name like
      // "x\u202Egpj.exe" never displays as another file name; an ill-formed byte is percent-encoded.
      Utf8Char ch = decode_utf8(id, i);
      std::string_view seq = std::string_view(id).substr(i, ch.length);
      if (ch.kind == Utf8Char::Kind::kChar && !find_forbidden_char(seq)) {
        out += seq;
        i += ch.length - 1;
        continue;
      }
      size_t bytes = ch.kind == Utf8Char::Kind::kChar ? ch.length : 1;
      for (unsigned char b : std::string_view(id).substr(i, bytes)) out += fmt::format("%{:02X}", b);
      i += bytes - 1;
      continue;
    }
    bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                (c == '.' && i > 0);
    if (keep) out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  if (out.empty()) out = "%";  // an empty id still gets a file of its own
  if (out.size() > 200) {
    uint64_t h = 1469598103934665603ULL;  // FNV-1a 64 (Fowler, Noll, Vo)
    for (unsigned char c : id) h = (h ^ c) * 1099511628211ULL;
    size_t cut = 183;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
    out = out.substr(0, cut) + fmt::format("~{:016x}", h);
  }
  return out;
}

namespace {

DigestSummary summary_from(const DigestRunRow& row) {
  DigestSummary s;
  auto week = IsoWeek::parse(row.week);
  s.week = row.week;
  if (week) {
    s.cutoff = format_iso_date(week->monday());
    s.covers_from = format_iso_date(week->monday() - days(7));
    s.covers_to = format_iso_date(week->monday() - days(1));
  }
  auto settings = DigestSettings::from_json(json::parse(row.settings, nullptr, false));
  if (settings) s.settings = *settings;
  s.recipients = row.recipients;
  s.recipients_with_items = row.recipients_with_items;
  s.items = row.items;
  s.seconds = row.seconds;
  s.attempts = row.attempts;
  s.started_at = row.started_at;
  s.finished_at = row.finished_at;
  return s;
}

/// Reads the scenarios and the loop once for a run.
Result<RunContext> load_context(const Store& store, const IsoWeek& week, const DigestSettings& settings) {
  RunContext ctx;
  ctx.week = week.to_string();
  ctx.settings = settings;
  ctx.cutoff = format_iso_date(week.monday());
  ctx.covers_from = format_iso_date(week.monday() - days(7));
  ctx.covers_to = format_iso_date(week.monday() - days(1));
  std::vector<Scenario> undated;  // open scenarios without posted_at: dated by when first stored
  Status st = store.for_each_scenario([&](Scenario&& s) {
    ctx.scenario_titles[s.id] = s.title;
    // Every publisher is a recipient (of its stalled matches too), open lists or not.
    auto& publisher_open = ctx.publisher_open[s.publisher];
    bool open = s.status == "open" && (s.deadline.empty() || s.deadline >= ctx.cutoff);
    if (!open) return true;
    if (s.posted_at.empty()) {
      undated.push_back(std::move(s));
      return true;
    }
    if (s.posted_at >= ctx.covers_from && s.posted_at <= ctx.covers_to) ctx.any_new = true;
    if (s.posted_at < ctx.covers_from || s.posted_at > ctx.covers_to) ctx.open_outside = true;
    if (s.posted_at <= ctx.covers_to) publisher_open.push_back(std::move(s));
    return true;
  });
  if (!st) return st;
  for (auto& s : undated) {
    auto at = store.first_stored_at(RecordKind::kScenario, s.id);
    auto stored = at ? parse_iso_time(*at) : std::nullopt;
    std::string day = stored ? shanghai_date(*stored) : std::string();
    if (day.empty() || day > ctx.covers_to) {  // stored after the window: a later week's
      ctx.open_outside = true;
      continue;
    }
    if (day >= ctx.covers_from) {
      ctx.posted_also.push_back(s.id);
      ctx.any_new = true;
    } else {
      ctx.open_outside = true;
    }
    ctx.publisher_open[s.publisher].push_back(std::move(s));
  }
  if (!undated.empty())  // dated and undated in id order again
    for (auto& [publisher, list] : ctx.publisher_open)
      std::sort(list.begin(), list.end(), [](const Scenario& a, const Scenario& b) { return a.id < b.id; });

  auto cutoff_time = shanghai_to_utc(week.monday());  // 00:00 Asia/Shanghai
  FunnelQuery thresholds;
  st = store.for_each_match_history([&](const MatchRow& m, const std::vector<MatchEventRow>& events) {
    // (A stage this version does not know stops the read with the row named: Store.)
    Stage stage = m.stage;
    if (stage != Stage::kRecommended) ctx.engaged.insert(pair_key(m.scenario_id, m.enterprise_id));
    if (is_terminal(stage) || events.empty()) return;
    auto limit = thresholds.stall_days.find(stage);
    auto since = parse_iso_time(events.back().at);
    if (limit == thresholds.stall_days.end() || !since) return;
    // As the funnel counts: fractional days in the stage, stalled once past the threshold; whole
    // days are shown.
    double fractional = std::chrono::duration<double, std::ratio<86400>>(cutoff_time - *since).count();
    if (fractional <= limit->second) return;
    auto in_stage = static_cast<int64_t>(std::floor(fractional));
    Stalled s{m.id, m.scenario_id, m.enterprise_id, m.publisher, stage, m.version, static_cast<int>(in_stage),
              events.back().at};
    ctx.stalled_by_enterprise[m.enterprise_id].push_back(s);
    ctx.stalled_by_publisher[m.publisher].push_back(std::move(s));
  });
  if (!st) return st;
  return ctx;
}

/// Items and recipient rows of one batch, stored together.
struct Batch {
  size_t max_recipients = 200;
  std::vector<DigestRecipientRow> recipients;
  std::vector<DigestItemRow> items;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  bool due() const {
    return recipients.size() >= max_recipients || std::chrono::steady_clock::now() - started >= kBatchTime;
  }
};

/// The first `wanted` results of a ranking that `keep` accepts (it sees those kept so far),
/// asking `rank(limit)` for `limit` results and, while the rules drop too many, for twice as many.
/// The ranking is exact for any limit (the top k is the prefix of the whole list), so the first
/// ones never change. Errors: rank's.
template <typename Rank, typename Keep>
Result<std::vector<MatchResult>> first_kept(Rank rank, size_t limit, size_t wanted, Keep keep) {
  for (;;) {
    Result<std::vector<MatchResult>> results = rank(limit);
    if (!results) return results.status();
    std::vector<MatchResult> kept;
    for (auto& r : *results) {
      if (kept.size() >= wanted) break;
      if (keep(r, kept)) kept.push_back(std::move(r));
    }
    if (kept.size() >= wanted || results->size() < limit) return kept;
    limit *= 2;
  }
}

class RecipientBuilder {
 public:
  RecipientBuilder(const RunContext& ctx, const Store& store, const SearchIndex& index, const Matcher& matcher,
                   const RegionTable& regions)
      : ctx_(ctx), store_(store), index_(index), matcher_(matcher), regions_(regions) {}

  /// One enterprise's digest into `batch`.
  Status enterprise(const std::string& id, Batch& batch) const {
    auto e = store_.get_enterprise(id);
    if (!e) return e.status();
    auto sent = sent_before(kEnterprise, id);
    if (!sent) return sent.status();
    const std::set<std::string>& seen = sent->scenarios;
    const auto& sent_stalls = sent->stalls;
    std::string lang = language_of(e->name + e->description);
    std::vector<DigestItemRow> items;
    if (ctx_.any_new) {
      std::vector<std::string> query_terms, query_words;
      MatchOptions o;
      o.today = ctx_.cutoff;
      o.posted_from = ctx_.covers_from;
      o.posted_to = ctx_.covers_to;
      o.posted_also = ctx_.posted_also;
      o.reference_beyond_posted = ctx_.open_outside;  // else the new ones are all the open ones
      o.matched_terms = false;
      o.query_terms = &query_terms;
      o.min_text_fit = matcher_.weights().min_text_fit;  // dropped below anyway: not ranked when none can reach it
      o.query_words = &query_words;
      // Ask for enough ranked scenarios to fill the digest after the rules drop some; when they
      // drop more, ask again for twice as many (the ranking of the first ones does not change).
      auto picked = first_kept(
          [&](size_t limit) {
            o.limit = limit;
            return matcher_.scenarios_for(*e, o);
          },
          ctx_.settings.max_items * 2 + seen.size(), ctx_.settings.max_items,
          [&](const MatchResult& r, const std::vector<MatchResult>& kept) {
            if (seen.count(r.id) || ctx_.engaged.count(pair_key(r.id, id))) return false;
            const std::string& publisher = scenario_of(r).publisher;
            auto same = std::count_if(kept.begin(), kept.end(), [&](const MatchResult& k) {
              return scenario_of(k).publisher == publisher;
            });
            return static_cast<size_t>(same) < ctx_.settings.per_publisher_cap;
          });
      if (!picked) return picked.status();
      // A weak fit is not recommended, however high it ranks among weak ones (absolute text fit,
      // MatchResult::text_fit, below the ranking weights' min_text_fit).
      std::erase_if(*picked, [&](const MatchResult& r) { return r.text_fit < matcher_.weights().min_text_fit; });
      for (auto& r : *picked) {
        const ScenarioSummary& scenario = scenario_of(r);
        const std::string& publisher = scenario.publisher;
        r.matched_terms = index_.matched_terms(RecordKind::kScenario, r.id, query_terms, query_words);
        const std::string& region = scenario.region;
        json payload = {{"scenario",
                         {{"id", r.id},
                          {"title", r.name},
                          {"publisher", publisher},
                          {"deadline", scenario.deadline},
                          {"region", region},
                          {"region_name", regions_.name(region)}}},
                        {"score", round4(r.score)},
                        {"text_fit", round4(r.text_fit)},
                        {"reason", r.reason},
                        {"components", components_json(r)},
                        {"matched_terms", r.matched_terms},
                        {"link", ctx_.settings.base_url + "/scenarios/" + percent_encode_segment(r.id)}};
        items.push_back(item_row(kEnterprise, id, items.size() + 1, "scenario", r.id, id, std::move(payload)));
      }
    }
    add_stalled(kEnterprise, id, lang, ctx_.stalled_by_enterprise, sent_stalls, items);
    finish(kEnterprise, id, e->name, lang, std::move(items), batch);
    return Status::ok();
  }

  /// One publisher's digest into `batch`.
  Status publisher(const std::string& name, const std::vector<Scenario>& open, Batch& batch) const {
    auto sent = sent_before(kPublisher, name);
    if (!sent) return sent.status();
    const std::set<std::string>& seen = sent->pairs;
    const auto& sent_stalls = sent->stalls;
    struct Pick {
      MatchResult result;
      const Scenario* scenario;
      std::shared_ptr<std::vector<std::string>> query_terms, query_words;
    };
    std::vector<Pick> picks;
    for (const Scenario& s : open) {
      auto terms = std::make_shared<std::vector<std::string>>();
      auto words = std::make_shared<std::vector<std::string>>();
      MatchOptions o;
      o.matched_terms = false;
      o.query_terms = terms.get();
      o.query_words = words.get();
      // A few more than the cap, and more while pairs already sent or engaged use them up.
      auto taken = first_kept(
          [&](size_t limit) {
            o.limit = limit;
            return matcher_.enterprises_for(s, o);
          },
          ctx_.settings.per_scenario_cap * 2 + 4, ctx_.settings.per_scenario_cap,
          [&](const MatchResult& r, const std::vector<MatchResult>&) {
            std::string key = pair_key(s.id, r.id);
            return !seen.count(key) && !ctx_.engaged.count(key);
          });
      if (!taken) return taken.status();
      for (auto& r : *taken)
        if (r.text_fit >= matcher_.weights().min_text_fit) picks.push_back({std::move(r), &s, terms, words});
    }
    std::stable_sort(picks.begin(), picks.end(), [](const Pick& a, const Pick& b) {
      if (a.result.score != b.result.score) return a.result.score > b.result.score;
      if (a.scenario->id != b.scenario->id) return a.scenario->id < b.scenario->id;
      return a.result.id < b.result.id;
    });
    if (picks.size() > ctx_.settings.max_items) picks.resize(ctx_.settings.max_items);
    std::string lang = language_of(name);
    std::vector<DigestItemRow> items;
    for (auto& p : picks) {
      MatchResult& r = p.result;
      r.matched_terms = index_.matched_terms(RecordKind::kEnterprise, r.id, *p.query_terms, *p.query_words);
      const std::string& region = summary_region(r.summary);
      json payload = {{"scenario", {{"id", p.scenario->id}, {"title", p.scenario->title}}},
                      {"enterprise", {{"id", r.id}, {"name", r.name}, {"region", region},
                                      {"region_name", regions_.name(region)}}},
                      {"score", round4(r.score)},
                      {"text_fit", round4(r.text_fit)},
                      {"reason", r.reason},
                      {"components", components_json(r)},
                      {"matched_terms", r.matched_terms},
                      // The scenario's page: its publisher sees the enterprises ranked for it there, and invites.
                      {"link", ctx_.settings.base_url + "/scenarios/" + percent_encode_segment(p.scenario->id)}};
      items.push_back(item_row(kPublisher, name, items.size() + 1, "candidate", p.scenario->id, r.id, std::move(payload)));
    }
    add_stalled(kPublisher, name, lang, ctx_.stalled_by_publisher, sent_stalls, items);
    finish(kPublisher, name, name, lang, std::move(items), batch);
    return Status::ok();
  }

 private:
  /// What earlier weeks' digests sent a recipient: recommended scenarios and (scenario,
  /// enterprise) pairs, and stalled states (match, version).
  struct Sent {
    std::set<std::string> scenarios, pairs;
    std::set<std::pair<std::string, int64_t>> stalls;
  };
  Result<Sent> sent_before(RecipientKind kind, const std::string& recipient) const {
    auto earlier = store_.digest_items(ctx_.week, kind, recipient, true);
    if (!earlier) return earlier.status();
    Sent sent;
    for (const auto& i : *earlier) {
      if (i.item == "stalled") {
        sent.stalls.emplace(i.match_id, i.match_version);
      } else {
        sent.scenarios.insert(i.scenario_id);
        sent.pairs.insert(pair_key(i.scenario_id, i.enterprise_id));
      }
    }
    return sent;
  }

  DigestItemRow item_row(RecipientKind kind, const std::string& recipient, size_t rank, const char* item,
                         const std::string& scenario_id, const std::string& enterprise_id, json payload) const {
    DigestItemRow row;
    row.week = ctx_.week;
    row.kind = kind;
    row.recipient_id = recipient;
    row.rank = static_cast<int64_t>(rank);
    row.item = item;
    row.scenario_id = scenario_id;
    row.enterprise_id = enterprise_id;
    row.payload = payload.dump();
    return row;
  }

  void add_stalled(RecipientKind kind, const std::string& recipient, const std::string& lang,
                   const std::map<std::string, std::vector<Stalled>>& by_recipient,
                   const std::set<std::pair<std::string, int64_t>>& sent, std::vector<DigestItemRow>& items) const {
    auto it = by_recipient.find(recipient);
    if (it == by_recipient.end()) return;
    for (const Stalled& s : it->second) {
      if (sent.count({s.match_id, s.version})) continue;
      auto title = ctx_.scenario_titles.find(s.scenario_id);
      std::string reason =
          lang == "zh" ? fmt::format("已在「{}」阶段停留 {} 天，无新进展", stage_label_zh(s.stage), s.days)
                       : fmt::format("{} days in stage {} without a move", s.days, stage_name(s.stage));
      json payload = {{"match_id", s.match_id},
                      {"stage", std::string(stage_name(s.stage))},
                      {"days", s.days},
                      {"since", s.since},
                      {"scenario", {{"id", s.scenario_id},
                                    {"title", title == ctx_.scenario_titles.end() ? "" : title->second}}},
                      {"enterprise", {{"id", s.enterprise_id}}},
                      {"reason", reason},
                      {"link", ctx_.settings.base_url + "/matches/" + percent_encode_segment(s.match_id)}};
      DigestItemRow row = item_row(kind, recipient, items.size() + 1, "stalled", s.scenario_id, s.enterprise_id,
                                   std::move(payload));
      row.match_id = s.match_id;
      row.match_version = s.version;
      items.push_back(std::move(row));
    }
  }

  void finish(RecipientKind kind, const std::string& id, const std::string& name, const std::string& lang,
              std::vector<DigestItemRow> items, Batch& batch) const {
    batch.recipients.push_back({kind, id, name, lang, static_cast<int64_t>(items.size())});
    for (auto& i : items) batch.items.push_back(std::move(i));
  }

  const RunContext& ctx_;
  const Store& store_;
  const SearchIndex& index_;
  const Matcher& matcher_;
  const RegionTable& regions_;
};

}  // namespace

Result<std::vector<DigestSummary>> DigestRunner::runs(size_t limit) const {
  auto rows = store_.list_digest_runs(limit);
  if (!rows) return rows.status();
  std::vector<DigestSummary> out;
  out.reserve(rows->size());
  for (const auto& row : *rows) out.push_back(summary_from(row));
  return out;
}

Result<std::vector<DigestRecipientRow>> DigestRunner::recipients(const IsoWeek& week) const {
  std::string week_text = week.to_string();
  return store_.digest_recipients(week_text);  // a kind this version does not know is an error naming the row
}

Result<DigestSummary> DigestRunner::summary(const IsoWeek& week) const {
  auto row = store_.get_digest_run(week.to_string());
  if (!row) return row.status();
  return summary_from(*row);
}

Result<DigestSummary> DigestRunner::run(const IsoWeek& week, const DigestSettings& settings,
                                        const DigestProgressFn& progress, const DigestRunOptions& options) const {
  auto started = std::chrono::steady_clock::now();
  IsoWeek now_week = IsoWeek::in_shanghai(clock_());
  if (week.monday() > now_week.monday())
    return Status::invalid_argument(fmt::format(
        "week {} has not begun (it starts on {}, Asia/Shanghai; this is {}): its digest brings the scenarios of "
        "{} to {}, which are not all posted yet",
        week.to_string(), format_iso_date(week.monday()), now_week.to_string(), format_iso_date(week.monday() - days(7)),
        format_iso_date(week.monday() - days(1))));
  std::string week_text = week.to_string();
  std::string settings_text = settings.to_json().dump();
  if (auto existing = store_.get_digest_run(week_text); existing) {
    if (!existing->finished_at.empty()) {  // done: nothing computed, whatever settings were asked for
      DigestSummary s = summary_from(*existing);
      s.already_done = true;
      return s;
    }
    if (existing->settings != settings_text)  // resuming with other rules would mix two digests
      return Status::conflict(fmt::format("the digest of {} was started with settings {}, not {}: run it with "
                                          "the same settings to finish it",
                                          week_text, existing->settings, settings_text));
  } else if (existing.status().code() != ErrorCode::kNotFound) {
    return existing.status();
  } else {
    // A new run. Weeks go forward: an older week run after a newer one would repeat the newer
    // one's recommendations (the no-repeat rule looks at earlier weeks only).
    auto latest = store_.latest_digest_week();
    if (!latest) return latest.status();
    if (!latest->empty() && *latest > week_text)
      return Status::invalid_argument(fmt::format(
          "the digest of {} already exists: an older week ({}) cannot be started after it", *latest, week_text));
    auto scenarios = store_.count(RecordKind::kScenario);
    auto enterprises = store_.count(RecordKind::kEnterprise);
    if (!scenarios || !enterprises) return !scenarios ? scenarios.status() : enterprises.status();
    if (*scenarios == 0 && *enterprises == 0)
      return Status::invalid_argument(
          "the store holds no scenarios and no enterprises (a wrong --data-dir?): import records first; "
          "an empty digest would mark the week done");
  }
  auto run_row = store_.start_digest_run(week_text, settings_text, format_iso_time(clock_()));
  if (!run_row) return run_row.status();

  auto ctx = load_context(store_, week, settings);
  if (!ctx) return ctx.status();
  auto done_rows = store_.digest_recipients(week_text);
  if (!done_rows) return done_rows.status();
  std::set<std::pair<RecipientKind, std::string>> done;
  for (const auto& r : *done_rows) done.emplace(r.kind, r.recipient_id);

  std::vector<std::string> enterprise_ids;
  Status st = store_.for_each_enterprise([&](Enterprise&& e) {
    enterprise_ids.push_back(std::move(e.id));
    return true;
  });
  if (!st) return st;
  std::sort(enterprise_ids.begin(), enterprise_ids.end());
  std::vector<std::pair<const std::string*, const std::vector<Scenario>*>> publishers;
  for (const auto& [name, open] : ctx->publisher_open) publishers.emplace_back(&name, &open);

  // Work units: chunks of enterprises, then one publisher each (a publisher ranks candidates for
  // each of its open scenarios). Each worker takes the next unit, computes its recipients and
  // stores them in batches of its own; which worker did a recipient does not change its digest.
  constexpr size_t kChunk = 64;
  struct Unit {
    bool publisher;
    size_t begin, end;
  };
  std::vector<Unit> units;
  for (size_t i = 0; i < enterprise_ids.size(); i += kChunk)
    units.push_back({false, i, std::min(enterprise_ids.size(), i + kChunk)});
  for (size_t i = 0; i < publishers.size(); ++i) units.push_back({true, i, i + 1});
  const size_t total = enterprise_ids.size() + publishers.size();

  unsigned threads = options.threads;
  if (threads == 0) threads = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
  if (!open_reader_) threads = 1;
  std::vector<Reader> readers;
  for (unsigned t = 1; t < threads; ++t) {
    auto r = open_reader_();
    if (!r) return r.status();
    readers.push_back(std::move(*r));
  }
  std::atomic<size_t> next_unit{0}, processed{0};
  std::atomic<bool> failed{false};
  std::mutex mu;  // guards first_error and progress calls
  Status first_error = Status::ok();
  auto fail = [&](Status s) {
    std::lock_guard lock(mu);
    if (first_error.is_ok()) first_error = std::move(s);
    failed = true;
  };
  auto work = [&](const SearchIndex& index, const Matcher& matcher) {
    RecipientBuilder builder(*ctx, store_, index, matcher, regions_);
    Batch batch;
    batch.max_recipients = std::max<size_t>(1, options.batch_recipients);
    auto flush = [&]() -> bool {
      if (batch.recipients.empty()) return true;
      Status s = store_.store_digest_recipients(week_text, batch.recipients, batch.items);
      batch = Batch();
      batch.max_recipients = std::max<size_t>(1, options.batch_recipients);
      if (!s) fail(std::move(s));
      if (progress && processed < total) {  // the end is reported once, after every worker is done
        std::lock_guard lock(mu);
        progress("recipients", processed, total);
      }
      return s.is_ok();
    };
    try {
      for (size_t u = next_unit++; u < units.size() && !failed; u = next_unit++) {
        for (size_t i = units[u].begin; i < units[u].end && !failed; ++i) {
          ++processed;
          RecipientKind kind = units[u].publisher ? kPublisher : kEnterprise;
          const std::string& id = units[u].publisher ? *publishers[i].first : enterprise_ids[i];
          if (done.count({kind, id})) continue;
          Status s = Status::ok();
          try {
            s = units[u].publisher ? builder.publisher(id, *publishers[i].second, batch) : builder.enterprise(id, batch);
          } catch (const std::exception& e) {  // a record the digest cannot read: say which
            s = Status::internal(e.what());
          }
          if (!s)
            return fail(Status(s.code(), fmt::format("digest of {} \"{}\": {}", recipient_kind_name(kind), id, s.message())));
          if (batch.due() && !flush()) return;
        }
      }
      flush();
    } catch (const std::exception& e) {  // e.g. std::bad_alloc: reported, not thrown past the thread
      fail(Status::internal(fmt::format("digest worker: {}", e.what())));
    }
  };
  std::vector<std::thread> pool;
  for (auto& r : readers) pool.emplace_back(work, std::cref(*r.index), std::cref(*r.matcher));
  work(index_, matcher_);
  for (auto& t : pool) t.join();
  if (failed) return first_error;
  if (progress) progress("recipients", total, total);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (Status s = store_.update_digest_run(week_text, seconds, format_iso_time(clock_())); !s) return s;
  return summary(week);
}

Result<json> DigestRunner::recipient(const IsoWeek& week, RecipientKind kind, const std::string& id) const {
  std::string week_text = week.to_string();
  std::string kind_name(recipient_kind_name(kind));
  auto r = store_.digest_recipient(week_text, kind, id);
  if (!r) return r.status();
  auto rows = store_.digest_items(week_text, kind, id, false);
  if (!rows) return rows.status();
  json items = json::array(), stalled = json::array();
  for (const auto& row : *rows) {
    json p = json::parse(row.payload, nullptr, false);
    if (p.is_discarded()) return Status::internal(fmt::format("digest item {} of {} is not JSON", row.rank, id));
    p["rank"] = row.rank;
    p["type"] = row.item;
    (row.item == "stalled" ? stalled : items).push_back(std::move(p));
  }
  return json{{"week", week_text},
              {"covers", {{"from", format_iso_date(week.monday() - days(7))}, {"to", format_iso_date(week.monday() - days(1))}}},
              {"recipient", {{"kind", kind_name}, {"id", r->recipient_id}, {"name", r->name}, {"language", r->language}}},
              {"items", items},
              {"stalled", stalled}};
}

}  // namespace jiebang
