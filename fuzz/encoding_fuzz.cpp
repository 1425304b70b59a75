// libFuzzer target: GBK/GB18030 detection and conversion to UTF-8.
#include <sstream>
#include <string>

#include "jiebang/core/encoding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  std::istringstream in(bytes);
  (void)jiebang::detect_encoding(in);
  (void)jiebang::gb18030_to_utf8(bytes);
  std::istringstream again(bytes);
  (void)jiebang::open_as_utf8(again);
  return 0;
}
