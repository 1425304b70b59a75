// Column headers as governments publish them (场景名称, 发榜单位, 预算上限（元）…) → record keys,
// loaded from index/columns.tsv and applied to the header row of CSV and .xlsx files.
#pragma once

#include <istream>
#include <map>
#include <string>
#include <string_view>

#include "jiebang/core/records.h"
#include "jiebang/core/status.h"

namespace jiebang {

/// A table of published column headers and the record keys (shared/schema/RECORDS.md) they
/// stand for, per record kind. An empty table maps nothing. Immutable after loading, so it may be
/// read from several threads.
class ColumnMap {
 public:
  /// Loads a table file: one mapping a line, `header TAB key [TAB kind]`, where kind is
  /// `scenario`, `enterprise` or `both` (the default when the column is absent); blank lines and
  /// lines starting with '#' are skipped. `key` is a record key (dotted for nested ones, such as
  /// `budget.amount_max`); a `both` line applies to the kinds that have the key, so
  /// `技术成熟度 → required_trl` and `技术成熟度 → trl` may both be listed without a kind.
  /// Errors: kNotFound when the file does not exist; kInvalidArgument naming the file and line for
  /// a wrong column count, an unknown kind or key, or a header given two different keys for one kind.
  static Result<ColumnMap> load(const std::string& path);
  /// As load, reading from `in`; `source_name` names the input in error messages.
  static Result<ColumnMap> parse(std::istream& in, const std::string& source_name);

  /// The record key for a column header in a file of `kind` records: the mapped key when the
  /// normalised header (normalize_header) is in the table for that kind, else the header with
  /// surrounding whitespace trimmed, otherwise unchanged (it becomes a kept unknown key).
  std::string key_for(RecordKind kind, std::string_view header) const;

  /// The form headers are compared in: Unicode NFKC (full-width letters, digits and brackets
  /// become half-width: "预算上限（元）" → "预算上限(元)"), all whitespace removed (published
  /// headers are often spaced out, "状  态", or wrapped in the cell), '*' marks of required columns
  /// removed from both ends, ASCII letters lower-cased.
  static std::string normalize_header(std::string_view header);

  /// Number of (header, kind) mappings.
  size_t size() const { return scenario_.size() + enterprise_.size(); }
  bool empty() const { return size() == 0; }

 private:
  std::map<std::string, std::string, std::less<>> scenario_;    // normalised header → key
  std::map<std::string, std::string, std::less<>> enterprise_;  // normalised header → key
};

}  // namespace jiebang
