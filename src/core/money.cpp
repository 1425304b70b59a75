// Money's decimal text and the exact reading of major units (see include/jiebang/core/money.h).
#include "jiebang/core/money.h"

#include <cstdlib>

#include <fmt/format.h>

namespace jiebang {

std::string Money::decimal() const {
  // |minor / 100| and |minor % 100| keep INT64_MIN exact, where -minor would overflow.
  return fmt::format("{}{}.{:02}", minor < 0 ? "-" : "", std::llabs(minor / 100), std::llabs(minor % 100));
}

std::string Money::to_string() const { return decimal() + " " + currency; }

std::optional<int64_t> parse_major_units(std::string_view text) {
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 13 || frac.size() > 2) return std::nullopt;
  int64_t minor = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    minor = minor * 10 + (c - '0');
  }
  for (size_t i = 0; i < 2; ++i) {
    char c = i < frac.size() ? frac[i] : '0';
    if (c < '0' || c > '9') return std::nullopt;
    minor = minor * 10 + (c - '0');
  }
  return minor;
}

bool is_currency_code(std::string_view code) {
  if (code.size() != 3) return false;
  for (char c : code)
    if (c < 'A' || c > 'Z') return false;
  return true;
}

}  // namespace jiebang
