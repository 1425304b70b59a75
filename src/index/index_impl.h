// Internal: SearchIndex::Impl, the databases and analysis that the index's parts share (index module only).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "analysis.h"
#include "jiebang/index/search_index.h"
#include "jiebang/index/summary.h"

namespace jiebang {

namespace index_detail {

inline constexpr const char* kAppliedSeqKey = "jiebang.applied_seq";
// What the documents' terms are made of; raised when the analysis changes, so that an index
// written by an older jiebang is rebuilt (Service::open) instead of mixing two kinds of terms.
// 1: unmarked (before 2026-11-29); 2: English bigram terms; 3: ranking terms and the readiness
// slot (attribute fit inside the Xapian match); 4: names in boolean terms trimmed and their inner
// whitespace collapsed, long terms ending in a digest instead of cut; 5: address-style region
// names ("杭州市西湖区") resolved to their code, repeated cases indexed once; 6: "XY" region
// prefix terms, industry hierarchy terms for table codes only, no over-long word pairs; 7: Chinese
// words of 3+ characters from jieba's method (text::WordSegmenter) instead of ICU's dictionary;
// 8: pinyin annotations of several syllables, and the spaces around an annotation, removed; the
// title field's terms again with prefix "S" (scenario title, enterprise name and capabilities);
// 9: profiles and past cases hold only the terms a long-text query uses (Analyzer::Terms::kRanking:
// no lone CJK characters, stemmed CJK n-grams, unstemmed Latin words or title terms), without
// positions, so their BM25 document lengths differ.
inline constexpr const char* kFormatKey = "jiebang.index_format";
inline constexpr int kIndexFormat = 9;
/// SearchIndex::compact writes a database's compacted copy beside it under this suffix; a stale
/// one (a crash mid-way) is removed when a writer opens the index.
inline constexpr const char* kCompactSuffix = ".compact";
// The three databases: scenarios, enterprise profiles, and enterprises' past cases (one document
// per case, for per-case scoring).
inline constexpr int kScenarios = 0, kEnterprises = 1, kCases = 2, kDbCount = 3;
inline constexpr const char* kDbNames[kDbCount] = {"scenarios", "enterprises", "cases"};

/// A Xapian error as a Status: lock and opening errors are kUnavailable, the rest kInternal;
/// the message is "<what>: <type>: <message>".
Status from_xapian(const Xapian::Error& e, std::string_view what);
/// The store change seq a database records as applied (0 when none).
int64_t read_applied(const Xapian::Database& db);
/// Opens the Xapian database at `path` for writing (`flags`: Xapian::DB_OPEN, DB_CREATE_OR_OPEN).
/// Xapian's write lock may still be held for a moment by a writer that has just gone (its lock
/// helper process notices its parent's death only after a moment, e.g. after a killed import) or
/// by another jiebang process that tries the lock first: retries every 100 ms for up to 2 s, then
/// throws that Xapian::DatabaseLockError; other Xapian errors are thrown at once. Sleeps the
/// calling thread while it waits.
std::unique_ptr<Xapian::WritableDatabase> open_writer_with_retry(const std::string& path, int flags);

}  // namespace index_detail

struct SearchIndex::Impl {
  Impl(std::string dir_, const RegionTable& r, const IndustryTable& i, const text::SynonymTable* syn)
      : dir(std::move(dir_)), regions(r), industries(i), synonyms(syn) {}

  std::string dir;
  const RegionTable& regions;
  const IndustryTable& industries;
  const text::SynonymTable* synonyms;
  index_detail::Analyzer analyzer;
  /// Threads that build documents in catch_up and rebuild (SearchIndex::set_index_threads), and
  /// an Analyzer for each beyond the first (made when first needed; Xapian's stemmer is not
  /// shareable between threads).
  unsigned index_threads = SearchIndex::default_index_threads();
  std::vector<std::unique_ptr<index_detail::Analyzer>> builders;
  bool writable = false;
  // When writable, w_[i] is open and db(i) is it; else r_[i].
  std::unique_ptr<Xapian::WritableDatabase> w_[index_detail::kDbCount];
  std::unique_ptr<Xapian::Database> r_[index_detail::kDbCount];

  Xapian::Database& db(int i) const { return writable ? *w_[i] : *r_[i]; }
  Xapian::Database& db(RecordKind kind) const {
    return db(kind == RecordKind::kScenario ? index_detail::kScenarios : index_detail::kEnterprises);
  }
  Xapian::WritableDatabase& wdb(int i) { return *w_[i]; }
  std::string path(int i) const { return dir + "/" + index_detail::kDbNames[i]; }

  /// Opens the databases for writing, retrying briefly on a held lock, else read-only.
  Status open_dbs();

  uint64_t min_free_bytes = SearchIndex::kDefaultMinFreeBytes;
  /// After a Xapian error in a write: closes each writer and opens it again at its last commit
  /// (what was not committed is replayed from the store's change log by the next catch_up). A
  /// writer that cannot be opened now stays closed, and the next write fails and tries again.
  /// Never throws.
  void reset_writers() noexcept;

  /// The boolean filter of a scenario search or scenario ranking (status, region, industry,
  /// deadline, posted_at bounds); MatchAll when none applies.
  Xapian::Query filter_query(const SearchFilters& f) const;

  /// Parsed attribute summaries by document, per database: a batch job ranks the same documents
  /// many times (the digest: every enterprise against the same new scenarios), and decompressing
  /// and parsing a document's data is a fifth of a match's time. Dropped when the database's
  /// revision moves and at every write; bounded in size. Like the Xapian handles, not shared
  /// between threads.
  struct AttributeCache {
    Xapian::rev revision = 0;
    std::unordered_map<Xapian::docid, RecordSummary> docs;
  };
  mutable AttributeCache attribute_cache[index_detail::kDbCount];
  static constexpr size_t kAttributeCacheMax = 100000;

  void drop_attribute_caches() {
    for (auto& c : attribute_cache) c.docs.clear();
  }
  /// The attribute summary of a result (an EnterpriseSummary from the enterprises database, else a
  /// ScenarioSummary), through the cache (ranking_query.cpp).
  RecordSummary summary(int target, const Xapian::MSetIterator& it) const;
};

}  // namespace jiebang
