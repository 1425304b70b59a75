// The Xapian index derived from the store: its databases, catch-up and rebuild, search-box search.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jiebang/core/records.h"
#include "jiebang/core/status.h"
#include "jiebang/core/taxonomy.h"
#include "jiebang/index/summary.h"
#include "jiebang/store/store.h"
#include "jiebang/text/segment.h"

namespace jiebang {

struct RankingQuery;
struct CandidateList;
class SearchIndex;
Result<CandidateList> rank_enterprises(const SearchIndex& index, const Scenario& scenario, const RankingQuery& q);
Result<CandidateList> rank_scenarios(const SearchIndex& index, const Enterprise& enterprise, const RankingQuery& q);

/// Filters for a scenario search. Empty strings mean "any".
struct SearchFilters {
  std::string region_code;    ///< 6-digit GB/T 2260 code; a city or province code also finds its areas
  std::string industry_code;  ///< canonical GB/T 4754 code; a section/division also finds its classes
  std::string status = "open";   ///< "open" | "closed" | "awarded" | "" for any
  std::string today;          ///< YYYY-MM-DD: with status "open", scenarios whose deadline is before it are left out; "" to keep all
  /// YYYY-MM-DD bounds (inclusive) on posted_at; "" = open. With either set, scenarios without a
  /// posted_at are left out unless their id is in `posted_also`.
  std::string posted_from, posted_to;
  std::vector<std::string> posted_also;  ///< scenario ids passing the posted_at bounds regardless
};

/// One scenario found by a search.
struct SearchHit {
  std::string id;
  double score = 0;           ///< Xapian BM25 weight (unitless, comparable within one result list)
  std::string title;
  std::string snippet;        ///< description excerpt, HTML-escaped, matches in <b>…</b>
  std::vector<std::string> matched_terms;
  ScenarioSummary summary;    ///< the scenario's attribute summary as indexed
};

/// One page of a scenario search.
struct SearchPage {
  std::vector<SearchHit> hits;
  uint64_t total = 0;         ///< exact number of matching scenarios (all pages)
  /// Exact facet counts over all matching scenarios (not only this page): GB/T 2260 region code
  /// (the scenario's own code, plus its city and province) → count, and industry (canonical code
  /// or tag) → count. Empty unless facets were asked for.
  std::map<std::string, uint64_t> region_counts, industry_counts;
};

/// Figures of a catch-up or rebuild.
struct IndexProgress {
  int64_t applied_seq = 0;     ///< seq of the last change applied
  int64_t store_seq = 0;       ///< the store's last seq when the batch was read
  size_t documents_written = 0;
  size_t documents_removed = 0;
};

/// The three Xapian databases under one directory (`scenarios/`, `enterprises/`, and `cases/`: one
/// document per past case of an enterprise, for per-case evidence), each recording in its metadata
/// the last store change seq it applied ("jiebang.applied_seq"). Text is normalised
/// (text::normalize), then indexed with CJK character n-grams, Chinese words of 3+ characters
/// (jieba's method, text::WordSegmenter) and English stemming and word pairs; fields are weighted by
/// within-document frequency multipliers (title/name ×3, capabilities ×2, description, keywords and
/// past cases ×1). Region (GB/T 2260, with its city and province), industry (GB/T 4754, with its
/// ancestors), status, publisher, case customers and qualifications are boolean terms.
/// The parts: opening and state (search_index.cpp), keeping in step with the store (index_sync.cpp),
/// the search box (search_box.cpp); the ranking query is jiebang/index/ranking.h.
/// Not thread-safe for writes; one writer process at a time (Xapian's lock).
class SearchIndex {
 public:
  /// Opens (creating) the index under `dir` for writing. When another process holds the write
  /// lock, opens it read-only instead (writable() is false and catch_up fails with kUnavailable).
  /// Errors: kUnavailable (cannot create or open), kInternal (corrupt database).
  /// `synonyms` (may be null) expands search-box queries; it must outlive the index.
  static Result<std::unique_ptr<SearchIndex>> open(const std::string& dir, const RegionTable& regions,
                                                   const IndustryTable& industries,
                                                   const text::SynonymTable* synonyms = nullptr);
  /// Opens the index under `dir` read-only (never taking the write lock), e.g. for another thread
  /// of a batch job: a Xapian database handle is not shared between threads.
  /// Errors: kUnavailable (no index there), kInternal (corrupt database).
  static Result<std::unique_ptr<SearchIndex>> open_reader(const std::string& dir, const RegionTable& regions,
                                                          const IndustryTable& industries,
                                                          const text::SynonymTable* synonyms = nullptr);
  ~SearchIndex();
  SearchIndex(const SearchIndex&) = delete;
  SearchIndex& operator=(const SearchIndex&) = delete;

  bool writable() const;
  /// True when documents were written by an older analysis (the index format recorded in the
  /// metadata is not this build's): rebuild() brings them up to date. An empty index is never
  /// outdated.
  bool outdated() const;
  /// Records this build's index format on an index that has no documents yet (rebuild() records
  /// it itself). Errors: kUnavailable when read-only, kInternal.
  Status mark_current_format();
  /// A read-only index moves to the latest commit of its databases (Xapian::Database::reopen),
  /// dropping what it cached of the older one; a writable index is always current (a no-op).
  /// Call it between queries, from the thread that owns the handle. Errors: kInternal (Xapian),
  /// kUnavailable (the databases are gone).
  Status reopen();
  /// The lower of the two databases' applied seqs. Errors: kInternal (Xapian; a seq in the
  /// metadata that is not a number) — never an exception.
  Result<int64_t> applied_seq() const;
  /// Documents in the scenario or enterprise database. Errors: kInternal (Xapian) — never an exception.
  Result<uint64_t> doc_count(RecordKind kind) const;

  /// Threads that build documents (text analysis) during catch_up and rebuild; writes stay one
  /// writer per database, the scenario and profile databases on one thread and the past cases on
  /// another. The documents written are the same for any number. Default: the machine's
  /// hardware threads, at most 8; clamped to [1, 64]. Not to be called during a catch-up.
  void set_index_threads(unsigned threads);
  unsigned index_threads() const;
  /// The default of set_index_threads: the machine's hardware threads (std::thread::
  /// hardware_concurrency), at least 1 and at most 8. Thread-safe.
  static unsigned default_index_threads();

  /// Space the file system holding the index must keep free for a write; unit: bytes (default
  /// kDefaultMinFreeBytes). Xapian 1.4 aborts the process (std::terminate) when a commit runs out
  /// of space, and an index that cannot commit makes every later start abort too, so catch_up,
  /// rebuild and compact refuse to write below it (check_free_space). Not to be called during a write.
  void set_min_free_bytes(uint64_t bytes);
  static constexpr uint64_t kDefaultMinFreeBytes = uint64_t{64} << 20;
  /// kUnavailable naming the directory, the free and the needed MiB when the file system holding
  /// the index has less than min_free_bytes + `extra` bytes available to this process (statvfs
  /// f_bavail); kInternal when statvfs fails. Thread-safe.
  Status check_free_space(uint64_t extra = 0) const;

  /// Applies the store's changes after applied_seq() in seq order, committing every
  /// `batch_changes` changes together with the new applied seq (so a crash loses no more than
  /// the uncommitted batch, which is replayed next time). `on_progress` is called after each commit.
  /// Refused (kUnavailable) below the free space check_free_space() asks for. After a Xapian error
  /// (a commit that failed on EMFILE or EIO closes Xapian's writer) each writer is closed and
  /// opened again at its last commit, so the next call can succeed once the cause is gone.
  Result<IndexProgress> catch_up(const Store& store, size_t batch_changes = 5000,
                                 const std::function<void(const IndexProgress&)>& on_progress = {});
  /// Drops both databases and rebuilds them from the store's current records, then compacts them
  /// (compact()).
  Result<IndexProgress> rebuild(const Store& store, const std::function<void(const IndexProgress&)>& on_progress = {});

  /// Rewrites each database compactly: Xapian's compaction (Database::compact, standard level,
  /// document ids kept) of the last commit into `<db>.compact` beside it, which is then swapped
  /// in with one atomic rename (renameat2 RENAME_EXCHANGE), and the old files removed. Xapian
  /// fills its blocks only partly while documents are added; after a bulk import the databases
  /// are about 45 % smaller (measured, 20,000 generated profiles: profiles 188 -> 102 MiB, past
  /// cases 139 -> 84 MiB; bench/README.md "Compaction"). Cost: about one second per 20,000
  /// profiles. Content, document ids, metadata (applied seq, format) and every query's results
  /// are unchanged. Readers in other processes keep reading the files they have open (the same
  /// content) until they reopen. A crash at any point leaves a whole database at its path (a
  /// stale `<db>.compact` is removed at the next open). The writer's lock is released for the
  /// moment of the swap: if another process takes it then, this index becomes read-only and the
  /// call fails with kUnavailable. Writer only (kUnavailable otherwise); kInternal for Xapian or
  /// file-system errors. Not thread-safe with other calls on this index.
  Status compact();

  /// Short-query search of scenarios (a search box; see index_detail::build_search_query): all
  /// words preferred, any word matches; quoted parts are phrases; synonyms expanded. An empty
  /// query lists all scenarios passing the filters. Returns at most `limit` hits with snippets of
  /// about 200 characters, matched runs in <b>…</b>. Errors: kInvalidArgument for a query over
  /// kMaxSearchTerms.
  Result<std::vector<SearchHit>> search_scenarios(const std::string& query, const SearchFilters& filters,
                                                  size_t limit) const;
  /// The most terms a search-box query may have: each Han character and each Latin word or number
  /// of the normalised query counts one (they are what build_search_query turns into query
  /// terms, with bigrams and title terms in proportion). A longer query is refused
  /// (kInvalidArgument, field "q", naming both counts: 400 in the API and the pages), so that one
  /// 4 KiB query costs a bounded amount of work. Typed queries are far shorter (the fixtures' and
  /// SBIR's titles have at most ~40).
  static constexpr size_t kMaxSearchTerms = 64;
  /// As search_scenarios, one page: hits `offset`..`offset + limit − 1` of the ranked list (ties in
  /// weight broken by document order, so pages of an unchanged index never overlap or skip), the
  /// exact total, and with `facets` the exact region and industry counts.
  Result<SearchPage> search_page(const std::string& query, const SearchFilters& filters, size_t offset, size_t limit,
                                 bool facets) const;
  // The ranking query (jiebang/index/ranking.h) runs on the same databases.
  friend Result<CandidateList> rank_enterprises(const SearchIndex&, const Scenario&, const RankingQuery&);
  friend Result<CandidateList> rank_scenarios(const SearchIndex&, const Enterprise&, const RankingQuery&);

  /// The attribute summary stored with record `id`'s document: a ScenarioSummary for kScenario, an
  /// EnterpriseSummary for kEnterprise (with its outcomes from the match loop). nullopt when the
  /// record is not indexed. Errors are not reported: a Xapian error reads as nullopt.
  std::optional<RecordSummary> summary(RecordKind kind, const std::string& id) const;
  /// Which of `query_terms` the document of record `id` holds, in readable form and the query's
  /// order (the analyzer's readable_matches: stems without their prefix, Chinese dictionary or
  /// domain words only). Computed only for the results shown, not for every candidate. Empty
  /// when the record is not indexed. `query_words`, when given, is parallel to `query_terms`
  /// (CandidateList::query_words): a stemmed English term is shown as the word of the query's
  /// texts it came from ("cables"), not as its stem ("cabl").
  std::vector<std::string> matched_terms(RecordKind target, const std::string& id,
                                         std::vector<std::string> query_terms,
                                         const std::vector<std::string>& query_words = {}) const;

  /// The databases and analysis behind the index (src/index/index_impl.h; index module only).
  struct Impl;

 private:
  explicit SearchIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace jiebang
