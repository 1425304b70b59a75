// The loop per match: stages, who may move a match where, append-only events, and the funnel.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jiebang/core/calendar.h"  // parse_iso_time and format_iso_time, declared here before
#include "jiebang/core/money.h"
#include "jiebang/core/stages.h"  // Stage, Role (declared here before)
#include "jiebang/core/status.h"
#include "jiebang/store/store.h"

namespace jiebang {

// Stage, Role, their names and the stored_* readers are in jiebang/core/stages.h (included above).

/// An actor: a role and who within it (the publisher's organisation name, the enterprise id, or
/// the operator's name). Publishers and enterprises act only on their own matches.
struct Actor {
  Role role = Role::kOperator;
  std::string id;
};

/// The transition rule. Moves allowed (from → to: roles):
///   recommended → applied: enterprise · applied → selected: publisher · selected → rd: enterprise, publisher ·
///   rd → validation: publisher · validation → commercialized: publisher ·
///   any non-terminal → withdrawn: enterprise, publisher · applied → rejected: publisher ·
///   rd → failed: enterprise, publisher · validation → failed: publisher.
/// The operator may make every move above, and also any other move between two different stages,
/// which is recorded as a correction. Nothing else is allowed; in particular no stage is skipped.
bool transition_allowed(Stage from, Stage to, Role role);
/// True when `from → to` is not a normal move for anyone, so an operator's move is a correction.
bool is_correction(Stage from, Stage to);
/// The stages `role` may move a match at `from` to (operator: the normal moves only), in stage order.
std::vector<Stage> allowed_next(Stage from, Role role);

/// One event of a match's history.
struct MatchEvent {
  int64_t seq = 0;
  Actor actor;
  std::string at;            ///< ISO 8601 UTC ("2026-11-29T08:00:00Z")
  std::optional<Stage> from; ///< nullopt for the event that created the match
  Stage to = Stage::kRecommended;
  std::string note;
  std::string evidence;      ///< URL or document reference
  std::optional<Money> contract_value;  ///< the contract's value, recorded with commercialisation; else nullopt
  bool correction = false;
};

/// A match with its derived current stage and its whole history.
struct Match {
  std::string id;
  std::string scenario_id;
  std::string enterprise_id;
  std::string publisher;
  Stage stage = Stage::kRecommended;  ///< the last event's `to`
  std::string created_at, updated_at;
  std::vector<MatchEvent> history;
};

/// A requested move.
struct MoveRequest {
  Stage to = Stage::kApplied;
  std::string note;
  std::string evidence;
  std::optional<Money> contract_value;  ///< required (minor ≥ 0) when moving to commercialized
  std::optional<Stage> expected_from;         ///< optional optimistic check: refused (kConflict) if the match has moved on
};

/// Funnel grouping and window.
struct FunnelQuery {
  std::string group_by;      ///< "publisher" | "region" | "industry" | "scenario" (its id) | "" (one group "all")
  std::string publisher;     ///< only the matches of this publisher's scenarios; "" = every publisher
  /// YYYY-MM-DD bounds on the match's creation day, inclusive, as Beijing calendar days
  /// (Asia/Shanghai: "to" = "2026-12-07" ends at 2026-12-07T16:00:00Z); "" = open.
  std::string from, to;
  /// Days in a stage after which a match still there counts as stalled; unit: days.
  std::map<Stage, int> stall_days = {{Stage::kRecommended, 14}, {Stage::kApplied, 30}, {Stage::kSelected, 30},
                                     {Stage::kRd, 180}, {Stage::kValidation, 120}};
};

/// A stalled match in a funnel group.
struct StalledMatch {
  std::string match_id;
  Stage stage = Stage::kRecommended;
  double days = 0;  ///< unit: days in the current stage, as of the clock's now
};

/// One group of the funnel.
struct FunnelGroup {
  std::string key;
  size_t matches = 0;
  std::array<size_t, 6> reached{};        ///< per forward stage: matches that got at least that far
  std::array<std::optional<double>, 5> conversion{};  ///< reached[i+1] / reached[i]; nullopt when reached[i] = 0
  std::array<std::optional<double>, 6> median_days{}; ///< median days spent in the stage (completed stays only)
  size_t withdrawn = 0, rejected = 0, failed = 0;
  /// Sum of commercialisation contract values per currency (ISO 4217 → minor units, fen for CNY).
  std::map<std::string, int64_t> contract_value_minor;
  std::vector<StalledMatch> stalled;
};

/// Matches and their loop over a Store. Time from the injected clock. Thread-safe as the Store is.
///
/// The marketplace's rule on open scenarios holds here, for every caller (API, CLI, pages) and
/// every role, the operator included: a match is created (applied or invited) and moved into
/// `applied` only on a scenario whose status is "open" and whose deadline (its last day, China
/// date, Asia/Shanghai) is today or later or unset; otherwise kConflict naming the scenario and
/// why. So the funnel and the digests count only legal applications.
class Lifecycle {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  /// kLive: the marketplace's rules. kHistory: records past events as they happened elsewhere
  /// (the SBIR import of past awards, on scenarios long closed): the open-scenario rule is not
  /// applied. Reached from no request: the importer makes its own Lifecycle.
  enum class Recording { kLive, kHistory };
  Lifecycle(Store& store, Clock clock, Recording recording = Recording::kLive)
      : store_(store), clock_(std::move(clock)), recording_(recording) {}

  /// Creates a match: an enterprise applies (first stage applied) or a publisher invites
  /// (recommended); an operator may create either (`stage` applied or recommended).
  /// Errors: kPermissionDenied (a publisher for another organisation's scenario, an enterprise for
  /// another enterprise), kInvalidArgument (any other first stage), kNotFound, kConflict (pair
  /// exists; the scenario is not open, see the class comment).
  Result<Match> create(const std::string& scenario_id, const std::string& enterprise_id, const Actor& actor,
                       Stage stage, const std::string& note = "");
  /// Moves a match. Errors: kNotFound; kPermissionDenied when the actor is not a party of the match
  /// or its role may not make this move; kConflict when the move is not allowed from the current
  /// stage (the message names the current stage and the allowed next stages) or `expected_from`
  /// no longer holds, or the move is into `applied` on a scenario that is not open (see the class
  /// comment); kInvalidArgument for a commercialisation without a contract value.
  Result<Match> move(const std::string& match_id, const Actor& actor, const MoveRequest& request);
  /// The stages `role` may move `m` to now: allowed_next(m.stage, role) without `applied` when
  /// m's scenario takes no applications (closed, or past its deadline). Errors: kNotFound (the
  /// scenario), the store's.
  Result<std::vector<Stage>> allowed_next(const Match& m, Role role) const;
  /// A match with its history. Errors: kNotFound.
  Result<Match> get(const std::string& match_id) const;
  /// Matches passing the filter (no histories).
  Result<std::vector<Match>> list(const MatchFilter& filter) const;
  /// The funnel per group. Region and industry come from the stored scenario (its region code or
  /// text; its first industry). Errors: kInvalidArgument for an unknown group_by or a bad date.
  Result<std::vector<FunnelGroup>> funnel(const FunnelQuery& query) const;

  /// Now as ISO 8601 UTC, from the clock.
  std::string now_iso() const;

 private:
  Store& store_;
  Clock clock_;
  Recording recording_;
};

}  // namespace jiebang
