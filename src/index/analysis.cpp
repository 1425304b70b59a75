// Documents from records, and long-text query terms, with one shared analysis.
#include "analysis.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "jiebang/index/fit_rules.h"
#include "summary_codec.h"
#include "jiebang/text/normalize.h"
#include "jiebang/text/segment.h"

namespace jiebang::index_detail {
namespace {

using nlohmann::json;

// English function words: dropped from long-text queries (they carry no evidence of capability)
// and not indexed in stemmed form. Short list in the spirit of Xapian's omega defaults.
constexpr const char* kStopwords[] = {
    "a", "about", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "for", "from", "has",
    "have", "in", "into", "is", "it", "its", "of", "on", "or", "our", "such", "that", "the", "their",
    "these", "this", "to", "was", "we", "were", "which", "will", "with", "within", "would"};

constexpr size_t kMaxTermBytes = 200;
// Xapian's TermGenerator skips words longer than this (its max_word_length default); so do the
// bigram terms, whose two words would otherwise make a term over Xapian's 245-byte limit.
constexpr size_t kMaxWordBytes = 64;

bool has_non_ascii(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

void add_boolean(Xapian::Document& doc, const char* prefix, const std::string& value) {
  if (!value.empty()) doc.add_boolean_term(boolean_term(prefix, value));
}

/// Region terms (area, city, province; the code itself for ranking) and the summary's value: the
/// code when the region resolves, else the region as given.
std::string index_region(Xapian::Document& doc, const std::string& region, const RegionTable& regions) {
  std::string code = region_code(region, regions);
  for (const auto& c : RegionTable::ancestors(code)) add_boolean(doc, kRegionPrefix, c);
  add_boolean(doc, kRegionExactPrefix, code);
  if (!code.empty()) add_boolean(doc, kRegionCityPrefix, code.substr(0, 4));
  if (!code.empty()) return code;
  return region;
}

std::vector<std::string> index_industries(Xapian::Document& doc, const std::vector<std::string>& given,
                                          const IndustryTable& industries) {
  std::vector<std::string> out;
  for (const auto& g : given) {
    std::string value = g;
    if (auto code = industries.canonical(g)) {
      value = *code;
      for (const auto& a : IndustryTable::ancestors(value)) add_boolean(doc, kIndustryPrefix, a);
    } else {
      add_boolean(doc, kTagPrefix, g);  // a tag: close only to the same tag
    }
    add_boolean(doc, kIndustryExactPrefix, value);
    out.push_back(value);
  }
  return out;
}

void set_number(Xapian::Document& doc, Xapian::valueno slot, double v) {
  doc.add_value(slot, Xapian::sortable_serialise(v));
}

}  // namespace

Analyzer::Analyzer() : stemmer_("english"), words_(text::WordSegmenter::current()) {
  for (const char* w : kStopwords) stopper_.add(w);
}

Xapian::TermGenerator Analyzer::term_generator() const {
  Xapian::TermGenerator tg;
  tg.set_stemmer(stemmer_);
  tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
  tg.set_stopper(&stopper_);
  tg.set_stopper_strategy(Xapian::TermGenerator::STOP_STEMMED);
  tg.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
  return tg;
}

std::vector<std::string> Analyzer::latin_bigrams(const std::string& norm) const {
  // Words of ASCII letters and digits, stopwords dropped, stemmed; a pair of neighbours is a term.
  std::vector<std::string> out;
  std::string prev, word;
  auto flush = [&](bool breaks) {
    if (word.size() > kMaxWordBytes) {  // as TermGenerator: not a word (and its pair would be too long a term)
      word.clear();
      breaks = true;
    }
    if (!word.empty()) {
      if (!stopper_(word)) {
        std::string stem = stemmer_(word);
        if (!prev.empty()) out.push_back(std::string(kBigramPrefix) + prev + " " + stem);
        prev = std::move(stem);
      }
      word.clear();
    }
    if (breaks) prev.clear();
  };
  for (char c : norm) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) {
      word += c;
    } else {
      // Sentence and clause punctuation (and any non-ASCII text) end a run of neighbours.
      bool breaks = c == '.' || c == ',' || c == ';' || c == ':' || c == '(' || c == ')' || c == '!' || c == '?' ||
                    static_cast<unsigned char>(c) >= 0x80;
      flush(breaks);
    }
  }
  flush(true);
  return out;
}

void Analyzer::index_field(Xapian::TermGenerator& tg, const std::string& text, Xapian::termcount weight,
                           bool title, Terms terms) const {
  if (text.empty()) return;
  std::string norm = text::normalize(text);
  // The word terms, and with a title their title-field twins (not for the English pairs).
  auto add_words = [&](Xapian::Document& to) {
    for (const auto& w : word_terms(norm)) {
      to.add_term(w, weight);
      if (title && w[0] != kBigramPrefix[0]) to.add_term(kTitlePrefix + w, 1);
    }
  };
  Xapian::Document doc = tg.get_document();
  if (terms == Terms::kSearch) {
    tg.index_text(norm, weight);
    if (title) tg.index_text_without_positions(norm, 1, kTitlePrefix);
    tg.increase_termpos(100);
    add_words(doc);
    return;
  }
  // The kSearch terms on a scratch document, then those a ranking query can use; the frequency
  // of the rest goes to the length term, so BM25 normalises by the same length as with kSearch.
  Xapian::TermGenerator scratch_tg = term_generator();
  Xapian::Document scratch;
  scratch_tg.set_document(scratch);
  scratch_tg.index_text_without_positions(norm, weight);
  if (title) scratch_tg.index_text_without_positions(norm, 1, kTitlePrefix);
  add_words(scratch);
  Xapian::termcount dropped = 0;
  for (auto t = scratch.termlist_begin(); t != scratch.termlist_end(); ++t) {
    if (is_ranking_term(*t)) doc.add_term(*t, t.get_wdf());
    else dropped += t.get_wdf();
  }
  if (dropped > 0) doc.add_term(kLengthTerm, dropped);
}

bool Analyzer::is_ranking_term(std::string_view term) {
  if (term.empty()) return false;
  unsigned char c = static_cast<unsigned char>(term[0]);
  bool stemmed = c == 'Z';
  if (c >= 'a' && c <= 'z') return false;  // an unstemmed Latin word: its stemmed "Z" twin is used instead
  if (c >= 'A' && c <= 'Y' && c != kBigramPrefix[0]) return false;  // boolean and field-prefixed terms
  if (stemmed && term.size() < 3) return false;  // single letters
  if (term.size() == 1 && c >= '0' && c <= '9') return false;  // single digits carry no evidence
  // TermGenerator also "stems" CJK n-grams; the unprefixed n-gram is the one to use.
  if (stemmed && static_cast<unsigned char>(term[1]) >= 0x80) return false;
  if (c >= 0xE3) {  // Chinese: words and bigrams
    size_t chars = 0;
    for (unsigned char b : term) chars += (b & 0xC0) != 0x80;
    // Words, and the character bigrams beside them for recall (measured on the fixtures:
    // Recall@10 0.838 with words alone, 0.843 with the bigrams); lone characters add nothing.
    if (chars < 2) return false;
  }
  return true;
}

std::vector<std::string> Analyzer::word_terms(const std::string& norm) const {
  std::vector<std::string> out = latin_bigrams(norm);
  if (!has_non_ascii(norm)) return out;  // no Han words to add
  // Words of 3+ characters as terms of their own, and the 3-character dictionary words inside
  // longer ones (jieba's search mode); 2-character words are already the n-gram bigrams. An exact
  // word match then outweighs the same characters apart.
  for (const auto& t : text::tokenize(norm, *words_)) {
    if (t.kind != text::TokenKind::kHan || t.chars < 3 || t.text.size() > kMaxTermBytes) continue;
    if (t.chars > 3)
      for (std::string_view w : words_->cut_for_search(t.text))
        if (w.size() < t.text.size() && w.size() >= 9) out.emplace_back(w);  // 3+ characters inside
    out.push_back(t.text);
  }
  return out;
}

std::vector<std::pair<std::string, Xapian::termcount>> Analyzer::query_terms(
    const std::vector<std::pair<std::string, Xapian::termcount>>& normalized_texts) const {
  Xapian::TermGenerator tg = term_generator();
  Xapian::Document doc;
  tg.set_document(doc);
  for (const auto& [norm, weight] : normalized_texts) {
    if (norm.empty()) continue;
    tg.index_text_without_positions(norm, weight);
    for (const auto& w : word_terms(norm)) doc.add_term(w, weight);
  }
  std::vector<std::pair<std::string, Xapian::termcount>> out;
  for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t)
    if (is_ranking_term(*t)) out.emplace_back(*t, t.get_wdf());
  return out;
}

std::vector<std::string> Analyzer::spellings(
    const std::vector<std::string>& terms,
    const std::vector<std::pair<std::string, Xapian::termcount>>& normalized_texts) const {
  std::vector<std::string> out(terms.size());
  std::unordered_map<std::string, std::vector<size_t>> wanted;  // stem → indexes of its terms
  for (size_t i = 0; i < terms.size(); ++i)
    if (terms[i].size() > 1 && terms[i][0] == 'Z') wanted[terms[i].substr(1)].push_back(i);
  std::set<std::string> stemmed;  // words already looked at
  for (const auto& [norm, weight] : normalized_texts) {
    if (wanted.empty()) break;
    std::string word;
    auto look = [&] {
      if (!word.empty() && word.size() <= kMaxWordBytes && stemmed.insert(word).second) {
        auto it = wanted.find(stemmer_(word));
        if (it != wanted.end()) {
          for (size_t i : it->second) out[i] = word;
          wanted.erase(it);
        }
      }
      word.clear();
    };
    for (char c : norm) {
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) word += c;
      else look();
    }
    look();
  }
  return out;
}

std::vector<std::string> Analyzer::readable_matches(const std::vector<std::string>& raw,
                                                    const std::vector<std::string>& spelled) const {
  std::vector<std::string> terms, lone;
  std::set<std::string> seen;
  for (size_t i = 0; i < raw.size(); ++i) {
    const std::string& r = raw[i];
    if (r.empty() || (r[0] >= 'A' && r[0] <= 'Y')) continue;  // boolean and pair terms
    // A field-prefixed stem ("ZSrobot": the search box's title weight, query_builder.cpp): its
    // field-less twin matched too, and says the same.
    if (r.size() > 1 && r[0] == 'Z' && r[1] >= 'A' && r[1] <= 'Z') continue;
    std::string term = i < spelled.size() && !spelled[i].empty() ? spelled[i] : readable_term(r);
    if (!seen.insert(term).second) continue;
    if (static_cast<unsigned char>(term[0]) >= 0xE3) {
      size_t chars = 0;
      for (unsigned char b : term) chars += (b & 0xC0) != 0x80;
      if (!words_->is_word(term)) continue;  // a fragment (器人, 式智) or an unknown run
      if (chars < 2) {
        lone.push_back(std::move(term));
        continue;
      }
    }
    terms.push_back(std::move(term));
  }
  std::vector<std::string> out;
  for (const auto& t : terms) {
    bool inside = static_cast<unsigned char>(t[0]) >= 0xE3 &&
                  std::any_of(terms.begin(), terms.end(), [&](const std::string& o) {
                    return o.size() > t.size() && o.find(t) != std::string::npos;
                  });
    if (!inside) out.push_back(t);
  }
  if (out.empty()) return lone;
  return out;
}

namespace {
/// FNV-1a, 64 bits (Fowler, Noll, Vo), continued from `h`: a stable digest (the same in every
/// build and on every machine, unlike std::hash).
uint64_t fnv1a(std::string_view bytes, uint64_t h = 14695981039346656037ull) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}
}  // namespace

std::string bounded_term(std::string term) {
  if (term.size() <= kMaxTermBytes) return term;
  // A digest of the whole term, so two long names sharing their first bytes stay two terms.
  return text::truncate_utf8(term, kMaxTermBytes - 17) + fmt::format("~{:016x}", fnv1a(term));
}

std::string text_key(const Enterprise& e) {
  // Each part with its length in front, so moving text from one field to the next changes the key.
  uint64_t h = fnv1a("profile-text-v1");
  auto part = [&h](std::string_view text) {
    h = fnv1a(std::to_string(text.size()), h);
    h = fnv1a(":", h);
    h = fnv1a(text, h);
  };
  part(e.name);
  part(e.description);
  for (const auto& c : e.capabilities) part(c);
  part("cases");
  for (size_t i : distinct_cases(e)) {
    part(e.cases[i].title);
    part(e.cases[i].description);
  }
  return fmt::format("{:016x}", h);
}

std::string boolean_term(const char* prefix, const std::string& value) {
  return bounded_term(std::string(prefix) + text::normalize_name(value));
}

std::string ranking_term(const char* prefix, const std::string& key, const std::string& suffix) {
  return bounded_term(std::string(prefix) + key) + suffix;
}

std::string evidence_term(const char* prefix, const std::string& key, int k) {
  std::string suffix(1, '#');
  suffix += std::to_string(k);
  return ranking_term(prefix, key, suffix);
}

std::vector<size_t> distinct_cases(const Enterprise& e) {
  std::vector<size_t> out;
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (size_t i = 0; i < e.cases.size(); ++i)
    if (seen.emplace(e.cases[i].title, e.cases[i].description).second) out.push_back(i);
  return out;
}

std::string readiness_value(std::optional<int> trl) { return trl ? std::to_string(*trl) : std::string("?"); }

double date_number(const std::string& date, double fallback) {
  if (!is_iso_date(date)) return fallback;
  return std::stod(date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2));
}

std::string region_code(const std::string& region, const RegionTable& regions) {
  if (region.empty()) return {};
  return regions.resolve(region).value_or("");
}

namespace {
/// A past case's text, as its case document and the profile both index it: title at weight 2,
/// description at 1.
void case_text(Xapian::TermGenerator& tg, const Case& c, const Analyzer& analyzer, Analyzer::Terms terms) {
  analyzer.index_field(tg, c.title, 2, false, terms);
  analyzer.index_field(tg, c.description, 1, false, terms);
}
}  // namespace

std::string readable_term(const std::string& term) {
  if (!term.empty() && term[0] == 'Z') return term.substr(1);
  return term;
}

Xapian::Document scenario_document(const Scenario& s, const Analyzer& analyzer, const RegionTable& regions,
                                   const IndustryTable& industries, Analyzer::Terms terms) {
  Xapian::Document doc;
  Xapian::TermGenerator tg = analyzer.term_generator();
  tg.set_document(doc);
  analyzer.index_field(tg, s.title, 3, true, terms);
  for (const auto& k : s.keywords) analyzer.index_field(tg, k, 2, false, terms);
  analyzer.index_field(tg, s.description, 1, false, terms);

  doc.add_boolean_term(std::string(kIdPrefix) + s.id);
  ScenarioSummary attrs;
  attrs.id = s.id;
  attrs.title = s.title;
  attrs.publisher = s.publisher;
  attrs.publisher_key = text::normalize_name(s.publisher);  // for track record: normalised once, here
  attrs.region = index_region(doc, s.region, regions);
  attrs.industries = index_industries(doc, s.industries, industries);
  add_boolean(doc, kStatusPrefix, s.status);
  add_boolean(doc, kPublisherPrefix, s.publisher);
  if (std::string parent = fit::parent_org(attrs.publisher_key); !parent.empty())
    doc.add_boolean_term(ranking_term(kPublisherParentPrefix, parent));
  add_boolean(doc, kListPrefix, s.list);
  attrs.status = s.status;
  if (s.required_trl) {
    attrs.required_trl = *s.required_trl;
    set_number(doc, kSlotTrl, *s.required_trl);
  }
  doc.add_value(kSlotReadiness, readiness_value(s.required_trl));
  doc.add_value(kSlotRecordId, s.id);
  if (s.budget) {
    attrs.budget_min_minor = s.budget->amount_min_minor;
    attrs.budget_max_minor = s.budget->amount_max_minor;
    if (s.budget->amount_max_minor)
      set_number(doc, kSlotBudgetMax, static_cast<double>(*s.budget->amount_max_minor) / 100.0);
    attrs.currency = s.budget->currency;
  }
  for (const auto& q : s.required_qualifications) add_boolean(doc, kQualificationPrefix, q);
  attrs.required_qualifications = s.required_qualifications;
  attrs.deadline = s.deadline;
  set_number(doc, kSlotDeadline, date_number(s.deadline, 99991231));
  set_number(doc, kSlotPosted, date_number(s.posted_at, 0));
  doc.add_value(kSlotSnippetText, s.description);
  auto joined = [](const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : "\x1f") + p;
    return out;
  };
  doc.add_value(kSlotRegionFacet, joined(RegionTable::ancestors(region_code(s.region, regions))));
  doc.add_value(kSlotIndustryFacet, joined(attrs.industries));
  doc.set_data(stored_json(attrs).dump());
  return doc;
}

Xapian::Document enterprise_document(const Enterprise& e, const Analyzer& analyzer, const RegionTable& regions,
                                     const IndustryTable& industries,
                                     const std::vector<std::pair<std::string, Stage>>& outcomes,
                                     const std::vector<Xapian::Document>* case_docs, Analyzer::Terms terms) {
  Xapian::Document doc;
  Xapian::TermGenerator tg = analyzer.term_generator();
  tg.set_document(doc);
  analyzer.index_field(tg, e.name, 3, true, terms);
  for (const auto& c : e.capabilities) analyzer.index_field(tg, c, 2, true, terms);
  analyzer.index_field(tg, e.description, 1, false, terms);
  // A case written out again (the same title and description) adds no text: forty copies of one
  // project must not outweigh one project in BM25. Its customer still counts in the track record.
  // Each case's text is analysed once: its terms are its case document's (case_terms).
  if (case_docs && terms == Analyzer::Terms::kRanking) {
    for (const auto& cd : *case_docs)
      for (auto t = cd.termlist_begin(); t != cd.termlist_end(); ++t)
        if (t.get_wdf() > 0) doc.add_term(*t, t.get_wdf());  // the text's terms; not its boolean id term
  } else {
    for (size_t i : distinct_cases(e)) case_text(tg, e.cases[i], analyzer, terms);
  }

  doc.add_boolean_term(std::string(kIdPrefix) + e.id);
  doc.add_value(kSlotTextKey, text_key(e));
  EnterpriseSummary attrs;
  attrs.id = e.id;
  attrs.name = e.name;
  attrs.region = index_region(doc, e.region, regions);
  attrs.industries = index_industries(doc, e.industries, industries);
  if (e.trl) {
    attrs.trl = *e.trl;
    set_number(doc, kSlotTrl, *e.trl);
  }
  doc.add_value(kSlotReadiness, readiness_value(e.trl));
  doc.add_value(kSlotRecordId, e.id);
  for (const auto& c : e.cases) {
    if (c.customer.empty()) continue;
    add_boolean(doc, kCustomerPrefix, c.customer);
    attrs.customers.push_back({c.customer, text::normalize_name(c.customer), c.year, c.stage});
  }
  for (const auto& [publisher, stage] : outcomes) {
    add_boolean(doc, kCustomerPrefix, publisher);
    attrs.outcomes.push_back({publisher, text::normalize_name(publisher), std::string(stage_name(stage))});
  }
  // Track-record terms: one per piece of evidence (capped), so a query can weight "n pieces with
  // this customer" as 1 − 0.5ⁿ by summing 0.5ᵏ over the terms k = 1..n present.
  fit::TrackRecordEvidence evidence = fit::track_record_evidence(attrs.customers, attrs.outcomes);
  for (const auto& [prefix, counts] : {std::pair{kTrackRecordPrefix, &evidence.exact}, std::pair{kParentRecordPrefix, &evidence.parent}})
    for (const auto& [key, n] : *counts)
      for (int k = 1; k <= std::min(n, fit::kTrackRecordCap); ++k) doc.add_boolean_term(evidence_term(prefix, key, k));
  for (const auto& q : e.qualifications) add_boolean(doc, kQualificationPrefix, q);
  attrs.qualifications = e.qualifications;
  doc.set_data(stored_json(attrs).dump());
  return doc;
}

Xapian::Document case_document(const Enterprise& e, size_t index, const Analyzer& analyzer) {
  const Case& c = e.cases.at(index);
  Xapian::Document doc;
  Xapian::TermGenerator tg = analyzer.term_generator();
  tg.set_document(doc);
  case_text(tg, c, analyzer, Analyzer::Terms::kRanking);
  doc.add_boolean_term(std::string(kEnterprisePrefix) + e.id);
  doc.add_value(kSlotRecordId, e.id);
  doc.set_data(text::truncate_utf8(c.title.empty() ? c.description : c.title, 240));
  return doc;
}

}  // namespace jiebang::index_detail
