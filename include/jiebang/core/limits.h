// The limits on one record's fields, one definition for the API and every importer (JSONL, CSV, xlsx).
#pragma once

#include <cstddef>

namespace jiebang {

/// Bounds on one scenario or enterprise record, checked by scenario_from_json/enterprise_from_json
/// (which the API's bodies and every importer go through) and by the record readers before a
/// record is even parsed. A value over a bound is refused with an error naming the field and the
/// limit ("title: is 1048576 bytes, at most 1024 allowed"); nothing is truncated. Text lengths are
/// in UTF-8 bytes (a Chinese character is 3 bytes). Chosen to hold every record of the fixtures and
/// of published 揭榜挂帅 lists with a wide margin (the longest description seen is ~6 KB), while
/// keeping one record's memory in the low megabytes.
///
/// | field                                            | limit                | unit  |
/// |--------------------------------------------------|----------------------|-------|
/// | id                                               | id_bytes = 200       | bytes |
/// | title, name, publisher, list, cases[].title/customer | name_bytes = 1024 | bytes |
/// | description, cases[].description                 | description_bytes = 65536 | bytes |
/// | region, status, deadline, posted_at, cases[].stage | short_bytes = 64   | bytes |
/// | keywords, industries, capabilities, qualifications, required_qualifications | list_items = 200 | items |
/// | each item of those lists                         | list_item_bytes = 512 | bytes |
/// | cases                                            | cases = 500          | items |
/// | policy, size, contact, unknown keys (as JSON)    | object_bytes = 16384 | bytes |
/// | one record: a JSONL line, a CSV row, an API body | record_bytes = 1 MiB | bytes |
/// | CSV columns, xlsx columns per row                | columns = 256        | cells |
/// | JSON nesting depth (a record, an API body)       | json_depth = 64      | levels |
struct RecordLimits {
  size_t id_bytes = 200;
  size_t name_bytes = 1024;
  size_t description_bytes = 64 * 1024;
  size_t short_bytes = 64;
  size_t list_items = 200;
  size_t list_item_bytes = 512;
  size_t cases = 500;
  size_t object_bytes = 16 * 1024;
  size_t record_bytes = 1024 * 1024;
  size_t columns = 256;
  size_t json_depth = 64;
};

/// The limits in force (the defaults above). Constant; thread-safe.
inline constexpr RecordLimits kRecordLimits{};

}  // namespace jiebang
