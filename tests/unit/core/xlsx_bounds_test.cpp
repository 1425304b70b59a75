// The .xlsx bombs of issue 16, built here: each is refused with a clear error while the reading
// process's peak RSS stays below 256 MiB (measured in a forked child with wait4's rusage).
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zip.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

#include "jiebang/core/xlsx_reader.h"

#include "published_input_util.h"
#include "test_util.h"

namespace jiebang {
namespace {

constexpr long kPeakLimitKiB = 256 * 1024;

const char* kContentTypes =
    R"(<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>)";
const char* kRootRels =
    R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)";
const char* kWorkbookRels =
    R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>)"
    R"(<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="/xl/sharedStrings.xml"/>)"
    R"(</Relationships>)";
const char* kWorkbook =
    R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
    R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)"
    R"(<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>)";
const char* kShared = R"(<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>x</t></si></sst>)";

std::string sheet_xml(const std::string& rows) {
  return R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)" + rows +
         "</sheetData></worksheet>";
}

std::string package(const std::string& shared, const std::string& sheet) {
  return testing::stored_zip({{"[Content_Types].xml", kContentTypes},
                              {"_rels/.rels", kRootRels},
                              {"xl/workbook.xml", kWorkbook},
                              {"xl/_rels/workbook.xml.rels", kWorkbookRels},
                              {"xl/sharedStrings.xml", shared},
                              {"xl/worksheets/sheet1.xml", sheet}});
}

/// This process's resident set now, in KiB (/proc/self/status VmRSS).
long current_rss_kib() {
  FILE* f = std::fopen("/proc/self/status", "r");
  long kib = 0;
  char line[256];
  while (f && std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "VmRSS: %ld kB", &kib) == 1) break;
  if (f) std::fclose(f);
  return kib;
}

/// Reads `bytes` in a forked child; returns its peak RSS in KiB and sets `ok` when the read failed
/// with a message containing `expected`.
long child_peak_kib(const std::string& bytes, const std::string& expected, bool& ok) {
  pid_t pid = fork();
  if (pid == 0) {
    auto sheet = read_xlsx_sheet(bytes, "");
    bool good = !sheet && sheet.status().message().find(expected) != std::string::npos;
    _exit(good ? 0 : 1);
  }
  int status = 0;
  rusage ru{};
  EXPECT_EQ(wait4(pid, &status, 0, &ru), pid);
  ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return ru.ru_maxrss;  // KiB on Linux
}

void expect_bounded_refusal(const std::string& bytes, const std::string& expected) {
  auto sheet = read_xlsx_sheet(bytes, "");
  ASSERT_FALSE(sheet) << "the bomb was read";
  EXPECT_NE(sheet.status().message().find(expected), std::string::npos) << sheet.status().message();
  bool ok = false;
  long before = current_rss_kib();
  long peak = child_peak_kib(bytes, expected, ok);
  EXPECT_TRUE(ok);
  // The child starts with the test process's pages (the sanitizer build's gtest binary holds
  // ~400 MiB): what the read added on top is what is bounded here.
  EXPECT_LT(peak - before, kPeakLimitKiB) << "peak RSS " << peak << " KiB, " << before << " KiB at fork";
}

TEST(XlsxBombs, CellsInColumnXfdAreRefusedWithoutAllocatingTheColumnsBetween) {
  // Before the bound: 2,000 rows × 16,384 slots took gigabytes for a few KB of cells.
  std::string rows;
  for (int r = 1; r <= 2000; ++r) rows += "<row r=\"" + std::to_string(r) + "\"><c r=\"XFD" + std::to_string(r) + "\"><v>1</v></c></row>";
  expect_bounded_refusal(package(kShared, sheet_xml(rows)), "holds a value past column IV");
}

TEST(XlsxBombs, RowsWithoutNumbersStopAtExcelsLastRow) {
  std::string rows;
  rows.reserve(7 * 1048600);
  for (int r = 0; r < 1048577; ++r) rows += "<row/>";
  expect_bounded_refusal(package(kShared, sheet_xml(rows)), "more than 1048576 rows");
}

TEST(XlsxBombs, MillionsOfTinyElementsAreRefusedBeforeTheDomIsBuilt) {
  std::string cells;
  for (int i = 0; i < 2000000; ++i) cells += "<si/>";
  expect_bounded_refusal(package(std::string("<sst>") + cells + "</sst>", sheet_xml("")), "XML tags and attributes");
}

std::string one_shared_string(size_t bytes) {
  return R"(<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>)" + std::string(bytes, 'x') +
         "</t></si></sst>";
}

// Regression (breaking pass, session 14): a shared string is stored once and was copied into
// every cell that referred to it, so a 41 KB file (one 40 MB string, 120 cells) took gigabytes.
TEST(XlsxBombs, ARowReferringToSharedStringsPastARecordsBytesIsRefusedBeforeTheCopy) {
  std::string cells;
  for (int c = 0; c < 200; ++c) cells += "<c t=\"s\"><v>0</v></c>";  // 200 × 2 MiB = 400 MiB if copied
  expect_bounded_refusal(package(one_shared_string(2u << 20), sheet_xml("<row r=\"2\">" + cells + "</row>")),
                         "row 2: its cells hold more than the 1048576 bytes of text a record may take (at cell A2)");
}

TEST(XlsxBombs, ASheetReferringToSharedStringsPastItsTextBoundIsRefused) {
  std::string rows;  // each row one record's worth (1,000,000 bytes), 400 rows = 400 MB if copied
  for (int r = 1; r <= 400; ++r) rows += "<row><c t=\"s\"><v>0</v></c></row>";
  expect_bounded_refusal(package(one_shared_string(1000000), sheet_xml(rows)), "the sheet's cells hold more than 64 MiB of text");
}

/// A zip source that yields `size` spaces without holding them: the zip bomb's payload.
struct Spaces {
  uint64_t size, done = 0;
};
zip_int64_t spaces_cb(void* state, void* data, zip_uint64_t len, zip_source_cmd_t cmd) {
  auto* s = static_cast<Spaces*>(state);
  switch (cmd) {
    case ZIP_SOURCE_OPEN: s->done = 0; return 0;
    case ZIP_SOURCE_READ: {
      zip_uint64_t n = std::min<zip_uint64_t>(len, s->size - s->done);
      std::memset(data, ' ', n);
      s->done += n;
      return static_cast<zip_int64_t>(n);
    }
    case ZIP_SOURCE_CLOSE: return 0;
    case ZIP_SOURCE_STAT: {
      auto* st = static_cast<zip_stat_t*>(data);
      zip_stat_init(st);
      st->size = s->size;
      st->valid |= ZIP_STAT_SIZE;
      return sizeof(zip_stat_t);
    }
    case ZIP_SOURCE_ERROR: return 2 * sizeof(int);
    case ZIP_SOURCE_FREE: return 0;
    case ZIP_SOURCE_SUPPORTS:
      return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
                                            ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
    default: return -1;
  }
}

TEST(XlsxBombs, AZipBombPartIsRefusedByItsUncompressedSize) {
  testing::TempDir dir;
  std::string path = dir.file("bomb.xlsx");
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  ASSERT_NE(z, nullptr);
  auto add = [&](const char* name, const std::string& text) {
    zip_source_t* src = zip_source_buffer(z, strdup(text.c_str()), text.size(), 1);
    ASSERT_GE(zip_file_add(z, name, src, ZIP_FL_OVERWRITE), 0);
  };
  add("[Content_Types].xml", kContentTypes);
  add("_rels/.rels", kRootRels);
  add("xl/workbook.xml", kWorkbook);
  add("xl/_rels/workbook.xml.rels", kWorkbookRels);
  add("xl/sharedStrings.xml", kShared);
  Spaces spaces{uint64_t{128} << 20};  // 128 MiB of spaces, ~130 KB deflated
  zip_source_t* bomb = zip_source_function(z, spaces_cb, &spaces);
  ASSERT_NE(bomb, nullptr);
  ASSERT_GE(zip_file_add(z, "xl/worksheets/sheet1.xml", bomb, ZIP_FL_OVERWRITE), 0);
  ASSERT_EQ(zip_close(z), 0) << zip_strerror(z);
  std::string bytes = testing::read_file(path);
  ASSERT_LT(bytes.size(), 4u << 20);
  expect_bounded_refusal(bytes, "MiB allowed");
}

}  // namespace
}  // namespace jiebang
