// UTF-8 decoding and well-formedness (see include/jiebang/core/utf8.h).
#include "jiebang/core/utf8.h"

#include <cstdint>

namespace jiebang {

Utf8Char decode_utf8(std::string_view s, std::size_t at) {
  using Kind = Utf8Char::Kind;
  auto c = static_cast<unsigned char>(s[at]);
  if (c < 0x80) return {Kind::kChar, c, 1};
  // Table 3-7: the length and the range of the second byte follow from the first byte (this is
  // what rules out overlong forms, surrogates and values above U+10FFFF); later bytes are 80..BF.
  std::size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  char32_t cp;
  if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, cp = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, cp = c & 0x07;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return {};  // a continuation byte, C0, C1, F5..FF
  }
  for (std::size_t k = 1; k < len; ++k) {
    if (at + k >= s.size()) return {Kind::kIncomplete, 0, s.size() - at};
    auto d = static_cast<unsigned char>(s[at + k]);
    if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xBF)) return {};
    cp = (cp << 6) | (d & 0x3F);
  }
  return {Kind::kChar, cp, len};
}

std::size_t invalid_utf8_offset(std::string_view s) {
  // Byte indices are size_t: web API bodies may exceed what ICU's int32_t macros address.
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {  // the common case, without a call
      ++i;
      continue;
    }
    Utf8Char ch = decode_utf8(s, i);
    if (ch.kind != Utf8Char::Kind::kChar) return i;
    i += ch.length;
  }
  return std::string_view::npos;
}

}  // namespace jiebang
