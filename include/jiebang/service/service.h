// The service facade: one object wiring store, index and matcher, called by the CLI (and the API).
#pragma once

#include <chrono>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "jiebang/core/record_reader.h"
#include "jiebang/core/records.h"
#include "jiebang/digest/digest.h"
#include "jiebang/core/status.h"
#include "jiebang/core/taxonomy.h"
#include "jiebang/index/search_index.h"
#include "jiebang/match/eval.h"
#include "jiebang/lifecycle/lifecycle.h"
#include "jiebang/match/matcher.h"

namespace jiebang {

/// Where things live and how ranking is weighted. Loaded in main (defaults < environment < flags).
struct ServiceConfig {
  std::string data_dir = "./var";  ///< holds jiebang.sqlite3 and index/. Env JIEBANG_DATA_DIR.
  std::string index_dir;           ///< the index definition (taxonomies, weights); "" = default_index_dir()
  std::string weights_path;        ///< ranking weights JSON; "" = <index_dir>/ranking.json
  size_t import_batch = 1000;      ///< records per store transaction during import; unit: records
  /// Threads that build index documents (SearchIndex::set_index_threads); 0 = the machine's
  /// hardware threads, at most 8.
  unsigned index_threads = 0;
  /// Free space kept on the data directory's file system: below it a write (a record, an import,
  /// the index's catch-up) is refused with kUnavailable before anything is written
  /// (SearchIndex::set_min_free_bytes: Xapian aborts the process when a commit runs out of
  /// space). Unit: bytes.
  uint64_t min_free_bytes = SearchIndex::kDefaultMinFreeBytes;
  /// The clock; "today" (Asia/Shanghai) for deadlines comes from it. Default: the system clock.
  std::function<std::chrono::system_clock::time_point()> clock;
  /// Open the index read-only and never write it (no catch-up on open; sync_index() is a no-op):
  /// one of the web API's reader services, each on its own thread. The store is still a normal
  /// connection (writes through it are the caller's business; readers make none).
  bool read_only = false;
};

/// One rejected record of an import.
struct ImportError {
  size_t line = 0;       ///< 1-based line in the file where the record starts
  std::string id;        ///< the record's id when it had one
  std::string key;       ///< the offending key ("" when the whole line is bad)
  std::string message;
};

/// Outcome of an import.
struct ImportReport {
  size_t read = 0;       ///< records read (good and bad)
  size_t inserted = 0;   ///< new records
  size_t updated = 0;    ///< records whose stored form changed
  size_t unchanged = 0;  ///< records identical to what was stored
  size_t rejected = 0;
  std::vector<ImportError> errors;
  double seconds = 0;    ///< wall time including indexing; unit: seconds
  /// The text encoding the file was found in: "utf-8", "utf-8-bom" or "gb18030" (converted to
  /// UTF-8 before reading); "" for .xlsx workbooks, whose XML declares its own encoding.
  std::string encoding;
};

/// Progress of a long operation: `done` of `total` (0 when unknown), and a phase name.
using ProgressFn = std::function<void(const std::string& phase, size_t done, size_t total)>;

/// Outcome of an evaluation run.
struct EvalReport {
  EvalSummary summary;
  size_t scenarios_without_answers = 0;  ///< scenarios in the store with no relevant qrels (not counted)
  size_t qrels_without_scenario = 0;     ///< qrels queries naming no stored scenario (counted as 0)
  /// Each measured query (those with a relevant document), in the qrels' order: its measures @10,
  /// the rank of its first relevant answer and its relevant answers below 10 (ranks read from the
  /// `run_depth` results evaluate() asked for).
  std::vector<QueryReport> per_query;
  double seconds = 0;
};

/// The engine as one object. Opening it catches the index up with the store. Not thread-safe:
/// one instance per thread of control (the API module serialises writes through one instance).
/// One open scenario that no enterprise fits well (Service::supply_gaps).
struct SupplyGap {
  std::string scenario_id, title, publisher, deadline;
  std::string best_enterprise_id, best_enterprise_name;  ///< "" when no enterprise matched at all
  double best_text_fit = 0;                               ///< in [0, 1]
};
/// Gaps of one industry (GB/T 4754 division) in one city (GB/T 2260).
struct SupplyGapGroup {
  std::string industry, industry_name;  ///< e.g. "C34", "通用设备制造业"; "" when the scenarios name none
  std::string region, region_name;      ///< city code "330100", "杭州市"; "" when unknown
  std::vector<SupplyGap> scenarios;
};
/// The supply gaps of the open scenarios.
struct SupplyGaps {
  double threshold = 0;        ///< absolute text fit below which a scenario is a gap
  size_t open_scenarios = 0;   ///< open scenarios examined
  size_t gaps = 0;             ///< scenarios in the groups
  std::vector<SupplyGapGroup> groups;
};

/// The JSON form of supply gaps (CLI --json and the web API): {"threshold", "open_scenarios",
/// "gaps", "groups": [{"industry", "industry_name", "region", "region_name", "scenarios": [{"id",
/// "title", "publisher", "deadline", "best_enterprise": {"id", "name"} | null, "best_text_fit"}]}]};
/// fits rounded to 4 decimals.
nlohmann::json supply_gaps_json(const SupplyGaps& gaps);

class Service {
 public:
  /// Opens (creating) the data directory, store and index, loads the taxonomies, weights and the
  /// column-header table (<index_dir>/columns.tsv; optional: without it headers are keys as
  /// written), and applies pending store changes to the index. Errors: as Store::open /
  /// SearchIndex::open, and kNotFound / kInvalidArgument for a missing or malformed index definition.
  static Result<std::unique_ptr<Service>> open(ServiceConfig config, const ProgressFn& progress = {});
  ~Service();

  /// Imports records from a file (format from its extension: .csv is CSV, .xlsx an Excel
  /// workbook, else JSON Lines). CSV and JSON Lines may be UTF-8 (with or without BOM) or
  /// GBK/GB18030, which is detected and converted (open_as_utf8); CSV and .xlsx header rows are
  /// mapped through <index_dir>/columns.tsv. `sheet` names the worksheet of an .xlsx file to read
  /// ("" = the first visible one). Good records are stored and indexed; bad ones are reported with
  /// line (sheet row for .xlsx), key and reason.
  /// Errors (whole call, message prefixed with the path): kNotFound (no file), kInvalidArgument
  /// (unreadable as a whole: neither UTF-8 nor GB18030, naming the first bad line; a damaged
  /// workbook or missing sheet, naming the part; a sheet given for a file that is not .xlsx),
  /// storage errors.
  Result<ImportReport> import_file(RecordKind kind, const std::string& path, const ProgressFn& progress = {},
                                   const std::string& sheet = {});
  /// As import_file, reading `in` in `format`. A seekable stream in a text format is scanned for
  /// its encoding and rewound; one that cannot seek is read into memory first.
  Result<ImportReport> import_stream(RecordKind kind, std::istream& in, FileFormat format,
                                     const ProgressFn& progress = {}, const std::string& sheet = {});

  /// Scenario search (see SearchIndex::search_scenarios); `filters.today` is filled from the clock.
  /// Region and industry filters are given as codes or names and resolved here.
  /// Errors: kInvalidArgument for an unknown region or industry code.
  Result<std::vector<SearchHit>> search(const std::string& query, SearchFilters filters, size_t limit) const;
  /// Enterprises ranked for a stored scenario. Errors: kNotFound.
  Result<std::vector<MatchResult>> match_scenario(const std::string& scenario_id, size_t limit) const;
  /// Open scenarios ranked for a stored enterprise. Errors: kNotFound.
  Result<std::vector<MatchResult>> match_enterprise(const std::string& enterprise_id, size_t limit) const;

  /// Supply gaps: the open scenarios (status open, deadline not passed) whose best candidate's
  /// absolute text fit (MatchResult::text_fit, the best among the top 10 ranked enterprises) is
  /// below `threshold` (< 0: the ranking weights' gap_text_fit, 0.4 by default), grouped by GB/T 4754
  /// division (the first industry; a tag as given; "" when none) and GB/T 2260 city; groups with
  /// the most gaps first, then by industry and region code; scenarios by fit, then id. Runs one
  /// match per open scenario (about 5 ms each on the fixtures). Not thread-safe with other calls
  /// on the same Service (as every query: one Xapian handle). Errors: the store's and index's.
  Result<SupplyGaps> supply_gaps(double threshold = -1) const;

  /// Matches every stored scenario named in `qrels` and measures the top 10; writes the run to
  /// `run_out` when given. `run_depth` results are read per query (at least 10; the measures stay
  /// @10, the run file and EvalReport::per_query's ranks use them all).
  /// With `enterprise_to_scenarios` the qrels are read the other way round: each enterprise is a
  /// query and the open scenarios ranked for it are measured.
  Result<EvalReport> evaluate(const Qrels& qrels, std::ostream* run_out, const ProgressFn& progress = {},
                              bool enterprise_to_scenarios = false, size_t run_depth = 10) const;

  /// One page of a scenario search with exact total and facet counts (SearchIndex::search_page);
  /// filters resolved as in search(). Errors: as search().
  Result<SearchPage> search_page(const std::string& query, SearchFilters filters, size_t offset, size_t limit,
                                 bool facets) const;

  // ---- single records (the web API's writes and reads) ----

  /// Validates a scenario object as the importer does (schema, GB/T code tables). Every problem
  /// is appended to `errors` (key + message); returns nullopt when there is any.
  std::optional<Scenario> validate_scenario(const nlohmann::json& j, std::vector<FieldError>& errors) const;
  std::optional<Enterprise> validate_enterprise(const nlohmann::json& j, std::vector<FieldError>& errors) const;
  /// Upserts one validated record, then brings the index up to date before returning (so a
  /// search right after sees it, unless another process owns the index).
  /// Errors: kConflict (scenario id owned by another publisher), storage errors.
  Result<UpsertOutcome> put_scenario(const Scenario& s);
  Result<UpsertOutcome> put_enterprise(const Enterprise& e);
  /// Errors: kNotFound.
  Result<Scenario> get_scenario(const std::string& id) const;
  Result<Enterprise> get_enterprise(const std::string& id) const;
  /// The scenarios `publisher` (an organisation, as on its key) published, every status, the last
  /// posted or changed first (Store::scenarios_of_publisher). Storage errors only.
  Result<std::vector<Scenario>> publisher_scenarios(const std::string& publisher) const;

  // ---- the loop per match ----

  /// Matches, stage moves and the funnel (see Lifecycle), on this service's store and clock.
  /// A move into validation or commercialisation changes the enterprise's track record: call
  /// sync_index() after it so ranking sees it at once (the CLI and API do).
  Lifecycle& lifecycle();
  /// Applies pending store changes to the index; a no-op when another process owns the index.
  Status sync_index();
  /// A read-only service (ServiceConfig::read_only, or another process owns the index) moves its
  /// index handles to the latest commit, so reads see what a writer committed since (store reads
  /// always see the latest commit). Cheap when nothing changed. Errors: as SearchIndex::reopen.
  Status refresh();
  /// Imports real Phase III transitions (shared/data/sbir_transitions_hollomancer CSV: firm,
  /// agency, command, prior_sbir, transition_value, year, description, …) as scenarios,
  /// enterprises and matches that went all the way to commercialized, with the contract value.
  /// Rows without a firm, a year or a parseable value are reported and skipped.
  Result<ImportReport> import_transitions(const std::string& path);

  /// Rebuilds the index from the store.
  Result<IndexProgress> reindex(const ProgressFn& progress = {});
  /// Store and index state: record counts, last change seq, applied seq.
  struct State {
    int64_t scenarios = 0, enterprises = 0, store_seq = 0, applied_seq = 0;
    uint64_t indexed_scenarios = 0, indexed_enterprises = 0;
    bool index_writable = false;
  };
  Result<State> state() const;
  /// Whether this service writes the index (it holds Xapian's write lock), as decided at open.
  /// Fixed for the service's life: safe to ask from any thread.
  bool index_writable() const;

  /// Today's date in Asia/Shanghai (UTC+8, no DST) from the configured clock, YYYY-MM-DD.
  std::string today() const;
  const MatchWeights& weights() const;
  const ServiceConfig& config() const;

  // ---- the weekly digest ----

  /// Computes and stores the digest of `week` (see DigestRunner: resumes an unfinished run, does
  /// not recompute a finished one), then writes its files to `out_dir` ("" =
  /// <data_dir>/digests/<week>). The index is brought up to date first when this process owns it.
  /// Errors: as DigestRunner::run and write_files.
  Result<DigestSummary> run_digest(const IsoWeek& week, const DigestSettings& settings, const std::string& out_dir,
                                   const ProgressFn& progress = {}, const DigestRunOptions& options = {});
  /// The stored summary of a week's digest. Errors: kNotFound.
  Result<DigestSummary> digest_summary(const IsoWeek& week) const;
  /// The newest `limit` digest runs, newest week first (DigestRunner::runs). Storage errors only.
  Result<std::vector<DigestSummary>> digest_runs(size_t limit) const;
  /// The recipients of a week's run (DigestRunner::recipients). Storage errors only.
  Result<std::vector<DigestRecipientRow>> digest_recipients(const IsoWeek& week) const;
  /// One recipient's stored digest (DigestRunner::recipient). Errors: kNotFound.
  Result<nlohmann::json> digest_recipient(const IsoWeek& week, RecipientKind kind, const std::string& id) const;

  // ---- web API keys ----

  /// A web API key as stored: the role and scope it speaks for. The key text itself is never
  /// stored, only its SHA-256.
  struct ApiKey {
    int64_t id = 0;
    Role role = Role::kOperator;
    std::string scope;       ///< publisher: its organisation; enterprise: its id; operator: ""
    std::string created_at;  ///< ISO 8601 UTC, from the configured clock
    std::string revoked_at;  ///< ISO 8601 UTC; "" while the key is valid
  };
  /// A key just created: its record and the key text, which exists nowhere else afterwards.
  struct NewApiKey {
    ApiKey key;
    std::string secret;  ///< "jb_" + base64url (RFC 4648 §5, no padding) of 32 random bytes: 46 characters
  };
  /// Creates a key for `role` scoped to `scope` (publisher: the organisation name, enterprise: the
  /// enterprise id, which need not be stored yet; operator: must be ""). The 32 bytes come from
  /// OpenSSL's RAND_bytes; the store keeps their text's SHA-256 (FIPS 180-4) only.
  /// Errors: kInvalidArgument (empty scope for a publisher or enterprise, a scope for an operator,
  /// a scope with control characters or over 200 bytes), kUnavailable (no randomness), storage errors.
  Result<NewApiKey> create_key(Role role, const std::string& scope);
  /// Revokes a key at the clock's now; later requests with it are refused. Errors: kNotFound, storage errors.
  Result<ApiKey> revoke_key(int64_t id);
  /// All keys, revoked ones too, in id order (no key texts: they are not stored).
  Result<std::vector<ApiKey>> list_keys() const;
  /// The valid key whose text is `secret`. Errors: kUnauthenticated for a malformed, unknown or
  /// revoked key (the message says which), storage errors.
  Result<ApiKey> authenticate(const std::string& secret) const;

  // ---- page sessions (a key exchanged for a cookie) ----

  /// A signed-in session of the pages: it speaks for the key it was opened with.
  struct WebSession {
    std::string token;       ///< the cookie's value: "js_" + base64url of 32 random bytes (only in open_session's answer)
    std::string csrf;        ///< base64url of 32 random bytes: every form and state-changing request carries it
    ApiKey key;              ///< the key it speaks for
    std::string expires_at;  ///< ISO 8601 UTC
  };
  /// Authenticates `secret` (as authenticate()) and opens a session lasting `ttl` from the
  /// clock's now. The store keeps the token's SHA-256 only. Errors: as authenticate()
  /// (kUnauthenticated for a bad key), kUnavailable (no randomness), storage errors.
  Result<WebSession> open_session(const std::string& secret, std::chrono::seconds ttl);
  /// The live session whose token is `token` (its `token` left empty). Errors: kUnauthenticated
  /// for an unknown, expired or ended session or one whose key was revoked (the message says
  /// which), storage errors.
  Result<WebSession> session(const std::string& token) const;
  /// Ends a session (signing out). Ending an unknown one is not an error. Storage errors only.
  Status end_session(const std::string& token);

  /// The code tables records are validated against (for pickers and names). Thread-safe reads.
  const RegionTable& regions() const;
  const IndustryTable& industries() const;

 private:
  struct Impl;
  explicit Service(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace jiebang
