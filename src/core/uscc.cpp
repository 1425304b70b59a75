// USCC (GB 32100-2015) check-character computation.
#include "jiebang/core/uscc.h"

#include <cctype>
#include <string_view>

namespace jiebang {
namespace {

constexpr std::string_view kCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY";
// Weights 3^(i-1) mod 31 for positions 1..17 (GB 32100-2015, 4.2).
constexpr int kWeights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

int char_value(char c) {
  auto pos = kCharset.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

}  // namespace

bool looks_like_uscc(std::string_view id) {
  if (id.size() != 18) return false;
  for (char c : id)
    if (char_value(c) < 0) return false;
  for (size_t i = 2; i < 8; ++i)
    if (!std::isdigit(static_cast<unsigned char>(id[i]))) return false;
  return true;
}

std::optional<char> uscc_check_char(std::string_view first17) {
  if (first17.size() != 17) return std::nullopt;
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    int v = char_value(first17[i]);
    if (v < 0) return std::nullopt;
    sum += v * kWeights[i];
  }
  return kCharset[(31 - sum % 31) % 31];
}

bool uscc_valid(std::string_view id) {
  if (!looks_like_uscc(id)) return false;
  auto check = uscc_check_char(id.substr(0, 17));
  return check && *check == id[17];
}

}  // namespace jiebang
