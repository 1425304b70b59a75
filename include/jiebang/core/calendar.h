// Calendar dates and China Standard Time: the one date parser and the one time-zone helper.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace jiebang {

/// Asia/Shanghai's offset from UTC: +8 hours all year. China has kept one time zone with no
/// daylight saving time since 1991 (IANA tz database, zone Asia/Shanghai; GB/T 7408-2005 local
/// time). Every conversion between UTC and Shanghai time goes through the two functions below.
inline constexpr std::chrono::hours kShanghaiUtcOffset{8};

/// The Asia/Shanghai calendar day that holds instant `t` (e.g. 2026-11-22T16:00:00Z is the
/// 23rd there). A local day is represented as the sys_days of the same date. Pure, thread-safe.
std::chrono::sys_days shanghai_day(std::chrono::system_clock::time_point t);

/// The UTC instant at which Asia/Shanghai's clocks show `time_of_day` on local day `day`
/// (e.g. 00:00 on 2026-11-23 there is 2026-11-22T16:00:00Z). Pure, thread-safe.
std::chrono::sys_seconds shanghai_to_utc(std::chrono::sys_days day, std::chrono::seconds time_of_day = {});

/// Parses a calendar date written "YYYY-MM-DD" (ISO 8601 extended format: exactly ten characters,
/// four-digit year) that exists in the proleptic Gregorian calendar (29 February only in leap
/// years). Returns nullopt otherwise. The one date parser: record validation, funnel filters and
/// event timestamps (parse_iso_time) all use it. Pure, thread-safe.
std::optional<std::chrono::sys_days> parse_iso_date(std::string_view text);

/// Writes a calendar day "YYYY-MM-DD" (ISO 8601 extended format, the year zero-padded to four
/// digits): parse_iso_date's inverse for years 0–9999. The one date formatter: scenario deadlines
/// compared with today, the digest's weeks and cut-offs, event timestamps (format_iso_time).
/// Pure, thread-safe.
std::string format_iso_date(std::chrono::sys_days day);

/// The Asia/Shanghai calendar date that holds instant `t`, as "YYYY-MM-DD"
/// (format_iso_date(shanghai_day(t))): "today" for deadlines and the digest. Pure, thread-safe.
std::string shanghai_date(std::chrono::system_clock::time_point t);

}  // namespace jiebang
