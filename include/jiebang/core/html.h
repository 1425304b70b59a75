// HTML escaping shared by the pages (src/web) and the digest's HTML files (src/digest).
#pragma once

#include <string>
#include <string_view>

namespace jiebang {

/// Escapes `text` for HTML element content and quoted attribute values (HTML Living Standard
/// §13.1: &, <, >, " and ' become &amp; &lt; &gt; &quot; &#39;); every other byte, UTF-8
/// included, is kept. Not for unquoted attributes, URLs (percent_encode_segment) or script.
/// Thread-safe.
std::string html_escape(std::string_view text);

}  // namespace jiebang
