// Text encodings of published record files: detecting UTF-8 (with or without BOM) and GBK/GB18030,
// and converting GB18030 to UTF-8 (ICU) so that the record readers only ever see UTF-8.
#pragma once

#include <cstddef>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

#include "jiebang/core/status.h"

namespace jiebang {

/// The encoding a text record file (CSV, JSON Lines) was found in.
enum class TextEncoding {
  kUtf8,     ///< UTF-8 without a byte-order mark (or plain ASCII)
  kUtf8Bom,  ///< UTF-8 starting with the byte-order mark EF BB BF (as Excel writes "CSV UTF-8")
  kGb18030,  ///< GB18030, which includes GBK and GB2312 (Chinese Windows "ANSI" CSV)
};

/// "utf-8" | "utf-8-bom" | "gb18030": the names ImportReport::encoding carries.
std::string_view encoding_name(TextEncoding encoding);

/// Reads `in` to its end (line by line, without keeping the text) and decides its encoding:
/// - a UTF-8 byte-order mark means UTF-8 (kUtf8Bom), whatever follows;
/// - text that is valid UTF-8 throughout is kUtf8;
/// - otherwise, when more lines are invalid UTF-8 than are valid UTF-8 with non-ASCII characters,
///   the file is GB18030 (a Chinese line in GBK is almost never valid UTF-8 by chance);
/// - otherwise it is a UTF-8 file with a few bad lines, kUtf8: the readers report those lines
///   one by one instead of turning the whole file into mojibake.
/// Errors: kInvalidArgument when the bytes are not a text file this reader handles: UTF-16/UTF-32
/// (byte-order mark FF FE / FE FF), a zip package (an .xlsx workbook under another name), or an
/// Excel 97–2003 .xls workbook; kUnavailable when the stream fails while reading.
Result<TextEncoding> detect_encoding(std::istream& in);

/// Converts GB18030 bytes (GBK and GB2312 are subsets) to UTF-8 with ICU's "GB18030" converter.
/// A leading GB18030 byte-order mark (84 31 95 33) is dropped.
/// Errors: kInvalidArgument naming the 1-based line and the bytes (hex) of the first sequence
/// that is not GB18030, or the line of a U+FFFD replacement character (a character lost by an
/// earlier conversion); kInternal if ICU cannot open the converter.
Result<std::string> gb18030_to_utf8(std::string_view bytes);

/// A text stream made readable as UTF-8: see open_as_utf8.
struct Utf8Input {
  TextEncoding encoding = TextEncoding::kUtf8;
  /// Where to read the UTF-8 text: the original stream, rewound, or `owned`. A UTF-8 byte-order
  /// mark is left in place (the record readers skip it).
  std::istream* stream = nullptr;
  std::unique_ptr<std::istream> owned;  ///< the converted (or buffered) text, when there is one
};

/// Detects the encoding of the rest of `in` (detect_encoding) and makes it readable as UTF-8.
/// A seekable stream (a file) is scanned and rewound, so UTF-8 input is not held in memory;
/// GB18030 input is converted in memory. A stream that cannot seek (a pipe) is read into memory.
/// Errors: as detect_encoding and gb18030_to_utf8.
Result<Utf8Input> open_as_utf8(std::istream& in);

}  // namespace jiebang
