// libFuzzer target: the .xlsx reader (zip package, workbook, shared strings, sheet) on arbitrary bytes.
#include <string_view>

#include "jiebang/core/xlsx_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)jiebang::read_xlsx_sheet(std::string_view(reinterpret_cast<const char*>(data), size), "");
  return 0;
}
