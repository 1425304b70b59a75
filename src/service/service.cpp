// Service: wiring of store, index and matcher; import, search, match, evaluation.
#include "jiebang/service/service.h"

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace jiebang {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// "I", "I65", "i6510", "6510": a section letter with 0 or 2–4 digits, or 2–4 digits.
bool looks_like_industry_code(const std::string& s) {
  size_t digits_from = (!s.empty() && ((s[0] >= 'A' && s[0] <= 'T') || (s[0] >= 'a' && s[0] <= 't'))) ? 1 : 0;
  size_t digits = s.size() - digits_from;
  if (digits_from == 1 && digits == 0) return true;
  if (digits < 2 || digits > 4) return false;
  for (size_t i = digits_from; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

/// Checks that needs the code tables: a 6-digit region must be a GB/T 2260 code, a code-shaped
/// industry a GB/T 4754 code.
void check_codes(const std::string& region, const std::vector<std::string>& industries, const RegionTable& regions,
                 const IndustryTable& table, std::vector<FieldError>& errors) {
  if (RegionTable::is_code(region) && !regions.contains(region))
    errors.push_back({"region", fmt::format("\"{}\" is not a GB/T 2260 region code", region)});
  for (size_t i = 0; i < industries.size(); ++i)
    if (looks_like_industry_code(industries[i]) && !table.canonical(industries[i]))
      errors.push_back({fmt::format("industries[{}]", i),
                        fmt::format("\"{}\" is not a GB/T 4754-2017 industry code", industries[i])});
}

}  // namespace

struct Service::Impl {
  ServiceConfig config;
  RegionTable regions;
  IndustryTable industries;
  text::SynonymTable synonyms;
  MatchWeights weights;
  std::unique_ptr<Store> store;
  std::unique_ptr<SearchIndex> index;
  std::unique_ptr<Matcher> matcher;

  Status catch_up(const ProgressFn& progress) {
    if (!index->writable()) return Status::ok();  // another process owns the index and keeps it current
    auto r = index->catch_up(*store, 5000, [&](const IndexProgress& p) {
      if (progress) progress("index", static_cast<size_t>(p.applied_seq), static_cast<size_t>(p.store_seq));
    });
    return r.status();
  }

  template <typename Record>
  Status flush(std::vector<Record>& batch, std::vector<size_t>& lines, ImportReport& report) {
    if (batch.empty()) return Status::ok();
    Result<std::vector<Result<UpsertOutcome>>> outcomes = [&] {
      if constexpr (std::is_same_v<Record, Scenario>) return store->upsert_scenarios(batch);
      else return store->upsert_enterprises(batch);
    }();
    if (!outcomes) return outcomes.status();
    for (size_t i = 0; i < outcomes->size(); ++i) {
      const auto& o = (*outcomes)[i];
      if (!o) {
        ++report.rejected;
        report.errors.push_back({lines[i], batch[i].id, "id", o.status().message()});
        continue;
      }
      switch (o.value()) {
        case UpsertOutcome::kInserted: ++report.inserted; break;
        case UpsertOutcome::kUpdated: ++report.updated; break;
        case UpsertOutcome::kUnchanged: ++report.unchanged; break;
      }
    }
    batch.clear();
    lines.clear();
    return catch_up({});
  }
};

Service::Service(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Service::~Service() = default;

Result<std::unique_ptr<Service>> Service::open(ServiceConfig config, const ProgressFn& progress) {
  auto impl = std::make_unique<Impl>();
  if (config.index_dir.empty()) config.index_dir = default_index_dir();
  if (config.weights_path.empty()) config.weights_path = config.index_dir + "/ranking.json";
  if (!config.clock) config.clock = [] { return std::chrono::system_clock::now(); };
  auto regions = RegionTable::load(config.index_dir);
  if (!regions) return regions.status();
  auto industries = IndustryTable::load(config.index_dir);
  if (!industries) return industries.status();
  auto weights = MatchWeights::load(config.weights_path);
  if (!weights) return weights.status();
  auto synonyms = text::SynonymTable::load(config.index_dir + "/synonyms.txt");
  if (synonyms) impl->synonyms = std::move(*synonyms);
  else if (synonyms.status().code() != ErrorCode::kNotFound) return synonyms.status();
  impl->regions = std::move(*regions);
  impl->industries = std::move(*industries);
  impl->weights = *weights;
  std::error_code ec;
  fs::create_directories(config.data_dir, ec);
  if (ec) return Status::unavailable(fmt::format("cannot create data directory {}: {}", config.data_dir, ec.message()));
  auto store = Store::open(config.data_dir + "/jiebang.sqlite3");
  if (!store) return store.status();
  impl->store = std::move(*store);
  auto index = SearchIndex::open(config.data_dir + "/index", impl->regions, impl->industries, &impl->synonyms);
  if (!index) return index.status();
  impl->index = std::move(*index);
  impl->matcher = std::make_unique<Matcher>(*impl->index, impl->regions, impl->industries, impl->weights);
  impl->config = std::move(config);
  if (Status st = impl->catch_up(progress); !st) return st;
  return std::unique_ptr<Service>(new Service(std::move(impl)));
}

Result<ImportReport> Service::import_file(RecordKind kind, const std::string& path, const ProgressFn& progress) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(fmt::format("cannot open {}", path));
  auto r = import_stream(kind, in, format_from_path(path), progress);
  if (!r) return Status(r.status().code(), fmt::format("{}: {}", path, r.status().message()));
  return r;
}

Result<ImportReport> Service::import_stream(RecordKind kind, std::istream& in, FileFormat format,
                                            const ProgressFn& progress) {
  auto start = std::chrono::steady_clock::now();
  ImportReport report;
  std::vector<Scenario> scenarios;
  std::vector<Enterprise> enterprises;
  std::vector<size_t> lines;
  Status failure;
  Status read = read_records(in, format, kind, [&](RawRecord&& raw) {
    ++report.read;
    if (!raw.error.empty()) {
      ++report.rejected;
      report.errors.push_back({raw.line, "", "", raw.error});
      return true;
    }
    std::vector<FieldError> errors;
    std::string id = raw.object.is_object() && raw.object.contains("id") && raw.object["id"].is_string()
                         ? raw.object["id"].get<std::string>()
                         : "";
    if (kind == RecordKind::kScenario) {
      auto s = scenario_from_json(raw.object, errors);
      if (s) check_codes(s->region, s->industries, impl_->regions, impl_->industries, errors);
      if (errors.empty()) {
        scenarios.push_back(std::move(*s));
        lines.push_back(raw.line);
      }
    } else {
      auto e = enterprise_from_json(raw.object, errors);
      if (e) check_codes(e->region, e->industries, impl_->regions, impl_->industries, errors);
      if (errors.empty()) {
        enterprises.push_back(std::move(*e));
        lines.push_back(raw.line);
      }
    }
    for (const auto& fe : errors) report.errors.push_back({raw.line, id, fe.key, fe.message});
    if (!errors.empty()) ++report.rejected;
    if (lines.size() >= impl_->config.import_batch) {
      failure = kind == RecordKind::kScenario ? impl_->flush(scenarios, lines, report)
                                              : impl_->flush(enterprises, lines, report);
      if (!failure) return false;
      if (progress) progress("import", report.read, 0);
    }
    return true;
  });
  if (!failure) return failure;
  if (!read) return read;
  failure = kind == RecordKind::kScenario ? impl_->flush(scenarios, lines, report)
                                          : impl_->flush(enterprises, lines, report);
  if (!failure) return failure;
  if (progress) progress("import", report.read, report.read);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

Result<std::vector<SearchHit>> Service::search(const std::string& query, SearchFilters filters, size_t limit) const {
  if (!filters.region_code.empty()) {
    auto code = impl_->regions.resolve(filters.region_code);
    if (!code)
      return Status::invalid_argument(
          fmt::format("region: \"{}\" is not a GB/T 2260 code or a unique place name", filters.region_code));
    filters.region_code = *code;
  }
  if (!filters.industry_code.empty()) {
    auto code = impl_->industries.canonical(filters.industry_code);
    if (!code)
      return Status::invalid_argument(
          fmt::format("industry: \"{}\" is not a GB/T 4754-2017 code", filters.industry_code));
    filters.industry_code = *code;
  }
  if (filters.today.empty()) filters.today = today();
  return impl_->index->search_scenarios(query, filters, limit);
}

Result<std::vector<MatchResult>> Service::match_scenario(const std::string& id, size_t limit) const {
  auto s = impl_->store->get_scenario(id);
  if (!s) return s.status();
  return impl_->matcher->enterprises_for(*s, limit);
}

Result<std::vector<MatchResult>> Service::match_enterprise(const std::string& id, size_t limit) const {
  auto e = impl_->store->get_enterprise(id);
  if (!e) return e.status();
  return impl_->matcher->scenarios_for(*e, limit, today());
}

Result<EvalReport> Service::evaluate(const Qrels& qrels, std::ostream* run_out, const ProgressFn& progress) const {
  auto start = std::chrono::steady_clock::now();
  EvalReport report;
  size_t done = 0;
  for (const auto& [query, judged] : qrels) {
    bool any_relevant = false;
    for (const auto& [doc, rel] : judged) any_relevant = any_relevant || rel > 0;
    if (!any_relevant) continue;
    auto s = impl_->store->get_scenario(query);
    std::vector<std::string> ranked;
    if (!s) {
      if (s.status().code() != ErrorCode::kNotFound) return s.status();
      ++report.qrels_without_scenario;
    } else {
      auto results = impl_->matcher->enterprises_for(*s, 10);
      if (!results) return results.status();
      std::vector<std::pair<std::string, double>> run;
      for (const auto& r : *results) {
        ranked.push_back(r.id);
        run.emplace_back(r.id, r.score);
      }
      if (run_out) write_run(*run_out, query, run, "jiebang");
    }
    accumulate(report.summary, measure(ranked, judged, 10));
    if (progress && ++done % 25 == 0) progress("eval", done, qrels.size());
  }
  finish(report.summary);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

Result<IndexProgress> Service::reindex(const ProgressFn& progress) {
  return impl_->index->rebuild(*impl_->store, [&](const IndexProgress& p) {
    if (progress) progress("reindex", p.documents_written, 0);
  });
}

Result<Service::State> Service::state() const {
  State s;
  auto sc = impl_->store->count(RecordKind::kScenario);
  if (!sc) return sc.status();
  auto ec = impl_->store->count(RecordKind::kEnterprise);
  if (!ec) return ec.status();
  auto seq = impl_->store->last_seq();
  if (!seq) return seq.status();
  s.scenarios = *sc;
  s.enterprises = *ec;
  s.store_seq = *seq;
  s.applied_seq = impl_->index->applied_seq();
  s.indexed_scenarios = impl_->index->doc_count(RecordKind::kScenario);
  s.indexed_enterprises = impl_->index->doc_count(RecordKind::kEnterprise);
  s.index_writable = impl_->index->writable();
  return s;
}

std::string Service::today() const {
  // Asia/Shanghai is UTC+8 all year (no daylight saving since 1991).
  auto t = impl_->config.clock() + std::chrono::hours(8);
  auto days = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd{days};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

const MatchWeights& Service::weights() const { return impl_->weights; }
const ServiceConfig& Service::config() const { return impl_->config; }

}  // namespace jiebang
