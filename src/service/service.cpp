// Service: wiring of store, index and matcher; import, search, match, evaluation.
#include "jiebang/service/service.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <map>
#include <fstream>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "jiebang/text/word_segmenter.h"
#include "jiebang/core/calendar.h"
#include "jiebang/core/encoding.h"

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
  ColumnMap columns;  ///< published CSV/.xlsx headers → record keys (index/columns.tsv)
  MatchWeights weights;
  std::unique_ptr<Store> store;
  std::unique_ptr<SearchIndex> index;
  std::unique_ptr<Matcher> matcher;
  std::unique_ptr<Lifecycle> lifecycle;
  std::unique_ptr<DigestRunner> digest;

  Status catch_up(const ProgressFn& progress) {
    if (!index->writable()) return Status::ok();  // another process owns the index and keeps it current
    if (index->outdated()) {
      // Written by an older jiebang whose terms differ: rebuilt from the store (the source of truth).
      if (progress) progress("index written by an older jiebang: rebuilding", 0, 0);
      auto r = index->rebuild(*store, [&](const IndexProgress& p) {
        if (progress) progress("reindex", static_cast<size_t>(p.applied_seq), static_cast<size_t>(p.store_seq));
      });
      return r.status();
    }
    if (index->doc_count(RecordKind::kScenario) == 0 && index->doc_count(RecordKind::kEnterprise) == 0 &&
        index->applied_seq() == 0)
      if (Status st = index->mark_current_format(); !st) return st;
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
  auto index = SearchIndex::open(config.data_dir + "/index", impl->regions, impl->industries, &impl->synonyms);
  if (!index) return index.status();
  impl->index = std::move(*index);
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

Result<ImportReport> Service::import_file(RecordKind kind, const std::string& path, const ProgressFn& progress,
                                         const std::string& sheet) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(fmt::format("cannot open {}", path));
  auto r = import_stream(kind, in, format_from_path(path), progress, sheet);
  if (!r) return Status(r.status().code(), fmt::format("{}: {}", path, r.status().message()));
  return r;
}

Result<ImportReport> Service::import_stream(RecordKind kind, std::istream& in, FileFormat format,
                                            const ProgressFn& progress, const std::string& sheet) {
  auto start = std::chrono::steady_clock::now();
  ImportReport report;
  if (!sheet.empty() && format != FileFormat::kXlsx)
    return Status::invalid_argument(
        fmt::format("a sheet (\"{}\") was given, but only .xlsx workbooks have sheets", sheet));
  std::istream* source = &in;
  Utf8Input text;
  if (format != FileFormat::kXlsx) {
    auto utf8 = open_as_utf8(in);
    if (!utf8) return utf8.status();
    text = std::move(*utf8);
    source = text.stream;
    report.encoding = std::string(encoding_name(text.encoding));
  }
  ReadOptions options;
  options.columns = &impl_->columns;
  options.sheet = sheet;
  std::vector<Scenario> scenarios;
  std::vector<Enterprise> enterprises;
  std::vector<size_t> lines;
  Status failure;
  Status read = read_records(*source, format, kind, options, [&](RawRecord&& raw) {
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
    accumulate(report.summary, measure(ranked, judged, 10));
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
  return impl_->index->search_page(query, filters, offset, limit, facets);
}

std::optional<Scenario> Service::validate_scenario(const nlohmann::json& j, std::vector<FieldError>& errors) const {
  auto s = scenario_from_json(j, errors);
  if (s) check_codes(s->region, s->industries, impl_->regions, impl_->industries, errors);
  if (!errors.empty()) return std::nullopt;
  return s;
}

std::optional<Enterprise> Service::validate_enterprise(const nlohmann::json& j, std::vector<FieldError>& errors) const {
  auto e = enterprise_from_json(j, errors);
  if (e) check_codes(e->region, e->industries, impl_->regions, impl_->industries, errors);
  if (!errors.empty()) return std::nullopt;
  return e;
}

Result<UpsertOutcome> Service::put_scenario(const Scenario& s) {
  auto r = impl_->store->upsert_scenarios({s});
  if (!r) return r.status();
  Result<UpsertOutcome> outcome = r->front();
  if (!outcome) return outcome;
  if (Status st = impl_->catch_up({}); !st) return st;
  return outcome;
}

Result<UpsertOutcome> Service::put_enterprise(const Enterprise& e) {
  auto r = impl_->store->upsert_enterprises({e});
  if (!r) return r.status();
  Result<UpsertOutcome> outcome = r->front();
  if (!outcome) return outcome;
  if (Status st = impl_->catch_up({}); !st) return st;
  return outcome;
}

Result<Scenario> Service::get_scenario(const std::string& id) const { return impl_->store->get_scenario(id); }
Result<Enterprise> Service::get_enterprise(const std::string& id) const { return impl_->store->get_enterprise(id); }

Lifecycle& Service::lifecycle() { return *impl_->lifecycle; }

Status Service::sync_index() { return impl_->catch_up({}); }

namespace {

/// "$7,910,825" / "7910825.50" → cents; nullopt when there is no plain amount (e.g. "$402M IDIQ").
std::optional<int64_t> dollars_to_cents(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (c == '$' || c == ',' || c == ' ') continue;
    if ((c >= '0' && c <= '9') || c == '.') digits += c;
    else return std::nullopt;
  }
  if (digits.empty()) return std::nullopt;
  try {
    size_t used = 0;
    double v = std::stod(digits, &used);
    if (used != digits.size() || v < 0 || v > 1e13) return std::nullopt;
    return static_cast<int64_t>(std::llround(v * 100));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string slug(const std::string& name) {
  std::string out;
  for (char c : name) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += c;
    else if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
    else if (!out.empty() && out.back() != '-') out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

}  // namespace

Result<ImportReport> Service::import_transitions(const std::string& path) {
  auto start = std::chrono::steady_clock::now();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(fmt::format("cannot open {}", path));
  std::vector<std::string> header;
  struct Row {
    size_t line;
    std::map<std::string, std::string> cells;
  };
  std::vector<Row> rows;
  Status read = read_csv(in, [&](std::vector<std::string>&& cells, size_t line) {
    if (header.empty()) {
      header = std::move(cells);
      return true;
    }
    Row r{line, {}};
    for (size_t i = 0; i < header.size() && i < cells.size(); ++i) r.cells[header[i]] = cells[i];
    rows.push_back(std::move(r));
    return true;
  });
  if (!read) return Status(read.code(), fmt::format("{}: {}", path, read.message()));
  ImportReport report;
  for (const auto& row : rows) {
    ++report.read;
    auto cell = [&](const char* k) {
      auto it = row.cells.find(k);
      return it == row.cells.end() ? std::string() : it->second;
    };
    std::string firm = cell("firm"), year = cell("year"), description = cell("description");
    auto value = dollars_to_cents(cell("transition_value"));
    auto reject = [&](const char* key, std::string why) {
      ++report.rejected;
      report.errors.push_back({row.line, firm, key, std::move(why)});
    };
    bool utf8 = std::all_of(row.cells.begin(), row.cells.end(), [](const auto& kv) { return is_valid_utf8(kv.second); });
    if (!utf8) { reject("", "row is not valid UTF-8"); continue; }
    if (firm.empty()) { reject("firm", "is required"); continue; }
    if (year.size() != 4 || !is_iso_date(year + "-01-01")) { reject("year", fmt::format("expected a year, got \"{}\"", year)); continue; }
    if (!value) { reject("transition_value", fmt::format("not a plain dollar amount: \"{}\"", cell("transition_value"))); continue; }
    std::string agency = cell("agency").empty() ? "Department of Defense" : cell("agency");
    std::string publisher = cell("command").empty() ? agency : agency + " / " + cell("command");
    Scenario s;
    s.id = fmt::format("transition-{}-{}", slug(firm), row.line);
    s.title = description.empty() ? fmt::format("Phase III transition of {}", firm) : description;
    s.description = fmt::format("{} (SBIR Phase III transition; prior SBIR topics: {}; type: {}; source: {})", s.title,
                                cell("prior_sbir"), cell("transition_type"), cell("source_url"));
    s.publisher = publisher;
    s.region = cell("state");
    s.posted_at = year + "-01-01";
    s.status = "awarded";
    s.budget = Budget{std::nullopt, *value, "USD"};
    Enterprise e;
    e.id = "sbir-firm-" + slug(firm);
    e.name = firm;
    e.region = cell("state");
    auto existing = impl_->store->get_enterprise(e.id);
    if (existing) e = *existing;
    std::string prior = cell("prior_sbir");
    for (size_t pos = 0; pos < prior.size();) {
      size_t end = prior.find(' ', pos);
      if (end == std::string::npos) end = prior.size();
      std::string topic = prior.substr(pos, end - pos);
      pos = end + 1;
      if (topic.empty()) continue;
      bool known = std::any_of(e.cases.begin(), e.cases.end(), [&](const Case& c) { return c.title == "SBIR topic " + topic; });
      if (!known) e.cases.push_back({"SBIR topic " + topic, "", publisher, std::nullopt, "validation"});
    }
    auto sr = impl_->store->upsert_scenarios({s});
    if (!sr) return sr.status();
    if (!sr->front()) { reject("firm", sr->front().status().message()); continue; }
    auto er = impl_->store->upsert_enterprises({e});
    if (!er) return er.status();
    // The source gives the transition year only: every event is dated 1 January of that year.
    auto at = std::chrono::sys_days{std::chrono::year{std::stoi(year)} / 1 / 1};
    Lifecycle dated(*impl_->store, [at] { return std::chrono::system_clock::time_point(at); });
    Actor op{Role::kOperator, "import:" + fs::path(path).filename().string()};
    auto m = dated.create(s.id, e.id, op, Stage::kApplied, "imported from " + cell("source_url"));
    if (!m) {
      if (m.status().code() == ErrorCode::kConflict) { ++report.unchanged; continue; }
      return m.status();
    }
    for (Stage to : {Stage::kSelected, Stage::kRd, Stage::kValidation, Stage::kCommercialized}) {
      MoveRequest req;
      req.to = to;
      req.evidence = cell("source_url");
      if (to == Stage::kCommercialized) {
        req.contract_value_fen = *value;
        req.contract_currency = "USD";
        req.note = cell("transition_type");
      }
      auto moved = dated.move(m->id, op, req);
      if (!moved) return moved.status();
    }
    ++report.inserted;
  }
  if (Status st = impl_->catch_up({}); !st) return st;
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
  std::chrono::year_month_day ymd{shanghai_day(impl_->config.clock())};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

const MatchWeights& Service::weights() const { return impl_->weights; }
const ServiceConfig& Service::config() const { return impl_->config; }

// ---- web API keys ----

namespace {

constexpr std::string_view kKeyPrefix = "jb_";
constexpr size_t kKeyRandomBytes = 32;

/// RFC 4648 §5 base64url without padding.
std::string base64url(const unsigned char* data, size_t size) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  for (size_t i = 0; i < size; i += 3) {
    uint32_t n = static_cast<uint32_t>(data[i]) << 16;
    if (i + 1 < size) n |= static_cast<uint32_t>(data[i + 1]) << 8;
    if (i + 2 < size) n |= data[i + 2];
    size_t chars = size - i >= 3 ? 4 : size - i + 1;
    for (size_t c = 0; c < chars; ++c) out += kAlphabet[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

/// Lower-case hex SHA-256 (FIPS 180-4) of `text`; "" if OpenSSL fails.
std::string sha256_hex(std::string_view text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
  std::string out;
  for (unsigned int i = 0; i < len; ++i) out += fmt::format("{:02x}", md[i]);
  return out;
}

Result<Service::ApiKey> key_from_row(const ApiKeyRow& row) {
  auto role = parse_role(row.role);
  if (!role) return Status::internal(fmt::format("API key {}: unknown role \"{}\" in the store", row.id, row.role));
  return Service::ApiKey{row.id, *role, row.scope, row.created_at, row.revoked_at};
}

}  // namespace

Result<Service::NewApiKey> Service::create_key(Role role, const std::string& scope) {
  if (role == Role::kOperator && !scope.empty())
    return Status::invalid_argument("scope: an operator key has no scope");
  if (role != Role::kOperator && scope.empty())
    return Status::invalid_argument(role == Role::kPublisher ? "org: a publisher key needs its organisation"
                                                             : "enterprise: an enterprise key needs the enterprise id");
  if (scope.size() > 200 || !is_valid_utf8(scope) ||
      std::any_of(scope.begin(), scope.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
    return Status::invalid_argument("scope: at most 200 bytes of UTF-8 text without control characters");
  unsigned char random[kKeyRandomBytes];
  if (RAND_bytes(random, sizeof random) != 1) return Status::unavailable("cannot get random bytes from OpenSSL");
  std::string secret = std::string(kKeyPrefix) + base64url(random, sizeof random);
  ApiKeyRow row;
  row.key_hash = sha256_hex(secret);
  if (row.key_hash.empty()) return Status::internal("OpenSSL could not compute SHA-256");
  row.role = std::string(role_name(role));
  row.scope = scope;
  row.created_at = impl_->lifecycle->now_iso();
  auto stored = impl_->store->insert_api_key(std::move(row));
  if (!stored) return stored.status();
  auto key = key_from_row(*stored);
  if (!key) return key.status();
  return NewApiKey{*key, std::move(secret)};
}

Result<Service::ApiKey> Service::revoke_key(int64_t id) {
  auto row = impl_->store->revoke_api_key(id, impl_->lifecycle->now_iso());
  if (!row) return row.status();
  return key_from_row(*row);
}

Result<std::vector<Service::ApiKey>> Service::list_keys() const {
  auto rows = impl_->store->list_api_keys();
  if (!rows) return rows.status();
  std::vector<ApiKey> out;
  for (const auto& row : *rows) {
    auto key = key_from_row(row);
    if (!key) return key.status();
    out.push_back(std::move(*key));
  }
  return out;
}

Result<Service::ApiKey> Service::authenticate(const std::string& secret) const {
  // A well-formed key is the prefix and 43 base64url characters; anything else is refused
  // before touching the store.
  bool well_formed = secret.size() == kKeyPrefix.size() + 43 && secret.starts_with(kKeyPrefix) &&
                     std::all_of(secret.begin() + kKeyPrefix.size(), secret.end(), [](char c) {
                       return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                              c == '_';
                     });
  if (!well_formed) return Status(ErrorCode::kPermissionDenied, "malformed API key");
  auto row = impl_->store->find_api_key(sha256_hex(secret));
  if (!row) {
    if (row.status().code() == ErrorCode::kNotFound) return Status(ErrorCode::kPermissionDenied, "unknown API key");
    return row.status();
  }
  if (!row->revoked_at.empty())
    return Status(ErrorCode::kPermissionDenied, fmt::format("API key {} was revoked at {}", row->id, row->revoked_at));
  return key_from_row(*row);
}

namespace {
constexpr std::string_view kSessionPrefix = "js_";

/// "YYYY-MM-DDTHH:MM:SSZ" of a UTC time point.
std::string iso_utc(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

/// base64url of `n` random bytes from OpenSSL; "" when it has none.
std::string random_token(size_t n) {
  std::vector<unsigned char> random(n);
  if (RAND_bytes(random.data(), static_cast<int>(n)) != 1) return {};
  return base64url(random.data(), n);
}
}  // namespace

Result<Service::WebSession> Service::open_session(const std::string& secret, std::chrono::seconds ttl) {
  auto key = authenticate(secret);
  if (!key) return key.status();
  std::string token = random_token(32), csrf = random_token(32);
  if (token.empty() || csrf.empty()) return Status::unavailable("cannot get random bytes from OpenSSL");
  token = std::string(kSessionPrefix) + token;
  auto now = impl_->config.clock ? impl_->config.clock() : std::chrono::system_clock::now();
  WebSessionRow row;
  row.token_hash = sha256_hex(token);
  row.key_id = key->id;
  row.csrf = csrf;
  row.created_at = iso_utc(now);
  row.expires_at = iso_utc(now + ttl);
  if (Status st = impl_->store->insert_web_session(row); !st) return st;
  return WebSession{std::move(token), std::move(csrf), std::move(*key), row.expires_at};
}

Result<Service::WebSession> Service::session(const std::string& token) const {
  if (!token.starts_with(kSessionPrefix) || token.size() != kSessionPrefix.size() + 43)
    return Status(ErrorCode::kPermissionDenied, "malformed session");
  auto found = impl_->store->find_web_session(sha256_hex(token));
  if (!found) {
    if (found.status().code() == ErrorCode::kNotFound)
      return Status(ErrorCode::kPermissionDenied, "no such session (signed out, or never signed in)");
    return found.status();
  }
  auto& [row, key_row] = *found;
  if (!key_row.revoked_at.empty())
    return Status(ErrorCode::kPermissionDenied, fmt::format("the session's key was revoked at {}", key_row.revoked_at));
  auto now = impl_->config.clock ? impl_->config.clock() : std::chrono::system_clock::now();
  if (iso_utc(now) >= row.expires_at)
    return Status(ErrorCode::kPermissionDenied, fmt::format("the session expired at {}", row.expires_at));
  auto key = key_from_row(key_row);
  if (!key) return key.status();
  return WebSession{"", row.csrf, std::move(*key), row.expires_at};
}

Status Service::end_session(const std::string& token) {
  return impl_->store->delete_web_session(sha256_hex(token));
}

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

Result<nlohmann::json> Service::digest_recipient(const IsoWeek& week, const std::string& kind,
                                                 const std::string& id) const {
  return impl_->digest->recipient(week, kind, id);
}

}  // namespace jiebang

namespace jiebang {

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
