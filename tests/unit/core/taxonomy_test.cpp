// GB/T 2260 region and GB/T 4754-2017 industry table tests, on the real tables in index/.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "jiebang/core/taxonomy.h"
#include "test_util.h"

namespace jiebang {
namespace {

const RegionTable& regions() {
  static const RegionTable table = [] {
    auto t = RegionTable::load(testing::index_dir());
    if (!t) throw std::runtime_error(t.status().to_string());
    return std::move(*t);
  }();
  return table;
}

const IndustryTable& industries() {
  static const IndustryTable table = [] {
    auto t = IndustryTable::load(testing::index_dir());
    if (!t) throw std::runtime_error(t.status().to_string());
    return std::move(*t);
  }();
  return table;
}

/// The first column (the code) of every data row of a CSV table, read without the engine.
std::vector<std::string> first_column(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> out;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      continue;
    }
    if (!line.empty()) out.push_back(line.substr(0, line.find(',')));
  }
  return out;
}

TEST(RegionTable, LoadsEveryRowOfTheIndexTables) {
  auto t = RegionTable::load(testing::index_dir());
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  // Distinct 6-digit codes of the three tables. Cities without districts (东莞市 4419) are also
  // listed as an area with the city's own code (441900), so codes, not rows, are counted.
  std::string dir = testing::index_dir() + "/gbt2260/";
  std::set<std::string> codes;
  for (const auto& c : first_column(dir + "provinces.csv")) codes.insert(c + "0000");
  for (const auto& c : first_column(dir + "cities.csv")) codes.insert(c + "00");
  for (const auto& c : first_column(dir + "areas.csv")) codes.insert(c);
  EXPECT_GT(codes.size(), 3000u);
  EXPECT_EQ(t->size(), codes.size());
  EXPECT_TRUE(t->contains("330000"));
  EXPECT_TRUE(t->contains("330100"));
  EXPECT_TRUE(t->contains("330110"));
  EXPECT_FALSE(t->contains("330199"));
  EXPECT_EQ(t->name("330110"), "余杭区");
  EXPECT_EQ(t->name("330100"), "杭州市");
  EXPECT_EQ(t->name("330000"), "浙江省");
  EXPECT_EQ(t->name("999999"), "");
}

TEST(RegionTable, ResolvesNamesAndShortCodes) {
  EXPECT_EQ(regions().resolve("杭州市"), "330100");
  EXPECT_EQ(regions().resolve("余杭区"), "330110");
  EXPECT_EQ(regions().resolve("浙江省"), "330000");
  EXPECT_EQ(regions().resolve("3301"), "330100");
  EXPECT_EQ(regions().resolve("33"), "330000");
  EXPECT_EQ(regions().resolve("330110"), "330110");
  EXPECT_EQ(regions().resolve(" 330110 "), "330110");
  // Municipality districts sit under a "市辖区" placeholder city: the code resolves, the name does not.
  EXPECT_EQ(regions().resolve("1101"), "110100");
  EXPECT_EQ(regions().resolve("北京市"), "110000");
}

TEST(RegionTable, UnknownOrAmbiguousRegionsDoNotResolve) {
  EXPECT_FALSE(regions().resolve("330199").has_value());
  EXPECT_FALSE(regions().resolve("999999").has_value());
  EXPECT_FALSE(regions().resolve("33011").has_value());
  EXPECT_FALSE(regions().resolve("Singapore").has_value());
  EXPECT_FALSE(regions().resolve("").has_value());
  EXPECT_FALSE(regions().resolve("市辖区").has_value());
  // 朝阳区 exists in Beijing (110105) and Changchun (220104): ambiguous.
  EXPECT_FALSE(regions().resolve("朝阳区").has_value());
  EXPECT_FALSE(regions().resolve("西湖区").has_value());  // Hangzhou and Nanchang
}

// Regression (found by a tester): address-style names did not resolve, so "杭州市西湖区" got no
// region fit at all. Their parts now narrow an ambiguous area name down.
TEST(RegionTable, AddressStyleNamesResolveThroughTheirParts) {
  EXPECT_EQ(regions().resolve("杭州市西湖区"), "330106");
  EXPECT_EQ(regions().resolve("浙江省杭州市西湖区"), "330106");
  EXPECT_EQ(regions().resolve("杭州市 西湖区"), "330106");
  EXPECT_EQ(regions().resolve("南昌市西湖区"), "360103");
  EXPECT_EQ(regions().resolve("北京市朝阳区"), "110105");
  EXPECT_EQ(regions().resolve("浙江省杭州市"), "330100");
  EXPECT_EQ(regions().resolve("浙江省余杭区"), "330110");
  // Parts that do not nest, or a part that is not a place, resolve to nothing.
  EXPECT_FALSE(regions().resolve("杭州市朝阳区").has_value());
  EXPECT_FALSE(regions().resolve("浙江省南昌市").has_value());
  EXPECT_FALSE(regions().resolve("杭州市西湖区文三路").has_value());
  EXPECT_FALSE(regions().resolve("西湖区西湖区").has_value());
}

TEST(RegionTable, AncestorsOfAreaCityAndProvince) {
  EXPECT_EQ(RegionTable::ancestors("330110"), (std::vector<std::string>{"330110", "330100", "330000"}));
  EXPECT_EQ(RegionTable::ancestors("330100"), (std::vector<std::string>{"330100", "330000"}));
  EXPECT_EQ(RegionTable::ancestors("330000"), (std::vector<std::string>{"330000"}));
  EXPECT_TRUE(RegionTable::ancestors("3301").empty());
  EXPECT_TRUE(RegionTable::ancestors("Singapore").empty());
  EXPECT_TRUE(RegionTable::ancestors("").empty());
}

TEST(RegionTable, ClosenessLevels) {
  EXPECT_EQ(RegionTable::closeness("330110", "330110"), 3);  // same area
  EXPECT_EQ(RegionTable::closeness("330100", "330100"), 3);  // same code
  EXPECT_EQ(RegionTable::closeness("330110", "330106"), 2);  // both Hangzhou
  EXPECT_EQ(RegionTable::closeness("330110", "330100"), 2);  // area and its city
  EXPECT_EQ(RegionTable::closeness("330110", "330206"), 1);  // Hangzhou and Ningbo: Zhejiang
  EXPECT_EQ(RegionTable::closeness("330110", "310115"), 0);  // Shanghai
  EXPECT_EQ(RegionTable::closeness("330110", "Singapore"), 0);
  EXPECT_EQ(RegionTable::closeness("", ""), 0);
  EXPECT_EQ(RegionTable::closeness("3301", "3301"), 0);  // not 6-digit codes
}

TEST(RegionTable, IsCodeMeansSixAsciiDigits) {
  EXPECT_TRUE(RegionTable::is_code("330110"));
  EXPECT_FALSE(RegionTable::is_code("33011"));
  EXPECT_FALSE(RegionTable::is_code("3301100"));
  EXPECT_FALSE(RegionTable::is_code("33011a"));
  EXPECT_FALSE(RegionTable::is_code("３３０１１０"));  // full-width digits
}

TEST(RegionTable, MissingDirectoryIsNotFound) {
  testing::TempDir tmp;
  auto t = RegionTable::load(tmp.file("no-such-index"));
  ASSERT_FALSE(t.is_ok());
  EXPECT_EQ(t.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(t.status().message().find("provinces.csv"), std::string::npos) << t.status().message();
}

TEST(RegionTable, MalformedTableIsInvalidArgument) {
  testing::TempDir tmp;
  std::filesystem::create_directories(tmp.path() / "gbt2260");
  testing::write_file(tmp.file("gbt2260/provinces.csv"), "code,name\n11\n");
  auto t = RegionTable::load(tmp.path().string());
  ASSERT_FALSE(t.is_ok());
  EXPECT_EQ(t.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("provinces.csv:2"), std::string::npos) << t.status().message();
}

TEST(IndustryTable, LoadsEveryRow) {
  auto t = IndustryTable::load(testing::index_dir());
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  auto codes = first_column(testing::index_dir() + "/gbt4754/industries.csv");
  EXPECT_EQ(t->size(), std::set<std::string>(codes.begin(), codes.end()).size());
  EXPECT_EQ(t->name("I6513"), "应用软件开发");
  EXPECT_EQ(t->name("I65"), "软件和信息技术服务业");
}

TEST(IndustryTable, IndexTableHasOneRowPerCode) {
  auto codes = first_column(testing::index_dir() + "/gbt4754/industries.csv");
  std::map<std::string, int> seen;
  for (const auto& c : codes) ++seen[c];
  for (const auto& [code, n] : seen) EXPECT_EQ(n, 1) << code << " is listed " << n << " times";
  EXPECT_EQ(industries().canonical("C3741"), "C3741");
  EXPECT_EQ(industries().name("C374"), "航空、航天器及设备制造");
}

TEST(IndustryTable, CanonicalCompletesLetterAndCase) {
  // GB/T 4754-2017 split the 2011 class 6510 into 6511–6519; I6513 is 应用软件开发.
  EXPECT_EQ(industries().canonical("i6513"), "I6513");
  EXPECT_EQ(industries().canonical("6513"), "I6513");
  EXPECT_EQ(industries().canonical("I6513"), "I6513");
  EXPECT_EQ(industries().canonical("65"), "I65");
  EXPECT_EQ(industries().canonical("i65"), "I65");
  EXPECT_EQ(industries().canonical("651"), "I651");
  EXPECT_EQ(industries().canonical("I"), "I");
  EXPECT_EQ(industries().canonical(" D4420 "), "D4420");
  EXPECT_EQ(industries().canonical("4420"), "D4420");
}

TEST(IndustryTable, Code6510IsNotAGbt4754Of2017Class) {
  // The header's example "i6510" is a GB/T 4754-2011 class; the 2017 table in index/ has no 6510.
  EXPECT_FALSE(industries().canonical("I6510").has_value());
  EXPECT_FALSE(industries().canonical("6510").has_value());
}

TEST(IndustryTable, SingleClassGroupsAccepted) {
  // A019 (其他农业) and I652 (集成电路设计) are not rows: each has one class, A0190 / I6520.
  EXPECT_EQ(industries().canonical("A019"), "A019");
  EXPECT_EQ(industries().canonical("I652"), "I652");
  EXPECT_EQ(industries().name("A019"), "其他农业");
  EXPECT_EQ(industries().name("I652"), "集成电路设计");
}

TEST(IndustryTable, DomainTagsAndNonCodesAreNotCanonical) {
  for (const char* text : {"智慧医疗", "smart energy", "AI", "ai", "I6", "I65133", "U65", "9999", "99", "", "I65a"}) {
    EXPECT_FALSE(industries().canonical(text).has_value()) << text;
  }
}

TEST(IndustryTable, AncestorsMostSpecificFirst) {
  EXPECT_EQ(IndustryTable::ancestors("I6513"), (std::vector<std::string>{"I6513", "I651", "I65", "I"}));
  EXPECT_EQ(IndustryTable::ancestors("I6510"), (std::vector<std::string>{"I6510", "I651", "I65", "I"}));
  EXPECT_EQ(IndustryTable::ancestors("I651"), (std::vector<std::string>{"I651", "I65", "I"}));
  EXPECT_EQ(IndustryTable::ancestors("I65"), (std::vector<std::string>{"I65", "I"}));
  EXPECT_EQ(IndustryTable::ancestors("I"), (std::vector<std::string>{"I"}));
  EXPECT_TRUE(IndustryTable::ancestors("").empty());
}

TEST(IndustryTable, ClosenessLevels) {
  EXPECT_EQ(IndustryTable::closeness("I6513", "I6513"), 4);  // same class
  EXPECT_EQ(IndustryTable::closeness("I6513", "I6511"), 3);  // group I651
  EXPECT_EQ(IndustryTable::closeness("I6513", "I6532"), 2);  // division I65
  EXPECT_EQ(IndustryTable::closeness("I6513", "I6440"), 1);  // section I
  EXPECT_EQ(IndustryTable::closeness("I6513", "C3492"), 0);
  EXPECT_EQ(IndustryTable::closeness("I65", "I6513"), 2);
  EXPECT_EQ(IndustryTable::closeness("I", "I6513"), 1);
  EXPECT_EQ(IndustryTable::closeness("", "I6513"), 0);
}

TEST(DefaultIndexDir, EnvironmentOverrides) {
  const char* old = std::getenv("JIEBANG_INDEX_DIR");
  std::string saved = old ? old : "";
  setenv("JIEBANG_INDEX_DIR", "/some/where/index", 1);
  EXPECT_EQ(default_index_dir(), "/some/where/index");
  unsetenv("JIEBANG_INDEX_DIR");
  EXPECT_FALSE(default_index_dir().empty());
  if (old) setenv("JIEBANG_INDEX_DIR", saved.c_str(), 1);
}

}  // namespace
}  // namespace jiebang
