// ISO weeks, digest file names and the HTML page's escaping.
#include <gtest/gtest.h>

#include "jiebang/core/input_rules.h"
#include "jiebang/digest/digest.h"

namespace jiebang {
namespace {

using std::chrono::sys_days;
using namespace std::chrono_literals;

sys_days day(int y, unsigned m, unsigned d) { return std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}; }

TEST(IsoWeek, ParsesAndFormatsTheExtendedForm) {
  auto w = IsoWeek::parse("2026-W48");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->year, 2026);
  EXPECT_EQ(w->week, 48);
  EXPECT_EQ(w->to_string(), "2026-W48");
  EXPECT_EQ(IsoWeek::parse("2026W05")->to_string(), "2026-W05");
}

TEST(IsoWeek, RefusesMalformedAndOutOfRangeWeeks) {
  for (const char* bad : {"", "2026-48", "2026-W4", "2026-W480", "2026-w48", "2026-W00", "2026-W54", "20a6-W10",
                          "2026-W+1", "2026/W10"})
    EXPECT_FALSE(IsoWeek::parse(bad)) << bad;
  // 2020 has 53 ISO weeks (1 January 2020 was a Wednesday, a leap year); 2021 has 52.
  EXPECT_TRUE(IsoWeek::parse("2020-W53"));
  EXPECT_FALSE(IsoWeek::parse("2021-W53"));
  EXPECT_TRUE(IsoWeek::parse("2026-W53"));  // 2026 starts on a Thursday
  EXPECT_FALSE(IsoWeek::parse("2027-W53"));
}

TEST(IsoWeek, MondayAndWeekOfDayAgreeWithTheCalendar) {
  EXPECT_EQ(IsoWeek::parse("2026-W48")->monday(), day(2026, 11, 23));
  EXPECT_EQ(IsoWeek::parse("2026-W01")->monday(), day(2025, 12, 29));  // week 1 holds 1 January 2026 (Thursday)
  EXPECT_EQ(IsoWeek::of(day(2026, 11, 29)).to_string(), "2026-W48");  // a Sunday
  EXPECT_EQ(IsoWeek::of(day(2026, 11, 30)).to_string(), "2026-W49");  // the next Monday
  EXPECT_EQ(IsoWeek::of(day(2027, 1, 1)).to_string(), "2026-W53");    // ISO year differs from the calendar year
  EXPECT_EQ(IsoWeek::of(day(2024, 12, 30)).to_string(), "2025-W01");
  EXPECT_EQ(IsoWeek::parse("2026-W53")->next().to_string(), "2027-W01");
  EXPECT_EQ(IsoWeek::parse("2027-W01")->previous().to_string(), "2026-W53");
  for (sys_days d = day(2019, 12, 1); d < day(2028, 2, 1); d += std::chrono::days(1)) {
    IsoWeek w = IsoWeek::of(d);
    ASSERT_LE(w.monday(), d);
    ASSERT_GT(w.monday() + std::chrono::days(7), d);
    ASSERT_EQ(std::chrono::weekday{w.monday()}, std::chrono::Monday);
    ASSERT_EQ(IsoWeek::parse(w.to_string()), w);
  }
}

TEST(IsoWeek, ShanghaiWeekTurnsAtMidnightUtcPlusEight) {
  // Sunday 2026-11-29 16:00 UTC is Monday 00:00 in Shanghai: week 49 there.
  auto t = std::chrono::sys_days(day(2026, 11, 29)) + 15h + 59min;
  EXPECT_EQ(IsoWeek::in_shanghai(t).to_string(), "2026-W48");
  EXPECT_EQ(IsoWeek::in_shanghai(t + 1min).to_string(), "2026-W49");
}

TEST(DigestFileName, KeepsReadableBytesAndEncodesTheRest) {
  EXPECT_EQ(digest_file_name("91330108MA2M95UY1P"), "91330108MA2M95UY1P");
  EXPECT_EQ(digest_file_name("a/b"), "a%2Fb");
  EXPECT_EQ(digest_file_name(".."), "%2E.");
  // A right-to-left override never reaches a file name (issue 16): it is percent-encoded.
  EXPECT_EQ(digest_file_name("杭州\u202Egpj.exe"), "杭州%E2%80%AEgpj.exe");
  EXPECT_EQ(digest_file_name("a\u2066b\u0085"), "a%E2%81%A6b%C2%85");
  EXPECT_EQ(digest_file_name("国网杭州供电公司"), "国网杭州供电公司");
  EXPECT_EQ(digest_file_name("杭州/市"), "杭州%2F市");
  EXPECT_EQ(digest_file_name("a b"), "a%20b");
  EXPECT_NE(digest_file_name("a%2Fb"), digest_file_name("a/b"));  // '%' itself is encoded
  std::string long_a(300, 'a'), long_b = std::string(299, 'a') + "b";
  EXPECT_LE(digest_file_name(long_a).size(), 200u);
  EXPECT_NE(digest_file_name(long_a), digest_file_name(long_b));
  std::string long_zh;
  for (int i = 0; i < 100; ++i) long_zh += "杭";
  std::string cut = digest_file_name(long_zh);
  EXPECT_LE(cut.size(), 200u);
  EXPECT_EQ(cut.substr(0, 3 * 61), long_zh.substr(0, 3 * 61));  // whole characters only before "~hash"
  EXPECT_EQ(cut[3 * 61], '~');
}

TEST(DigestSettings, RoundTripsAndRefusesBadKeys) {
  DigestSettings s;
  s.max_items = 7;
  s.per_publisher_cap = 2;
  auto back = DigestSettings::from_json(s.to_json());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->to_json(), s.to_json());
  EXPECT_FALSE(DigestSettings::from_json({{"max_items", 0}}));
  EXPECT_FALSE(DigestSettings::from_json({{"max_items", "ten"}}));
  EXPECT_FALSE(DigestSettings::from_json({{"cap", 3}}));
}

TEST(DigestHtml, EscapesEveryTextAndFollowsTheRecipientsLanguage) {
  nlohmann::json d = {
      {"week", "2026-W48"},
      {"covers", {{"from", "2026-11-16"}, {"to", "2026-11-22"}}},
      {"recipient", {{"kind", "enterprise"}, {"id", "e1"}, {"name", "<b>Acme</b> & Co"}, {"language", "en"}}},
      {"items",
       {{{"scenario", {{"id", "s1"}, {"title", "Tunnel <script>alert(1)</script>"}, {"publisher", "P\"1"}}},
         {"score", 0.5},
         {"reason", "text 0.50"},
         {"matched_terms", {"tunnel"}},
         {"link", "http://x/v1/scenarios/s1?a=1&b=\"2\""}}}},
      {"stalled", nlohmann::json::array()}};
  std::string html = render_digest_html(d);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;Acme&lt;/b&gt; &amp; Co"), std::string::npos);
  EXPECT_NE(html.find("href=\"http://x/v1/scenarios/s1?a=1&amp;b=&quot;2&quot;\""), std::string::npos);
  EXPECT_NE(html.find("lang=\"en\""), std::string::npos);
  d["recipient"]["language"] = "zh";
  html = render_digest_html(d);
  EXPECT_NE(html.find("lang=\"zh-CN\""), std::string::npos);
  EXPECT_NE(html.find("每周匹配摘要"), std::string::npos);
}

}  // namespace
}  // namespace jiebang
