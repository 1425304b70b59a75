// JSON Lines and CSV record-reader tests: line numbers, bad lines, BOM, CRLF, encodings.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "jiebang/core/limits.h"
#include "jiebang/core/record_reader.h"

#include <fmt/format.h>

#include "test_util.h"

namespace jiebang {
namespace {

std::vector<RawRecord> read_all(const std::string& text, FileFormat format, Status* status_out = nullptr,
                                RecordKind kind = RecordKind::kScenario) {
  std::istringstream in(text);
  std::vector<RawRecord> out;
  Status st = read_records(in, format, kind, [&](RawRecord&& r) {
    out.push_back(std::move(r));
    return true;
  });
  if (status_out)
    *status_out = st;
  else
    EXPECT_TRUE(st.is_ok()) << st.to_string();
  return out;
}

struct Row {
  std::vector<std::string> cells;
  size_t line;
};

std::vector<Row> csv_rows(const std::string& text, Status* status_out = nullptr) {
  std::istringstream in(text);
  std::vector<Row> rows;
  Status st = read_csv(in, [&](std::vector<std::string>&& cells, size_t line) {
    rows.push_back({std::move(cells), line});
    return true;
  });
  if (status_out)
    *status_out = st;
  else
    EXPECT_TRUE(st.is_ok()) << st.to_string();
  return rows;
}

TEST(FormatFromPath, CsvByExtensionAnyCase) {
  EXPECT_EQ(format_from_path("a/b/scenarios.csv"), FileFormat::kCsv);
  EXPECT_EQ(format_from_path("SCENARIOS.CSV"), FileFormat::kCsv);
  EXPECT_EQ(format_from_path("scenarios.jsonl"), FileFormat::kJsonLines);
  EXPECT_EQ(format_from_path("csv"), FileFormat::kJsonLines);
  EXPECT_EQ(format_from_path("x.csv.gz"), FileFormat::kJsonLines);
}

TEST(ReadRecordsJsonl, BadLineInMiddleReportedWithLineNumberAndNeighboursDelivered) {
  std::string text =
      "{\"id\": \"a\"}\n"
      "{\"id\": \"b\"}\n"
      "{\"id\": \"c\", \"title\": \n"
      "{\"id\": \"d\"}\n";
  auto recs = read_all(text, FileFormat::kJsonLines);
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].line, 1u);
  EXPECT_EQ(recs[0].object["id"], "a");
  EXPECT_TRUE(recs[0].error.empty());
  EXPECT_EQ(recs[1].line, 2u);
  EXPECT_EQ(recs[1].object["id"], "b");
  EXPECT_EQ(recs[2].line, 3u);
  EXPECT_FALSE(recs[2].error.empty());
  EXPECT_NE(recs[2].error.find("JSON"), std::string::npos) << recs[2].error;
  EXPECT_TRUE(recs[2].object.is_null());
  EXPECT_EQ(recs[3].line, 4u);
  EXPECT_EQ(recs[3].object["id"], "d");
  EXPECT_TRUE(recs[3].error.empty());
}

TEST(ReadRecordsJsonl, BlankLinesSkippedAndLineNumbersKept) {
  std::string text = "\n{\"id\": \"a\"}\n   \n\t\n{\"id\": \"b\"}\n\n";
  auto recs = read_all(text, FileFormat::kJsonLines);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].line, 2u);
  EXPECT_EQ(recs[1].line, 5u);
}

TEST(ReadRecordsJsonl, ByteOrderMarkStripped) {
  std::string text = "\xEF\xBB\xBF{\"id\": \"场景-1\"}\n{\"id\": \"b\"}\n";
  auto recs = read_all(text, FileFormat::kJsonLines);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_TRUE(recs[0].error.empty()) << recs[0].error;
  EXPECT_EQ(recs[0].object["id"], "场景-1");
}

TEST(ReadRecordsJsonl, CrlfLineEndingsAccepted) {
  std::string text = "{\"id\": \"a\"}\r\n{\"id\": \"b\"}\r\n\r\n{\"id\": \"c\"}";
  auto recs = read_all(text, FileFormat::kJsonLines);
  ASSERT_EQ(recs.size(), 3u);
  for (const auto& r : recs) EXPECT_TRUE(r.error.empty()) << r.line << ": " << r.error;
  EXPECT_EQ(recs[2].line, 4u);
  EXPECT_EQ(recs[2].object["id"], "c");
}

TEST(ReadRecordsJsonl, CallbackReturningFalseStops) {
  std::istringstream in("{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n");
  int calls = 0;
  Status st = read_records(in, FileFormat::kJsonLines, RecordKind::kScenario, [&](RawRecord&&) {
    ++calls;
    return calls < 2;
  });
  EXPECT_TRUE(st.is_ok());
  EXPECT_EQ(calls, 2);
}

TEST(ReadRecordsJsonl, InvalidUtf8InsideStringIsABadLine) {
  std::string text = "{\"id\": \"a\"}\n{\"id\": \"\xB3\xA1\xBE\xB0\"}\n{\"id\": \"c\"}\n";
  auto recs = read_all(text, FileFormat::kJsonLines);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_TRUE(recs[0].error.empty());
  EXPECT_FALSE(recs[1].error.empty());
  EXPECT_EQ(recs[1].line, 2u);
  EXPECT_TRUE(recs[2].error.empty());
}

TEST(ReadCsv, QuotedCommasAndEmbeddedNewlineKeepNextRowLine) {
  std::string text =
      "id,title,description\n"                     // line 1
      "hz-1,\"巡检, 测温\",\"第一行\n第二行\"\n"   // lines 2-3
      "hz-2,普通标题,\"含\"\"引号\"\"的描述\"\n";  // line 4
  auto rows = csv_rows(text);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].line, 1u);
  EXPECT_EQ(rows[1].line, 2u);
  EXPECT_EQ(rows[1].cells, (std::vector<std::string>{"hz-1", "巡检, 测温", "第一行\n第二行"}));
  EXPECT_EQ(rows[2].line, 4u);
  EXPECT_EQ(rows[2].cells, (std::vector<std::string>{"hz-2", "普通标题", "含\"引号\"的描述"}));
}

TEST(ReadCsv, RowStartingWithMultiLineCellReportsItsFirstLine) {
  std::string text =
      "description,id\n"           // line 1
      "\"第一行\n第二行\",hz-1\n"  // lines 2-3
      "单行,hz-2\n";               // line 4
  auto rows = csv_rows(text);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].line, 2u);
  EXPECT_EQ(rows[2].line, 4u);
}

TEST(ReadCsv, UnterminatedQuoteAtEndIsAnError) {
  Status st;
  csv_rows("id,title\nhz-1,\"never closed\nmore text\n", &st);
  EXPECT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("line 2"), std::string::npos) << st.message();
}

TEST(ReadCsv, UnterminatedQuoteInFirstCellOfLastRowIsAnError) {
  Status st;
  auto rows = csv_rows("id,title\nhz-1,ok\n\"hz-2,never closed\n", &st);
  EXPECT_FALSE(st.is_ok()) << "rows delivered: " << rows.size();
}

TEST(ReadRecordsCsv, RowsBecomeJsonObjectsWithStartLines) {
  std::string text =
      "\xEF\xBB\xBFid,title,description,publisher,industries,required_trl\r\n"
      "hz-1,\"巡检, 机器人\",\"多行\r\n描述\",国网杭州供电公司,D4420;智能电网,7\r\n"
      "hz-2,标题二,描述二,杭州市城市大脑运营中心,,\r\n";
  auto recs = read_all(text, FileFormat::kCsv);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].line, 2u);
  EXPECT_TRUE(recs[0].error.empty()) << recs[0].error;
  EXPECT_EQ(recs[0].object["id"], "hz-1") << "BOM must not end up in the first header name: " << recs[0].object.dump();
  EXPECT_EQ(recs[0].object["title"], "巡检, 机器人");
  EXPECT_EQ(recs[0].object["industries"], nlohmann::json::array({"D4420", "智能电网"}));
  EXPECT_EQ(recs[0].object["required_trl"], 7);
  EXPECT_EQ(recs[1].line, 4u);
  EXPECT_EQ(recs[1].object["publisher"], "杭州市城市大脑运营中心");
  EXPECT_FALSE(recs[1].object.contains("industries"));
}

TEST(ReadRecordsCsv, RowWithTooManyCellsReportedAndOthersDelivered) {
  std::string text =
      "id,title\n"
      "hz-1,一\n"
      "hz-2,二,多余,更多\n"
      "hz-3,三\n";
  auto recs = read_all(text, FileFormat::kCsv);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_TRUE(recs[0].error.empty());
  EXPECT_EQ(recs[1].line, 3u);
  EXPECT_NE(recs[1].error.find("4 cells"), std::string::npos) << recs[1].error;
  EXPECT_NE(recs[1].error.find("2 columns"), std::string::npos) << recs[1].error;
  EXPECT_TRUE(recs[2].error.empty());
  EXPECT_EQ(recs[2].object["id"], "hz-3");
}

TEST(ReadRecordsCsv, GbkBytesReportedAsNotUtf8) {
  // "场景" and "杭州" in GBK.
  std::string text = "id,title\nhz-1,\xB3\xA1\xBE\xB0\nhz-2,ok\n";
  auto recs = read_all(text, FileFormat::kCsv);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].line, 2u);
  EXPECT_NE(recs[0].error.find("UTF-8"), std::string::npos) << recs[0].error;
  EXPECT_NE(recs[0].error.find("GBK"), std::string::npos) << recs[0].error;
  EXPECT_TRUE(recs[1].error.empty());
}

TEST(ReadRecordsCsv, EmptyFileHasNoHeader) {
  for (std::string text : {std::string(), std::string("\n\n"), std::string("\xEF\xBB\xBF")}) {
    Status st;
    auto recs = read_all(text, FileFormat::kCsv, &st);
    EXPECT_FALSE(st.is_ok());
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(st.message().find("header"), std::string::npos) << st.message();
    EXPECT_TRUE(recs.empty());
  }
}

TEST(ReadRecordsCsv, HeaderOnlyFileGivesNoRecords) {
  Status st;
  auto recs = read_all("id,title,description,publisher\n", FileFormat::kCsv, &st);
  EXPECT_TRUE(st.is_ok()) << st.to_string();
  EXPECT_TRUE(recs.empty());
}

}  // namespace
}  // namespace jiebang

namespace jiebang {
namespace {

TEST(ReadRecordsLimits, AnOverlongJsonlLineIsRefusedNamingItAndTheRestIsRead) {
  std::string big = "{\"id\":\"s-big\",\"title\":\"" + std::string(3 * kRecordLimits.record_bytes, 'x') + "\"}";
  auto recs = read_all("{\"id\":\"a\"}\n" + big + "\n{\"id\":\"b\"}\n", FileFormat::kJsonLines);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1].line, 2u);
  EXPECT_EQ(recs[1].error, fmt::format("the line is {} bytes, more than the {} a record may take", big.size(),
                                       kRecordLimits.record_bytes));
  EXPECT_TRUE(recs[1].object.is_null());
  EXPECT_EQ(recs[2].line, 3u);
  EXPECT_EQ(recs[2].object["id"], "b");
}

TEST(ReadRecordsLimits, JsonNestedTooDeepIsABadLine) {
  std::string deep = "{\"id\":\"d\",\"x\":" + std::string(kRecordLimits.json_depth + 10, '[') +
                     std::string(kRecordLimits.json_depth + 10, ']') + "}";
  auto recs = read_all(deep + "\n{\"id\":\"ok\"}\n", FileFormat::kJsonLines);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_NE(recs[0].error.find("nested deeper than"), std::string::npos) << recs[0].error;
  EXPECT_EQ(recs[1].object["id"], "ok");
}

// Breaking pass, session 14, finding 12: a line whose object gives a key twice is one bad line
// naming the key (it was read as the key's last value), and the lines after it are read.
TEST(ReadRecordsLimits, AJsonlLineGivingAKeyTwiceIsABadLine) {
  auto recs = read_all("{\"id\":\"a\",\"status\":\"closed\",\"status\":\"open\"}\n{\"id\":\"ok\"}\n",
                       FileFormat::kJsonLines);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_TRUE(recs[0].object.is_null());
  EXPECT_EQ(recs[0].error, "the key \"status\" is given twice in one object; give each key once");
  EXPECT_EQ(recs[1].object["id"], "ok");
}

// Regression (found by fuzz/jsonl_fuzz.cpp): a number beyond a double threw out_of_range from the
// reader's second, strict parse and ended the process; now it is one bad line like any other.
TEST(ReadRecordsLimits, ANumberTooLargeForADoubleIsABadLine) {
  auto recs = read_all("{\"id\":\"n\",\"x\":1e999}\n5555500000.0000000000900E0000000000217009<9<\n{\"id\":\"ok\"}\n",
                       FileFormat::kJsonLines);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].error, "not valid JSON: a number is too large");
  EXPECT_TRUE(recs[0].object.is_null());
  EXPECT_FALSE(recs[1].error.empty());
  EXPECT_EQ(recs[2].object["id"], "ok");
}

TEST(ReadRecordsLimits, CsvRowsBeyondTheColumnBoundOrLineBoundAreRefusedNamingTheLine) {
  std::string wide;
  for (size_t i = 0; i <= kRecordLimits.columns; ++i) wide += (i ? "," : "") + std::string("c");
  Status st;
  csv_rows("id,title\n" + wide + "\n", &st);
  EXPECT_FALSE(st.is_ok());
  EXPECT_EQ(st.message(), fmt::format("line 2: a row has more than {} columns", kRecordLimits.columns));
  std::string long_line(kRecordLimits.record_bytes + 5, 'y');
  csv_rows("id,title\n" + long_line + "\n", &st);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("line 2: the line is"), std::string::npos) << st.message();
  // A quoted cell that runs on over many short lines is bounded too.
  std::string many = "id,title\n\"";
  for (int i = 0; i < 40000; ++i) many += std::string(40, 'q') + "\n";
  csv_rows(many, &st);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("grows past"), std::string::npos) << st.message();
}

// Regression (breaking pass, finding 5): a CSV header name with a control character became a key
// of every record below it. The file is refused whole, naming the line, column and code point.
TEST(ReadRecordsCsv, AHeaderNameWithAControlCharacterRefusesTheFile) {
  const std::vector<std::pair<std::string, std::string>> kBad = {
      {"ESC", "\x1b[31m"}, {"NUL", std::string("\0", 1)}, {"RLO", "\u202E"}, {"C1 NEL", "\u0085"}, {"C1 MW", "\u0095"}};
  for (const auto& [name, bad] : kBad) {
    Status st;
    auto recs = read_all("id,title,备注" + bad + "\nhz-1,巡检,x\n", FileFormat::kCsv, &st);
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument) << name;
    EXPECT_TRUE(recs.empty()) << name;
    EXPECT_NE(st.message().find("line 1: the header of column 3 contains the control character"), std::string::npos)
        << name << ": " << st.message();
    EXPECT_EQ(st.message().find(bad), std::string::npos) << name << ": the message does not print it raw";
  }
  Status st;
  auto recs = read_all("id,title,备注\thi\nhz-1,巡检,x\n", FileFormat::kCsv, &st);
  EXPECT_TRUE(st.is_ok()) << "a tab is text, as in every field: " << st.to_string();
}

}  // namespace
}  // namespace jiebang
