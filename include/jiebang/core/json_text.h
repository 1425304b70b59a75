// Parsing one JSON text — a record's line or an API body — with the bounds every such text has.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace jiebang {

/// Thrown by parse_json_text when the text nests arrays and objects deeper than allowed.
struct JsonTooDeep : std::runtime_error {
  explicit JsonTooDeep(size_t max_depth);
  size_t max_depth;  ///< the bound passed, unit: levels
};

/// Thrown by parse_json_text when one object holds the same key twice.
struct JsonDuplicateKey : std::runtime_error {
  explicit JsonDuplicateKey(std::string shown_key);
  /// The key as a JSON string (quoted, escaped, invalid UTF-8 replaced), cut to about 64 bytes:
  /// safe to put in a message.
  std::string key;
};

/// Parses `text` as one JSON value, as nlohmann::json::parse does, and also refuses
/// - arrays and objects nested deeper than `max_depth` levels (JsonTooDeep), so that a hostile
///   text cannot exhaust the stack of any later recursive walk;
/// - an object with a key given twice (JsonDuplicateKey). RFC 8259 §4 says only that names SHOULD
///   be unique and that readers differ (the last value, the first, or an error); I-JSON (RFC 7493
///   §2.3) forbids duplicates. nlohmann keeps the last, so `{"status":"closed","status":"open"}`
///   meant one thing to us and another to a reader that keeps the first: it is refused instead.
/// Other errors are nlohmann's own exceptions: json::parse_error (malformed; `byte` says where)
/// and json::out_of_range (a number beyond a double, e.g. 1e999). Pure; thread-safe.
nlohmann::json parse_json_text(std::string_view text, size_t max_depth);

}  // namespace jiebang
