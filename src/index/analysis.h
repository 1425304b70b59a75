// Internal: how records become Xapian documents and long texts become queries (index module only).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "jiebang/core/records.h"
#include "jiebang/core/stages.h"
#include "jiebang/core/taxonomy.h"
#include "jiebang/text/word_segmenter.h"

namespace jiebang::index_detail {

// Term prefixes (the schema is written down in index/SCHEMA.md).
inline constexpr const char* kIdPrefix = "Q";
inline constexpr const char* kRegionPrefix = "XR";
inline constexpr const char* kIndustryPrefix = "XI";
inline constexpr const char* kTagPrefix = "XG";
inline constexpr const char* kStatusPrefix = "XS";
inline constexpr const char* kPublisherPrefix = "XP";
inline constexpr const char* kCustomerPrefix = "XU";
inline constexpr const char* kQualificationPrefix = "XQ";
inline constexpr const char* kListPrefix = "XL";
inline constexpr const char* kEnterprisePrefix = "XE";  // on case documents: the owning enterprise
// Ranking terms (attribute fit inside the Xapian match, see search_index.cpp fit queries):
inline constexpr const char* kRegionExactPrefix = "XW";    // the record's own 6-digit region code
inline constexpr const char* kRegionCityPrefix = "XY";     // its first four digits (same city: GB/T 2260 closeness 2)
inline constexpr const char* kIndustryExactPrefix = "XJ";  // each industry code or tag as given (normalised)
inline constexpr const char* kTrackRecordPrefix = "XC";    // enterprise: "XC<customer key>#k", k = 1..evidence
inline constexpr const char* kParentRecordPrefix = "XD";   // enterprise: "XD<organisation key>#k", k = 1..evidence below it
inline constexpr const char* kPublisherParentPrefix = "XV";  // scenario: the publisher's parent organisation
inline constexpr const char* kBigramPrefix = "B";       // neighbouring stemmed English words: "Bvena cava"
// The title field's text terms again, prefixed (Xapian's convention "S" for subject/title): a
// scenario's title (profiles, which no search box reads, count them only in their length term).
// The search box weighs them on top of
// the field-less terms, so a record whose title carries the query ranks above one that only
// mentions it. Latin stems are "ZS<stem>" (TermGenerator puts "Z" before the prefix).
inline constexpr const char* kTitlePrefix = "S";
// Profiles and past cases (Analyzer::Terms::kRanking): one term whose within-document frequency
// is that of the analysis's terms the document does not hold, so that its length (the sum of
// frequencies BM25 normalises by) is that of the whole analysis. Never in a query.
inline constexpr const char* kLengthTerm = "XN";

// Value slots (sortable_serialise'd numbers).
inline constexpr Xapian::valueno kSlotTrl = 0;        // enterprise trl / scenario required_trl
inline constexpr Xapian::valueno kSlotBudgetMax = 1;  // yuan
inline constexpr Xapian::valueno kSlotDeadline = 2;   // yyyymmdd; 99991231 when none
inline constexpr Xapian::valueno kSlotPosted = 3;     // yyyymmdd
inline constexpr Xapian::valueno kSlotReadiness = 4;  // TRL / required TRL as "1"…"9", "?" when unknown (every document)
inline constexpr Xapian::valueno kSlotSnippetText = 10;  // the description as given, for snippets
inline constexpr Xapian::valueno kSlotRegionFacet = 11;    // region codes (area, city, province), '\x1f'-separated
inline constexpr Xapian::valueno kSlotIndustryFacet = 12;  // canonical industry codes and tags, '\x1f'-separated
inline constexpr Xapian::valueno kSlotRecordId = 20;  // the record id (ties in ranking: id order); case documents: the owning enterprise (collapse key)
inline constexpr Xapian::valueno kSlotTextKey = 21;   // profiles: text_key of the record the document was built from

/// Text analysis shared by indexing and querying: normalisation, Chinese words (jieba's method,
/// text::WordSegmenter) beside CJK character n-grams, English stemming.
class Analyzer {
 public:
  /// Uses the process's current word segmenter (text::WordSegmenter::current(): the index
  /// definition's domain words included); throws std::runtime_error when jieba's data is missing.
  Analyzer();
  /// A TermGenerator configured for indexing (FLAG_CJK_NGRAM, english stemmer, STEM_SOME).
  Xapian::TermGenerator term_generator() const;
  const Xapian::Stem& stemmer() const { return stemmer_; }
  const Xapian::Stopper* stopper() const { return &stopper_; }
  const text::WordSegmenter& words() const { return *words_; }

  /// Which terms a field adds to a document.
  enum class Terms {
    /// Every term Xapian's TermGenerator makes (CJK characters and bigrams, Latin words and their
    /// stems), with positions, and the word terms: scenarios, which the search box reads
    /// (phrases, single characters, exact words) as well as the ranking.
    kSearch,
    /// Only the terms a long-text query can use (is_ranking_term), without positions, and the
    /// length term (kLengthTerm) for the rest: enterprise profiles and past cases, which only the
    /// ranking reads (BM25 reads within-document frequencies and the document length). About
    /// half the postings of kSearch (measured: bench/README.md, "Indexing throughput"); the
    /// ranking terms, their frequencies and the document length are the same, so is the ranking.
    kRanking,
  };

  /// Adds a normalised field to the generator's document: `weight` multiplies within-document
  /// frequency (the field weight); with kSearch, positions of different fields are kept apart. A
  /// `title` field under kSearch also adds its terms with kTitlePrefix, without positions and at
  /// within-document frequency 1 per occurrence (the field-less terms carry the field weight; the
  /// prefixed ones only say "in the title", and add little to the document length BM25
  /// normalises by).
  void index_field(Xapian::TermGenerator& tg, const std::string& text, Xapian::termcount weight, bool title,
                   Terms terms) const;

  /// True for a term a long-text query (query_terms) may hold: stemmed Latin words ("Z…", two
  /// letters or more), English word pairs ("B…"), numbers of two digits or more, Chinese words and
  /// character bigrams. False for boolean and field-prefixed terms, unstemmed Latin words (their
  /// stem is used), stemmed CJK n-grams and lone CJK characters.
  static bool is_ranking_term(std::string_view term);

  /// Terms of a long text for use as an OR query, each with its frequency in the text (weighted
  /// like the fields): stemmed Latin words ("Z…") and English word pairs, numbers, the Chinese
  /// words of 3+ characters (word_terms) and the character bigrams (a 2-character word is its
  /// bigram), kept for recall. Lone characters are not used. Explanations show only the words
  /// among them (readable_matches).
  /// `normalized_texts`: each text already text::normalize'd, with its weight.
  std::vector<std::pair<std::string, Xapian::termcount>> query_terms(
      const std::vector<std::pair<std::string, Xapian::termcount>>& normalized_texts) const;

  /// The terms added to a normalised text's own (TermGenerator's) terms, at indexing and in a
  /// long-text query alike: latin_bigrams, and Chinese words of 3+ characters with the 3-character
  /// dictionary words inside longer ones (2-character words are already the n-gram bigrams).
  std::vector<std::string> word_terms(const std::string& normalized) const;

  /// Pairs of neighbouring English words ("vena cava", "cava filter"): stemmed, stopwords
  /// dropped, not across punctuation or non-Latin text; each as a "B" term.
  std::vector<std::string> latin_bigrams(const std::string& normalized) const;

  /// Matched query terms as people read them, most informative first (the order of `raw`):
  /// boolean and pair terms left out, stems without their prefix; Chinese terms only when they are
  /// dictionary or domain words of two or more characters, and not when a longer matched word
  /// contains them (机器 under 机器人); a lone character only when nothing else matched and it
  /// is a word. `spelled`, when given, is parallel to `raw` (see spellings): a non-empty entry is
  /// the word shown for that term ("cables" for "Zcabl") instead of its stem.
  std::vector<std::string> readable_matches(const std::vector<std::string>& raw,
                                            const std::vector<std::string>& spelled = {}) const;

  /// For each of `terms` (index terms, as query_terms makes them), the word a person reads for it:
  /// for a stemmed English term ("Zcabl") the first word of `normalized_texts` (in their order,
  /// each already text::normalize'd: lower-cased) whose stem it is ("cable", or "cables" when the
  /// text says only that); "" for the other terms (Chinese words and numbers are shown as they
  /// are) and for a stem no word of the texts has. Words are runs of ASCII letters and digits, as
  /// latin_bigrams reads them; each distinct word is stemmed once.
  std::vector<std::string> spellings(
      const std::vector<std::string>& terms,
      const std::vector<std::pair<std::string, Xapian::termcount>>& normalized_texts) const;

 private:
  Xapian::Stem stemmer_;
  Xapian::SimpleStopper stopper_;
  std::shared_ptr<const text::WordSegmenter> words_;
};

/// `term` when it fits Xapian's term length with room to spare (200 bytes); else its first bytes
/// (cut at a UTF-8 boundary) and "~" with a 64-bit FNV-1a digest of the whole, so long names that
/// share a beginning stay distinct terms.
std::string bounded_term(std::string term);
/// A boolean term of `prefix` and `value` (text::normalize_name), bounded (bounded_term).
std::string boolean_term(const char* prefix, const std::string& value);
/// A ranking term: bounded_term(`prefix` + the already normalised `key`), then `suffix`.
std::string ranking_term(const char* prefix, const std::string& key, const std::string& suffix = "");
/// The track-record term for the k-th piece of evidence with `key`: ranking_term(prefix, key, "#k").
std::string evidence_term(const char* prefix, const std::string& key, int k);
/// A digest of the text an enterprise's profile document is built from (name, description,
/// capabilities, the distinct cases' titles and descriptions): 16 hex digits of FNV-1a 64, stable
/// across builds. Stored in the profile's kSlotTextKey, so a query can tell whether the indexed
/// document was built from the record in hand (same key) and use it instead of analysing again.
std::string text_key(const Enterprise& e);
/// Indexes of an enterprise's cases without the repeats (a case with the same title and
/// description as an earlier one), in order: repeated cases add no text to any index.
std::vector<size_t> distinct_cases(const Enterprise& e);
/// The readiness slot's value for a TRL: "1"…"9" as given, "?" when unknown.
std::string readiness_value(std::optional<int> trl);
/// yyyymmdd as a number from "YYYY-MM-DD"; `fallback` when empty or malformed.
double date_number(const std::string& date, double fallback);

/// The Xapian document for a scenario, and for an enterprise. The document data is the attribute
/// summary returned in Candidate::attributes. `terms`: kSearch for the scenarios database;
/// kRanking for a scenario scored as if it were a profile.
Xapian::Document scenario_document(const Scenario& s, const Analyzer& analyzer, const RegionTable& regions,
                                   const IndustryTable& industries, Analyzer::Terms terms = Analyzer::Terms::kSearch);
/// `outcomes` are (publisher, stage) of the enterprise's matches that reached validation or
/// commercialisation (Store::match_outcomes); they join the track record in the attributes.
/// `case_docs`, when given, are the enterprise's case documents (case_document for each of
/// distinct_cases(e), in order): their text terms are added as they are, so a case's text is
/// analysed once for both databases; when null the cases are analysed here. The two give the same
/// document. `terms`: kRanking for the enterprises database; kSearch for a profile scored as if
/// it were a scenario (its case_docs must then be null).
Xapian::Document enterprise_document(const Enterprise& e, const Analyzer& analyzer, const RegionTable& regions,
                                     const IndustryTable& industries,
                                     const std::vector<std::pair<std::string, Stage>>& outcomes = {},
                                     const std::vector<Xapian::Document>* case_docs = nullptr,
                                     Analyzer::Terms terms = Analyzer::Terms::kRanking);

/// The document for past case `index` of an enterprise: its title (×2) and description, ranking
/// terms only (Analyzer::Terms::kRanking), the owning enterprise as boolean term and collapse value, the case title as data.
Xapian::Document case_document(const Enterprise& e, size_t index, const Analyzer& analyzer);

/// The region as a 6-digit code when it resolves, else "".
std::string region_code(const std::string& region, const RegionTable& regions);

/// A readable form of a query term: the stem without its "Z" prefix, CJK as is.
std::string readable_term(const std::string& term);

}  // namespace jiebang::index_detail
