// Search-box query construction: Han runs, Latin stems, phrases, synonyms, prefer-all ranking.
#include "query_builder.h"

#include <cstring>
#include <set>

#include "jiebang/text/normalize.h"

namespace jiebang::index_detail {
namespace {

using text::Token;
using text::TokenKind;

// Chinese function characters that carry no search meaning on their own.
const std::set<std::string, std::less<>> kHanStopChars = {"的", "了", "和", "与", "及", "或", "在", "是", "等", "之", "对", "为"};
constexpr double kAllPartsBoost = 100.0;

size_t utf8_len(unsigned char lead) { return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4; }

/// `part`, with its terms in the title field (kTitlePrefix) adding weight: a record whose title
/// carries the part ranks above one whose description mentions it (OP_AND_MAYBE: the title terms
/// never make a match on their own).
Xapian::Query with_title(Xapian::Query part, const std::vector<std::string>& terms) {
  if (part.empty() || terms.empty()) return part;
  std::vector<Xapian::Query> title;
  title.reserve(terms.size());
  for (const auto& t : terms) title.emplace_back(t[0] == 'Z' ? "Z" + std::string(kTitlePrefix) + t.substr(1) : kTitlePrefix + t);
  return Xapian::Query(Xapian::Query::OP_AND_MAYBE, part, Xapian::Query(Xapian::Query::OP_OR, title.begin(), title.end()));
}

/// The weighted (non-required) terms of a run of Han characters, given the words it was split
/// into: its character bigrams and its words of 3+ characters; the character itself for a run of one.
std::vector<std::string> han_run_terms(const std::vector<const Token*>& words) {
  std::string run;
  for (const Token* w : words) run += w->text;
  std::vector<std::string> chars = han_chars(run), out;
  if (chars.size() == 1) return chars;
  for (size_t i = 0; i + 1 < chars.size(); ++i) out.push_back(chars[i] + chars[i + 1]);
  for (const Token* w : words)
    if (w->chars >= 3) out.push_back(w->text);
  return out;
}

/// Query for one contiguous run of Han characters, given the words it was split into.
Xapian::Query han_run_query(const std::vector<const Token*>& words) {
  std::string run;
  for (const Token* w : words) run += w->text;
  std::vector<std::string> chars = han_chars(run);
  if (chars.empty()) return {};
  std::vector<std::string> weighted = han_run_terms(words);
  if (chars.size() == 1) return with_title(Xapian::Query(chars[0]), weighted);
  std::vector<Xapian::Query> required, boost;
  std::set<std::string> seen;
  for (const auto& c : chars)
    if (seen.insert(c).second) required.emplace_back(c);
  for (const auto& t : weighted) boost.emplace_back(t);
  return with_title(Xapian::Query(Xapian::Query::OP_AND_MAYBE,
                                  Xapian::Query(Xapian::Query::OP_AND, required.begin(), required.end()),
                                  Xapian::Query(Xapian::Query::OP_OR, boost.begin(), boost.end())),
                    weighted);
}

/// The term of a Latin word or number in a short query: a number or model ("2260", "h200") as
/// written, a word by its English stem ("Z" + stem); empty for a stopword.
std::string latin_term(const Token& t, const Analyzer& analyzer) {
  if (t.kind == TokenKind::kNumber || (t.text[0] >= '0' && t.text[0] <= '9')) return t.text;
  if (analyzer.stopper()->operator()(t.text)) return {};
  return "Z" + analyzer.stemmer()(t.text);
}

/// The parts (each a Query) of an unquoted stretch of normalised text without synonyms.
void plain_parts(const std::string& text, const Analyzer& analyzer, std::vector<Xapian::Query>& parts) {
  std::vector<Token> tokens = text::tokenize(text);
  std::vector<const Token*> run;
  auto flush_run = [&] {
    if (run.empty()) return;
    bool lone_stop = run.size() == 1 && run[0]->chars == 1 && kHanStopChars.count(run[0]->text);
    if (!lone_stop) {
      Xapian::Query q = han_run_query(run);
      if (!q.empty()) parts.push_back(q);
    }
    run.clear();
  };
  for (const Token& t : tokens) {
    if (t.kind == TokenKind::kHan) {
      if (!run.empty() && run.back()->end != t.begin) flush_run();
      run.push_back(&t);
      continue;
    }
    flush_run();
    if (std::string term = latin_term(t, analyzer); !term.empty()) parts.push_back(with_title(Xapian::Query(term), {term}));
  }
  flush_run();
}

/// Phrase query for a quoted stretch: the positional terms (Han unigrams, Latin words as
/// written) in order; its bigrams, words and stems in the title field add weight.
Xapian::Query phrase_query(const std::string& text, const Analyzer& analyzer) {
  std::vector<Xapian::Query> terms;
  std::vector<std::string> title;
  std::vector<Token> tokens = text::tokenize(text);
  std::vector<const Token*> run;
  auto flush_run = [&] {
    if (run.empty()) return;
    for (auto& t : han_run_terms(run)) title.push_back(std::move(t));
    run.clear();
  };
  for (const Token& t : tokens) {
    if (t.kind == TokenKind::kHan) {
      for (auto& c : han_chars(t.text)) terms.emplace_back(c);
      run.push_back(&t);
    } else {
      flush_run();
      terms.emplace_back(t.text);
      if (std::string term = latin_term(t, analyzer); !term.empty()) title.push_back(std::move(term));
    }
  }
  flush_run();
  if (terms.empty()) return {};
  if (terms.size() == 1) return with_title(terms[0], title);
  return with_title(Xapian::Query(Xapian::Query::OP_PHRASE, terms.begin(), terms.end(),
                                  static_cast<Xapian::termcount>(terms.size())),
                    title);
}

Xapian::Query all_of(const std::vector<Xapian::Query>& parts) {
  if (parts.size() == 1) return parts[0];
  return Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end());
}

/// Parts of an unquoted stretch, with synonym groups expanded.
void unquoted_parts(const std::string& text, const Analyzer& analyzer, const text::SynonymTable* synonyms,
                    std::vector<Xapian::Query>& parts) {
  if (!synonyms || synonyms->size() == 0) {
    plain_parts(text, analyzer, parts);
    return;
  }
  size_t pos = 0;
  for (const auto& m : synonyms->find(text)) {
    plain_parts(text.substr(pos, m.begin - pos), analyzer, parts);
    std::vector<Xapian::Query> variants;
    for (const auto& v : synonyms->variants(m.group)) {
      std::vector<Xapian::Query> vp;
      plain_parts(v, analyzer, vp);
      if (!vp.empty()) variants.push_back(all_of(vp));
    }
    if (!variants.empty()) parts.emplace_back(Xapian::Query::OP_OR, variants.begin(), variants.end());
    pos = m.end;
  }
  plain_parts(text.substr(pos), analyzer, parts);
}

}  // namespace

std::vector<std::string> han_chars(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    size_t n = std::min(utf8_len(static_cast<unsigned char>(s[i])), s.size() - i);
    if (n >= 3) out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

Xapian::Query build_search_query(const std::string& raw, const Analyzer& analyzer, const text::SynonymTable* synonyms) {
  std::string norm = text::normalize(raw);
  // Curly and corner quotes survive NFKC: treat them as '"'.
  for (const char* q : {"“", "”", "「", "」", "『", "』"})
    for (size_t p = norm.find(q); p != std::string::npos; p = norm.find(q, p)) norm.replace(p, std::strlen(q), 1, '"');
  std::vector<Xapian::Query> parts;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i <= norm.size(); ++i) {
    if (i < norm.size() && norm[i] != '"') continue;
    std::string stretch = norm.substr(start, i - start);
    if (quoted) {
      Xapian::Query p = phrase_query(stretch, analyzer);
      if (!p.empty()) parts.push_back(p);
    } else {
      unquoted_parts(stretch, analyzer, synonyms, parts);
    }
    quoted = !quoted;
    start = i + 1;
  }
  if (parts.empty()) return {};
  if (parts.size() == 1) return parts[0];
  return Xapian::Query(Xapian::Query::OP_OR,
                       Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, all_of(parts), kAllPartsBoost),
                       Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end()));
}

}  // namespace jiebang::index_detail
