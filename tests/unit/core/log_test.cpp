// The log's text rules: logfmt values that a client's bytes cannot break out of, request ids, levels.
#include <gtest/gtest.h>

#include "jiebang/core/log.h"

namespace jiebang {
namespace {

TEST(LogfmtValue, PlainWordsStayAndEverythingElseIsOneQuotedEscapedValue) {
  EXPECT_EQ(logfmt_value("GET"), "GET");
  EXPECT_EQ(logfmt_value("/v1/scenarios?q=x"), "\"/v1/scenarios?q=x\"");  // '=' would start a field
  EXPECT_EQ(logfmt_value(""), "\"\"");
  EXPECT_EQ(logfmt_value("a b"), "\"a b\"");
  EXPECT_EQ(logfmt_value("say \"hi\" \\ there"), R"("say \"hi\" \\ there")");
  EXPECT_EQ(logfmt_value("x\nevent=forged"), R"("x\nevent=forged")");
  EXPECT_EQ(logfmt_value(std::string("\x01\x7f\t\r", 4)), R"("\x01\x7f\t\x0d")");
  EXPECT_EQ(logfmt_value("巡检机器人"), "巡检机器人");  // UTF-8 text stays readable
  for (unsigned c = 0; c < 0x20; ++c) {
    std::string v = logfmt_value(std::string(1, static_cast<char>(c)));
    EXPECT_EQ(v.find_first_of(std::string("\n\r\0", 3)), std::string::npos) << c;
  }
}

TEST(RequestId, OnlySaneIdsAreKeptOthersAreReplacedByAFreshOne) {
  EXPECT_TRUE(sane_request_id("abc-123_x.y"));
  EXPECT_FALSE(sane_request_id(""));
  EXPECT_FALSE(sane_request_id(std::string(kMaxRequestIdChars + 1, 'a')));
  EXPECT_TRUE(sane_request_id(std::string(kMaxRequestIdChars, 'a')));
  EXPECT_FALSE(sane_request_id("a b"));
  EXPECT_FALSE(sane_request_id("a\"b"));
  EXPECT_FALSE(sane_request_id("é"));
  EXPECT_EQ(request_id_for("trace-1"), "trace-1");
  std::string a = request_id_for("bad id"), b = request_id_for("");
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
  EXPECT_NE(a, b);
}

TEST(LogLevel, NamedLevelsAreAcceptedAndOthersRefusedByName) {
  EXPECT_TRUE(set_log_level("warn").is_ok());
  EXPECT_FALSE(log_enabled(LogLevel::kInfo));
  EXPECT_TRUE(log_enabled(LogLevel::kError));
  EXPECT_TRUE(set_log_level("off").is_ok());
  EXPECT_FALSE(log_enabled(LogLevel::kError));
  Status bad = set_log_level("loud");
  EXPECT_FALSE(bad.is_ok());
  EXPECT_NE(bad.message().find("loud"), std::string::npos) << bad.message();
  EXPECT_TRUE(set_log_level("info").is_ok());
  EXPECT_TRUE(log_enabled(LogLevel::kInfo));
  EXPECT_FALSE(log_enabled(LogLevel::kDebug));
}

}  // namespace
}  // namespace jiebang
