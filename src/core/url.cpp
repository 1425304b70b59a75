// URL helpers (RFC 3986).
#include "jiebang/core/url.h"

#include <fmt/format.h>

#include "jiebang/core/input_rules.h"

namespace jiebang {

std::string percent_encode_segment(std::string_view text) {
  // "." and ".." are dot-segments (RFC 3986 §5.2.4): clients would remove them from the path.
  if (text == ".") return "%2E";
  if (text == "..") return "%2E%2E";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~';
    if (unreserved) out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space, BadEscape bad) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      int hi = i + 2 < text.size() ? hex_digit(text[i + 1]) : -1;
      int lo = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
      } else if (bad == BadEscape::kRefuse) {
        return std::nullopt;
      } else {
        out += c;
      }
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

/// The checks of is_local_redirect_target on one form of the target; `decoded` allows a space
/// in the query.
bool local_form(std::string_view t, bool decoded) {
  if (t.size() < 1 || t[0] != '/') return false;
  if (t.size() > 1 && (t[1] == '/' || t[1] == '\\')) return false;
  size_t query = t.find_first_of("?#");
  for (size_t i = 0; i < t.size(); ++i) {
    auto c = static_cast<unsigned char>(t[i]);
    if (c < 0x20 || c == 0x7f || c == '\\') return false;
    if (c == ' ' && (!decoded || i < query)) return false;
  }
  return !find_forbidden_char(t);
}

}  // namespace

bool is_local_redirect_target(std::string_view target) {
  std::string form(target);
  if (!local_form(form, false)) return false;
  for (int round = 0; round < 4; ++round) {
    std::string next = *percent_decode(form, false, BadEscape::kKeep);
    if (next == form) return true;
    if (!local_form(next, true)) return false;
    form = std::move(next);
  }
  return false;  // still encoded after four rounds: nobody writes a local link so
}

}  // namespace jiebang
