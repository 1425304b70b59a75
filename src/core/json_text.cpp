// parse_json_text: nlohmann's parser with a callback that bounds depth and refuses repeated keys.
#include "jiebang/core/json_text.h"

#include <unordered_set>
#include <vector>

#include <fmt/format.h>

namespace jiebang {

JsonTooDeep::JsonTooDeep(size_t max)
    : std::runtime_error(fmt::format("the JSON is nested deeper than {} levels", max)), max_depth(max) {}

JsonDuplicateKey::JsonDuplicateKey(std::string shown)
    : std::runtime_error(fmt::format("the key {} is given twice in one object; give each key once", shown)),
      key(std::move(shown)) {}

nlohmann::json parse_json_text(std::string_view text, size_t max_depth) {
  using json = nlohmann::json;
  // The keys seen in each object being parsed, innermost last.
  std::vector<std::unordered_set<std::string>> open;
  return json::parse(text, [&open, max_depth](int depth, json::parse_event_t event, json& parsed) {
    if (depth > static_cast<int>(max_depth)) throw JsonTooDeep(max_depth);
    switch (event) {
      case json::parse_event_t::object_start:
        open.emplace_back();
        break;
      case json::parse_event_t::key:
        if (!open.empty() && !open.back().insert(parsed.get_ref<const std::string&>()).second) {
          std::string shown = json(parsed).dump(-1, ' ', true, json::error_handler_t::replace);
          if (shown.size() > 64) shown = shown.substr(0, 60) + "…\"";
          throw JsonDuplicateKey(std::move(shown));
        }
        break;
      case json::parse_event_t::object_end:
        if (!open.empty()) open.pop_back();
        break;
      default:
        break;
    }
    return true;
  });
}

}  // namespace jiebang
