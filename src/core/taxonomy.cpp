// Loading and querying the GB/T 2260 and GB/T 4754 code tables.
#include "jiebang/core/taxonomy.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "jiebang/core/record_reader.h"

#ifndef JIEBANG_DEFAULT_INDEX_DIR
#define JIEBANG_DEFAULT_INDEX_DIR "index"
#endif

namespace jiebang {
namespace {

/// Reads a CSV table with a header row; calls on_row for each data row.
Status load_table(const std::string& path, size_t min_cells,
                  const std::function<void(const std::vector<std::string>&)>& on_row) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(fmt::format("cannot open code table {}", path));
  bool header = true;
  std::string bad;
  Status st = read_csv(in, [&](std::vector<std::string>&& row, size_t line) {
    if (header) {
      header = false;
      return true;
    }
    if (row.size() < min_cells) {
      bad = fmt::format("{}:{}: expected at least {} columns", path, line, min_cells);
      return false;
    }
    on_row(row);
    return true;
  });
  if (!st) return Status::invalid_argument(fmt::format("{}: {}", path, st.message()));
  if (!bad.empty()) return Status::invalid_argument(bad);
  return Status::ok();
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

std::string default_index_dir() {
  if (const char* env = std::getenv("JIEBANG_INDEX_DIR"); env && *env) return env;
  // An installed binary (<prefix>/bin/jiebang) finds <prefix>/share/jiebang/index, wherever the
  // prefix was moved to; a binary in a build directory falls back to the source tree.
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    std::filesystem::path installed = exe.parent_path().parent_path() / "share" / "jiebang" / "index";
    if (std::filesystem::exists(installed / "gbt2260", ec)) return installed.string();
  }
  return JIEBANG_DEFAULT_INDEX_DIR;
}

// ---- regions ----

Result<RegionTable> RegionTable::load(const std::string& index_dir) {
  RegionTable t;
  auto add = [&t](std::string code6, const std::string& name) {
    t.by_name_[name].push_back(code6);
    t.names_[std::move(code6)] = name;
  };
  std::string dir = index_dir + "/gbt2260/";
  Status st = load_table(dir + "provinces.csv", 2, [&](const auto& r) { add(r[0] + "0000", r[1]); });
  if (!st) return st;
  st = load_table(dir + "cities.csv", 2, [&](const auto& r) {
    // Municipalities list their districts under a placeholder "市辖区" city: keep the code, not the name.
    if (r[1] == "市辖区" || r[1] == "县") t.names_[r[0] + "00"] = r[1];
    else add(r[0] + "00", r[1]);
  });
  if (!st) return st;
  st = load_table(dir + "areas.csv", 2, [&](const auto& r) { add(r[0], r[1]); });
  if (!st) return st;
  return t;
}

bool RegionTable::is_code(std::string_view code) { return code.size() == 6 && all_digits(code); }

bool RegionTable::contains(std::string_view code6) const { return names_.count(std::string(code6)) > 0; }

std::string RegionTable::name(std::string_view code6) const {
  auto it = names_.find(std::string(code6));
  return it == names_.end() ? std::string() : it->second;
}

std::optional<std::string> RegionTable::resolve(std::string_view text) const {
  std::string s(text);
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t") + 1);
  if (all_digits(s)) {
    if (s.size() == 2) s += "0000";
    else if (s.size() == 4) s += "00";
    if (s.size() == 6 && contains(s)) return s;
    return std::nullopt;
  }
  auto it = by_name_.find(s);
  if (it != by_name_.end()) {
    if (it->second.size() == 1) return it->second.front();
    return std::nullopt;  // "西湖区" alone: Hangzhou's or Nanchang's
  }
  return resolve_compound(s);
}

std::optional<std::string> RegionTable::resolve_compound(std::string s) const {
  // An address-style name: province, city and area names written together ("浙江省杭州市西湖区",
  // "杭州市 西湖区", "北京市朝阳区"). Split it into known names, longest first from the left; the
  // last part's codes are kept when every earlier part names one of their ancestors.
  s.erase(std::remove_if(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); }), s.end());
  constexpr size_t kLongestName = 48;  // bytes: 16 CJK characters
  std::vector<const std::vector<std::string>*> parts;
  for (size_t pos = 0; pos < s.size();) {
    const std::vector<std::string>* found = nullptr;
    size_t used = 0;
    for (size_t len = std::min(kLongestName, s.size() - pos); len > 0; --len) {
      auto it = by_name_.find(s.substr(pos, len));
      if (it != by_name_.end()) {
        found = &it->second;
        used = len;
        break;
      }
    }
    if (!found) return std::nullopt;
    parts.push_back(found);
    pos += used;
  }
  if (parts.size() < 2) return std::nullopt;
  std::optional<std::string> match;
  for (const auto& code : *parts.back()) {
    auto up = ancestors(code);
    bool fits = std::all_of(parts.begin(), parts.end() - 1, [&](const std::vector<std::string>* part) {
      return std::any_of(part->begin(), part->end(),
                         [&](const std::string& c) { return c != code && std::find(up.begin(), up.end(), c) != up.end(); });
    });
    if (!fits) continue;
    if (match) return std::nullopt;  // still ambiguous
    match = code;
  }
  return match;
}

std::vector<std::string> RegionTable::ancestors(std::string_view code6) {
  std::vector<std::string> out;
  if (!is_code(code6)) return out;
  std::string c(code6);
  out.push_back(c);
  std::string city = c.substr(0, 4) + "00";
  std::string province = c.substr(0, 2) + "0000";
  if (city != c) out.push_back(city);
  if (province != c && province != city) out.push_back(province);
  return out;
}

int RegionTable::closeness(std::string_view a, std::string_view b) {
  if (!is_code(a) || !is_code(b)) return 0;
  if (a == b) return 3;
  if (a.substr(0, 4) == b.substr(0, 4)) return 2;
  if (a.substr(0, 2) == b.substr(0, 2)) return 1;
  return 0;
}

// ---- industries ----

Result<IndustryTable> IndustryTable::load(const std::string& index_dir) {
  IndustryTable t;
  Status st = load_table(index_dir + "/gbt4754/industries.csv", 4, [&](const auto& r) {
    t.names_[r[0]] = r[3];
    if (r[0].size() == 3) t.section_of_division_[r[0].substr(1)] = r[0][0];
  });
  if (!st) return st;
  return t;
}

std::optional<std::string> IndustryTable::canonical(std::string_view text) const {
  std::string s(text);
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t") + 1);
  if (s.empty() || s.size() > 5) return std::nullopt;
  if (std::isalpha(static_cast<unsigned char>(s[0])))
    s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  else if (all_digits(s) && s.size() >= 2) {
    auto it = section_of_division_.find(s.substr(0, 2));
    if (it == section_of_division_.end()) return std::nullopt;
    s.insert(s.begin(), it->second);
  }
  if (s[0] < 'A' || s[0] > 'T' || !(s.size() == 1 || all_digits(s.substr(1)))) return std::nullopt;
  if (names_.count(s)) return s;
  // A group with a single class is not listed as a row; it exists when a class under it does.
  if (s.size() == 4)
    for (char d = '0'; d <= '9'; ++d)
      if (names_.count(s + d)) return s;
  return std::nullopt;
}

std::string IndustryTable::name(std::string_view code) const {
  auto it = names_.find(std::string(code));
  if (it != names_.end()) return it->second;
  if (code.size() == 4) {  // unlisted single-class group: the class carries its name
    for (char d = '0'; d <= '9'; ++d)
      if (auto c = names_.find(std::string(code) + d); c != names_.end()) return c->second;
  }
  return {};
}

std::vector<std::string> IndustryTable::ancestors(std::string_view code) {
  std::vector<std::string> out;
  if (code.empty()) return out;
  static constexpr size_t kLevels[] = {5, 4, 3, 1};
  for (size_t len : kLevels)
    if (code.size() >= len) out.emplace_back(code.substr(0, len));
  return out;
}

int IndustryTable::closeness(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty() || a[0] != b[0]) return 0;
  static constexpr size_t kLevels[] = {5, 4, 3};
  int level = 4;
  for (size_t len : kLevels) {
    if (a.size() >= len && b.size() >= len && a.substr(0, len) == b.substr(0, len)) return level;
    --level;
  }
  return 1;
}


std::vector<std::string> RegionTable::children(std::string_view code6) const {
  std::vector<std::string> out;
  if (!code6.empty() && !is_code(code6)) return out;
  for (const auto& [code, name] : names_) {
    bool province = code.ends_with("0000");
    bool city = !province && code.ends_with("00");
    if (code6.empty() ? province
                      : code6.ends_with("0000") ? city && code.starts_with(code6.substr(0, 2))
                      : code6.ends_with("00") ? !province && !city && code.starts_with(code6.substr(0, 4))
                                              : false)
      out.push_back(code);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> IndustryTable::children(std::string_view code) const {
  std::vector<std::string> out;
  for (const auto& [c, name] : names_)
    if (c.size() == code.size() + (code.empty() ? 1 : code.size() == 1 ? 2 : 1) && c.starts_with(code)) out.push_back(c);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace jiebang
