// Subcommands for the web API: keys create/revoke/list, and serve.
#include <csignal>
#include <optional>
#include <pthread.h>
#include <sys/resource.h>

#include <fmt/format.h>

#include "cli_common.h"
#include "jiebang/api/server.h"
#include "jiebang/core/log.h"
#include "jiebang/web/pages.h"
#include "jiebang/service/digest_scheduler.h"

namespace jiebang::cli {
namespace {

using nlohmann::json;

json key_json(const Service::ApiKey& k) {
  return {{"id", k.id},
          {"role", role_name(k.role)},
          {"scope", k.scope},
          {"created_at", k.created_at},
          {"revoked_at", k.revoked_at.empty() ? json(nullptr) : json(k.revoked_at)}};
}

std::string describe(const Service::ApiKey& k) {
  return k.scope.empty() ? std::string(role_name(k.role)) : fmt::format("{} \"{}\"", role_name(k.role), k.scope);
}

}  // namespace

void add_api_commands(CLI::App& app, const Globals& g, int& exit_code) {
  auto* keys = app.add_subcommand("keys", "Web API keys: create (printed once), revoke, list");
  keys->require_subcommand(1);
  static std::string role, org, enterprise;
  static int64_t key_id = 0;
  static bool as_json = false;

  auto* create = keys->add_subcommand(
      "create", "Create a key and print it on stdout (only its SHA-256 is stored: it cannot be shown again)");
  create->add_option("--role", role, "publisher | enterprise | operator")
      ->required()
      ->check(CLI::IsMember({"publisher", "enterprise", "operator"}));
  create->add_option("--org", org, "The publisher's organisation (发榜单位), as its scenarios name it");
  create->add_option("--enterprise", enterprise, "The enterprise's id (USCC or platform id)");
  create->add_flag("--json", as_json, "Print JSON ({id, role, scope, created_at, key})");
  create->callback([&g, &exit_code] {
    Role r = *parse_role(role);
    if (r == Role::kPublisher && (org.empty() || !enterprise.empty()))
      throw CLI::ValidationError("--org", "a publisher key needs --org NAME (and no --enterprise)");
    if (r == Role::kEnterprise && (enterprise.empty() || !org.empty()))
      throw CLI::ValidationError("--enterprise", "an enterprise key needs --enterprise ID (and no --org)");
    if (r == Role::kOperator && (!org.empty() || !enterprise.empty()))
      throw CLI::ValidationError("--role", "an operator key takes neither --org nor --enterprise");
    auto svc = open_service(g, exit_code);
    if (!svc) return;
    auto made = svc->create_key(r, r == Role::kPublisher ? org : enterprise);
    if (!made) {
      exit_code = fail(made.status());
      return;
    }
    if (as_json) {
      json j = key_json(made->key);
      j["key"] = made->secret;
      fmt::print("{}\n", j.dump(2));
    } else {
      fmt::print("{}\n", made->secret);
    }
    fmt::print(stderr, "created key {} for {}; it is printed only this once\n", made->key.id, describe(made->key));
  });

  auto* revoke = keys->add_subcommand("revoke", "Revoke a key by id; requests with it get 401 from then on");
  revoke->add_option("id", key_id, "Key id (see keys list)")->required();
  revoke->callback([&g, &exit_code] {
    auto svc = open_service(g, exit_code);
    if (!svc) return;
    auto k = svc->revoke_key(key_id);
    if (!k) {
      exit_code = fail(k.status());
      return;
    }
    fmt::print("key {} ({}) revoked at {}\n", k->id, describe(*k), k->revoked_at);
  });

  auto* list = keys->add_subcommand("list", "List keys (ids, roles, scopes; never the keys themselves)");
  list->add_flag("--json", as_json, "Print JSON");
  list->callback([&g, &exit_code] {
    auto svc = open_service(g, exit_code);
    if (!svc) return;
    auto all = svc->list_keys();
    if (!all) {
      exit_code = fail(all.status());
      return;
    }
    json out = json::array();
    for (const auto& k : *all) {
      if (as_json) out.push_back(key_json(k));
      else
        fmt::print("{:>4}  {:<10} {:<32} created {}{}\n", k.id, role_name(k.role), k.scope, k.created_at,
                   k.revoked_at.empty() ? "" : "  revoked " + k.revoked_at);
    }
    if (as_json) fmt::print("{}\n", out.dump(2));
  });

  static api::ApiConfig config;
  // The configuration's [serve] and [digest] settings (file < environment); the flags below win.
  const Settings& cfg = *g.settings;
  config.listen = cfg.str("serve.listen");
  config.max_body_bytes = static_cast<size_t>(cfg.integer("serve.max_body_bytes"));
  config.max_query_bytes = static_cast<size_t>(cfg.integer("serve.max_query_bytes"));
  config.request_timeout_ms = static_cast<int>(cfg.integer("serve.request_timeout_ms"));
  config.max_queued_requests = static_cast<size_t>(cfg.integer("serve.max_queued"));
  config.io_threads = static_cast<size_t>(cfg.integer("serve.io_threads"));
  config.read_threads = static_cast<size_t>(cfg.integer("serve.read_threads"));
  config.max_reads_per_client = static_cast<size_t>(cfg.integer("serve.max_reads_per_client"));
  config.max_writes_per_client = static_cast<size_t>(cfg.integer("serve.max_writes_per_client"));
  config.max_connections = static_cast<size_t>(cfg.integer("serve.max_connections"));
  config.max_connections_per_address = static_cast<size_t>(cfg.integer("serve.max_connections_per_address"));
  config.max_import_records = static_cast<size_t>(cfg.integer("serve.max_import_records"));
  auto* serve = app.add_subcommand("serve", "Serve the web API (plain HTTP: put a TLS reverse proxy such as nginx in front)");
  serve->add_option("--listen", config.listen, "host:port to listen on (default 127.0.0.1:8080)");
  serve->add_option("--max-body-bytes", config.max_body_bytes, "Largest request body; larger gets 413 (default 8388608)")
      ->check(CLI::Range(size_t{1}, size_t{1} << 32));
  serve->add_option("--max-query-bytes", config.max_query_bytes, "Longest query string; longer gets 414 (default 4096)")
      ->check(CLI::Range(size_t{64}, size_t{1} << 20));
  serve->add_option("--request-timeout-ms", config.request_timeout_ms,
                    "Deadline from headers to the start of the work; later gets 503 (default 30000)")
      ->check(CLI::Range(1, 3600 * 1000));
  serve->add_option("--max-queued", config.max_queued_requests, "Requests waiting for the service; more get 503 (default 1024)")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20));
  serve->add_option("--io-threads", config.io_threads, "network threads of the request front and of cpprestsdk, each (default 4)")
      ->check(CLI::Range(size_t{1}, size_t{256}));
  serve->add_option("--read-threads", config.read_threads,
                    "threads that run reads (search, match, pages), each with its own read-only store and index "
                    "handles; writes run one at a time on another (default 0 = one per core, at least 2)")
      ->check(CLI::Range(size_t{0}, size_t{64}));
  serve->add_option("--max-reads-per-client", config.max_reads_per_client,
                    "reads (GET, HEAD) one client — its API key, else its address — may have in flight or waiting at "
                    "once; one more gets 429 with Retry-After (default 8)")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20));
  serve->add_option("--max-writes-per-client", config.max_writes_per_client,
                    "writes (POST, PUT, PATCH, a search with consistent=true) one client may have in flight or waiting "
                    "at once — they run one at a time for everyone; one more gets 429 with Retry-After (default 4)")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20));
  serve->add_option("--max-connections", config.max_connections,
                    "client connections open at once; one more gets 503 and is closed (default 0 = from the "
                    "descriptor limit, three descriptors a connection)")
      ->check(CLI::Range(size_t{0}, size_t{1} << 24));
  serve->add_option("--max-connections-per-address", config.max_connections_per_address,
                    "connections one address may hold open (loopback, e.g. a proxy on this host, not counted); one "
                    "more gets 503 (default 64, 0 = no bound)")
      ->check(CLI::Range(size_t{0}, size_t{1} << 24));
  serve->add_option("--max-import-records", config.max_import_records,
                    "records one import request may hold; a larger list gets 413 before any is written, so that "
                    "no request holds the write thread for long (default 10000)")
      ->check(CLI::Range(size_t{1}, size_t{1} << 30));
  struct DigestOptions {
    std::string at = "mon 09:00";
    bool off = false;
    std::string out;
    std::string base_url;
  };
  static DigestOptions digest;
  digest.at = cfg.str("digest.at");
  digest.off = !cfg.boolean("digest.in_serve");
  digest.out = cfg.str("digest.out");
  digest.base_url = cfg.str("digest.base_url");
  static std::string log_level;
  log_level = cfg.str("serve.log_level");
  serve->add_option("--log-level", log_level,
                    "Lowest level of the request log on stderr (logfmt lines: one per request with its "
                    "X-Request-Id, plus warnings and errors): debug, info, warn, error or off "
                    "(default info; serve.log_level in the configuration)")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));
  serve->add_option("--digest-at", digest.at,
                    "When the weekly digest runs, Asia/Shanghai: weekday and HH:MM (default \"mon 09:00\"); at start-up "
                    "a digest due this week and not yet done runs at once");
  serve->add_flag("--no-digest", digest.off, "Do not run the weekly digest (e.g. when cron runs `jiebang digest`)");
  serve->add_option("--digest-out", digest.out, "Directory for the digest files (default <data-dir>/digests/<week>)");
  serve->add_option("--digest-base-url", digest.base_url,
                    "Links in the digest point here (default http://localhost:8080, as `jiebang digest`: the two "
                    "then store the same digest)");
  serve->callback([&g, &exit_code] {
    // Block the stop signals before any thread exists so that every thread inherits the mask and
    // only sigwait below receives them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    // A server holds a descriptor per socket: take the whole hard limit (systemd's and most
    // distributions' soft limit is 1024, kept low only for programs that use select(2)); the
    // front's connection cap is derived from it.
    if (rlimit nofile{}; getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
      nofile.rlim_cur = nofile.rlim_max;
      setrlimit(RLIMIT_NOFILE, &nofile);
    }
    std::optional<DigestSchedule> schedule;
    if (!digest.off) {  // checked before anything starts
      auto parsed = DigestSchedule::parse(digest.at);
      if (!parsed) {
        exit_code = fail(Status::invalid_argument("--digest-at: " + parsed.status().message()));
        return;
      }
      schedule = *parsed;
    }
    // The [digest] keys as `jiebang digest` reads them (the two store the same digest); the flag on top.
    DigestSettings settings = digest_settings(*g.settings);
    const DigestRunOptions run_options = digest_run_options(*g.settings);
    if (!digest.base_url.empty()) settings.base_url = digest.base_url;
    if (Status st = settings.check_base_url(); !st) {
      exit_code = fail(Status::invalid_argument("--digest-base-url: " + st.message()));
      return;
    }
    if (Status st = set_log_level(log_level); !st) {  // a value from the file or the environment
      exit_code = fail(Status::invalid_argument(
          fmt::format("serve.log_level (from {}): {}", g.settings->get("serve.log_level").source, st.message())));
      return;
    }
    auto svc = open_service(g, exit_code);
    if (!svc) return;
    auto server = api::ApiServer::start(*svc, config, std::make_shared<web::Pages>());
    if (!server) {
      exit_code = fail(server.status());
      return;
    }
    fmt::print(stderr, "jiebang: serving {} (data {}); stop with Ctrl-C or SIGTERM\n", (*server)->url(),
               svc->config().data_dir);
    std::unique_ptr<DigestScheduler> scheduler;
    if (schedule) {
      ServiceConfig digest_config = svc->config();
      // The digest runs on a Service of its own (its own SQLite connection; the index read-only,
      // as this process's server owns the write lock), so the API keeps answering meanwhile.
      auto is_done = [digest_config](const IsoWeek& week) {
        auto store = Store::open(digest_config.data_dir + "/jiebang.sqlite3");
        if (!store) return false;
        auto run = (*store)->get_digest_run(week.to_string());
        return run && !run->finished_at.empty();
      };
      auto run = [digest_config, settings, run_options](const IsoWeek& week) -> Status {
        auto s = Service::open(digest_config);
        if (!s) return s.status();
        std::string out = digest.out.empty() ? "" : digest.out + "/" + week.to_string();
        fmt::print(stderr, "jiebang: weekly digest {} starting\n", week.to_string());
        auto summary = (*s)->run_digest(week, settings, out, {}, run_options);
        if (!summary) {
          fmt::print(stderr, "jiebang: weekly digest {} failed: {}\n", week.to_string(), summary.status().to_string());
          return summary.status();
        }
        fmt::print(stderr, "jiebang: weekly digest {}: {} recipients, {} items, {:.1f} s\n", week.to_string(),
                   summary->recipients, summary->items, summary->seconds);
        return Status::ok();
      };
      scheduler = std::make_unique<DigestScheduler>(*schedule, digest_config.clock, is_done, run);
      scheduler->start();
      fmt::print(stderr, "jiebang: weekly digest at {} Asia/Shanghai\n", schedule->to_string());
    }
    int received = 0;
    sigwait(&stop_signals, &received);
    fmt::print(stderr, "jiebang: {} received, stopping\n", received == SIGINT ? "SIGINT" : "SIGTERM");
    if (scheduler) scheduler->stop();
    (*server)->stop();
  });
}

}  // namespace jiebang::cli
