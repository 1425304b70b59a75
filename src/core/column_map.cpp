// Loading index/columns.tsv and mapping published column headers to record keys.
#include "jiebang/core/column_map.h"

#include <fstream>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace jiebang {
namespace {

// The keys a header may be mapped to (shared/schema/RECORDS.md), dotted for nested objects.
const std::set<std::string, std::less<>> kScenarioKeys = {
    "id", "title", "description", "publisher", "list", "region", "industries", "keywords", "required_trl",
    "budget", "budget.amount_min", "budget.amount_max", "budget.currency", "required_qualifications", "deadline",
    "posted_at", "status", "policy"};
const std::set<std::string, std::less<>> kEnterpriseKeys = {
    "id",    "name",           "description",       "capabilities", "cases", "region", "industries", "trl",
    "qualifications", "size", "size.employees", "size.revenue_band", "contact"};

bool known_key(RecordKind kind, std::string_view key) {
  // policy (scenarios) and contact (enterprises) are free-form objects: any member may be named.
  if (kind == RecordKind::kScenario)
    return kScenarioKeys.count(key) > 0 || (key.starts_with("policy.") && key.size() > 7);
  return kEnterpriseKeys.count(key) > 0 || (key.starts_with("contact.") && key.size() > 8);
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> cells;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    cells.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  for (auto& c : cells) {
    size_t a = c.find_first_not_of(" \r"), b = c.find_last_not_of(" \r");
    c = a == std::string::npos ? "" : c.substr(a, b - a + 1);
  }
  return cells;
}

}  // namespace

std::string ColumnMap::normalize_header(std::string_view header) {
  icu::UnicodeString text =
      icu::UnicodeString::fromUTF8(icu::StringPiece(header.data(), static_cast<int32_t>(header.size())));
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(err);
  if (U_SUCCESS(err)) {
    icu::UnicodeString normalised = nfkc->normalize(text, err);
    if (U_SUCCESS(err)) text = normalised;
  }
  icu::UnicodeString kept;
  for (int32_t i = 0; i < text.length();) {
    UChar32 c = text.char32At(i);
    i += U16_LENGTH(c);
    if (u_isUWhiteSpace(c)) continue;
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    kept.append(c);
  }
  int32_t begin = 0, end = kept.length();
  while (begin < end && kept.charAt(begin) == u'*') ++begin;
  while (end > begin && kept.charAt(end - 1) == u'*') --end;
  std::string out;
  kept.tempSubStringBetween(begin, end).toUTF8String(out);
  return out;
}

Result<ColumnMap> ColumnMap::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(fmt::format("cannot open column table {}", path));
  return parse(in, path);
}

Result<ColumnMap> ColumnMap::parse(std::istream& in, const std::string& source_name) {
  ColumnMap map;
  std::string line;
  size_t line_no = 0;
  auto bad = [&](const std::string& why) {
    return Status::invalid_argument(fmt::format("{}:{}: {}", source_name, line_no, why));
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line_no == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    auto cells = split_tabs(line);
    if (cells.size() < 2 || cells.size() > 3)
      return bad(fmt::format("expected \"header<TAB>key\" or \"header<TAB>key<TAB>kind\", got {} columns",
                             cells.size()));
    const std::string& header = cells[0];
    const std::string& key = cells[1];
    std::string kind = cells.size() == 3 && !cells[2].empty() ? cells[2] : "both";
    if (header.empty() || key.empty()) return bad("the header and the key must not be empty");
    std::vector<RecordKind> kinds;
    if (kind == "scenario") kinds = {RecordKind::kScenario};
    else if (kind == "enterprise") kinds = {RecordKind::kEnterprise};
    else if (kind == "both") kinds = {RecordKind::kScenario, RecordKind::kEnterprise};
    else return bad(fmt::format("kind \"{}\" is not scenario, enterprise or both", kind));
    // "both" applies a mapping to the kinds that have the key, so 技术成熟度 → required_trl and
    // 技术成熟度 → trl can both be listed without a kind.
    std::erase_if(kinds, [&](RecordKind k) { return !known_key(k, key); });
    if (kinds.empty())
      return bad(fmt::format("\"{}\" is not a {} record key", key,
                             kind == "both" ? std::string("scenario or enterprise") : kind));
    std::string normalised = normalize_header(header);
    if (normalised.empty()) return bad(fmt::format("header \"{}\" is empty once normalised", header));
    for (RecordKind k : kinds) {
      auto& table = k == RecordKind::kScenario ? map.scenario_ : map.enterprise_;
      auto [it, inserted] = table.emplace(normalised, key);
      if (!inserted && it->second != key)
        return bad(fmt::format("header \"{}\" is already mapped to \"{}\" for {}s; give the kind column to "
                               "tell them apart",
                               header, it->second, record_kind_name(k)));
    }
  }
  if (in.bad()) return Status::unavailable(fmt::format("{}: read error after line {}", source_name, line_no));
  return map;
}

std::string ColumnMap::key_for(RecordKind kind, std::string_view header) const {
  const auto& table = kind == RecordKind::kScenario ? scenario_ : enterprise_;
  if (!table.empty()) {
    auto it = table.find(normalize_header(header));
    if (it != table.end()) return it->second;
  }
  size_t a = header.find_first_not_of(" \t\r\n"), b = header.find_last_not_of(" \t\r\n");
  return a == std::string_view::npos ? std::string() : std::string(header.substr(a, b - a + 1));
}

}  // namespace jiebang
