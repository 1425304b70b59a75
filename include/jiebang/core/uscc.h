// Unified Social Credit Code (统一社会信用代码, GB 32100-2015) shape test and check character.
#pragma once

#include <optional>
#include <string_view>

namespace jiebang {

/// True when `id` has a USCC's shape: 18 characters, the first two a registration-authority and
/// kind code, characters 3–8 digits (the GB/T 2260 region), all drawn from the code's
/// character set "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I, O, Z, S, V). Case-sensitive:
/// USCCs are upper case.
bool looks_like_uscc(std::string_view id);

/// The check character (18th) for the first 17 characters of a USCC, per GB 32100-2015:
/// c18 = charset[(31 − Σ value(ci)·wi mod 31) mod 31], wi = 3^(i−1) mod 31.
/// Returns nullopt when `first17` is not 17 characters of the charset.
std::optional<char> uscc_check_char(std::string_view first17);

/// True when `id` looks like a USCC and its 18th character is the right check character.
bool uscc_valid(std::string_view id);

}  // namespace jiebang
