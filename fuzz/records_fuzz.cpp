// libFuzzer target: scenario/enterprise validation of any JSON document (the API's body parser's next step).
#include <nlohmann/json.hpp>

#include "jiebang/core/records.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return 0;
  std::vector<jiebang::FieldError> errors;
  if (auto s = jiebang::scenario_from_json(j, errors)) (void)jiebang::to_json(*s).dump();
  if (auto e = jiebang::enterprise_from_json(j, errors)) (void)jiebang::to_json(*e).dump();
  return 0;
}
