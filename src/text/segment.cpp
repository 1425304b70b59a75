// Tokens of normalised text (ICU word breaks; Han runs cut into words by WordSegmenter) and the synonym table.
#include "jiebang/text/segment.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include "jiebang/text/normalize.h"
#include "jiebang/text/word_segmenter.h"

namespace jiebang::text {
namespace {

icu::BreakIterator* word_iterator() {
  thread_local std::unique_ptr<icu::BreakIterator> it = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> bi(icu::BreakIterator::createWordInstance(icu::Locale("zh"), status));
    if (U_FAILURE(status)) bi.reset();
    return bi;
  }();
  return it.get();
}

bool is_latin_word_char(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80; }

}  // namespace

std::vector<Token> tokenize(std::string_view normalized) {
  if (normalized.empty()) return {};
  return tokenize(normalized, *WordSegmenter::current());
}

std::vector<Token> tokenize(std::string_view normalized, const WordSegmenter& words) {
  std::vector<Token> out;
  icu::BreakIterator* bi = word_iterator();
  if (!bi || normalized.empty()) return out;
  if (normalized.size() > static_cast<size_t>(INT32_MAX)) return out;
  // The UTF-16 text for ICU and, for each of its units (and the end), the byte offset in
  // `normalized` where its character starts, made in one walk: an invalid UTF-8 sequence becomes
  // one U+FFFD (no word) that still maps to its own bytes, so every offset is one of the input's.
  icu::UnicodeString u;
  std::vector<uint32_t> byte_at;
  byte_at.reserve(normalized.size() + 1);
  for (int32_t i = 0, n = static_cast<int32_t>(normalized.size()); i < n;) {
    auto begin = static_cast<uint32_t>(i);
    UChar32 c = 0;
    U8_NEXT(normalized.data(), i, n, c);
    if (c < 0) c = 0xFFFD;
    u.append(c);
    for (int k = 0; k < U16_LENGTH(c); ++k) byte_at.push_back(begin);
  }
  byte_at.push_back(static_cast<uint32_t>(normalized.size()));
  bi->setText(u);
  // A run of ICU's Han tokens (contiguous) is cut again, whole, by the jieba segmenter.
  size_t run_begin = 0, run_end = 0;
  auto flush_run = [&] {
    if (run_end <= run_begin) return;
    std::string_view run = normalized.substr(run_begin, run_end - run_begin);
    for (std::string_view w : words.cut(run)) {
      Token t;
      t.begin = run_begin + static_cast<size_t>(w.data() - run.data());
      t.end = t.begin + w.size();
      t.text = std::string(w);
      t.kind = TokenKind::kHan;
      for (unsigned char c : w) t.chars += (c & 0xC0) != 0x80;
      out.push_back(std::move(t));
    }
    run_begin = run_end = 0;
  };
  int32_t start = bi->first();
  for (int32_t end = bi->next(); end != icu::BreakIterator::DONE; start = end, end = bi->next()) {
    int32_t status = bi->getRuleStatus();
    size_t b = byte_at[static_cast<size_t>(start)];
    size_t byte_pos = byte_at[static_cast<size_t>(end)];
    if (status >= UBRK_WORD_KANA) {
      if (run_end != b) {
        flush_run();
        run_begin = b;
      }
      run_end = byte_pos;
      continue;
    }
    flush_run();
    if (status < UBRK_WORD_NONE_LIMIT) continue;  // spaces, punctuation
    Token t;
    t.begin = b;
    t.end = byte_pos;
    t.text = std::string(normalized.substr(b, byte_pos - b));
    t.chars = static_cast<size_t>(u.countChar32(start, end - start));
    if (status >= UBRK_WORD_LETTER) t.kind = (t.text[0] >= '0' && t.text[0] <= '9') ? TokenKind::kNumber : TokenKind::kLatin;
    else t.kind = TokenKind::kNumber;
    out.push_back(std::move(t));
  }
  flush_run();
  return out;
}

Result<SynonymTable> SynonymTable::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::not_found(fmt::format("cannot open synonym list {}", path));
  SynonymTable table;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::vector<std::string> variants;
    size_t pos = 0;
    while (pos <= line.size()) {
      size_t bar = line.find('|', pos);
      if (bar == std::string::npos) bar = line.size();
      std::string v = line.substr(pos, bar - pos);
      v.erase(0, v.find_first_not_of(" \t\r"));
      v.erase(v.find_last_not_of(" \t\r") + 1);
      if (!v.empty()) variants.push_back(v);
      pos = bar + 1;
    }
    if (variants.empty()) continue;
    if (variants.size() < 2)
      return Status::invalid_argument(fmt::format("{}:{}: a synonym group needs two or more variants separated by '|'", path, line_no));
    table.add_group(variants);
  }
  return table;
}

void SynonymTable::add_group(const std::vector<std::string>& variants) {
  std::vector<std::string> g;
  for (const auto& v : variants) {
    std::string n = normalize(v);
    if (!n.empty() && std::find(g.begin(), g.end(), n) == g.end()) g.push_back(std::move(n));
  }
  if (g.size() >= 2) groups_.push_back(std::move(g));
}

std::vector<SynonymTable::Match> SynonymTable::find(std::string_view text) const {
  struct Candidate {
    size_t begin, end, group;
  };
  std::vector<Candidate> all;
  for (size_t g = 0; g < groups_.size(); ++g)
    for (const auto& v : groups_[g]) {
      bool latin_start = is_latin_word_char(static_cast<unsigned char>(v.front())) && static_cast<unsigned char>(v.front()) < 0x80;
      bool latin_end = static_cast<unsigned char>(v.back()) < 0x80 && is_latin_word_char(static_cast<unsigned char>(v.back()));
      for (size_t pos = text.find(v); pos != std::string_view::npos; pos = text.find(v, pos + 1)) {
        size_t end = pos + v.size();
        if (latin_start && pos > 0 && static_cast<unsigned char>(text[pos - 1]) < 0x80 &&
            is_latin_word_char(static_cast<unsigned char>(text[pos - 1])))
          continue;
        if (latin_end && end < text.size() && static_cast<unsigned char>(text[end]) < 0x80 &&
            is_latin_word_char(static_cast<unsigned char>(text[end])))
          continue;
        all.push_back({pos, end, g});
      }
    }
  // Longest first, then leftmost; keep those that do not overlap an earlier pick.
  std::sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) {
    size_t la = a.end - a.begin, lb = b.end - b.begin;
    return la != lb ? la > lb : a.begin < b.begin;
  });
  std::vector<Match> picked;
  for (const auto& c : all) {
    bool overlaps = std::any_of(picked.begin(), picked.end(),
                                [&](const Match& m) { return c.begin < m.end && m.begin < c.end; });
    if (!overlaps) picked.push_back({c.begin, c.end, c.group});
  }
  std::sort(picked.begin(), picked.end(), [](const Match& a, const Match& b) { return a.begin < b.begin; });
  return picked;
}

}  // namespace jiebang::text
