// Reading record files: JSON Lines and CSV (RFC 4180, via libcsv), one JSON object per record.
#pragma once

#include <cstddef>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "jiebang/core/records.h"
#include "jiebang/core/status.h"

namespace jiebang {

/// The format of a record file.
enum class FileFormat { kJsonLines, kCsv };

/// Guesses the format from the file name: ".csv" (any case) is CSV, anything else JSON Lines.
FileFormat format_from_path(const std::string& path);

/// One raw record read from a file, before validation.
struct RawRecord {
  size_t line = 0;            ///< 1-based line where the record starts
  nlohmann::json object;      ///< the record as JSON; null when `error` is set
  std::string error;          ///< what was wrong with the line (bad JSON, wrong column count), or ""
};

/// Calls `on_record` for every record in `in`, in file order. A JSON Lines line that is not
/// valid JSON, or a CSV row with more cells than the header, is delivered with `error` set so
/// the caller can report it and go on. Blank lines are skipped. A UTF-8 byte-order mark at the
/// start is ignored. Returns an error only when the file as a whole cannot be read (e.g. CSV
/// with no header row, an unterminated quoted cell at the end). `on_record` returning false stops.
Status read_records(std::istream& in, FileFormat format, RecordKind kind,
                    const std::function<bool(RawRecord&&)>& on_record);

/// Parses CSV text row by row (RFC 4180: quoted cells may hold commas, quotes and newlines).
/// `on_row(cells, line)` gets each row with the 1-based line it starts on; returning false stops.
Status read_csv(std::istream& in, const std::function<bool(std::vector<std::string>&&, size_t)>& on_row);

}  // namespace jiebang
