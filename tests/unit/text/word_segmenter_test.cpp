// WordSegmenter: jieba's method over jieba's dictionary, domain words, errors, sharing across threads.
#include "jiebang/text/word_segmenter.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "jiebang/core/taxonomy.h"
#include "jiebang/text/normalize.h"
#include "jiebang/text/segment.h"
#include "test_util.h"

namespace jiebang::text {
namespace {

/// The process's base segmenter (jieba's dictionary, no domain words): loaded once for the suite.
const WordSegmenter& base() {
  static std::shared_ptr<const WordSegmenter> seg = [] {
    auto s = WordSegmenter::load(jieba_data_dir());
    if (!s) throw std::runtime_error(s.status().message());
    return *s;
  }();
  return *seg;
}

std::string joined(const std::vector<std::string_view>& words) {
  std::string out;
  for (auto w : words) out += (out.empty() ? "" : "/") + std::string(w);
  return out;
}

// Expected cuts are what jieba 0.42.1 (Debian's python3-jieba) prints for the same sentences.
TEST(WordSegmenter, CutsLikeJiebaAccurateMode) {
  EXPECT_EQ(joined(base().cut("巡检机器人")), "巡检/机器人");
  EXPECT_EQ(joined(base().cut("电力隧道挂轨式智能巡检机器人")), "电力/隧道/挂/轨式/智能/巡检/机器人");
  EXPECT_EQ(joined(base().cut("可见光及红外双光局部放电检测")), "可见光/及/红外/双光/局部/放电/检测");
  EXPECT_EQ(joined(base().cut("我来到北京清华大学")), "我/来到/北京/清华大学");
  EXPECT_EQ(joined(base().cut("软件和信息技术服务业")), "软件/和/信息技术/服务业");
}

TEST(WordSegmenter, HmmFindsWordsNotInTheDictionary) {
  // 杭研 is in no dictionary: the BMES model joins the two characters.
  EXPECT_EQ(joined(base().cut("他来到了网易杭研大厦")), "他/来到/了/网易/杭研/大厦");
  EXPECT_FALSE(base().is_word("杭研"));
}

TEST(WordSegmenter, SearchModeAddsDictionaryWordsInsideLongWords) {
  EXPECT_EQ(joined(base().cut_for_search("小明硕士毕业于中国科学院计算所")),
            "小明/硕士/毕业/于/中国/科学/学院/科学院/中国科学院/计算/计算所");
  EXPECT_EQ(joined(base().cut_for_search("巡检机器人")), "巡检/机器/机器人");
}

TEST(WordSegmenter, EdgeCases) {
  EXPECT_TRUE(base().cut("").empty());
  EXPECT_EQ(joined(base().cut("蝶")), "蝶");
  EXPECT_EQ(joined(base().cut("𠀀𠀁")).size(), std::string("𠀀𠀁").size() + 1);  // outside the tables: still covered
  EXPECT_GT(base().word_count(), 300000u);
}

TEST(WordSegmenter, DomainWordsFromTheIndexDefinitionStayWhole) {
  testing::TempDir dir;
  std::filesystem::copy(default_index_dir(), dir.path(), std::filesystem::copy_options::recursive);
  {
    std::ofstream user(dir.file("user_dict.txt"));
    user << "# operator's words\n局部放电\n挂轨式 50 n\n";
  }
  auto seg = WordSegmenter::for_index_dir(dir.path().string());
  ASSERT_TRUE(seg) << seg.status().message();
  EXPECT_EQ(joined((*seg)->cut("可见光及红外双光局部放电检测")), "可见光/及/红外/双光/局部放电/检测");
  EXPECT_EQ((*seg)->frequency("挂轨式"), 50u);
  EXPECT_TRUE((*seg)->is_word("巡检机器人"));  // a synonyms.txt variant
  EXPECT_TRUE((*seg)->is_word("特殊作业机器人制造"));  // a GB/T 4754 name
  EXPECT_EQ(joined((*seg)->cut_for_search("特殊作业机器人制造")), "特殊/作业/机器/制造/作业机/机器人/特殊作业机器人制造");
  EXPECT_GT((*seg)->domain_word_count(), 1000u);
  // The same directory again: the same (shared) segmenter.
  auto again = WordSegmenter::for_index_dir(dir.path().string());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->get(), seg->get());
  // tokenize() uses the current segmenter: the one just loaded.
  auto tokens = tokenize(normalize("局部放電 检测 5G"));
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].text, "局部放电");
  EXPECT_EQ(tokens[0].chars, 4u);
  EXPECT_EQ(tokens[2].kind, TokenKind::kNumber);
}

TEST(Tokenize, BytesThatAreNotUtf8KeepEveryOffsetInsideTheInput) {
  // Found by fuzz/query_fuzz.cpp (corpus regression-gbk-tokenize): GBK bytes given to tokenize()
  // (a public function; only normalize() makes text UTF-8) threw std::out_of_range, because ICU
  // read each bad sequence as a 3-byte U+FFFD and the offsets ran past the input.
  const std::string gbk = "\xd6\xc7\xbb\xdb\xb3\xc7@\xca\xd0";  // "智慧城@市" in GBK
  for (const std::string& text : {gbk, std::string("ab\xff\xfe\xfdcd 5g \xe6\x99"), std::string("\xe6\x99\xba\xff局部放电 ai\x80")}) {
    std::vector<Token> tokens;
    ASSERT_NO_THROW(tokens = tokenize(text, base())) << text;
    for (const auto& t : tokens) {
      ASSERT_LT(t.begin, t.end) << text;
      ASSERT_LE(t.end, text.size()) << text;
      EXPECT_EQ(text.substr(t.begin, t.end - t.begin), t.text) << text;
    }
  }
  // The valid parts are still found where they are.
  auto tokens = tokenize("\xffrobot\xfe\xe5\xb1\x80\xe9\x83\xa8\xe6\x94\xbe\xe7\x94\xb5", base());
  ASSERT_GE(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].text, "robot");
  EXPECT_EQ(tokens[0].begin, 1u);
  EXPECT_EQ(tokens[1].begin, 7u);
  std::string han;
  for (size_t i = 1; i < tokens.size(); ++i) han += tokens[i].text;
  EXPECT_EQ(han, "局部放电");
}

TEST(WordSegmenter, MalformedUserDictionaryNamesTheLine) {
  testing::TempDir dir;
  {
    std::ofstream user(dir.file("user_dict.txt"));
    user << "局部放电 10\n放电检测 -3\n";
  }
  auto words = domain_words(dir.path().string());
  ASSERT_FALSE(words);
  EXPECT_NE(words.status().message().find("user_dict.txt:2"), std::string::npos) << words.status().message();
}

TEST(WordSegmenter, MissingDataNamesThePath) {
  auto seg = WordSegmenter::load("/nonexistent/jieba");
  ASSERT_FALSE(seg);
  EXPECT_EQ(seg.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(seg.status().message().find("/nonexistent/jieba/dict.txt"), std::string::npos);
  EXPECT_NE(seg.status().message().find("python3-jieba"), std::string::npos);
}

TEST(WordSegmenter, SharedReadOnlyAcrossThreads) {
  const std::string text = "电力隧道挂轨式智能巡检机器人他来到了网易杭研大厦";
  const std::string expected = joined(base().cut(text));
  std::vector<std::string> got(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i)
    threads.emplace_back([&, i] {
      for (int k = 0; k < 50; ++k) got[i] = joined(base().cut(text));
    });
  for (auto& t : threads) t.join();
  for (const auto& g : got) EXPECT_EQ(g, expected);
}

}  // namespace
}  // namespace jiebang::text
