// The input rules at the boundary: which characters text may hold, which an id may hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace jiebang {


/// A character refused by the input rule, and where it is.
struct ForbiddenChar {
  size_t offset = 0;       ///< byte offset of its first byte in the text
  uint32_t codepoint = 0;  ///< e.g. 0x1B (ESC), 0x00 (NUL), 0x202E (RIGHT-TO-LEFT OVERRIDE)
};

/// The one input rule for control characters, applied at the boundary (scenario_from_json and
/// enterprise_from_json, which the API and every importer go through): text may not contain C0
/// controls other than tab, LF and CR (so no NUL, no ESC sequences), DEL, C1 controls
/// (U+0080–U+009F), or the bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069)
/// that make text display other than it is stored (the "Trojan Source" trick). Such text is
/// REFUSED, not cleaned: removing characters silently would store something the sender did not
/// write and can make two different ids equal; the error names the field, the byte and the code
/// point so the sender can fix it. The first such character in valid UTF-8 `text`, or nullopt.
std::optional<ForbiddenChar> find_forbidden_char(std::string_view text);

/// True when valid UTF-8 `text` has a character one can see: not white space (ASCII's, U+0085,
/// U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000) and not an invisible
/// format or filler character (U+00AD, U+034F, U+061C, U+115F, U+1160, U+180E, U+200B–U+200F,
/// U+2060–U+2064, U+3164, U+FEFF, U+FFA0). A required text (a title, a name) must have one: a
/// title of zero-width spaces is as empty as a title of spaces. Ill-formed bytes count as visible
/// (is_valid_utf8 refuses them elsewhere).
bool has_visible_char(std::string_view text);

/// The character set of record ids (scenario ids, enterprise ids including USCCs): ASCII letters,
/// digits, '.', '_', ':' and '-', 1–200 bytes, after leading and trailing ASCII whitespace is
/// trimmed (the trim is the only change made to an id). True when `id` is in it.
bool is_valid_record_id(std::string_view id);

}  // namespace jiebang
