// Percent-encoding of path segments (RFC 3986).
#include <gtest/gtest.h>

#include "jiebang/core/url.h"

namespace jiebang {
namespace {

TEST(PercentEncodeSegment, KeepsUnreservedAndEncodesTheRestByteByByte) {
  EXPECT_EQ(percent_encode_segment("hz-2026.03_001~x"), "hz-2026.03_001~x");
  EXPECT_EQ(percent_encode_segment("a/b c"), "a%2Fb%20c");
  EXPECT_EQ(percent_encode_segment("杭"), "%E6%9D%AD");
  EXPECT_EQ(percent_encode_segment("%"), "%25");
}

// Regression: the ids "." and ".." went into links as dot-segments, which clients resolve away
// (".../v1/enterprises/.." became ".../v1/").
TEST(PercentEncodeSegment, EncodesDotSegmentsWhole) {
  EXPECT_EQ(percent_encode_segment("."), "%2E");
  EXPECT_EQ(percent_encode_segment(".."), "%2E%2E");
  EXPECT_EQ(percent_encode_segment("..."), "...");  // not a dot-segment
  EXPECT_EQ(percent_encode_segment(".a"), ".a");
}

// One decoder serves the API (strict), the pages' forms and the redirect check (lenient).
TEST(PercentDecode, DecodesEscapesAndPlusAsAskedAndTreatsABadEscapeAsAsked) {
  EXPECT_EQ(percent_decode("%E5%B7%A1%e6%a3%80+a", false, BadEscape::kRefuse), "巡检+a");
  EXPECT_EQ(percent_decode("%E5%B7%A1%e6%a3%80+a", true, BadEscape::kRefuse), "巡检 a");
  EXPECT_EQ(percent_decode("%41", false, BadEscape::kRefuse), "A");  // an escape that ends the text
  for (const char* bad : {"100%", "%4", "%G1", "a%2", "%%41"}) {
    EXPECT_EQ(percent_decode(bad, false, BadEscape::kRefuse), std::nullopt) << bad;
    EXPECT_EQ(percent_decode(bad, true, BadEscape::kKeep), std::string(bad) == "%%41" ? "%A" : bad) << bad;
  }
  EXPECT_EQ(percent_decode("%00%FF", false, BadEscape::kRefuse), std::string("\0\xFF", 2));  // bytes as written
  EXPECT_EQ(percent_decode("%252F", false, BadEscape::kKeep), "%2F");                      // one round only
}

// Regression (breaking pass, finding 7): "/\\x" and "/<tab>/x" passed as local, and browsers
// read them as "//x", another host.
TEST(LocalRedirectTarget, OnlyAPathOnThisHostIsLocal) {
  for (const char* ok : {"/", "/scenarios", "/scenarios?q=%E5%B7%A1+a&page=2", "/scenarios?q=a%20b", "/me#top",
                         "/scenarios/hz-2026-03-001", "/scenarios?q=巡检"})
    EXPECT_TRUE(is_local_redirect_target(ok)) << ok;
  for (const char* bad : {"", "x", "//x", "/\\x", "/%5Cx", "/%5cx", "/%2F/x", "/%2f%2fx", "/%252F/x", "/%25252F/x",
                          "/\t/x", "/%09/x", "/%0A/x", "/%0d%0a/x", " /x", "/ /x", "/%20/x", "https://x", "http:/x",
                          "javascript:alert(1)", "/a\\b", "/\x1b[31m", "/%1B", "/\u202Ex", "/%E2%80%AEx", "/%C2%85x",
                          "/%C2%95x", "/%00x", "/x?a=%00", "/%2525252F/x"})
    EXPECT_FALSE(is_local_redirect_target(bad)) << bad;
  EXPECT_FALSE(is_local_redirect_target(std::string_view("/\0x", 3)));
}

}  // namespace
}  // namespace jiebang
