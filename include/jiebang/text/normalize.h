// Text normalisation shared by indexing and querying (the "search form" of a text).
#pragma once

#include <string>
#include <string_view>

namespace jiebang::text {

/// The search form of a text, used identically at index and query time; never stored in place of
/// what the user sent. Steps, in order:
///  1. Unicode NFKC with case folding (ICU `NFKC_Casefold`): full-width → half-width
///     ("ＡＩ５Ｇ" → "ai5g"), Latin lower-cased, compatibility forms unified.
///  2. Inline pinyin annotations after Han characters removed: "场(chǎng)景(jǐng)" → "场景",
///     "巡检(xún jiǎn)机器人" → "巡检机器人", "场 (chǎng) 景" → "场景". An annotation is a
///     parenthesised run of pinyin syllables (spaces or apostrophes between them) whose first
///     syllable carries a tone mark or tone digit ("(chang3)"), after a Han character and optional
///     spaces; the spaces before it go with it, and the spaces after it too when Han text follows,
///     so the characters on either side become neighbours. "(试点)", "(2025年)", "人工智能(AI)"
///     and "(ai chip)" stay.
///  3. Traditional → simplified Chinese (OpenCC `t2s`): "機器人" → "机器人".
/// Invalid UTF-8 sequences are replaced with U+FFFD. Thread-safe: the ICU and OpenCC data are
/// loaded once on first use and only read afterwards.
std::string normalize(std::string_view text);

/// A name as compared and indexed (publisher, customer, qualification, tag): normalize(), then
/// leading and trailing whitespace removed and every run of inner whitespace made one space, so
/// "高新技术企业　" (a full-width space) and "Dept of Energy  / Office" compare equal to their
/// tidy forms.
std::string normalize_name(std::string_view name);

/// The text as shown to people (snippets): NFKC (full-width → half-width) and pinyin annotations
/// removed, but case and traditional characters kept.
std::string display_form(std::string_view text);

/// `s` cut to at most `max_bytes` bytes without splitting a UTF-8 sequence.
std::string truncate_utf8(std::string_view s, size_t max_bytes);

}  // namespace jiebang::text
