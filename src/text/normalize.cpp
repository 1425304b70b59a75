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

// Han character, then "(" pinyin letters [tone digit] ")". After NFKC the brackets are ASCII.
constexpr const char* kPinyinAnnotation =
    "(?<=\\p{Han})\\(\\s*[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}[1-5]?\\s*\\)";

struct Resources {
  const icu::Normalizer2* nfkc_cf = nullptr;
  std::unique_ptr<icu::RegexPattern> pinyin;
  std::unique_ptr<opencc::SimpleConverter> t2s;

  Resources() {
    UErrorCode status = U_ZERO_ERROR;
    nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status)) throw std::runtime_error("ICU NFKC_Casefold data is not available");
    UParseError perr;
    pinyin.reset(icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(kPinyinAnnotation), 0, perr, status));
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

std::string normalize(std::string_view text) {
  if (!has_non_ascii(text)) {  // fast path: ASCII needs only lower-casing
    std::string out(text);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  }
  const Resources& r = resources();
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  icu::UnicodeString folded = r.nfkc_cf->normalize(u, status);
  if (U_FAILURE(status)) folded = u;
  std::unique_ptr<icu::RegexMatcher> m(r.pinyin->matcher(folded, status));
  icu::UnicodeString cleaned = U_SUCCESS(status) ? m->replaceAll(icu::UnicodeString(), status) : folded;
  if (U_FAILURE(status)) cleaned = folded;
  std::string utf8;
  cleaned.toUTF8String(utf8);
  return r.t2s->Convert(utf8);
}

}  // namespace jiebang::text
