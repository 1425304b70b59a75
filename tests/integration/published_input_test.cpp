// Input as published: GBK CSV, UTF-8 CSV with BOM and .xlsx with Chinese headers import to exactly
// the records of the equivalent UTF-8 JSON Lines; damaged files and bad bytes give clear errors.
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "jiebang/core/column_map.h"
#include "jiebang/core/records.h"
#include "jiebang/service/service.h"
#include "jiebang/store/store.h"

#include "published_input_util.h"
#include "test_util.h"

namespace jiebang {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::TempDir;

// ---- the same three scenarios and one enterprise, as JSON Lines, CSV and .xlsx ----

const std::string kDescriptionA = "杭州主城区电力隧道总长约18公里，需要挂轨式巡检装置，具备\"双光谱\"测温。\n需在试点段连续试运行3个月。";

std::vector<json> reference_scenarios() {
  return {
      {{"id", "hz-2026-03-101"}, {"title", "电力隧道智能巡检机器人应用"}, {"description", kDescriptionA},
       {"publisher", "国网杭州供电公司"}, {"list", "杭州市2026年第3批场景机会清单"}, {"region", "330102"},
       {"industries", {"D4420", "智能电网"}}, {"keywords", {"电力隧道", "巡检", "红外测温"}}, {"required_trl", 7},
       {"budget", {{"amount_min", 3000000}, {"amount_max", 8000000}}}, {"required_qualifications", {"高新技术企业"}},
       {"deadline", "2027-01-15"}, {"posted_at", "2026-11-10"}, {"status", "open"}, {"联系人", "王工"}},
      {{"id", "hz-2026-03-102"}, {"title", "路口信号配时智能优化"}, {"description", "以余杭区未来科技城120个信控路口为试点，优化信号配时。"},
       {"publisher", "杭州市城市大脑运营中心"}, {"list", "杭州市2026年第3批场景机会清单"}, {"region", "330110"},
       {"industries", {"I65"}}, {"keywords", {"城市大脑", "信号配时"}}, {"required_trl", 6},
       {"budget", {{"amount_min", 1234.56}}}, {"required_qualifications", {"专精特新", "高新技术企业"}},
       {"deadline", "2028-02-29"}, {"posted_at", "2026-11-10"}, {"status", "awarded"}},
      {{"id", "hz-2026-03-103"}, {"title", "港口无人集卡调度"}, {"description", "在集装箱码头开展无人集卡编队与智能调度验证。"},
       {"publisher", "宁波舟山港集团"}, {"region", "宁波市"}, {"budget", {{"amount_max", 5000000}}},
       {"deadline", "2026-12-31"}, {"status", "closed"}},
  };
}

const std::vector<std::string> kScenarioIds = {"hz-2026-03-101", "hz-2026-03-102", "hz-2026-03-103"};

/// The list as a publisher's CSV: Chinese headers (one full-width, one spaced out, one marked
/// required), Chinese status words and dates as people type them.
std::string scenario_csv(bool title_line) {
  std::string csv;
  if (title_line) csv += "杭州市2026年第3批场景机会清单,,,,,,,,,,,,,,,\n";
  csv +=
      "场景编号,*场景名称,需求描述,发榜单位,所属清单,所属区域,所属行业,关键词,技术成熟度,预算下限(元),预算上限（元）,"
      "资质要求,揭榜截止日期,发布日期,状  态,联系人\n"
      "hz-2026-03-101,电力隧道智能巡检机器人应用,\"杭州主城区电力隧道总长约18公里，需要挂轨式巡检装置，具备\"\"双光谱\"\"测温。\n"
      "需在试点段连续试运行3个月。\",国网杭州供电公司,杭州市2026年第3批场景机会清单,330102,D4420;智能电网,电力隧道;巡检;红外测温,"
      "7,3000000,8000000,高新技术企业,2027-01-15,2026/11/10,征集中,王工\n"
      "hz-2026-03-102,路口信号配时智能优化,以余杭区未来科技城120个信控路口为试点，优化信号配时。,杭州市城市大脑运营中心,"
      "杭州市2026年第3批场景机会清单,330110,I65,城市大脑;信号配时,6,1234.56,,专精特新;高新技术企业,2028-02-29,2026年11月10日,"
      "已揭榜,\n"
      "hz-2026-03-103,港口无人集卡调度,在集装箱码头开展无人集卡编队与智能调度验证。,宁波舟山港集团,,宁波市,,,,,5000000,,"
      "2026-12-31,,已截止,\n";
  return csv;
}

const std::vector<std::string> kXlsxHeaders = {"场景编号", "场景名称", "需求描述", "发榜单位", "所属清单", "所属区域",
                                               "所属行业", "关键词", "技术成熟度", "预算下限（元）", "预算上限(元)",
                                               "资质要求", "揭榜截止日期", "发布日期", "状态", "联系人"};

/// The list as a workbook: a title row, the header row, then one row per scenario with dates as
/// Excel date cells and TRL and budgets as numbers. A second sheet holds a later batch.
void write_scenario_workbook(const std::string& path, const std::string& tmpdir) {
  testing::XlsxWriter w(path, tmpdir);
  auto* ws = w.sheet("第3批");
  w.text(ws, 0, 0, "杭州市2026年第3批场景机会清单");
  for (size_t c = 0; c < kXlsxHeaders.size(); ++c) w.text(ws, 1, static_cast<int>(c), kXlsxHeaders[c]);
  // Row 3 (index 2): scenario A.
  w.text(ws, 2, 0, "hz-2026-03-101");
  w.text(ws, 2, 1, "电力隧道智能巡检机器人应用");
  w.text(ws, 2, 2, kDescriptionA);
  w.text(ws, 2, 3, "国网杭州供电公司");
  w.text(ws, 2, 4, "杭州市2026年第3批场景机会清单");
  w.text(ws, 2, 5, "330102");
  w.text(ws, 2, 6, "D4420;智能电网");
  w.text(ws, 2, 7, "电力隧道;巡检;红外测温");
  w.number(ws, 2, 8, 7);
  w.number(ws, 2, 9, 3000000);
  w.number(ws, 2, 10, 8000000);
  w.text(ws, 2, 11, "高新技术企业");
  w.date(ws, 2, 12, 2027, 1, 15);
  w.date(ws, 2, 13, 2026, 11, 10);
  w.text(ws, 2, 14, "开放");
  w.text(ws, 2, 15, "王工");
  // Row 4: scenario B, with a rich-text title.
  w.text(ws, 3, 0, "hz-2026-03-102");
  w.rich(ws, 3, 1, {"路口", "信号配时", "智能优化"});
  w.text(ws, 3, 2, "以余杭区未来科技城120个信控路口为试点，优化信号配时。");
  w.text(ws, 3, 3, "杭州市城市大脑运营中心");
  w.text(ws, 3, 4, "杭州市2026年第3批场景机会清单");
  w.number(ws, 3, 5, 330110);  // a code typed as a number
  w.text(ws, 3, 6, "I65");
  w.text(ws, 3, 7, "城市大脑;信号配时");
  w.number(ws, 3, 8, 6);
  w.number(ws, 3, 9, 1234.56);
  w.text(ws, 3, 11, "专精特新;高新技术企业");
  w.date(ws, 3, 12, 2028, 2, 29);
  w.text(ws, 3, 13, "2026年11月10日");
  w.text(ws, 3, 14, "已完成");
  // Row 5: scenario C; the contact column is left out entirely.
  w.text(ws, 4, 0, "hz-2026-03-103");
  w.text(ws, 4, 1, "港口无人集卡调度");
  w.text(ws, 4, 2, "在集装箱码头开展无人集卡编队与智能调度验证。");
  w.text(ws, 4, 3, "宁波舟山港集团");
  w.text(ws, 4, 5, "宁波市");
  w.number(ws, 4, 10, 5000000);
  w.date(ws, 4, 12, 2026, 12, 31);
  w.text(ws, 4, 14, "已关闭");

  auto* later = w.sheet("第二批");
  for (size_t c = 0; c < 4; ++c) w.text(later, 0, static_cast<int>(c), kXlsxHeaders[c]);
  w.text(later, 1, 0, "hz-2026-04-001");
  w.text(later, 1, 1, "社区养老智能看护");
  w.text(later, 1, 2, "为社区独居老人提供跌倒检测与紧急呼叫。");
  w.text(later, 1, 3, "杭州市民政局");
  w.close();
}

json reference_enterprise() {
  return {{"id", "91330108MA2M95UY1P"},
          {"name", "杭州睿巡智能装备有限公司"},
          {"description", "专注电力电缆隧道挂轨式智能巡检机器人研发与制造。"},
          {"capabilities", {"挂轨式隧道巡检机器人", "电缆局部放电在线检测"}},
          {"qualifications", {"高新技术企业"}},
          {"trl", 8},
          {"region", "330108"},
          {"industries", {"C3492"}}};
}

const char* kEnterpriseCsv =
    "统一社会信用代码,企业名称,主营业务,核心能力,资质,技术成熟度,所在地区,行业\n"
    "91330108MA2M95UY1P,杭州睿巡智能装备有限公司,专注电力电缆隧道挂轨式智能巡检机器人研发与制造。,"
    "挂轨式隧道巡检机器人;电缆局部放电在线检测,高新技术企业,8,330108,C3492\n";

void write_enterprise_workbook(const std::string& path, const std::string& tmpdir) {
  testing::XlsxWriter w(path, tmpdir);
  auto* ws = w.sheet("企业");
  std::vector<std::string> headers = {"统一社会信用代码", "企业名称", "企业简介", "主要产品", "资质", "技术成熟度", "区域", "所属行业"};
  for (size_t c = 0; c < headers.size(); ++c) w.text(ws, 0, static_cast<int>(c), headers[c]);
  w.text(ws, 1, 0, "91330108MA2M95UY1P");
  w.text(ws, 1, 1, "杭州睿巡智能装备有限公司");
  w.text(ws, 1, 2, "专注电力电缆隧道挂轨式智能巡检机器人研发与制造。");
  w.text(ws, 1, 3, "挂轨式隧道巡检机器人;电缆局部放电在线检测");
  w.text(ws, 1, 4, "高新技术企业");
  w.number(ws, 1, 5, 8);
  w.text(ws, 1, 6, "330108");
  w.text(ws, 1, 7, "C3492");
  w.close();
}

std::string jsonl(const std::vector<json>& records) {
  std::string out;
  for (const auto& r : records) out += r.dump() + "\n";
  return out;
}

// ---- running imports into separate data directories ----

class PublishedInput : public ::testing::Test {
 protected:
  ServiceConfig config(const std::string& name) {
    ServiceConfig c;
    c.data_dir = dir_.file(name);
    c.index_dir = testing::index_dir();
    c.clock = testing::fixtures_clock();
    return c;
  }

  /// Imports `path` into the data directory `name` (a fresh one per name).
  Result<ImportReport> import(const std::string& name, RecordKind kind, const std::string& path,
                              const std::string& sheet = "") {
    auto svc = Service::open(config(name));
    if (!svc) return svc.status();
    return (*svc)->import_file(kind, path, {}, sheet);
  }

  /// The stored records of data directory `name`, as to_json dumps by id ("" when absent).
  std::map<std::string, std::string> stored(const std::string& name, RecordKind kind, const std::vector<std::string>& ids) {
    std::map<std::string, std::string> out;
    auto store = Store::open(dir_.file(name) + "/jiebang.sqlite3");
    EXPECT_TRUE(store) << store.status().to_string();
    if (!store) return out;
    for (const auto& id : ids) {
      if (kind == RecordKind::kScenario) {
        auto s = (*store)->get_scenario(id);
        out[id] = s ? to_json(*s).dump() : "";
      } else {
        auto e = (*store)->get_enterprise(id);
        out[id] = e ? to_json(*e).dump() : "";
      }
    }
    return out;
  }

  std::string write(const std::string& name, const std::string& content) {
    std::string path = dir_.file(name);
    testing::write_file(path, content);
    return path;
  }

  static std::string report_errors(const ImportReport& r) {
    std::string s;
    for (const auto& e : r.errors) s += std::to_string(e.line) + " " + e.id + " " + e.key + ": " + e.message + "\n";
    return s;
  }

  TempDir dir_;
};

TEST_F(PublishedInput, GbkCsvBomCsvAndXlsxStoreExactlyWhatJsonLinesStores) {
  std::string jsonl_path = write("scenarios.jsonl", jsonl(reference_scenarios()));
  std::string gbk_path = write("scenarios-gbk.csv", testing::encode_as(scenario_csv(true), "GBK"));
  std::string bom_path = write("scenarios-bom.csv", "\xEF\xBB\xBF" + scenario_csv(false));
  std::string xlsx_path = dir_.file("scenarios.xlsx");
  write_scenario_workbook(xlsx_path, dir_.path().string());

  struct Source {
    std::string name, path, encoding;
  };
  std::vector<Source> sources = {{"jsonl", jsonl_path, "utf-8"},
                                 {"gbk", gbk_path, "gb18030"},
                                 {"bom", bom_path, "utf-8-bom"},
                                 {"xlsx", xlsx_path, ""}};
  for (const auto& s : sources) {
    auto r = import(s.name, RecordKind::kScenario, s.path);
    ASSERT_TRUE(r) << s.name << ": " << r.status().to_string();
    EXPECT_EQ(r->read, 3u) << s.name;
    EXPECT_EQ(r->inserted, 3u) << s.name << "\n" << report_errors(*r);
    EXPECT_EQ(r->rejected, 0u) << s.name << "\n" << report_errors(*r);
    EXPECT_EQ(r->encoding, s.encoding) << s.name;
  }
  auto expected = stored("jsonl", RecordKind::kScenario, kScenarioIds);
  // The reference itself went through the validator as intended.
  json b = json::parse(expected.at("hz-2026-03-102"));
  EXPECT_EQ(b["status"], "awarded");
  EXPECT_EQ(b["deadline"], "2028-02-29");
  EXPECT_EQ(json::parse(expected.at("hz-2026-03-101"))["联系人"], "王工");
  for (const auto& s : sources) {
    auto got = stored(s.name, RecordKind::kScenario, kScenarioIds);
    for (const auto& id : kScenarioIds) EXPECT_EQ(got.at(id), expected.at(id)) << s.name << " " << id;
  }
}

TEST_F(PublishedInput, EnterprisesFromGbkCsvAndXlsxMatchJsonLines) {
  std::string jsonl_path = write("enterprises.jsonl", jsonl({reference_enterprise()}));
  std::string gbk_path = write("enterprises.csv", testing::encode_as(kEnterpriseCsv, "GB18030"));
  std::string xlsx_path = dir_.file("enterprises.xlsx");
  write_enterprise_workbook(xlsx_path, dir_.path().string());
  const std::vector<std::string> ids = {"91330108MA2M95UY1P"};
  for (const auto& [name, path] : std::vector<std::pair<std::string, std::string>>{
           {"jsonl", jsonl_path}, {"gbk", gbk_path}, {"xlsx", xlsx_path}}) {
    auto r = import(name, RecordKind::kEnterprise, path);
    ASSERT_TRUE(r) << name << ": " << r.status().to_string();
    EXPECT_EQ(r->inserted, 1u) << name << "\n" << report_errors(*r);
  }
  auto expected = stored("jsonl", RecordKind::kEnterprise, ids);
  EXPECT_EQ(json::parse(expected.at(ids[0]))["trl"], 8) << "技术成熟度 is trl for enterprises";
  EXPECT_EQ(stored("gbk", RecordKind::kEnterprise, ids), expected);
  EXPECT_EQ(stored("xlsx", RecordKind::kEnterprise, ids), expected);
}

TEST_F(PublishedInput, GbkFileWithAnInvalidByteSequenceIsRejectedNamingTheLine) {
  std::string gbk = testing::encode_as(scenario_csv(false), "GBK");
  // Damage line 3 (scenario B's row): a GBK lead byte followed by a comma is no character.
  size_t line3 = gbk.find("hz-2026-03-102");
  ASSERT_NE(line3, std::string::npos);
  gbk.insert(line3 + 14, "\x81");
  std::string path = write("bad-gbk.csv", gbk);
  auto r = import("bad", RecordKind::kScenario, path);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  std::string msg = r.status().message();
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 4"), std::string::npos) << "the header is line 1 and A spans lines 2-3: " << msg;
  EXPECT_NE(msg.find("GB18030"), std::string::npos) << msg;
  auto svc = Service::open(config("bad"));
  ASSERT_TRUE(svc);
  EXPECT_EQ((*svc)->state()->scenarios, 0) << "nothing of a file that cannot be decoded is imported";
}

TEST_F(PublishedInput, DamagedAndNonZipWorkbooksGiveClearErrors) {
  std::string good = dir_.file("good.xlsx");
  write_scenario_workbook(good, dir_.path().string());
  std::string bytes = testing::read_file(good);
  std::string truncated = write("truncated.xlsx", bytes.substr(0, bytes.size() * 2 / 3));
  std::string not_zip = write("not-zip.xlsx", scenario_csv(false));
  std::string empty = write("empty.xlsx", "");
  for (const auto& path : {truncated, not_zip, empty}) {
    auto r = import("damaged", RecordKind::kScenario, path);
    ASSERT_FALSE(r) << path;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << path;
    EXPECT_NE(r.status().message().find(path), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("not a readable .xlsx workbook"), std::string::npos) << r.status().message();
  }
  // And through the CLI: an error line, exit code 1, no crash.
  auto cli = testing::run_cli(dir_, {"--data-dir", dir_.file("cli"), "--index-dir", testing::index_dir(), "--create", "import",
                                     "scenarios", truncated});
  EXPECT_EQ(cli.exit_code, 1) << cli.err;
  EXPECT_NE(cli.err.find("jiebang: error:"), std::string::npos) << cli.err;
  EXPECT_NE(cli.err.find("truncated.xlsx"), std::string::npos) << cli.err;
}

TEST_F(PublishedInput, SheetOptionSelectsANamedSheet) {
  std::string xlsx = dir_.file("lists.xlsx");
  write_scenario_workbook(xlsx, dir_.path().string());
  auto r = import("second", RecordKind::kScenario, xlsx, "第二批");
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->inserted, 1u) << report_errors(*r);
  auto got = stored("second", RecordKind::kScenario, {"hz-2026-04-001", "hz-2026-03-101"});
  EXPECT_NE(got["hz-2026-04-001"], "");
  EXPECT_EQ(got["hz-2026-03-101"], "") << "the first sheet was not read";

  auto cli = testing::run_cli(dir_, {"--data-dir", dir_.file("cli"), "--index-dir", testing::index_dir(), "--create", "import",
                                     "scenarios", xlsx, "--sheet", "第二批"});
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find("1 read, 1 imported"), std::string::npos) << cli.out;

  cli = testing::run_cli(dir_, {"--data-dir", dir_.file("cli"), "--index-dir", testing::index_dir(), "--create", "import",
                                "scenarios", xlsx, "--sheet", "第九批"});
  EXPECT_EQ(cli.exit_code, 1);
  EXPECT_NE(cli.err.find("\"第九批\""), std::string::npos) << cli.err;
  EXPECT_NE(cli.err.find("\"第3批\", \"第二批\""), std::string::npos) << "lists the sheets: " << cli.err;

  std::string csv = write("list.csv", scenario_csv(false));
  auto wrong = import("csv-sheet", RecordKind::kScenario, csv, "第二批");
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.status().message().find("only .xlsx"), std::string::npos) << wrong.status().message();
}

TEST_F(PublishedInput, CliSummaryNamesTheConversion) {
  std::string gbk = write("gbk.csv", testing::encode_as(scenario_csv(false), "GBK"));
  std::string bom = write("bom.csv", "\xEF\xBB\xBF" + scenario_csv(false));
  auto cli = testing::run_cli(dir_, {"--data-dir", dir_.file("cli"), "--index-dir", testing::index_dir(), "--create", "import",
                                     "scenarios", gbk, bom});
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find("3 imported, 0 updated, 0 unchanged, 0 rejected"), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find("(converted from GB18030)"), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find("(UTF-8 with BOM)"), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find("0 imported, 0 updated, 3 unchanged"), std::string::npos)
      << "the BOM file holds the same records: " << cli.out;
}

TEST_F(PublishedInput, MostlyUtf8FileRejectsOnlyTheGbkLine) {
  std::string text = scenario_csv(false);
  size_t c_row = text.find("hz-2026-03-103");
  std::string mixed = text.substr(0, c_row) + testing::encode_as(text.substr(c_row), "GBK");
  auto r = import("mixed", RecordKind::kScenario, write("mixed.csv", mixed));
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->encoding, "utf-8");
  EXPECT_EQ(r->inserted, 2u) << report_errors(*r);
  ASSERT_EQ(r->errors.size(), 1u) << report_errors(*r);
  EXPECT_EQ(r->errors[0].line, 5u);
  EXPECT_NE(r->errors[0].message.find("UTF-8"), std::string::npos) << r->errors[0].message;
}

TEST_F(PublishedInput, TwoColumnsGivingOneKeyIsAnError) {
  std::string csv = write("dup.csv", "场景编号,场景名称,需求名称,需求描述,发榜单位\nhz-1,甲,乙,描述,单位\n");
  auto r = import("dup", RecordKind::kScenario, csv);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("columns 2 (\"场景名称\") and 3 (\"需求名称\") both give the key \"title\""),
            std::string::npos)
      << r.status().message();
}

TEST_F(PublishedInput, MissingColumnTableMeansHeadersAreKeysAndABadOneStopsOpen) {
  std::string index = dir_.file("index");
  fs::copy(testing::index_dir(), index, fs::copy_options::recursive);
  fs::remove(index + "/columns.tsv");
  ServiceConfig c = config("nomap");
  c.index_dir = index;
  auto svc = Service::open(c);
  ASSERT_TRUE(svc) << svc.status().to_string();
  std::istringstream in(scenario_csv(false));
  auto r = (*svc)->import_stream(RecordKind::kScenario, in, FileFormat::kCsv);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->inserted, 0u);
  EXPECT_EQ(r->rejected, 3u) << "场景名称 is not the key title without the table";

  testing::write_file(index + "/columns.tsv", "# bad\n场景名称\ttitle\n场景名称\tname\tscenario\n");
  ServiceConfig b = config("badmap");
  b.index_dir = index;
  auto bad = Service::open(b);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("columns.tsv:3"), std::string::npos) << bad.status().message();
}

// ---- the header table and the cell conversions on their own ----

TEST(PublishedColumnMap, RealTableMapsTheListedHeaders) {
  auto map = ColumnMap::load(testing::index_dir() + "/columns.tsv");
  ASSERT_TRUE(map) << map.status().to_string();
  const std::vector<std::pair<std::string, std::string>> scenario = {
      {"场景名称", "title"}, {"场景名", "title"}, {"需求名称", "title"}, {"需求描述", "description"},
      {"场景描述", "description"}, {"需求内容", "description"}, {"发布单位", "publisher"}, {"发榜单位", "publisher"},
      {"需求单位", "publisher"}, {"所属区域", "region"}, {"区域", "region"}, {"所在地区", "region"},
      {"截止日期", "deadline"}, {"揭榜截止日期", "deadline"}, {"发布日期", "posted_at"}, {"所属行业", "industries"},
      {"行业", "industries"}, {"关键词", "keywords"}, {"技术成熟度", "required_trl"}, {"TRL要求", "required_trl"},
      {"预算下限(元)", "budget.amount_min"}, {"预算上限(元)", "budget.amount_max"}, {"预算(元)", "budget.amount_max"},
      {"资质要求", "required_qualifications"}, {"状态", "status"}, {"清单名称", "list"}, {"所属清单", "list"},
      {"编号", "id"}, {"场景编号", "id"}};
  for (const auto& [header, key] : scenario) EXPECT_EQ(map->key_for(RecordKind::kScenario, header), key) << header;
  const std::vector<std::pair<std::string, std::string>> enterprise = {
      {"企业名称", "name"}, {"统一社会信用代码", "id"}, {"主营业务", "description"}, {"企业简介", "description"},
      {"核心能力", "capabilities"}, {"主要产品", "capabilities"}, {"资质", "qualifications"}, {"技术成熟度", "trl"},
      {"所属区域", "region"}, {"行业", "industries"}};
  for (const auto& [header, key] : enterprise) EXPECT_EQ(map->key_for(RecordKind::kEnterprise, header), key) << header;
  EXPECT_EQ(map->key_for(RecordKind::kEnterprise, "场景名称"), "场景名称") << "scenario headers do not apply to enterprises";
}

TEST(PublishedColumnMap, HeadersMatchAfterNfkcTrimmingAndMarks) {
  auto map = ColumnMap::load(testing::index_dir() + "/columns.tsv");
  ASSERT_TRUE(map) << map.status().to_string();
  EXPECT_EQ(map->key_for(RecordKind::kScenario, "预算上限（元）"), "budget.amount_max");
  EXPECT_EQ(map->key_for(RecordKind::kScenario, " 状  态 "), "status");
  EXPECT_EQ(map->key_for(RecordKind::kScenario, "\u3000场景名称\u3000"), "title");
  EXPECT_EQ(map->key_for(RecordKind::kScenario, "*场景名称"), "title");
  EXPECT_EQ(map->key_for(RecordKind::kScenario, "预算上限\n(元)"), "budget.amount_max") << "wrapped in the cell";
  EXPECT_EQ(map->key_for(RecordKind::kScenario, "ＴＲＬ要求"), "required_trl");
  EXPECT_EQ(map->key_for(RecordKind::kScenario, "trl要求"), "required_trl");
  EXPECT_EQ(map->key_for(RecordKind::kScenario, " 联系人 "), "联系人") << "unknown headers stay, trimmed";
  EXPECT_EQ(map->key_for(RecordKind::kScenario, "title"), "title");
  EXPECT_EQ(ColumnMap::normalize_header(" ＊预算（元）* "), "预算(元)");
}

TEST(PublishedColumnMap, KindColumnAndErrorsNamingTheLine) {
  std::istringstream ok("# comment\n\n技术成熟度\trequired_trl\n技术成熟度\ttrl\n名称\tname\tenterprise\n名称\ttitle\tscenario\n");
  auto map = ColumnMap::parse(ok, "t.tsv");
  ASSERT_TRUE(map) << map.status().to_string();
  EXPECT_EQ(map->key_for(RecordKind::kScenario, "技术成熟度"), "required_trl");
  EXPECT_EQ(map->key_for(RecordKind::kEnterprise, "技术成熟度"), "trl");
  EXPECT_EQ(map->key_for(RecordKind::kScenario, "名称"), "title");
  EXPECT_EQ(map->key_for(RecordKind::kEnterprise, "名称"), "name");
  EXPECT_EQ(map->size(), 4u);

  struct Case {
    std::string text, expect;
  };
  for (const auto& c : std::vector<Case>{
           {"a\ttitle\n名称\n", "t.tsv:2"},
           {"名称\ttitle\tscenarios\n", "kind \"scenarios\""},
           {"名称\ttitel\n", "\"titel\" is not a scenario or enterprise record key"},
           {"名称\tname\tscenario\n", "\"name\" is not a scenario record key"},
           {"名称\ttitle\n名 称\tdescription\n", "t.tsv:2: header \"名 称\" is already mapped to \"title\""},
           {"名称\ttitle\tscenario\textra\n", "4 columns"}}) {
    std::istringstream in(c.text);
    auto r = ColumnMap::parse(in, "t.tsv");
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().message();
  }
  auto missing = ColumnMap::load(testing::index_dir() + "/no-such-columns.tsv");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
}

TEST(PublishedCells, ChineseStatusWordsBecomeInterchangeValues) {
  const std::vector<std::pair<std::string, std::string>> words = {
      {"开放", "open"}, {"征集中", "open"}, {" 已关闭 ", "closed"}, {"已截止", "closed"},
      {"已揭榜", "awarded"}, {"已完成", "awarded"}, {"open", "open"}};
  for (const auto& [word, value] : words) {
    json j = csv_row_to_json(RecordKind::kScenario, {"id", "status"}, {"hz-1", word});
    EXPECT_EQ(j["status"], value) << word;
  }
  json j = csv_row_to_json(RecordKind::kScenario, {"id", "title", "description", "publisher", "status"},
                           {"hz-1", "t", "d", "p", "暂停"});
  std::vector<FieldError> errors;
  EXPECT_FALSE(scenario_from_json(j, errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "status") << "an unknown word is named by the validator";
}

TEST(PublishedCells, DatesAsListsWriteThem) {
  const std::vector<std::pair<std::string, std::string>> dates = {
      {"2026-11-10", "2026-11-10"}, {"2026/11/10", "2026-11-10"}, {"2026.1.5", "2026-01-05"},
      {"2026年11月10日", "2026-11-10"}, {"2026年1月5日", "2026-01-05"}, {"2026-11-10 09:30:00", "2026-11-10"},
      {"2026/11-10", "2026/11-10"}, {"11/10/2026", "11/10/2026"}, {"下周五", "下周五"}};
  for (const auto& [cell, value] : dates) {
    json j = csv_row_to_json(RecordKind::kScenario, {"deadline", "posted_at"}, {cell, cell});
    EXPECT_EQ(j["deadline"], value) << cell;
    EXPECT_EQ(j["posted_at"], value) << cell;
  }
}

}  // namespace
}  // namespace jiebang
