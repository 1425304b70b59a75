// The loop per match's vocabulary: the stages of a match, the roles that act on it and the kinds
// of a digest's recipient, as enums with their one spelling each. The store's rows carry them,
// converted once when a row is read; the lifecycle, the digest, the API and the CLI share them.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "jiebang/core/status.h"

namespace jiebang {

/// Stages of a match (shared/DESIGN.md): the forward path recommended → applied (揭榜) →
/// selected (挂帅) → rd → validation → commercialized, and the ends withdrawn, rejected, failed.
enum class Stage { kRecommended, kApplied, kSelected, kRd, kValidation, kCommercialized, kWithdrawn, kRejected, kFailed };
inline constexpr std::array<Stage, 9> kAllStages = {Stage::kRecommended, Stage::kApplied,    Stage::kSelected,
                                                    Stage::kRd,          Stage::kValidation, Stage::kCommercialized,
                                                    Stage::kWithdrawn,   Stage::kRejected,   Stage::kFailed};
/// The forward path, in order (index = position on the path).
inline constexpr std::array<Stage, 6> kForwardStages = {Stage::kRecommended, Stage::kApplied,    Stage::kSelected,
                                                        Stage::kRd,          Stage::kValidation, Stage::kCommercialized};

std::string_view stage_name(Stage s);                     ///< "recommended", "applied", …, "failed"
std::optional<Stage> parse_stage(std::string_view name);  ///< nullopt for an unknown name (names are lower case)
/// Every stage's name in kAllStages order, joined by `separator`: "recommended, applied, …, failed"
/// (for the errors that list the valid stages).
std::string stage_names(std::string_view separator = ", ");
/// True for commercialized, withdrawn, rejected and failed: no move leaves them but an operator's correction.
bool is_terminal(Stage s);

/// Who acts.
enum class Role { kPublisher, kEnterprise, kOperator };
std::string_view role_name(Role r);                       ///< "publisher" | "enterprise" | "operator"
std::optional<Role> parse_role(std::string_view name);    ///< nullopt for an unknown name

/// Who a weekly digest is for: an enterprise (scenarios for it, its stalled matches) or a
/// publisher organisation (candidates for its open scenarios, its stalled matches).
enum class RecipientKind { kEnterprise, kPublisher };
/// "enterprise" | "publisher": the spelling of the store (digest_recipients.kind and
/// digest_items.kind, both CHECKed), the API's `kind` and the digest's output directories.
std::string_view recipient_kind_name(RecipientKind kind);
/// The kind `name` spells; nullopt for anything else (names are lower case).
std::optional<RecipientKind> parse_recipient_kind(std::string_view name);

/// Where a value read from the store came from, for the error when it is not one this version
/// knows: the table, the row's key and the column (e.g. {"match_events", "17", "to_stage"}).
struct StoreCell {
  std::string_view table;
  std::string_view row;     ///< the row's key: a match id, an event seq, a digest recipient's week and id
  std::string_view column;
};
/// The stage a stored value names. Never a default: an unknown value (a store written by another
/// version, or edited by hand) is kInternal "matches row \"m-1\", column stage: \"x\" is not a
/// stage (recommended, …)". The schema's CHECK constraints (v6) keep new rows valid. Thread-safe.
Result<Stage> stored_stage(std::string_view value, const StoreCell& where);
/// The role a stored value names; an unknown value is kInternal, as stored_stage.
Result<Role> stored_role(std::string_view value, const StoreCell& where);
/// The recipient kind a stored value names; an unknown value is kInternal, as stored_stage.
Result<RecipientKind> stored_recipient_kind(std::string_view value, const StoreCell& where);

}  // namespace jiebang
