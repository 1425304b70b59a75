// Money: exact minor units with their currency, read from and written as major-unit decimals.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "jiebang/core/money.h"

namespace jiebang {
namespace {

TEST(Money, WritesMajorUnitsWithTwoDecimalsExactly) {
  EXPECT_EQ((Money{125000007, "CNY"}).decimal(), "1250000.07");
  EXPECT_EQ((Money{0, "CNY"}).decimal(), "0.00");
  EXPECT_EQ((Money{5, "USD"}).decimal(), "0.05");
  EXPECT_EQ((Money{-150, "CNY"}).decimal(), "-1.50");  // the CLI wrote "-1.-50"
  EXPECT_EQ((Money{-5, "CNY"}).decimal(), "-0.05");
  EXPECT_EQ((Money{std::numeric_limits<int64_t>::min(), "CNY"}).decimal(), "-92233720368547758.08");
  EXPECT_EQ((Money{99, "USD"}).to_string(), "0.99 USD");
  EXPECT_EQ(Money{}.currency, "CNY");
  EXPECT_NE((Money{100, "CNY"}), (Money{100, "USD"}));  // an amount is not equal across currencies
}

TEST(Money, ReadsMajorUnitsExactlyAndNothingElse) {
  EXPECT_EQ(parse_major_units("1250000.07"), 125000007);
  EXPECT_EQ(parse_major_units("0.1"), 10);
  EXPECT_EQ(parse_major_units("12"), 1200);
  EXPECT_EQ(parse_major_units("12."), 1200);  // as the API and CLI always read it
  EXPECT_EQ(parse_major_units("9999999999999.99"), 999999999999999);
  for (const char* bad : {"", ".5", "1.234", "-5", "+5", "1e3", "1,000", " 1", "1.2.3", "12345678901234", "0x10", "１２"})
    EXPECT_EQ(parse_major_units(bad), std::nullopt) << bad;
  // Round trip of what decimal() writes for non-negative amounts.
  for (int64_t minor : {0LL, 1LL, 10LL, 99LL, 100LL, 123456789LL, 999999999999999LL})
    EXPECT_EQ(parse_major_units((Money{minor, "CNY"}).decimal()), minor) << minor;
}

TEST(Money, CurrencyCodesHaveIso4217sAlphabeticForm) {
  EXPECT_TRUE(is_currency_code("CNY"));
  EXPECT_TRUE(is_currency_code("USD"));
  for (const char* bad : {"", "cny", "CN", "CNYY", "C1Y", "元"}) EXPECT_FALSE(is_currency_code(bad)) << bad;
}

}  // namespace
}  // namespace jiebang
