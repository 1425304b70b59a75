// Search-form normalisation tests: NFKC case folding, pinyin-annotation removal, t2s.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "jiebang/text/normalize.h"

namespace jiebang {
namespace {

TEST(Normalize, FullWidthBecomesHalfWidthLowerCase) {
  EXPECT_EQ(text::normalize("ＡＩ５Ｇ"), "ai5g");
  EXPECT_EQ(text::normalize("ＩＰ６５防护"), "ip65防护");
  EXPECT_EQ(text::normalize("AI 5G"), "ai 5g");  // ASCII fast path
}

TEST(Normalize, FullWidthPunctuationFolded) {
  EXPECT_EQ(text::normalize("（试点）"), "(试点)");
  EXPECT_EQ(text::normalize("Ａ，Ｂ"), "a,b");
}

TEST(Normalize, TraditionalBecomesSimplified) {
  EXPECT_EQ(text::normalize("機器人"), "机器人");
  EXPECT_EQ(text::normalize("智慧醫療影像"), "智慧医疗影像");
  EXPECT_EQ(text::normalize("電力隧道巡檢"), "电力隧道巡检");
}

TEST(Normalize, PinyinAnnotationsAfterHanRemoved) {
  EXPECT_EQ(text::normalize("场(chǎng)景(jǐng)创新"), "场景创新");
  EXPECT_EQ(text::normalize("场（chǎng）景（jǐng）创新"), "场景创新");  // full-width brackets
  EXPECT_EQ(text::normalize("揭(jie1)榜(bang3)"), "揭榜");              // tone digits
}

TEST(Normalize, SeveralSyllablesAndSpacesAroundAnAnnotationGoWithIt) {
  // The characters on either side must end up neighbours: phrases and bigrams across the annotation.
  EXPECT_EQ(text::normalize("巡检(xún jiǎn)机器人"), "巡检机器人");
  EXPECT_EQ(text::normalize("巡检（Xún Jiǎn）机器人"), "巡检机器人");
  EXPECT_EQ(text::normalize("场 (chǎng) 景"), "场景");
  EXPECT_EQ(text::normalize("西安(xī'ān)高新区"), "西安高新区");
  EXPECT_EQ(text::normalize("巡检(xun2 jian3)机器人"), "巡检机器人");
  EXPECT_EQ(text::normalize("场 (chǎng) abc"), "场 abc");  // Latin after it: the space stays
  EXPECT_EQ(text::display_form("巡检 (xún jiǎn) 机器人"), "巡检机器人");
}

TEST(Normalize, OtherParenthesesKept) {
  EXPECT_EQ(text::normalize("场景(试点)"), "场景(试点)");
  EXPECT_EQ(text::normalize("清单(2025年)"), "清单(2025年)");
  EXPECT_EQ(text::normalize("AI (ai)"), "ai (ai)");
  EXPECT_EQ(text::normalize("模型 AI(ai)"), "模型 ai(ai)");  // Latin before the bracket, not Han
  EXPECT_EQ(text::normalize("人工智能 (AI)"), "人工智能 (ai)");  // no tone: not pinyin
  EXPECT_EQ(text::normalize("芯片 (ai chip)"), "芯片 (ai chip)");
}

TEST(Normalize, EmptyAndAsciiUnchangedApartFromCase) {
  EXPECT_EQ(text::normalize(""), "");
  EXPECT_EQ(text::normalize("Metro Tunnel"), "metro tunnel");
  EXPECT_EQ(text::normalize("330110"), "330110");
}

TEST(Normalize, InvalidUtf8ReplacedNotPassedThrough) {
  std::string out = text::normalize("场景\xB3\xA1");
  EXPECT_EQ(out.rfind("场景", 0), 0u) << out;
  EXPECT_NE(out.find("\xEF\xBF\xBD"), std::string::npos) << "U+FFFD expected";
}

TEST(Normalize, IsIdempotent) {
  for (const char* s : {"ＡＩ５Ｇ", "機器人", "场(chǎng)景(jǐng)创新", "场景(试点)", "Ｍｅｔｒｏ"}) {
    std::string once = text::normalize(s);
    EXPECT_EQ(text::normalize(once), once) << s;
  }
}

TEST(Normalize, ConcurrentCallsAgree) {
  std::vector<std::string> results(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] {
      for (int k = 0; k < 20; ++k) results[i] = text::normalize("機器人ＡＩ场(chǎng)景");
    });
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r, "机器人ai场景");
}

TEST(NormalizeName, TrimsAndCollapsesWhitespaceAfterNormalising) {
  EXPECT_EQ(text::normalize_name("高新技术企业　"), "高新技术企业");  // U+3000 becomes a space, then trimmed
  EXPECT_EQ(text::normalize_name("  Dept of Energy \t / Office  "), "dept of energy / office");
  EXPECT_EQ(text::normalize_name("國家電網 /  國網杭州"), "国家电网 / 国网杭州");
  EXPECT_EQ(text::normalize_name("高新技术 企业"), "高新技术 企业");  // a space inside stays one space
  EXPECT_EQ(text::normalize_name(" \n "), "");
}

}  // namespace
}  // namespace jiebang
