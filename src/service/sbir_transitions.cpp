// Service::import_transitions: the SBIR Phase III transitions CSV as scenarios, enterprises and matches.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "jiebang/core/encoding.h"
#include "service_impl.h"

namespace jiebang {
namespace {

namespace fs = std::filesystem;

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
    // Past awards on scenarios long closed: recorded as history, outside the open-scenario rule.
    Lifecycle dated(*impl_->store, [at] { return std::chrono::system_clock::time_point(at); },
                    Lifecycle::Recording::kHistory);
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
        req.contract_value = Money{*value, "USD"};
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

}  // namespace jiebang
