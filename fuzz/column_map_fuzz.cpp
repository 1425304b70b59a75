// libFuzzer target: the column map (published header names → record keys) parser.
#include <sstream>
#include <string>

#include "jiebang/core/column_map.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  (void)jiebang::ColumnMap::parse(in, "fuzz");
  return 0;
}
