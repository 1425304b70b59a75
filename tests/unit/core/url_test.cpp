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

}  // namespace
}  // namespace jiebang
