// Encoding tests: UTF-8 with/without BOM, GBK/GB18030 detection and conversion, bad bytes named by line.
#include <gtest/gtest.h>

#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "jiebang/core/encoding.h"
#include "jiebang/core/record_reader.h"

#include "published_input_util.h"
#include "test_util.h"

namespace jiebang {
namespace {

const std::string kCsvUtf8 =
    "场景编号,场景名称,发榜单位\n"
    "hz-1,电力隧道智能巡检,国网杭州供电公司\n"
    "hz-2,路口信号配时优化,杭州市城市大脑运营中心\n";

Result<TextEncoding> detect(const std::string& bytes) {
  std::istringstream in(bytes);
  return detect_encoding(in);
}

/// A stream that cannot seek, like a pipe.
class PipeBuf : public std::streambuf {
 public:
  explicit PipeBuf(std::string data) : data_(std::move(data)) { setg(data_.data(), data_.data(), data_.data() + data_.size()); }

 private:
  std::string data_;
};

std::string read_all(std::istream& in) { return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()}; }

TEST(EncodingName, ReportNames) {
  EXPECT_EQ(encoding_name(TextEncoding::kUtf8), "utf-8");
  EXPECT_EQ(encoding_name(TextEncoding::kUtf8Bom), "utf-8-bom");
  EXPECT_EQ(encoding_name(TextEncoding::kGb18030), "gb18030");
}

TEST(EncodingDetect, Utf8WithAndWithoutBom) {
  EXPECT_EQ(*detect(kCsvUtf8), TextEncoding::kUtf8);
  EXPECT_EQ(*detect("id,title\nhz-1,plain ascii\n"), TextEncoding::kUtf8);
  EXPECT_EQ(*detect(""), TextEncoding::kUtf8);
  EXPECT_EQ(*detect("\xEF\xBB\xBF" + kCsvUtf8), TextEncoding::kUtf8Bom);
}

TEST(EncodingDetect, GbkAndGb18030AreGb18030) {
  EXPECT_EQ(*detect(testing::encode_as(kCsvUtf8, "GBK")), TextEncoding::kGb18030);
  EXPECT_EQ(*detect(testing::encode_as(kCsvUtf8, "GB18030")), TextEncoding::kGb18030);
}

TEST(EncodingDetect, MostlyUtf8WithOneBadLineStaysUtf8) {
  // Converting the whole file from GB18030 would turn the good lines into mojibake without an
  // error; as UTF-8 only the bad line is rejected, by the reader.
  std::string text = kCsvUtf8 + "hz-3," + testing::encode_as("场景", "GBK") + ",某单位\n";
  EXPECT_EQ(*detect(text), TextEncoding::kUtf8);
}

TEST(EncodingDetect, NonTextFilesAreRejectedWithWhatToDo) {
  struct Case {
    std::string bytes, expect;
  };
  for (const auto& c : std::vector<Case>{{std::string("\xFF\xFE", 2) + std::string("i\0d\0", 4), "UTF-16"},
                                          {std::string("\xFE\xFF\0i", 4), "UTF-16"},
                                          {std::string("PK\x03\x04\x14\0", 6), ".xlsx"},
                                          {std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", 10), ".xls"}}) {
    auto r = detect(c.bytes);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().message();
  }
}

TEST(EncodingGb18030, ConvertsGbkAndFourByteSequences) {
  std::string text = "𠀀 (U+20000, four bytes in GB18030) € ·\n" + kCsvUtf8;
  auto utf8 = gb18030_to_utf8(testing::encode_as(text, "GB18030"));
  ASSERT_TRUE(utf8) << utf8.status().to_string();
  EXPECT_EQ(*utf8, text);
  utf8 = gb18030_to_utf8(testing::encode_as(kCsvUtf8, "GBK"));
  ASSERT_TRUE(utf8) << utf8.status().to_string();
  EXPECT_EQ(*utf8, kCsvUtf8);
}

TEST(EncodingGb18030, ByteOrderMarkDropped) {
  auto utf8 = gb18030_to_utf8("\x84\x31\x95\x33" + testing::encode_as(kCsvUtf8, "GB18030"));
  ASSERT_TRUE(utf8) << utf8.status().to_string();
  EXPECT_EQ(*utf8, kCsvUtf8);
}

TEST(EncodingGb18030, InvalidSequenceNamesTheLineAndBytes) {
  std::string gbk = testing::encode_as(kCsvUtf8, "GBK");
  // Line 4: a lead byte followed by a space is not a GB18030 character.
  std::string bad = gbk + "hz-3,\x81 " + testing::encode_as("巡检", "GBK") + "\nhz-4,ok\n";
  auto r = gb18030_to_utf8(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("line 4"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("81"), std::string::npos) << r.status().message();

  r = gb18030_to_utf8(gbk + "\xFF\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("line 4"), std::string::npos) << r.status().message();
}

TEST(EncodingGb18030, TruncatedCharacterAtTheEnd) {
  std::string gbk = testing::encode_as(kCsvUtf8 + "hz-3,巡检", "GBK");
  auto r = gb18030_to_utf8(gbk.substr(0, gbk.size() - 1));
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("line 4"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("incomplete"), std::string::npos) << r.status().message();
}

TEST(EncodingGb18030, ReplacementCharacterRejected) {
  // U+FFFD is 84 31 A4 37 in GB18030: a character some earlier conversion already lost.
  std::string text = testing::encode_as(kCsvUtf8, "GB18030") + "hz-3," + std::string("\x84\x31\xA4\x37") + "\n";
  auto r = gb18030_to_utf8(text);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("line 4"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("U+FFFD"), std::string::npos) << r.status().message();
}

TEST(EncodingOpenAsUtf8, Utf8FileIsReadInPlaceAndRewound) {
  std::istringstream in("\xEF\xBB\xBF" + kCsvUtf8);
  auto u = open_as_utf8(in);
  ASSERT_TRUE(u) << u.status().to_string();
  EXPECT_EQ(u->encoding, TextEncoding::kUtf8Bom);
  EXPECT_EQ(u->stream, &in) << "a seekable UTF-8 stream is not copied";
  EXPECT_EQ(read_all(*u->stream), "\xEF\xBB\xBF" + kCsvUtf8);
}

TEST(EncodingOpenAsUtf8, GbkFileIsConverted) {
  std::istringstream in(testing::encode_as(kCsvUtf8, "GBK"));
  auto u = open_as_utf8(in);
  ASSERT_TRUE(u) << u.status().to_string();
  EXPECT_EQ(u->encoding, TextEncoding::kGb18030);
  EXPECT_EQ(read_all(*u->stream), kCsvUtf8);
}

TEST(EncodingOpenAsUtf8, UnseekableStreamsAreBuffered) {
  for (const auto& [bytes, encoding] : std::vector<std::pair<std::string, TextEncoding>>{
           {kCsvUtf8, TextEncoding::kUtf8}, {testing::encode_as(kCsvUtf8, "GBK"), TextEncoding::kGb18030}}) {
    PipeBuf buf(bytes);
    std::istream in(&buf);
    ASSERT_EQ(in.tellg(), std::istream::pos_type(-1)) << "the test stream must not seek";
    auto u = open_as_utf8(in);
    ASSERT_TRUE(u) << u.status().to_string();
    EXPECT_EQ(u->encoding, encoding);
    EXPECT_EQ(read_all(*u->stream), kCsvUtf8);
  }
}

TEST(EncodingOpenAsUtf8, StartsWhereTheStreamIs) {
  std::istringstream in("skipped line\n" + testing::encode_as(kCsvUtf8, "GBK"));
  std::string first;
  std::getline(in, first);
  auto u = open_as_utf8(in);
  ASSERT_TRUE(u) << u.status().to_string();
  EXPECT_EQ(read_all(*u->stream), kCsvUtf8);
}

TEST(EncodingRecords, GbkCsvReadsLikeUtf8AfterConversion) {
  std::istringstream in(testing::encode_as(kCsvUtf8, "GBK"));
  auto u = open_as_utf8(in);
  ASSERT_TRUE(u) << u.status().to_string();
  auto columns = ColumnMap::load(testing::index_dir() + "/columns.tsv");
  ASSERT_TRUE(columns) << columns.status().to_string();
  ReadOptions options;
  options.columns = &*columns;
  std::vector<RawRecord> recs;
  Status st = read_records(*u->stream, FileFormat::kCsv, RecordKind::kScenario, options, [&](RawRecord&& r) {
    recs.push_back(std::move(r));
    return true;
  });
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].line, 2u);
  EXPECT_EQ(recs[0].object, nlohmann::json({{"id", "hz-1"}, {"title", "电力隧道智能巡检"}, {"publisher", "国网杭州供电公司"}}));
}

TEST(EncodingRecords, InvalidUtf8JsonLineSaysSo) {
  std::istringstream in("{\"id\": \"a\"}\n{\"id\": \"\xB3\xA1\xBE\xB0\"}\n");
  std::vector<RawRecord> recs;
  Status st = read_records(in, FileFormat::kJsonLines, RecordKind::kScenario, [&](RawRecord&& r) {
    recs.push_back(std::move(r));
    return true;
  });
  ASSERT_TRUE(st.is_ok());
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].line, 2u);
  EXPECT_NE(recs[1].error.find("UTF-8"), std::string::npos) << recs[1].error;
}

}  // namespace
}  // namespace jiebang
