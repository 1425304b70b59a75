// Tokens of normalised text (Latin words by ICU, Chinese words by WordSegmenter) and synonym groups.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "jiebang/core/status.h"

namespace jiebang::text {

/// What a token is.
enum class TokenKind {
  kHan,     ///< Han (or kana) characters: one word of the jieba segmentation (WordSegmenter::cut)
  kLatin,   ///< letters, possibly with digits ("platform", "5g")
  kNumber,  ///< starts with a digit or is a number ("2260", "h200" when ICU calls it numeric)
};

/// A word of the text, with its byte offsets in the input.
struct Token {
  std::string text;
  TokenKind kind = TokenKind::kLatin;
  size_t begin = 0;  ///< unit: bytes
  size_t end = 0;    ///< unit: bytes, exclusive
  size_t chars = 0;  ///< unit: code points
};

class WordSegmenter;

/// Splits already-normalised text (see normalize()) into words: ICU's word-break iterator finds
/// Latin words, numbers and the runs of Han characters; each Han run is cut into words by `words`
/// (jieba's method, WordSegmenter::cut). Spaces and punctuation are dropped. Any bytes are
/// accepted: an invalid UTF-8 sequence reads as one U+FFFD, which is no word, and the offsets
/// stay those of the input. Thread-safe (one ICU
/// iterator per thread; the segmenter is read-only).
std::vector<Token> tokenize(std::string_view normalized, const WordSegmenter& words);
/// tokenize() with the process's current segmenter (WordSegmenter::current(); throws
/// std::runtime_error when jieba's data cannot be loaded).
std::vector<Token> tokenize(std::string_view normalized);

/// Groups of equivalent expressions ("巡检机器人 | inspection robot"), applied at query time.
/// File format (index/synonyms.txt): one group per line, variants separated by '|', '#' starts a
/// comment. Variants are normalised on load.
class SynonymTable {
 public:
  SynonymTable() = default;
  /// Loads a synonym file. Errors: kNotFound (no file), kInvalidArgument (a line with fewer than
  /// two variants, naming the line).
  static Result<SynonymTable> load(const std::string& path);
  /// Adds one group (variants normalised here).
  void add_group(const std::vector<std::string>& variants);

  /// A place in a normalised text where a variant of a group occurs.
  struct Match {
    size_t begin = 0, end = 0;  ///< byte offsets in the text
    size_t group = 0;
  };
  /// Non-overlapping occurrences in `normalized`, longest variant first, left to right. Latin
  /// variants only match at word boundaries ("ai" does not match inside "rail").
  std::vector<Match> find(std::string_view normalized) const;
  const std::vector<std::string>& variants(size_t group) const { return groups_[group]; }
  size_t size() const { return groups_.size(); }

 private:
  std::vector<std::vector<std::string>> groups_;
};

}  // namespace jiebang::text
