// Service: wiring of store, index and matcher; search, match, evaluation, state and the digest.
#include "jiebang/service/service.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "jiebang/core/calendar.h"
#include "jiebang/text/word_segmenter.h"
#include "service_impl.h"

namespace jiebang {
namespace {
namespace fs = std::filesystem;
}  // namespace

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
  // Chinese words: jieba's dictionary with this index definition's domain words, loaded once per
  // process and directory; every index handle opened below segments with it.
  if (auto words = text::WordSegmenter::for_index_dir(config.index_dir); !words) return words.status();
  auto columns = ColumnMap::load(config.index_dir + "/columns.tsv");
  if (columns) impl->columns = std::move(*columns);
  else if (columns.status().code() != ErrorCode::kNotFound) return columns.status();
  impl->regions = std::move(*regions);
  impl->industries = std::move(*industries);
  impl->weights = *weights;
  std::error_code ec;
  fs::create_directories(config.data_dir, ec);
  if (ec) return Status::unavailable(fmt::format("cannot create data directory {}: {}", config.data_dir, ec.message()));
  auto store = Store::open(config.data_dir + "/jiebang.sqlite3");
  if (!store) return store.status();
  impl->store = std::move(*store);
  auto index = config.read_only
                   ? SearchIndex::open_reader(config.data_dir + "/index", impl->regions, impl->industries, &impl->synonyms)
                   : SearchIndex::open(config.data_dir + "/index", impl->regions, impl->industries, &impl->synonyms);
  if (!index) return index.status();
  impl->index = std::move(*index);
  if (config.index_threads > 0) impl->index->set_index_threads(config.index_threads);
  impl->index->set_min_free_bytes(config.min_free_bytes);
  impl->matcher = std::make_unique<Matcher>(*impl->index, impl->regions, impl->industries, impl->weights);
  impl->lifecycle = std::make_unique<Lifecycle>(*impl->store, config.clock);
  Impl* raw = impl.get();
  impl->digest = std::make_unique<DigestRunner>(
      *impl->store, *impl->index, *impl->matcher, impl->regions, config.clock,
      [raw]() -> Result<DigestRunner::Reader> {
        auto reader_index = SearchIndex::open_reader(raw->config.data_dir + "/index", raw->regions, raw->industries,
                                              &raw->synonyms);
        if (!reader_index) return reader_index.status();
        DigestRunner::Reader r;
        r.index = std::move(*reader_index);
        r.matcher = std::make_unique<Matcher>(*r.index, raw->regions, raw->industries, raw->weights);
        return r;
      });
  impl->config = std::move(config);
  if (Status st = impl->catch_up(progress); !st) return st;
  return std::unique_ptr<Service>(new Service(std::move(impl)));
}

Result<std::vector<SearchHit>> Service::search(const std::string& query, SearchFilters filters, size_t limit) const {
  auto page = search_page(query, std::move(filters), 0, limit, false);
  if (!page) return page.status();
  return std::move(page->hits);
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

Result<EvalReport> Service::evaluate(const Qrels& given, std::ostream* run_out, const ProgressFn& progress,
                                     bool enterprise_to_scenarios, size_t run_depth) const {
  const size_t depth = std::max<size_t>(10, run_depth);
  auto start = std::chrono::steady_clock::now();
  EvalReport report;
  size_t done = 0;
  const Qrels qrels = enterprise_to_scenarios ? invert(given) : given;
  for (const auto& [query, judged] : qrels) {
    bool any_relevant = false;
    for (const auto& [doc, rel] : judged) any_relevant = any_relevant || rel > 0;
    if (!any_relevant) continue;
    std::vector<std::string> ranked;
    Result<std::vector<MatchResult>> results = std::vector<MatchResult>{};
    Status found;
    if (enterprise_to_scenarios) {
      auto e = impl_->store->get_enterprise(query);
      found = e.status();
      if (e) results = impl_->matcher->scenarios_for(*e, depth, today());
    } else {
      auto s = impl_->store->get_scenario(query);
      found = s.status();
      if (s) results = impl_->matcher->enterprises_for(*s, depth);
    }
    if (!found) {
      if (found.code() != ErrorCode::kNotFound) return found;
      ++report.qrels_without_scenario;
    } else {
      if (!results) return results.status();
      std::vector<std::pair<std::string, double>> run;
      for (const auto& r : *results) {
        ranked.push_back(r.id);
        run.emplace_back(r.id, r.score);
      }
      if (run_out) write_run(*run_out, query, run, "jiebang");
    }
    QueryReport line = report_query(query, ranked, judged, 10);
    accumulate(report.summary, line.measures);
    report.per_query.push_back(std::move(line));
    if (progress && ++done % 25 == 0) progress("eval", done, qrels.size());
  }
  finish(report.summary);
  // Stored queries (scenarios, or enterprises the other way round) that the qrels give no answer for.
  auto stored = impl_->store->count(enterprise_to_scenarios ? RecordKind::kEnterprise : RecordKind::kScenario);
  if (!stored) return stored.status();
  size_t measured = report.summary.queries - report.qrels_without_scenario;
  report.scenarios_without_answers = static_cast<size_t>(*stored) > measured ? static_cast<size_t>(*stored) - measured : 0;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

Result<SearchPage> Service::search_page(const std::string& query, SearchFilters filters, size_t offset, size_t limit,
                                        bool facets) const {
  if (!filters.region_code.empty()) {
    auto code = impl_->regions.resolve(filters.region_code);
    if (!code)
      return Status::invalid_field(
          "region", fmt::format("\"{}\" is not a GB/T 2260 code or a unique place name", filters.region_code));
    filters.region_code = *code;
  }
  if (!filters.industry_code.empty()) {
    auto code = impl_->industries.canonical(filters.industry_code);
    if (!code)
      return Status::invalid_field("industry",
                                   fmt::format("\"{}\" is not a GB/T 4754-2017 code", filters.industry_code));
    filters.industry_code = *code;
  }
  if (filters.today.empty()) filters.today = today();
  return impl_->index->search_page(query, filters, offset, limit, facets);
}

Result<Scenario> Service::get_scenario(const std::string& id) const { return impl_->store->get_scenario(id); }
Result<Enterprise> Service::get_enterprise(const std::string& id) const { return impl_->store->get_enterprise(id); }
Result<std::vector<Scenario>> Service::publisher_scenarios(const std::string& publisher) const {
  return impl_->store->scenarios_of_publisher(publisher);
}

Lifecycle& Service::lifecycle() { return *impl_->lifecycle; }

Status Service::sync_index() { return impl_->catch_up({}); }

Status Service::refresh() { return impl_->index->reopen(); }

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
  auto applied = impl_->index->applied_seq();
  if (!applied) return applied.status();
  auto indexed_scenarios = impl_->index->doc_count(RecordKind::kScenario);
  if (!indexed_scenarios) return indexed_scenarios.status();
  auto indexed_enterprises = impl_->index->doc_count(RecordKind::kEnterprise);
  if (!indexed_enterprises) return indexed_enterprises.status();
  s.applied_seq = *applied;
  s.indexed_scenarios = *indexed_scenarios;
  s.indexed_enterprises = *indexed_enterprises;
  s.index_writable = impl_->index->writable();
  return s;
}

bool Service::index_writable() const { return impl_->index->writable(); }

std::string Service::today() const { return shanghai_date(impl_->config.clock()); }

const MatchWeights& Service::weights() const { return impl_->weights; }
const ServiceConfig& Service::config() const { return impl_->config; }
const RegionTable& Service::regions() const { return impl_->regions; }
const IndustryTable& Service::industries() const { return impl_->industries; }
Result<DigestSummary> Service::run_digest(const IsoWeek& week, const DigestSettings& settings,
                                          const std::string& out_dir, const ProgressFn& progress,
                                          const DigestRunOptions& options) {
  DigestSettings checked = settings;
  if (Status st = checked.check_base_url(); !st) return st;
  std::string dir = out_dir.empty() ? impl_->config.data_dir + "/digests/" + week.to_string() : out_dir;
  // The files' place is checked before the work: a digest stored as done but with nowhere to
  // write would have to be rewritten by hand.
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    return Status::unavailable(fmt::format("digest files: cannot create the directory {}{}", dir,
                                           ec ? ": " + ec.message() : " (a file is in the way)"));
  if (Status st = impl_->catch_up(progress); !st) return st;
  auto summary = impl_->digest->run(week, checked, progress, options);
  if (!summary) return summary;
  auto files = impl_->digest->write_files(week, dir, progress);
  if (!files) return files.status();
  return summary;
}

Result<DigestSummary> Service::digest_summary(const IsoWeek& week) const { return impl_->digest->summary(week); }

Result<std::vector<DigestSummary>> Service::digest_runs(size_t limit) const { return impl_->digest->runs(limit); }

Result<std::vector<DigestRecipientRow>> Service::digest_recipients(const IsoWeek& week) const {
  return impl_->digest->recipients(week);
}

Result<nlohmann::json> Service::digest_recipient(const IsoWeek& week, RecipientKind kind,
                                                 const std::string& id) const {
  return impl_->digest->recipient(week, kind, id);
}

// ---- supply gaps ----

Result<SupplyGaps> Service::supply_gaps(double threshold) const {
  SupplyGaps out;
  out.threshold = threshold >= 0 ? threshold : impl_->weights.gap_text_fit;
  const std::string day = today();
  std::vector<Scenario> open;
  Status st = impl_->store->for_each_scenario([&](Scenario&& s) {
    if (s.status == "open" && (s.deadline.empty() || s.deadline >= day)) open.push_back(std::move(s));
    return true;
  });
  if (!st) return st;
  out.open_scenarios = open.size();
  std::map<std::pair<std::string, std::string>, SupplyGapGroup> groups;
  for (const auto& s : open) {
    MatchOptions o;
    o.limit = 10;
    o.matched_terms = false;
    auto ranked = impl_->matcher->enterprises_for(s, o);
    if (!ranked) return ranked.status();
    SupplyGap gap{s.id, s.title, s.publisher, s.deadline, "", "", 0};
    for (const auto& r : *ranked)
      if (gap.best_enterprise_id.empty() || r.text_fit > gap.best_text_fit) {
        gap.best_enterprise_id = r.id;
        gap.best_enterprise_name = r.name;
        gap.best_text_fit = r.text_fit;
      }
    if (gap.best_text_fit >= out.threshold && !gap.best_enterprise_id.empty()) continue;
    // Industry: the division of the first industry (a tag as given); region: the city.
    std::string industry;
    if (!s.industries.empty()) {
      auto code = impl_->industries.canonical(s.industries.front());
      industry = code ? code->substr(0, std::min<size_t>(3, code->size())) : s.industries.front();
    }
    std::string region;
    if (auto code = s.region.empty() ? std::nullopt : impl_->regions.resolve(s.region))
      region = RegionTable::ancestors(*code).size() > 1 ? code->substr(0, 4) + "00" : *code;
    SupplyGapGroup& g = groups[{industry, region}];
    if (g.scenarios.empty()) {
      g.industry = industry;
      g.industry_name = industry.empty() ? "" : impl_->industries.name(industry);
      g.region = region;
      g.region_name = region.empty() ? "" : impl_->regions.name(region);
    }
    g.scenarios.push_back(std::move(gap));
    ++out.gaps;
  }
  for (auto& [key, g] : groups) {
    std::sort(g.scenarios.begin(), g.scenarios.end(), [](const SupplyGap& a, const SupplyGap& b) {
      return a.best_text_fit != b.best_text_fit ? a.best_text_fit < b.best_text_fit : a.scenario_id < b.scenario_id;
    });
    out.groups.push_back(std::move(g));
  }
  std::stable_sort(out.groups.begin(), out.groups.end(), [](const SupplyGapGroup& a, const SupplyGapGroup& b) {
    return a.scenarios.size() > b.scenarios.size();
  });
  return out;
}

nlohmann::json supply_gaps_json(const SupplyGaps& gaps) {
  auto round4 = [](double v) { return std::round(v * 10000) / 10000; };
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : gaps.groups) {
    nlohmann::json scenarios = nlohmann::json::array();
    for (const auto& s : g.scenarios)
      scenarios.push_back({{"id", s.scenario_id},
                           {"title", s.title},
                           {"publisher", s.publisher},
                           {"deadline", s.deadline},
                           {"best_enterprise", s.best_enterprise_id.empty()
                                                   ? nlohmann::json(nullptr)
                                                   : nlohmann::json{{"id", s.best_enterprise_id}, {"name", s.best_enterprise_name}}},
                           {"best_text_fit", round4(s.best_text_fit)}});
    groups.push_back({{"industry", g.industry},
                      {"industry_name", g.industry_name},
                      {"region", g.region},
                      {"region_name", g.region_name},
                      {"scenarios", std::move(scenarios)}});
  }
  return {{"threshold", gaps.threshold},
          {"open_scenarios", gaps.open_scenarios},
          {"gaps", gaps.gaps},
          {"groups", std::move(groups)}};
}

}  // namespace jiebang
