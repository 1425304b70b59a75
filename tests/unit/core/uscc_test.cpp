// USCC shape and check-character tests (GB 32100-2015).
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "jiebang/core/uscc.h"

#include "test_util.h"

namespace jiebang {
namespace {

// An independent implementation of the GB 32100-2015 check character, written from the standard:
// value(c) is the index in the 31-character set, weight of position i (1-based) is 3^(i-1) mod 31,
// c18 = charset[(31 - sum mod 31) mod 31].
char reference_check_char(std::string_view first17) {
  const std::string charset = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  int sum = 0;
  int weight = 1;
  for (char c : first17) {
    sum += static_cast<int>(charset.find(c)) * weight;
    weight = (weight * 3) % 31;
  }
  return charset[(31 - sum % 31) % 31];
}

TEST(Uscc, AcceptsCodeWithCorrectCheckCharacter) {
  // Hand-made bases; the check character comes from the reference implementation above.
  for (std::string base :
       {"91330100MA2AXXXX0", "92330110000000000", "12100000400000123", "91110108MA01ABCDE", "5133010050000000Y"}) {
    std::string id = base + reference_check_char(base);
    EXPECT_TRUE(uscc_valid(id)) << id;
    auto check = uscc_check_char(base);
    ASSERT_TRUE(check.has_value()) << base;
    EXPECT_EQ(*check, reference_check_char(base)) << base;
  }
}

TEST(Uscc, HandWorkedCheckCharacterMatches) {
  // "91330100MA2AXXXX0": values 9,1,3,3,0,1,0,0,M=21,A=10,2,A=10,X=29,X=29,X=29,X=29,0
  // weights 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28
  // sum = 9+3+27+81+0+26+0+0+420+290+50+130+232+696+290+870+0 = 3124; 3124 mod 31 = 24 (31*100 = 3100);
  // 31 - 24 = 7 → charset[7] = '7'.
  auto check = uscc_check_char("91330100MA2AXXXX0");
  ASSERT_TRUE(check.has_value());
  EXPECT_EQ(*check, '7');
  EXPECT_EQ(reference_check_char("91330100MA2AXXXX0"), '7');
}

TEST(Uscc, AcceptsPublishedCodes) {
  // 91350100M000100Y43 is the example in GB 32100-2015; the others are published codes of large
  // companies (Huawei Technologies, Tencent Technology (Shenzhen), Beijing Xiaomi Technology). Each
  // was first checked with the reference implementation.
  for (std::string id : {"91350100M000100Y43", "914403001922038216", "91440300708461136T", "91110108551385082Q"}) {
    ASSERT_EQ(reference_check_char(id.substr(0, 17)), id[17]) << id;
    EXPECT_TRUE(looks_like_uscc(id)) << id;
    EXPECT_TRUE(uscc_valid(id)) << id;
  }
}

TEST(Uscc, RejectsWrongCheckCharacter) {
  std::string id = "91350100M000100Y43";
  for (char wrong : {'0', '4', 'A', 'Y'}) {
    id[17] = wrong;
    EXPECT_TRUE(looks_like_uscc(id)) << id;
    EXPECT_FALSE(uscc_valid(id)) << id;
  }
}

TEST(Uscc, RejectsLettersOutsideTheCharset) {
  // I, O, Z, S, V are not in the code's character set.
  for (char bad : {'I', 'O', 'Z', 'S', 'V'}) {
    std::string first17 = "91350100M000100Y4";
    first17[8] = bad;
    std::string id = first17 + '3';
    EXPECT_FALSE(looks_like_uscc(id)) << id;
    EXPECT_FALSE(uscc_valid(id)) << id;
    EXPECT_FALSE(uscc_check_char(first17).has_value()) << first17;
  }
}

TEST(Uscc, RejectsWrongLength) {
  EXPECT_FALSE(looks_like_uscc("91350100M000100Y4"));    // 17
  EXPECT_FALSE(looks_like_uscc("91350100M000100Y433"));  // 19
  EXPECT_FALSE(looks_like_uscc(""));
  EXPECT_FALSE(uscc_valid("91350100M000100Y4"));
  EXPECT_FALSE(uscc_check_char("91350100M000100Y").has_value());  // 16
}

TEST(Uscc, CheckCharRejectsInputThatIsNotSeventeenCharacters) {
  EXPECT_FALSE(uscc_check_char("91350100M000100Y43").has_value());
}

TEST(Uscc, RequiresDigitsInRegionPositions) {
  // Characters 3–8 are the GB/T 2260 region code: digits only.
  std::string first17 = "913501A0M000100Y4";
  std::string id = first17 + reference_check_char(first17);
  EXPECT_FALSE(looks_like_uscc(id)) << id;
  EXPECT_FALSE(uscc_valid(id));
  first17 = "91M50100M000100Y4";
  id = first17 + reference_check_char(first17);
  EXPECT_FALSE(looks_like_uscc(id)) << id;
  // Letters are allowed in positions 1–2 and 9–17.
  first17 = "Y1350100ABCDEFGHJ";
  id = first17 + reference_check_char(first17);
  EXPECT_TRUE(looks_like_uscc(id)) << id;
  EXPECT_TRUE(uscc_valid(id)) << id;
}

TEST(Uscc, LowercaseIsNotAUscc) {
  EXPECT_FALSE(looks_like_uscc("91350100m000100y43"));
  EXPECT_FALSE(uscc_valid("91350100m000100y43"));
  EXPECT_FALSE(uscc_check_char("91350100m000100y4").has_value());
}

}  // namespace
}  // namespace jiebang
