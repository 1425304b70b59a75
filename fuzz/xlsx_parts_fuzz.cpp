// libFuzzer target, structure-aware: the .xlsx reader on a valid zip package whose parts the
// fuzzer writes, so that the workbook, shared-strings and sheet XML parsers and the bounds on rows,
// columns, cells and strings are reached (byte mutations of a whole zip rarely pass its CRCs: the
// `xlsx` target). Input: the sheet XML, then optionally (each after a NUL byte) the shared strings,
// the workbook and the workbook's relationships; a part not given is a valid default. The package
// is read as a sheet and, through the importer's reader, as scenario records.
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "../tests/zip_util.h"
#include "jiebang/core/record_reader.h"
#include "jiebang/core/records.h"
#include "jiebang/core/xlsx_reader.h"

namespace {

constexpr const char* kContentTypes =
    R"(<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>)";
constexpr const char* kRootRels =
    R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)";
constexpr const char* kWorkbookRels =
    R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>)"
    R"(<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="/xl/sharedStrings.xml"/>)"
    R"(</Relationships>)";
constexpr const char* kWorkbook =
    R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
    R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)"
    R"(<sheets><sheet name="清单" sheetId="1" r:id="rId1"/></sheets></workbook>)";
constexpr const char* kShared =
    R"(<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>场景名称</t></si></sst>)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  while (parts.size() < 3) {
    size_t nul = in.find('\0');
    if (nul == std::string_view::npos) break;
    parts.emplace_back(in.substr(0, nul));
    in.remove_prefix(nul + 1);
  }
  parts.emplace_back(in);
  parts.resize(4);
  const std::string& sheet = parts[0];
  std::string shared = parts.size() > 1 && !parts[1].empty() ? parts[1] : kShared;
  std::string workbook = !parts[2].empty() ? parts[2] : kWorkbook;
  std::string rels = !parts[3].empty() ? parts[3] : kWorkbookRels;
  std::string package = jiebang::testing::stored_zip({{"[Content_Types].xml", kContentTypes},
                                                      {"_rels/.rels", kRootRels},
                                                      {"xl/workbook.xml", workbook},
                                                      {"xl/_rels/workbook.xml.rels", rels},
                                                      {"xl/sharedStrings.xml", shared},
                                                      {"xl/worksheets/sheet1.xml", sheet}});
  (void)jiebang::read_xlsx_sheet(package, "");
  std::istringstream stream(package);
  (void)jiebang::read_records(stream, jiebang::FileFormat::kXlsx, jiebang::RecordKind::kScenario,
                              [](jiebang::RawRecord&& r) {
                                std::vector<jiebang::FieldError> errors;
                                (void)jiebang::scenario_from_json(r.object, errors);
                                return true;
                              });
  return 0;
}
