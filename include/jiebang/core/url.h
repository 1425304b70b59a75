// URL helpers shared by the web API and the digest's links.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace jiebang {

/// Percent-encodes one path segment or query value (RFC 3986 §2.1): every byte but the unreserved
/// characters (ALPHA, DIGIT, "-", ".", "_", "~") becomes %XX, upper-case hex; UTF-8 is encoded
/// byte by byte ("杭" → "%E6%9D%AD"). The dot-segments "." and ".." are encoded whole ("%2E",
/// "%2E%2E") so that no client resolves them away.
std::string percent_encode_segment(std::string_view text);

/// What percent_decode does with a '%' that is not followed by two hex digits.
enum class BadEscape {
  kKeep,    ///< keep it as written ("100%" stays "100%"): what browsers do with a form or a path
  kRefuse,  ///< the whole text is malformed: percent_decode returns nullopt
};

/// One round of percent-decoding (RFC 3986 §2.1): each "%XX" (hex, either case) becomes the byte
/// XX. With `plus_is_space`, '+' is a space (application/x-www-form-urlencoded, WHATWG URL
/// §5.1); else '+' is itself. nullopt only with BadEscape::kRefuse and a malformed escape. The
/// bytes decoded are not checked (NUL, invalid UTF-8 and control characters come out as
/// written): a caller that stores or shows them checks them. The one decoder of the API's query
/// strings and path segments, the pages' forms and the redirect check. Pure, thread-safe.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space, BadEscape bad);

/// True when `target` (a redirect destination taken from a request, already form-decoded once)
/// can only lead to a path on this host, so that answering `Location: target` is no open
/// redirect. It must start with one '/' that is not followed by '/' or '\' (browsers read "//x",
/// "/\x" and "/<tab>/x" as the host x), hold no ASCII whitespace or '\' and no control character
/// (C0, DEL, C1, bidi controls: find_forbidden_char's set plus tab, LF and CR) anywhere, and the
/// same must hold after percent-decoding it again (repeatedly, up to 4 rounds; "/%2F/x" is
/// "//x"), except that a space is allowed in a decoded query ("/scenarios?q=a%20b"). An
/// absolute URL ("https://x", "javascript:…") is never local. Pure, thread-safe.
bool is_local_redirect_target(std::string_view target);

}  // namespace jiebang
