// URL helpers shared by the web API and the digest's links.
#pragma once

#include <string>
#include <string_view>

namespace jiebang {

/// Percent-encodes one path segment or query value (RFC 3986 §2.1): every byte but the unreserved
/// characters (ALPHA, DIGIT, "-", ".", "_", "~") becomes %XX, upper-case hex; UTF-8 is encoded
/// byte by byte ("杭" → "%E6%9D%AD"). The dot-segments "." and ".." are encoded whole ("%2E",
/// "%2E%2E") so that no client resolves them away.
std::string percent_encode_segment(std::string_view text);

}  // namespace jiebang
