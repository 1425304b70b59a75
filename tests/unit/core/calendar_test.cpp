// Unit tests of the one date parser, the Asia/Shanghai time helper and the one UTF-8 validator.
#include <gtest/gtest.h>

#include "jiebang/core/calendar.h"
#include "jiebang/core/records.h"
#include "jiebang/core/utf8.h"
#include "jiebang/lifecycle/lifecycle.h"

namespace jiebang {
namespace {

using namespace std::chrono;

sys_seconds utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

TEST(ShanghaiTime, TheLocalDayTurnsAtSixteenHundredUtc) {
  EXPECT_EQ(shanghai_day(utc(2026, 11, 22, 15, 59, 59)), sys_days{2026y / 11 / 22});
  EXPECT_EQ(shanghai_day(utc(2026, 11, 22, 16, 0, 0)), sys_days{2026y / 11 / 23});
  EXPECT_EQ(shanghai_day(utc(2026, 12, 31, 16, 0, 0)), sys_days{2027y / 1 / 1});
  // Mid-year too: no daylight saving time.
  EXPECT_EQ(shanghai_day(utc(2026, 7, 1, 16, 0, 0)), sys_days{2026y / 7 / 2});
}

TEST(ShanghaiTime, LocalTimesConvertToUtcEightHoursEarlier) {
  EXPECT_EQ(shanghai_to_utc(sys_days{2026y / 11 / 23}), utc(2026, 11, 22, 16));
  EXPECT_EQ(shanghai_to_utc(sys_days{2026y / 11 / 23}, hours{9}), utc(2026, 11, 23, 1));
  EXPECT_EQ(shanghai_day(shanghai_to_utc(sys_days{2026y / 3 / 1}, hours{23} + minutes{59})), sys_days{2026y / 3 / 1});
}

TEST(IsoDate, AcceptsRealCalendarDatesOnly) {
  EXPECT_EQ(parse_iso_date("2026-11-23"), sys_days{2026y / 11 / 23});
  EXPECT_EQ(parse_iso_date("2024-02-29"), sys_days{2024y / 2 / 29});
  EXPECT_EQ(parse_iso_date("2000-02-29"), sys_days{2000y / 2 / 29});
  for (const char* bad : {"2026-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-01-00",
                          "2026-1-05", "2026-01-5", " 2026-01-05", "2026-01-05x", "2026/01/05", "", "+026-01-05"}) {
    EXPECT_FALSE(parse_iso_date(bad)) << bad;
    EXPECT_FALSE(is_iso_date(bad)) << bad;
  }
  EXPECT_TRUE(is_iso_date("2026-12-31"));
}

TEST(IsoTime, ReadsDateTimesAndBareDatesOnTheDateParser) {
  EXPECT_EQ(parse_iso_time("2026-11-23T09:30:15Z"), utc(2026, 11, 23, 9, 30, 15));
  EXPECT_EQ(parse_iso_time("2026-11-23T09:30:15.250Z"), utc(2026, 11, 23, 9, 30, 15));
  EXPECT_EQ(parse_iso_time("2026-11-23"), utc(2026, 11, 23));
  EXPECT_EQ(parse_iso_time("2026-11-23 09:30:15"), utc(2026, 11, 23));  // not 'T': the day, as before
  for (const char* bad : {"2026-11-23T09:30", "2026-11-23T24:00:00Z", "2026-11-23T09:60:00Z", "2026-02-30T00:00:00Z",
                          "2026-11-2", "", "2026-11-23T0a:00:00Z"})
    EXPECT_FALSE(parse_iso_time(bad)) << bad;
}

TEST(Utf8, FindsTheFirstIllFormedSequence) {
  EXPECT_EQ(invalid_utf8_offset(""), std::string_view::npos);
  EXPECT_EQ(invalid_utf8_offset("巡检机器人 robot 🤖"), std::string_view::npos);
  EXPECT_EQ(invalid_utf8_offset("ab\x80"), 2u);                  // stray continuation byte
  EXPECT_EQ(invalid_utf8_offset("a\xC0\x80"), 1u);               // overlong NUL
  EXPECT_EQ(invalid_utf8_offset("a\xE0\x80\xAF"), 1u);           // overlong '/'
  EXPECT_EQ(invalid_utf8_offset("ab\xED\xA0\x80"), 2u);          // a surrogate
  EXPECT_EQ(invalid_utf8_offset("\xF4\x90\x80\x80"), 0u);        // above U+10FFFF
  EXPECT_EQ(invalid_utf8_offset("巡\xE6\xA3"), 3u);              // truncated at the end
  EXPECT_EQ(invalid_utf8_offset("\xF8\x88\x80\x80\x80"), 0u);    // five-byte form
  EXPECT_EQ(invalid_utf8_offset("\xE5\xB7\x41"), 0u);            // a lead byte without its continuation
  EXPECT_TRUE(is_valid_utf8("检测 ±0.5℃"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));
}

}  // namespace
}  // namespace jiebang
