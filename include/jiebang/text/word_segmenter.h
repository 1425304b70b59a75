// Chinese word segmentation with jieba's published method over jieba's dictionary, read as data.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "jiebang/core/status.h"

namespace jiebang::text {

/// Where jieba's data is read from: `JIEBANG_JIEBA_DIR` when set, else Debian's python3-jieba
/// package directory `/usr/lib/python3/dist-packages/jieba` (files used: `dict.txt`,
/// `finalseg/prob_start.py`, `finalseg/prob_trans.py`, `finalseg/prob_emit.py`,
/// `analyse/idf.txt`). Only data is read; no Python code runs.
std::string jieba_data_dir();

/// Splits runs of (normalised, simplified) Han characters into words, as jieba 0.42 does in its
/// default ("accurate") mode with the HMM on (Sun Junyi, "jieba" Chinese word segmentation, 2012–2020;
/// the method, not the code):
///  1. a prefix dictionary of every word of `dict.txt` (word, frequency, tag per line) and every
///     prefix of a word (frequency 0);
///  2. a word graph (DAG) over the run: from each character, every dictionary word starting there;
///  3. the most probable path through it by dynamic programming from right to left, a word's log
///     probability being log(freq or 1) − log(total frequency);
///  4. runs of single characters on that path that are not dictionary words together are re-cut by
///     a 4-state (B, M, E, S) hidden Markov model with the Viterbi algorithm (jieba's trained start,
///     transition and emission log probabilities in `finalseg/prob_*.py`, parsed as data).
/// Domain words (the index definition's GB/T 4754 names, synonym variants and the operator's user
/// dictionary) are added with jieba's `suggest_freq` rule: frequency just above what the word's
/// own pieces together have, so it is kept whole; a user dictionary line may give its own frequency.
///
/// Immutable after load: every const member is safe to call from any number of threads at once.
/// Memory: about 70 MB (the dictionary text and a hash map of ~600k words and prefixes); load
/// time ~0.3 s in a release build (see bench/README.md).
class WordSegmenter {
 public:
  /// Loads jieba's data from `jieba_dir` and adds `domain_words` (word, frequency; 0 = jieba's
  /// suggest_freq rule), each normalised by the caller; words shorter than two characters are ignored. Errors: kNotFound naming the
  /// missing file (and the package that ships it), kInvalidArgument naming a file that cannot be read as
  /// jieba data.
  static Result<std::shared_ptr<const WordSegmenter>> load(const std::string& jieba_dir,
                                                           const std::vector<std::pair<std::string, uint64_t>>& domain_words = {});

  /// The process's segmenter for the index definition in `index_dir`: jieba's data from
  /// jieba_data_dir(), domain words from `index_dir` (gbt4754/industries.csv names,
  /// synonyms.txt variants, user_dict.txt lines "word [freq] [tag]"). Loaded on the first call for
  /// that directory, kept for the process and made the current one (current()). Thread-safe.
  /// Errors as load(), plus kInvalidArgument for a malformed user dictionary line.
  static Result<std::shared_ptr<const WordSegmenter>> for_index_dir(const std::string& index_dir);

  /// The segmenter the last successful for_index_dir() made current; on first use without one,
  /// for_index_dir(default_index_dir()). Throws std::runtime_error with the load error (naming the
  /// missing path) when jieba's data cannot be read. Thread-safe.
  static std::shared_ptr<const WordSegmenter> current();

  /// The words of `han_run` (Han characters only, UTF-8), in order; they concatenate to the run.
  /// Views into `han_run`.
  std::vector<std::string_view> cut(std::string_view han_run) const;

  /// Search mode (jieba's cut_for_search): every word of cut(), preceded, for a word of 3+
  /// characters, by its 2-character dictionary words and, for 4+, its 3-character ones
  /// ("巡检机器人" → 巡检, 机器, 机器人, 巡检机器人 when that is one word). Views into `han_run`.
  std::vector<std::string_view> cut_for_search(std::string_view han_run) const;

  /// True when `word` is a dictionary or domain word (frequency > 0).
  bool is_word(std::string_view word) const;
  /// The word's frequency (0 when not a word).
  uint64_t frequency(std::string_view word) const;
  /// Number of words (dictionary and domain), and of domain words among them.
  size_t word_count() const { return words_; }
  size_t domain_word_count() const { return domain_words_; }

 private:
  WordSegmenter() = default;
  void add_word(std::string_view word, uint64_t freq);
  /// jieba's suggest_freq(word, tune=True): the frequency that keeps `word` whole.
  uint64_t suggested_frequency(std::string_view word) const;
  std::vector<std::string_view> cut_dag(std::string_view run, bool hmm) const;
  void cut_hmm(std::string_view run, std::vector<std::string_view>& out) const;

  std::string dict_text_;                     // dict.txt as read; dictionary keys point into it
  std::deque<std::string> extra_;             // domain words' storage (stable addresses)
  // Words and their prefixes (prefix only: frequency 0) in one open-addressing hash table
  // (linear probing, power-of-two size, no allocation per entry: it loads in a fraction of a
  // second even in a sanitizer build).
  struct Slot {
    std::string_view key;
    uint64_t freq = 0;
  };
  std::vector<Slot> slots_;
  size_t used_ = 0;
  const Slot* find(std::string_view key) const;
  Slot& find_or_insert(std::string_view key, bool& fresh);
  double log_total_ = 0;
  uint64_t total_ = 0;
  size_t words_ = 0, domain_words_ = 0;
  // HMM (states B, M, E, S = 0..3), natural-log probabilities.
  double start_[4] = {};
  double trans_[4][4] = {};
  std::unordered_map<char32_t, double> emit_[4];
};

/// The domain words of an index definition directory (see WordSegmenter::for_index_dir), each
/// normalised (text::normalize) and split into its runs of two or more Han characters, with the
/// frequency a user dictionary line gave (0 = none given). Errors: kInvalidArgument for a
/// user_dict.txt line with a frequency that is not a positive number.
Result<std::vector<std::pair<std::string, uint64_t>>> domain_words(const std::string& index_dir);

}  // namespace jiebang::text
