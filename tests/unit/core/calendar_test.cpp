// Unit tests of the one date parser, the Asia/Shanghai time helper and the one UTF-8 validator.
#include <gtest/gtest.h>

#include "jiebang/core/calendar.h"
#include "jiebang/core/input_rules.h"
#include "jiebang/core/records.h"
#include "jiebang/core/utf8.h"

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

TEST(IsoDate, TheOneFormatterWritesWhatTheParserReadsBack) {
  EXPECT_EQ(format_iso_date(sys_days{2026y / 3 / 5}), "2026-03-05");
  EXPECT_EQ(format_iso_date(sys_days{year{987} / 1 / 9}), "0987-01-09");  // four-digit year, zero-padded
  EXPECT_EQ(format_iso_date(sys_days{2028y / 2 / 29}), "2028-02-29");
  // Every day of four years (a leap year among them) round-trips through the parser.
  for (sys_days d = sys_days{2027y / 1 / 1}; d < sys_days{2031y / 1 / 1}; d += days{1}) {
    std::string text = format_iso_date(d);
    ASSERT_EQ(text.size(), 10u) << text;
    auto back = parse_iso_date(text);
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(*back, d) << text;
  }
  // The Shanghai date of an instant: the local day, written the same way.
  EXPECT_EQ(shanghai_date(utc(2026, 11, 22, 15, 59, 59)), "2026-11-22");
  EXPECT_EQ(shanghai_date(utc(2026, 12, 31, 16)), "2027-01-01");
  // Event timestamps write their date part with it.
  EXPECT_EQ(format_iso_time(utc(2026, 1, 9, 7, 5, 3)), "2026-01-09T07:05:03Z");
}

TEST(IsoTime, ReadsDateTimesAndBareDatesOnTheDateParser) {
  EXPECT_EQ(parse_iso_time("2026-11-23T09:30:15Z"), utc(2026, 11, 23, 9, 30, 15));
  EXPECT_EQ(parse_iso_time("2026-11-23T09:30:15.250Z"), utc(2026, 11, 23, 9, 30, 15));
  EXPECT_EQ(parse_iso_time("2026-11-23"), utc(2026, 11, 23));
  EXPECT_EQ(parse_iso_time("2026-11-23 09:30:15"), utc(2026, 11, 23));  // not 'T': the day, as before
  for (const char* bad : {"2026-11-23T09:30", "2026-11-23T24:00:00Z", "2026-11-23T09:60:00Z", "2026-02-30T00:00:00Z",
                          "2026-11-2", "", "2026-11-23T0a:00:00Z", "2026-11-23T09:30:15.Z", "2026-11-23T09:30:15ZZ",
                          "2026-11-23T09:30:15 Z", "2026-11-23T09:30:15+0800", "2026-11-23T09:30:15+8:00",
                          "2026-11-23T09:30:15+24:00", "2026-11-23T09:30:15+08:60", "2026-11-23T09:30:15UTC"})
    EXPECT_FALSE(parse_iso_time(bad)) << bad;
}

// An offset is applied, not dropped: Beijing's 20:00 on the 7th is 12:00Z, its 01:00 on the 8th
// is 17:00Z on the 7th (it was read as 01:00Z on the 8th: eight hours late).
TEST(IsoTime, AppliesAUtcOffset) {
  EXPECT_EQ(parse_iso_time("2026-12-07T20:00:00+08:00"), utc(2026, 12, 7, 12));
  EXPECT_EQ(parse_iso_time("2026-12-08T01:00:00+08:00"), utc(2026, 12, 7, 17));
  EXPECT_EQ(parse_iso_time("2026-12-08T01:00:00.5+08:00"), utc(2026, 12, 7, 17));
  EXPECT_EQ(parse_iso_time("2026-12-31T22:30:00-05:30"), utc(2027, 1, 1, 4));
  EXPECT_EQ(parse_iso_time("2026-12-07T12:00:00+00:00"), parse_iso_time("2026-12-07T12:00:00Z"));
  EXPECT_EQ(parse_iso_time("2026-12-07T12:00:00"), utc(2026, 12, 7, 12));
  // The formatter writes what the parser reads back, to the second.
  for (sys_seconds t : {utc(2026, 12, 7, 12), utc(2027, 1, 1, 0, 0, 1), utc(2028, 2, 29, 23, 59, 59)})
    EXPECT_EQ(parse_iso_time(format_iso_time(t)), t);
}

TEST(ShanghaiTime, ThePagesMinuteIsBeijingsWallClock) {
  EXPECT_EQ(format_shanghai_minute(utc(2026, 12, 7, 9, 14, 59)), "2026-12-07 17:14");
  EXPECT_EQ(format_shanghai_minute(utc(2026, 12, 7, 15, 59, 59)), "2026-12-07 23:59");
  EXPECT_EQ(format_shanghai_minute(utc(2026, 12, 7, 16)), "2026-12-08 00:00");   // the next day there
  EXPECT_EQ(format_shanghai_minute(utc(2026, 12, 31, 17, 5)), "2027-01-01 01:05");  // and the next year
  EXPECT_EQ(format_shanghai_minute(utc(2028, 2, 28, 16, 30)), "2028-02-29 00:30");
  EXPECT_EQ(format_shanghai_minute(*parse_iso_time("2026-12-07T20:00:00+08:00")), "2026-12-07 20:00");
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

// The decoder under the validator, the CLI's output filter and the digest's file names: Table 3-7's
// edges, and the difference between a sequence cut short by a byte (ill-formed: one byte to skip)
// and one the text ends in (incomplete: a stream may finish it).
TEST(Utf8, DecodesByTable37AndTellsIllFormedFromIncomplete) {
  using Kind = Utf8Char::Kind;
  struct Case {
    std::string text;
    Kind kind;
    char32_t codepoint;
    size_t length;
  };
  for (const Case& c : {Case{"A", Kind::kChar, U'A', 1}, Case{"\xC2\x80", Kind::kChar, 0x80, 2},
                        Case{"\xDF\xBF", Kind::kChar, 0x7FF, 2}, Case{"\xE0\xA0\x80", Kind::kChar, 0x800, 3},
                        Case{"\xED\x9F\xBF", Kind::kChar, 0xD7FF, 3}, Case{"\xEE\x80\x80", Kind::kChar, 0xE000, 3},
                        Case{"\xE2\x80\xAE", Kind::kChar, 0x202E, 3}, Case{"\xF0\x90\x80\x80", Kind::kChar, 0x10000, 4},
                        Case{"\xF4\x8F\xBF\xBF", Kind::kChar, 0x10FFFF, 4},
                        // ill-formed at the first byte: one byte to skip
                        Case{"\x80", Kind::kIllFormed, 0, 1}, Case{"\xC0\xAF", Kind::kIllFormed, 0, 1},
                        Case{"\xC1\xBF", Kind::kIllFormed, 0, 1}, Case{"\xE0\x9F\xBF", Kind::kIllFormed, 0, 1},
                        Case{"\xED\xA0\x80", Kind::kIllFormed, 0, 1}, Case{"\xF0\x8F\xBF\xBF", Kind::kIllFormed, 0, 1},
                        Case{"\xF4\x90\x80\x80", Kind::kIllFormed, 0, 1}, Case{"\xF5\x80\x80\x80", Kind::kIllFormed, 0, 1},
                        Case{"\xFF", Kind::kIllFormed, 0, 1},
                        // a lead byte followed by another lead byte: ill-formed, not a 3-byte character
                        Case{"\xE2\xE2\x80\xAE", Kind::kIllFormed, 0, 1}, Case{"\xE5\xB7\x41", Kind::kIllFormed, 0, 1},
                        // the text ends inside a well-formed beginning
                        Case{"\xE2", Kind::kIncomplete, 0, 1}, Case{"\xE2\x80", Kind::kIncomplete, 0, 2},
                        Case{"\xF0\x9F\xA4", Kind::kIncomplete, 0, 3}}) {
    Utf8Char ch = decode_utf8(c.text, 0);
    EXPECT_EQ(ch.kind, c.kind) << ::testing::PrintToString(c.text);
    EXPECT_EQ(ch.codepoint, c.codepoint) << ::testing::PrintToString(c.text);
    EXPECT_EQ(ch.length, c.length) << ::testing::PrintToString(c.text);
  }
  // Read from an offset, as the callers step through a text.
  std::string text = "巡\xE2\x80\xAE";
  EXPECT_EQ(decode_utf8(text, 3).codepoint, 0x202Eu);
  // A forbidden character after an ill-formed byte is still found (it was skipped over before).
  auto bad = find_forbidden_char("x\xE2\xE2\x80\xAEy");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->codepoint, 0x202Eu);
  EXPECT_EQ(bad->offset, 2u);
}

}  // namespace
}  // namespace jiebang
