// .xlsx reader tests: cell types, sparse cells, shared/inline/rich strings, sheet choice, serial
// dates, and damaged packages that must give errors naming the part instead of crashing.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "jiebang/core/record_reader.h"
#include "jiebang/core/xlsx_reader.h"

#include "published_input_util.h"
#include "test_util.h"

namespace jiebang {
namespace {

using testing::TempDir;
using Type = XlsxCell::Type;

const XlsxCell* cell_at(const XlsxSheet& sheet, size_t row_number, size_t col) {
  for (const auto& r : sheet.rows)
    if (r.number == row_number) return col < r.cells.size() ? &r.cells[col] : nullptr;
  return nullptr;
}

XlsxSheet read_ok(const std::string& bytes, const std::string& sheet = "") {
  auto s = read_xlsx_sheet(bytes, sheet);
  EXPECT_TRUE(s) << s.status().to_string();
  return s ? *s : XlsxSheet{};
}

const char* kContentTypes =
    R"(<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>)";
const char* kRootRels =
    R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)";
const char* kWorkbookRels =
    R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>)"
    R"(<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="/xl/sharedStrings.xml"/>)"
    R"(</Relationships>)";

/// A one-sheet package with the given workbook, shared strings and sheet XML.
std::string package(const std::string& workbook, const std::string& shared, const std::string& sheet) {
  return testing::stored_zip({{"[Content_Types].xml", kContentTypes},
                              {"_rels/.rels", kRootRels},
                              {"xl/workbook.xml", workbook},
                              {"xl/_rels/workbook.xml.rels", kWorkbookRels},
                              {"xl/sharedStrings.xml", shared},
                              {"xl/worksheets/sheet1.xml", sheet}});
}

const std::string kWorkbook =
    R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
    R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)"
    R"(<sheets><sheet name="清单" sheetId="1" r:id="rId1"/></sheets></workbook>)";
const std::string kShared =
    R"(<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>场景名称</t></si></sst>)";

std::string sheet_xml(const std::string& rows) {
  return R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)" + rows +
         "</sheetData></worksheet>";
}

TEST(XlsxReader, LibxlsxwriterWorkbookCellTypesAndSparseColumns) {
  TempDir dir;
  std::string path = dir.file("list.xlsx");
  {
    testing::XlsxWriter w(path, dir.path().string());
    auto* ws = w.sheet("清单");
    w.text(ws, 0, 0, "场景名称");
    w.number(ws, 0, 1, 7);
    w.number(ws, 0, 2, 1234.56);
    w.date(ws, 0, 3, 2027, 1, 15);
    w.boolean(ws, 0, 4, true);
    w.formula_text(ws, 0, 5, "=A1&\"!\"", "场景名称!");
    w.rich(ws, 1, 0, {"电力", "隧道", "巡检"});
    w.text(ws, 11, 27, "AB12 的值");  // row 12, column AB; everything between is left out
    w.close();
  }
  XlsxSheet s = read_ok(testing::read_file(path));
  EXPECT_EQ(s.name, "清单");
  EXPECT_FALSE(s.date1904);
  ASSERT_EQ(s.rows.size(), 3u);
  EXPECT_EQ(s.rows[0].number, 1u);
  EXPECT_EQ(s.rows[1].number, 2u);
  EXPECT_EQ(s.rows[2].number, 12u);
  const XlsxCell* c = cell_at(s, 1, 0);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, Type::kText);
  EXPECT_EQ(c->text, "场景名称");
  c = cell_at(s, 1, 1);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, Type::kNumber);
  EXPECT_EQ(c->text, "7") << "integers are written without .0";
  EXPECT_EQ(cell_at(s, 1, 2)->text, "1234.56");
  c = cell_at(s, 1, 3);
  EXPECT_EQ(c->type, Type::kNumber);
  EXPECT_EQ(c->number, 46402);  // 2027-01-15 as an Excel serial day
  EXPECT_EQ(cell_at(s, 1, 4)->type, Type::kBoolean);
  EXPECT_EQ(cell_at(s, 1, 4)->text, "TRUE");
  EXPECT_EQ(cell_at(s, 1, 5)->type, Type::kText);
  EXPECT_EQ(cell_at(s, 1, 5)->text, "场景名称!");
  EXPECT_EQ(cell_at(s, 2, 0)->text, "电力隧道巡检") << "rich-text runs are joined";
  ASSERT_EQ(s.rows[2].cells.size(), 28u);
  EXPECT_EQ(s.rows[2].cells[27].text, "AB12 的值");
  for (size_t i = 0; i < 27; ++i) EXPECT_EQ(s.rows[2].cells[i].type, Type::kEmpty) << i;
}

TEST(XlsxReader, InlineStringsOfConstantMemoryWorkbooks) {
  TempDir dir;
  std::string path = dir.file("inline.xlsx");
  {
    testing::XlsxWriter w(path, dir.path().string(), /*inline_strings=*/true);
    auto* ws = w.sheet("Sheet1");
    w.text(ws, 0, 0, "发榜单位");
    w.text(ws, 0, 2, "国网杭州供电公司");
    w.close();
  }
  std::string bytes = testing::read_file(path);
  XlsxSheet s = read_ok(bytes);
  ASSERT_EQ(s.rows.size(), 1u);
  EXPECT_EQ(s.rows[0].cells[0].text, "发榜单位");
  EXPECT_EQ(s.rows[0].cells[1].type, Type::kEmpty);
  EXPECT_EQ(s.rows[0].cells[2].text, "国网杭州供电公司");
}

TEST(XlsxReader, FirstVisibleSheetByDefaultNamedSheetOnRequest) {
  TempDir dir;
  std::string path = dir.file("sheets.xlsx");
  {
    testing::XlsxWriter w(path, dir.path().string());
    auto* hidden = w.sheet("说明");
    auto* first = w.sheet("第一批");
    auto* second = w.sheet("Batch 2");
    w.text(hidden, 0, 0, "填表说明");
    w.text(first, 0, 0, "一");
    w.text(second, 0, 0, "二");
    worksheet_activate(first);
    worksheet_hide(hidden);
    w.close();
  }
  std::string bytes = testing::read_file(path);
  XlsxSheet s = read_ok(bytes);
  EXPECT_EQ(s.name, "第一批") << "a hidden sheet is not the default";
  s = read_ok(bytes, "batch 2");
  EXPECT_EQ(s.name, "Batch 2") << "sheet names compare ignoring ASCII case, as in Excel";
  EXPECT_EQ(s.rows.at(0).cells.at(0).text, "二");
  s = read_ok(bytes, "说明");
  EXPECT_EQ(s.rows.at(0).cells.at(0).text, "填表说明") << "a hidden sheet can be named";

  auto missing = read_xlsx_sheet(bytes, "第三批");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("\"第三批\""), std::string::npos) << missing.status().message();
  EXPECT_NE(missing.status().message().find("\"Batch 2\""), std::string::npos)
      << "the error lists the sheets there are: " << missing.status().message();
}

TEST(XlsxReader, HandMadePackagePrefixesPhoneticRunsEscapesAndOmittedReferences) {
  std::string workbook =
      R"(<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
      R"(xmlns:rel="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)"
      R"(<x:workbookPr date1904="1"/><x:sheets><x:sheet name="S" sheetId="1" rel:id="rId1"/></x:sheets></x:workbook>)";
  std::string shared =
      R"(<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)"
      R"(<x:si><x:t>第一行_x000D_第二行</x:t></x:si>)"
      R"(<x:si><x:r><x:t>漢字</x:t></x:r><x:rPh sb="0" eb="2"><x:t>かんじ</x:t></x:rPh></x:si>)"
      R"(<x:si><x:t xml:space="preserve"> </x:t></x:si>)"
      R"(<x:si><x:t>a_x005F_x0041_b</x:t></x:si>)"
      R"(</x:sst>)";
  std::string sheet =
      R"(<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>)"
      R"(<x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c><x:c t="s"><x:v>2</x:v></x:c></x:row>)"
      R"(<x:row><x:c><x:v>0</x:v></x:c><x:c t="d"><x:v>2026-11-10T00:00:00</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c>)"
      R"(<x:c t="b"><x:v>0</x:v></x:c><x:c t="s"><x:v>3</x:v></x:c><x:c s="3"/></x:row>)"
      R"(<x:row r="7"><x:c r="c7"><x:v>1.5E-3</x:v></x:c></x:row>)"
      R"(</x:sheetData></x:worksheet>)";
  XlsxSheet s = read_ok(package(workbook, shared, sheet));
  EXPECT_TRUE(s.date1904);
  ASSERT_EQ(s.rows.size(), 3u);
  EXPECT_EQ(s.rows[0].number, 1u);
  EXPECT_EQ(s.rows[1].number, 2u);
  EXPECT_EQ(s.rows[2].number, 7u);
  EXPECT_EQ(s.rows[0].cells[0].text, "第一行\r第二行");
  EXPECT_EQ(s.rows[0].cells[1].text, "漢字") << "phonetic runs are not text";
  EXPECT_EQ(s.rows[0].cells[2].text, " ");
  EXPECT_EQ(s.rows[1].cells[0].type, Type::kNumber);
  EXPECT_EQ(s.rows[1].cells[1].type, Type::kDate);
  EXPECT_EQ(s.rows[1].cells[1].text, "2026-11-10T00:00:00");
  EXPECT_EQ(s.rows[1].cells[2].type, Type::kError);
  EXPECT_EQ(s.rows[1].cells[2].text, "#N/A");
  EXPECT_EQ(s.rows[1].cells[3].text, "FALSE");
  EXPECT_EQ(s.rows[1].cells[4].text, "a_x0041_b") << "_x005F_ escapes the underscore";
  EXPECT_EQ(s.rows[1].cells.size(), 5u) << "a formatted cell without a value is empty";
  ASSERT_EQ(s.rows[2].cells.size(), 3u);
  EXPECT_EQ(s.rows[2].cells[2].text, "0.0015");
}

TEST(XlsxReader, DateKeysOfA1904WorkbookUseThe1904System) {
  std::string workbook =
      R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
      R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr date1904="true"/>)"
      R"(<sheets><sheet name="清单" sheetId="1" r:id="rId1"/></sheets></workbook>)";
  std::string sheet = sheet_xml(
      R"(<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>截止日期</t></is></c></row>)"
      R"(<row r="2"><c r="A2" t="inlineStr"><is><t>hz-1</t></is></c><c r="B2"><v>44874</v></c></row>)");
  std::istringstream in(package(workbook, kShared, sheet));
  auto columns = ColumnMap::load(testing::index_dir() + "/columns.tsv");
  ASSERT_TRUE(columns) << columns.status().to_string();
  ReadOptions options;
  options.columns = &*columns;
  std::vector<RawRecord> recs;
  Status st = read_records(in, FileFormat::kXlsx, RecordKind::kScenario, options, [&](RawRecord&& r) {
    recs.push_back(std::move(r));
    return true;
  });
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].line, 2u);
  // 44874 days after 1904-01-01 (1462 fewer than the 1900 system's 46336)
  EXPECT_EQ(recs[0].object["deadline"], "2026-11-10") << recs[0].object.dump();
}

TEST(XlsxSerialDate, Excel1900SystemWithItsLeapYearBug) {
  EXPECT_EQ(excel_serial_date(1), "1900-01-01");
  EXPECT_EQ(excel_serial_date(31), "1900-01-31");
  EXPECT_EQ(excel_serial_date(59), "1900-02-28");
  EXPECT_EQ(excel_serial_date(60), std::nullopt) << "1900-02-29 never was";
  EXPECT_EQ(excel_serial_date(61), "1900-03-01");
  EXPECT_EQ(excel_serial_date(46023), "2026-01-01");
  EXPECT_EQ(excel_serial_date(46336.75), "2026-11-10") << "the time of day is dropped";
  EXPECT_EQ(excel_serial_date(46812), "2028-02-29");
  EXPECT_EQ(excel_serial_date(2958465), "9999-12-31");
  EXPECT_EQ(excel_serial_date(0), std::nullopt);
  EXPECT_EQ(excel_serial_date(-5), std::nullopt);
  EXPECT_EQ(excel_serial_date(2958466), std::nullopt);
}

TEST(XlsxSerialDate, Excel1904System) {
  EXPECT_EQ(excel_serial_date(0, true), "1904-01-01");
  EXPECT_EQ(excel_serial_date(59, true), "1904-02-29");
  EXPECT_EQ(excel_serial_date(46336 - 1462, true), "2026-11-10");
  EXPECT_EQ(excel_serial_date(-1, true), std::nullopt);
}

TEST(XlsxNumberText, IntegersWithoutDecimalPointOthersAsExcelShowsThem) {
  EXPECT_EQ(excel_number_text(7), "7");
  EXPECT_EQ(excel_number_text(500000), "500000");
  EXPECT_EQ(excel_number_text(-3), "-3");
  EXPECT_EQ(excel_number_text(1234.56), "1234.56");
  EXPECT_EQ(excel_number_text(0.1 + 0.2), "0.3");
  EXPECT_EQ(excel_number_text(91330108.0), "91330108");
}

// ---- damaged and malformed packages: an error naming the part, never a crash ----

std::string error_of(const std::string& bytes, const std::string& sheet = "") {
  auto s = read_xlsx_sheet(bytes, sheet);
  EXPECT_FALSE(s) << "expected an error";
  if (s) return "";
  EXPECT_EQ(s.status().code(), ErrorCode::kInvalidArgument) << s.status().to_string();
  return s.status().message();
}

TEST(XlsxReaderErrors, NotAZipPackage) {
  for (std::string bytes : {std::string("id,title\nhz-1,巡检\n"), std::string(), std::string("PK\x03\x04 and then nothing")}) {
    std::string msg = error_of(bytes);
    EXPECT_NE(msg.find("not a readable .xlsx workbook"), std::string::npos) << msg;
  }
}

TEST(XlsxReaderErrors, TruncatedWorkbook) {
  TempDir dir;
  std::string path = dir.file("t.xlsx");
  {
    testing::XlsxWriter w(path, dir.path().string());
    auto* ws = w.sheet("清单");
    for (int r = 0; r < 50; ++r) w.text(ws, r, 0, "第" + std::to_string(r) + "行的内容");
    w.close();
  }
  std::string bytes = testing::read_file(path);
  for (size_t keep : {bytes.size() / 2, bytes.size() - 10, size_t{30}}) {
    std::string msg = error_of(bytes.substr(0, keep));
    EXPECT_NE(msg.find("not a readable .xlsx workbook"), std::string::npos) << keep << ": " << msg;
  }
}

TEST(XlsxReaderErrors, DamagedPartDataNamesThePart) {
  std::string bytes = package(kWorkbook, kShared, sheet_xml(R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row>)"));
  size_t at = bytes.find("<sheetData>");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 1] = 'X';  // the stored data no longer matches its CRC
  std::string msg = error_of(bytes);
  EXPECT_NE(msg.find("xl/worksheets/sheet1.xml"), std::string::npos) << msg;
}

TEST(XlsxReaderErrors, MalformedXmlNamesThePart) {
  std::string msg = error_of(package(kWorkbook, kShared, "<worksheet><sheetData><row><c></row>"));
  EXPECT_NE(msg.find("xl/worksheets/sheet1.xml"), std::string::npos) << msg;
  EXPECT_NE(msg.find("malformed XML"), std::string::npos) << msg;

  msg = error_of(package(kWorkbook, "<sst><si><t>unclosed</si></sst>", sheet_xml("")));
  EXPECT_NE(msg.find("xl/sharedStrings.xml"), std::string::npos) << msg;

  msg = error_of(package("<workbook", kShared, sheet_xml("")));
  EXPECT_NE(msg.find("xl/workbook.xml"), std::string::npos) << msg;
}

TEST(XlsxReaderErrors, MissingPartsAreNamed) {
  std::string msg = error_of(testing::stored_zip({{"_rels/.rels", kRootRels}, {"xl/_rels/workbook.xml.rels", kWorkbookRels}}));
  EXPECT_NE(msg.find("xl/workbook.xml: the part is missing"), std::string::npos) << msg;

  msg = error_of(testing::stored_zip({{"_rels/.rels", kRootRels},
                                      {"xl/workbook.xml", kWorkbook},
                                      {"xl/_rels/workbook.xml.rels", kWorkbookRels},
                                      {"xl/sharedStrings.xml", kShared}}));
  EXPECT_NE(msg.find("xl/worksheets/sheet1.xml: the part is missing"), std::string::npos) << msg;

  std::string workbook_without_sheets =
      R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>)";
  msg = error_of(package(workbook_without_sheets, kShared, sheet_xml("")));
  EXPECT_NE(msg.find("no sheets"), std::string::npos) << msg;
}

TEST(XlsxReaderErrors, BadCellsAreNamed) {
  std::string msg = error_of(package(kWorkbook, kShared, sheet_xml(R"(<row r="3"><c r="B3" t="s"><v>5</v></c></row>)")));
  EXPECT_NE(msg.find("cell B3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("shared string"), std::string::npos) << msg;

  msg = error_of(package(kWorkbook, kShared, sheet_xml(R"(<row r="2"><c r="12"><v>1</v></c></row>)")));
  EXPECT_NE(msg.find("bad cell reference \"12\""), std::string::npos) << msg;

  msg = error_of(package(kWorkbook, kShared, sheet_xml(R"(<row r="2"><c r="XFE2"><v>1</v></c></row>)")));
  EXPECT_NE(msg.find("XFE2"), std::string::npos) << "past the last column XFD: " << msg;

  msg = error_of(package(kWorkbook, kShared, sheet_xml(R"(<row r="4"><c r="D4"><v>七</v></c></row>)")));
  EXPECT_NE(msg.find("cell D4"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not a number"), std::string::npos) << msg;

  msg = error_of(package(kWorkbook, kShared, sheet_xml(R"(<row r="0"><c r="A1"><v>1</v></c></row>)")));
  EXPECT_NE(msg.find("bad row number"), std::string::npos) << msg;
}

TEST(XlsxReaderErrors, ReadRecordsPassesTheErrorOn) {
  std::istringstream in("this is not a workbook");
  Status st = read_records(in, FileFormat::kXlsx, RecordKind::kScenario, [](RawRecord&&) { return true; });
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find(".xlsx"), std::string::npos) << st.message();
}

TEST(XlsxFormat, ChosenByExtensionAnyCase) {
  EXPECT_EQ(format_from_path("清单.xlsx"), FileFormat::kXlsx);
  EXPECT_EQ(format_from_path("LIST.XLSX"), FileFormat::kXlsx);
  EXPECT_EQ(format_from_path("list.xlsx.csv"), FileFormat::kCsv);
  EXPECT_EQ(format_from_path("xlsx"), FileFormat::kJsonLines);
}

// Regression (breaking pass, finding 5): the same rule for a workbook's header row (Excel writes a
// control character as _x001B_; an RLO may stand as itself).
TEST(XlsxReader, AHeaderNameWithAControlCharacterRefusesTheSheet) {
  for (const char* header : {"备注_x001B_", "备注\u202E", "备注\u0085", "_x0000_id"}) {
    std::string sheet = sheet_xml(std::string(R"(<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>)") +
                                  header + R"(</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>hz-1</t></is></c></row>)");
    std::istringstream in(package(kWorkbook, kShared, sheet));
    size_t delivered = 0;
    Status st = read_records(in, FileFormat::kXlsx, RecordKind::kScenario, [&](RawRecord&&) {
      ++delivered;
      return true;
    });
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument) << header;
    EXPECT_NE(st.message().find("row 1: the header of column B contains the control character"), std::string::npos)
        << header << ": " << st.message();
    EXPECT_EQ(delivered, 0u) << header;
  }
}

}  // namespace
}  // namespace jiebang
