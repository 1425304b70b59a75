// GB/T 2260 region and GB/T 4754-2017 industry hierarchies, loaded from the index/ definition.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "jiebang/core/status.h"

namespace jiebang {

/// The index definition (taxonomies, synonyms, weights): $JIEBANG_INDEX_DIR if set, else an installed
/// binary's ../share/jiebang/index when it exists, else the source tree's index/ set at build time.
std::string default_index_dir();

/// GB/T 2260 administrative divisions: province (2 digits + "0000"), prefecture-level city
/// (4 digits + "00"), county-level area (6 digits). Codes are always handled in 6-digit form.
class RegionTable {
 public:
  /// Loads gbt2260/{provinces,cities,areas}.csv from `index_dir`.
  /// Errors: kNotFound if a file is missing, kInvalidArgument if one is malformed.
  static Result<RegionTable> load(const std::string& index_dir);

  /// True when `code6` is a known 6-digit code of any level.
  bool contains(std::string_view code6) const;
  /// The place name of a 6-digit code ("余杭区"), or "".
  std::string name(std::string_view code6) const;
  /// A region as given in a record ("330110", "3301", "33", "杭州市", "余杭区", or an address-style
  /// "浙江省杭州市西湖区" / "北京市 朝阳区" whose parts narrow an ambiguous area name down) → its
  /// 6-digit code; nullopt when it is neither a known code nor an unambiguous place name.
  std::optional<std::string> resolve(std::string_view text) const;
  size_t size() const { return names_.size(); }
  /// The codes one level below `code6`, in code order: "" → provinces, a province → its cities,
  /// a city → its areas. Empty for an area or an unknown code. O(size()).
  std::vector<std::string> children(std::string_view code6) const;

  /// The 6-digit codes a record in region `code6` is filed under: itself, its city and its
  /// province ("330110" → {"330110", "330100", "330000"}), without repeats.
  static std::vector<std::string> ancestors(std::string_view code6);
  /// How close two 6-digit codes are: 3 same area (or both the same code), 2 same city,
  /// 1 same province, 0 otherwise or when either is not a 6-digit code.
  static int closeness(std::string_view a, std::string_view b);
  /// True when `code` is six ASCII digits.
  static bool is_code(std::string_view code);

 private:
  std::optional<std::string> resolve_compound(std::string name) const;
  std::unordered_map<std::string, std::string> names_;          // code6 → name
  std::unordered_map<std::string, std::vector<std::string>> by_name_;  // name → code6s
};

/// GB/T 4754-2017 industries: section letter (A–T), division (letter + 2 digits), group (+3),
/// class (+4), e.g. I, I65, I651, I6510. Codes given without the letter ("65", "6510") are
/// completed from the division table.
class IndustryTable {
 public:
  /// Loads gbt4754/industries.csv from `index_dir`. Errors as RegionTable::load.
  static Result<IndustryTable> load(const std::string& index_dir);

  /// A code as given ("I65", "i6510", "6510") → canonical form ("I65", "I6510"); nullopt when it
  /// is not a GB/T 4754 code (e.g. a domain tag like "智慧医疗"). Codes whose level is derivable
  /// from a listed class (groups with a single class) are accepted.
  std::optional<std::string> canonical(std::string_view text) const;
  std::string name(std::string_view code) const;
  size_t size() const { return names_.size(); }
  /// The canonical codes one level below `code`, in code order: "" → sections (A–T), a section →
  /// its divisions ("I" → I63, I64, I65), a division → its groups, a group → its classes. O(size()).
  std::vector<std::string> children(std::string_view code) const;

  /// A canonical code and its ancestors, most specific first: "I6510" → {"I6510","I651","I65","I"}.
  static std::vector<std::string> ancestors(std::string_view code);
  /// Length of the shared hierarchy of two canonical codes: 4 same class, 3 same group,
  /// 2 same division, 1 same section, 0 none.
  static int closeness(std::string_view a, std::string_view b);

 private:
  std::unordered_map<std::string, std::string> names_;     // code → name
  std::unordered_map<std::string, char> section_of_division_;  // "65" → 'I'
};

}  // namespace jiebang
