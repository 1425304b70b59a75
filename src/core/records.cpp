// Validation and JSON/CSV conversion of scenario and enterprise records.
#include "jiebang/core/input_rules.h"
#include "jiebang/core/records.h"
#include "jiebang/core/limits.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string_view>

#include <fmt/format.h>
#include <unicode/utf8.h>

#include "jiebang/core/calendar.h"
#include "jiebang/core/utf8.h"
#include "jiebang/core/uscc.h"

namespace jiebang {
namespace {

using nlohmann::json;

constexpr size_t kMaxIdBytes = kRecordLimits.id_bytes;

/// JSON text of a value for messages and size checks. Never throws: invalid UTF-8 (a CSV header or
/// cell not yet checked) is replaced by U+FFFD instead of type_error 316, which escaped the reader
/// (found by fuzz/csv_fuzz.cpp).
std::string safe_dump(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

const char* type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::string: return "string";
    case json::value_t::array: return "array";
    case json::value_t::object: return "object";
    case json::value_t::number_float: return "number";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    default: return "value";
  }
}

/// Reads fields of one JSON object, recording every problem under its dotted key.
class FieldReader {
 public:
  /// `bounded`: apply the boundary rules (size limits, control characters); false for records
  /// read back from the store, which were admitted under whatever rules held when they were written.
  FieldReader(const json& obj, std::string prefix, std::vector<FieldError>& errors, bool bounded)
      : obj_(obj), prefix_(std::move(prefix)), errors_(errors), bounded_(bounded) {}

  bool bounded() const { return bounded_; }

  void error(std::string_view key, std::string message) {
    errors_.push_back({prefix_ + std::string(key), std::move(message)});
  }

  const json* get(std::string_view key) {
    seen_.insert(std::string(key));
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  /// Text over `max_bytes` (UTF-8 bytes) is an error naming the key and the limit.
  std::string string(std::string_view key, bool required, size_t max_bytes = kRecordLimits.short_bytes) {
    const json* v = get(key);
    if (!v) {
      if (required) error(key, "is required");
      return {};
    }
    if (!v->is_string()) {
      error(key, fmt::format("expected a string, got {}", type_name(*v)));
      return {};
    }
    const std::string& ref = v->get_ref<const std::string&>();
    if (!bounded_) return ref;
    if (ref.size() > max_bytes) {
      error(key, fmt::format("is {} bytes, at most {} allowed", ref.size(), max_bytes));
      return {};
    }
    if (!check_text(key, ref)) return {};
    std::string s = ref;
    if (required && !has_visible_char(s))
      error(key, s.empty() ? "must not be empty" : "must not be empty: it holds only spaces or invisible characters");
    return s;
  }

  /// The control-character rule (find_forbidden_char): false, with an error, when `text` breaks it.
  bool check_text(std::string_view key, std::string_view text) {
    if (!bounded_) return true;
    if (auto bad = find_forbidden_char(text)) {
      error(key, fmt::format("contains the control character U+{:04X} at byte {}: control characters (other than "
                             "tab and line breaks) and bidi overrides are refused",
                             bad->codepoint, bad->offset));
      return false;
    }
    return true;
  }

  /// The control-character rule for every string and every key inside `v` (an object kept as
  /// given: policy, size, contact, budget's and the record's unknown keys), at any depth. An
  /// error names the path ("contact.phone", "policy.steps[2]") and, for a bad key, the key
  /// with its control characters escaped. False when one was found.
  bool check_json_text(const std::string& path, const json& v) {
    if (!bounded_) return true;
    if (v.is_string()) return check_text(path, v.get_ref<const std::string&>());
    if (v.is_array()) {
      for (size_t i = 0; i < v.size(); ++i)
        if (!check_json_text(fmt::format("{}[{}]", path, i), v[i])) return false;
      return true;
    }
    if (!v.is_object()) return true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (auto bad = find_forbidden_char(it.key())) {
        std::string shown = json(it.key()).dump(-1, ' ', true, json::error_handler_t::replace);
        error(path.empty() ? shown : path, fmt::format("the key {} contains the control character U+{:04X} at byte {}: control characters "
                                "(other than tab and line breaks) and bidi overrides are refused",
                                shown, bad->codepoint, bad->offset));
        return false;
      }
      if (!check_json_text(path.empty() ? it.key() : path + "." + it.key(), it.value())) return false;
    }
    return true;
  }

  std::vector<std::string> string_list(std::string_view key) {
    std::vector<std::string> out;
    const json* v = get(key);
    if (!v) return out;
    const size_t max_item = kRecordLimits.list_item_bytes;
    if (v->is_string()) {  // a single value is accepted as a one-element list
      const std::string& one = v->get_ref<const std::string&>();
      if (bounded_ && one.size() > max_item)
        error(key, fmt::format("is {} bytes, at most {} allowed per item", one.size(), max_item));
      else if (!check_text(key, one))
        ;
      else if (!one.empty())
        out.push_back(one);
      return out;
    }
    if (!v->is_array()) {
      error(key, fmt::format("expected an array of strings, got {}", type_name(*v)));
      return out;
    }
    if (bounded_ && v->size() > kRecordLimits.list_items) {
      error(key, fmt::format("has {} items, at most {} allowed", v->size(), kRecordLimits.list_items));
      return out;
    }
    for (size_t i = 0; i < v->size(); ++i) {
      const json& item = (*v)[i];
      if (!item.is_string()) {
        error(fmt::format("{}[{}]", key, i), fmt::format("expected a string, got {}", type_name(item)));
        continue;
      }
      if (bounded_ && item.get_ref<const std::string&>().size() > max_item) {
        error(fmt::format("{}[{}]", key, i),
              fmt::format("is {} bytes, at most {} allowed", item.get_ref<const std::string&>().size(), max_item));
        continue;
      }
      if (!check_text(fmt::format("{}[{}]", key, i), item.get_ref<const std::string&>())) continue;
      if (!item.get<std::string>().empty()) out.push_back(item.get<std::string>());
    }
    return out;
  }

  std::optional<int64_t> integer(std::string_view key, int64_t lo, int64_t hi) {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (v->is_number_float()) {
      double d = v->get<double>();
      if (std::floor(d) == d && d >= static_cast<double>(lo) && d <= static_cast<double>(hi))
        return static_cast<int64_t>(d);
    }
    if (!v->is_number_integer() && !v->is_number_unsigned()) {
      error(key, fmt::format("expected an integer {}–{}, got {} {}", lo, hi, type_name(*v), safe_dump(*v)));
      return std::nullopt;
    }
    if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(hi)) {
      error(key, fmt::format("must be {}–{}, got {}", lo, hi, safe_dump(*v)));
      return std::nullopt;
    }
    int64_t n = v->get<int64_t>();
    if (n < lo || n > hi) {
      error(key, fmt::format("must be {}–{}, got {}", lo, hi, n));
      return std::nullopt;
    }
    return n;
  }

  /// A record's date: YYYY-MM-DD from 1900-01-01 on. Year 0000 is a valid ISO 8601 date (1 BC)
  /// but never a deadline or a posting day: before 1900 is taken for a typo and refused.
  std::string date(std::string_view key) {
    std::string s = string(key, false);
    if (s.empty()) return s;
    if (!is_iso_date(s)) error(key, fmt::format("expected a date YYYY-MM-DD, got \"{}\"", s));
    else if (s < "1900-01-01") error(key, fmt::format("\"{}\" is before 1900-01-01; expected a date YYYY-MM-DD", s));
    return s;
  }

  json object_or_null(std::string_view key) {
    const json* v = get(key);
    if (!v) return nullptr;
    if (!v->is_object()) {
      error(key, fmt::format("expected an object, got {}", type_name(*v)));
      return nullptr;
    }
    if (size_t n = bounded_ ? safe_dump(*v).size() : 0; n > kRecordLimits.object_bytes) {
      error(key, fmt::format("is {} bytes as JSON, at most {} allowed", n, kRecordLimits.object_bytes));
      return nullptr;
    }
    if (!check_json_text(std::string(key), *v)) return nullptr;
    return *v;
  }

  /// Keys of the object not read by any accessor: kept as given.
  json unknown() {
    json extra = json::object();
    for (auto it = obj_.begin(); it != obj_.end(); ++it)
      if (!seen_.count(it.key())) extra[it.key()] = it.value();
    if (size_t n = bounded_ ? safe_dump(extra).size() : 0; n > kRecordLimits.object_bytes) {
      error("", fmt::format("the keys outside the schema take {} bytes as JSON, at most {} allowed", n,
                            kRecordLimits.object_bytes));
      return json::object();
    }
    if (!check_json_text("", extra)) return json::object();
    return extra;
  }

 private:
  const json& obj_;
  std::string prefix_;
  std::vector<FieldError>& errors_;
  std::set<std::string, std::less<>> seen_;
  bool bounded_;
};

bool ascii_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

/// Trims the id (leading/trailing ASCII whitespace) and checks it against the id character set.
void check_id(FieldReader& r, std::string& id) {
  if (!r.bounded()) return;  // a stored id is the key it was stored under
  size_t b = id.find_first_not_of(" \t\r\n");
  size_t e = id.find_last_not_of(" \t\r\n");
  id = b == std::string::npos ? std::string() : id.substr(b, e - b + 1);
  if (id.empty()) return;  // "is required" / "must not be empty" is already reported
  if (id.size() > kMaxIdBytes) {
    r.error("id", fmt::format("is {} bytes, at most {} allowed", id.size(), kMaxIdBytes));
    return;
  }
  if (!is_valid_record_id(id)) {
    size_t at = 0;
    for (; at < id.size(); ++at) {
      char c = id[at];
      if (!(ascii_alnum(c) || c == '.' || c == '_' || c == ':' || c == '-')) break;
    }
    r.error("id", fmt::format("has a character outside A-Z a-z 0-9 . _ : - at byte {}", at));
  }
}

std::optional<int64_t> to_minor_units(FieldReader& r, const json& budget, std::string_view key) {
  auto it = budget.find(key);
  if (it == budget.end() || it->is_null()) return std::nullopt;
  std::string path = fmt::format("budget.{}", key);
  if (!it->is_number()) {
    r.error(path, fmt::format("expected a number of major units (yuan), got {}", type_name(*it)));
    return std::nullopt;
  }
  double d = it->get<double>();
  if (!std::isfinite(d) || d < 0 || d > 1e15) {
    r.error(path, fmt::format("must be a non-negative amount up to 1e15, got {}", safe_dump(*it)));
    return std::nullopt;
  }
  return static_cast<int64_t>(std::llround(d * 100.0));
}

std::optional<Budget> read_budget(FieldReader& r) {
  const json* v = r.get("budget");
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    r.error("budget", fmt::format("expected an object {{amount_min, amount_max, currency}}, got {}", type_name(*v)));
    return std::nullopt;
  }
  Budget b;
  b.amount_min_minor = to_minor_units(r, *v, "amount_min");
  b.amount_max_minor = to_minor_units(r, *v, "amount_max");
  if (auto c = v->find("currency"); c != v->end() && !c->is_null()) {
    bool ok = c->is_string() && c->get<std::string>().size() == 3;
    if (ok)
      for (char ch : c->get<std::string>()) ok = ok && ch >= 'A' && ch <= 'Z';
    if (!ok) r.error("budget.currency", fmt::format("expected an ISO 4217 code like \"CNY\", got {}", safe_dump(*c)));
    else b.currency = c->get<std::string>();
  }
  if (b.amount_min_minor && b.amount_max_minor && *b.amount_min_minor > *b.amount_max_minor)
    r.error("budget", "amount_min is greater than amount_max");
  for (auto it = v->begin(); it != v->end(); ++it)
    if (it.key() != "amount_min" && it.key() != "amount_max" && it.key() != "currency") b.extra[it.key()] = it.value();
  if (!r.check_json_text("budget", b.extra)) b.extra = json::object();
  return b;
}

json budget_json(const Budget& b) {
  json j = b.extra.is_object() ? b.extra : json::object();
  auto major = [](int64_t minor) -> json {
    if (minor % 100 == 0) return minor / 100;
    return static_cast<double>(minor) / 100.0;
  };
  if (b.amount_min_minor) j["amount_min"] = major(*b.amount_min_minor);
  if (b.amount_max_minor) j["amount_max"] = major(*b.amount_max_minor);
  j["currency"] = b.currency;
  return j;
}

void put_if(json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}
void put_if(json& j, const char* key, const std::vector<std::string>& v) {
  if (!v.empty()) j[key] = v;
}

}  // namespace

std::string format_field_errors(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    out += e.key + ": " + e.message;
  }
  return out;
}

bool is_valid_utf8(std::string_view text) { return invalid_utf8_offset(text) == std::string_view::npos; }

std::optional<ForbiddenChar> find_forbidden_char(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return ForbiddenChar{i, c};
      ++i;
      continue;
    }
    // An ill-formed byte is is_valid_utf8's business: skipped here, so that what follows it is
    // still read from its own first byte.
    Utf8Char ch = decode_utf8(text, i);
    uint32_t cp = ch.codepoint;
    if (ch.kind == Utf8Char::Kind::kChar &&
        ((cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)))
      return ForbiddenChar{i, cp};
    i += ch.kind == Utf8Char::Kind::kChar ? ch.length : 1;
  }
  return std::nullopt;
}

bool has_visible_char(std::string_view text) {
  auto invisible = [](uint32_t cp) {
    switch (cp) {
      case 0x85: case 0xA0: case 0xAD: case 0x34F: case 0x61C: case 0x115F: case 0x1160: case 0x1680:
      case 0x180E: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000: case 0x3164:
      case 0xFEFF: case 0xFFA0:
        return true;
      default:
        return (cp >= 0x2000 && cp <= 0x200F) || (cp >= 0x2060 && cp <= 0x2064);
    }
  };
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c > 0x20 && c != 0x7f) return true;
      ++i;
      continue;
    }
    Utf8Char ch = decode_utf8(text, i);
    if (ch.kind != Utf8Char::Kind::kChar || !invisible(ch.codepoint)) return true;
    i += ch.length;
  }
  return false;
}

bool is_valid_record_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return ascii_alnum(c) || c == '.' || c == '_' || c == ':' || c == '-';
  });
}

bool is_iso_date(std::string_view d) { return parse_iso_date(d).has_value(); }

std::optional<Scenario> scenario_from_json(const json& j, std::vector<FieldError>& errors, Admission admission) {
  size_t before = errors.size();
  if (!j.is_object()) {
    errors.push_back({"", fmt::format("expected a JSON object, got {}", type_name(j))});
    return std::nullopt;
  }
  FieldReader r(j, "", errors, admission == Admission::kBoundary);
  Scenario s;
  s.id = r.string("id", true, kRecordLimits.id_bytes);
  check_id(r, s.id);
  s.title = r.string("title", true, kRecordLimits.name_bytes);
  s.description = r.string("description", true, kRecordLimits.description_bytes);
  s.publisher = r.string("publisher", true, kRecordLimits.name_bytes);
  s.list = r.string("list", false, kRecordLimits.name_bytes);
  s.region = r.string("region", false);
  s.industries = r.string_list("industries");
  s.keywords = r.string_list("keywords");
  if (auto trl = r.integer("required_trl", 1, 9)) s.required_trl = static_cast<int>(*trl);
  s.budget = read_budget(r);
  s.required_qualifications = r.string_list("required_qualifications");
  s.deadline = r.date("deadline");
  s.posted_at = r.date("posted_at");
  std::string status = r.string("status", false);
  if (!status.empty()) {
    if (status != "open" && status != "closed" && status != "awarded")
      r.error("status", fmt::format("expected \"open\", \"closed\" or \"awarded\", got \"{}\"", status));
    else
      s.status = status;
  }
  s.policy = r.object_or_null("policy");
  s.extra = r.unknown();
  if (errors.size() != before) return std::nullopt;
  return s;
}

std::optional<Enterprise> enterprise_from_json(const json& j, std::vector<FieldError>& errors, Admission admission) {
  size_t before = errors.size();
  if (!j.is_object()) {
    errors.push_back({"", fmt::format("expected a JSON object, got {}", type_name(j))});
    return std::nullopt;
  }
  FieldReader r(j, "", errors, admission == Admission::kBoundary);
  Enterprise e;
  e.id = r.string("id", true, kRecordLimits.id_bytes);
  check_id(r, e.id);
  if (looks_like_uscc(e.id) && !uscc_valid(e.id))
    r.error("id", fmt::format("\"{}\" has a USCC's shape but its check character should be '{}' (GB 32100-2015)",
                              e.id, *uscc_check_char(e.id.substr(0, 17))));
  e.name = r.string("name", true, kRecordLimits.name_bytes);
  e.description = r.string("description", false, kRecordLimits.description_bytes);
  e.capabilities = r.string_list("capabilities");
  e.region = r.string("region", false);
  e.industries = r.string_list("industries");
  if (auto trl = r.integer("trl", 1, 9)) e.trl = static_cast<int>(*trl);
  e.qualifications = r.string_list("qualifications");
  e.size = r.object_or_null("size");
  e.contact = r.object_or_null("contact");
  if (const json* cases = r.get("cases")) {
    if (!cases->is_array()) {
      r.error("cases", fmt::format("expected an array of objects, got {}", type_name(*cases)));
    } else if (r.bounded() && cases->size() > kRecordLimits.cases) {
      r.error("cases", fmt::format("has {} items, at most {} allowed", cases->size(), kRecordLimits.cases));
    } else {
      for (size_t i = 0; i < cases->size(); ++i) {
        const json& cj = (*cases)[i];
        std::string prefix = fmt::format("cases[{}]", i);
        if (!cj.is_object()) {
          errors.push_back({prefix, fmt::format("expected an object, got {}", type_name(cj))});
          continue;
        }
        FieldReader cr(cj, prefix + ".", errors, r.bounded());
        Case c;
        c.title = cr.string("title", false, kRecordLimits.name_bytes);
        c.description = cr.string("description", false, kRecordLimits.description_bytes);
        c.customer = cr.string("customer", false, kRecordLimits.name_bytes);
        if (auto y = cr.integer("year", 1900, 2100)) c.year = static_cast<int>(*y);
        c.stage = cr.string("stage", false);
        if (!c.stage.empty() && c.stage != "rd" && c.stage != "validation" && c.stage != "commercialized")
          cr.error("stage", fmt::format("expected \"rd\", \"validation\" or \"commercialized\", got \"{}\"", c.stage));
        if (c.title.empty() && c.description.empty()) cr.error("title", "a case needs a title or a description");
        c.extra = cr.unknown();
        e.cases.push_back(std::move(c));
      }
    }
  }
  e.extra = r.unknown();
  if (errors.size() != before) return std::nullopt;
  return e;
}

json to_json(const Scenario& s) {
  json j = s.extra.is_object() ? s.extra : json::object();
  j["id"] = s.id;
  j["title"] = s.title;
  j["description"] = s.description;
  j["publisher"] = s.publisher;
  put_if(j, "list", s.list);
  put_if(j, "region", s.region);
  put_if(j, "industries", s.industries);
  put_if(j, "keywords", s.keywords);
  if (s.required_trl) j["required_trl"] = *s.required_trl;
  if (s.budget) j["budget"] = budget_json(*s.budget);
  put_if(j, "required_qualifications", s.required_qualifications);
  put_if(j, "deadline", s.deadline);
  put_if(j, "posted_at", s.posted_at);
  j["status"] = s.status;
  if (!s.policy.is_null()) j["policy"] = s.policy;
  return j;
}

json to_json(const EnterpriseProfile& e) {
  json j = e.extra.is_object() ? e.extra : json::object();
  j["id"] = e.id;
  j["name"] = e.name;
  put_if(j, "description", e.description);
  put_if(j, "capabilities", e.capabilities);
  if (!e.cases.empty()) {
    json cases = json::array();
    for (const auto& c : e.cases) {
      json cj = c.extra.is_object() ? c.extra : json::object();
      put_if(cj, "title", c.title);
      put_if(cj, "description", c.description);
      put_if(cj, "customer", c.customer);
      if (c.year) cj["year"] = *c.year;
      put_if(cj, "stage", c.stage);
      cases.push_back(std::move(cj));
    }
    j["cases"] = std::move(cases);
  }
  put_if(j, "region", e.region);
  put_if(j, "industries", e.industries);
  if (e.trl) j["trl"] = *e.trl;
  put_if(j, "qualifications", e.qualifications);
  return j;
}

json to_json(const Enterprise& e) {
  json j = to_json(static_cast<const EnterpriseProfile&>(e));
  if (!e.size.is_null()) j["size"] = e.size;
  if (!e.contact.is_null()) j["contact"] = e.contact;
  return j;
}

std::string_view record_kind_name(RecordKind kind) {
  return kind == RecordKind::kScenario ? "scenario" : "enterprise";
}

namespace {

/// Status words of Chinese lists → the interchange values.
std::string_view status_value(std::string_view cell) {
  static const std::pair<std::string_view, std::string_view> kWords[] = {
      {"开放", "open"},     {"征集中", "open"},     {"已关闭", "closed"},
      {"已截止", "closed"}, {"已揭榜", "awarded"}, {"已完成", "awarded"}};
  size_t a = cell.find_first_not_of(" \t"), b = cell.find_last_not_of(" \t");
  std::string_view trimmed = a == std::string_view::npos ? std::string_view() : cell.substr(a, b - a + 1);
  for (const auto& [word, value] : kWords)
    if (trimmed == word) return value;
  return cell;
}

/// Dates as lists write them — "2026/12/31", "2026.12.31", "2026-1-5", "2026年12月31日", optionally
/// followed by a time — as YYYY-MM-DD; anything else is returned unchanged (the validator names it).
std::string date_value(const std::string& cell) {
  std::string_view s = cell;
  size_t a = s.find_first_not_of(' '), b = s.find_last_not_of(' ');
  if (a == std::string_view::npos) return cell;
  s = s.substr(a, b - a + 1);
  auto digits = [&s](size_t min, size_t max) -> std::optional<int> {
    size_t n = 0;
    while (n < s.size() && n < max && s[n] >= '0' && s[n] <= '9') ++n;
    if (n < min) return std::nullopt;
    int v = std::stoi(std::string(s.substr(0, n)));
    s.remove_prefix(n);
    return v;
  };
  auto take = [&s](std::string_view sep) {
    if (!s.starts_with(sep)) return false;
    s.remove_prefix(sep.size());
    return true;
  };
  auto y = digits(4, 4);
  if (!y) return cell;
  std::string_view sep2;
  if (take("年")) sep2 = "月";
  else if (take("-")) sep2 = "-";
  else if (take("/")) sep2 = "/";
  else if (take(".")) sep2 = ".";
  else return cell;
  auto m = digits(1, 2);
  if (!m || !take(sep2)) return cell;
  auto d = digits(1, 2);
  if (!d) return cell;
  if (sep2 == "月") take("日");
  if (!s.empty() && s.front() != ' ' && s.front() != 'T') return cell;
  return fmt::format("{:04d}-{:02d}-{:02d}", *y, *m, *d);
}

}  // namespace

json csv_row_to_json(RecordKind kind, const std::vector<std::string>& header, const std::vector<std::string>& row) {
  static const std::set<std::string, std::less<>> kListKeys = {
      "industries", "keywords", "required_qualifications", "capabilities", "qualifications"};
  static const std::set<std::string, std::less<>> kIntKeys = {"required_trl", "trl", "size.employees"};
  static const std::set<std::string, std::less<>> kNumberKeys = {"budget.amount_min", "budget.amount_max"};
  static const std::set<std::string, std::less<>> kJsonKeys = {"cases", "policy", "size", "contact"};
  json j = json::object();
  for (size_t i = 0; i < header.size() && i < row.size(); ++i) {
    const std::string& key = header[i];
    const std::string& cell = row[i];
    if (key.empty() || cell.empty()) continue;
    json value = cell;
    if (kind == RecordKind::kScenario && key == "status") {
      value = std::string(status_value(cell));
    } else if (kind == RecordKind::kScenario && (key == "deadline" || key == "posted_at")) {
      value = date_value(cell);
    } else if (kListKeys.count(key)) {
      value = json::array();
      size_t start = 0;
      while (start <= cell.size()) {
        size_t end = cell.find(';', start);
        if (end == std::string::npos) end = cell.size();
        std::string item = cell.substr(start, end - start);
        size_t a = item.find_first_not_of(' '), b = item.find_last_not_of(' ');
        if (a != std::string::npos) value.push_back(item.substr(a, b - a + 1));
        start = end + 1;
      }
    } else if (kIntKeys.count(key) || kNumberKeys.count(key)) {
      try {
        size_t used = 0;
        if (kIntKeys.count(key)) {
          long long n = std::stoll(cell, &used);
          if (used == cell.size()) value = n;
        } else {
          double d = std::stod(cell, &used);
          if (used == cell.size()) value = d;
        }
      } catch (const std::exception&) {
        // left as a string: the validator names the key and the bad value
      }
    } else if (kJsonKeys.count(key) && (cell.front() == '[' || cell.front() == '{')) {
      value = json::parse(cell, nullptr, false);
      if (value.is_discarded()) value = cell;
    }
    auto dot = key.find('.');
    if (dot != std::string::npos) {
      std::string outer = key.substr(0, dot);
      if (!j.contains(outer) || !j[outer].is_object()) j[outer] = json::object();
      j[outer][key.substr(dot + 1)] = value;
    } else {
      j[key] = value;
    }
  }
  return j;
}

}  // namespace jiebang
