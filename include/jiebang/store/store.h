// The SQLite store: source of truth for records, with versioned migrations and the change log.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "jiebang/core/records.h"
#include "jiebang/core/stages.h"
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

/// A stored match between a scenario and an enterprise (the loop per match). The stage is stored
/// by its name (stage_name); a row whose stage this version does not know is not read (an error
/// naming the row, see stored_stage).
struct MatchRow {
  std::string id;             ///< "m000001", assigned by create_match
  std::string scenario_id;
  std::string enterprise_id;
  std::string publisher;      ///< the scenario's publisher when the match was created
  Stage stage = Stage::kRecommended;  ///< current stage: the to_stage of the last event
  int64_t version = 0;        ///< number of events so far
  std::string created_at;     ///< ISO 8601 UTC
  std::string updated_at;
};

/// One append-only stage event of a match.
struct MatchEventRow {
  int64_t seq = 0;            ///< assigned by the store; strictly increasing across all matches
  std::string match_id;
  Role actor_role = Role::kOperator;
  std::string actor_id;       ///< organisation, enterprise id or operator name
  std::string at;             ///< ISO 8601 UTC, from the caller's (injected) clock
  std::optional<Stage> from_stage;  ///< nullopt (stored NULL) for the event that created the match
  Stage to_stage = Stage::kRecommended;
  std::string note;
  std::string evidence;       ///< a URL or document reference
  std::optional<int64_t> contract_value_minor;  ///< unit: minor units of contract_currency (fen for CNY)
  std::string contract_currency;              ///< ISO 4217 ("CNY"); "" when there is no value
  bool correction = false;    ///< an operator's correction (a move the normal rule does not allow)
};

/// The match stages that count in an enterprise's track record (validation, commercialized): moving a
/// match into one writes a change row for the enterprise, so the index picks up the outcome.
inline const std::vector<Stage>& track_record_stages() {
  static const std::vector<Stage> kStages = {Stage::kValidation, Stage::kCommercialized};
  return kStages;
}

/// Filters for list_matches; empty strings and nullopt mean "any".
struct MatchFilter {
  std::string scenario_id, enterprise_id, publisher;
  std::optional<Stage> stage;
  std::string after_id;       ///< paging: ids greater than this
  size_t limit = 100;
};

/// A stored web API key. The key text itself is never stored, only its SHA-256 (hex).
struct ApiKeyRow {
  int64_t id = 0;
  std::string key_hash;    ///< lower-case hex SHA-256 of the key text (64 characters)
  Role role = Role::kOperator;  ///< stored by its name; an unknown one is an error naming the row (stored_role)
  std::string scope;       ///< the publisher's organisation, the enterprise id, or "" for an operator
  std::string created_at;  ///< ISO 8601 UTC
  std::string revoked_at;  ///< ISO 8601 UTC; "" while the key is valid
};

/// A signed-in page session as stored (the token itself is never stored, only its SHA-256).
struct WebSessionRow {
  std::string token_hash;  ///< lower-case hex SHA-256 of the session token
  int64_t key_id = 0;      ///< the API key the session speaks for
  std::string csrf;        ///< the session's CSRF token (sent in forms, not a credential alone)
  std::string created_at;  ///< ISO 8601 UTC
  std::string expires_at;  ///< ISO 8601 UTC
};

/// A weekly digest run as stored (the digest module's; see DigestRun there for the meaning).
struct DigestRunRow {
  std::string week;         ///< ISO week, "2026-W48"
  std::string settings;     ///< JSON text of the rules the run was made with
  std::string started_at;   ///< ISO 8601 UTC, the first attempt
  std::string finished_at;  ///< ISO 8601 UTC; "" while unfinished
  double seconds = 0;       ///< compute time summed over attempts; unit: seconds
  int64_t attempts = 0;     ///< how many times the run was started (1 + resumptions)
  int64_t recipients = 0;   ///< recipients processed so far (with or without items)
  int64_t recipients_with_items = 0;
  int64_t items = 0;        ///< items stored, all kinds
};
/// One recipient processed by a digest run.
struct DigestRecipientRow {
  RecipientKind kind = RecipientKind::kEnterprise;
  std::string recipient_id;  ///< enterprise id or publisher organisation
  std::string name;
  std::string language;      ///< "zh" | "en"
  int64_t items = 0;
};
/// One item of a recipient's digest.
struct DigestItemRow {
  std::string week;
  RecipientKind kind = RecipientKind::kEnterprise;  ///< the recipient's kind
  std::string recipient_id;
  int64_t rank = 0;           ///< 1-based
  std::string item;           ///< "scenario" (for an enterprise) | "candidate" (for a publisher) | "stalled"
  std::string scenario_id, enterprise_id;
  std::string match_id;       ///< stalled items: the match
  int64_t match_version = 0;  ///< stalled items: the match's version (event count) when sent
  std::string payload;        ///< JSON text: what the item shows
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

  /// The schema version after migrations (PRAGMA user_version). Errors: as any read
  /// (kUnavailable, kInternal: the file is damaged or gone) — never an exception.
  Result<int> schema_version() const;

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
  // ---- matches (stored here; the rules live in the lifecycle module) ----

  /// Creates a match with its first event (from_stage nullopt), in one transaction.
  /// Errors: kConflict when the (scenario, enterprise) pair already has a match (the message
  /// names its id and stage); kNotFound when the scenario or enterprise is not stored.
  Result<MatchRow> create_match(const std::string& scenario_id, const std::string& enterprise_id,
                                MatchEventRow first_event);
  /// Appends one event under an immediate (write-locked) transaction: reads the current row,
  /// calls `check(current, event)` — its error aborts with nothing written; it may amend the
  /// event (e.g. mark a correction) — then appends the event
  /// (from_stage = the current stage) and updates the derived stage and version. When the new
  /// stage is one of `track_record_stages`, a change row for the enterprise is written in the same
  /// transaction so the index picks up the outcome. Two writers racing on one match are
  /// serialised: the second sees the first's stage in `check`.
  /// Errors: kNotFound (no match), whatever `check` returns, storage errors.
  Result<MatchRow> append_match_event(const std::string& match_id,
                                      const std::function<Status(const MatchRow& current, MatchEventRow& event)>& check,
                                      MatchEventRow event, const std::vector<Stage>& track_record_stages);
  /// Every read of match rows and events below (and append_match_event's current row) converts a
  /// stored stage or role once; one this version does not know is kInternal naming the table, the
  /// row and the column (stored_stage), never a default.
  Result<MatchRow> get_match(const std::string& match_id) const;
  /// The events of one match in order.
  Result<std::vector<MatchEventRow>> match_events(const std::string& match_id) const;
  /// Matches passing the filter, in id order.
  Result<std::vector<MatchRow>> list_matches(const MatchFilter& filter) const;
  /// Calls `fn` for every match with its events (events in order); for the funnel.
  Status for_each_match_history(const std::function<void(const MatchRow&, const std::vector<MatchEventRow>&)>& fn) const;
  /// (publisher, stage) of the enterprise's matches that reached one of `stages`, the last of
  /// them each match reached; for track record.
  Result<std::vector<std::pair<std::string, Stage>>> match_outcomes(const std::string& enterprise_id,
                                                                     const std::vector<Stage>& stages) const;

  /// The scenarios `publisher` published (every status), the last written first (by their latest
  /// change row); none when it has none.
  /// Reads through the publisher index. Errors: storage errors (kUnavailable, kInternal).
  Result<std::vector<Scenario>> scenarios_of_publisher(const std::string& publisher) const;
  /// Calls `fn` for every stored record of the kind, in id order; `fn` returning false stops.
  Status for_each_scenario(const std::function<bool(Scenario&&)>& fn) const;
  Status for_each_enterprise(const std::function<bool(Enterprise&&)>& fn) const;

  /// ISO 8601 UTC time of the first change row of a record (when it was first stored).
  /// Errors: kNotFound when the record has no change row.
  Result<std::string> first_stored_at(RecordKind kind, const std::string& id) const;

  // ---- the weekly digest (src/store/digest_store.cpp) ----

  /// The run of `week` with its counts. Errors: kNotFound when the week was never started.
  Result<DigestRunRow> get_digest_run(const std::string& week) const;
  /// Starts the run of `week` (settings JSON text, now ISO 8601 UTC), or, when it exists, counts
  /// one more attempt (a finished run is returned unchanged). Returns the stored run.
  Result<DigestRunRow> start_digest_run(const std::string& week, const std::string& settings, const std::string& now);
  /// The newest `limit` digest runs (started or finished) with their counts, newest week first.
  Result<std::vector<DigestRunRow>> list_digest_runs(size_t limit) const;
  /// The newest week with a digest run (started or finished), "" when none.
  Result<std::string> latest_digest_week() const;
  /// Adds compute time to a run and, when `finished_at` is not empty, marks it finished.
  /// Errors: kNotFound.
  Status update_digest_run(const std::string& week, double add_seconds, const std::string& finished_at);
  /// Stores processed recipients and their items in one transaction (all or nothing). A recipient
  /// already stored for the week is left as it is, with its items (a run repeated by another
  /// process computes the same). Errors: kNotFound when the run does not exist, storage errors.
  Status store_digest_recipients(const std::string& week, const std::vector<DigestRecipientRow>& recipients,
                                 const std::vector<DigestItemRow>& items);
  /// The recipients of `week` processed so far, by kind then id. A stored kind this version does
  /// not know is kInternal naming the row (stored_recipient_kind), here and below.
  Result<std::vector<DigestRecipientRow>> digest_recipients(const std::string& week) const;
  /// One recipient of `week`. Errors: kNotFound.
  Result<DigestRecipientRow> digest_recipient(const std::string& week, RecipientKind kind,
                                              const std::string& recipient_id) const;
  /// Items of one recipient: of `week` when `earlier` is false (in rank order), or of every week
  /// before `week` when it is true (for the no-repeat rule).
  Result<std::vector<DigestItemRow>> digest_items(const std::string& week, RecipientKind kind,
                                                  const std::string& recipient_id, bool earlier = false) const;

  // ---- web API keys (src/store/key_store.cpp) ----

  /// Stores a new key by its hash; `row.id` is assigned. Errors: kConflict when the hash is
  /// already stored (a repeated key), storage errors.
  Result<ApiKeyRow> insert_api_key(ApiKeyRow row);
  /// Marks a key revoked at `at` (ISO 8601 UTC). Revoking a revoked key keeps the first time.
  /// Errors: kNotFound (no key with this id), storage errors.
  Result<ApiKeyRow> revoke_api_key(int64_t id, const std::string& at);
  /// The key with this hash, revoked or not. Errors: kNotFound, storage errors.
  Result<ApiKeyRow> find_api_key(const std::string& key_hash) const;
  /// All keys (revoked ones too), in id order.
  Result<std::vector<ApiKeyRow>> list_api_keys() const;

  // ---- page sessions (src/store/key_store.cpp) ----

  /// Stores a new session. Errors: kConflict (the token hash is taken), storage errors.
  Status insert_web_session(const WebSessionRow& row);
  /// The session with this token hash and the key it speaks for (revoked or not).
  /// Errors: kNotFound, storage errors.
  Result<std::pair<WebSessionRow, ApiKeyRow>> find_web_session(const std::string& token_hash) const;
  /// Deletes a session (signing out); deleting an absent one is not an error. Storage errors only.
  Status delete_web_session(const std::string& token_hash);

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace jiebang
