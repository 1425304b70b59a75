// Encoding detection (UTF-8 / GB18030) and GB18030 → UTF-8 conversion with ICU.
#include "jiebang/core/encoding.h"

#include <algorithm>
#include <iterator>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <unicode/ucnv.h>
#include <unicode/ustring.h>

#include "jiebang/core/records.h"

namespace jiebang {
namespace {

bool starts_with_bytes(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && text.substr(0, prefix.size()) == prefix;
}

/// Rejects byte signatures of files that are not UTF-8/GB18030 text, with what to do instead.
Status check_signature(std::string_view first_line) {
  using namespace std::string_view_literals;
  if (starts_with_bytes(first_line, "\xFF\xFE"sv) || starts_with_bytes(first_line, "\xFE\xFF"sv))
    return Status::invalid_argument(
        "line 1: the file is UTF-16 or UTF-32 text (byte-order mark FF FE / FE FF); save it as UTF-8 "
        "(or GBK) CSV");
  if (starts_with_bytes(first_line, "PK\x03\x04"sv))
    return Status::invalid_argument(
        "the file is a zip package, not text: an Excel workbook must have the .xlsx extension");
  if (starts_with_bytes(first_line, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"sv))
    return Status::invalid_argument(
        "the file is an Excel 97-2003 (.xls) workbook, which is not supported: save it as .xlsx or CSV");
  return Status::ok();
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

size_t line_of_offset(std::string_view bytes, size_t offset) {
  return 1 + static_cast<size_t>(std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

std::string hex_bytes(std::string_view bytes) {
  std::string out;
  for (char c : bytes) out += fmt::format("{}{:02X}", out.empty() ? "" : " ", static_cast<unsigned char>(c));
  return out;
}

struct ConverterCloser {
  void operator()(UConverter* c) const { ucnv_close(c); }
};

}  // namespace

std::string_view encoding_name(TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::kUtf8: return "utf-8";
    case TextEncoding::kUtf8Bom: return "utf-8-bom";
    case TextEncoding::kGb18030: return "gb18030";
  }
  return "utf-8";
}

Result<TextEncoding> detect_encoding(std::istream& in) {
  std::string line;
  size_t line_no = 0;
  size_t utf8_non_ascii_lines = 0;
  size_t invalid_lines = 0;
  bool bom = false;
  while (std::getline(in, line)) {
    ++line_no;
    if (line_no == 1) {
      if (Status st = check_signature(line); !st) return st;
      if (starts_with_bytes(line, "\xEF\xBB\xBF")) bom = true;
    }
    if (is_ascii(line)) continue;
    if (is_valid_utf8(line)) ++utf8_non_ascii_lines;
    else ++invalid_lines;
  }
  if (in.bad()) return Status::unavailable(fmt::format("read error after line {}", line_no));
  if (bom) return TextEncoding::kUtf8Bom;
  if (invalid_lines > utf8_non_ascii_lines) return TextEncoding::kGb18030;
  return TextEncoding::kUtf8;
}

Result<std::string> gb18030_to_utf8(std::string_view bytes) {
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<UConverter, ConverterCloser> conv(ucnv_open("GB18030", &err));
  if (U_FAILURE(err)) return Status::internal(fmt::format("ICU cannot open the GB18030 converter: {}", u_errorName(err)));
  // Stop at the first bad sequence instead of substituting, so that nothing is lost silently.
  ucnv_setToUCallBack(conv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &err);
  if (U_FAILURE(err)) return Status::internal(fmt::format("ICU converter setup failed: {}", u_errorName(err)));

  // One GB18030 byte sequence of n bytes gives at most n UTF-16 units.
  std::vector<UChar> utf16(bytes.size() + 1);
  const char* source = bytes.data();
  const char* source_end = bytes.data() + bytes.size();
  UChar* target = utf16.data();
  ucnv_toUnicode(conv.get(), &target, utf16.data() + utf16.size(), &source, source_end, nullptr, true, &err);
  if (U_FAILURE(err)) {
    char bad[32];
    int8_t bad_len = sizeof bad;
    UErrorCode err2 = U_ZERO_ERROR;
    ucnv_getInvalidChars(conv.get(), bad, &bad_len, &err2);
    if (U_FAILURE(err2)) bad_len = 0;
    size_t consumed = static_cast<size_t>(source - bytes.data());
    size_t offset = consumed >= static_cast<size_t>(bad_len) ? consumed - static_cast<size_t>(bad_len) : 0;
    std::string_view seq = bad_len > 0 ? std::string_view(bad, static_cast<size_t>(bad_len)) : bytes.substr(offset, 1);
    const char* why = err == U_TRUNCATED_CHAR_FOUND ? "an incomplete character at the end of the file"
                                                    : "not a GBK/GB18030 character";
    return Status::invalid_argument(fmt::format(
        "line {}: the file is neither UTF-8 nor GBK/GB18030: {} (hex) at byte {} of the file is {}",
        line_of_offset(bytes, offset), hex_bytes(seq), offset + 1, why));
  }
  size_t units = static_cast<size_t>(target - utf16.data());
  size_t from = 0;
  if (units > 0 && utf16[0] == 0xFEFF) from = 1;  // the GB18030 byte-order mark
  for (size_t i = from; i < units; ++i) {
    if (utf16[i] != 0xFFFD) continue;
    size_t line = 1 + static_cast<size_t>(std::count(utf16.begin(), utf16.begin() + static_cast<std::ptrdiff_t>(i), u'\n'));
    return Status::invalid_argument(fmt::format(
        "line {}: holds the replacement character U+FFFD, the mark of a character lost by an earlier conversion; "
        "get a copy of the list that was not converted",
        line));
  }
  std::string out((units - from) * 3, '\0');  // a UTF-16 unit gives at most 3 UTF-8 bytes
  int32_t out_len = 0;
  err = U_ZERO_ERROR;
  u_strToUTF8(out.data(), static_cast<int32_t>(out.size()), &out_len, utf16.data() + from,
              static_cast<int32_t>(units - from), &err);
  if (U_FAILURE(err)) return Status::internal(fmt::format("UTF-16 → UTF-8 conversion failed: {}", u_errorName(err)));
  out.resize(static_cast<size_t>(out_len));
  return out;
}

Result<Utf8Input> open_as_utf8(std::istream& in) {
  Utf8Input result;
  std::istream::pos_type start = in.tellg();
  std::string buffered;
  bool seekable = start != std::istream::pos_type(-1);
  if (!seekable) {
    buffered.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) return Status::unavailable("read error");
    result.owned = std::make_unique<std::istringstream>(std::move(buffered));
    result.stream = result.owned.get();
  } else {
    result.stream = &in;
  }
  auto encoding = detect_encoding(*result.stream);
  if (!encoding) return encoding.status();
  result.encoding = *encoding;
  result.stream->clear();
  result.stream->seekg(seekable && result.stream == &in ? start : std::istream::pos_type(0));
  if (!*result.stream) return Status::unavailable("cannot rewind the input after detecting its encoding");
  if (result.encoding != TextEncoding::kGb18030) return result;

  std::string bytes(std::istreambuf_iterator<char>(*result.stream), std::istreambuf_iterator<char>{});
  if (result.stream->bad()) return Status::unavailable("read error");
  auto text = gb18030_to_utf8(bytes);
  if (!text) return text.status();
  result.owned = std::make_unique<std::istringstream>(std::move(*text));
  result.stream = result.owned.get();
  return result;
}

}  // namespace jiebang
