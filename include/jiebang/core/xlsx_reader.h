// Reading one worksheet of an Excel .xlsx workbook (Office Open XML, ECMA-376 Part 1) as rows of
// cells, for importing lists published as Excel files. libzip and pugixml stay behind this header.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jiebang/core/status.h"

namespace jiebang {

/// One cell as stored in the sheet.
struct XlsxCell {
  enum class Type {
    kEmpty,    ///< no value (omitted, or only formatted)
    kText,     ///< shared string, inline string or formula string result
    kNumber,   ///< a number; dates are numbers too (serial days, see excel_serial_date)
    kBoolean,  ///< TRUE / FALSE
    kError,    ///< a formula error such as "#N/A"
    kDate,     ///< an ISO 8601 date/time cell (t="d", rare)
  };
  Type type = Type::kEmpty;
  /// The value as text: the string; the number as Excel shows it in General format
  /// (excel_number_text: integers without ".0"); "TRUE"/"FALSE"; the error code; the ISO text.
  std::string text;
  double number = 0;  ///< kNumber: the value; kBoolean: 1 or 0
};

/// One row of a sheet. `cells[i]` is the cell in column i (0 = A, 27 = AB); cells left out of the
/// file (empty) are kEmpty, and trailing empty cells may be missing.
struct XlsxRow {
  size_t number = 0;  ///< 1-based row number as Excel shows it
  std::vector<XlsxCell> cells;
};

/// A worksheet read from a workbook: its rows that hold at least one cell, in order.
struct XlsxSheet {
  std::string name;        ///< the sheet's name (the tab label)
  bool date1904 = false;   ///< the workbook uses the 1904 date system (old Mac Excel)
  std::vector<XlsxRow> rows;
};

/// Reads a worksheet from `package`, the bytes of an .xlsx file: the sheet named `sheet_name`
/// (compared ignoring ASCII case, as Excel does), or the first visible worksheet when it is "".
/// Reads the parts _rels/.rels, the workbook (xl/workbook.xml), its relationships, the shared
/// strings (plain and rich-text runs; phonetic runs skipped; _xHHHH_ escapes decoded) and the sheet.
/// Errors (kInvalidArgument, naming the part of the package and the cell where it applies): not a
/// zip package or a truncated one, a missing part, malformed XML, a sheet name that is not in the
/// workbook (the message lists the sheet names), a chart sheet, a bad cell reference, a shared
/// string index out of range, a numeric cell that is not a number, a part larger than 48 MiB
/// unpacked, more XML items, rows, columns or cells than Excel allows, a row whose cells hold more
/// text than one record may (kRecordLimits.record_bytes), a sheet whose cells hold more than 64 MiB
/// of text (shared strings counted at each cell that refers to them, before the copy).
/// Thread-safe (no shared state).
Result<XlsxSheet> read_xlsx_sheet(std::string_view package, const std::string& sheet_name = "");

/// A number as Excel's General format shows it: integers without a decimal point ("7",
/// "500000"), others with up to 15 significant digits ("1234.56", "0.3").
std::string excel_number_text(double value);

/// An Excel serial date as YYYY-MM-DD; a time-of-day fraction is dropped. In the 1900 date system
/// serial 1 is 1900-01-01 and serial 61 is 1900-03-01: Excel counts a 29 February 1900 that never
/// was (serial 60, kept for Lotus 1-2-3 compatibility; ECMA-376 Part 1 §18.17.4.1), so it gives
/// nullopt. In the 1904 system serial 0 is 1904-01-01. Nullopt also for serials before day 1
/// (day 0 in 1904) and after 9999-12-31, and for non-finite values.
std::optional<std::string> excel_serial_date(double serial, bool date1904 = false);

}  // namespace jiebang
