// UTF-8: the one decoder and validator used by record import, the store's checks, the web API,
// the CLI's output filter and the digest's file names.
#pragma once

#include <cstddef>
#include <string_view>

namespace jiebang {

/// What `decode_utf8` finds at a byte offset.
struct Utf8Char {
  enum class Kind {
    kChar,        ///< a well-formed character: `codepoint`, `length` 1–4 bytes
    kIllFormed,   ///< not the start of a well-formed sequence: `length` 1 (the byte to skip or escape)
    kIncomplete,  ///< a well-formed beginning that the text ends in: `length` = the bytes left (1–3)
  };
  Kind kind = Kind::kIllFormed;
  char32_t codepoint = 0;  ///< kChar only; else 0
  std::size_t length = 1;
};

/// Decodes the character that starts at byte `at` of `text` (`at` < text.size()), by Unicode
/// 15.0 §3.9 Table 3-7 (well-formed byte sequences): a stray continuation byte, a lead byte
/// C0, C1 or F5–FF, an overlong form, a surrogate (U+D800..U+DFFF), a value above U+10FFFF or a
/// sequence cut short by a byte that does not continue it is kIllFormed at its first byte; a
/// sequence the text ends in before it is complete is kIncomplete (a stream may finish it).
/// Pure, thread-safe.
Utf8Char decode_utf8(std::string_view text, std::size_t at);

/// Byte offset of the first ill-formed UTF-8 sequence in `text` (decode_utf8 kIllFormed, or
/// kIncomplete at the end), or std::string_view::npos when all of it is well-formed. Pure, thread-safe.
std::size_t invalid_utf8_offset(std::string_view text);

}  // namespace jiebang
