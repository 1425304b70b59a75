// JSON Lines and CSV readers for record files.
#include "jiebang/core/record_reader.h"

#include <algorithm>
#include <cctype>

#include <csv.h>
#include <fmt/format.h>

namespace jiebang {
namespace {

struct CsvState {
  std::vector<std::string> cells;
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> row_lines;
  size_t current_line = 0;
  size_t row_start_line = 0;
  bool in_row = false;
};

void on_field(void* data, size_t len, void* p) {
  auto* st = static_cast<CsvState*>(p);
  if (!st->in_row) {
    st->in_row = true;
    st->row_start_line = st->current_line;
  }
  st->cells.emplace_back(data ? static_cast<const char*>(data) : "", data ? len : 0);
}

void on_row_end(int, void* p) {
  auto* st = static_cast<CsvState*>(p);
  if (!st->in_row) st->row_start_line = st->current_line;
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

}  // namespace

FileFormat format_from_path(const std::string& path) {
  if (path.size() >= 4) {
    std::string ext = path.substr(path.size() - 4);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".csv") return FileFormat::kCsv;
  }
  return FileFormat::kJsonLines;
}

Status read_csv(std::istream& in, const std::function<bool(std::vector<std::string>&&, size_t)>& on_row) {
  csv_parser parser;
  if (csv_init(&parser, CSV_APPEND_NULL) != 0) return Status::internal("cannot initialise the CSV parser");
  CsvState st;
  std::string line;
  bool stopped = false;
  while (!stopped && std::getline(in, line)) {
    ++st.current_line;
    if (st.current_line == 1) strip_bom(line);
    line.push_back('\n');
    if (csv_parse(&parser, line.data(), line.size(), on_field, on_row_end, &st) != line.size()) {
      std::string why = csv_strerror(csv_error(&parser));
      csv_free(&parser);
      return Status::invalid_argument(fmt::format("line {}: malformed CSV: {}", st.current_line, why));
    }
    for (size_t i = 0; i < st.rows.size() && !stopped; ++i) {
      auto& row = st.rows[i];
      bool empty_row = row.size() <= 1 && (row.empty() || blank(row[0]));
      if (!empty_row && !on_row(std::move(row), st.row_lines[i])) stopped = true;
    }
    st.rows.clear();
    st.row_lines.clear();
  }
  bool unterminated = st.in_row && !stopped;
  size_t start = st.row_start_line;
  csv_fini(&parser, on_field, on_row_end, &st);
  csv_free(&parser);
  if (unterminated && !st.rows.empty())
    return Status::invalid_argument(
        fmt::format("line {}: a quoted cell is never closed before the end of the file", start));
  return Status::ok();
}

Status read_records(std::istream& in, FileFormat format, RecordKind kind,
                    const std::function<bool(RawRecord&&)>& on_record) {
  if (format == FileFormat::kJsonLines) {
    std::string line;
    size_t line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (line_no == 1) strip_bom(line);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (blank(line)) continue;
      RawRecord rec;
      rec.line = line_no;
      rec.object = nlohmann::json::parse(line, nullptr, false);
      if (rec.object.is_discarded()) {
        rec.object = nullptr;
        try {
          auto strict = nlohmann::json::parse(line);
          (void)strict;
        } catch (const nlohmann::json::parse_error& e) {
          rec.error = fmt::format("not valid JSON (at byte {})", e.byte);
        }
        if (rec.error.empty()) rec.error = "not valid JSON";
      }
      if (!on_record(std::move(rec))) break;
    }
    return Status::ok();
  }
  std::vector<std::string> header;
  Status st = read_csv(in, [&](std::vector<std::string>&& row, size_t line) {
    if (header.empty()) {
      header = std::move(row);
      for (auto& h : header) {
        size_t a = h.find_first_not_of(" \t"), b = h.find_last_not_of(" \t\r");
        h = a == std::string::npos ? "" : h.substr(a, b - a + 1);
      }
      return true;
    }
    RawRecord rec;
    rec.line = line;
    bool utf8 = true;
    for (const auto& cell : row) utf8 = utf8 && is_valid_utf8(cell);
    if (!utf8) {
      rec.error = "row is not valid UTF-8 (a GBK/GB18030 file? convert it to UTF-8 first)";
    } else if (row.size() > header.size()) {
      rec.error = fmt::format("row has {} cells but the header names {} columns", row.size(), header.size());
    } else {
      rec.object = csv_row_to_json(kind, header, row);
    }
    return on_record(std::move(rec));
  });
  if (!st) return st;
  if (header.empty()) return Status::invalid_argument("line 1: the CSV file has no header row naming the keys");
  return Status::ok();
}

}  // namespace jiebang
