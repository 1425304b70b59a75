// Service import: files and streams of records validated, stored in batches and indexed; single records.
#include <fstream>

#include <fmt/format.h>

#include "jiebang/core/encoding.h"
#include "service_impl.h"

namespace jiebang {
namespace service_detail {
namespace {

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

}  // namespace

void check_codes(const std::string& region, const std::vector<std::string>& industries, const RegionTable& regions,
                 const IndustryTable& table, std::vector<FieldError>& errors) {
  if (RegionTable::is_code(region) && !regions.contains(region))
    errors.push_back({"region", fmt::format("\"{}\" is not a GB/T 2260 region code", region)});
  for (size_t i = 0; i < industries.size(); ++i)
    if (looks_like_industry_code(industries[i]) && !table.canonical(industries[i]))
      errors.push_back({fmt::format("industries[{}]", i),
                        fmt::format("\"{}\" is not a GB/T 4754-2017 industry code", industries[i])});
}

}  // namespace service_detail

using service_detail::check_codes;

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
  if (Status st = impl_->writable_space(); !st) return st;
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
  if (Status st = impl_->compact_after_import(kind, report.inserted + report.updated); !st) return st;
  if (progress) progress("import", report.read, report.read);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
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
  if (Status st = impl_->writable_space(); !st) return st;
  auto r = impl_->store->upsert_scenarios({s});
  if (!r) return r.status();
  Result<UpsertOutcome> outcome = r->front();
  if (!outcome) return outcome;
  if (Status st = impl_->catch_up({}); !st) return st;
  return outcome;
}

Result<UpsertOutcome> Service::put_enterprise(const Enterprise& e) {
  if (Status st = impl_->writable_space(); !st) return st;
  auto r = impl_->store->upsert_enterprises({e});
  if (!r) return r.status();
  Result<UpsertOutcome> outcome = r->front();
  if (!outcome) return outcome;
  if (Status st = impl_->catch_up({}); !st) return st;
  return outcome;
}

}  // namespace jiebang
