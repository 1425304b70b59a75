// The SQLite store: source of truth for records, with versioned migrations and the change log.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "jiebang/core/records.h"
#include "jiebang/core/status.h"

namespace jiebang {

/// One row of the change log: record `record_id` of `kind` was written (upsert) or removed
/// (remove) by the transaction that assigned `seq`. Seqs increase strictly and are never reused
/// (SQLite AUTOINCREMENT).
struct Change {
  int64_t seq = 0;
  RecordKind kind = RecordKind::kScenario;
  std::string record_id;
  std::string op;  ///< "upsert" | "remove"
};

/// What an upsert did to one record.
enum class UpsertOutcome { kInserted, kUpdated, kUnchanged };

/// The SQLite store. WAL journal, synchronous=FULL (an acknowledged write survives power loss;
/// imports batch many records per transaction so the fsync cost is shared). Each record write and
/// its `changes` row are in one transaction. Thread-safe: calls are serialised by an internal
/// mutex. Other processes may open the same file; writers wait up to 10 s for the lock.
class Store {
 public:
  /// Opens (creating if needed) the database at `path` and applies pending schema migrations.
  /// Errors: kUnavailable when the file cannot be opened or is locked past the timeout,
  /// kInternal when the file is not a jiebang store of a known schema version.
  static Result<std::unique_ptr<Store>> open(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  /// The schema version after migrations (PRAGMA user_version).
  int schema_version() const;

  /// Upserts scenarios by id in one transaction. Per record: kInserted / kUpdated (and a change
  /// row) or kUnchanged (stored form identical: no change row). A scenario whose id is already
  /// owned by another publisher is refused with kConflict and the others still written.
  /// The whole call fails (nothing written) only on a storage error (kUnavailable/kInternal).
  Result<std::vector<Result<UpsertOutcome>>> upsert_scenarios(const std::vector<Scenario>& records);
  /// As upsert_scenarios, for enterprises (no ownership rule).
  Result<std::vector<Result<UpsertOutcome>>> upsert_enterprises(const std::vector<Enterprise>& records);

  /// Errors: kNotFound when no record has this id.
  Result<Scenario> get_scenario(const std::string& id) const;
  Result<Enterprise> get_enterprise(const std::string& id) const;

  /// Change rows with seq > `after_seq`, in seq order, at most `limit`.
  Result<std::vector<Change>> changes_after(int64_t after_seq, size_t limit) const;
  /// The highest seq in the change log (0 when empty).
  Result<int64_t> last_seq() const;
  /// Number of stored records of a kind.
  Result<int64_t> count(RecordKind kind) const;
  /// Calls `fn` for every stored record of the kind, in id order; `fn` returning false stops.
  Status for_each_scenario(const std::function<bool(Scenario&&)>& fn) const;
  Status for_each_enterprise(const std::function<bool(Enterprise&&)>& fn) const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace jiebang
