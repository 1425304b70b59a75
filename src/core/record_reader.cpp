// JSON Lines, CSV and .xlsx readers for record files.
#include "jiebang/core/record_reader.h"
#include "jiebang/core/input_rules.h"

#include <algorithm>
#include <cctype>
#include <iterator>

#include <csv.h>
#include <fmt/format.h>

#include "jiebang/core/json_text.h"
#include "jiebang/core/limits.h"
#include "jiebang/core/xlsx_reader.h"

namespace jiebang {
namespace {

struct CsvState {
  std::vector<std::string> cells;
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> row_lines;
  size_t current_line = 0;
  size_t row_start_line = 0;
  size_t pending_start = 0;  // the line the parser was at when it last began a row
  bool in_row = false;
  bool too_many_columns = false;  // a row had more than kRecordLimits.columns cells (the rest dropped)
};

/// Reads one line (without its '\n') keeping at most `max` bytes of it: a longer line's rest is
/// read and dropped, `length` says how long it was. False at the end of the input. Memory stays
/// bounded by `max` whatever the line's length (a 120 MB line costs 1 MiB, not gigabytes).
bool bounded_getline(std::istream& in, std::string& line, size_t max, size_t& length) {
  line.clear();
  length = 0;
  std::streambuf* sb = in.rdbuf();
  if (!sb || !in.good()) return false;
  bool any = false;
  for (int c = sb->sbumpc(); c != std::char_traits<char>::eof(); c = sb->sbumpc()) {
    any = true;
    if (c == '\n') return true;
    if (line.size() < max) line.push_back(static_cast<char>(c));
    ++length;
  }
  in.setstate(std::ios::eofbit);
  return any;
}

// libcsv's parser state before any byte of a row (ROW_NOT_BEGUN in libcsv.c).
constexpr int kCsvRowNotBegun = 0;

void on_field(void* data, size_t len, void* p) {
  auto* st = static_cast<CsvState*>(p);
  if (!st->in_row) {
    // libcsv delivers a cell when it ENDS: a quoted first cell may have begun lines earlier.
    st->in_row = true;
    st->row_start_line = st->pending_start;
  }
  if (st->cells.size() >= kRecordLimits.columns) {
    st->too_many_columns = true;
    return;
  }
  st->cells.emplace_back(data ? static_cast<const char*>(data) : "", data ? len : 0);
}

void on_row_end(int, void* p) {
  auto* st = static_cast<CsvState*>(p);
  if (!st->in_row) st->row_start_line = st->pending_start;
  st->rows.push_back(std::move(st->cells));
  st->row_lines.push_back(st->row_start_line);
  st->cells.clear();
  st->in_row = false;
}

void strip_bom(std::string& line) {
  if (line.size() >= 3 && static_cast<unsigned char>(line[0]) == 0xEF &&
      static_cast<unsigned char>(line[1]) == 0xBB && static_cast<unsigned char>(line[2]) == 0xBF)
    line.erase(0, 3);
}

bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}


constexpr const char* kNotUtf8Line = "line is not valid UTF-8 (a GBK/GB18030 line among UTF-8 lines?)";

/// Leading rows with at most one filled cell above a wider row are title lines of the published
/// list ("杭州市2026年第3批场景机会清单", "发布日期：…"); more of them than this means a
/// one-column table instead.
constexpr size_t kMaxTitleRows = 5;

size_t filled_cells(const std::vector<std::string>& row) {
  return static_cast<size_t>(std::count_if(row.begin(), row.end(), [](const std::string& c) { return !blank(c); }));
}

/// "C" for .xlsx (as Excel labels columns), "3" for CSV.
std::string column_label(size_t index, bool letters) {
  if (!letters) return std::to_string(index + 1);
  std::string name;
  for (size_t n = index + 1; n > 0; n = (n - 1) / 26) name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
  return name;
}

/// The record keys of a header row, mapped through `columns`. Two columns giving one key would
/// make one of them silently lost, so that is an error naming both columns.
Result<std::vector<std::string>> header_keys(RecordKind kind, const ColumnMap* columns,
                                             const std::vector<std::string>& header, size_t line, bool xlsx) {
  static const ColumnMap kNoMapping;
  const ColumnMap& map = columns ? *columns : kNoMapping;
  std::vector<std::string> keys;
  keys.reserve(header.size());
  for (size_t i = 0; i < header.size(); ++i) {
    // The control-character rule of every record field (find_forbidden_char) holds for the names
    // of the keys too: a header is a key of every record below it, so the file is refused whole.
    if (auto bad = find_forbidden_char(header[i]))
      return Status::invalid_argument(fmt::format(
          "{} {}: the header of column {} contains the control character U+{:04X} at byte {}: control characters "
          "(other than tab and line breaks) and bidi overrides are refused",
          xlsx ? "row" : "line", line, column_label(i, xlsx), bad->codepoint, bad->offset));
    keys.push_back(map.key_for(kind, header[i]));
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].empty()) continue;
    for (size_t j = 0; j < i; ++j)
      if (keys[j] == keys[i])
        return Status::invalid_argument(fmt::format(
            "{} {}: columns {} (\"{}\") and {} (\"{}\") both give the key \"{}\"; keep one of them",
            xlsx ? "row" : "line", line, column_label(j, xlsx), header[j], column_label(i, xlsx), header[i], keys[i]));
  }
  return keys;
}

RawRecord table_record(RecordKind kind, const std::vector<std::string>& keys, const std::vector<std::string>& row,
                       size_t line, bool xlsx) {
  RawRecord rec;
  rec.line = line;
  size_t cells = row.size();
  if (xlsx)  // empty cells past the header's columns are only formatting
    while (cells > keys.size() && blank(row[cells - 1])) --cells;
  bool utf8 = true;
  for (const auto& cell : row) utf8 = utf8 && is_valid_utf8(cell);
  if (!utf8) {
    rec.error = "row is not valid UTF-8 (a GBK/GB18030 row among UTF-8 rows?)";
  } else if (cells > keys.size()) {
    rec.error = xlsx ? fmt::format("row has a value in column {}, but the header names {} columns",
                                   column_label(cells - 1, true), keys.size())
                     : fmt::format("row has {} cells but the header names {} columns", cells, keys.size());
  } else {
    rec.object = csv_row_to_json(kind, keys, row);
  }
  return rec;
}

Status read_csv_records(std::istream& in, RecordKind kind, const ReadOptions& options,
                        const std::function<bool(RawRecord&&)>& on_record) {
  std::vector<std::string> keys;
  bool have_header = false;
  bool stopped = false;
  Status header_error;
  std::vector<std::pair<std::vector<std::string>, size_t>> pending;  // possible title rows
  auto set_header = [&](const std::vector<std::string>& row, size_t line) {
    auto k = header_keys(kind, options.columns, row, line, false);
    if (!k) {
      header_error = k.status();
      return false;
    }
    keys = std::move(*k);
    have_header = true;
    return true;
  };
  auto deliver = [&](const std::vector<std::string>& row, size_t line) {
    if (!on_record(table_record(kind, keys, row, line, false))) stopped = true;
    return !stopped;
  };
  // A file of one-cell rows is a one-column table after all: its first row is the header.
  auto flush_pending_as_table = [&] {
    if (!set_header(pending[0].first, pending[0].second)) return false;
    for (size_t i = 1; i < pending.size() && !stopped; ++i) deliver(pending[i].first, pending[i].second);
    pending.clear();
    return !stopped;
  };
  Status st = read_csv(in, [&](std::vector<std::string>&& row, size_t line) {
    if (!have_header) {
      bool narrow = filled_cells(row) <= 1;
      if (narrow && pending.size() < kMaxTitleRows) {
        pending.emplace_back(std::move(row), line);
        return true;
      }
      if (narrow) {
        if (!flush_pending_as_table()) return false;
        return deliver(row, line);
      }
      pending.clear();  // they were title lines
      return set_header(row, line);
    }
    return deliver(row, line);
  });
  if (!st) return st;
  if (!have_header && !pending.empty() && !stopped) flush_pending_as_table();
  if (!header_error.is_ok()) return header_error;
  if (!have_header) return Status::invalid_argument("line 1: the CSV file has no header row naming the keys");
  return Status::ok();
}

bool is_date_key(RecordKind kind, const std::string& key) {
  return kind == RecordKind::kScenario && (key == "deadline" || key == "posted_at");
}

std::string xlsx_cell_text(RecordKind kind, const std::string& key, const XlsxCell& cell, bool date1904) {
  if (is_date_key(kind, key)) {
    if (cell.type == XlsxCell::Type::kNumber) return excel_serial_date(cell.number, date1904).value_or(cell.text);
    if (cell.type == XlsxCell::Type::kDate && cell.text.size() >= 10 && is_iso_date(cell.text.substr(0, 10)))
      return cell.text.substr(0, 10);
  }
  return cell.text;
}

Status read_xlsx_records(std::istream& in, RecordKind kind, const ReadOptions& options,
                         const std::function<bool(RawRecord&&)>& on_record) {
  std::string bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>{});
  if (in.bad()) return Status::unavailable("read error");
  auto sheet = read_xlsx_sheet(bytes, options.sheet);
  if (!sheet) return sheet.status();
  bytes.clear();
  bytes.shrink_to_fit();
  const auto& rows = sheet->rows;
  auto texts = [](const XlsxRow& row) {
    std::vector<std::string> out;
    out.reserve(row.cells.size());
    for (const auto& c : row.cells) out.push_back(c.text);
    return out;
  };
  // Find the header: skip title rows above the first wider row (see kMaxTitleRows).
  size_t header_at = rows.size();
  for (size_t i = 0; i < rows.size() && i <= kMaxTitleRows; ++i) {
    if (filled_cells(texts(rows[i])) > 1) {
      header_at = i;
      break;
    }
  }
  if (header_at == rows.size()) header_at = 0;
  if (rows.empty() || filled_cells(texts(rows[header_at])) == 0)
    return Status::invalid_argument(fmt::format("sheet \"{}\" has no header row naming the keys", sheet->name));
  auto keys = header_keys(kind, options.columns, texts(rows[header_at]), rows[header_at].number, true);
  if (!keys) return Status::invalid_argument(fmt::format("sheet \"{}\": {}", sheet->name, keys.status().message()));
  for (size_t i = header_at + 1; i < rows.size(); ++i) {
    const XlsxRow& row = rows[i];
    std::vector<std::string> cells;
    cells.reserve(row.cells.size());
    for (size_t c = 0; c < row.cells.size(); ++c)
      cells.push_back(xlsx_cell_text(kind, c < keys->size() ? (*keys)[c] : std::string(), row.cells[c], sheet->date1904));
    if (filled_cells(cells) == 0) continue;
    if (!on_record(table_record(kind, *keys, cells, row.number, true))) break;
  }
  return Status::ok();
}

}  // namespace

FileFormat format_from_path(const std::string& path) {
  if (path.size() >= 4) {
    std::string ext = path.substr(path.size() - 4);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".csv") return FileFormat::kCsv;
  }
  if (path.size() >= 5) {
    std::string ext = path.substr(path.size() - 5);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".xlsx") return FileFormat::kXlsx;
  }
  return FileFormat::kJsonLines;
}

Status read_csv(std::istream& in, const std::function<bool(std::vector<std::string>&&, size_t)>& on_row) {
  csv_parser parser;
  if (csv_init(&parser, CSV_APPEND_NULL) != 0) return Status::internal("cannot initialise the CSV parser");
  CsvState st;
  std::string line;
  bool stopped = false;
  size_t length = 0;
  while (!stopped && bounded_getline(in, line, kRecordLimits.record_bytes + 1, length)) {
    ++st.current_line;
    if (length > kRecordLimits.record_bytes) {
      csv_free(&parser);
      return Status::invalid_argument(fmt::format("line {}: the line is {} bytes, more than the {} a record may take",
                                                  st.current_line, length, kRecordLimits.record_bytes));
    }
    if (st.current_line == 1) strip_bom(line);
    line.push_back('\n');
    if (parser.pstate == kCsvRowNotBegun) st.pending_start = st.current_line;
    if (csv_parse(&parser, line.data(), line.size(), on_field, on_row_end, &st) != line.size()) {
      std::string why = csv_strerror(csv_error(&parser));
      csv_free(&parser);
      return Status::invalid_argument(fmt::format("line {}: malformed CSV: {}", st.current_line, why));
    }
    if (st.too_many_columns) {
      csv_free(&parser);
      return Status::invalid_argument(fmt::format("line {}: a row has more than {} columns", st.current_line,
                                                  kRecordLimits.columns));
    }
    if (parser.entry_pos > kRecordLimits.record_bytes) {  // a quoted cell running over many lines
      csv_free(&parser);
      return Status::invalid_argument(fmt::format("line {}: a cell grows past the {} bytes a record may take",
                                                  st.pending_start, kRecordLimits.record_bytes));
    }
    for (size_t i = 0; i < st.rows.size() && !stopped; ++i) {
      auto& row = st.rows[i];
      bool empty_row = row.size() <= 1 && (row.empty() || blank(row[0]));
      if (!empty_row && !on_row(std::move(row), st.row_lines[i])) stopped = true;
    }
    st.rows.clear();
    st.row_lines.clear();
  }
  if (stopped) {
    csv_free(&parser);
    return Status::ok();
  }
  size_t start = st.pending_start;
  // Still inside a quoted cell at the end of the input (libcsv's FIELD_BEGUN with quoted set):
  // the quote was never closed. (CSV_STRICT_FINI would need CSV_STRICT, which also refuses the
  // stray quotes that published lists contain.)
  constexpr int kCsvFieldBegun = 2;
  bool unterminated = parser.pstate == kCsvFieldBegun && parser.quoted;
  csv_fini(&parser, on_field, on_row_end, &st);
  csv_free(&parser);
  if (unterminated)
    return Status::invalid_argument(
        fmt::format("line {}: a quoted cell is never closed before the end of the file", start));
  // A last row without a final newline is complete: deliver it.
  for (size_t i = 0; i < st.rows.size(); ++i) {
    auto& row = st.rows[i];
    bool empty_row = row.size() <= 1 && (row.empty() || blank(row[0]));
    if (!empty_row && !on_row(std::move(row), st.row_lines[i])) break;
  }
  return Status::ok();
}

Status read_records(std::istream& in, FileFormat format, RecordKind kind,
                    const std::function<bool(RawRecord&&)>& on_record) {
  return read_records(in, format, kind, ReadOptions{}, on_record);
}

Status read_records(std::istream& in, FileFormat format, RecordKind kind, const ReadOptions& options,
                    const std::function<bool(RawRecord&&)>& on_record) {
  if (format == FileFormat::kXlsx) return read_xlsx_records(in, kind, options, on_record);
  if (format == FileFormat::kCsv) return read_csv_records(in, kind, options, on_record);
  std::string line;
  size_t line_no = 0;
  size_t length = 0;
  while (bounded_getline(in, line, kRecordLimits.record_bytes + 1, length)) {
    ++line_no;
    if (length > kRecordLimits.record_bytes) {  // refused, and the rest of the file is still read
      RawRecord rec;
      rec.line = line_no;
      rec.object = nullptr;
      rec.error = fmt::format("the line is {} bytes, more than the {} a record may take", length,
                              kRecordLimits.record_bytes);
      if (!on_record(std::move(rec))) break;
      continue;
    }
    if (line_no == 1) strip_bom(line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (blank(line)) continue;
    RawRecord rec;
    rec.line = line_no;
    try {
      rec.object = parse_json_text(line, kRecordLimits.json_depth);
    } catch (const JsonTooDeep& e) {
      rec.object = nullptr;
      rec.error = e.what();  // "the JSON is nested deeper than 64 levels"
    } catch (const JsonDuplicateKey& e) {
      rec.object = nullptr;
      rec.error = e.what();  // "the key \"status\" is given twice in one object; give each key once"
    } catch (const nlohmann::json::parse_error& e) {
      rec.object = nullptr;
      rec.error = is_valid_utf8(line) ? fmt::format("not valid JSON (at byte {})", e.byte) : std::string(kNotUtf8Line);
    } catch (const nlohmann::json::exception&) {
      // out_of_range 406: a number beyond a double (1e999). Found by fuzz/jsonl_fuzz.cpp; it
      // escaped the reader and ended the process.
      rec.object = nullptr;
      rec.error = "not valid JSON: a number is too large";
    }
    if (!on_record(std::move(rec))) break;
  }
  return Status::ok();
}

}  // namespace jiebang
