// UTF-8 well-formedness: the one validator used by record import, the store's checks and the web API.
#pragma once

#include <cstddef>
#include <string_view>

namespace jiebang {

/// Byte offset of the first ill-formed UTF-8 sequence in `text` — a stray continuation byte, a
/// truncated sequence, an overlong form, a surrogate (U+D800..U+DFFF) or a value above U+10FFFF
/// (Unicode 15.0 §3.9, D92 and Table 3-7) — or std::string_view::npos when all of it is
/// well-formed. Pure, thread-safe.
std::size_t invalid_utf8_offset(std::string_view text);

}  // namespace jiebang
