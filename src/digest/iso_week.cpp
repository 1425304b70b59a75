// ISO 8601 week dates (ISO 8601-1:2019 §5.2.4.3): weeks start on Monday; week 1 is the week with
// the year's first Thursday (equivalently, the week holding 4 January).
#include <charconv>

#include <fmt/format.h>

#include "jiebang/core/calendar.h"
#include "jiebang/digest/digest.h"

namespace jiebang {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

/// Monday of week 1 of ISO year `year`.
sys_days week_one_monday(int year) {
  sys_days jan4 = std::chrono::year{year} / std::chrono::January / 4;
  unsigned iso_weekday = std::chrono::weekday{jan4}.iso_encoding();  // Monday 1 … Sunday 7
  return jan4 - days(iso_weekday - 1);
}

int weeks_in_year(int year) {
  return static_cast<int>((week_one_monday(year + 1) - week_one_monday(year)).count() / 7);
}

}  // namespace

IsoWeek IsoWeek::of(sys_days day) {
  // The ISO year is the calendar year of the week's Thursday.
  unsigned iso_weekday = std::chrono::weekday{day}.iso_encoding();
  sys_days thursday = day + days(4 - static_cast<int>(iso_weekday));
  int year = static_cast<int>(std::chrono::year_month_day{thursday}.year());
  IsoWeek w;
  w.year = year;
  w.week = static_cast<int>((thursday - week_one_monday(year)).count() / 7) + 1;
  return w;
}

IsoWeek IsoWeek::in_shanghai(std::chrono::system_clock::time_point t) {
  return of(shanghai_day(t));
}

sys_days IsoWeek::monday() const { return week_one_monday(year) + days(7 * (week - 1)); }

std::string IsoWeek::to_string() const { return fmt::format("{:04d}-W{:02d}", year, week); }

std::optional<IsoWeek> IsoWeek::parse(std::string_view text) {
  // "YYYY-Www" or "YYYYWww".
  if (text.size() != 8 && text.size() != 7) return std::nullopt;
  size_t w_at = text.size() == 8 ? 5 : 4;
  if (text.size() == 8 && text[4] != '-') return std::nullopt;
  if (text[w_at] != 'W') return std::nullopt;
  auto digits = [](std::string_view d, int& out) {
    if (d.empty()) return false;
    for (char c : d)
      if (c < '0' || c > '9') return false;
    return std::from_chars(d.data(), d.data() + d.size(), out).ec == std::errc();
  };
  IsoWeek w;
  if (!digits(text.substr(0, 4), w.year) || !digits(text.substr(w_at + 1), w.week)) return std::nullopt;
  if (text.substr(w_at + 1).size() != 2) return std::nullopt;
  if (w.year < 1 || w.week < 1 || w.week > weeks_in_year(w.year)) return std::nullopt;
  return w;
}

}  // namespace jiebang
