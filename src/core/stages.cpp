// Stages, roles and recipient kinds (see include/jiebang/core/stages.h).
#include "jiebang/core/stages.h"

#include <fmt/format.h>

namespace jiebang {
namespace {

constexpr std::string_view kStageNames[] = {"recommended",    "applied",   "selected", "rd",    "validation",
                                            "commercialized", "withdrawn", "rejected", "failed"};
static_assert(std::size(kStageNames) == kAllStages.size());

Status unknown_stored_value(std::string_view value, const StoreCell& where, std::string_view what,
                            std::string_view known) {
  return Status::internal(fmt::format("{} row \"{}\", column {}: \"{}\" is not a {} ({}); the store was not written "
                                      "by this version's rules",
                                      where.table, where.row, where.column, value, what, known));
}

}  // namespace

std::string_view stage_name(Stage s) { return kStageNames[static_cast<size_t>(s)]; }

std::optional<Stage> parse_stage(std::string_view name) {
  for (Stage s : kAllStages)
    if (stage_name(s) == name) return s;
  return std::nullopt;
}

std::string stage_names(std::string_view separator) {
  std::string out;
  for (Stage s : kAllStages) {
    if (!out.empty()) out += separator;
    out += stage_name(s);
  }
  return out;
}

bool is_terminal(Stage s) {
  return s == Stage::kCommercialized || s == Stage::kWithdrawn || s == Stage::kRejected || s == Stage::kFailed;
}

std::string_view role_name(Role r) {
  switch (r) {
    case Role::kPublisher: return "publisher";
    case Role::kEnterprise: return "enterprise";
    case Role::kOperator: return "operator";
  }
  return "operator";
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role r : {Role::kPublisher, Role::kEnterprise, Role::kOperator})
    if (role_name(r) == name) return r;
  return std::nullopt;
}

std::string_view recipient_kind_name(RecipientKind kind) {
  return kind == RecipientKind::kPublisher ? "publisher" : "enterprise";
}

std::optional<RecipientKind> parse_recipient_kind(std::string_view name) {
  if (name == "enterprise") return RecipientKind::kEnterprise;
  if (name == "publisher") return RecipientKind::kPublisher;
  return std::nullopt;
}

Result<Stage> stored_stage(std::string_view value, const StoreCell& where) {
  if (auto s = parse_stage(value)) return *s;
  return unknown_stored_value(value, where, "stage", stage_names());
}

Result<Role> stored_role(std::string_view value, const StoreCell& where) {
  if (auto r = parse_role(value)) return *r;
  return unknown_stored_value(value, where, "role", "publisher, enterprise, operator");
}

Result<RecipientKind> stored_recipient_kind(std::string_view value, const StoreCell& where) {
  if (auto k = parse_recipient_kind(value)) return *k;
  return unknown_stored_value(value, where, "recipient kind", "enterprise, publisher");
}

}  // namespace jiebang
