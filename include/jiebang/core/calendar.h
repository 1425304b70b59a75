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
/// timestamps (parse_iso_time below) all use it. Pure, thread-safe.
std::optional<std::chrono::sys_days> parse_iso_date(std::string_view text);

/// Writes a calendar day "YYYY-MM-DD" (ISO 8601 extended format, the year zero-padded to four
/// digits): parse_iso_date's inverse for years 0–9999. The one date formatter: scenario deadlines
/// compared with today, the digest's weeks and cut-offs, event timestamps (format_iso_time).
/// Pure, thread-safe.
std::string format_iso_date(std::chrono::sys_days day);

/// The Asia/Shanghai calendar date that holds instant `t`, as "YYYY-MM-DD"
/// (format_iso_date(shanghai_day(t))): "today" for deadlines and the digest. Pure, thread-safe.
std::string shanghai_date(std::chrono::system_clock::time_point t);

/// Parses an instant written in ISO 8601 extended format, "YYYY-MM-DDTHH:MM:SS" with an optional
/// fraction of a second (dropped) and then "Z", a UTC offset "+HH:MM" / "-HH:MM" (applied:
/// "2026-12-07T20:00:00+08:00" is 12:00Z), or nothing (read as UTC). A bare date, or a date followed
/// by anything but 'T', is that day's 00:00 UTC. Returns nullopt for anything else: no seconds, an
/// hour above 23, a minute above 59, a second above 60, a day the calendar lacks, other text after
/// the time. The one time parser: the store's event and run timestamps, the funnel, the digest and
/// the pages read with it. Pure, thread-safe.
std::optional<std::chrono::sys_seconds> parse_iso_time(std::string_view text);

/// Writes instant `t` as "YYYY-MM-DDTHH:MM:SSZ" (UTC, whole seconds, floored): parse_iso_time's
/// inverse and the one form the store and the API hold instants in. Pure, thread-safe.
std::string format_iso_time(std::chrono::system_clock::time_point t);

/// Writes instant `t` as Asia/Shanghai's wall clock to the minute, "YYYY-MM-DD HH:MM" (seconds
/// floored; e.g. 2026-12-07T09:14:59Z is "2026-12-07 17:14"): how the pages show times.
/// Pure, thread-safe.
std::string format_shanghai_minute(std::chrono::system_clock::time_point t);

}  // namespace jiebang
