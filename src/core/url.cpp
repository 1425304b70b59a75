// URL helpers (RFC 3986).
#include "jiebang/core/url.h"

#include <fmt/format.h>

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

}  // namespace jiebang
