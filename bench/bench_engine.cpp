// End-to-end benchmark of the service: import throughput, match and search latency, peak RSS.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "jiebang/core/record_reader.h"
#include "jiebang/service/service.h"
#include "jiebang/text/normalize.h"
#include "jiebang/text/segment.h"

namespace jiebang::bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr size_t kMatchLimit = 10;
constexpr size_t kSearchLimit = 10;
constexpr size_t kWarmupCalls = 10;
constexpr size_t kMaxEnterpriseQueries = 300;
constexpr size_t kSearchQueries = 20;
constexpr size_t kSlowestShown = 3;

struct Options {
  std::string data_dir;  // "" = a fresh temporary directory, removed at the end
  std::string enterprises_path;
  std::string scenarios_path;
  std::string index_dir;
  std::string weights_path;  // "" = <index_dir>/ranking.json
  size_t queries = 0;  // scenario → enterprises matches; 0 = every scenario
  bool skip_import = false;  // time the queries on the data directory as it is
  unsigned index_threads = 0;  // 0 = the service's default (hardware threads, at most 8)
  bool as_json = false;
};

/// The SBIR evaluation set: $JIEBANG_SHARED_DIR/eval/sbir-known-item, else ../shared/... from the repo root.
std::string default_eval_dir() {
  if (const char* env = std::getenv("JIEBANG_SHARED_DIR"); env && *env)
    return std::string(env) + "/eval/sbir-known-item";
  return std::string(JIEBANG_SOURCE_DIR) + "/../shared/eval/sbir-known-item";
}

/// A directory that is removed (with its content) when the object goes, unless it was given.
class DataDir {
 public:
  explicit DataDir(std::string given) : path_(std::move(given)) {
    if (!path_.empty()) return;
    std::string tmpl = (fs::temp_directory_path() / "jiebang-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("cannot create a temporary data directory: " + tmpl);
    path_ = tmpl;
    owned_ = true;
  }
  ~DataDir() {
    if (!owned_) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;
  const std::string& path() const { return path_; }
  bool owned() const { return owned_; }

 private:
  std::string path_;
  bool owned_ = false;
};

/// Latencies of one series of calls; unit: milliseconds.
struct Series {
  std::vector<double> ms;                          // successful calls, in call order
  std::vector<double> cpu_ms;                      // this thread's CPU time of the same calls
  std::vector<std::pair<double, std::string>> by_id;  // (ms, id) for the slowest list
  size_t failures = 0;
  std::string first_failure;
  size_t results = 0;  // results returned over all successful calls
  size_t empty = 0;    // successful calls that returned nothing
  std::vector<std::string> empty_ids;  // the first few of them
};

/// Nearest-rank percentile of a sorted list: the value at rank ceil(p/100 · n), 1-based.
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

json series_json(const Series& s) {
  std::vector<double> sorted = s.ms;
  std::sort(sorted.begin(), sorted.end());
  double total = 0;
  for (double v : sorted) total += v;
  std::vector<double> cpu_sorted = s.cpu_ms;
  std::sort(cpu_sorted.begin(), cpu_sorted.end());
  double cpu_total = 0;
  for (double v : cpu_sorted) cpu_total += v;
  json slowest = json::array();
  auto by = s.by_id;
  std::sort(by.begin(), by.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; i < by.size() && i < kSlowestShown; ++i) slowest.push_back({{"id", by[i].second}, {"ms", by[i].first}});
  return {{"calls", sorted.size()},
          {"failures", s.failures},
          {"first_failure", s.first_failure},
          {"empty_results", s.empty},
          {"empty_ids", s.empty_ids},
          {"mean_results", sorted.empty() ? 0.0 : static_cast<double>(s.results) / static_cast<double>(sorted.size())},
          {"p50_ms", percentile(sorted, 50)},
          {"p95_ms", percentile(sorted, 95)},
          {"p99_ms", percentile(sorted, 99)},
          {"max_ms", sorted.empty() ? 0.0 : sorted.back()},
          {"mean_ms", sorted.empty() ? 0.0 : total / static_cast<double>(sorted.size())},
          {"total_ms", total},
          {"cpu_p50_ms", percentile(cpu_sorted, 50)},
          {"cpu_p95_ms", percentile(cpu_sorted, 95)},
          {"cpu_p99_ms", percentile(cpu_sorted, 99)},
          {"cpu_mean_ms", cpu_sorted.empty() ? 0.0 : cpu_total / static_cast<double>(cpu_sorted.size())},
          {"cpu_total_ms", cpu_total},
          {"slowest", slowest}};
}

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

/// CPU time consumed so far by `clock` (CLOCK_THREAD_CPUTIME_ID or CLOCK_PROCESS_CPUTIME_ID); unit:
/// milliseconds. Unlike wall time it does not grow while other processes hold the cores.
double cpu_ms(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

/// Times `call(id)` for every id; `call` returns a Result holding a vector. Failed calls are counted, not timed.
/// The CPU time is the process's: a match runs part of its work on a second thread, and nothing
/// else runs in the process while the queries are timed (the imports have finished).
template <typename Call>
void time_series(Series& s, const std::vector<std::string>& ids, Call&& call) {
  for (const auto& id : ids) {
    double cpu_start = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
    auto start = Clock::now();
    auto r = call(id);
    double ms = elapsed_ms(start);
    double cpu = cpu_ms(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
    if (!r) {
      if (s.failures++ == 0) s.first_failure = fmt::format("{}: {}", id, r.status().to_string());
      continue;
    }
    s.ms.push_back(ms);
    s.cpu_ms.push_back(cpu);
    s.by_id.emplace_back(ms, id);
    s.results += r->size();
    if (r->empty() && ++s.empty <= kSlowestShown) s.empty_ids.push_back(id);
  }
}

/// What the benchmark needs from a record file: the ids in file order, and titles for scenarios.
struct FileRecords {
  std::vector<std::string> ids;
  std::vector<std::string> titles;
};

Result<FileRecords> read_ids(const std::string& path, RecordKind kind) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(fmt::format("cannot open {}", path));
  FileRecords out;
  Status st = read_records(in, format_from_path(path), kind, [&](RawRecord&& raw) {
    if (!raw.error.empty() || !raw.object.is_object()) return true;
    auto id = raw.object.find("id");
    if (id == raw.object.end() || !id->is_string()) return true;
    out.ids.push_back(id->get<std::string>());
    auto title = raw.object.find("title");
    out.titles.push_back(title != raw.object.end() && title->is_string() ? title->get<std::string>() : "");
    return true;
  });
  if (!st) return st;
  return out;
}

/// Words of a title, as the engine segments it (text::tokenize of the normalised title: ICU
/// dictionary words for Han runs): Han words of 2+ characters and Latin words of 3+ letters that
/// are not stopwords. Numbers are left out.
std::vector<std::string> title_words(std::string_view title) {
  static const std::vector<std::string_view> kStop = {"and", "for", "the", "with", "from", "into", "via",
                                                      "using", "based", "phase", "its", "company"};
  std::vector<std::string> words;
  for (auto& t : text::tokenize(text::normalize(title))) {
    bool keep = t.kind == text::TokenKind::kHan ? t.chars >= 2
                : t.kind == text::TokenKind::kLatin
                    ? t.chars >= 3 && std::find(kStop.begin(), kStop.end(), t.text) == kStop.end()
                    : false;
    if (keep) words.push_back(std::move(t.text));
  }
  return words;
}

/// `count` short queries of 2 or 3 title words (alternately), from titles spread evenly over the file.
std::vector<std::string> search_queries(const std::vector<std::string>& titles, size_t count) {
  std::vector<std::string> out;
  if (titles.empty()) return out;
  size_t step = std::max<size_t>(1, titles.size() / count);
  for (size_t start = 0; start < step && out.size() < count; ++start) {  // a second pass fills gaps
    for (size_t i = start; i < titles.size() && out.size() < count; i += step) {
      auto words = title_words(titles[i]);
      size_t want = out.size() % 2 == 0 ? 2 : 3;
      if (words.size() < 2) continue;
      want = std::min(want, words.size());
      std::string q = words[0];
      for (size_t w = 1; w < want; ++w) q.append(" ").append(words[w]);
      if (std::find(out.begin(), out.end(), q) == out.end()) out.push_back(q);
    }
  }
  return out;
}

/// Peak resident set size of this process; unit: MiB (Linux reports ru_maxrss in KiB).
double peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

std::string build_kind() {
  std::string kind;
#ifdef NDEBUG
  kind = "release (NDEBUG)";
#else
  kind = "assertions on (not NDEBUG): figures are not representative";
#endif
#if defined(__SANITIZE_ADDRESS__)
  kind += ", AddressSanitizer: figures are not representative";
#endif
  return kind;
}

json import_json(const std::string& path, const ImportReport& r, double wall_s, double cpu_s) {
  std::error_code ec;
  auto bytes = static_cast<double>(fs::file_size(path, ec));
  if (ec) bytes = 0;
  json errors = json::array();
  for (size_t i = 0; i < r.errors.size() && i < 3; ++i)
    errors.push_back(fmt::format("line {}: {}{}", r.errors[i].line, r.errors[i].key.empty() ? "" : r.errors[i].key + ": ",
                                 r.errors[i].message));
  return {{"file", path},
          {"read", r.read},
          {"inserted", r.inserted},
          {"updated", r.updated},
          {"unchanged", r.unchanged},
          {"rejected", r.rejected},
          {"first_errors", errors},
          {"seconds", r.seconds},
          {"wall_seconds", wall_s},
          {"cpu_seconds", cpu_s},
          {"records_per_s", r.seconds > 0 ? static_cast<double>(r.read) / r.seconds : 0.0},
          {"file_mib", bytes / (1024.0 * 1024.0)},
          {"mib_per_s", r.seconds > 0 ? bytes / (1024.0 * 1024.0) / r.seconds : 0.0}};
}

void print_table(const json& j) {
  fmt::print("jiebang_bench  build: {}\n", j["build"].get<std::string>());
  fmt::print("data dir: {}{}\n", j["data_dir"].get<std::string>(), j["data_dir_temporary"].get<bool>() ? " (temporary)" : "");
  fmt::print("weights: {}\n", j["weights"].get<std::string>());
  fmt::print("index threads: {}\n", j["index_threads"].get<unsigned>());
  fmt::print("service open: {:.1f} ms\n\n", j["open_ms"].get<double>());

  if (!j.contains("import")) {
    fmt::print("import: skipped (--skip-import)\n\n");
  } else {
    fmt::print("import (store + index)   records  rejected  seconds   records/s   file MiB   MiB/s   cpu s\n");
    for (const char* k : {"enterprises", "scenarios"}) {
      const json& r = j["import"][k];
      fmt::print("  {:<22} {:>7}  {:>8}  {:>7.2f}  {:>10.1f}  {:>9.2f}  {:>6.2f}  {:>6.2f}\n", k, r["read"].get<size_t>(),
                 r["rejected"].get<size_t>(), r["seconds"].get<double>(), r["records_per_s"].get<double>(),
                 r["file_mib"].get<double>(), r["mib_per_s"].get<double>(), r["cpu_seconds"].get<double>());
      for (const auto& e : r["first_errors"]) fmt::print("    rejected: {}\n", e.get<std::string>());
      if (size_t same = r["unchanged"].get<size_t>() + r["updated"].get<size_t>(); same > 0)
        fmt::print("    note: {} records were already in the data dir (updated or unchanged), not a fresh import\n", same);
    }
    fmt::print("  file: {}\n  file: {}\n\n", j["import"]["enterprises"]["file"].get<std::string>(),
               j["import"]["scenarios"]["file"].get<std::string>());
  }

  fmt::print("latency (ms)                 calls     p50     p95     p99     max    mean    total  results/call"
             "  cpu p50  cpu mean\n");
  for (const char* k : {"match_scenario", "match_enterprise", "search"}) {
    const json& s = j[k];
    fmt::print("  {:<25} {:>6} {:>7.2f} {:>7.2f} {:>7.2f} {:>7.2f} {:>7.2f} {:>8.1f}  {:>12.1f}  {:>7.2f}  {:>8.2f}\n", k,
               s["calls"].get<size_t>(), s["p50_ms"].get<double>(), s["p95_ms"].get<double>(), s["p99_ms"].get<double>(),
               s["max_ms"].get<double>(), s["mean_ms"].get<double>(), s["total_ms"].get<double>(),
               s["mean_results"].get<double>(), s["cpu_p50_ms"].get<double>(), s["cpu_mean_ms"].get<double>());
  }
  for (const char* k : {"match_scenario", "match_enterprise", "search"}) {
    const json& s = j[k];
    if (s["failures"].get<size_t>() > 0)
      fmt::print("  {}: {} failed calls, first: {}\n", k, s["failures"].get<size_t>(), s["first_failure"].get<std::string>());
    if (s["empty_results"].get<size_t>() > 0)
      fmt::print("  {}: {} calls returned nothing: {}\n", k, s["empty_results"].get<size_t>(),
                 fmt::join(s["empty_ids"].get<std::vector<std::string>>(), ", "));
    std::string slow;
    for (const auto& e : s["slowest"]) slow += fmt::format("{}{} {:.1f}", slow.empty() ? "" : ", ", e["id"].get<std::string>(), e["ms"].get<double>());
    fmt::print("  {} slowest: {}\n", k, slow);
  }
  fmt::print("\npeak RSS: {:.1f} MiB (after the imports: {:.1f} MiB)\n", j["peak_rss_mib"].get<double>(),
             j["peak_rss_after_import_mib"].get<double>());
}

int run(const Options& opt) {
  auto fail = [](const std::string& what, const Status& st) {
    fmt::print(stderr, "jiebang_bench: {}: {}\n", what, st.to_string());
    return 1;
  };
  auto enterprises = read_ids(opt.enterprises_path, RecordKind::kEnterprise);
  if (!enterprises) return fail("enterprises", enterprises.status());
  auto scenarios = read_ids(opt.scenarios_path, RecordKind::kScenario);
  if (!scenarios) return fail("scenarios", scenarios.status());
  if (scenarios->ids.empty()) return fail("scenarios", Status::invalid_argument(opt.scenarios_path + " holds no records with an id"));

  DataDir dir(opt.data_dir);
  json out;
  out["build"] = build_kind();
  out["data_dir"] = dir.path();
  out["data_dir_temporary"] = dir.owned();
  out["index_dir"] = opt.index_dir;
  out["weights"] = opt.weights_path.empty() ? opt.index_dir + "/ranking.json" : opt.weights_path;
  out["index_threads"] = opt.index_threads ? opt.index_threads : SearchIndex::default_index_threads();

  ServiceConfig config;
  config.data_dir = dir.path();
  config.index_dir = opt.index_dir;
  config.weights_path = opt.weights_path;
  config.index_threads = opt.index_threads;
  auto open_start = Clock::now();
  auto opened = Service::open(config);
  if (!opened) return fail("open", opened.status());
  out["open_ms"] = elapsed_ms(open_start);
  Service& svc = **opened;

  // With --skip-import the data directory is used as it is (as left by an earlier run).
  for (auto [kind, path, key] : {std::tuple{RecordKind::kEnterprise, opt.enterprises_path, "enterprises"},
                                 std::tuple{RecordKind::kScenario, opt.scenarios_path, "scenarios"}}) {
    if (opt.skip_import) break;
    double cpu_start = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
    auto start = Clock::now();
    auto report = svc.import_file(kind, path);
    double wall_s = elapsed_ms(start) / 1000.0;
    double cpu_s = (cpu_ms(CLOCK_PROCESS_CPUTIME_ID) - cpu_start) / 1000.0;
    if (!report) return fail(std::string("import ") + key, report.status());
    out["import"][key] = import_json(path, *report, wall_s, cpu_s);
  }

  out["peak_rss_after_import_mib"] = peak_rss_mib();

  std::vector<std::string> scenario_ids = scenarios->ids;
  if (opt.queries > 0 && opt.queries < scenario_ids.size()) scenario_ids.resize(opt.queries);
  std::vector<std::string> enterprise_ids = enterprises->ids;
  if (enterprise_ids.size() > kMaxEnterpriseQueries) enterprise_ids.resize(kMaxEnterpriseQueries);
  std::vector<std::string> queries = search_queries(scenarios->titles, kSearchQueries);

  // Warm-up: the first calls pay for opening Xapian tables and filling caches.
  for (size_t i = 0; i < kWarmupCalls; ++i) {
    (void)svc.match_scenario(scenarios->ids[i % scenarios->ids.size()], kMatchLimit);
    if (!enterprise_ids.empty()) (void)svc.match_enterprise(enterprise_ids[i % enterprise_ids.size()], kMatchLimit);
    if (!queries.empty()) (void)svc.search(queries[i % queries.size()], SearchFilters{}, kSearchLimit);
  }

  Series match_s, match_e, search;
  time_series(match_s, scenario_ids, [&](const std::string& id) { return svc.match_scenario(id, kMatchLimit); });
  time_series(match_e, enterprise_ids, [&](const std::string& id) { return svc.match_enterprise(id, kMatchLimit); });
  time_series(search, queries, [&](const std::string& q) { return svc.search(q, SearchFilters{}, kSearchLimit); });

  out["match_scenario"] = series_json(match_s);
  out["match_enterprise"] = series_json(match_e);
  out["search"] = series_json(search);
  out["search"]["queries"] = queries;
  out["peak_rss_mib"] = peak_rss_mib();

  if (opt.as_json) fmt::print("{}\n", out.dump(2));
  else print_table(out);
  return 0;
}

}  // namespace
}  // namespace jiebang::bench

int main(int argc, char** argv) {
  jiebang::bench::Options opt;
  std::string eval_dir = jiebang::bench::default_eval_dir();
  opt.enterprises_path = eval_dir + "/enterprises.jsonl";
  opt.scenarios_path = eval_dir + "/scenarios.jsonl";
  opt.index_dir = std::string(JIEBANG_SOURCE_DIR) + "/index";
  CLI::App app{"jiebang_bench: import throughput, match and search latency, peak RSS of the jiebang service."};
  app.add_option("--data-dir", opt.data_dir, "Data directory (default: a fresh temporary directory, removed at the end)");
  app.add_option("--enterprises", opt.enterprises_path, "Enterprises file (.jsonl or .csv)")->capture_default_str();
  app.add_option("--scenarios", opt.scenarios_path, "Scenarios file (.jsonl or .csv)")->capture_default_str();
  app.add_option("--queries", opt.queries, "Scenario → enterprises matches to time (default: every scenario)");
  app.add_option("--index-dir", opt.index_dir, "Index definition directory")->capture_default_str();
  app.add_option("--weights", opt.weights_path, "Ranking weights JSON (default <index-dir>/ranking.json)");
  app.add_option("--index-threads", opt.index_threads,
                 "Threads that build index documents (default: the machine's hardware threads, at most 8)");
  app.add_flag("--skip-import", opt.skip_import,
               "Do not import: time the queries on --data-dir as an earlier run left it (the files still name the ids to query)");
  app.add_flag("--json", opt.as_json, "Print one JSON object instead of the table");
  CLI11_PARSE(app, argc, argv);
  try {
    return jiebang::bench::run(opt);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "jiebang_bench: %s\n", e.what());
    return 1;
  }
}
