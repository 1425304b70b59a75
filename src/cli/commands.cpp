// Subcommands: import, search, match, eval, reindex, gaps, status.
#include "commands.h"
#include "cli_common.h"
#include "usage.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "jiebang/api/summary_json.h"
#include "jiebang/core/taxonomy.h"
#include "jiebang/service/service.h"
#include "output_escape.h"

namespace jiebang::cli {

ProgressFn progress_printer() {
  bool tty = isatty(fileno(raw_stderr())) != 0;
  struct State {
    std::chrono::steady_clock::time_point last, phase_start = std::chrono::steady_clock::now();
    std::string phase;
  };
  auto state = std::make_shared<State>();
  return [tty, state](const std::string& phase, size_t done, size_t total) {
    auto now = std::chrono::steady_clock::now();
    if (phase != state->phase) {
      state->phase = phase;
      state->phase_start = now;
    }
    bool final = total > 0 && done >= total;
    if (!final && now - state->last < std::chrono::milliseconds(tty ? 200 : 5000)) return;
    state->last = now;
    std::string msg = total > 0 ? fmt::format("{}: {}/{}", phase, done, total) : fmt::format("{}: {}", phase, done);
    if (tty && total > 0) {
      // A bar, the count and the time left at the phase's rate so far.
      constexpr size_t kWidth = 30;
      size_t filled = std::min(kWidth, done * kWidth / total);
      double elapsed = std::chrono::duration<double>(now - state->phase_start).count();
      std::string eta = done > 0 && !final ? fmt::format(", {:.0f} s left", elapsed * (total - done) / done) : "";
      msg = fmt::format("{} [{}{}] {:3d}% {}/{}{}", phase, std::string(filled, '#'), std::string(kWidth - filled, '.'),
                        done * 100 / total, done, total, eta);
    }
    if (tty) fmt::print(raw_stderr(), "\r\033[K{}{}", msg, final ? "\n" : "");
    else fmt::print(stderr, "{}\n", msg);
  };
}

ServiceConfig make_config(const Globals& g) {
  ServiceConfig c;
  if (g.settings) {
    c.data_dir = g.settings->str("data_dir");
    c.index_dir = g.settings->str("index_dir");
    c.weights_path = g.settings->str("weights");
    c.index_threads = static_cast<unsigned>(g.settings->integer("index_threads"));
  }
  if (!g.data_dir.empty()) c.data_dir = g.data_dir;
  if (!g.index_dir.empty()) c.index_dir = g.index_dir;
  if (!g.weights.empty()) c.weights_path = g.weights;
  return c;
}

std::string data_dir_source(const Globals& g) {
  if (!g.data_dir.empty()) return "--data-dir";
  if (!g.settings) return "the default";
  std::string source = g.settings->get("data_dir").source;
  if (source == "default") return "the default";
  if (source.starts_with("env ")) return source.substr(4);
  return source;
}

int fail(const Status& st) {
  fmt::print(stderr, "jiebang: error: {}\n", st.to_string());
  return 1;
}

Status check_data_dir(const Globals& g, const ServiceConfig& config) {
  namespace fs = std::filesystem;
  const std::string& dir = config.data_dir;
  std::string from = data_dir_source(g);
  std::error_code ec;
  auto st = fs::status(dir, ec);
  if (fs::is_directory(st)) return Status::ok();
  if (fs::exists(st))
    return Status::invalid_argument(fmt::format("data directory \"{}\" (from {}) is not a directory", dir, from));
  if (g.create) {
    if (fs::create_directories(dir, ec); ec)
      return Status::unavailable(fmt::format("cannot create data directory \"{}\" (from {}): {}", dir, from, ec.message()));
    return Status::ok();
  }
  return Status::not_found(fmt::format(
      "data directory \"{}\" (from {}) does not exist; create it with \"jiebang {}init\", or add --create", dir, from,
      g.data_dir.empty() ? "" : "--data-dir " + dir + " "));
}

std::unique_ptr<Service> open_service(const Globals& g, int& exit_code) {
  ServiceConfig config = make_config(g);
  if (Status st = check_data_dir(g, config); !st) {
    exit_code = fail(st);
    return nullptr;
  }
  auto svc = Service::open(config, progress_printer());
  if (!svc) {
    exit_code = fail(svc.status());
    return nullptr;
  }
  return std::move(*svc);
}

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json components_json(const MatchResult& r) {
  json comps = json::object();
  for (const auto& c : r.components)
    comps[c.name] = {{"fit", c.fit}, {"contribution", c.contribution}, {"reason", c.reason}};
  return comps;
}

json result_json(const MatchResult& r, size_t rank) {
  return {{"rank", rank},          {"id", r.id},           {"name", r.name},
          {"score", r.score},      {"text_fit", r.text_fit}, {"reason", r.reason},   {"components", components_json(r)},
          {"matched_terms", r.matched_terms}};
}

void print_results(const std::vector<MatchResult>& results) {
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    fmt::print("{:>2}. {:.3f}  {}  [{}]\n", i + 1, r.score, r.name, r.id);
    fmt::print("    {}\n", r.reason);
    std::string terms;
    for (size_t t = 0; t < r.matched_terms.size() && t < 12; ++t) terms += (t ? " " : "") + r.matched_terms[t];
    if (!terms.empty()) fmt::print("    matched: {}\n", terms);
  }
}

int print_import(const std::string& path, RecordKind kind, const ImportReport& r) {
  for (const auto& e : r.errors)
    fmt::print(stderr, "{}:{}: {}{}{}\n", path, e.line, e.id.empty() ? "" : fmt::format("[{}] ", e.id),
               e.key.empty() ? "" : e.key + ": ", e.message);
  std::string encoding = r.encoding == "gb18030"     ? " (converted from GB18030)"
                         : r.encoding == "utf-8-bom" ? " (UTF-8 with BOM)"
                                                     : "";
  fmt::print("{} {}s: {} read, {} imported, {} updated, {} unchanged, {} rejected ({:.1f} s, {:.0f} records/s){}\n",
             path, record_kind_name(kind), r.read, r.inserted, r.updated, r.unchanged, r.rejected, r.seconds,
             r.seconds > 0 ? static_cast<double>(r.read) / r.seconds : 0.0, encoding);
  return r.rejected > 0 ? 1 : 0;
}

}  // namespace

namespace {

#ifndef JIEBANG_SYSTEM_CONFIG
#define JIEBANG_SYSTEM_CONFIG "/etc/jiebang/jiebang.toml"
#endif

/// The default configuration file's path: $JIEBANG_SYSTEM_CONFIG when set (empty: none), else the
/// build's JIEBANG_SYSTEM_CONFIG (/etc/jiebang/jiebang.toml).
std::string default_config_path() {
  if (const char* env = std::getenv("JIEBANG_SYSTEM_CONFIG")) return env;
  return JIEBANG_SYSTEM_CONFIG;
}

/// The configuration file named by --config (before or after the command) or JIEBANG_CONFIG, else
/// the default file when it exists, with where the name came from; "" when none.
std::pair<std::string, std::string> config_file_name(int argc, char** argv, const std::string& default_path) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") break;
    if (a == "--config" && i + 1 < argc) return {argv[i + 1], "--config"};
    if (a.starts_with("--config=")) return {std::string(a.substr(9)), "--config"};
  }
  if (const char* env = std::getenv("JIEBANG_CONFIG"); env && *env) return {env, "JIEBANG_CONFIG"};
  // Present but unreadable or not a file is an error (from Settings::load), not a silent default.
  std::error_code ec;
  if (!default_path.empty() && fs::exists(default_path, ec)) return {default_path, "the default path"};
  return {};
}

}  // namespace

int run(int argc, char** argv) {
  install_output_escaping();
  // Defaults < file < environment here, once; the flags go on top as CLI11 parses them.
  const std::string default_config = default_config_path();
  auto [config_file, config_from] = config_file_name(argc, argv, default_config);
  auto loaded = Settings::load(config_file, config_from, [](const char* name) { return std::getenv(name); });
  if (!loaded) {
    fmt::print(stderr, "jiebang: error: {}\n", loaded.status().message());
    return 2;
  }
  const Settings settings = std::move(*loaded);
  // jieba's dictionary is found by the text module through the environment: a value from the
  // file reaches it there (the environment's own value already wins).
  if (settings.get("jieba_dir").source != "default") setenv("JIEBANG_JIEBA_DIR", settings.str("jieba_dir").c_str(), 1);
  CLI::App app{
      "jiebang: matching engine for 揭榜挂帅 scenario-opportunity marketplaces.\n"
      "Imports scenario lists and enterprise profiles into a local store (SQLite) and index (Xapian),\n"
      "searches open scenarios, and ranks enterprises for a scenario (and scenarios for an enterprise)\n"
      "with explained scores."};
  app.require_subcommand(1);
  // Global options are accepted after the subcommand too: the subcommands (made below, inheriting
  // this) pass options they do not know to their parent.
  app.fallthrough();
#ifndef JIEBANG_VERSION
#define JIEBANG_VERSION "unknown"
#endif
  app.set_version_flag("--version", std::string("jiebang ") + JIEBANG_VERSION);
  app.footer(fmt::format(
      "Global options apply to every command, before or after it; each command's --help lists them too.\n"
      "Settings: defaults < configuration file (--config, $JIEBANG_CONFIG{}) < environment < flags; see `jiebang config`.\n"
      "Exit codes: 0 success; 1 failure or rejected records; 2 usage error.",
      default_config.empty() ? "" : " or " + default_config));
  Globals g;
  g.settings = &settings;
  g.default_config = default_config;
  app.add_option("--config", config_file,
                 "Configuration file (TOML; see `jiebang config`). Default $JIEBANG_CONFIG, else " +
                     (default_config.empty() ? std::string("none") : default_config + " when it exists"))
      ->group(kGlobalOptionsGroup);
  app.add_option("--data-dir", g.data_dir, "Data directory (store + index). Default $JIEBANG_DATA_DIR, the config file's data_dir, or ./var")
      ->group(kGlobalOptionsGroup);
  app.add_option("--index-dir", g.index_dir,
                 "Index definition directory (taxonomies, ranking.json). Default $JIEBANG_INDEX_DIR, the config file's, or the installed/source index/")
      ->group(kGlobalOptionsGroup);
  app.add_option("--weights", g.weights, "Ranking weights JSON (default <index-dir>/ranking.json)")->group(kGlobalOptionsGroup);
  app.add_flag("--create", g.create,
               "Create the data directory if it does not exist (otherwise refused; see also init)")
      ->group(kGlobalOptionsGroup);
  int exit_code = 0;

  add_data_commands(app, g, exit_code);

  // import
  auto* import = app.add_subcommand(
      "import", "Import scenarios or enterprises from JSON Lines (.jsonl), CSV (.csv) or Excel (.xlsx)");
  std::string kind_name;
  std::vector<std::string> files;
  std::string sheet;
  import->add_option("kind", kind_name, "scenarios | enterprises")->required()->check(CLI::IsMember({"scenarios", "enterprises"}));
  import->add_option("files", files,
                     "Files to import; .csv is CSV and .xlsx an Excel workbook, each with a header row (Chinese "
                     "headers are mapped by index/columns.tsv), anything else JSON Lines. Text files may be UTF-8 "
                     "or GBK/GB18030")
      ->required()
      ->check(CLI::ExistingFile);
  import->add_option("--sheet", sheet, "Worksheet of the .xlsx files to read (default: the first visible one)");
  import->callback([&] {
    auto svc = open_service(g, exit_code);
    if (!svc) return;
    RecordKind kind = kind_name == "scenarios" ? RecordKind::kScenario : RecordKind::kEnterprise;
    for (const auto& f : files) {
      auto r = svc->import_file(kind, f, progress_printer(), sheet);
      if (!r) {
        exit_code = fail(r.status());
        return;
      }
      exit_code = std::max(exit_code, print_import(f, kind, *r));
    }
  });

  // search
  auto* search = app.add_subcommand("search", "Search open scenarios (for an enterprise's query)");
  std::string query;
  SearchFilters filters;
  size_t limit = 10;
  bool as_json = false;
  search->add_option("query", query, "Query words (Chinese or English)")->required();
  search->add_option("--region", filters.region_code, "GB/T 2260 code or place name; a city also finds its districts");
  search->add_option("--industry", filters.industry_code, "GB/T 4754 code; a division also finds its classes");
  search->add_option("--status", filters.status, "open (default, deadline not passed) | closed | awarded | any")
      ->check(CLI::IsMember({"open", "closed", "awarded", "any"}));
  search->add_option("--limit", limit, "Results to show (default 10)")->check(CLI::Range(1, 1000));
  search->add_flag("--json", as_json, "Print JSON");
  search->callback([&] {
    auto svc = open_service(g, exit_code);
    if (!svc) return;
    if (filters.status == "any") filters.status.clear();
    auto hits = svc->search(query, filters, limit);
    if (!hits) {
      exit_code = fail(hits.status());
      return;
    }
    if (as_json) {
      json out = json::array();
      for (const auto& h : *hits)
        out.push_back({{"id", h.id}, {"title", h.title}, {"score", h.score}, {"snippet", h.snippet},
                       {"matched_terms", h.matched_terms}, {"attributes", summary_json(h.summary)}});
      fmt::print("{}\n", out.dump(2));
      return;
    }
    if (hits->empty()) fmt::print("no open scenarios match \"{}\"\n", query);
    for (size_t i = 0; i < hits->size(); ++i) {
      const auto& h = (*hits)[i];
      fmt::print("{:>2}. {:.2f}  {}  [{}]\n    {}\n", i + 1, h.score, h.title, h.id, h.snippet);
    }
  });

  // match
  auto* match = app.add_subcommand("match", "Rank enterprises for a scenario, or open scenarios for an enterprise");
  std::string scenario_id, enterprise_id;
  auto* opt_s = match->add_option("--scenario", scenario_id, "Scenario id: rank enterprises for it");
  auto* opt_e = match->add_option("--enterprise", enterprise_id, "Enterprise id: rank open scenarios for it");
  opt_s->excludes(opt_e);
  match->add_option("--limit", limit, "Results to show (default 10)")->check(CLI::Range(1, 1000));
  match->add_flag("--json", as_json, "Print JSON");
  match->callback([&] {
    if (scenario_id.empty() == enterprise_id.empty()) throw CLI::ValidationError("match", "give --scenario ID or --enterprise ID");
    auto svc = open_service(g, exit_code);
    if (!svc) return;
    auto results = scenario_id.empty() ? svc->match_enterprise(enterprise_id, limit) : svc->match_scenario(scenario_id, limit);
    if (!results) {
      exit_code = fail(results.status());
      return;
    }
    if (as_json) {
      json out = json::array();
      for (size_t i = 0; i < results->size(); ++i) out.push_back(result_json((*results)[i], i + 1));
      fmt::print("{}\n", out.dump(2));
      return;
    }
    print_results(*results);
  });

  // eval
  auto* eval = app.add_subcommand("eval", "Import an evaluation set, match every scenario, print MRR@10, Recall@10, nDCG@10");
  std::string e_file, s_file, q_file, run_out;
  eval->add_option("--enterprises", e_file, "Enterprises JSONL/CSV")->required()->check(CLI::ExistingFile);
  eval->add_option("--scenarios", s_file, "Scenarios JSONL/CSV (the queries)")->required()->check(CLI::ExistingFile);
  eval->add_option("--qrels", q_file, "TREC qrels: scenario_id 0 enterprise_id relevance")->required()->check(CLI::ExistingFile);
  eval->add_option("--run-out", run_out, "Write the ranked results of every query in TREC run form (see --run-depth)");
  size_t run_depth = 10;
  eval->add_option("--run-depth", run_depth,
                   "Results read per query: the --run-out file's and --per-query's ranks (the measures stay @10)")
      ->check(CLI::Range(size_t{10}, size_t{1000}));
  eval->add_flag("--json", as_json, "Print {queries, mrr@10, recall@10, ndcg@10} as JSON");
  bool per_query = false;
  eval->add_flag("--per-query", per_query,
                 "Also print each query: the rank of its first relevant answer, its RR, Recall@10 and nDCG@10, and "
                 "its relevant answers below 10 with their ranks (read from the top --run-depth results, 100 unless "
                 "given; - = not among them); with --json, as \"per_query\"");
  std::string direction = "scenario";
  eval->add_option("--direction", direction,
                   "scenario: rank enterprises for each scenario (default); enterprise: rank open scenarios for each "
                   "enterprise, reading the qrels the other way round")
      ->check(CLI::IsMember({"scenario", "enterprise"}));
  eval->callback([&] {
    std::ifstream qin(q_file);
    auto qrels = read_qrels(qin);
    if (!qrels) {
      exit_code = fail(Status(qrels.status().code(), q_file + ": " + qrels.status().message()));
      return;
    }
    // Without --data-dir the evaluation runs in a temporary data directory, removed afterwards.
    bool temporary = g.data_dir.empty();
    Globals eg = g;
    if (temporary) {
      std::string tmpl = (fs::temp_directory_path() / "jiebang-eval-XXXXXX").string();
      if (!mkdtemp(tmpl.data())) {
        exit_code = fail(Status::unavailable("cannot create a temporary data directory"));
        return;
      }
      eg.data_dir = tmpl;
    }
    struct Cleanup {
      bool on;
      std::string dir;
      ~Cleanup() {
        std::error_code ec;
        if (on) fs::remove_all(dir, ec);
      }
    } cleanup{temporary, eg.data_dir};
    auto svc = open_service(eg, exit_code);
    if (!svc) return;
    for (auto [kind, file] : {std::pair{RecordKind::kEnterprise, e_file}, std::pair{RecordKind::kScenario, s_file}}) {
      auto r = svc->import_file(kind, file, progress_printer());
      if (!r) {
        exit_code = fail(r.status());
        return;
      }
      for (const auto& e : r->errors)
        fmt::print(stderr, "{}:{}: {}{}\n", file, e.line, e.key.empty() ? "" : e.key + ": ", e.message);
    }
    std::ofstream run_file;
    if (!run_out.empty()) {
      run_file.open(run_out);
      if (!run_file) {
        exit_code = fail(Status::unavailable("cannot write " + run_out));
        return;
      }
    }
    // --per-query reads deeper by default, to tell how far below 10 a missed answer is.
    const size_t depth = per_query && eval->count("--run-depth") == 0 ? 100 : run_depth;
    auto report = svc->evaluate(*qrels, run_out.empty() ? nullptr : &run_file, progress_printer(),
                                direction == "enterprise", depth);
    if (!report) {
      exit_code = fail(report.status());
      return;
    }
    const auto& s = report->summary;
    if (as_json) {
      json out{{"queries", s.queries}, {"mrr@10", s.mrr}, {"recall@10", s.recall}, {"ndcg@10", s.ndcg}};
      if (per_query) {
        json lines = json::array();
        for (const auto& q : report->per_query) {
          json missed = json::array();
          for (const auto& [id, rank] : q.missed) missed.push_back({{"id", id}, {"rank", rank}});
          lines.push_back({{"query", q.query}, {"first_relevant", q.first_relevant}, {"rr@10", q.measures.reciprocal_rank},
                           {"recall@10", q.measures.recall}, {"ndcg@10", q.measures.ndcg}, {"relevant", q.relevant},
                           {"missed", missed}});
        }
        out["per_query"] = std::move(lines);
      }
      fmt::print("{}\n", out.dump());
      return;
    }
    if (per_query) {
      // One line per query; "first" is the rank of the first relevant answer (- : none in the
      // results read), "missed" the relevant answers below 10 as id@rank (@- : not among them).
      fmt::print("{:<24} {:>5} {:>6} {:>9} {:>7}  {}\n", "query", "first", "RR@10", "Recall@10", "nDCG@10",
                 "missed (id@rank)");
      for (const auto& q : report->per_query) {
        std::string missed;
        for (const auto& [id, rank] : q.missed)
          missed += fmt::format("{}{}@{}", missed.empty() ? "" : " ", id, rank ? std::to_string(rank) : "-");
        fmt::print("{:<24} {:>5} {:>6.3f} {:>9.3f} {:>7.3f}  {}\n", q.query,
                   q.first_relevant ? std::to_string(q.first_relevant) : "-", q.measures.reciprocal_rank,
                   q.measures.recall, q.measures.ndcg, missed);
      }
    }
    fmt::print("queries     {}\nMRR@10      {:.4f}\nRecall@10   {:.4f}\nnDCG@10     {:.4f}\n", s.queries, s.mrr, s.recall, s.ndcg);
    if (report->qrels_without_scenario)
      fmt::print("({} qrels queries name no imported scenario; counted as 0)\n", report->qrels_without_scenario);
    fmt::print("({:.1f} s, {:.1f} ms per scenario)\n", report->seconds,
               s.queries ? 1000.0 * report->seconds / static_cast<double>(s.queries) : 0.0);
  });

  // score-run: the same measures for a run made elsewhere (e.g. a peer engine), one implementation.
  auto* score = app.add_subcommand("score-run", "Measure a TREC run file against qrels: MRR@10, Recall@10, nDCG@10");
  std::string score_run_file, score_qrels;
  bool score_invert = false;
  score->add_option("--qrels", score_qrels, "TREC qrels")->required()->check(CLI::ExistingFile);
  score->add_option("--run", score_run_file, "TREC run: query Q0 doc rank score name")->required()->check(CLI::ExistingFile);
  score->add_flag("--invert-qrels", score_invert, "Read the qrels the other way round (enterprise → scenario)");
  score->add_flag("--json", as_json, "Print {queries, mrr@10, recall@10, ndcg@10} as JSON");
  score->callback([&] {
    std::ifstream qin(score_qrels), rin(score_run_file);
    auto qrels = read_qrels(qin);
    if (!qrels) {
      exit_code = fail(Status(qrels.status().code(), score_qrels + ": " + qrels.status().message()));
      return;
    }
    auto run = read_run(rin);
    if (!run) {
      exit_code = fail(Status(run.status().code(), score_run_file + ": " + run.status().message()));
      return;
    }
    EvalSummary s = evaluate_run(score_invert ? invert(*qrels) : *qrels, *run);
    if (as_json)
      fmt::print("{}\n", json{{"queries", s.queries}, {"mrr@10", s.mrr}, {"recall@10", s.recall}, {"ndcg@10", s.ndcg}}.dump());
    else
      fmt::print("queries     {}\nMRR@10      {:.4f}\nRecall@10   {:.4f}\nnDCG@10     {:.4f}\n", s.queries, s.mrr, s.recall, s.ndcg);
  });

  // reindex
  auto* reindex = app.add_subcommand("reindex", "Rebuild the Xapian index from the store");
  reindex->callback([&] {
    auto svc = open_service(g, exit_code);
    if (!svc) return;
    auto r = svc->reindex(progress_printer());
    if (!r) {
      exit_code = fail(r.status());
      return;
    }
    fmt::print("reindexed {} documents up to change {}\n", r->documents_written, r->applied_seq);
  });

  // gaps
  auto* gaps = app.add_subcommand("gaps", "Supply gaps: open scenarios no enterprise fits well, by industry and city");
  double gap_threshold = -1;
  gaps->add_option("--threshold", gap_threshold, "Absolute text fit below which a scenario is a gap (default: "
                                                 "gap_text_fit of the ranking weights, 0.4)")
      ->check(CLI::Range(0.0, 1.0));
  gaps->add_flag("--json", as_json, "Print JSON");
  gaps->callback([&] {
    auto svc = open_service(g, exit_code);
    if (!svc) return;
    auto r = svc->supply_gaps(gap_threshold);
    if (!r) {
      exit_code = fail(r.status());
      return;
    }
    if (as_json) {
      fmt::print("{}\n", supply_gaps_json(*r).dump());
      return;
    }
    fmt::print("{} of {} open scenarios have no candidate with a text fit of {:.2f} or more\n", r->gaps,
               r->open_scenarios, r->threshold);
    for (const auto& grp : r->groups) {
      fmt::print("\n{} {} / {} {}  ({})\n", grp.industry.empty() ? "-" : grp.industry, grp.industry_name,
                 grp.region.empty() ? "-" : grp.region, grp.region_name, grp.scenarios.size());
      for (const auto& s : grp.scenarios)
        fmt::print("  {:.2f}  {}  {}{}\n", s.best_text_fit, s.scenario_id, s.title,
                   s.best_enterprise_id.empty() ? "" : "  (best: " + s.best_enterprise_name + ")");
    }
  });

  // status
  add_match_commands(app, g, exit_code);
  add_api_commands(app, g, exit_code);
  add_digest_commands(app, g, exit_code);

  auto* status = app.add_subcommand("status", "Show store and index state");
  status->add_flag("--json", as_json, "Print JSON");
  status->callback([&] {
    auto svc = open_service(g, exit_code);
    if (!svc) return;
    auto s = svc->state();
    if (!s) {
      exit_code = fail(s.status());
      return;
    }
    json j = {{"data_dir", svc->config().data_dir},
              {"index_dir", svc->config().index_dir.empty() ? default_index_dir() : svc->config().index_dir},
              {"scenarios", s->scenarios}, {"enterprises", s->enterprises},
              {"store_seq", s->store_seq}, {"applied_seq", s->applied_seq},
              {"indexed_scenarios", s->indexed_scenarios}, {"indexed_enterprises", s->indexed_enterprises},
              {"index_writable", s->index_writable}};
    if (as_json) fmt::print("{}\n", j.dump());
    else for (auto it = j.begin(); it != j.end(); ++it) fmt::print("{:<20} {}\n", it.key(), it.value().dump());
  });

  // Operations, listed after the everyday commands.
  add_backup_commands(app, g, exit_code);
  add_config_command(app, g, exit_code);
  document_global_options(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return report_parse_error(app, e);
  }
  return exit_code;
}

}  // namespace jiebang::cli
