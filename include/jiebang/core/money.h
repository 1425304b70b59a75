// Money: an exact amount in minor units with its ISO 4217 currency, and its decimal text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jiebang {

/// An amount of money, exact: an integer count of the currency's minor unit (fen for CNY, cents
/// for USD) and the currency's ISO 4217 alphabetic code. The decimal forms use two decimals,
/// ISO 4217's minor-unit exponent of CNY and USD, the currencies the marketplace records (a
/// contract value in yuan; SBIR award amounts in dollars). A value type; thread-safe to copy.
struct Money {
  int64_t minor = 0;             ///< unit: minor units of `currency` (fen for CNY, cents for USD)
  std::string currency = "CNY";  ///< ISO 4217 alphabetic code, e.g. "CNY", "USD"

  bool operator==(const Money&) const = default;
  /// Major units with two decimals, exactly: 125000007 → "1250000.07", -150 → "-1.50".
  std::string decimal() const;
  /// decimal() and the code: "1250000.07 CNY".
  std::string to_string() const;
};

/// Reads an amount in major units written with digits and at most two decimals ("1250000",
/// "1250000.5", "0.07", "12.") as minor units, exactly (no floating point). nullopt for anything else:
/// a sign, an exponent, a missing whole part, more than two decimals, 10^13 major units or more.
std::optional<int64_t> parse_major_units(std::string_view text);

/// True when `code` has ISO 4217's alphabetic form: three upper-case ASCII letters ("CNY").
bool is_currency_code(std::string_view code);

}  // namespace jiebang
