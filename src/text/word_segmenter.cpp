// jieba's segmentation method (prefix dictionary, DAG, max-probability path, BMES HMM) in C++.
#include "jiebang/text/word_segmenter.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <sstream>

#include <fmt/format.h>

#include "jiebang/core/taxonomy.h"
#include "jiebang/text/normalize.h"

namespace jiebang::text {
namespace {

constexpr double kMinFloat = -3.14e100;  // jieba's MIN_FLOAT: "impossible" in its HMM tables
constexpr int kB = 0, kM = 1, kE = 2, kS = 3;

size_t utf8_len(unsigned char lead) { return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4; }

char32_t decode_at(std::string_view s, size_t i, size_t n) {
  auto c0 = static_cast<unsigned char>(s[i]);
  if (n == 1) return c0;
  char32_t cp = n == 2 ? (c0 & 0x1Fu) : n == 3 ? (c0 & 0x0Fu) : (c0 & 0x07u);
  for (size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
  return cp;
}

/// Byte offsets of each character of `s`, and s.size() at the end.
std::vector<size_t> char_offsets(std::string_view s) {
  std::vector<size_t> out;
  out.reserve(s.size() / 3 + 1);
  for (size_t i = 0; i < s.size(); i += std::min(utf8_len(static_cast<unsigned char>(s[i])), s.size() - i))
    out.push_back(i);
  out.push_back(s.size());
  return out;
}

bool is_han(char32_t c) {
  return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x3134F) || c == 0x3007;
}

Result<std::string> read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::not_found(fmt::format("cannot open {} {} (install Debian's python3-jieba, or set JIEBANG_JIEBA_DIR "
                                         "to a directory holding jieba's data)",
                                         what, path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A Python literal of nested dicts, strings and numbers (the shape of jieba's finalseg/prob_*.py):
/// a number, or a dict from string keys to values.
struct PyValue {
  double number = 0;
  std::map<std::u32string, PyValue> dict;
  bool is_dict = false;
};

class PyLiteralParser {
 public:
  explicit PyLiteralParser(std::string_view s) : s_(s) {}

  /// The value after the first '=' (jieba's files read "P={...}").
  bool parse_assignment(PyValue& out) {
    size_t eq = s_.find("P=");
    if (eq == std::string_view::npos) eq = s_.find('=');
    if (eq == std::string_view::npos) return false;
    pos_ = s_.find('=', eq) + 1;
    return value(out);
  }

 private:
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) ++pos_;
  }
  bool value(PyValue& out) {
    skip_space();
    if (pos_ >= s_.size()) return false;
    if (s_[pos_] == '{') return dict(out);
    return number(out.number);
  }
  bool dict(PyValue& out) {
    out.is_dict = true;
    ++pos_;  // '{'
    for (;;) {
      skip_space();
      if (pos_ >= s_.size()) return false;
      if (s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      std::u32string key;
      if (!string(key)) return false;
      skip_space();
      if (pos_ >= s_.size() || s_[pos_] != ':') return false;
      ++pos_;
      if (!value(out.dict[key])) return false;
      skip_space();
      if (pos_ < s_.size() && s_[pos_] == ',') ++pos_;
    }
  }
  bool string(std::u32string& out) {
    if (pos_ < s_.size() && s_[pos_] == 'u') ++pos_;  // u'…'
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) return false;
    char quote = s_[pos_++];
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) {
        char e = s_[pos_ + 1];
        int digits = e == 'u' ? 4 : e == 'U' ? 8 : e == 'x' ? 2 : 0;
        if (digits > 0) {
          if (pos_ + 2 + digits > s_.size()) return false;
          out += static_cast<char32_t>(std::stoul(std::string(s_.substr(pos_ + 2, digits)), nullptr, 16));
          pos_ += 2 + digits;
        } else {
          out += static_cast<char32_t>(static_cast<unsigned char>(e));
          pos_ += 2;
        }
        continue;
      }
      size_t n = std::min(utf8_len(static_cast<unsigned char>(s_[pos_])), s_.size() - pos_);
      out += decode_at(s_, pos_, n);
      pos_ += n;
    }
    if (pos_ >= s_.size()) return false;
    ++pos_;  // closing quote
    return true;
  }
  bool number(double& out) {
    size_t start = pos_;
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '-' ||
                                s_[pos_] == '+' || s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E'))
      ++pos_;
    if (pos_ == start) return false;
    char* end = nullptr;
    std::string text(s_.substr(start, pos_ - start));
    out = std::strtod(text.c_str(), &end);
    return end && *end == '\0';
  }

  std::string_view s_;
  size_t pos_ = 0;
};

Result<PyValue> read_py_table(const std::string& path) {
  auto text = read_file(path, "jieba's HMM table");
  if (!text) return text.status();
  PyValue v;
  if (!PyLiteralParser(*text).parse_assignment(v) || !v.is_dict)
    return Status::invalid_argument(fmt::format("{}: not a jieba HMM table (expected P={{...}})", path));
  return v;
}

int state_index(const std::u32string& key) {
  if (key.size() != 1) return -1;
  switch (key[0]) {
    case U'B': return kB;
    case U'M': return kM;
    case U'E': return kE;
    case U'S': return kS;
    default: return -1;
  }
}

/// Han runs (two characters or more) of a normalised phrase.
void han_runs(std::string_view norm, uint64_t freq, std::vector<std::pair<std::string, uint64_t>>& out) {
  std::string run;
  size_t chars = 0;
  auto flush = [&] {
    if (chars >= 2) out.emplace_back(run, freq);
    run.clear();
    chars = 0;
  };
  for (size_t i = 0; i < norm.size();) {
    size_t n = std::min(utf8_len(static_cast<unsigned char>(norm[i])), norm.size() - i);
    if (is_han(decode_at(norm, i, n))) {
      run.append(norm.substr(i, n));
      ++chars;
    } else {
      flush();
    }
    i += n;
  }
  flush();
}

/// The fields of one CSV line (double quotes around a field, "" inside one).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') out.back() += '"', ++i;
      else if (c == '"') quoted = false;
      else out.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

}  // namespace

std::string jieba_data_dir() {
  if (const char* env = std::getenv("JIEBANG_JIEBA_DIR"); env && *env) return env;
  return "/usr/lib/python3/dist-packages/jieba";
}

Result<std::shared_ptr<const WordSegmenter>> WordSegmenter::load(
    const std::string& jieba_dir, const std::vector<std::pair<std::string, uint64_t>>& domain_words) {
  std::shared_ptr<WordSegmenter> seg(new WordSegmenter());
  const std::string dict_path = jieba_dir + "/dict.txt";
  auto text = read_file(dict_path, "jieba's dictionary");
  if (!text) return text.status();
  seg->dict_text_ = std::move(*text);
  seg->slots_.resize(size_t{1} << 21);  // 2M slots for ~700k keys (words and prefixes)
  std::string_view all(seg->dict_text_);
  size_t line_no = 0;
  for (size_t pos = 0; pos < all.size();) {
    size_t nl = all.find('\n', pos);
    if (nl == std::string_view::npos) nl = all.size();
    std::string_view line = all.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos || sp == 0)
      return Status::invalid_argument(fmt::format("{}:{}: expected \"word frequency [tag]\"", dict_path, line_no));
    std::string_view word = line.substr(0, sp);
    size_t sp2 = line.find(' ', sp + 1);
    std::string_view f = line.substr(sp + 1, sp2 == std::string_view::npos ? std::string_view::npos : sp2 - sp - 1);
    uint64_t freq = 0;
    for (char c : f) {
      if (c < '0' || c > '9')
        return Status::invalid_argument(fmt::format("{}:{}: the frequency is not a number", dict_path, line_no));
      freq = freq * 10 + static_cast<uint64_t>(c - '0');
    }
    seg->add_word(word, freq);
  }
  if (seg->total_ == 0) return Status::invalid_argument(fmt::format("{}: no words", dict_path));

  // The HMM for words not in the dictionary.
  auto start = read_py_table(jieba_dir + "/finalseg/prob_start.py");
  if (!start) return start.status();
  auto trans = read_py_table(jieba_dir + "/finalseg/prob_trans.py");
  if (!trans) return trans.status();
  auto emit = read_py_table(jieba_dir + "/finalseg/prob_emit.py");
  if (!emit) return emit.status();
  for (int i = 0; i < 4; ++i) {
    seg->start_[i] = kMinFloat;
    for (int j = 0; j < 4; ++j) seg->trans_[i][j] = -std::numeric_limits<double>::infinity();
  }
  for (const auto& [k, v] : start->dict)
    if (int s = state_index(k); s >= 0) seg->start_[s] = v.number;
  for (const auto& [k, v] : trans->dict)
    if (int s = state_index(k); s >= 0)
      for (const auto& [k2, v2] : v.dict)
        if (int t = state_index(k2); t >= 0) seg->trans_[s][t] = v2.number;
  size_t emits = 0;
  for (const auto& [k, v] : emit->dict)
    if (int s = state_index(k); s >= 0)
      for (const auto& [ch, p] : v.dict)
        if (ch.size() == 1) seg->emit_[s][ch[0]] = p.number, ++emits;
  if (emits == 0)
    return Status::invalid_argument(fmt::format("{}/finalseg/prob_emit.py: no emission probabilities", jieba_dir));

  // Domain words: frequency as given, else jieba's suggest_freq against the dictionary so far.
  for (const auto& [word, given] : domain_words) {
    if (word.size() < 4) continue;  // one character (3 bytes) or less
    uint64_t freq = given > 0 ? given : std::max(seg->suggested_frequency(word), seg->frequency(word));
    seg->extra_.push_back(word);
    if (seg->frequency(word) == 0) ++seg->domain_words_;
    seg->add_word(seg->extra_.back(), freq);
  }
  return std::shared_ptr<const WordSegmenter>(std::move(seg));
}

namespace {
uint64_t hash_key(std::string_view k) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (unsigned char c : k) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h ^ (h >> 29);
}
}  // namespace

const WordSegmenter::Slot* WordSegmenter::find(std::string_view key) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash_key(key) & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.key.data() == nullptr) return nullptr;
    if (s.key == key) return &s;
  }
}

WordSegmenter::Slot& WordSegmenter::find_or_insert(std::string_view key, bool& fresh) {
  if ((used_ + 1) * 2 > slots_.size()) {  // keep the load under one half
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    used_ = 0;
    for (const Slot& s : old)
      if (s.key.data() != nullptr) {
        bool f = false;
        find_or_insert(s.key, f).freq = s.freq;
      }
  }
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash_key(key) & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.key.data() == nullptr) {
      s.key = key;
      ++used_;
      fresh = true;
      return s;
    }
    if (s.key == key) {
      fresh = false;
      return s;
    }
  }
}

void WordSegmenter::add_word(std::string_view word, uint64_t freq) {
  bool fresh = false;
  Slot& slot = find_or_insert(word, fresh);
  if (!fresh) {
    if (slot.freq == 0 && freq > 0) ++words_;
    total_ -= slot.freq;
    slot.freq = freq;
  } else {
    slot.freq = freq;
    if (freq > 0) ++words_;
  }
  total_ += freq;
  log_total_ = std::log(static_cast<double>(std::max<uint64_t>(total_, 1)));
  // Every proper prefix is a key too (frequency 0 unless it is a word itself): the DAG stops
  // extending a fragment as soon as no word starts with it.
  for (size_t i = utf8_len(static_cast<unsigned char>(word[0])); i < word.size();
       i += utf8_len(static_cast<unsigned char>(word[i]))) {
    bool f = false;
    find_or_insert(word.substr(0, i), f);
  }
}

uint64_t WordSegmenter::frequency(std::string_view word) const {
  const Slot* s = find(word);
  return s ? s->freq : 0;
}

bool WordSegmenter::is_word(std::string_view word) const { return frequency(word) > 0; }

uint64_t WordSegmenter::suggested_frequency(std::string_view word) const {
  // jieba's suggest_freq(word, tune=True): total × Π freq(piece)/total over the word's current
  // cut without the HMM, plus one.
  double p = 1;
  const double total = static_cast<double>(total_);
  for (auto piece : cut_dag(word, false)) p *= static_cast<double>(std::max<uint64_t>(frequency(piece), 1)) / total;
  return static_cast<uint64_t>(p * total) + 1;
}

std::vector<std::string_view> WordSegmenter::cut(std::string_view run) const { return cut_dag(run, true); }

std::vector<std::string_view> WordSegmenter::cut_dag(std::string_view run, bool hmm) const {
  std::vector<std::string_view> out;
  if (run.empty()) return out;
  const std::vector<size_t> at = char_offsets(run);
  const size_t n = at.size() - 1;
  // route[i]: best log probability of run[i..n) and the end (in characters) of its first word.
  std::vector<double> best(n + 1, 0.0);
  std::vector<size_t> next(n + 1, n);
  for (size_t i = n; i-- > 0;) {
    // DAG: every j > i such that run[i..j) is a word; the single character always counts.
    double best_p = -std::numeric_limits<double>::infinity();
    size_t best_end = i + 1;
    for (size_t j = i + 1; j <= n; ++j) {
      const Slot* slot = find(run.substr(at[i], at[j] - at[i]));
      if (!slot) break;  // no word starts with this fragment
      if (slot->freq == 0) continue;  // a prefix only
      double p = std::log(static_cast<double>(slot->freq)) - log_total_ + best[j];
      if (p >= best_p) {  // jieba's max over (p, end) tuples: a tie goes to the longer word
        best_p = p;
        best_end = j;
      }
    }
    if (best_p == -std::numeric_limits<double>::infinity())  // no word starts here: the character alone
      best_p = -log_total_ + best[i + 1];
    best[i] = best_p;
    next[i] = best_end;
  }
  // Walk the path; consecutive single characters are collected and, when they do not form a
  // dictionary word together, re-cut by the HMM.
  size_t buf_begin = 0, buf_chars = 0;
  auto flush = [&] {
    if (buf_chars == 0) return;
    size_t b = at[buf_begin], e = at[buf_begin + buf_chars];
    std::string_view buf = run.substr(b, e - b);
    if (buf_chars == 1 || !hmm) {
      for (size_t k = 0; k < buf_chars; ++k) out.push_back(run.substr(at[buf_begin + k], at[buf_begin + k + 1] - at[buf_begin + k]));
    } else if (!is_word(buf)) {
      cut_hmm(buf, out);
    } else {
      for (size_t k = 0; k < buf_chars; ++k) out.push_back(run.substr(at[buf_begin + k], at[buf_begin + k + 1] - at[buf_begin + k]));
    }
    buf_chars = 0;
  };
  for (size_t i = 0; i < n;) {
    size_t j = next[i];
    if (j == i + 1) {
      if (buf_chars == 0) buf_begin = i;
      ++buf_chars;
    } else {
      flush();
      out.push_back(run.substr(at[i], at[j] - at[i]));
    }
    i = j;
  }
  flush();
  return out;
}

void WordSegmenter::cut_hmm(std::string_view run, std::vector<std::string_view>& out) const {
  const std::vector<size_t> at = char_offsets(run);
  const size_t n = at.size() - 1;
  if (n == 0) return;
  // Which states may precede each state (jieba's PrevStatus).
  static constexpr int kPrev[4][2] = {{kE, kS}, {kM, kB}, {kB, kM}, {kS, kE}};
  // jieba takes the max of (probability, state letter) tuples: a tie goes to the later letter.
  static constexpr int kLetterRank[4] = {0, 2, 1, 3};  // B < E < M < S
  std::vector<std::array<double, 4>> v(n);
  std::vector<std::array<int, 4>> from(n);
  auto emit = [&](int s, size_t t) {
    auto it = emit_[s].find(decode_at(run, at[t], at[t + 1] - at[t]));
    return it == emit_[s].end() ? kMinFloat : it->second;
  };
  for (int s = 0; s < 4; ++s) {
    v[0][s] = start_[s] + emit(s, 0);
    from[0][s] = s;
  }
  for (size_t t = 1; t < n; ++t)
    for (int s = 0; s < 4; ++s) {
      double e = emit(s, t);
      double best = -std::numeric_limits<double>::infinity();
      int arg = kPrev[s][0];
      for (int p : kPrev[s]) {
        double cand = v[t - 1][p] + trans_[p][s] + e;
        if (cand > best || (cand == best && kLetterRank[p] > kLetterRank[arg])) best = cand, arg = p;
      }
      v[t][s] = best;
      from[t][s] = arg;
    }
  // The last character ends a word (E) or is one (S).
  int state = v[n - 1][kE] > v[n - 1][kS] ? kE : kS;
  std::vector<int> path(n);
  for (size_t t = n; t-- > 0;) {
    path[t] = state;
    state = from[t][state];
  }
  size_t begin = 0, next_start = 0;
  for (size_t t = 0; t < n; ++t) {
    if (path[t] == kB) begin = t;
    else if (path[t] == kE) {
      out.push_back(run.substr(at[begin], at[t + 1] - at[begin]));
      next_start = t + 1;
    } else if (path[t] == kS) {
      out.push_back(run.substr(at[t], at[t + 1] - at[t]));
      next_start = t + 1;
    }
  }
  if (next_start < n) out.push_back(run.substr(at[next_start]));
}

std::vector<std::string_view> WordSegmenter::cut_for_search(std::string_view run) const {
  std::vector<std::string_view> out;
  for (std::string_view w : cut(run)) {
    std::vector<size_t> at = char_offsets(w);
    size_t chars = at.size() - 1;
    for (size_t len : {size_t{2}, size_t{3}}) {
      if (chars <= len) continue;
      for (size_t i = 0; i + len <= chars; ++i) {
        std::string_view g = w.substr(at[i], at[i + len] - at[i]);
        if (is_word(g)) out.push_back(g);
      }
    }
    out.push_back(w);
  }
  return out;
}

Result<std::vector<std::pair<std::string, uint64_t>>> domain_words(const std::string& index_dir) {
  std::vector<std::pair<std::string, uint64_t>> out;
  // GB/T 4754 names (4th column of industries.csv).
  if (std::ifstream in(index_dir + "/gbt4754/industries.csv"); in) {
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      auto f = csv_fields(line);
      if (f.size() >= 4) han_runs(normalize(f[3]), 0, out);
    }
  }
  // Synonym variants.
  if (std::ifstream in(index_dir + "/synonyms.txt"); in) {
    std::string line;
    while (std::getline(in, line)) {
      if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
      size_t pos = 0;
      while (pos <= line.size()) {
        size_t bar = line.find('|', pos);
        if (bar == std::string::npos) bar = line.size();
        han_runs(normalize(line.substr(pos, bar - pos)), 0, out);
        pos = bar + 1;
      }
    }
  }
  // The operator's user dictionary: jieba's format, "word [frequency] [tag]".
  const std::string user = index_dir + "/user_dict.txt";
  if (std::ifstream in(user); in) {
    std::string line;
    size_t line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
      std::istringstream fields(line);
      std::string word, freq;
      if (!(fields >> word)) continue;
      uint64_t f = 0;
      if (fields >> freq) {
        bool digits = !freq.empty() && std::all_of(freq.begin(), freq.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (digits) f = std::stoull(freq);
        else if (!freq.empty() && !std::isalpha(static_cast<unsigned char>(freq[0])))
          return Status::invalid_argument(
              fmt::format("{}:{}: \"{}\" is not a frequency (a line is: word [frequency] [tag])", user, line_no, freq));
        if (digits && f == 0)
          return Status::invalid_argument(fmt::format("{}:{}: the frequency must be positive", user, line_no));
      }
      han_runs(normalize(word), f, out);
    }
  }
  return out;
}

namespace {
std::mutex g_mutex;
std::map<std::string, std::shared_ptr<const WordSegmenter>>& loaded() {
  static std::map<std::string, std::shared_ptr<const WordSegmenter>> m;
  return m;
}
std::shared_ptr<const WordSegmenter> g_current;
}  // namespace

Result<std::shared_ptr<const WordSegmenter>> WordSegmenter::for_index_dir(const std::string& index_dir) {
  std::lock_guard lock(g_mutex);
  const std::string key = jieba_data_dir() + '\n' + index_dir;
  if (auto it = loaded().find(key); it != loaded().end()) {
    g_current = it->second;
    return it->second;
  }
  auto words = domain_words(index_dir);
  if (!words) return words.status();
  auto seg = load(jieba_data_dir(), *words);
  if (!seg) return seg.status();
  loaded()[key] = *seg;
  g_current = *seg;
  return seg;
}

std::shared_ptr<const WordSegmenter> WordSegmenter::current() {
  {
    std::lock_guard lock(g_mutex);
    if (g_current) return g_current;
  }
  auto seg = for_index_dir(default_index_dir());
  if (!seg) throw std::runtime_error(seg.status().message());
  return *seg;
}

}  // namespace jiebang::text
