// Calendar dates and China Standard Time (see include/jiebang/core/calendar.h).
#include "jiebang/core/calendar.h"

#include <fmt/format.h>

namespace jiebang {

using std::chrono::days;
using std::chrono::sys_days;

sys_days shanghai_day(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<days>(t + kShanghaiUtcOffset);
}

std::chrono::sys_seconds shanghai_to_utc(sys_days day, std::chrono::seconds time_of_day) {
  return std::chrono::sys_seconds(day) + time_of_day - kShanghaiUtcOffset;
}

std::optional<sys_days> parse_iso_date(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (d[i] < '0' || d[i] > '9') return std::nullopt;
  auto number = [&](size_t at, size_t len) {
    int v = 0;
    for (size_t i = at; i < at + len; ++i) v = v * 10 + (d[i] - '0');
    return v;
  };
  std::chrono::year_month_day ymd{std::chrono::year{number(0, 4)}, std::chrono::month{static_cast<unsigned>(number(5, 2))},
                                  std::chrono::day{static_cast<unsigned>(number(8, 2))}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd};
}

std::string format_iso_date(sys_days day) {
  std::chrono::year_month_day ymd{day};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

std::string shanghai_date(std::chrono::system_clock::time_point t) { return format_iso_date(shanghai_day(t)); }

namespace {

/// The two digits at s[at], s[at + 1] as a number; nullopt unless both are digits.
std::optional<int> two_digits(std::string_view s, size_t at) {
  if (at + 1 >= s.size()) return std::nullopt;
  char a = s[at], b = s[at + 1];
  if (a < '0' || a > '9' || b < '0' || b > '9') return std::nullopt;
  return (a - '0') * 10 + (b - '0');
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_iso_time(std::string_view s) {
  auto day = parse_iso_date(s.substr(0, 10));
  if (!day) return std::nullopt;
  // A date alone, or a date followed by anything but 'T', is that day's 00:00 (as before).
  if (s.size() == 10 || s[10] != 'T') return std::chrono::sys_seconds(*day);
  if (s.size() < 19 || s[13] != ':' || s[16] != ':') return std::nullopt;
  auto h = two_digits(s, 11), m = two_digits(s, 14), sec = two_digits(s, 17);
  if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
  std::chrono::sys_seconds t = std::chrono::sys_seconds(*day) + std::chrono::hours{*h} + std::chrono::minutes{*m} +
                               std::chrono::seconds{*sec};
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {  // a fraction of a second: at least one digit, dropped
    size_t digits = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == digits) return std::nullopt;
  }
  std::string_view zone = s.substr(i);
  if (zone.empty() || zone == "Z") return t;
  // "+HH:MM" or "-HH:MM": local time = UTC + offset, so UTC = local - offset.
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') return std::nullopt;
  auto oh = two_digits(zone, 1), om = two_digits(zone, 4);
  if (!oh || !om || *oh > 23 || *om > 59) return std::nullopt;
  std::chrono::seconds offset = std::chrono::hours{*oh} + std::chrono::minutes{*om};
  return zone[0] == '+' ? t - offset : t + offset;
}

std::string format_iso_time(std::chrono::system_clock::time_point t) {
  auto secs = std::chrono::floor<std::chrono::seconds>(t);
  auto day = std::chrono::floor<days>(secs);
  std::chrono::hh_mm_ss hms{secs - day};
  return fmt::format("{}T{:02}:{:02}:{:02}Z", format_iso_date(day), hms.hours().count(), hms.minutes().count(),
                     hms.seconds().count());
}

std::string format_shanghai_minute(std::chrono::system_clock::time_point t) {
  auto local = std::chrono::floor<std::chrono::minutes>(t) + kShanghaiUtcOffset;  // as a wall clock
  auto day = std::chrono::floor<days>(local);
  std::chrono::hh_mm_ss hm{local - day};
  return fmt::format("{} {:02}:{:02}", format_iso_date(day), hm.hours().count(), hm.minutes().count());
}

}  // namespace jiebang
