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
#include "jiebang/core/status.h"
#include "jiebang/index/search_index.h"
#include "jiebang/match/eval.h"
#include "jiebang/match/matcher.h"

namespace jiebang {

/// Where things live and how ranking is weighted. Loaded in main (defaults < environment < flags).
struct ServiceConfig {
  std::string data_dir = "./var";  ///< holds jiebang.sqlite3 and index/. Env JIEBANG_DATA_DIR.
  std::string index_dir;           ///< the index definition (taxonomies, weights); "" = default_index_dir()
  std::string weights_path;        ///< ranking weights JSON; "" = <index_dir>/ranking.json
  size_t import_batch = 1000;      ///< records per store transaction during import; unit: records
  /// The clock; "today" (Asia/Shanghai) for deadlines comes from it. Default: the system clock.
  std::function<std::chrono::system_clock::time_point()> clock;
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
};

/// Progress of a long operation: `done` of `total` (0 when unknown), and a phase name.
using ProgressFn = std::function<void(const std::string& phase, size_t done, size_t total)>;

/// Outcome of an evaluation run.
struct EvalReport {
  EvalSummary summary;
  size_t scenarios_without_answers = 0;  ///< scenarios in the store with no relevant qrels (not counted)
  size_t qrels_without_scenario = 0;     ///< qrels queries naming no stored scenario (counted as 0)
  double seconds = 0;
};

/// The engine as one object. Opening it catches the index up with the store. Not thread-safe:
/// one instance per thread of control (the API module serialises writes through one instance).
class Service {
 public:
  /// Opens (creating) the data directory, store and index, loads the taxonomies and weights, and
  /// applies pending store changes to the index. Errors: as Store::open / SearchIndex::open, and
  /// kNotFound / kInvalidArgument for a missing or malformed index definition.
  static Result<std::unique_ptr<Service>> open(ServiceConfig config, const ProgressFn& progress = {});
  ~Service();

  /// Imports records from a file (format from its extension: .csv is CSV, else JSON Lines).
  /// Good records are stored and indexed; bad ones are reported with line, key and reason.
  /// Errors (whole call): kNotFound (no file), kInvalidArgument (unreadable as a whole),
  /// storage errors.
  Result<ImportReport> import_file(RecordKind kind, const std::string& path, const ProgressFn& progress = {});
  Result<ImportReport> import_stream(RecordKind kind, std::istream& in, FileFormat format,
                                     const ProgressFn& progress = {});

  /// Scenario search (see SearchIndex::search_scenarios); `filters.today` is filled from the clock.
  /// Region and industry filters are given as codes or names and resolved here.
  /// Errors: kInvalidArgument for an unknown region or industry code.
  Result<std::vector<SearchHit>> search(const std::string& query, SearchFilters filters, size_t limit) const;
  /// Enterprises ranked for a stored scenario. Errors: kNotFound.
  Result<std::vector<MatchResult>> match_scenario(const std::string& scenario_id, size_t limit) const;
  /// Open scenarios ranked for a stored enterprise. Errors: kNotFound.
  Result<std::vector<MatchResult>> match_enterprise(const std::string& enterprise_id, size_t limit) const;

  /// Matches every stored scenario named in `qrels` and measures the top 10; writes the run to
  /// `run_out` when given.
  Result<EvalReport> evaluate(const Qrels& qrels, std::ostream* run_out, const ProgressFn& progress = {}) const;

  /// Rebuilds the index from the store.
  Result<IndexProgress> reindex(const ProgressFn& progress = {});
  /// Store and index state: record counts, last change seq, applied seq.
  struct State {
    int64_t scenarios = 0, enterprises = 0, store_seq = 0, applied_seq = 0;
    uint64_t indexed_scenarios = 0, indexed_enterprises = 0;
    bool index_writable = false;
  };
  Result<State> state() const;

  /// Today's date in Asia/Shanghai (UTC+8, no DST) from the configured clock, YYYY-MM-DD.
  std::string today() const;
  const MatchWeights& weights() const;
  const ServiceConfig& config() const;

 private:
  struct Impl;
  explicit Service(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace jiebang
