// Reading record files: JSON Lines, CSV (RFC 4180, via libcsv) and .xlsx worksheets, one JSON object per record.
#pragma once

#include <cstddef>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "jiebang/core/column_map.h"
#include "jiebang/core/records.h"
#include "jiebang/core/status.h"

namespace jiebang {

/// The format of a record file.
enum class FileFormat { kJsonLines, kCsv, kXlsx };

/// Guesses the format from the file name: ".csv" (any case) is CSV, ".xlsx" (any case) an Excel
/// workbook, anything else JSON Lines.
FileFormat format_from_path(const std::string& path);

/// One raw record read from a file, before validation.
struct RawRecord {
  size_t line = 0;            ///< 1-based line where the record starts (for .xlsx: the sheet row)
  nlohmann::json object;      ///< the record as JSON; null when `error` is set
  std::string error;          ///< what was wrong with the line (bad JSON, wrong column count), or ""
};

/// How to read CSV and .xlsx tables (JSON Lines ignores these).
struct ReadOptions {
  /// Published header → record key mapping for the header row (index/columns.tsv); null: the
  /// headers are used as keys, trimmed. Not owned; must outlive the read_records call.
  const ColumnMap* columns = nullptr;
  /// .xlsx: the worksheet to read (see read_xlsx_sheet); "" = the first visible worksheet.
  std::string sheet;
};

/// Calls `on_record` for every record in `in`, in file order. The text formats must already be
/// UTF-8 (open_as_utf8 converts GBK/GB18030 files); a UTF-8 byte-order mark at the start is ignored.
///
/// JSON Lines: one object a line; blank lines are skipped; a line that is not valid JSON (or not
/// UTF-8) is delivered with `error` set so the caller can report it and go on.
///
/// CSV and .xlsx: a table whose header row names the keys (mapped by `options.columns`); each
/// further row becomes an object through csv_row_to_json. Leading rows with at most one filled
/// cell above a wider row are taken as the list's title lines and skipped. In a workbook, numeric
/// cells under the date keys (deadline, posted_at) are Excel serial dates and become YYYY-MM-DD,
/// other numbers are written as Excel shows them ("7", not "7.0"). A row with more cells than the
/// header, or that is not UTF-8, is delivered with `error` set.
///
/// Returns an error only when the file as a whole cannot be read: kInvalidArgument for CSV with no
/// header row, an unterminated quoted cell at the end, two columns that give the same key, or an
/// .xlsx file read_xlsx_sheet rejects (naming the part). `on_record` returning false stops.
Status read_records(std::istream& in, FileFormat format, RecordKind kind, const ReadOptions& options,
                    const std::function<bool(RawRecord&&)>& on_record);
/// As above with default options (no header mapping, first sheet).
Status read_records(std::istream& in, FileFormat format, RecordKind kind,
                    const std::function<bool(RawRecord&&)>& on_record);

/// Parses CSV text row by row (RFC 4180: quoted cells may hold commas, quotes and newlines).
/// `on_row(cells, line)` gets each row with the 1-based line it starts on; returning false stops.
Status read_csv(std::istream& in, const std::function<bool(std::vector<std::string>&&, size_t)>& on_row);

}  // namespace jiebang
