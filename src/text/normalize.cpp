// NFKC case folding (ICU), pinyin-annotation removal (ICU regex) and t2s (OpenCC).
#include "jiebang/text/normalize.h"

#include <memory>
#include <stdexcept>

#include <opencc/opencc.h>
#include <unicode/normalizer2.h>
#include <unicode/regex.h>
#include <unicode/unistr.h>

namespace jiebang::text {
namespace {

// A Han character, optional spaces, then "(" pinyin ")": one or more syllables separated by spaces
// or apostrophes ("(xún jiǎn)", "(xī'ān)", "(xun2 jian3)"), the first carrying a tone mark or a tone digit, so that
// real parentheses after Chinese text ("人工智能(AI)", "(ai chip)", "(试点)") are never taken for it.
// The spaces before the annotation go with it, and so do the spaces after it when Han text follows:
// "场 (chǎng) 景" → "场景", so the characters around an annotation stay neighbours (a quoted
// phrase across it matches, its bigram exists); "场 (chǎng) abc" → "场 abc".
std::string pinyin_annotation_pattern() {
  const std::string toned = "(?:[a-zü]{0,6}[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ][a-zü]{0,6}|[a-zü]{1,6}[1-5])";
  return "(?<=\\p{Han})\\s*[(（]\\s*" + toned + "(?:[\\s'’]+(?:" + toned + "|[a-zü]{1,6}))*\\s*[)）](?:\\s+(?=\\p{Han}))?";
}

struct Resources {
  const icu::Normalizer2* nfkc_cf = nullptr;
  std::unique_ptr<icu::RegexPattern> pinyin;
  std::unique_ptr<opencc::SimpleConverter> t2s;

  Resources() {
    UErrorCode status = U_ZERO_ERROR;
    nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status)) throw std::runtime_error("ICU NFKC_Casefold data is not available");
    UParseError perr;
    pinyin.reset(icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(pinyin_annotation_pattern()), UREGEX_CASE_INSENSITIVE,
                                            perr, status));
    if (U_FAILURE(status)) throw std::runtime_error("cannot compile the pinyin-annotation pattern");
    t2s = std::make_unique<opencc::SimpleConverter>("t2s.json");
  }
};

const Resources& resources() {
  static const Resources r;
  return r;
}

bool has_non_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return true;
  return false;
}

}  // namespace

namespace {

/// NFKC case folding, then pinyin annotations removed; UTF-8 out.
std::string fold_and_clean(std::string_view text, const icu::Normalizer2* form) {
  const Resources& r = resources();
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  icu::UnicodeString folded = form->normalize(u, status);
  if (U_FAILURE(status)) folded = u;
  status = U_ZERO_ERROR;
  std::unique_ptr<icu::RegexMatcher> m(r.pinyin->matcher(folded, status));
  icu::UnicodeString cleaned = U_SUCCESS(status) ? m->replaceAll(icu::UnicodeString(), status) : folded;
  if (U_FAILURE(status)) cleaned = folded;
  std::string utf8;
  cleaned.toUTF8String(utf8);
  return utf8;
}

}  // namespace

std::string normalize(std::string_view text) {
  if (!has_non_ascii(text)) {  // fast path: ASCII needs only lower-casing
    std::string out(text);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  }
  return resources().t2s->Convert(fold_and_clean(text, resources().nfkc_cf));
}

std::string truncate_utf8(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

std::string display_form(std::string_view text) {
  if (!has_non_ascii(text)) return std::string(text);
  // Full-width letters and digits (U+FF10–FF5A) become ASCII; Chinese punctuation stays as written.
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    auto c0 = static_cast<unsigned char>(text[i]);
    if (c0 == 0xEF && i + 2 < text.size()) {
      auto c1 = static_cast<unsigned char>(text[i + 1]), c2 = static_cast<unsigned char>(text[i + 2]);
      unsigned cp = ((c0 & 0x0Fu) << 12) | ((c1 & 0x3Fu) << 6) | (c2 & 0x3Fu);
      bool alnum = (cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A);
      if (alnum) {
        out.push_back(static_cast<char>(cp - 0xFEE0));
        i += 2;
        continue;
      }
    }
    out.push_back(static_cast<char>(c0));
  }
  const Resources& r = resources();
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(out);
  std::unique_ptr<icu::RegexMatcher> m(r.pinyin->matcher(u, status));
  if (U_FAILURE(status)) return out;
  icu::UnicodeString cleaned = m->replaceAll(icu::UnicodeString(), status);
  if (U_FAILURE(status)) return out;
  std::string utf8;
  cleaned.toUTF8String(utf8);
  return utf8;
}

std::string normalize_name(std::string_view name) {
  std::string n = normalize(name);
  std::string out;
  out.reserve(n.size());
  bool pending_space = false;
  for (char c : n) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

}  // namespace jiebang::text
