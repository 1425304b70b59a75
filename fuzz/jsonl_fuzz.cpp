// libFuzzer target: the JSON Lines record reader and record validation on arbitrary bytes.
#include <sstream>
#include <string>

#include "jiebang/core/record_reader.h"
#include "jiebang/core/records.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  (void)jiebang::read_records(in, jiebang::FileFormat::kJsonLines, jiebang::RecordKind::kScenario,
                              [](jiebang::RawRecord&& r) {
                                std::vector<jiebang::FieldError> errors;
                                (void)jiebang::scenario_from_json(r.object, errors);
                                (void)jiebang::enterprise_from_json(r.object, errors);
                                return true;
                              });
  return 0;
}
