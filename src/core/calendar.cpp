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

}  // namespace jiebang
