// Helpers for the "input as published" tests: GBK text via ICU, .xlsx workbooks via libxlsxwriter,
// and hand-made zip packages (stored, uncompressed) for workbooks libxlsxwriter would never write.
#pragma once

#include <unicode/ucnv.h>
#include <xlsxwriter.h>

#include "zip_util.h"

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace jiebang::testing {

/// `utf8` converted to `charset` ("GBK", "GB18030") with ICU. Throws if a character has no
/// mapping, so that tests never compare against substituted text.
inline std::string encode_as(const std::string& utf8, const char* charset) {
  UErrorCode err = U_ZERO_ERROR;
  UConverter* to = ucnv_open(charset, &err);
  if (U_FAILURE(err)) throw std::runtime_error(std::string("ICU cannot open ") + charset);
  ucnv_setFromUCallBack(to, UCNV_FROM_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &err);
  UConverter* from = ucnv_open("UTF-8", &err);
  std::string out(utf8.size() * 2 + 16, '\0');
  char* target = out.data();
  const char* source = utf8.data();
  ucnv_convertEx(to, from, &target, out.data() + out.size(), &source, utf8.data() + utf8.size(), nullptr, nullptr,
                 nullptr, nullptr, true, true, &err);
  ucnv_close(to);
  ucnv_close(from);
  if (U_FAILURE(err)) throw std::runtime_error(std::string("cannot encode the text as ") + charset + ": " + u_errorName(err));
  out.resize(static_cast<size_t>(target - out.data()));
  return out;
}

/// A workbook written with libxlsxwriter; closed (written to `path`) by close() or the destructor.
class XlsxWriter {
 public:
  /// `inline_strings` writes strings inline (t="inlineStr", libxlsxwriter's constant-memory
  /// mode) instead of in the shared-strings table.
  XlsxWriter(const std::string& path, const std::string& tmpdir, bool inline_strings = false) : tmpdir_(tmpdir) {
    lxw_workbook_options options{};
    options.constant_memory = inline_strings ? LXW_TRUE : LXW_FALSE;
    options.tmpdir = tmpdir_.data();
    wb_ = workbook_new_opt(path.c_str(), &options);
    if (!wb_) throw std::runtime_error("libxlsxwriter cannot create " + path);
    date_ = workbook_add_format(wb_);
    format_set_num_format(date_, "yyyy-mm-dd");
    bold_ = workbook_add_format(wb_);
    format_set_bold(bold_);
  }
  ~XlsxWriter() {
    if (wb_) workbook_close(wb_);
  }
  XlsxWriter(const XlsxWriter&) = delete;
  XlsxWriter& operator=(const XlsxWriter&) = delete;

  lxw_worksheet* sheet(const std::string& name) { return workbook_add_worksheet(wb_, name.c_str()); }
  void text(lxw_worksheet* ws, int row, int col, const std::string& s) { check(worksheet_write_string(ws, row, col, s.c_str(), nullptr)); }
  void number(lxw_worksheet* ws, int row, int col, double v) { check(worksheet_write_number(ws, row, col, v, nullptr)); }
  /// A real Excel date cell: a serial number with a date format.
  void date(lxw_worksheet* ws, int row, int col, int y, int m, int d) {
    lxw_datetime dt{y, m, d, 0, 0, 0.0};
    check(worksheet_write_datetime(ws, row, col, &dt, date_));
  }
  void boolean(lxw_worksheet* ws, int row, int col, bool v) { check(worksheet_write_boolean(ws, row, col, v ? 1 : 0, nullptr)); }
  /// A formula whose cached result is a string (t="str").
  void formula_text(lxw_worksheet* ws, int row, int col, const std::string& formula, const std::string& result) {
    check(worksheet_write_formula_str(ws, row, col, formula.c_str(), nullptr, result.c_str()));
  }
  /// A rich-text cell: the fragments alternate plain and bold runs (<r><rPr/><t>…</t></r>).
  void rich(lxw_worksheet* ws, int row, int col, const std::vector<std::string>& fragments) {
    std::vector<lxw_rich_string_tuple> tuples(fragments.size());
    std::vector<lxw_rich_string_tuple*> ptrs;
    for (size_t i = 0; i < fragments.size(); ++i) {
      tuples[i].format = i % 2 == 1 ? bold_ : nullptr;
      tuples[i].string = const_cast<char*>(fragments[i].c_str());
      ptrs.push_back(&tuples[i]);
    }
    ptrs.push_back(nullptr);
    check(worksheet_write_rich_string(ws, row, col, ptrs.data(), nullptr));
  }
  void close() {
    lxw_error e = workbook_close(wb_);
    wb_ = nullptr;
    if (e != LXW_NO_ERROR) throw std::runtime_error(std::string("libxlsxwriter: ") + lxw_strerror(e));
  }

 private:
  static void check(lxw_error e) {
    if (e != LXW_NO_ERROR) throw std::runtime_error(std::string("libxlsxwriter: ") + lxw_strerror(e));
  }
  std::string tmpdir_;
  lxw_workbook* wb_ = nullptr;
  lxw_format* date_ = nullptr;
  lxw_format* bold_ = nullptr;
};

}  // namespace jiebang::testing
