// Subcommand: digest (the weekly match digest, by hand or from cron).
#include <fmt/format.h>

#include "cli_common.h"

namespace jiebang::cli {

namespace {

/// Prints one recipient's stored digest as text; returns the exit status.
int show_recipient(const Service& svc, const IsoWeek& week, const std::string& id) {
  auto doc = svc.digest_recipient(week, RecipientKind::kEnterprise, id);
  if (!doc && doc.status().code() == ErrorCode::kNotFound) doc = svc.digest_recipient(week, RecipientKind::kPublisher, id);
  if (!doc && doc.status().code() == ErrorCode::kNotFound)
    return fail(Status::not_found(fmt::format(
        "--show: \"{}\" is neither an enterprise id nor a publisher in the digest of {}", id, week.to_string())));
  if (!doc) return fail(doc.status());
  using jiebang::json_string;
  const auto& r = (*doc)["recipient"];
  std::string name = json_string(r, "name"), rid = json_string(r, "id");
  fmt::print("\n{} {}{}, {} item(s):\n", json_string(r, "kind"), name, name == rid ? "" : " (" + rid + ")",
             (*doc)["items"].size());
  for (const auto& item : (*doc)["items"]) {
    const auto& s = item["scenario"];
    std::string what = item.contains("enterprise")
                           ? fmt::format("{} [{}] for {}", json_string(item["enterprise"], "name"),
                                         json_string(item["enterprise"], "id"), json_string(s, "title"))
                           : fmt::format("{} [{}] — {}", json_string(s, "title"), json_string(s, "id"),
                                         json_string(s, "publisher"));
    fmt::print("{:>2}. {:.3f}  {}\n    {}\n", item.value("rank", 0), item.value("score", 0.0), what,
               json_string(item, "reason"));
    std::string terms;
    for (const auto& t : item.value("matched_terms", nlohmann::json::array()))
      if (t.is_string()) terms += (terms.empty() ? "" : " ") + t.get<std::string>();
    if (!terms.empty()) fmt::print("    matched: {}\n", terms);
  }
  for (const auto& item : (*doc)["stalled"])
    fmt::print(" stalled: {} ({}): {}\n", json_string(item, "match_id"), json_string(item["scenario"], "title"),
               json_string(item, "reason"));
  return 0;
}

}  // namespace

void add_digest_commands(CLI::App& app, const Globals& g, int& exit_code) {
  struct Options {
    std::string week, out;
    DigestSettings settings;
    DigestRunOptions run;
    bool as_json = false;
    std::string show;
  };
  static Options o;
  // The configuration's [digest] keys (file < environment), under the flags; serve's digest reads
  // the same keys, so the two store the same digest.
  if (g.settings) {
    o.out = g.settings->str("digest.out");
    o.settings = digest_settings(*g.settings);
    o.run = digest_run_options(*g.settings);
  }
  auto* digest = app.add_subcommand(
      "digest", "Compute the weekly match digest of an ISO week and write it per recipient as JSON and HTML");
  digest->footer(
      "The digest of week W (Asia/Shanghai) brings the scenarios posted in the week before W: for each\n"
      "enterprise the best of them, for each publisher the best candidates for its open scenarios, for\n"
      "everyone their stalled matches. Nothing is recommended twice across weeks, and no pair already\n"
      "applied (or further) in the loop. Stored in the SQLite file: running a week again writes the same\n"
      "files; a killed run resumes where it stopped.");
  static CLI::Option* week_option = digest->add_option("--week", o.week, "ISO week, e.g. 2026-W48 (default: this week in Asia/Shanghai)");
  digest->add_option("--out", o.out, "Directory for the files (default: <data-dir>/digests/<week>; digest.out)");
  digest->add_option("--max-items", o.settings.max_items, "Recommendations per recipient at most (default 10; digest.max_items)")
      ->check(CLI::Range(size_t{1}, size_t{1000}));
  digest->add_option("--per-publisher-cap", o.settings.per_publisher_cap,
                     "An enterprise's digest: scenarios from one publisher at most (default 3; digest.per_publisher_cap)")
      ->check(CLI::Range(size_t{1}, size_t{1000}));
  digest->add_option("--per-scenario-cap", o.settings.per_scenario_cap,
                     "A publisher's digest: candidates for one scenario at most (default 3; digest.per_scenario_cap)")
      ->check(CLI::Range(size_t{1}, size_t{1000}));
  digest->add_option("--base-url", o.settings.base_url, "Links in the digest point here (default http://localhost:8080; digest.base_url)");
  digest->add_option("--threads", o.run.threads, "Worker threads (default: one per core, at most 8; digest.threads)")
      ->check(CLI::Range(0u, 64u));
  digest->add_option("--batch", o.run.batch_recipients,
                     "Recipients stored per transaction (default 200; a killed run redoes at most this many per thread; digest.batch)")
      ->check(CLI::Range(size_t{1}, size_t{100000}));
  digest->add_flag("--json", o.as_json, "Print the run summary as JSON");
  static CLI::Option* show_option =
      digest->add_option("--show", o.show, "Then print one recipient's digest: an enterprise id or a publisher's name");
  digest->callback([&g, &exit_code] {
    bool digest_week_given = week_option->count() > 0, show_given = show_option->count() > 0;
    auto svc = open_service(g, exit_code);
    if (!svc) return;
    IsoWeek week = IsoWeek::in_shanghai(std::chrono::system_clock::now());
    if (digest_week_given && o.week.empty()) {
      exit_code = fail(Status::invalid_argument("--week: empty; give an ISO week such as 2026-W48, or leave --week out for this week"));
      return;
    }
    if (show_given && o.show.empty()) {
      exit_code = fail(Status::invalid_argument("--show: empty; give an enterprise id or a publisher's name"));
      return;
    }
    if (!o.week.empty()) {
      auto parsed = IsoWeek::parse(o.week);
      if (!parsed) {
        exit_code = fail(Status::invalid_argument(
            fmt::format("--week: \"{}\" is not an ISO week such as 2026-W48 (weeks 01–52, or 53 in long years)", o.week)));
        return;
      }
      week = *parsed;
    }
    std::string out = o.out.empty() ? svc->config().data_dir + "/digests/" + week.to_string() : o.out;
    auto summary = svc->run_digest(week, o.settings, out, progress_printer(), o.run);
    if (!summary) {
      exit_code = fail(summary.status());
      return;
    }
    if (o.as_json) {
      fmt::print("{}\n", summary->to_json().dump(2));
      return;
    }
    fmt::print("digest {}: scenarios posted {} to {}; {}\n", summary->week, summary->covers_from, summary->covers_to,
               summary->already_done ? "already done, files written again from the stored digest"
                                     : fmt::format("done in {:.1f} s over {} attempt(s)", summary->seconds,
                                                   summary->attempts));
    fmt::print("  recipients: {} ({} with items), items: {}\n", summary->recipients, summary->recipients_with_items,
               summary->items);
    fmt::print("  files: {}\n", out);
    if (!o.show.empty()) exit_code = show_recipient(*svc, week, o.show);
    if (summary->already_done && summary->settings.to_json() != o.settings.to_json())
      fmt::print(stderr, "jiebang: note: {} was made with settings {}; the options given were not used\n",
                 summary->week, summary->settings.to_json().dump());
  });
}

}  // namespace jiebang::cli
